"""What operators see: /healthz, /readyz, /metrics, the request id, the log lines."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import json
import logging
import logging.config
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from http_helpers import post_form
from prometheus_client import REGISTRY
from tortoise import Tortoise

from web.app import create_app
from web.db import migrate, tortoise_config
from web.health import Heartbeat
from web.logs import log_config
from web.mail.models import OutboxMail
from web.security.models import AuditEvent

PROXY = "10.0.0.1"
ACCEPT_COMPRESSED = {"accept-encoding": "gzip, br, zstd"}


def client_for(app, peer: str = "203.0.113.7") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def wrong_login(http: httpx.AsyncClient, **headers) -> httpx.Response:
    return await post_form(http, "/mss/login", {"login": "nobody@example.org",
                                                "password": "not the password at all"},
                           headers=headers)


# --- /healthz and /readyz --------------------------------------------------------------------


async def test_healthz_is_cheap_json_never_stored_without_cookie_or_compression(client):
    response = await client.get("/healthz", headers=ACCEPT_COMPRESSED)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["cache-control"] == "no-store"
    assert "set-cookie" not in response.headers
    assert "content-encoding" not in response.headers


@pytest.fixture
async def migrated_app(tmp_path, settings):
    """The application on a SQLite file `espace migrate` made, as `espace serve` opens it."""
    url = f"sqlite://{tmp_path / 'espace.sqlite3'}"
    await migrate(url)
    await Tortoise.init(config=tortoise_config(url))
    try:
        yield create_app(dataclasses.replace(settings, database_url=url), init_db=False)
    finally:
        await Tortoise.close_connections()


async def test_readyz_when_everything_is_ready(migrated_app):
    async with client_for(migrated_app) as http:
        response = await http.get("/readyz", headers=ACCEPT_COMPRESSED)
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ready", "checks": {
        "database": "ok", "migrations": "ok", "oldest_pending_mail": 0, "mail_queue": "ok"}}
    assert response.headers["cache-control"] == "no-store"
    assert "set-cookie" not in response.headers and "content-encoding" not in response.headers


async def test_readyz_refuses_a_database_without_its_migrations(client):
    """The test database has the tables but no migration recorded: as a database someone
    forgot to `espace migrate`."""
    response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "pending"


async def test_readyz_says_when_mail_waits_too_long(migrated_app):
    mail = await OutboxMail.create(to="x@example.org", subject="s", text_body="t", html_body="h",
                                   template="t", language="fr", status="pending",
                                   next_attempt_at=datetime.now(UTC))
    old = datetime.now(UTC) - timedelta(seconds=migrated_app.state.settings.ready_mail_age + 60)
    await OutboxMail.filter(id=mail.id).update(created_at=old)
    async with client_for(migrated_app) as http:
        response = await http.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["mail_queue"] == "late" and checks["oldest_pending_mail"] > 900
    assert "x@example.org" not in response.text


async def test_readyz_says_when_the_mail_worker_stopped(migrated_app):
    async def stops():
        return None

    task = asyncio.create_task(stops())
    await task
    migrated_app.state.mail_worker = (task, Heartbeat())
    async with client_for(migrated_app) as http:
        response = await http.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["mail_worker"] == "stopped"


async def test_readyz_says_when_the_database_is_unreachable(settings):
    app = create_app(settings, init_db=False)  # no database opened at all
    async with client_for(app) as http:
        response = await http.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "unreachable"}


# --- the request id --------------------------------------------------------------------------


@pytest.fixture
def proxied_app(db, settings):
    return create_app(dataclasses.replace(settings, proxy_addresses=(PROXY,)), init_db=False)


async def test_each_request_gets_an_id_written_in_its_audit_events(proxied_app):
    async with client_for(proxied_app) as http:
        first = await wrong_login(http)
        second = await wrong_login(http, **{"x-request-id": "forged-by-the-client"})
    ids = [first.headers["x-request-id"], second.headers["x-request-id"]]
    assert len(set(ids)) == 2 and all(len(i) == 32 for i in ids)  # not the client's
    events = await AuditEvent.filter(event="login_failure").order_by("id")
    assert [event.request_id for event in events] == ids


async def test_the_proxy_request_id_is_kept(proxied_app):
    async with client_for(proxied_app, peer=PROXY) as http:
        response = await wrong_login(http, **{"x-request-id": "0f3c9a2b7d6e4f10a1b2c3d4e5f60718",
                                              "x-forwarded-for": "198.51.100.4"})
    assert response.headers["x-request-id"] == "0f3c9a2b7d6e4f10a1b2c3d4e5f60718"
    event = await AuditEvent.get(event="login_failure")
    assert event.request_id == "0f3c9a2b7d6e4f10a1b2c3d4e5f60718"


# --- /metrics --------------------------------------------------------------------------------


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_metrics_are_off_unless_addresses_are_named(client):
    assert (await client.get("/metrics")).status_code == 404


async def test_metrics_only_for_the_named_addresses(db, settings):
    app = create_app(dataclasses.replace(settings, metrics_addresses=("192.0.2.0/24",),
                                         proxy_addresses=(PROXY,)), init_db=False)
    async with client_for(app, peer="203.0.113.7") as http:
        assert (await http.get("/metrics")).status_code == 404
    async with client_for(app, peer=PROXY) as http:  # a visitor, through the proxy
        response = await http.get("/metrics", headers={"x-forwarded-for": "203.0.113.7"})
        assert response.status_code == 404
    async with client_for(app, peer="192.0.2.10") as http:
        response = await http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "espace_outbox_mail" in response.text


async def test_metrics_count_requests_events_and_hashing(db, settings):
    app = create_app(dataclasses.replace(settings, metrics_addresses=("127.0.0.1",)),
                     init_db=False)
    labels = {"portal": "mss", "route": "login", "method": "POST", "status": "422"}
    before = (sample("espace_request_duration_seconds_count", **labels),
              sample("espace_audit_events_total", event="login_failure", portal="mss"),
              sample("espace_argon2_queue_wait_seconds_count"))
    async with client_for(app) as http:
        await wrong_login(http)
    async with client_for(app, peer="127.0.0.1") as http:
        page = (await http.get("/metrics")).text
    after = (sample("espace_request_duration_seconds_count", **labels),
             sample("espace_audit_events_total", event="login_failure", portal="mss"),
             sample("espace_argon2_queue_wait_seconds_count"))
    assert [b - a for a, b in zip(before, after, strict=True)] == [1, 1, 1]
    for name in ('espace_outbox_mail{status="pending"}', 'espace_outbox_mail{status="dead"}',
                 "espace_outbox_oldest_pending_seconds"):
        assert name in page


# --- log lines -------------------------------------------------------------------------------


@pytest.fixture
def production_log(settings):
    """Log lines as production writes them (web.logs.log_config), into a buffer."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    named = {name: logging.getLogger(name).level for name in ("espace", "uvicorn",
                                                                "uvicorn.access")}
    production = dataclasses.replace(settings, env="production")
    logging.config.dictConfig(log_config(production))
    buffer = io.StringIO()
    logging.getLogger().handlers[0].setStream(buffer)
    yield buffer
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, level in named.items():
        logging.getLogger(name).setLevel(level)


