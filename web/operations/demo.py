"""The demo registry, loaded by ``espace demo``: fictional members covering the hard cases.

The members are data, ``web/registry/demo/members.csv``, in the importer's format and loaded
through it; ``cases.csv`` beside it says what each one is here to exercise and whether they
already have an account. Every person, organisation, address and number there is invented
(emails use the example.* domains reserved for documentation). Loading is idempotent, as
any import: rows are upserted on (portal, identifier) and only rewritten when the file
changed. The members with an account have ``DEMO_PASSWORD``, so log-in and reset can be
tried without registering first. The tests read ``demo_identities()``; one of them checks
that the README's table of demo identities agrees with it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache

from web.accounts.hashing import hash_password_sync, verify_password_sync
from web.accounts.models import Account
from web.branding import Portal, load_portals
from web.clock import now
from web.registry.importer import ImportResult, import_members, member_values
from web.registry.matching import normalize_email
from web.registry.models import Member
from web.root import ROOT
from web.settings import ALL_PORTALS, Settings

DEMO_PASSWORD = "ochre lantern fjord marmalade"  # noqa: S105 - documented, demo only
DEMO_REGISTRY = ROOT / "web" / "registry" / "demo"
MEMBERS_FILE = DEMO_REGISTRY / "members.csv"
CASES_FILE = DEMO_REGISTRY / "cases.csv"


@dataclass(frozen=True)
class DemoMember:
    portal: str
    identifier: str
    last_name: str
    first_names: str
    birth_date: date
    email: str
    mobile: str
    address: str
    language: str
    facts: dict = field(hash=False)
    has_account: bool = False
    case: str = ""  # what this member is here to exercise

    def record(self) -> dict:
        """The Member fields, as the importer produces them."""
        return {
            "portal": self.portal,
            "identifier": self.identifier,
            "last_name": self.last_name,
            "first_names": self.first_names,
            "birth_date": self.birth_date,
            "email": self.email,
            "mobile": self.mobile,
            "address": self.address,
            "language": self.language,
            "facts": dict(self.facts),
        }

    @property
    def login(self) -> str:
        """What the member types to log in: the email on mss, the identifier elsewhere."""
        return normalize_email(self.email) if self.portal == "mss" else self.identifier


def _rows(path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


@cache
def _demo_members() -> tuple[DemoMember, ...]:
    cases = {(row["portal"], row["identifier"]): row for row in _rows(CASES_FILE)}
    members = []
    for row in _rows(MEMBERS_FILE):
        record = member_values(row)  # the importer's reading of the row
        case = cases[(record["portal"], record["identifier"])]
        members.append(DemoMember(**record, has_account=case["account"] == "yes",
                                  case=case["case"]))
    return tuple(members)


def demo_identities(portal: str | None = None) -> tuple[DemoMember, ...]:
    """The demo members (of one portal, or all)."""
    return tuple(m for m in _demo_members() if portal in (None, m.portal))


@dataclass
class DemoResult:
    members: ImportResult
    accounts_created: int = 0
    accounts_updated: int = 0


async def _ensure_account(demo: DemoMember, portal: Portal) -> str:
    """Give a demo member an active account with DEMO_PASSWORD, having accepted the portal's
    policy; say what was done."""
    member = await Member.get(portal=demo.portal, identifier=demo.identifier)
    wanted = {
        "login": demo.login,
        "email": demo.email,
        "password_state": "active",
        "password_expires_at": None,
        "language": demo.language,
        "policy_version": portal.branding.policy_version,
    }
    account = await Account.get_or_none(portal=demo.portal, member=member)
    if account is None:
        moment = now()
        await Account.create(
            portal=demo.portal,
            member=member,
            **wanted,
            password_hash=hash_password_sync(DEMO_PASSWORD),
            policy_accepted_at=moment,
            password_changed_at=moment,
        )
        return "created"
    changed = [name for name, value in wanted.items() if getattr(account, name) != value]
    if not verify_password_sync(DEMO_PASSWORD, account.password_hash):
        account.password_hash = hash_password_sync(DEMO_PASSWORD)
        changed.append("password_hash")
    if not changed:
        return "unchanged"
    for name in changed:
        if name in wanted:
            setattr(account, name, wanted[name])
    await account.save(update_fields=changed)
    return "updated"


async def load_demo(settings: Settings) -> DemoResult:
    """Import the demo members and give the chosen ones their account (idempotent)."""
    portals = load_portals(replace(settings, portals=ALL_PORTALS))
    result = DemoResult(members=await import_members(MEMBERS_FILE))
    for demo in demo_identities():
        if demo.has_account:
            outcome = await _ensure_account(demo, portals[demo.portal])
            result.accounts_created += outcome == "created"
            result.accounts_updated += outcome == "updated"
    return result
