"""Load: requests per second and latency percentiles, over loopback only.

``wrk`` (Debian's package, installed here when missing and running as root) drives the load:
it is C and leaves the CPU to the server. Without it, an httpx async generator does the same
job, less efficiently. Every loop is bounded in time, and the httpx loops in count as well.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from bench.weight import ACCEPT_ENCODING, CSRF
from web.operations.demo import DEMO_PASSWORD, DemoMember

MAX_REQUESTS = 200_000  # the httpx generator's count bound


@dataclass
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int = 0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def find_wrk() -> str | None:
    """wrk's path; installs Debian's package when missing and root, else None."""
    found = shutil.which("wrk")
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    print("installing wrk (apt-get install wrk)…", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "wrk"]):
        subprocess.run(command, env=env, check=False, capture_output=True, timeout=300)  # noqa: S603
    return shutil.which("wrk")


@dataclass(frozen=True)
class Request:
    """One request sent again and again: ``headers`` as sent (Chromium's Accept-Encoding unless
    given), ``vary`` a form field of ``body`` made different in every request."""

    url: str
    method: str = "GET"
    headers: dict = field(default_factory=lambda: {"Accept-Encoding": ACCEPT_ENCODING})
    body: bytes = b""
    vary: str | None = None


def check_loopback(url: str) -> None:
    if urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError(f"load tests run on loopback only, not {url}")


# --- wrk -------------------------------------------------------------------------------------

WRK_SCRIPT = """\
wrk.method = {method}
wrk.body = {body}
{vary}
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %f %f %f %d\\n", summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.status + summary.errors.timeout))
end
"""


# Every request's form field ``vary`` (a form-encoded name) ends with a number of its own.
WRK_VARY = """\
counter = 0
request = function()
  counter = counter + 1
  local body = wrk.body:gsub({field}, "%0" .. counter, 1)
  return wrk.format(nil, nil, nil, body)
end
"""


def varied(body: bytes, vary: str, n: int) -> bytes:
    """``body`` with its field ``vary`` ending in ``n`` (the wrk script's own change)."""
    return re.sub(rb"(?<![\w])" + re.escape(vary.encode()) + rb"=[^&]*",
                  lambda found: found[0] + str(n).encode(), body, count=1)


def lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def run_wrk(wrk: str, request: Request, *, connections: int, seconds: float) -> Result:
    check_loopback(request.url)
    body, vary = request.body, request.vary
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(
            WRK_SCRIPT.format(
                method=lua_string(request.method),
                body=lua_string(body.decode()) if body else "nil",
                vary=WRK_VARY.format(field=lua_string(f"%f[%w_]{vary}=[^&]*")) if vary else "",
            )
        )
    command = [
        wrk,
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "5s",
        "-s",
        script.name,
    ]
    for name, value in request.headers.items():
        command += ["-H", f"{name}: {value}"]
    try:
        done = subprocess.run(  # noqa: S603 - wrk, our arguments
            [*command, request.url],
            capture_output=True,
            text=True,  # noqa: S603
            timeout=seconds + 30,
            check=False,
        )
    finally:
        os.unlink(script.name)
    match = re.search(r"RESULT (\d+) ([\d.]+) ([\d.]+) ([\d.]+) (\d+)", done.stdout)
    if not match:
        raise RuntimeError(f"wrk failed: {done.stdout}{done.stderr}")
    count, duration, p50, p99, errors = match.groups()
    return Result(int(count), float(duration), float(p50), float(p99), int(errors))


# --- httpx (when wrk is not there) -----------------------------------------------------------


async def _httpx_load(request: Request, *, connections: int, seconds: float) -> Result:
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    start = time.perf_counter()
    deadline = start + seconds
    body, vary = request.body, request.vary

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while time.perf_counter() < deadline and len(latencies) < MAX_REQUESTS:
            began = time.perf_counter()
            sent = varied(body, vary, len(latencies)) if vary else body
            response = await client.request(request.method, request.url, headers=request.headers,
                                            content=sent or None)
            await response.aread()
            latencies.append(time.perf_counter() - began)
            errors += response.status_code >= 400

    async with httpx.AsyncClient(limits=limits, timeout=5) as client:
        await asyncio.gather(*(worker(client) for _ in range(connections)))
    return summarize(latencies, time.perf_counter() - start, errors)


async def _paced(url: str, *, rate: float, seconds: float, headers: dict) -> Result:
    """Open loop: one request every 1/rate s whatever the answers, each latency counted from
    the moment it was due, so a stalled server shows in the percentiles (a closed loop of a few
    connections would just send less: coordinated omission)."""
    latencies: list[float] = []
    errors = 0
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=512), timeout=10) as client:

        async def one(due: float) -> None:
            nonlocal errors
            try:
                response = await client.get(url, headers=headers)
                errors += response.status_code >= 400
            except httpx.HTTPError:
                errors += 1
            latencies.append(time.perf_counter() - due)

        start = time.perf_counter()
        tasks = []
        for index in range(int(rate * seconds)):
            due = start + index / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            tasks.append(asyncio.create_task(one(due)))
        await asyncio.gather(*tasks)
    return summarize(latencies, time.perf_counter() - start, errors)


