"""Server-side sessions for logged-in members.

Every visitor has a random cookie id (set by the request guard). Logging in renews that id
and stores a ``Session`` row under its SHA-256; logging out deletes the row and renews the id.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from starlette.requests import Request

from web.accounts.models import Account
from web.security.models import Session
from web.security.tokens import digest
from web.security.visitors import csrf_token_for, new_visitor_id

IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
TOUCH_EVERY = timedelta(minutes=1)


def now() -> datetime:
    return datetime.now(UTC)


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


async def current_session(request: Request) -> Session | None:
    """The logged-in session, or None; expired sessions are deleted on sight."""
    cached = getattr(request.state, "session", False)
    if cached is not False:
        return cached
    session = await Session.get_or_none(id_hash=digest(client_id(request))).prefetch_related(
        "account"
    )
    moment = now()
    if session and (
        moment - session.last_seen_at > IDLE_TIMEOUT
        or moment - session.created_at > ABSOLUTE_TIMEOUT
    ):
        await session.delete()
        session = None
    if session and moment - session.last_seen_at > TOUCH_EVERY:
        session.last_seen_at = moment
        await session.save(update_fields=["last_seen_at"])
    request.state.session = session
    return session


async def current_account(request: Request) -> Account | None:
    session = await current_session(request)
    return session.account if session else None
