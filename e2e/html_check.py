"""The Nu HTML Checker over every page state the browser tests visit.

Each state checked by axe (``helpers.assert_accessible``) or compared with a reload
(``page_state.state_of``) is saved as HTML (the DOM as it is then, one file per distinct
document); at the end of the run one ``vnu.jar`` run (``tools/vnu``, installed by ``make
test-e2e``) checks them all, and the run fails on any error not in ``ACCEPTED``.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parent.parent
VNU_JAR = ROOT / "tools" / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
STATES = Path(__file__).resolve().parent / "artifacts" / "html-states"
REPORT = Path(__file__).resolve().parent / "artifacts" / "vnu-report.json"

# Errors the checker reports that are accepted, each with the reason.
ACCEPTED: list[tuple[re.Pattern, str]] = []
# With scripting on, a <noscript>'s content is text, not elements: the checker (which parses
# as if scripting were off) must not see it.
NOSCRIPT = re.compile(r"(<noscript>).*?(</noscript>)", re.S)
SCRIPTING = "() => { const n = document.createElement('noscript'); n.innerHTML = '<b></b>';" \
    " return n.children.length === 0; }"


def record(page: Page, state: str) -> None:
    """Save the page as it is now (its DOM, serialized) for the end-of-run check."""
    html = page.content()
    if not hasattr(page, "_e2e_scripting"):  # JavaScript is on or off for the page's life
        page._e2e_scripting = page.evaluate(SCRIPTING)
    if page._e2e_scripting:
        html = NOSCRIPT.sub(r"\1\2", html)
    digest = hashlib.sha1(html.encode()).hexdigest()[:16]  # noqa: S324 - a file name
    STATES.mkdir(parents=True, exist_ok=True)
    path = STATES / f"{digest}.html"
    if not path.exists():
        path.write_text(html)
        (STATES / f"{digest}.state").write_text(f"{state}\n{page.url}\n")


def reset() -> None:
    shutil.rmtree(STATES, ignore_errors=True)


def accepted(message: str) -> str | None:
    return next((reason for pattern, reason in ACCEPTED if pattern.search(message)), None)


def check() -> dict:
    """Run vnu once over every saved state; the report (also written to ``REPORT``)."""
    files = sorted(STATES.glob("*.html")) if STATES.exists() else []
    report = {"checker": None, "documents": len(files), "errors": [], "accepted": []}
    if not files:
        return report
    if not VNU_JAR.exists():
        raise RuntimeError(f"{VNU_JAR} is missing: run `npm ci --prefix tools/vnu` "
                           "(make test-e2e does)")
    java = shutil.which("java")
    if not java:
        raise RuntimeError("java is missing: install Debian's default-jre-headless "
                           "(make test-e2e does when root)")
    # The version asked beside the check, not before it: a Java start is seconds on a busy
    # machine.
    version = subprocess.Popen([java, "-jar", str(VNU_JAR), "--version"],  # noqa: S603
                               stdout=subprocess.PIPE, text=True)
    done = subprocess.run(  # noqa: S603 - our own checker over our own files
        [java, "-jar", str(VNU_JAR), "--format", "json", "--errors-only", *map(str, files)],
        capture_output=True, text=True, timeout=600, check=False,
    )
    output, _ = version.communicate(timeout=120)
    if version.returncode:
        raise subprocess.CalledProcessError(version.returncode, version.args, output)
    report["checker"] = f"Nu HTML Checker (vnu.jar) {output.strip()}"
    for message in json.loads(done.stderr or "{}").get("messages", []):
        if message.get("type") != "error":
            continue
        path = Path(message.get("url", "").removeprefix("file:"))
        state = (path.with_suffix(".state").read_text().split("\n")[:2]
                 if path.with_suffix(".state").exists() else ["?", "?"])
        found = {"state": state[0], "url": state[1], "line": message.get("lastLine"),
                 "message": message["message"], "extract": message.get("extract", "")}
        reason = accepted(message["message"])
        if reason:
            report["accepted"].append({**found, "reason": reason})
        else:
            report["errors"].append(found)
    REPORT.write_text(json.dumps(report, indent=1, ensure_ascii=False))
    return report


def describe(report: dict, limit: int = 40) -> str:
    counts: dict[str, int] = {}
    for error in report["errors"]:
        counts[error["message"]] = counts.get(error["message"], 0) + 1
    lines = [f"{report['checker']}: {len(report['errors'])} error(s) over "
             f"{report['documents']} page states ({len(report['accepted'])} accepted)"]
    lines += [f"  {n} × {message}" for message, n in sorted(counts.items(), key=lambda i: -i[1])]
    for error in report["errors"][:limit]:
        lines.append(f"- {error['state']} ({error['url']}), line {error['line']}: "
                     f"{error['message']}\n    {error['extract']!r}")
    return "\n".join(lines)
