"""``/healthz`` (the process answers) and ``/readyz`` (it can serve: database reachable,
migrations applied, mail worker alive, mail not waiting too long). JSON, never cached, no
personal data; answered before the session cookie and compression (web/monitoring.py)."""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import JSONResponse

from web.metrics import oldest_pending_age

NO_STORE = {"cache-control": "no-store"}
# A worker pass sends at most a batch (10 mails × 60 s at worst): a heartbeat older than the
# claim lease means the worker is stuck.
WORKER_SILENCE = 15 * 60


class Heartbeat:
    """When the mail worker of this process last finished a pass."""

    def __init__(self) -> None:
        self.last = time.monotonic()

    def beat(self) -> None:
        self.last = time.monotonic()

    def silent_for(self) -> float:
        return time.monotonic() - self.last


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"}, headers=NO_STORE)


async def readyz(request: Request) -> JSONResponse:
    settings = request.app.state.settings
    checks = await _database_checks(settings)
    worker = getattr(request.app.state, "mail_worker", None)
    if worker is not None:  # this process delivers mail (`espace serve`)
        task, heartbeat = worker
        alive = not task.done() and heartbeat.silent_for() < WORKER_SILENCE
        checks["mail_worker"] = "ok" if alive else "stopped"
    ready = all(value == "ok" for name, value in checks.items() if name != "oldest_pending_mail")
    return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks},
                        status_code=200 if ready else 503, headers=NO_STORE)


async def _database_checks(settings) -> dict:
    from tortoise.connection import get_connection

    from web.db import DatabaseNotReady, pending_migrations

    try:
        await get_connection("default").execute_query("SELECT 1")
    except Exception:  # noqa: BLE001 - whatever it is, the database cannot be used
        return {"database": "unreachable"}
    checks = {"database": "ok"}
    try:
        pending = await pending_migrations(settings.database_url)
    except DatabaseNotReady:
        pending = ["all"]
    checks["migrations"] = "ok" if not pending else "pending"
    age = await oldest_pending_age()
    checks["oldest_pending_mail"] = round(age, 1)  # seconds
    checks["mail_queue"] = "ok" if age <= settings.ready_mail_age else "late"
    return checks
