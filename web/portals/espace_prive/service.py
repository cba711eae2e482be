"""Identity verification against the registry, and the registration itself.

``verify`` answers the same way, in about the same time, whatever does not match (SPEC §1):
the caller shows one generic message. Failures count per member and per client address; the
third locks verification for 30 minutes (``limits.Locked``).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from web.accounts import service as accounts
from web.accounts.models import Account
from web.clock import now
from web.mail.models import Letter
from web.mail.outbox import enqueue_mail
from web.portals import journey
from web.portals.espace_prive import checks, wizard
from web.portals.espace_prive.wizard import Draft
from web.registry.matching import find_member, normalize_email, read_member, same_name
from web.registry.models import Member
from web.security import limits
from web.security.audit import audit, audit_event, record
from web.urls import Links


@dataclass(frozen=True)
class Match:
    member: Member
    already_registered: bool
    registry_email: bool  # the address typed is the one the registry holds for the member


def same_secret(a: str, b: str) -> bool:
    """Compared in constant time, whatever characters a hostile value holds."""
    return bool(a) and hmac.compare_digest(a.encode(), b.encode())


def facts_match(member: Member, draft: Draft, method: str) -> bool:
    """Whether the verification fact given (and the profile) are the registry's."""
    facts, fields = member.facts or {}, draft.fields
    if facts.get("profile") and facts["profile"] != fields.get("profile"):
        return False
    if method == "vitale":
        serial = checks.compact(fields.get("serial", ""))
        return (
            fields.get("health") == "yes"
            and bool(facts.get("health_affiliated"))
            and facts.get("vitale_kind") == fields.get("card_kind")
            and same_secret(checks.compact(facts.get("vitale_serial") or ""), serial)
        )
    if method == "iban":
        given = checks.compact(fields.get("iban", ""))
        return same_secret(checks.compact(facts.get("iban") or ""), given)
    return method == "postal" and bool(member.address.strip())


async def find_registered(portal_id: str, draft: Draft) -> Member | None:
    """The registry member whose identity is the draft's (identifier, names, date), or None;
    read with ``accounts_here`` (``matching.read_member``)."""
    identifier = wizard.identifier_of(draft)
    contact = wizard.contact_of(draft)
    if identifier is None or contact is None:
        return None
    if not wizard.is_company(draft):
        return await find_member(
            portal_id,
            identifier,
            last_name=contact["last_name"],
            first_names=contact["first_names"],
            birth_date=contact["birth_date"],
            accounts=True,
        )
    # A company's record has its name as last name, no first name, its creation date.
    member = await read_member(portal_id, identifier, accounts=True)
    if (
        member is not None
        and same_name(contact["last_name"], member.last_name)
        and not member.first_names.strip()
        and member.birth_date == contact["birth_date"]
    ):
        return member
    return None


def counter_keys(portal_id: str, draft: Draft, client: str) -> tuple[str, str]:
    return limits.verification_keys(portal_id, wizard.identifier_of(draft) or "", client)


async def verify(portal_id: str, draft: Draft, method: str, *, client: str) -> Match | None:
    """The member, when the draft's identity and fact match the registry; else None (and a
    failure counted). Raises ``limits.Locked`` while verification is locked, or when this
    failure locks it. A fact proves the member: their failures are forgotten; the postal
    choice proves nothing (anyone knowing the identity can make it): it is only refunded.
    Runs in the caller's transaction (``limits.check``); a known member or not, the same
    statements."""
    subject = wizard.identifier_of(draft) or ""
    rules = limits.verification_rules(portal_id, subject, client)
    attempt = await limits.check(rules)
    member = await find_registered(portal_id, draft)
    if member is None or not facts_match(member, draft, method):
        failure = audit_event("verification_failed", portal=portal_id, subject=subject,
                              client=client, method=method)
        locked = await attempt.failed()
        if not locked:
            await record(failure)
            return None
        await record(failure, audit_event("verification_locked", portal=portal_id,
                                          subject=subject, client=client,
                                          ceiling=locked.ceiling))
        raise locked
    member_key = counter_keys(portal_id, draft, client)[0]
    await attempt.passed(*([member_key] if method != "postal" else []))
    await audit("verification_passed", portal=portal_id, subject=subject, client=client,
                method=method)
    # The postal choice proved no fact: whether the member has an account is no one's business
    # yet (the letter tells the member).
    already = method != "postal" and member.accounts_here > 0
    return Match(member, already, registry_holds(member, wizard.typed_email(draft)))


