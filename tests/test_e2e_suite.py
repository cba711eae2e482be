"""The browser suite's own machinery: it honours pytest-playwright's options, deselects the
tests marked local against a remote URL, and reads mail from its SMTP sink."""

from __future__ import annotations

import smtplib
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

from e2e.live_server import free_port
from e2e.mail import SinkMailbox, start_sink

ROOT = Path(__file__).resolve().parent.parent
NOWHERE = "http://127.0.0.1:9"  # nothing is served there: these runs never open a page


def pytest_run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)


def test_headed_slowmo_and_base_url_reach_the_fixtures(tmp_path):
    done = pytest_run("e2e/test_conventions.py", "-q", "--headed", "--slowmo", "7",
                      "--base-url", NOWHERE, f"--output={tmp_path}")  # not test-results/
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout


def test_a_remote_url_deselects_the_local_tests():
    def collected(*options: str) -> set[str]:
        done = pytest_run("e2e", "--collect-only", "-q", "-m", "mss", *options)
        assert done.returncode == 0, done.stdout + done.stderr
        return {line.split("[")[0] for line in done.stdout.splitlines() if "::" in line}

    local, remote = collected(), collected("--base-url", NOWHERE)
    assert "e2e/test_guide_mss.py::test_guide_mss" in remote
    assert "e2e/test_mss_form.py::test_set_password_checks_live_and_shows_or_hides" in local
    assert not any(name.startswith("e2e/test_mss_form.py") for name in remote)
    assert "e2e/test_mss_errors.py::test_registry_mismatch_says_the_same_whatever_the_field" \
        not in remote
    assert remote < local
    assert all("test_guide_espace_prive" not in name for name in local)  # -m mss: one journey


def test_the_smtp_sink_keeps_mail_in_the_order_it_arrived(tmp_path):
    port = free_port()
    controller = start_sink("127.0.0.1", port, tmp_path / "maildir")
    try:
        for number in (1, 2):
            message = EmailMessage()
            message["From"], message["To"] = "no-reply@espace.example.org", "Zoé@example.net"
            message["Subject"] = f"Mail {number}"
            message.set_content(f"Open http://127.0.0.1:8000/mss/password/{number}.")
            message.add_alternative(f"<p><a href='#'>Confirm {number}</a></p>", subtype="html")
            with smtplib.SMTP("127.0.0.1", port) as smtp:
                smtp.send_message(message)
    finally:
        controller.stop()
    box = SinkMailbox(tmp_path / "maildir")
    assert box.latest_id("zoé@example.net") == 2
    first = box.newest("Zoé@example.net", after=0)
    assert (first.id, first.subject) == (2, "Mail 2")
    assert first.links == ["http://127.0.0.1:8000/mss/password/2"]
    assert "Confirm 2" in first.html
    assert box.newest("zoé@example.net", after=1).id == 2


FAILING = '''
def test_a_broken_page(page):
    page.set_content("<h1>Inscription</h1>")
    assert page.inner_text("h1") == "Registration"
'''


def test_a_failed_browser_test_leaves_a_trace_a_screenshot_and_junit(tmp_path):
    (tmp_path / "conftest.py").write_text("from e2e.conftest import *  # noqa: F403\n")
    (tmp_path / "test_broken.py").write_text(FAILING)
    results = tmp_path / "test-results"
    done = pytest_run(str(tmp_path / "test_broken.py"), "-q",
                      "--rootdir", str(tmp_path), "--base-url", NOWHERE,
                      f"--junitxml={results}/e2e.xml", f"--output={results}/e2e",
                      "--tracing=retain-on-failure", "--screenshot=only-on-failure")
    assert done.returncode == 1, done.stdout + done.stderr
    kept = results / "e2e" / "test-broken-py-test-a-broken-page-chromium"
    assert (kept / "trace.zip").stat().st_size > 1000
    assert (kept / "test-failed-1.png").stat().st_size > 1000
    junit = (results / "e2e.xml").read_text()
    assert 'name="playwright_trace"' in junit and "<failure" in junit
    assert "Playwright artifacts of the failed tests" in done.stdout
    assert "trace.zip" in done.stdout
