"""Identity verification: registry match, questions, suggestions, lenient answers, lockout."""

import asyncio
from datetime import date

import pytest

from web.i18n import use_language
from web.portals.mss import service
from web.registry.models import Member
from web.security import limits
from web.security.models import AuditEvent

committed = limits.committed  # the step handlers run the service in one transaction
check_answer = committed(service.check_answer)

CLIENT = "198.51.100.9"


async def make_member(**changes) -> Member:
    values = {
        "portal": "mss",
        "identifier": "000123456",
        "last_name": "N'Diaye",
        "first_names": "Aïssatou",
        "birth_date": date(1980, 5, 17),
        "email": "aissatou.ndiaye@example.org",
        "facts": {"employer": "Global Health Office", "duty_country": "SN", "entry_year": 2004},
    }
    return await Member.create(**{**values, **changes})


def identity(**changes) -> service.Identity:
    values = {
        "uid": "000 123 456",
        "first_names": "AISSATOU",
        "last_name": "ndiaye",
        "birth_date": date(1980, 5, 17),
        "email": "Aissatou.Ndiaye@Example.org",
    }
    return service.Identity(**{**values, **changes})


async def test_match_is_lenient_on_case_accents_spaces_and_apostrophes(db):
    member = await make_member()
    assert (await committed(service.match_identity)(identity(), CLIENT)).pk == member.pk


@pytest.mark.parametrize(
    "changes",
    [
        {"uid": "000123457"},
        {"first_names": "Aminata"},
        {"last_name": "Diallo"},
        {"birth_date": date(1980, 5, 18)},
        {"email": "other@example.org"},
    ],
)
async def test_any_mismatch_is_the_same_exception(db, changes):
    await make_member()
    with pytest.raises(service.Mismatch) as raised:
        await committed(service.match_identity)(identity(**changes), CLIENT)
    assert raised.value.locked is None  # not locked yet


async def test_member_without_email_on_record_never_matches(db):
    await make_member(email="")
    with pytest.raises(service.Mismatch):
        await committed(service.match_identity)(identity(email=""), CLIENT)


async def test_member_without_enough_facts_cannot_verify_online(db):
    await make_member(facts={"employer": "Global Health Office"})
    with pytest.raises(service.CannotVerify):
        await committed(service.match_identity)(identity(), CLIENT)


async def test_three_mismatches_lock_the_member_and_the_client(db):
    await make_member()
    for _attempt in range(3):
        with pytest.raises(service.Mismatch) as raised:
            await committed(service.match_identity)(identity(last_name="Wrong"), CLIENT)
    assert raised.value.locked is not None  # the third one locks
    with pytest.raises(limits.Locked):  # the right details, from another client: member locked
        await committed(service.match_identity)(identity(), "203.0.113.99")
    with pytest.raises(limits.Locked):  # another UID from the same client: client locked
        await committed(service.match_identity)(identity(uid="000999999"), CLIENT)
    events = await AuditEvent.filter(event="verification_locked").count()
    assert events >= 1
    assert await AuditEvent.filter(event="verification_failed").count() == 3


async def test_questions_come_from_the_registry_facts(db):
    member = await make_member()
    assert service.question_facts(member) == ["employer", "duty_country"]
    partial = await make_member(
        identifier="000000001", facts={"duty_country": "FR", "entry_year": 1999}
    )
    assert service.question_facts(partial) == ["duty_country", "entry_year"]
    with use_language("fr"):
        assert service.question_text("employer") == (
            "Quel est le nom de votre organisme employeur actuel ?"
        )


async def test_suggestions_hold_the_answer_and_are_stable(db):
    member = await make_member()
    for fact, right in (("employer", "Global Health Office"), ("entry_year", "2004")):
        first = await service.suggestions(member, fact, "secret")
        assert right in first and len(first) == service.SUGGESTIONS
        assert await service.suggestions(member, fact, "secret") == first
    with use_language("fr"):
        countries = await service.suggestions(member, "duty_country", "secret")
        assert "Sénégal" in countries and len(countries) == service.SUGGESTIONS
    with use_language("en"):
        assert "Senegal" in await service.suggestions(member, "duty_country", "secret")


