"""Accounts: creation, passwords (policy, setting, provisional), log-in, password reset.

What the account routes and the two journeys call. ``portal`` arguments are ``Portal`` objects
(``request.app.state.portals[id]`` / ``web.portals.home.current_portal(request)``) unless the
parameter is named ``portal_id``.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from tortoise.transactions import in_transaction

from web.accounts import tokens
from web.accounts.hashing import DUMMY_HASH, hash_password, verify_password
from web.accounts.models import Account, Token
from web.accounts.passwords import Personal, check_password, personal_words
from web.clock import now
from web.mail.outbox import enqueue_mail
from web.registry.matching import normalize_email, normalize_identifier
from web.registry.models import Member
from web.security import limits
from web.security.audit import audit
from web.security.digests import digest
from web.security.models import Session
from web.urls import Links

# Account.password_state values.
PENDING, PROVISIONAL, ACTIVE = "pending", "provisional", "active"  # noqa: S105
PROVISIONAL_LIFETIME = timedelta(days=7)
# Readable: lower case and digits without look-alikes (i, l, o, 0, 1). 28 of 31 symbols:
# 138 bits, shown in groups of 4.
PROVISIONAL_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
PROVISIONAL_SYMBOLS = 28

# Log-in, per login typed and client address: after 5 failures, pauses of 1, 2, 4, 8 then
# 15 minutes; forgotten a day after the first failure. Counted per login typed, known or not,
# so it says nothing of whether the account exists; per address, so others' failures never
# pause the member's own log-in.
LOGIN_BACKOFF = limits.Rule(
    limit=5, window=timedelta(days=1), lockout=timedelta(minutes=1), longest=timedelta(minutes=15)
)
# Per login from every address: 100 failures in a day (the ceiling of NIST SP 800-63B-4) pause
# it for the rest of the day, or until the member resets the password by email.
LOGIN_CEILING = limits.Rule(
    limit=100, window=timedelta(days=1), lockout=timedelta(days=1), ceiling=100
)
# The current password asked by the change-password form: its own back-off, per account.
CHANGE_PASSWORD = LOGIN_BACKOFF
# Per client address: log-in failures, reset requests, wrong reset links.
LOGIN_CLIENT = limits.Rule(limit=50, window=timedelta(minutes=15), lockout=timedelta(minutes=15))
FORGOT_CLIENT = limits.Rule(limit=10, window=timedelta(hours=1), lockout=timedelta(hours=1))
RESET_CLIENT = limits.Rule(limit=20, window=timedelta(hours=1), lockout=timedelta(hours=1))
# Accounts created per client address, on every portal together (SPEC §5).
REGISTRATION_CLIENT = limits.Rule(limit=10, window=timedelta(hours=1), lockout=timedelta(hours=1))
RESET_COOLDOWN = timedelta(minutes=1)  # at most one reset email a minute per account


class ProvisionalPasswordExpired(Exception):
    """The provisional password was right but is more than 7 days old."""

    def __init__(self, account: Account) -> None:
        super().__init__(account.pk)
        self.account = account


def normalize_login(login: str) -> str:
    """An email (mss) in the form of the email rule (normalize_email), an identifier without
    spaces."""
    login = login or ""
    return normalize_email(login) if "@" in login else normalize_identifier(login)


def login_key(portal_id: str, login: str) -> str:
    """The log-in counter of ``login`` from every address (its ceiling); the per-address
    counters' keys start with it."""
    return f"login:{portal_id}:{digest(normalize_login(login))}"


def login_client_key(portal_id: str, login: str, client: str) -> str:
    return f"{login_key(portal_id, login)}@{client}"


def login_rules(portal_id: str, login: str, client: str) -> dict[str, limits.Rule]:
    return {
        login_client_key(portal_id, login, client): LOGIN_BACKOFF,
        login_key(portal_id, login): LOGIN_CEILING,
        client_key("login", portal_id, client): LOGIN_CLIENT,
    }


def change_password_key(account: Account) -> str:
    return f"change-password:{account.portal}:{account.pk}"


def client_key(action: str, portal_id: str, client: str) -> str:
    return f"{action}-client:{portal_id}:{client}"


def registration_rules(client: str) -> dict[str, limits.Rule]:
    """Accounts created from one client address, counted once whatever the portal."""
    return {f"register-client:{client}": REGISTRATION_CLIENT}


