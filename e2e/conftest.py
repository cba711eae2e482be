"""Browser tests on pytest-playwright's own options and fixtures.

``--base-url URL`` (the plugin's) runs the suite against that deployment; without it the suite
starts its own server (``live_server``, one per xdist worker) and ``base_url`` is its address.
``--headed``, ``--slowmo``, ``--browser-channel``, ``--tracing``, ``--screenshot``, ``--output``
are the plugin's, honoured as it documents; Debian's Chromium is used unless a channel is given.

Tests that need the server's inside (its database, ``espace`` commands, a server of their own)
are marked ``local`` and deselected against a remote URL. Mail is read from the development
mailbox of the server under test, or, with ``--smtp-sink HOST:PORT``, from an SMTP server the
suite starts there (point the deployment's ``MAIL_URL`` at it).

Fixtures: ``base_url``, ``live_server`` (local only), ``mail``, ``fresh_counters``, ``lang``
and ``js`` (``lang_page`` runs a test once per language and JavaScript mode),
``js_on_context`` / ``js_off_context``.
At the end of the run the Nu HTML Checker checks every page state visited (``e2e/html_check.py``):
an error it reports fails the run.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from e2e import audit, helpers, html_check
from e2e.helpers import AXE_TAGS, CHROMIUM_ARGS, JS_MODES, LOCALES
from e2e.live_server import PREPARED, LiveServer, prepare_database
from e2e.mail import DevMailbox, SinkMailbox, start_sink

MAILDIR = pytest.StashKey[Path]()
# The suite's own server asks no delay before a form is sent (the journeys would wait it out
# at each form): e2e/test_robot_rule.py keeps the real one, on a server of its own.
LOCAL_FILL_SECONDS = "0"
# Its mail worker looks at the outbox often: a journey waits for its mail, 1.5 s on average
# with the 3 s of production.
LOCAL_MAIL_POLL_SECONDS = "0.2"
WORKER_MAILDIR = "espace_smtp_sink_maildir"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("espace", "Espace browser tests").addoption(
        "--smtp-sink",
        metavar="HOST:PORT",
        help="start an SMTP server on HOST:PORT and read the journeys' mail from what it "
        "receives (the deployment under --base-url must send its mail there)",
    )
    parser.getgroup("espace").addoption(
        "--save-screens", action="store_true",
        help="save every screen a journey shows, as e2e/artifacts/<portal>/<lang>/"
        "<NN>-<screen>[-nojs].png",
    )


def remote_url(config: pytest.Config) -> str | None:
    """The deployment given with the plugin's --base-url (or its ini / PYTEST_BASE_URL)."""
    return config.getoption("base_url", None) or config.getini("base_url") or None


def is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def pytest_configure(config: pytest.Config) -> None:
    helpers.saving_screens = config.getoption("--save-screens")
    if not remote_url(config):  # for the server (e2e/live_server.py) and the journeys
        os.environ.setdefault("ESPACE_MIN_FILL_SECONDS", LOCAL_FILL_SECONDS)
        os.environ.setdefault("ESPACE_MAIL_POLL_SECONDS", LOCAL_MAIL_POLL_SECONDS)
    if is_worker(config):
        if folder := config.workerinput.get(WORKER_MAILDIR):
            config.stash[MAILDIR] = Path(folder)
        return
    html_check.reset()
    audit.reset()
    # The plugin empties --output in each worker's first test: a worker starting late would
    # delete what an early failure kept. Emptied once, here, instead (see delete_output_dir).
    output = Path(config.getoption("--output", "test-results"))
    if output.is_dir() and not config.getoption("collectonly"):
        shutil.rmtree(output, ignore_errors=True)
    if not remote_url(config) and not config.getoption("collectonly") \
            and not os.environ.get(PREPARED):
        # Migrated and loaded once; each worker's server (and any other) starts on a copy.
        folder = Path(tempfile.mkdtemp(prefix="espace-e2e-database-"))
        os.environ[PREPARED] = str(prepare_database(folder))
        config.add_cleanup(lambda: (os.environ.pop(PREPARED, None),
                                    shutil.rmtree(folder, True)))
    if address := config.getoption("--smtp-sink"):
        host, _, port = address.rpartition(":")
        folder = Path(tempfile.mkdtemp(prefix="espace-smtp-sink-"))
        controller = start_sink(host or "127.0.0.1", int(port), folder)
        config.stash[MAILDIR] = folder
        config.add_cleanup(lambda: (controller.stop(), shutil.rmtree(folder, True)))


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:  # pytest-xdist: what each worker is given
    if MAILDIR in node.config.stash:
        node.workerinput[WORKER_MAILDIR] = str(node.config.stash[MAILDIR])