REGISTRY_EMPLOYERS = [f"Fonds régional numéro {n}" for n in range(1, 31)]
NEWCOMER = {"employer": "Caisse des marins du Nord", "duty_country": "SN"}
REGISTRY_COUNTRIES = ["KE", "CH", "IT", "LB", "CN", "AT", "CL", "MG", "HT", "TH", "ET", "FR"] + [
    "BR", "IN", "JP", "MX", "NG", "PK", "PE", "NO", "SE", "DK", "ES", "PT"]


async def make_others(employers, countries=("KE",), *, portal="mss", first=1) -> None:
    for n, employer in enumerate(employers, first):
        country = countries[n % len(countries)]
        facts = {"employer": employer, "duty_country": country, "entry_year": 1990}
        await make_member(portal=portal, identifier=f"{n:09d}", facts=facts)


async def test_employer_decoys_are_other_members_employers(db):
    """An employer imported from a real registry must not stand out among fictional ones."""
    await make_others(REGISTRY_EMPLOYERS[:10])
    member = await make_member(facts=NEWCOMER)
    await make_others(REGISTRY_EMPLOYERS[10:], first=100)
    await make_others(["Bureau d'un autre portail"] * 5, portal="espace-prive", first=200)
    shown = await service.suggestions(member, "employer", "secret")
    assert len(shown) == service.SUGGESTIONS and "Caisse des marins du Nord" in shown
    assert set(shown) - {"Caisse des marins du Nord"} <= set(REGISTRY_EMPLOYERS)


async def test_a_small_registry_is_topped_up_from_the_fixed_list(db):
    await make_others(["Fonds régional numéro 1", "Fonds régional numéro 2"])
    member = await make_member(facts=NEWCOMER)
    shown = await service.suggestions(member, "employer", "secret")
    assert len(shown) == service.SUGGESTIONS
    assert {"Fonds régional numéro 1", "Fonds régional numéro 2"} < set(shown)
    assert len(set(shown) & set(service.ORGANISATIONS)) == service.SUGGESTIONS - 3


async def test_the_answer_and_each_decoy_show_once_whatever_the_spelling(db):
    await make_others(
        ["GLOBAL HEALTH OFFICE", "Global-Health Office", "Coastal Fisheries Council"]
        + ["COASTAL FISHERIES COUNCIL", "coastal fisheries  council"]
    )
    member = await make_member()
    shown = await service.suggestions(member, "employer", "secret")
    keys = [service.answer_key("employer", value) for value in shown]
    assert len(keys) == len(set(keys)) == service.SUGGESTIONS
    assert "Global Health Office" in shown  # the member's own spelling
    assert "Coastal Fisheries Council" in shown


async def test_decoys_read_a_bounded_window_of_the_registry(db, monkeypatch):
    monkeypatch.setattr(service, "WINDOW", 4)
    await make_others(REGISTRY_EMPLOYERS)
    member = await make_member(facts=NEWCOMER)
    shown = await service.suggestions(member, "employer", "secret")
    assert len(set(shown) & set(REGISTRY_EMPLOYERS)) == 4
    assert len(set(shown) & set(service.ORGANISATIONS)) == service.SUGGESTIONS - 5


async def test_decoys_stay_the_same_as_the_registry_grows(db, monkeypatch):
    """Retries after each import must not let an attacker intersect lists to find the
    answer; the keyed seed still makes each member's list their own."""
    monkeypatch.setattr(service, "WINDOW", 12)  # filled by the members imported before
    await make_others(REGISTRY_EMPLOYERS[:15], REGISTRY_COUNTRIES)
    member = await make_member(identifier="000777000")
    before = {
        fact: await service.suggestions(member, fact, "secret")
        for fact in ("employer", "duty_country")
    }
    await make_others(REGISTRY_EMPLOYERS[15:] + ["Nouvel office"] * 3, ["PE", "NO"], first=500)
    for fact, shown in before.items():
        assert await service.suggestions(member, fact, "secret") == shown
    assert await service.suggestions(member, "employer", "other-key") != before["employer"]


async def test_country_decoys_are_registry_countries_first(db):
    await make_others(["Office"] * len(REGISTRY_COUNTRIES), REGISTRY_COUNTRIES)
    member = await make_member()
    with use_language("en"):
        shown = await service.suggestions(member, "duty_country", "secret")
    registry_names = {service.countries("en")[code] for code in REGISTRY_COUNTRIES}
    assert "Senegal" in shown and set(shown) - {"Senegal"} <= registry_names


