"""The statements' list of automated checks is the list of checks the suite runs: the axe-core
in the browser, with the suite's tags, runs every rule the data file reports, in the version
the data file names (web/portals/accessibility.json, from `python -m e2e.audit`)."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page

from e2e.audit import STATEMENT_DATA
from e2e.helpers import AXE_TAGS, _axe

pytestmark = pytest.mark.a11y


def test_the_statements_checks_are_the_suites(page: Page):
    data = json.loads(STATEMENT_DATA.read_text())
    assert data["axe_tags"] == AXE_TAGS, "regenerate the data file: python -m e2e.audit"
    page.goto("/mss/accessibilite")
    page.evaluate(_axe.axe_script)
    assert data["tools"]["axe-core"] == page.evaluate("() => axe.version")
    runs = set(page.evaluate(f"() => axe.getRules({json.dumps(AXE_TAGS)}).map(r => r.ruleId)"))
    for portal, audit in data["portals"].items():
        reported = set(audit["rules"])
        assert reported <= runs, f"{portal}: rules the suite does not run: {reported - runs}"
        assert audit["states"] > 0 and audit["pages"]