@pytest.fixture(scope="session", autouse=True)
def delete_output_dir() -> None:
    """The plugin's fixture of this name, replaced: pytest_configure empties --output once."""


@pytest.fixture
def _artifacts_recorder(_artifacts_recorder):
    """The plugin's recorder, its traces (``--tracing``) without the screencast: a picture of
    every frame the browser paints cost a third more CPU than the tests themselves, and the
    trace's DOM snapshots already show the page before and after each action."""
    start_tracing = _artifacts_recorder.on_did_create_browser_context

    def on_did_create_browser_context(context) -> None:
        tracing, start = context.tracing, context.tracing.start
        tracing.start = lambda **options: start(**{**options, "screenshots": False})
        start_tracing(context)

    _artifacts_recorder.on_did_create_browser_context = on_did_create_browser_context
    return _artifacts_recorder


# The modules of the longest tests, longest first, run first: pytest-xdist hands the first
# tests out to the workers in turn, so they run side by side from the start instead of one
# of them alone at the end of the run (a guide journey is a minute on a loaded machine).
LONGEST_FIRST = ("test_guides.py", "test_guide_espace_prive.py", "test_guide_mss.py")


def longest_first(item: pytest.Item) -> int:
    name = item.path.name
    return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items.sort(key=longest_first)  # stable: each module's own order kept
    unmarked = [item.nodeid for item in items
                if "live_server" in item.fixturenames and not item.get_closest_marker("local")]
    if unmarked:
        raise pytest.UsageError("tests using live_server must be marked local:\n  "
                                + "\n  ".join(unmarked))
    if remote_url(config):
        local = [item for item in items if item.get_closest_marker("local")]
        if local:
            config.hook.pytest_deselected(items=local)
            items[:] = [item for item in items if not item.get_closest_marker("local")]


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    """The Nu HTML Checker's report, and where the failed tests' traces and screenshots are
    (the plugin keeps them with --tracing retain-on-failure --screenshot only-on-failure)."""
    report = config.stash.get(VNU_REPORT, None)
    if report and report["documents"]:
        terminalreporter.section("Nu HTML Checker", red=bool(report["errors"]))
        terminalreporter.line(html_check.describe(report))
    kept = sorted({value for reports in terminalreporter.stats.values() for report in reports
                   for name, value in getattr(report, "user_properties", ())
                   if name in ("playwright_trace", "playwright_screenshot")})
    if kept:
        terminalreporter.section("Playwright artifacts of the failed tests")
        for path in kept:
            terminalreporter.line(path)
        terminalreporter.line("open a trace with: .venv/bin/playwright show-trace PATH/trace.zip")

VNU_REPORT = pytest.StashKey[dict]()


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session, exitstatus):
    if is_worker(session.config) or exitstatus not in (0, 1):
        return
    report = html_check.check()
    session.config.stash[VNU_REPORT] = report
    audit.write(report, AXE_TAGS)
    if report["errors"]:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def live_server(pytestconfig):
    """The suite's own server (never against --base-url: its tests are marked local)."""
    assert not remote_url(pytestconfig), "a local test ran against --base-url"
    with LiveServer() as server:
        yield server


@pytest.fixture(scope="session")
def base_url(base_url, request) -> str:
    """The plugin's --base-url; without one, the address of the suite's own server."""
    return base_url or request.getfixturevalue("live_server").url


@pytest.fixture(scope="session")
def mail(pytestconfig, base_url):
    """Where the mail of the deployment under test arrives (see e2e/mail.py)."""
    folder = pytestconfig.stash.get(MAILDIR, None)
    return SinkMailbox(folder) if folder else DevMailbox(base_url)


@pytest.fixture
def fresh_counters(request, pytestconfig):
    """On the suite's own server, forget the attempt counters before and after the test (every
    test comes from 127.0.0.1). A remote deployment keeps its own: the tests that run there
    fail no verification."""
    if remote_url(pytestconfig):
        yield
        return
    server = request.getfixturevalue("live_server")
    server.clear_counters()
    yield
    server.clear_counters()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args) -> dict:
    """The plugin's launch options (--headed, --slowmo, --browser-channel), with Debian's
    Chromium unless a channel is asked for."""
    options = {**browser_type_launch_args, "args": CHROMIUM_ARGS}
    if "channel" not in options:
        path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
        if not Path(path).exists():
            pytest.exit(f"Chromium not found at {path}: install Debian's 'chromium' package "
                        "or set CHROMIUM_PATH", returncode=4)
        options["executable_path"] = path
    return options


@pytest.fixture(params=["fr", "en"])
def lang(request) -> str:
    return request.param


@pytest.fixture(params=JS_MODES)
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