def registry_holds(member: Member, email: str) -> bool:
    return bool(member.email.strip()) and normalize_email(email) == normalize_email(member.email)


async def register(portal, draft: Draft, *, language: str, links: Links, client: str) -> str:
    """Create the account of the verified member in one transaction, with the accepted terms
    version and time, and either email a provisional password or queue a postal letter.
    Returns "email", "postal", or "already" (a fact proved it is the member, who has an
    account: told to log in). By post, a member who has an account gets "postal" too."""
    result = wizard.verified(draft)
    contact = wizard.contact_of(draft)
    member = await Member.get_or_none(pk=result.member) if result else None
    if member is None or contact is None or not wizard.complete("password", draft):
        raise ValueError("register() needs a verified, complete draft")
    registration = await journey.admit_registration(client)
    delivery = "postal" if result.method == "postal" else "email"
    # By post, the identity alone was shown: nothing typed is kept (the letter and every
    # mail go to the registry's addresses).
    typed = {"email": "", "mobile": ""} if delivery == "postal" else contact
    try:
        async with in_transaction() as connection:
            account = await accounts.create_account(
                member,
                portal=portal.id,
                login=member.identifier,
                email=typed["email"],
                mobile=typed["mobile"],
                language=language,
                policy_version=portal.branding.policy_version,
                using_db=connection,
            )
            if delivery == "postal":
                await Letter.create(portal=portal.id, account=account, address=member.address,
                                    language=language, using_db=connection)
            else:
                await _email_password(portal, account, member, language, links, connection,
                                      proved=wizard.email_needs_proof(draft))
    except IntegrityError:  # nothing created: it does not count
        if delivery == "postal":
            return await _post_again(portal, member, language, registration)
        await registration.refund()
        return delivery if await _just_registered(portal.id, member, typed) else "already"
    await registration.count()
    await audit("registration", portal=portal.id, subject=member.identifier, client=client,
                delivery=delivery)
    return delivery


async def _post_again(portal, member: Member, language: str, registration) -> str:
    """A postal registration of a member who has an account answers as any other: the letter
    says so (``letters``), at the registry's address. One letter waits at a time (a double
    submit, or someone trying again, queues none)."""
    account = await Account.get(portal=portal.id, member_id=member.pk)
    if await Letter.exists(account=account, exported_at__isnull=True):
        await registration.refund()
    else:
        await Letter.create(portal=portal.id, account=account, address=member.address,
                            language=language)
        await registration.count()
        await audit("registration_repeated", portal=portal.id, subject=member.identifier)
    return "postal"


async def _email_password(portal, account, member, language, links, connection, *,
                          proved: bool):
    """The provisional password to the proved address (the registry's told of it), or to the
    registry's own."""
    if proved:
        account.email_proved_at = now()
        await account.save(using_db=connection, update_fields=["email_proved_at"])
        if member.email.strip():
            await enqueue_mail(member.email, "address_notice", language=language,
                               context={"portal": portal, "name": accounts.display_name(member),
                                        "email": account.email}, using_db=connection)
    password = await accounts.issue_provisional_password(account, using_db=connection)
    await enqueue_mail(
        accounts.mail_destination(account, member),
        "provisional_password",
        language=language,
        context={
            "portal": portal,
            "name": accounts.display_name(member),
            "login": checks.format_identifier(member.identifier),
            "login_url": links(f"{portal.id}:login"),
            "expires_at": account.password_expires_at,
        },
        secret={"password": password},
        using_db=connection,
    )


async def _just_registered(portal_id: str, member: Member, contact: dict) -> bool:
    """Whether the existing account is this very registration's (a double submit)."""
    account = await Account.get_or_none(portal=portal_id, member_id=member.pk)
    return (
        account is not None
        and account.email == contact["email"]
        and journey.sent_twice(account.created_at)
    )
