"""``python -m bench``: start Espace as ``make serve`` would (fresh SQLite + demo, uvicorn, one
worker, no access log) and a bare Starlette + Jinja2 page, measure, print a Markdown report and
save it to bench/results/. Budgets (SPEC §7) are shown, never asserted."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from bench import imports, throughput
from bench import load as loadgen
from bench.capture import capture
from bench.journeys import JOURNEYS, SLOW_3G, Run, transferred_bytes
from bench.pages import FRAGMENTS, LOAD_PAGE, PAGES
from bench.weight import (
    ACCEPT_ENCODING,
    static_assets,
    weigh_fragment,
    weigh_page,
)
from e2e.helpers import launch_chromium
from e2e.live_server import HOST, ROOT, LiveServer, free_port, wait_until_up
from e2e.mail import DevMailbox
from web.operations.demo import demo_identities

KB = 1000  # budgets in kilobytes of 1000 bytes (the stricter reading)
FIRST_VISIT_BUDGET = 14 * KB
FRAGMENT_BUDGET = 3 * KB
# SPEC §7: every fragment branch a browser hits; the draft save (half the htmx requests).
FRAGMENT_BUDGETS = ((throughput.GUARDED_FRAGMENT, 0.9), (throughput.BARE_PAGE, 0.5))
SAVE_BUDGETS = ((throughput.GUARDED_FRAGMENT, 0.5),)
P99_BUDGET_MS = 100
PACED_RATE = 50  # page requests per second while log-ins run
LOGIN_LOOPS = 8  # visitors logging in again and again: argon2 keeps every core busy
RESULTS = ROOT / "bench" / "results"


@contextmanager
def yardstick_server(app: str, **env: str):
    """A yardstick of bench/bare_app.py on its own port, same uvicorn settings as Espace;
    its base URL."""
    port = free_port()
    with tempfile.NamedTemporaryFile(prefix="espace-bare-", suffix=".log", delete=False) as out:
        log = Path(out.name)
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [
                sys.executable,
                "-m",
                "uvicorn",
                app,
                "--host",
                HOST,
                "--port",
                str(port),
                "--workers",
                "1",
                "--no-access-log",
                "--no-server-header",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://{HOST}:{port}"
    try:
        wait_until_up(url + "/", process, log)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.unlink(missing_ok=True)


def size(n: int) -> str:
    return f"{n:,} B".replace(",", " ")


def verdict(value: float, budget: float, *, at_most: bool = True) -> str:
    ok = value <= budget if at_most else value >= budget
    return "ok" if ok else "**OVER**" if at_most else "**UNDER**"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return lines + ["| " + " | ".join(map(str, row)) + " |" for row in rows]


# --- sections -------------------------------------------------------------------------------


def page_weights(base_url: str) -> list[str]:
    assets = static_assets(base_url)
    css = assets["app.css"].size
    rows = []
    for page in PAGES:
        weight = weigh_page(base_url, page)
        if weight.status != page.status:
            rows.append([page.name, f"`{page.path}`", f"{weight.status} (expected "
                         f"{page.status})", "", "", "", ""])
            continue
        first = weight.size + css
        rows.append(
            [
                page.name,
                f"`{page.path}`",
                weight.status,
                weight.encoding,
                size(weight.size),
                size(first),
                verdict(first, FIRST_VISIT_BUDGET),
            ]
        )
    lines = [f"### Page weight: first visit (Accept-Encoding: {ACCEPT_ENCODING}; body bytes)", ""]
    lines += table(
        [
            "page",
            "path",
            "status",
            "encoding",
            "HTML",
            "HTML + app.css",
            f"≤ {FIRST_VISIT_BUDGET // KB} KB",
        ],
        rows,
    )
    lines += ["", "| static file | encoding | compressed |", "|---|---|---|"]
    for name, weight in assets.items():
        lines.append(f"| {name} | {weight.encoding} | {size(weight.size)} |")
    return lines


def fragment_weights(base_url: str) -> list[str]:
    rows = []
    for fragment in FRAGMENTS:
        weight = weigh_fragment(base_url, fragment)
        if weight.status == 404:
            rows.append(
                [fragment.name, f"{fragment.method} `{fragment.path}`", "404 (missing)", *[""] * 4]
            )
            continue
        status = f"{weight.status} **full page**" if weight.full_page else weight.status
        rows.append(
            [
                fragment.name,
                f"{fragment.method} `{fragment.path}`",
                status,
                weight.encoding,
                size(weight.size),
                size(weight.header_bytes),
                verdict(weight.size, FRAGMENT_BUDGET),
            ]
        )
    lines = ["### htmx fragments (HX-Request-Type: partial; body and header bytes)", ""]
    return lines + table(
        [
            "fragment",
            "request",
            "status",
            "encoding",
            "compressed",
            "headers",
            f"≤ {FRAGMENT_BUDGET // KB} KB",
        ],
        rows,
    )


def journey_weights(base_url: str, used: set) -> list[str]:
    """``used``: the demo members this bench run's journeys took (registered, or their
    password changed), shared by every section."""
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            for item in JOURNEYS:
                for js in (True, False):
                    run = Run(base_url, js, "fr", DevMailbox(base_url), used)
                    budget = item.budget_js if js else item.budget_nojs
                    try:
                        received, requests = transferred_bytes(browser, run, item.script)
                    except Exception as error:  # a broken journey is reported, not fatal
                        rows.append(
                            [
                                item.name,
                                "on" if js else "off",
                                "",
                                "failed: " + str(error).splitlines()[0][:120],
                                "",
                            ]
                        )
                        continue
                    rows.append(
                        [
                            item.name,
                            "on" if js else "off",
                            requests,
                            size(received),
                            verdict(received, budget) + f" (≤ {budget // KB} KB)" if budget else "",
                        ]
                    )
        finally:
            browser.close()
    lines = [
        "### Journeys in Chromium (fresh cache; bytes received: compressed bodies and "
        "headers, CDP encodedDataLength)",
        "",
    ]
    return lines + table(["journey", "JS", "round trips", "received", "budget"], rows)


def throughput_section(base_url: str, yardsticks: dict[str, str], *, seconds: float,
                       connections: int, rounds: int) -> list[str]:
    wrk = loadgen.find_wrk()
    tool = f"wrk -t1 -c{connections} -d{seconds:g}s" if wrk else (
        f"httpx async, {connections} connections, {seconds:g} s (wrk not found)")
    captured = capture(base_url)
    all_targets = throughput.targets(base_url, yardsticks, captured, FRAGMENT_BUDGETS,
                                     SAVE_BUDGETS)
    lines = [
        f"### Throughput of what Chromium sends ({tool}; {rounds} alternating rounds, medians; "
        "uvicorn, 1 worker, no access log; loopback, load generator on the same machine)",
        "",
        "Requests captured from Chromium (whole form, cookie, Origin, Sec-Fetch-*, htmx "
        f"headers) and replayed. Yardsticks in the same rounds: the {throughput.BARE_PAGE} "
        f"(bare Starlette + Jinja2) and the {throughput.GUARDED_FRAGMENT} (behind Espace's "
        "compression and guard, sent the captured security request); and, no yardstick, the "
        f"{throughput.READING_FRAGMENT} (the same after one read of the visitor's draft row by "
        "Python's sqlite3: what a database read costs any fragment).",
    ]
    for close in (False, True):
        measured = throughput.measure(wrk, all_targets, rounds=rounds, seconds=seconds,
                                      connections=connections, close=close)
        lines += ["", f"#### {'Connection: close' if close else 'keep-alive'}", ""]
        lines += table(
            ["request", "req/s", "p99 ms", f"vs {throughput.GUARDED_FRAGMENT}",
             f"vs {throughput.BARE_PAGE}", "budget", "load average"],
            [throughput_row(item) for item in measured],
        )
    return lines


def throughput_row(item) -> list[str]:
    target = item.target
    errors = f" ({item.errors} errors)" if item.errors else ""
    budgets = ", ".join(
        f"≥ {least:g}× {yardstick}: {verdict(item.ratio(yardstick), least, at_most=False)}"
        for yardstick, least in target.budgets
    )
    return [
        f"{target.name} ({target.request.method} `{urlsplit(target.request.url).path or '/'}`)",
        f"{item.rps:,.0f}".replace(",", " ") + errors,
        f"{item.p99_ms:.1f}",
        f"{item.ratio(throughput.GUARDED_FRAGMENT):.2f}",
        f"{item.ratio(throughput.BARE_PAGE):.2f}",
        budgets,
        " / ".join(f"{load:.1f}" for load in item.loads),
    ]


def logins_section(base_url: str, *, seconds: float) -> list[str]:
    calm = loadgen.paced(base_url + LOAD_PAGE.path, rate=PACED_RATE, seconds=seconds)
    calm_load = os.getloadavg()[0]
    members = [m for portal in ("mss", "espace-prive") for m in demo_identities(portal)
               if m.has_account]
    busy, logins = loadgen.paced_while_logging_in(
        base_url + LOAD_PAGE.path, base_url, members, rate=PACED_RATE, seconds=seconds,
        loops=LOGIN_LOOPS,
    )
    during = (f"log-ins failed: {logins.error}" if logins.error
              else f"{logins.per_second:.1f} argon2 log-ins/s")
    budget = f"p99 < {P99_BUDGET_MS} ms: " + (
        "**not measured**" if logins.error else verdict(busy.p99_ms, P99_BUDGET_MS))
    rows = [
        [f"{LOAD_PAGE.name} `{LOAD_PAGE.path}`, alone", f"{calm.p50_ms:.1f}",
         f"{calm.p99_ms:.1f}", "", f"{calm_load:.1f}"],
        [f"{LOAD_PAGE.name}, while {LOGIN_LOOPS} log-in loops run ({during})",
         f"{busy.p50_ms:.1f}", f"{busy.p99_ms:.1f}", budget, f"{os.getloadavg()[0]:.1f}"],
    ]
    lines = [
        f"### Page latency while log-ins hash (open loop: {PACED_RATE} page requests/s, each "
        "timed from when it was due)",
        "",
    ]
    return lines + table(["page", "p50 ms", "p99 ms", "budget", "load average"], rows)


def machine() -> str:
    commit = subprocess.run(  # noqa: S603 - git, fixed arguments
        [shutil.which("git") or "git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    load1 = os.getloadavg()[0]
    return (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · commit {commit or '?'} · "
        f"{os.cpu_count()} CPUs · load average {load1:.1f} at start · Python "
        f"{sys.version.split()[0]}"
    )


SECTIONS = ("weights", "journeys", "slow3g", "throughput", "logins", "imports")
ROUND_TRIPS_BUDGET = 24  # SPEC §7: the mss journey on slow 3G


def slow_journey_section(base_url: str, used: set) -> list[str]:
    """The mss journey with JS under Chrome's slow 3G: its round trips (requests) and time."""
    from playwright.sync_api import sync_playwright

    item = next(j for j in JOURNEYS if j.name.startswith("mss register"))
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            run = Run(base_url, True, "fr", DevMailbox(base_url), used)
            started = time.monotonic()
            received, requests = transferred_bytes(browser, run, item.script, network=SLOW_3G)
            seconds = time.monotonic() - started
        finally:
            browser.close()
    lines = [f"### {item.name}, JS on, slow 3G (400 ms, 50 kB/s; "
             "Network.emulateNetworkConditions)", ""]
    return lines + table(
        ["round trips", "received", "seconds (the script's pauses included)", "budget",
         "load average"],
        [[requests, size(received), f"{seconds:.1f}",
          f"≤ {ROUND_TRIPS_BUDGET}: {verdict(requests, ROUND_TRIPS_BUDGET)}",
          f"{os.getloadavg()[0]:.1f}"]])
