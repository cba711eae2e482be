"""Postal letters with a provisional password (identity not verifiable online).

A letter is queued at registration without any password. Exporting it (``espace letters
export``) makes the provisional password at that moment, writes the letter as a text file to
print, and keeps only the password's hash: no clear password is ever stored. The password
works for 7 days from the export. A member who has a password of their own (a postal
registration of someone who has an account) gets a letter without one, saying how to log in.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tortoise.transactions import in_transaction

from web.accounts import service as accounts
from web.accounts.models import Account
from web.branding import Portal
from web.clock import now
from web.i18n import format_day, use_language
from web.mail.models import Letter
from web.portals.espace_prive import checks
from web.rendering import make_environment
from web.urls import Links

TEMPLATE = "espace_prive/letter.txt"


@dataclass(frozen=True)
class PendingLetter:
    id: int
    portal: str
    name: str
    address: str
    language: str
    created_at: datetime
    exported_at: datetime | None


async def letters(include_exported: bool = False) -> list[PendingLetter]:
    """The letters waiting to be exported (or all of them), oldest first."""
    query = Letter.all() if include_exported else Letter.filter(exported_at__isnull=True)
    found = await query.order_by("created_at", "id").prefetch_related("account__member")
    return [
        PendingLetter(letter.pk, letter.portal, accounts.display_name(letter.account.member),
                      letter.address, letter.language, letter.created_at, letter.exported_at)
        for letter in found
    ]


def render_letter(letter: Letter, account: Account, member, password: str, links: Links,
                  portals: dict[str, Portal]) -> str:
    portal = portals[letter.portal]
    with use_language(letter.language):
        return make_environment().get_template(TEMPLATE).render(
            portal=portal,
            name=accounts.display_name(member),
            address=letter.address,
            login=checks.format_identifier(member.identifier),
            password=password,
            login_url=links(f"{letter.portal}:login"),
            forgot_url=links(f"{letter.portal}:forgot"),
            expires_on=format_day(account.password_expires_at.date()) if password else "",
            today=format_day(now().date()),
        )


async def export_letters(folder: Path, *, links: Links, portals: dict[str, Portal]) -> list[Path]:
    """Write one text file per waiting letter into ``folder`` (which exists),
    ``letter-<id>.txt``, readable by its owner only, each with a new provisional password,
    and mark the letters exported. The letters carry the portal's configured branding."""
    written = []
    for waiting in await Letter.filter(exported_at__isnull=True).order_by("id"):
        async with in_transaction() as connection:
            letter = await (
                Letter.filter(pk=waiting.pk, exported_at__isnull=True)
                .using_db(connection)
                .select_for_update()
                .first()
            )
            if letter is None:
                continue  # exported meanwhile by another operator
            account = await Account.get(pk=letter.account_id, using_db=connection)
            member = await account.member.using_db(connection)
            password = ""
            if account.password_state != accounts.ACTIVE:
                password = await accounts.issue_provisional_password(account, connection)
            path = folder / f"letter-{letter.pk:06d}.txt"
            _write_private(path, render_letter(letter, account, member, password, links,
                                               portals))
            written.append(path)
            letter.exported_at = now()
            await letter.save(using_db=connection, update_fields=["exported_at"])
    return written


def _write_private(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)