async def test_country_decoys_avoid_places_no_one_is_posted_to(db):
    member = await make_member()
    remote = {service.countries("en")[code] for code in ("AQ", "BV", "HM", "TF", "UM", "PN")}
    with use_language("en"):
        for key in range(40):
            shown = await service.suggestions(member, "duty_country", f"key-{key}")
            assert not remote & set(shown), shown


async def test_entry_years_run_from_sixteen_to_this_year(db):
    member = await make_member(birth_date=date(1990, 5, 17), facts={"entry_year": 2010})
    years = set()
    for key in range(40):
        shown = await service.suggestions(member, "entry_year", f"key-{key}")
        assert "2010" in shown
        years |= {int(year) for year in shown}
    assert min(years) >= 2006 and max(years) <= date.today().year
    assert 2006 in years  # the whole range is used


async def test_a_young_member_gets_the_few_years_there_are(db):
    this_year = date.today().year
    member = await make_member(
        birth_date=date(this_year - 18, 1, 1), facts={"entry_year": this_year - 1}
    )
    shown = await service.suggestions(member, "entry_year", "secret")
    assert shown == [str(year) for year in range(this_year - 2, this_year + 1)]


@pytest.mark.parametrize(
    ("fact", "answer", "right"),
    [
        ("employer", "global health office", True),
        ("employer", "  GLOBAL-HEALTH  OFFICE ", True),
        ("employer", "Glôbal Health Office", True),
        ("employer", "Office for Disaster Relief", False),
        ("employer", "", False),
        ("employer", "<script>", False),
        ("duty_country", "Sénégal", True),
        ("duty_country", "senegal", True),
        ("duty_country", "SN", True),
        ("duty_country", "France", False),
        ("entry_year", "2004", True),
        ("entry_year", " 2004 ", True),
        ("entry_year", "2005", False),
    ],
)
async def test_answers_are_compared_leniently(db, fact, answer, right):
    member = await make_member()
    assert service.answer_matches(member, fact, answer) is right


async def test_three_wrong_answers_lock_out(db):
    member = await make_member()
    first = await check_answer(member, "employer", "Wrong", CLIENT)
    assert first.right is False and first.attempts_left == 2
    assert (await check_answer(member, "employer", "Wrong", CLIENT)).right is False
    with pytest.raises(limits.Locked) as locked:
        await check_answer(member, "employer", "Wrong", CLIENT)
    assert 29 * 60 < locked.value.retry_after <= 30 * 60
    with pytest.raises(limits.Locked):
        await check_answer(member, "employer", "Global Health Office", CLIENT)


async def test_passing_clears_the_member_count(db):
    member = await make_member()
    await check_answer(member, "employer", "Wrong", CLIENT)

    @committed  # as the step does: the right answer, then passed, in one transaction
    async def answer_right() -> None:
        right = await service.check_answer(member, "employer", "Global Health Office", CLIENT)
        await service.passed(member, CLIENT, right)

    await answer_right()
    keys = service.verification_keys(member.identifier, CLIENT)
    assert await limits.failures(keys[0]) == 0
    assert await AuditEvent.filter(event="verification_passed").exists()


def test_fingerprint_ignores_case_spaces_and_accents():
    assert (
        identity().fingerprint
        == identity(uid="000123456", first_names="Aïssatou", last_name="N'Diaye").fingerprint
    )
    assert identity().fingerprint != identity(email="other@example.org").fingerprint


async def test_answers_sent_all_at_once_try_no_more_than_three(db):
    """A burst of guesses (every suggestion at once) cannot outrun the count."""
    member = await make_member()
    guesses = ["Wrong"] * 15 + [member.facts["employer"]]

    async def guess(answer: str) -> str:
        try:
            answered = await check_answer(member, "employer", answer, CLIENT)
        except limits.Locked:
            return "locked"
        return "right" if answered.right else "wrong"

    outcomes = await asyncio.gather(*(guess(answer) for answer in guesses))
    assert outcomes.count("wrong") + outcomes.count("right") <= limits.VERIFICATION_MEMBER.limit
    assert "right" not in outcomes[limits.VERIFICATION_MEMBER.limit :]


def test_country_names_are_gathered_once_per_language():
    with use_language("fr"):
        french = service.countries()
        assert service.countries() is french  # not gathered again from babel at each call
    assert french["SN"] == "Sénégal" and service.countries("en")["SN"] == "Senegal"
    with pytest.raises(TypeError):
        french["SN"] = "changed"  # shared by every request: read-only
