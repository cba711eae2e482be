"""The demo registry: valid, covering the hard cases, idempotent, usable from the CLI."""

from __future__ import annotations

import json
import re
import unicodedata

import phonenumbers
import pytest
from email_validator import validate_email
from stdnum import iban
from stdnum.fr import nir, siret
from typer.testing import CliRunner

from web import cli
from web.accounts.hashing import verify_password
from web.accounts.models import Account
from web.operations.demo import DEMO_PASSWORD, demo_identities, load_demo
from web.registry.importer import member_values
from web.registry.matching import find_member
from web.registry.models import Member
from web.registry.validation import is_nir13, is_siret, is_uid, nir_agrees_with_birth_date
from web.root import ROOT
from web.settings import Settings

ALL = demo_identities()
MSS = demo_identities("mss")
PRIVE = demo_identities("espace-prive")


def as_csv_row(member) -> dict[str, str]:
    row = {k: str(v) for k, v in member.record().items() if k != "facts"}
    for name, value in member.facts.items():
        row[name] = ("yes" if value else "no") if isinstance(value, bool) else str(value)
    return row


# --- the data -------------------------------------------------------------------------------


def test_at_least_fourteen_members_per_portal_two_with_accounts():
    assert len(MSS) >= 14 and len(PRIVE) >= 14
    assert MSS + PRIVE == ALL
    assert sum(m.has_account for m in MSS) == 2
    assert sum(m.has_account for m in PRIVE) == 2
    assert len({(m.portal, m.identifier) for m in ALL}) == len(ALL)
    assert len(DEMO_PASSWORD) >= 15


@pytest.mark.parametrize("member", ALL, ids=lambda m: m.identifier)
def test_every_member_is_what_the_importer_would_store(member):
    assert member_values(as_csv_row(member)) == member.record()


@pytest.mark.parametrize("member", [m for m in ALL if m.email], ids=lambda m: m.identifier)
def test_every_email_is_valid_and_fictional(member):
    validate_email(member.email, check_deliverability=False)
    assert re.search(r"@example\.(org|com|net)$", member.email)


