"""The production smoke: both journeys end to end in Chromium through nginx (TLS) and two
`espace serve` processes on PostgreSQL, mail through a real SMTP server; then what an operator
relies on: the client address behind the proxy, no mail sent twice, JSON logs without personal
data, /healthz /readyz /metrics, the nightly purge.

The journeys are the e2e guides' own steps (e2e/journeys/), minus screenshots and axe
(the e2e suite runs those), with the mail read from the SMTP server instead of the dev mailbox.
Tests run in file order: the later ones read what the journeys left (logs, outbox, mail).
"""

from __future__ import annotations

import json
import re
import time
from urllib.parse import urlsplit

import httpx
from playwright.sync_api import Page

from deploy.topology import DEPLOY, HOST, unit_command
from e2e.helpers import LOCALES
from e2e.journeys import espace_prive as prive
from e2e.journeys import mss

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TYPED_SECRETS: list[str] = []  # what the journeys typed or received: never in a log line
JOURNEY_REQUESTS: set[str] = set()  # the request ids the browser saw


def metric_sum(production, name: str, **labels) -> float:
    """A metric added up over both processes, as Prometheus would."""
    total = 0.0
    wanted = [f'{key}="{value}"' for key, value in labels.items()]
    for port in production.worker_ports:
        page = httpx.get(f"{production.worker_url(port)}/metrics", timeout=10).text
        for line in page.splitlines():
            if line.startswith((name + "{", name + " ")) and all(w in line for w in wanted):
                total += float(line.rsplit(" ", 1)[1])
    return total


def remember_requests(page: Page) -> None:
    def seen(response) -> None:
        if request_id := response.headers.get("x-request-id"):
            JOURNEY_REQUESTS.add(request_id)

    page.on("response", seen)


def assert_production_cookies(page: Page) -> None:
    cookies = page.context.cookies()
    sid = next(c for c in cookies if c["name"] == "__Host-espace_sid")
    assert sid["secure"] and sid["httpOnly"] and sid["path"] == "/"
    assert not sid["domain"].startswith(".")  # host-only, as __Host- requires
    assert all(c["secure"] for c in cookies), cookies


class ProductionGuide(mss.Guide):
    def show(self, screen: str, control=None) -> None:
        pass

    def check(self, state: str) -> None:
        pass

    def step_07_open_the_email_and_confirm(self) -> None:
        mail = self.mail.newest(self.member.email, after=self.mails_before)
        link = next(link for link in mail.links if "/mss/password/" in link)
        assert self.member.first_names in mail.text
        TYPED_SECRETS.append(urlsplit(link).path.rsplit("/", 1)[1])  # the token
        self.page.goto(link)


class ProductionJourney(prive.Journey):
    def show(self, screen: str, control=None) -> None:
        pass

    def check(self, state: str) -> None:
        pass


def test_tls_hsts_and_plain_http_redirected(production, tls):
    response = httpx.get(f"https://{HOST}:{production.https_port}/", verify=tls)
    assert response.status_code == 200
    assert response.headers["strict-transport-security"].startswith("max-age=63072000")
    assert response.headers["server"] == "nginx"  # no version (server_tokens off), no uvicorn
    plain = httpx.get(f"http://{HOST}:{production.http_port}/mss/")
    assert plain.status_code == 301 and plain.headers["location"].startswith("https://")


def test_mss_journey(production, new_context):
    """Guide steps 1–10 in French with JavaScript on, the link mailed over SMTP."""
    member = mss.demo("000262974")
    before = metric_sum(production, "espace_audit_events_total", event="registration",
                        portal="mss")
    page = new_context(locale=LOCALES["fr"]).new_page()
    page.set_default_timeout(15_000)
    remember_requests(page)
    guide = ProductionGuide(page, "fr", True, member, production.mail)
    response = page.goto("/mss/")
    assert response.headers["strict-transport-security"]
    guide.follow()
    assert_production_cookies(page)
    TYPED_SECRETS.extend([member.email, member.identifier, mss.PASSWORD, member.last_name])
    after = metric_sum(production, "espace_audit_events_total", event="registration",
                       portal="mss")
    assert after == before + 1


def test_espace_prive_journey(production, new_context):
    """Guide steps 1–7 and the first log-in in English without JavaScript, the provisional
    password mailed over SMTP."""
    member = prive.demo("Marie-Ange")
    page = new_context(locale=LOCALES["en"], java_script_enabled=False).new_page()
    page.set_default_timeout(15_000)
    remember_requests(page)
    journey = ProductionJourney(page, "en", False, member, production.mail)
    journey.follow()
    assert_production_cookies(page)
    TYPED_SECRETS.append(prive.provisional_password(production.mail, member.email,
                                                    journey.mails_before))
    TYPED_SECRETS.extend([member.email, member.identifier, prive.spaced_nir(member.identifier),
                          prive.NEW_PASSWORD, member.last_name, member.facts["vitale_serial"]])


def test_the_journeys_alternated_between_both_processes(production):
    assert len(JOURNEY_REQUESTS) > 20
    for port in production.worker_ports:
        served = {line["request_id"] for line in log_lines(production, f"espace-{port}")
                  if line["logger"] == "espace.request"}
        assert len(served & JOURNEY_REQUESTS) > 5, f"process {port} served too little"


