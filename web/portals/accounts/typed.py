"""What was typed in an account form (the login, never a password), kept server-side across a
language switch, apart from the portal's registration draft."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from starlette.requests import Request

from web.portals.drafts import delete_draft, load_draft, save_draft


@dataclass
class TypedLogins:
    """The login typed in each account form: "login" (log in) and "forgot" (forgotten)."""

    VERSION: ClassVar[int] = 1
    REGISTRATION: ClassVar[bool] = False  # its first save starts no registration

    version: int = VERSION
    login: str = ""
    forgot: str = ""

    @staticmethod
    def migrate(data: dict, version: int) -> dict | None:
        """Version 0 (untyped): the same keys."""
        return {**data, "version": TypedLogins.VERSION} if version == 0 else None


def _key(portal) -> str:
    return f"{portal.id}:accounts"


async def remember_typed(request: Request, portal, form, name: str) -> None:
    await save_draft(request, _key(portal), TypedLogins(**{name: form.get("login") or ""}))


async def typed_login(request: Request, portal, name: str) -> str:
    """The login typed in form ``name`` ("login", "forgot") before a language switch."""
    if getattr(request.state, "sid_new", False):
        return ""  # no session cookie yet, so no draft: spares the home page a database read
    return getattr(await load_draft(request, _key(portal), TypedLogins), name)


async def forget_typed(request: Request, portal) -> None:
    await delete_draft(request, _key(portal))