@pytest.mark.parametrize("member", [m for m in ALL if m.mobile], ids=lambda m: m.identifier)
def test_every_mobile_is_a_valid_e164_mobile(member):
    number = phonenumbers.parse(member.mobile)
    assert phonenumbers.is_valid_number(number)
    assert phonenumbers.number_type(number) in (  # Chile does not tell mobiles apart
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == member.mobile


@pytest.mark.parametrize("member", PRIVE, ids=lambda m: m.identifier)
def test_every_espace_prive_identifier_and_iban_is_valid(member):
    if member.facts["profile"] == "entreprise":
        assert is_siret(member.identifier) and siret.is_valid(member.identifier)
        assert member.first_names == ""
    else:
        assert len(member.identifier) == 13 and is_nir13(member.identifier)
        assert nir.is_valid(member.identifier + nir.calc_check_digits(member.identifier))
        assert nir_agrees_with_birth_date(member.identifier, member.birth_date)
        assert member.identifier[3:5] == f"{member.birth_date.month:02d}"
    if member.facts["iban"]:
        assert iban.is_valid(member.facts["iban"])
        assert member.facts["iban"] == iban.compact(member.facts["iban"])
        assert member.facts["iban"].startswith("FR") and len(member.facts["iban"]) == 27
    assert member.facts["health_affiliated"] == bool(member.facts["vitale_serial"])
    assert member.facts["vitale_kind"] in (
        ("photo", "no_photo") if member.facts["vitale_serial"] else ("",)
    )


@pytest.mark.parametrize("member", MSS, ids=lambda m: m.identifier)
def test_every_mss_member_has_a_uid_and_both_facts(member):
    assert is_uid(member.identifier)
    assert member.facts["employer"]
    assert re.fullmatch(r"[A-Z]{2}", member.facts["duty_country"])
    assert isinstance(member.facts["entry_year"], int)


def _scripts(text: str) -> set[str]:
    return {unicodedata.name(c).split()[0] for c in text if c.isalpha()}


def test_the_hard_cases_are_covered():
    names = [f"{m.first_names} {m.last_name}" for m in ALL]
    assert any("Lefèvre-Dupont" in n for n in names)
    assert any("N'Diaye" in n for n in names) and any("O'Connor" in n for n in names)
    assert any("-" in m.first_names and " " in m.last_name for m in ALL)
    for portal in (MSS, PRIVE):
        scripts = set().union(*(_scripts(m.first_names + m.last_name) for m in portal))
        assert {"ARABIC", "CJK"} <= scripts
        assert any(len(m.first_names) + len(m.last_name) > 60 for m in portal)
        assert any(not m.email for m in portal)
        assert any(m.mobile.startswith("+262") for m in portal)
        assert any(m.mobile.startswith("+590") for m in portal)
        assert any(m.birth_date.year == 1931 for m in portal)
    assert sum(m.identifier.startswith("000") for m in MSS) >= 5
    assert {"2A", "2B"} <= {m.identifier[5:7] for m in PRIVE}
    assert any(m.birth_date.year >= 2000 for m in PRIVE)
    assert sum(m.facts["profile"] == "entreprise" for m in PRIVE) == 2
    assert {m.facts["profile"] for m in PRIVE} == {
        "exploitant",
        "entreprise",
        "particulier",
        "employeur_jardinier",
        "cotisant_solidarite",
    }


# --- loading --------------------------------------------------------------------------------


async def test_load_demo_is_idempotent(db):
    first = await load_demo(Settings())
    assert (first.members.created, first.accounts_created) == (len(ALL), 4)
    second = await load_demo(Settings())
    assert (second.members.created, second.members.updated, second.members.unchanged) == (
        0,
        0,
        len(ALL),
    )
    assert (second.accounts_created, second.accounts_updated) == (0, 0)
    assert await Member.all().count() == len(ALL)
    assert await Account.all().count() == 4


async def test_demo_accounts_log_in_with_the_documented_password(db):
    await load_demo(Settings())
    for demo in (m for m in ALL if m.has_account):
        account = await Account.get(portal=demo.portal, login=demo.login).prefetch_related("member")
        assert account.password_state == "active"  # noqa: S105
        assert account.member.identifier == demo.identifier
        assert account.email == demo.email and account.language == demo.language
        assert await verify_password(DEMO_PASSWORD, account.password_hash)
    assert await Account.get(portal="mss", login="helene.lefevre-dupont@example.org")
    assert await Account.get(portal="espace-prive", login=PRIVE[0].identifier)


async def test_load_demo_restores_the_latest_definition(db):
    await load_demo(Settings())
    helene = MSS[0]
    await Member.filter(portal="mss", identifier=helene.identifier).update(last_name="Changed")
    account = await Account.get(portal="mss", login=helene.login)
    account.password_hash, account.password_state = "", "pending"
    await account.save()
    result = await load_demo(Settings())
    assert (result.members.updated, result.accounts_updated) == (1, 1)
    assert (await Member.get(portal="mss", identifier=helene.identifier)).last_name == (
        helene.last_name
    )
    account = await Account.get(portal="mss", login=helene.login)
    assert account.password_state == "active"  # noqa: S105
    assert await verify_password(DEMO_PASSWORD, account.password_hash)


async def test_demo_accounts_accept_the_configured_policy_version(db, tmp_path):
    branding = tmp_path / "branding.json"
    branding.write_text(json.dumps({"mss": {"policy_version": "2027-03"}}), "utf-8")
    await load_demo(Settings(branding_file=str(branding)))
    versions = dict(await Account.all().values_list("portal", "policy_version"))
    assert versions == {"mss": "2027-03", "espace-prive": "2026-01"}


async def test_every_demo_member_is_found_by_matching(db):
    await load_demo(Settings())
    for member in ALL:
        found = await find_member(
            member.portal,
            member.identifier,
            last_name=member.last_name,
            first_names=member.first_names,
            birth_date=member.birth_date,
            email=member.email or None,
        )
        assert found is not None, member


# --- the command line -----------------------------------------------------------------------


def test_cli_refuses_the_demo_in_production():
    production = {
        "ESPACE_ENV": "production",
        "SECRET_KEY": "s" * 40,
        "BASE_URL": "https://espace.example.org",
        "MAIL_URL": "smtp://mail.example.org",
        "ESPACE_PROXY_ADDRESSES": "127.0.0.1",
    }
    result = CliRunner().invoke(cli.app, ["demo"], env=production)
    assert result.exit_code == 2
    assert "only for development" in result.output


def test_the_readme_lists_every_demo_identity_as_it_is():
    """The README's demo table is what a newcomer types: it must agree with the data."""
    readme = (ROOT / "README.md").read_text("utf-8")
    rows = {}
    for line in readme.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 8 and cells[0] in ("mss", "espace-prive"):
            rows[(cells[0], cells[1].strip("`"))] = cells
    assert len(rows) == len(demo_identities())
    for member in demo_identities():
        portal, _id, first, last, born, email, _facts, account = rows[
            (member.portal, member.identifier)
        ]
        assert (first, last, born) == (
            member.first_names or "—", member.last_name, member.birth_date.isoformat()
        )
        assert email == (member.email or "—")
        assert account == ("**yes**" if member.has_account else "no")
