"""Browser tests: a live Espace server, Debian Chromium, JS-on / JS-off contexts per language.

Fixtures: ``live_server`` (session), ``base_url``, ``lang`` and ``js`` (parametrize them, or use
``lang_page`` that runs a test once per language and JS mode), ``js_on_context`` /
``js_off_context``. Helpers (axe, screenshots, mailbox, keyboard) live in ``e2e/helpers.py``.
At the end of the run the Nu HTML Checker checks every page state visited (``e2e/html_check.py``):
an error it reports fails the run.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from e2e import html_check
from e2e.helpers import CHROMIUM_ARGS, LOCALES
from e2e.live_server import LiveServer

VNU_REPORT = pytest.StashKey[dict]()


def _controller(config) -> bool:
    """The process that runs (or, with xdist, gathers) the tests, not a worker."""
    return not hasattr(config, "workerinput")


def pytest_configure(config):
    if _controller(config):
        html_check.reset()


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session, exitstatus):
    if not _controller(session.config) or exitstatus not in (0, 1):
        return
    report = html_check.check()
    session.config.stash[VNU_REPORT] = report
    if report["errors"]:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, config):
    report = config.stash.get(VNU_REPORT, None)
    if report and report["documents"]:
        terminalreporter.section("Nu HTML Checker", red=bool(report["errors"]))
        terminalreporter.line(html_check.describe(report))


@pytest.fixture(scope="session")
def live_server():
    server = LiveServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    return live_server.url


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict:
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not Path(path).exists():
        pytest.exit(
            f"Chromium not found at {path}: install Debian's 'chromium' package "
            "or set CHROMIUM_PATH",
            returncode=4,
        )
    return {"executable_path": path, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture(params=["fr", "en"])
def lang(request) -> str:
    return request.param


@pytest.fixture(params=[True, False], ids=["js-on", "js-off"])
def js(request) -> bool:
    return request.param


@pytest.fixture
def js_on_context(new_context, lang):
    return new_context(locale=LOCALES[lang])


@pytest.fixture
def js_off_context(new_context, lang):
    return new_context(locale=LOCALES[lang], java_script_enabled=False)


@pytest.fixture
def lang_page(new_context, lang, js):
    """A page in a browser whose language is ``lang``, with JavaScript on or off (``js``)."""
    context = new_context(locale=LOCALES[lang], java_script_enabled=js)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page
