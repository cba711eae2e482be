"""Settings from the environment; production refuses unsafe settings and says which."""

import json

import pytest

from web.settings import DEV_SECRET, Settings, UnsafeSettings


def test_development_defaults_are_usable():
    settings = Settings.from_env({})
    assert settings.development
    assert settings.database_url.startswith("sqlite://")
    assert settings.portals == ("mss", "espace-prive")


def test_production_requires_a_secret_key_https_and_smtp():
    with pytest.raises(UnsafeSettings) as error:
        Settings.from_env({"ESPACE_ENV": "production"})
    message = str(error.value)
    assert "SECRET_KEY" in message and "BASE_URL" in message and "MAIL_URL" in message
    assert "ESPACE_PROXY_ADDRESSES" in message  # the TLS proxy is always there


def test_production_with_safe_settings_starts():
    settings = Settings.from_env({
        "ESPACE_ENV": "production", "SECRET_KEY": "k" * 40,
        "BASE_URL": "https://espace.example.org", "MAIL_URL": "smtp://mail.example.org:587",
        "DATABASE_URL": "postgres://u@db/espace", "ESPACE_PROXY_ADDRESSES": "10.0.0.1",
    })
    assert not settings.development and settings.cookie_secure


def test_address_lists_are_read_as_written():
    settings = Settings.from_env(SAFE_PRODUCTION)
    assert settings.proxy_addresses == ("127.0.0.1", "::1", "10.1.0.0/16")
    assert settings.metrics_addresses == ()  # /metrics is off until addresses are named


def test_unknown_portal_and_env_are_refused():
    with pytest.raises(UnsafeSettings, match="ESPACE_PORTALS"):
        Settings.from_env({"ESPACE_PORTALS": "mss,nope"})
    with pytest.raises(UnsafeSettings, match="ESPACE_ENV"):
        Settings.from_env({"ESPACE_ENV": "staging"})


SAFE_PRODUCTION = {
    "ESPACE_ENV": "production",
    "SECRET_KEY": "k" * 40,
    "BASE_URL": "https://espace.example.org",
    "MAIL_URL": "smtp://mail.example.org:587",
    "DATABASE_URL": "postgres://u@db/espace",
    "ESPACE_PROXY_ADDRESSES": "127.0.0.1, ::1, 10.1.0.0/16",
}


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("SECRET_KEY", "", "SECRET_KEY"),
        ("SECRET_KEY", "short-key", "SECRET_KEY"),
        ("SECRET_KEY", DEV_SECRET, "SECRET_KEY"),
        ("BASE_URL", "http://espace.example.org", "BASE_URL"),
        ("BASE_URL", "https://", "BASE_URL"),
        ("MAIL_URL", "mailbox:", "MAIL_URL"),
        ("MAIL_URL", "smtp://", "MAIL_URL"),
        ("MAIL_URL", "smtp://mail.example.org:99999", "MAIL_URL"),
        ("MAIL_URL", "http://mail.example.org", "MAIL_URL"),
        ("DATABASE_URL", "mysql://u@db/espace", "DATABASE_URL"),
        ("DATABASE_URL", "postgres://u@db", "DATABASE_URL"),
        ("DATABASE_URL", "sqlite://", "DATABASE_URL"),
        ("DATABASE_URL", "garbage", "DATABASE_URL"),
        ("ESPACE_PROXY_ADDRESSES", "", "ESPACE_PROXY_ADDRESSES"),
        ("ESPACE_PROXY_ADDRESSES", "nginx.internal", "ESPACE_PROXY_ADDRESSES"),
        ("ESPACE_METRICS_ADDRESSES", "10.0.0.0/33", "ESPACE_METRICS_ADDRESSES"),
        ("ESPACE_READY_MAIL_AGE", "soon", "ESPACE_READY_MAIL_AGE"),
    ],
)
def test_each_unsafe_production_setting_is_named_alone(name, value, said):
    with pytest.raises(UnsafeSettings) as error:
        Settings.from_env({**SAFE_PRODUCTION, name: value})
    problems = str(error.value).removeprefix("Refusing to start: ").split("; ")
    assert all(said in problem for problem in problems)  # that setting only