async def test_production_log_lines_are_json_with_the_request(proxied_app, production_log):
    async with client_for(proxied_app) as http:
        response = await wrong_login(http)
    lines = [json.loads(line) for line in production_log.getvalue().splitlines()]
    request_line = next(line for line in lines if line["logger"] == "espace.request"
                        and line["method"] == "POST")
    assert request_line["request_id"] == response.headers["x-request-id"]
    assert (request_line["portal"], request_line["route"], request_line["status"]) == (
        "mss", "login", 422)
    assert request_line["level"] == "INFO" and request_line["timestamp"].endswith("+00:00")
    assert isinstance(request_line["duration_ms"], float)
    assert "nobody@example.org" not in production_log.getvalue()
    assert "203.0.113.7" not in production_log.getvalue()  # no client address either


def test_a_log_record_leaves_out_what_no_line_shows():
    """Each request writes a line: its record does not walk the stack for its caller, nor ask
    for its thread and process (no format shows them)."""
    import web.logs  # noqa: F401 - what it sets for every record of the process

    made = []
    handler = logging.Handler()
    handler.emit = made.append
    logger = logging.getLogger("espace.test-records")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        logger.info("a line")
    finally:
        logger.removeHandler(handler)
    (record,) = made
    assert (record.funcName, record.lineno) == ("(unknown function)", 0)
    assert record.thread is None and record.process is None and record.processName is None
