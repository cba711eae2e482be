"""Styled, localized error pages."""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime, timedelta

from asyncpg.exceptions import (
    LockNotAvailableError,
    QueryCanceledError,
    TransactionRollbackError,
)
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse
from tortoise.exceptions import OperationalError, TransactionManagementError

from web.i18n import format_clock, format_delay
from web.rendering import is_partial, render
from web.security.limits import Busy, Locked

log = logging.getLogger("espace")
HANDLED = (400, 403, 404, 405, 413, 429, 500, 503)
BUSY_RETRY_SECONDS = 5
# PostgreSQL gave up waiting (lock_timeout, statement_timeout) or chose this transaction to
# roll back (a deadlock, a serialization failure): nothing was written, a retry can succeed.
POSTGRES_BUSY = (LockNotAvailableError, QueryCanceledError, TransactionRollbackError)
# htmx swaps error answers too: whatever the request targeted, the error replaces the page's
# main content (never a whole page inside a fragment's place).
PARTIAL_ERROR_HEADERS = {"HX-Retarget": "#main", "HX-Reswap": "innerHTML"}


def error_page(
    request: Request, status_code: int, headers: dict | None = None, **context
) -> HTMLResponse:
    status_code = status_code if status_code in HANDLED else 500 if status_code >= 500 else 400
    swapped = is_partial(request)
    retry = (headers or {}).get("Retry-After", "")
    if status_code == 429 and retry.isdigit() and not context.get("busy"):
        context["retry_in"] = format_delay(int(retry))
        context["retry_at"] = format_clock(datetime.now(UTC) + timedelta(seconds=int(retry)))
    headers = {**(headers or {}), **(PARTIAL_ERROR_HEADERS if swapped else {})}
    return render(
        request,
        "error.html",
        {"status": status_code, "swapped": swapped, **context},
        block="main",
        status_code=status_code,
        status_message="",
        headers=headers,
    )


async def http_exception(request: Request, exc: HTTPException) -> HTMLResponse:
    return error_page(request, exc.status_code, headers=exc.headers)


async def locked(request: Request, exc: Locked) -> HTMLResponse:
    return error_page(request, 429, headers={"Retry-After": str(exc.retry_after)})


async def busy(request: Request, exc: Busy) -> HTMLResponse:
    return error_page(request, 429, headers={"Retry-After": str(exc.retry_after)}, busy=True)


def database_busy(error: BaseException) -> bool:
    """SQLite's "database is locked" once its busy timeout has passed: another connection
    (an operator command, a long transaction) holds the write lock; or PostgreSQL's
    ``POSTGRES_BUSY``."""
    if isinstance(error, POSTGRES_BUSY):
        return True
    message = str(error)
    return "database is locked" in message or "database is busy" in message


async def database_error(request: Request, exc: Exception) -> HTMLResponse:
    """A busy database answers 503 (try again in a moment); any other error is a 500."""
    if not database_busy(exc):
        raise exc
    log.warning("database busy: answered 503 (%s)", exc)  # one line, no traceback
    return error_page(request, 503, headers={"Retry-After": str(BUSY_RETRY_SECONDS)})


def guard_error(scope, status_code: int) -> HTMLResponse:
    """Errors the request guard answers itself (403 CSRF, 413, 400, 500)."""
    return error_page(Request(scope), status_code)


EXCEPTION_HANDLERS = {
    HTTPException: http_exception,
    Locked: locked,
    Busy: busy,
    OperationalError: database_error,
    TransactionManagementError: database_error,
    sqlite3.OperationalError: database_error,
    **dict.fromkeys(POSTGRES_BUSY, database_error),
}