def test_a_branding_file_is_checked_with_the_settings(tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"mss": {"name": {"fr": "Caisse X", "en": "Fund X"}}}))
    assert Settings.from_env({"ESPACE_BRANDING_FILE": str(good)}).branding_file == str(good)
    for content, said in [
        ("{not json", "cannot be read as JSON"),
        ("[1, 2]", "object keyed by portal id"),
        (json.dumps({"nope": {}}), "'nope' is not a portal id"),
        (json.dumps({"mss": {"colour": "red"}}), "unknown settings for mss: colour"),
        (json.dumps({"mss": {"support_phone": 3949}}), "mss support_phone must be a text"),
        (json.dumps({"mss": {"name": {"fr": ["Caisse"]}}}),
         "mss name must be a text or one text per language"),
        (json.dumps({"mss": {"identifier_documents": "le relevé annuel"}}),
         "mss identifier_documents must be a list of texts"),
        (json.dumps({"mss": {"identifier_documents": ["le relevé", 2]}}),
         "mss identifier_documents must be a list of texts"),
    ]:
        bad = tmp_path / "bad.json"
        bad.write_text(content)
        with pytest.raises(UnsafeSettings, match=said):
            Settings.from_env({"ESPACE_BRANDING_FILE": str(bad)})
    with pytest.raises(UnsafeSettings, match="cannot be read"):
        Settings.from_env({"ESPACE_BRANDING_FILE": str(tmp_path / "missing.json")})


async def test_only_the_enabled_portals_are_served(db):
    import httpx

    from web.app import create_app

    app = create_app(Settings(portals=("mss",), database_url="sqlite://:memory:"), init_db=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        assert (await c.get("/mss/")).status_code == 200
        assert (await c.get("/espace-prive/")).status_code == 404
        assert "/espace-prive/" not in (await c.get("/")).text


def test_create_app_refuses_unsafe_production_settings():
    from web.app import create_app

    with pytest.raises(UnsafeSettings, match="SECRET_KEY"):
        create_app(Settings(env="production"), init_db=False)


def test_the_robot_delay_is_each_forms_own_unless_a_test_server_sets_it():
    assert Settings.from_env({}).fill_seconds(3) == 3
    assert Settings.from_env({"ESPACE_MIN_FILL_SECONDS": "0.2"}).fill_seconds(3) == 0.2
    for wrong in ("soon", "-1", "61"):
        with pytest.raises(UnsafeSettings, match="ESPACE_MIN_FILL_SECONDS must be"):
            Settings.from_env({"ESPACE_MIN_FILL_SECONDS": wrong})
    with pytest.raises(UnsafeSettings, match="ESPACE_MIN_FILL_SECONDS is for tests"):
        Settings.from_env({**SAFE_PRODUCTION, "ESPACE_MIN_FILL_SECONDS": "0"})


def test_the_mail_worker_looks_every_three_seconds_unless_a_test_server_sets_it():
    assert Settings.from_env({}).mail_poll_seconds is None
    assert Settings.from_env({"ESPACE_MAIL_POLL_SECONDS": "0.1"}).mail_poll_seconds == 0.1
    refused = [({"ESPACE_MAIL_POLL_SECONDS": wrong}, "must be") for wrong in ("often", "0", "61")]
    refused.append(({**SAFE_PRODUCTION, "ESPACE_MAIL_POLL_SECONDS": "1"}, "is for tests"))
    for environ, refusal in refused:
        with pytest.raises(UnsafeSettings, match="ESPACE_MAIL_POLL_SECONDS " + refusal):
            Settings.from_env(environ)


def test_a_session_lasts_thirty_idle_minutes_unless_a_test_server_sets_it():
    assert Settings.from_env({}).session_idle_seconds is None
    assert Settings.from_env({"ESPACE_SESSION_IDLE_SECONDS": "8"}).session_idle_seconds == 8
    for wrong in ("later", "3", "1801"):
        with pytest.raises(UnsafeSettings, match="ESPACE_SESSION_IDLE_SECONDS must be"):
            Settings.from_env({"ESPACE_SESSION_IDLE_SECONDS": wrong})
    with pytest.raises(UnsafeSettings, match="ESPACE_SESSION_IDLE_SECONDS is for tests"):
        Settings.from_env({**SAFE_PRODUCTION, "ESPACE_SESSION_IDLE_SECONDS": "60"})
