"""Settings from the environment; production refuses unsafe settings and says which."""

import pytest

from web.settings import Settings, UnsafeSettings


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


def test_production_with_safe_settings_starts():
    settings = Settings.from_env({
        "ESPACE_ENV": "production", "SECRET_KEY": "k" * 40,
        "BASE_URL": "https://espace.example.org", "MAIL_URL": "smtp://mail.example.org:587",
        "DATABASE_URL": "postgres://u@db/espace",
    })
    assert not settings.development and settings.cookie_secure


def test_unknown_portal_and_env_are_refused():
    with pytest.raises(UnsafeSettings, match="ESPACE_PORTALS"):
        Settings.from_env({"ESPACE_PORTALS": "mss,nope"})
    with pytest.raises(UnsafeSettings, match="ESPACE_ENV"):
        Settings.from_env({"ESPACE_ENV": "staging"})
