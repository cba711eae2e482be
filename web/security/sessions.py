"""Server-side sessions for logged-in members.

Every visitor has a random cookie id (set by the request guard). Logging in renews that id
and stores a ``Session`` row under its SHA-256; logging out deletes the row and renews the id.
A session ends after 30 idle minutes (WCAG 2.2.1: the pages say when, and with JS a dialog
offers to stay logged in ahead of the end) or 12 hours after the log-in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from starlette.requests import Request

from web.accounts.models import Account
from web.clock import now
from web.security.digests import digest
from web.security.models import Session
from web.security.visitors import csrf_token_for, new_visitor_id

IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
TOUCH_EVERY = timedelta(minutes=1)
WARN_BEFORE = timedelta(minutes=3)  # the dialog opens this long before the end (at least 2 min)


@dataclass(frozen=True)
class SessionEnd:
    """When a logged-in session ends, as its pages say it."""

    ends_at: datetime
    seconds_left: int
    warn_after: int  # seconds from now until the dialog offers to stay logged in


def client_id(request: Request) -> str:
    return request.state.sid


def renew_client_id(request: Request) -> None:
    """Give the visitor a new cookie id (and so a new CSRF token)."""
    sid = new_visitor_id(request.app.state.settings.secret_key)
    request.state.sid = sid
    request.state.sid_rotated = True
    request.state.csrf_token = csrf_token_for(request.app.state.settings.secret_key, sid)


async def start_session(request: Request, account: Account) -> Session:
    await end_session(request)
    moment = now()
    return await Session.create(
        id_hash=digest(client_id(request)),
        account=account,
        created_at=moment,
        last_seen_at=moment,
    )


async def end_session(request: Request) -> None:
    await Session.filter(id_hash=digest(client_id(request))).delete()
    renew_client_id(request)


def idle_timeout(request: Request) -> timedelta:
    seconds = request.app.state.settings.session_idle_seconds
    return IDLE_TIMEOUT if seconds is None else timedelta(seconds=seconds)


def ends_at(request: Request, session: Session) -> datetime:
    return min(session.last_seen_at + idle_timeout(request), session.created_at + ABSOLUTE_TIMEOUT)


async def current_session(request: Request) -> Session | None:
    """The logged-in session, or None; expired sessions are deleted on sight (and the request
    remembers it: ``session_expired``)."""
    cached = getattr(request.state, "session", False)
    if cached is not False:
        return cached
    session = await Session.get_or_none(id_hash=digest(client_id(request))).prefetch_related(
        "account"
    )
    moment = now()
    if session and moment > ends_at(request, session):
        await session.delete()
        request.state.session_expired = True
        session = None
    if session and moment - session.last_seen_at > min(TOUCH_EVERY, idle_timeout(request) / 10):
        await touch(session, moment)
    request.state.session = session
    return session


async def touch(session: Session, moment: datetime | None = None) -> None:
    """Activity: the idle time starts again (a page, or "Stay logged in")."""
    session.last_seen_at = moment or now()
    await session.save(update_fields=["last_seen_at"])


def session_expired(request: Request) -> bool:
    return getattr(request.state, "session_expired", False)


def session_end(request: Request) -> SessionEnd | None:
    """When the session this request looked up ends, or None (no session, or not asked)."""
    session = getattr(request.state, "session", None)
    if not session:
        return None
    end = ends_at(request, session)
    # rounded up, plus a second: the browser's end must never come before the server's
    left = max(0, math.ceil((end - now()).total_seconds()) + 1)
    lead = min(WARN_BEFORE, idle_timeout(request) / 2).total_seconds()
    return SessionEnd(ends_at=end, seconds_left=left, warn_after=max(0, int(left - lead)))


async def current_account(request: Request) -> Account | None:
    session = await current_session(request)
    return session.account if session else None