async def create_account(
    member: Member,
    *,
    portal: str,
    login: str,
    email: str,
    language: str,
    policy_version: str,
    mobile: str = "",
    using_db=None,
) -> Account:
    """A new account of ``member`` on portal ``portal`` (its id), ``password_state="pending"``,
    with the accepted policy version and time. ``login`` is the email (mss) or the identifier
    (espace-prive), stored normalised; ``mobile`` is E.164 or empty. Raises
    ``tortoise.exceptions.IntegrityError`` when the member or the login already has an account
    on the portal. Pass ``using_db`` to create it in the caller's transaction (with its outbox
    mail)."""
    return await Account.create(
        portal=portal,
        member=member,
        login=normalize_login(login),
        email=email.strip(),
        mobile=mobile,
        language=language,
        policy_version=policy_version,
        policy_accepted_at=now(),
        using_db=using_db,
    )


async def find_account(portal_id: str, login: str) -> Account | None:
    normalized = normalize_login(login)
    if not normalized or len(normalized) > 320:
        return None
    return await Account.get_or_none(portal=portal_id, login=normalized)


async def account_personal_words(account: Account, portal) -> list[Personal]:
    """What this account's password must not contain (identifier, names, email, portal)."""
    member = await account.member
    return personal_words(
        portal,
        identifier=member.identifier,
        last_name=member.last_name,
        first_names=member.first_names,
        email=account.email or member.email,
    )


async def password_problems(
    account: Account, portal, password: str, confirmation: str | None = None
) -> list[str]:
    """The localized reasons the policy refuses ``password`` for ``account`` (empty: accepted).
    A mismatching ``confirmation`` adds "The two passwords are not the same." last."""
    personal = await account_personal_words(account, portal)
    return await check_password(password, confirmation=confirmation, personal=personal)


async def set_password(account: Account, password: str, *, portal, links: Links) -> None:
    """Store ``password`` (argon2id, hashed off the event loop) — the caller checked it with
    ``password_problems`` first. The account becomes ``active``; every session of the account
    ends (the caller starts a new one with ``sessions.start_session`` if the member stays
    logged in) and its unused link tokens stop working. Audited as ``password_set`` (first
    password) or ``password_changed``, and the member gets the ``password_changed`` email."""
    first = account.password_state != ACTIVE
    password_hash = await hash_password(password)
    async with in_transaction() as connection:
        account.password_hash = password_hash
        account.password_state = ACTIVE
        account.password_expires_at = None
        account.password_changed_at = now()
        await account.save(
            using_db=connection,
            update_fields=[
                "password_hash",
                "password_state",
                "password_expires_at",
                "password_changed_at",
            ],
        )
        await Session.filter(account_id=account.pk).using_db(connection).delete()
        await tokens.discard_tokens(account, using_db=connection)
        await audit(
            "password_set" if first else "password_changed",
            portal=account.portal,
            subject=account.login,
        )
        member = await account.member
        if mail_destination(account, member):
            await _notify_password_changed(account, member, portal, links, first, connection)


async def _notify_password_changed(account, member, portal, links, first, connection) -> None:
    await mail_member(
        account,
        member,
        "password_changed",
        portal,
        context={
            "changed_at": account.password_changed_at,
            "first_password": first,
            "login_url": links(f"{portal.id}:login"),
            "forgot_url": links(f"{portal.id}:forgot"),
        },
        using_db=connection,
    )


async def mail_member(account: Account, member: Member, template: str, portal, *,
                      context: dict, secret: dict | None = None, using_db=None) -> None:
    """Queue mail ``template`` for the member of ``account`` (``mail_destination``), in the
    account's language, greeting them by name and signed by ``portal``."""
    await enqueue_mail(
        mail_destination(account, member),
        template,
        language=account.language,
        context={"portal": portal, "name": display_name(member), **context},
        secret=secret,
        using_db=using_db,
    )


def display_name(member: Member) -> str:
    return f"{member.first_names} {member.last_name}".strip()


def new_provisional_password() -> str:
    symbols = "".join(secrets.choice(PROVISIONAL_ALPHABET) for _ in range(PROVISIONAL_SYMBOLS))
    return "-".join(symbols[i : i + 4] for i in range(0, PROVISIONAL_SYMBOLS, 4))


def canonical_provisional(password: str) -> str:
    """What is hashed of a provisional password: typed with or without its dashes, spaces,
    in any case."""
    return "".join(c for c in (password or "").lower() if c not in "- \u00a0")


async def issue_provisional_password(account: Account, using_db=None) -> str:
    """A new random provisional password for ``account`` (espace-prive), returned in clear
    once, for the email or the letter, and stored only as an argon2id hash. The account
    becomes ``provisional``: the password works for 7 days and must be changed at the first
    log-in. Like "abcd-efgh-…" (28 symbols, 138 bits; the dashes and case are optional)."""
    raw = new_provisional_password()
    account.password_hash = await hash_password(canonical_provisional(raw))
    account.password_state = PROVISIONAL
    account.password_expires_at = now() + PROVISIONAL_LIFETIME
    await account.save(
        using_db=using_db,
        update_fields=["password_hash", "password_state", "password_expires_at"],
    )
    return raw