IMPORT_BUDGET = 10_000  # rows/s, every tenth of the file


def imports_section(rows: int, postgres_url: str | None) -> list[str]:
    table_rows = []
    for database, found in imports.measure(rows, postgres_url):
        if "error" in found:
            table_rows.append([database, "", "", "", "", "failed: " + found["error"][-120:], ""])
            continue
        slowest = min(found["tenth_rates"])
        table_rows.append([
            database,
            f"{found['rows']:,}".replace(",", " "),
            f"{found['seconds']:.1f}",
            f"{found['rows'] / found['seconds']:,.0f}".replace(",", " "),
            f"{slowest:,.0f}".replace(",", " "),
            f"≥ {IMPORT_BUDGET:,} rows/s: ".replace(",", " ")
            + verdict(slowest, IMPORT_BUDGET, at_most=False),
            f"{found['max_rss_mb']:.0f} MB · load {os.getloadavg()[0]:.1f}",
        ])
    count = f"{rows:,}".replace(",", " ")
    lines = [
        f"### Registry import ({count} generated members, a fresh database each, through "
        "import_members; PostgreSQL: TEST_DATABASE_URL or --postgres)",
        "",
    ]
    return lines + table(
        ["database", "rows", "seconds", "rows/s", "slowest tenth, rows/s", "budget",
         "peak memory · load average"], table_rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--seconds", type=float, default=3, help="length of each throughput run")
    parser.add_argument("--paced-seconds", type=float, default=8,
                        help="length of the latency runs (alone, then while log-ins run)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating throughput rounds")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections")
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"comma-separated sections among {', '.join(SECTIONS)}")
    parser.add_argument("--import-rows", type=int, default=1_000_000,
                        help="members in the generated registry file")
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL") or None,
                        help="a PostgreSQL URL beside which a fresh database is made")
    args = parser.parse_args(argv)
    chosen = set(args.only.split(","))
    if chosen - set(SECTIONS):
        parser.error(f"unknown sections: {', '.join(sorted(chosen - set(SECTIONS)))}")

    started = time.monotonic()
    lines = ["## Espace benchmark", "", machine(), ""]
    used: set = set()  # demo members a journey registered or changed: never taken twice
    with LiveServer() as server:
        print(f"Espace on {server.url}; measuring…", file=sys.stderr, flush=True)
        if "weights" in chosen:
            lines += page_weights(server.url) + [""] + fragment_weights(server.url) + [""]
        if "journeys" in chosen:
            lines += journey_weights(server.url, used) + [""]
            server.espace("demo")  # the journeys changed demo passwords
        if "slow3g" in chosen:
            lines += slow_journey_section(server.url, used) + [""]
            server.espace("demo")
        if "throughput" in chosen:
            same = {"BASE_URL": server.url, "DATABASE_URL": server.env["DATABASE_URL"]}
            with yardstick_server("bench.bare_app:app") as bare_url, \
                    yardstick_server("bench.bare_app:guarded", **same) as guarded, \
                    yardstick_server("bench.bare_app:reading", **same) as reading:
                yardsticks = {throughput.BARE_PAGE: bare_url,
                              throughput.GUARDED_FRAGMENT: guarded,
                              throughput.READING_FRAGMENT: reading}
                lines += throughput_section(
                    server.url, yardsticks, seconds=args.seconds,
                    connections=args.connections, rounds=args.rounds) + [""]
        if "logins" in chosen:
            lines += logins_section(server.url, seconds=args.paced_seconds) + [""]
    if "imports" in chosen:
        lines += imports_section(args.import_rows, args.postgres) + [""]
    lines.append(f"_{time.monotonic() - started:.0f} s in all; load average at the end "
                 f"{os.getloadavg()[0]:.1f}._")
    report = "\n".join(lines) + "\n"
    print(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.md").write_text(report, "utf-8")
    (RESULTS / f"{datetime.now(UTC):%Y%m%dT%H%M%S}.md").write_text(report, "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