def paced(url: str, *, rate: float, seconds: float) -> Result:
    check_loopback(url)
    headers = {"Accept-Encoding": ACCEPT_ENCODING}
    return asyncio.run(_paced(url, rate=rate, seconds=seconds, headers=headers))


def summarize(latencies: list[float], seconds: float, errors: int = 0) -> Result:
    ordered = sorted(latencies) or [0.0]

    def percentile(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000

    return Result(len(latencies), seconds, percentile(0.50), percentile(0.99), errors)


def load(wrk: str | None, request: Request, *, connections: int, seconds: float) -> Result:
    """Keep ``connections`` copies of ``request`` in flight for ``seconds``."""
    check_loopback(request.url)
    if wrk:
        return run_wrk(wrk, request, connections=connections, seconds=seconds)
    return asyncio.run(_httpx_load(request, connections=connections, seconds=seconds))


# --- log-ins running alongside ---------------------------------------------------------------


async def log_in_loops(
    base_url: str,
    members: list[DemoMember],
    *,
    loops: int,
    seconds: float,
    max_logins: int = 2_000,
) -> int:
    """``loops`` visitors logging in again and again (each time a new visitor: GET the form,
    POST the right password, which costs one argon2 verification), spread over ``members``
    as real log-ins are (many at once to one account would be paused, rightly). Returns the
    log-ins done."""
    check_loopback(base_url)
    deadline = time.perf_counter() + seconds
    done = 0

    async def visitor(member: DemoMember) -> None:
        nonlocal done
        while time.perf_counter() < deadline and done < max_logins:
            async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
                form = await client.get(f"/{member.portal}/login")
                token = CSRF.search(form.text).group(1)
                answer = await client.post(
                    f"/{member.portal}/login",
                    data={"csrf_token": token, "login": member.login, "password": DEMO_PASSWORD},
                )
                if answer.status_code != 303:
                    raise RuntimeError(f"log-in answered {answer.status_code}")
                done += 1

    await asyncio.gather(*(visitor(members[i % len(members)]) for i in range(loops)))
    return done


@dataclass
class Logins:
    done: int = 0
    seconds: float = 0.0
    error: str = ""

    @property
    def per_second(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0


def paced_while_logging_in(
    url: str,
    base_url: str,
    members: list[DemoMember],
    *,
    rate: float,
    seconds: float,
    loops: int,
) -> tuple[Result, Logins]:
    """Page latency at a steady ``rate`` (open loop) while ``loops`` log-in loops run in a
    thread of their own; a log-in that fails is reported, not swallowed."""
    logins = Logins()

    def run_logins() -> None:
        began = time.perf_counter()
        try:
            logins.done = asyncio.run(
                log_in_loops(base_url, members, loops=loops, seconds=seconds + 1)
            )
        except Exception as error:  # noqa: BLE001 - reported in the table
            logins.error = str(error).splitlines()[0][:120]
        logins.seconds = time.perf_counter() - began

    thread = threading.Thread(target=run_logins)
    thread.start()
    time.sleep(0.5)  # the log-ins are under way
    try:
        result = paced(url, rate=rate, seconds=seconds)
    finally:
        thread.join(timeout=seconds + 60)
    return result, logins
