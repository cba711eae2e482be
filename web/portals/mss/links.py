"""The set-password link of a registration: issued with its email, resent with a cooldown."""

from __future__ import annotations

from datetime import timedelta

from starlette.requests import Request
from tortoise.transactions import in_transaction

from web.accounts import service as accounts
from web.accounts import tokens
from web.accounts.models import Account, Token
from web.i18n import format_delay
from web.i18n import gettext as _
from web.portals.home import current_portal
from web.registry.matching import normalize_email
from web.registry.models import Member
from web.security import limits
from web.security.audit import audit
from web.security.client import client_address
from web.security.digests import digest

PORTAL = "mss"
# One email a minute per address (registration included): a resend replaces the link.
COOLDOWN = limits.Rule(limit=1, window=timedelta(seconds=60), lockout=timedelta(seconds=60))
# Emails sent again (resend, renewal of an expired link) per client address (SPEC §5).
RESEND_CLIENT = limits.Rule(limit=10, window=timedelta(hours=1), lockout=timedelta(hours=1))


class TooManyFromClient(limits.Locked):
    """This client address has asked for too many emails: not the address's cooldown."""


def cooldown_key(email: str) -> str:
    return f"resend:{PORTAL}:{digest(normalize_email(email))}"


def refusal_message(refused: limits.Locked) -> str:
    if isinstance(refused, TooManyFromClient):
        return _(
            "Too many emails were asked for from your connection. Try again in %(delay)s.",
            delay=format_delay(refused.retry_after),
        )
    return _("You can ask for another email in %(seconds)s seconds.", seconds=refused.retry_after)


async def start_cooldown(account: Account) -> None:
    await limits.record_failure(cooldown_key(account.email), COOLDOWN)


async def send_link(request: Request, account: Account, member: Member, connection) -> None:
    """A new 24-hour set-password link (the previous one stops working) and its email, in the
    caller's transaction."""
    raw = await tokens.issue_token(account, tokens.SET_PASSWORD, using_db=connection)
    await accounts.mail_member(
        account,
        member,
        "set_password",
        current_portal(request),
        context={"hours": int(tokens.LIFETIME.total_seconds() // 3600)},
        secret={"link": request.app.state.links(f"{PORTAL}:set_password", token=raw)},
        using_db=connection,
    )


async def tell_registered(request: Request, account: Account, member: Member) -> None:
    """The link again while the account has no password yet; else (a registration of a
    member who has an account, whose page said what it says to anyone) how to log in."""
    if account.password_state == accounts.PENDING:
        async with in_transaction() as connection:
            await send_link(request, account, member, connection)
        return
    links = request.app.state.links
    await accounts.mail_member(
        account,
        member,
        "already_registered",
        current_portal(request),
        context={
            "login_url": links(f"{PORTAL}:home"),
            "forgot_url": links(f"{PORTAL}:forgot"),
        },
    )


async def resend_link(request: Request, account: Account) -> None:
    """Send the link again (``tell_registered``); raises ``limits.Locked`` during the
    address's cooldown (which starts as the email is let through: requests at once send
    one), ``TooManyFromClient`` when this client has asked for too many."""
    cooldown = await limits.admit({cooldown_key(account.email): COOLDOWN})
    try:
        await limits.take(
            {accounts.client_key("resend", PORTAL, client_address(request)): RESEND_CLIENT}
        )
    except limits.Locked as locked:
        await cooldown.refund()  # nothing was sent
        raise TooManyFromClient(locked.until) from None
    await cooldown.count()
    member = await account.member
    await tell_registered(request, account, member)
    await audit(
        "set_password_resent",
        portal=PORTAL,
        subject=member.identifier,
        client=client_address(request),
    )


async def link_token(raw: str) -> Token | None:
    """The set-password link's token (with its account), whether or not it is still usable."""
    if not raw or len(raw) > tokens.MAX_RAW_LENGTH:
        return None
    return await Token.get_or_none(
        token_hash=digest(raw), purpose=tokens.SET_PASSWORD
    ).prefetch_related("account")


def link_problem(token: Token | None) -> str:
    """Why the link cannot be used: unknown, used (spent — perhaps a moment ago, by another
    tab whose password is still being saved — or the password is set), or expired."""
    if token is None:
        return "unknown"
    if token.used_at or token.account.password_state != accounts.PENDING:
        return "used"
    return "expired"