async def password_matches(account: Account | None, password: str) -> bool:
    """Verify, spending the same argon2 time whether or not there is an account."""
    if account is None or not account.password_hash:
        await verify_password(password, DUMMY_HASH)
        return False
    if account.password_state == PROVISIONAL:
        password = canonical_provisional(password)
    return await verify_password(password, account.password_hash)


async def authenticate(
    portal_id: str, login: str, password: str, *, client: str = ""
) -> Account | None:
    """The account whose ``login`` (email or identifier, as typed) and password match on the
    portal, or None — the same for an unknown login and a wrong password, in about the same
    time. Raises ``limits.Locked`` while the login is paused for this address (or for every
    address, at its ceiling) or the address is paused after repeated failures, and
    ``ProvisionalPasswordExpired`` when the password is a right but expired provisional one
    (only then: it reveals nothing to who does not know it)."""
    attempt = await limits.admit(login_rules(portal_id, login, client))
    account = await find_account(portal_id, login)
    if not await password_matches(account, password):
        await audit(
            "login_failure", portal=portal_id, subject=normalize_login(login), client=client
        )
        locked = await attempt.count()
        if locked:
            await audit("login_paused", portal=portal_id, subject=normalize_login(login),
                        client=client)
            raise locked
        return None
    await attempt.refund()
    await limits.clear(login_client_key(portal_id, login, client))  # the password proved
    if account.password_state == PROVISIONAL and account.password_expires_at <= now():
        await audit(
            "login_failure",
            portal=portal_id,
            subject=account.login,
            client=client,
            reason="provisional_expired",
        )
        raise ProvisionalPasswordExpired(account)
    await audit("login_success", portal=portal_id, subject=account.login, client=client)
    return account


async def check_current_password(account: Account, password: str, *, client: str = "") -> bool:
    """Whether ``password`` is the account's current one (change-password form). Failures
    have their own back-off (not the log-in's); raises ``limits.Locked`` while paused."""
    key = change_password_key(account)
    attempt = await limits.admit({key: CHANGE_PASSWORD})
    if await password_matches(account, password):
        await attempt.refund()
        await limits.clear(key)
        return True
    await audit(
        "login_failure",
        portal=account.portal,
        subject=account.login,
        client=client,
        reason="current_password",
    )
    locked = await attempt.count()
    if locked:
        raise locked
    return False


async def lift_login_pause(account: Account, client: str) -> None:
    """The member proved control of the account's email (a reset or set-password link): the
    log-in ceiling, this address's back-off and the change-password back-off are forgotten.
    Other addresses' back-offs stay: a new password gives them no new guesses."""
    await limits.clear(
        login_key(account.portal, account.login),
        login_client_key(account.portal, account.login, client),
        change_password_key(account),
    )


async def request_password_reset(portal, login: str, *, links: Links, client: str = "") -> bool:
    """Email a 24-hour single-use reset link to the account of ``login`` on ``portal``, when it
    exists and mail reaches the member (``mail_destination``; at most one a minute). Returns
    whether a mail was queued: for tests and logs only, never for the visitor's page."""
    account = await find_account(portal.id, login)
    member = account and await account.member
    destination = account and mail_destination(account, member)
    sent = False
    if destination and not await _reset_recently(account):
        async with in_transaction() as connection:
            raw = await tokens.issue_token(account, tokens.RESET, using_db=connection)
            await mail_member(
                account,
                member,
                "reset_password",
                portal,
                context={
                    "hours": int(tokens.LIFETIME.total_seconds() // 3600),
                    "forgot_url": links(f"{portal.id}:forgot"),
                },
                secret={"link": links(f"{portal.id}:reset", token=raw)},
                using_db=connection,
            )
        sent = True
    await audit(
        "reset_requested",
        portal=portal.id,
        subject=normalize_login(login),
        client=client,
        sent=sent,
    )
    return sent


def mail_destination(account: Account, member: Member) -> str | None:
    """Where mail of this account may go — the binding rule, for every mail: the address the
    member proved (a code sent to it was typed back), else the registry's address as the
    registry holds it, else nowhere. An address only typed (at a postal registration, say)
    is never one: anyone knowing the identity could have typed theirs."""
    if account.email and account.email_proved_at:
        return account.email
    return member.email.strip() or None


async def _reset_recently(account: Account) -> bool:
    return await Token.filter(
        account_id=account.pk, purpose=tokens.RESET, created_at__gt=now() - RESET_COOLDOWN
    ).exists()

