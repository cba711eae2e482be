"""The automated accessibility audit the suite makes, as the statements report it.

Each state axe checks (``helpers.assert_accessible``) adds a line to ``STATES`` (one file per
xdist worker): the portal, language, JavaScript mode, page and each axe rule's outcome. At
the end of a run, ``write`` sums them with the Nu HTML Checker's report into ``RESULTS``
(``test-results/accessibility.json``); ``python -m e2e.audit`` turns that into the statements'
data file, ``web/portals/accessibility.json`` (committed: the statement pages read it), so a
statement lists only the checks a run made, with their results.
"""

from __future__ import annotations

import json
import os
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parent.parent
STATES = Path(__file__).resolve().parent / "artifacts" / "axe-states"
RESULTS = ROOT / "test-results" / "accessibility.json"
STATEMENT_DATA = ROOT / "web" / "portals" / "accessibility.json"
# A page of the sample: its path, with what varies generalized: the link routes' token (mss
# set_password /password/{token}, the accounts' /reset/{token}).
TOKEN = re.compile(r"/(reset|password)/(?!done(?:[/?#]|$))[^/?#]+")


def page_of(url: str) -> tuple[str, str]:
    """(portal, page path) of a state's URL; a guide written by ``make guides`` is a file."""
    if url.startswith("file://"):
        return "guides", "/" + url.rpartition("/")[2]
    path = TOKEN.sub(r"/\1/…", "/" + url.split("://", 1)[-1].split("/", 1)[-1].split("?")[0])
    portal = path.split("/")[1] or "-"
    return portal, path


def record(page: Page, state: str, result: dict, js: bool) -> None:
    """One state's axe outcome: the rules it passed, failed and could not decide."""
    portal, path = page_of(page.url)
    lang, version = page.evaluate("() => [document.documentElement.lang, axe.version]")
    line = {
        "state": state, "portal": portal, "page": path, "js": js, "lang": lang, "axe": version,
        "browser": f"{page.context.browser.browser_type.name} {page.context.browser.version}"
        if page.context.browser else "",
        **{kind: sorted(rule["id"] for rule in result.get(kind, []))
           for kind in ("passes", "violations", "incomplete")},
    }
    STATES.mkdir(parents=True, exist_ok=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with (STATES / f"{worker}.jsonl").open("a") as out:
        out.write(json.dumps(line, ensure_ascii=False) + "\n")


def reset() -> None:
    for path in STATES.glob("*.jsonl") if STATES.exists() else []:
        path.unlink()


def summary(lines: list[dict], vnu: dict, tags: list[str]) -> dict:
    """Per portal: the states and pages checked, each axe rule's count of states passed and
    failed, and the Nu HTML Checker's errors on that portal's states."""
    portals: dict[str, dict] = {}
    for line in lines:
        found = portals.setdefault(line["portal"], {
            "states": 0, "pages": set(), "languages": set(), "js_modes": set(), "rules": {}})
        found["states"] += 1
        found["pages"].add(line["page"])
        found["languages"].add(line["lang"])
        found["js_modes"].add("on" if line["js"] else "off")
        for kind, key in (("passes", "passed"), ("violations", "failed"),
                          ("incomplete", "to_check")):
            for rule in line[kind]:
                counts = found["rules"].setdefault(rule, {"passed": 0, "failed": 0,
                                                          "to_check": 0})
                counts[key] += 1
    for portal_id, found in portals.items():
        for key in ("pages", "languages", "js_modes"):
            found[key] = sorted(found[key])
        errors = [e for e in vnu.get("errors", []) if page_of(e["url"])[0] == portal_id]
        accepted = [e for e in vnu.get("accepted", []) if page_of(e["url"])[0] == portal_id]
        found["html"] = {"errors": len(errors), "accepted": sorted({e["reason"] for e in
                                                                  accepted})}
        applicable = [r for r, c in found["rules"].items() if c["passed"] or c["failed"]]
        passing = [r for r in applicable if not found["rules"][r]["failed"]]
        found["axe_rate"] = round(100 * len(passing) / len(applicable), 1) if applicable else 0
        found["rules"] = dict(sorted(found["rules"].items()))
    first = lines[0] if lines else {}
    return {
        "date": datetime.now(UTC).date().isoformat(),
        "tools": {"browser": first.get("browser", ""), "axe-core": first.get("axe", ""),
                  "html": vnu.get("checker") or ""},
        "axe_tags": tags,
        "portals": dict(sorted(portals.items())),
    }


def read_states() -> list[dict]:
    files = sorted(STATES.glob("*.jsonl")) if STATES.exists() else []
    return [json.loads(line) for path in files for line in path.read_text().splitlines()]


def write(vnu: dict, tags: list[str]) -> dict | None:
    """The run's audit, into ``RESULTS`` (None when no state was checked)."""
    lines = read_states()
    if not lines:
        return None
    results = summary(lines, vnu, tags)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    return results


def main(argv: list[str]) -> int:
    """Copy a run's results into the statements' data file (after a full e2e run)."""
    source = Path(argv[0]) if argv else RESULTS
    if not source.exists():
        print(f"{source} is missing: run the e2e suite first (make test-e2e)", file=sys.stderr)
        return 2
    results = json.loads(source.read_text())
    STATEMENT_DATA.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {STATEMENT_DATA.relative_to(ROOT)} from {source}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