def test_no_mail_sent_twice(production):
    deadline = time.monotonic() + 30
    while production.psql("select count(*) from outbox_mail where status <> 'sent'").strip() \
            != "0":
        assert time.monotonic() < deadline, "mail still not sent after 30 s"
        time.sleep(0.5)
    sent = int(production.psql("select count(*) from outbox_mail").strip())
    received = production.mail.received()
    ids = [mail.message_id for mail in received]
    assert sent >= 2 and len(received) == sent and len(set(ids)) == sent


def csrf_token(http: httpx.Client, path: str) -> str:
    return CSRF.search(http.get(path).text).group(1)


def fail_login(production, tls, source: str, forwarded: str | None = None) -> None:
    """A wrong log-in sent through nginx from ``source`` (a loopback address of its own)."""
    transport = httpx.HTTPTransport(local_address=source, verify=tls)
    with httpx.Client(transport=transport, base_url=f"https://{HOST}:{production.https_port}",
                      headers={"x-forwarded-for": forwarded} if forwarded else {}) as http:
        response = http.post("/mss/login", data={
            "csrf_token": csrf_token(http, "/mss/login"), "login": "nobody@example.org",
            "password": "certainly not the password"})
    assert response.status_code == 422


def login_counters(production) -> dict[str, int]:
    rows = production.psql("select key, count from attempt_counter "
                           "where key like 'login-client:mss:%'")
    return {key.rsplit(":", 1)[1]: int(count) for key, count in
            (row.split("|") for row in rows.split())}


def test_client_address_through_the_proxy(production, tls):
    """Two clients behind nginx are counted apart; an X-Forwarded-For a client writes itself
    is ignored (nginx appends the address it saw, the application takes the rightmost one
    that is not the proxy's)."""
    requests_before = metric_sum(production, "espace_request_duration_seconds_count",
                                 portal="mss", route="login", method="POST", status="422")
    failures_before = metric_sum(production, "espace_audit_events_total",
                                 event="login_failure", portal="mss")
    fail_login(production, tls, "127.0.0.3", forwarded="198.51.100.7")
    fail_login(production, tls, "127.0.0.4")
    fail_login(production, tls, "127.0.0.4", forwarded="127.0.0.3")
    counters = login_counters(production)
    assert (counters.get("127.0.0.3"), counters.get("127.0.0.4")) == (1, 2), counters
    assert "198.51.100.7" not in counters
    assert metric_sum(production, "espace_audit_events_total", event="login_failure",
                      portal="mss") == failures_before + 3
    assert metric_sum(production, "espace_request_duration_seconds_count", portal="mss",
                      route="login", method="POST", status="422") == requests_before + 3


def log_lines(production, name: str) -> list[dict]:
    return [json.loads(line) for line in production.log_path(name).read_text().splitlines()]


def test_logs_are_json_with_request_ids_and_no_personal_data(production):
    assert len(TYPED_SECRETS) >= 12, "the journeys did not run"
    for port in production.worker_ports:
        lines = log_lines(production, f"espace-{port}")  # every line is JSON
        requests = [line for line in lines if line["logger"] == "espace.request"]
        assert requests and all(re.fullmatch(r"[0-9a-f]{32}", line["request_id"])
                                for line in requests)
        assert {"timestamp", "level", "portal", "route", "status", "duration_ms"} <= set(
            requests[0])
    for name in [f"espace-{port}" for port in production.worker_ports] + [
            "nginx-access", "nginx-error"]:
        text = production.log_path(name).read_text().lower()
        for secret in TYPED_SECRETS:
            assert secret.lower() not in text, f"{name} holds {secret!r}"
    nginx_ids = {line.split()[1] for line in production.log_path("nginx-access").read_text()
                 .splitlines()}
    assert JOURNEY_REQUESTS <= nginx_ids  # one id from nginx to the application's lines


def test_health_readiness_and_metrics(production, tls):
    through_nginx = f"https://{HOST}:{production.https_port}"
    assert httpx.get(f"{through_nginx}/healthz", verify=tls).json() == {"status": "ok"}
    # What a probe or Prometheus reads from each process is not the public's (the mail queue's
    # age, pending migrations), nor a database query anyone may repeat at will.
    for operators_only in ("/readyz", "/metrics"):
        assert httpx.get(f"{through_nginx}{operators_only}", verify=tls).status_code == 404
    for port in production.worker_ports:
        ready = httpx.get(f"{production.worker_url(port)}/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"]["mail_worker"] == "ok"
        other_address = httpx.HTTPTransport(local_address="127.0.0.5")
        with httpx.Client(transport=other_address) as http:
            assert http.get(f"{production.worker_url(port)}/metrics").status_code == 404
    for portal in ("mss", "espace-prive"):
        for event in ("registration_started", "registration"):
            assert metric_sum(production, "espace_audit_events_total", event=event,
                              portal=portal) >= 1, (event, portal)
    assert metric_sum(production, "espace_argon2_queue_wait_seconds_count") >= 3
    assert metric_sum(production, "espace_outbox_mail", status="dead") == 0


def test_the_nightly_purge_runs(production):
    command = unit_command(DEPLOY / "systemd" / "espace-purge.service", "ExecStart", "",
                           production.venv)
    assert command[1:] == ["purge"]
    production.espace(*command[1:])
