"""Attack: register (or move a pending registration) with an address that only looks like the
registry's, to have the set-password link sent to a mailbox the attacker owns (issue: emails
were compared casefolded, so ß passed for ss and a look-alike domain for the real one, and the
link went to the address as typed).

The rule: an address is compared in one form, its domain IDNA-encoded and lowercased, its local
part with only ASCII letters lowercased; the mail goes to the address the registry holds.
"""

from __future__ import annotations

from datetime import date

import pytest
from mss_support import FIELDS, Visitor, make_member, text_of

from web.accounts.models import Account
from web.mail.models import OutboxMail
from web.portals import journey
from web.registry.matching import normalize_email
from web.security.models import AttemptCounter

INGRID = {"identifier": "000000101", "first_names": "Ingrid", "last_name": "Großmann",
          "birth_date": date(1963, 8, 14), "email": "ingrid.grossmann@example.org"}
INGRID_FIELDS = {**FIELDS, "uid": "000000101", "first_names": "Ingrid",
                 "last_name": "Grossmann", "birth_day": "14", "birth_month": "08",
                 "birth_year": "1963"}
CYRILLIC_A = "\u0430"


@pytest.fixture(autouse=True)
def no_fill_delay(monkeypatch):
    monkeypatch.setattr(journey, "MIN_FILL_SECONDS", 0)


def typing(fields: dict, address: str) -> dict:
    return {**fields, "email": address, "email_confirm": address}


async def registers(client, fields: dict) -> int:
    """The status of Verify with these fields (303: matched, on to the questions)."""
    return (await Visitor(client).verify(fields)).status_code


@pytest.mark.parametrize(("typed", "held"), [
    ("ingrid.großmann@example.org", "ingrid.grossmann@example.org"),  # ß is not ss
    ("ingrid@straße-post.example", "ingrid@strasse-post.example"),  # another IDNA domain
    (f"ingrid.grossm{CYRILLIC_A}nn@example.org", "ingrid.grossmann@example.org"),
    (f"ingrid.grossmann@ex{CYRILLIC_A}mple.org", "ingrid.grossmann@example.org"),
    ("ingrid.grossmann@example.org\u200b", "ingrid.grossmann@example.org"),  # zero width
    ("İngrid.grossmann@example.org", "ingrid.grossmann@example.org"),  # dotted capital I
    ("ingrid.grossmann@example.org.", "ingrid.grossmann@example.org"),
])
async def test_a_look_alike_address_does_not_match_and_receives_nothing(client, typed, held):
    await make_member(**{**INGRID, "email": held})
    assert await registers(client, typing(INGRID_FIELDS, typed)) == 422
    assert not await OutboxMail.exists()


async def test_the_registry_address_matches_in_any_ascii_case(client):
    await make_member(**INGRID)
    assert await registers(client, typing(INGRID_FIELDS, "Ingrid.Grossmann@EXAMPLE.org")) == 303


async def test_the_link_goes_to_the_registry_spelling_never_the_typed_one(client):
    await make_member(email="Marie-Josee.Payet@example.com")
    visitor = Visitor(client)
    fields = typing(FIELDS, "marie-josee.payet@EXAMPLE.COM")
    await visitor.ready(fields)
    assert (await visitor.register(fields)).status_code == 303
    mail = await OutboxMail.get(template="set_password")
    assert mail.to == "Marie-Josee.Payet@example.com"
    assert (await Account.get()).email == "Marie-Josee.Payet@example.com"


async def test_change_email_to_a_look_alike_is_refused(client):
    client.headers["Accept-Language"] = "en"
    await make_member()
    visitor = Visitor(client)
    await visitor.ready()
    await visitor.register()
    member = await (await Account.get()).member
    member.email = "claire@strasse-post.example"
    await member.save()
    await AttemptCounter.filter(key__startswith="resend:").delete()
    for typed in ("claire@straße-post.example", f"cl{CYRILLIC_A}ire@strasse-post.example"):
        response = await visitor.post("/mss/register/email", typing({}, typed))
        assert response.status_code == 422
        assert "not the one the Fund has on record" in text_of(response.text)
    assert await OutboxMail.filter(template="set_password").count() == 1  # the first only
    moved = await visitor.post("/mss/register/email", typing({}, "Claire@Strasse-Post.example"))
    assert moved.status_code == 303
    last = await OutboxMail.filter(template="set_password").order_by("-id").first()
    assert last.to == "claire@strasse-post.example"


def test_one_rule_for_every_comparison():
    assert normalize_email(" Marie-Josee.Payet@EXAMPLE.com ") == "marie-josee.payet@example.com"
    assert normalize_email("x@Straße-Post.example") == "x@xn--strae-post-83a.example"
    assert normalize_email("ingrid.großmann@example.org") != "ingrid.grossmann@example.org"
    assert normalize_email("ÉLODIE@example.org") == "Élodie@example.org"  # ASCII letters only
    assert normalize_email("") == ""
