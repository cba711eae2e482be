"""Imports at fund scale: a registry CSV of N members, generated as it is written, imported
into a fresh SQLite file and (with a PostgreSQL URL) a fresh PostgreSQL database, through the
importer's public entry point, in a process of its own (its peak memory is its own).

``python -m bench.imports run URL FILE`` is that process: it prints one JSON line (rows,
seconds, its CPU seconds, the rate of each tenth of the file, peak RSS).
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from e2e.live_server import ROOT

HEADER = ("portal,identifier,last_name,first_names,birth_date,email,mobile,address,language,"
          "employer,duty_country,entry_year\n")
EMPLOYERS = ("UNICEF", "WHO", "UNHCR", "FAO", "WFP", "UNDP")
COUNTRIES = ("KE", "CH", "US", "FR", "SN", "TH")


def write_csv(path: Path, rows: int) -> int:
    """``rows`` valid mss members, streamed to ``path``; its size in bytes."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        for n in range(rows):
            out.write(
                f"mss,{n:09d},Martin-{n % 997},Jeanne Élise,19{50 + n % 50}-0{1 + n % 9}-"
                f"{10 + n % 18},member{n}@example.org,,\"{n} rue des Lilas\n75011 Paris\","
                f"{'fr' if n % 3 else 'en'},{EMPLOYERS[n % 6]},{COUNTRIES[n % 6]},{2000 + n % 20}\n"
            )
    return path.stat().st_size


async def _import(url: str, file: Path, total: int) -> dict:
    from tortoise import Tortoise

    from web.db import tortoise_config
    from web.registry.importer import import_members

    marks: list[float] = []  # when each tenth of the file was read
    read = 0

    def progress(size: int, _rows: int) -> None:
        nonlocal read
        read += size
        while len(marks) < 10 and read >= total * (len(marks) + 1) / 10:
            marks.append(time.perf_counter())

    await Tortoise.init(config=tortoise_config(url))
    try:
        started, cpu = time.perf_counter(), time.process_time()
        result = await import_members(file, on_progress=progress)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        await Tortoise.close_connections()
    tenths = [b - a for a, b in zip([started, *marks], marks, strict=False)]
    return {
        "rows": result.rows,
        "created": result.created,
        "rejected": result.rejected_count,
        "seconds": seconds,
        "cpu_seconds": cpu,  # the importer's own (a loaded machine stretches seconds, not this)
        "tenth_rates": [result.rows / 10 / t if t else 0 for t in tenths],
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _espace(url: str, *args: str) -> None:
    subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "web.cli", *args], cwd=ROOT, check=True, capture_output=True,
        env={**os.environ, "DATABASE_URL": url, "ESPACE_ENV": "development"},
        timeout=300,
    )


def _fresh_postgres(url: str) -> tuple[str, callable]:
    """A new database beside ``url``'s, and how to drop it."""
    import asyncpg

    name = f"espace_bench_{uuid.uuid4().hex[:8]}"
    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(scheme="postgresql"))

    async def run(sql: str) -> None:
        connection = await asyncpg.connect(admin)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    return (urlunsplit(parts._replace(path="/" + name)),
            lambda: asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}"')))


def measure(rows: int, postgres_url: str | None) -> list[tuple[str, dict]]:
    """(database, figures) for SQLite and, when given, PostgreSQL."""
    found = []
    with tempfile.TemporaryDirectory(prefix="espace-import-") as folder:
        file = Path(folder) / "registry.csv"
        write_csv(file, rows)
        targets = [("SQLite", f"sqlite://{folder}/espace.sqlite3", lambda: None)]
        if postgres_url:
            targets.append(("PostgreSQL", *_fresh_postgres(postgres_url)))
        for name, url, drop in targets:
            try:
                _espace(url, "migrate")
                done = subprocess.run(  # noqa: S603 - our own interpreter and module
                    [sys.executable, "-m", "bench.imports", "run", url, str(file)],
                    cwd=ROOT, capture_output=True, text=True, check=False,
                    timeout=max(600, rows / 1000),
                )
                if done.returncode != 0:
                    found.append((name, {"error": (done.stderr or done.stdout)[-300:]}))
                else:
                    found.append((name, json.loads(done.stdout.splitlines()[-1])))
            finally:
                drop()
    return found


if __name__ == "__main__" and sys.argv[1:2] == ["run"]:
    source = Path(sys.argv[3])
    print(json.dumps(asyncio.run(_import(sys.argv[2], source, source.stat().st_size))))
