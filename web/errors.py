"""Styled, localized error pages."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse

from web.rendering import is_partial, render
from web.security.limits import Busy, Locked

HANDLED = (400, 403, 404, 405, 413, 429, 500)
# htmx swaps error answers too: whatever the request targeted, the error replaces the page's
# main content (never a whole page inside a fragment's place).
PARTIAL_ERROR_HEADERS = {"HX-Retarget": "#main", "HX-Reswap": "innerHTML"}


def error_page(
    request: Request, status_code: int, headers: dict | None = None, **context
) -> HTMLResponse:
    status_code = status_code if status_code in HANDLED else 500 if status_code >= 500 else 400
    swapped = is_partial(request)
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
    return error_page(
        request, 429, headers={"Retry-After": str(exc.retry_after)},
        retry_minutes=exc.retry_minutes,
    )


async def busy(request: Request, exc: Busy) -> HTMLResponse:
    return error_page(request, 429, headers={"Retry-After": str(exc.retry_after)}, busy=True)


def guard_error(scope, status_code: int) -> HTMLResponse:
    """Errors the request guard answers itself (403 CSRF, 413, 400, 500)."""
    return error_page(Request(scope), status_code)


EXCEPTION_HANDLERS = {
    HTTPException: http_exception,
    Locked: locked,
    Busy: busy,
}
