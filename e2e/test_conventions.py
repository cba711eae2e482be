"""The suite follows pytest-playwright's options: tests/test_e2e_suite.py runs this file with
--headed, --slowmo and --base-url and expects them honoured."""

from __future__ import annotations

import os

import pytest

from e2e.conftest import remote_url


def test_launch_options_are_the_plugins(browser_type_launch_args, pytestconfig):
    assert browser_type_launch_args.get("headless", True) is not pytestconfig.getoption("--headed")
    assert browser_type_launch_args.get("slow_mo", 0) == pytestconfig.getoption("--slowmo")
    channel = pytestconfig.getoption("--browser-channel")
    assert browser_type_launch_args.get("channel") == channel
    assert ("executable_path" in browser_type_launch_args) is not bool(channel)


def test_base_url_is_the_option_or_the_suites_own_server(base_url, pytestconfig, request):
    remote = remote_url(pytestconfig)
    assert base_url == (remote or request.getfixturevalue("live_server").url)


def test_the_browser_runs_headed_when_asked(pytestconfig, request):
    """The browser itself, not only its options: headless Chromium says so in its user agent
    (``--headed`` needs a display: ``xvfb-run`` gives one)."""
    if pytestconfig.getoption("--headed") and not os.environ.get("DISPLAY"):
        pytest.skip("--headed without a display (run under xvfb-run)")
    page = request.getfixturevalue("browser").new_page()
    try:
        headless = "HeadlessChrome" in page.evaluate("navigator.userAgent")
    finally:
        page.close()
    assert headless is not pytestconfig.getoption("--headed")
