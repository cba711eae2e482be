"""Registrations in progress, kept server-side for 24 hours idle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from starlette.requests import Request
from tortoise.queryset import QuerySet

from web.portals.models import RegistrationDraft
from web.security.audit import audit
from web.security.tokens import digest

DRAFT_IDLE_LIFETIME = timedelta(hours=24)


def _key(request: Request, portal_id: str) -> str:
    return f"{digest(request.state.sid)}:{portal_id}"


async def load_draft(request: Request, portal_id: str) -> dict:
    draft = await RegistrationDraft.get_or_none(key=_key(request, portal_id))
    if draft is None:
        return {}
    if draft.expires_at < datetime.now(UTC):
        await draft.delete()  # gone, as if purged: the next save starts a new one
        return {}
    return dict(draft.data)


async def save_draft(request: Request, portal_id: str, data: dict) -> None:
    moment = datetime.now(UTC)
    _draft, created = await RegistrationDraft.update_or_create(
        key=_key(request, portal_id),
        defaults={
            "portal": portal_id,
            "data": data,
            "updated_at": moment,
            "expires_at": moment + DRAFT_IDLE_LIFETIME,
        },
    )
    if created:  # the visitor's cookie may be days old: it starts a new life with the draft
        request.state.sid_refresh = True
        await audit("registration_started", portal=portal_id)


async def delete_draft(request: Request, portal_id: str) -> None:
    await RegistrationDraft.filter(key=_key(request, portal_id)).delete()


def expired_drafts() -> QuerySet[RegistrationDraft]:
    return RegistrationDraft.filter(expires_at__lt=datetime.now(UTC))
