"""Matching what a visitor typed against the registry (SPEC §1)."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from web.registry.matching import (
    find_member,
    looks_like_a_name,
    normalize_email,
    normalize_identifier,
    normalize_name,
    same_name,
)
from web.registry.models import Member

SEPARATORS = list(" -'\u2019\u2018\u02bc.\u00a0\u2010\u2011\u2012\u2013\u2014\u2212")
latin = st.text(
    alphabet=st.characters(codec="latin-1", categories=("Lu", "Ll"), exclude_characters="µ"),
    min_size=1,
    max_size=30,
)
arabic = st.text(
    alphabet=st.characters(min_codepoint=0x0628, max_codepoint=0x064A, categories=("Lo",)),
    min_size=1,
    max_size=12,
)
chinese = st.text(
    alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=6
)


# --- names ----------------------------------------------------------------------------------


@given(st.text(max_size=60))
def test_normalize_name_is_idempotent(value):
    once = normalize_name(value)
    assert normalize_name(once) == once


@given(latin)
def test_names_compare_case_insensitively(name):
    assert same_name(name.upper(), name)
    assert same_name(name.lower(), name.title())


@given(latin)
def test_names_compare_accent_insensitively(name):
    bare = "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c))
    assert same_name(bare, name)
    assert same_name(unicodedata.normalize("NFD", name), unicodedata.normalize("NFC", name))


@given(latin, latin, st.sampled_from(SEPARATORS))
def test_separators_are_ignored(first, second, separator):
    assert same_name(first + separator + second, first + second)
    assert same_name(f" {first}{separator}{separator}{second} ", first + second)


@given(st.one_of(arabic, chinese))
def test_non_latin_names_match_themselves_and_do_not_vanish(name):
    assert normalize_name(name) != ""
    assert same_name(name, name)
    assert same_name(f"  {name} ", name)


@given(chinese, chinese)
def test_different_chinese_names_differ(first, second):
    assert same_name(first, second) == (first == second)


@given(st.text(alphabet="".join(SEPARATORS) + "\t\n", max_size=10))
def test_separator_only_or_empty_names_never_match(value):
    assert not same_name(value, value)
    assert not same_name(value, "")


@pytest.mark.parametrize(
    ("typed", "registry"),
    [
        ("N'Diaye", "ndiaye"),
        ("ndiaye", "N\u2019Diaye"),
        ("N DIAYE", "N'Diaye"),
        ("Lefèvre-Dupont", "LEFEVRE DUPONT"),
        ("lefevre dupont", "Lefèvre-Dupont"),
        ("Hélène", "HELENE"),
        ("helene", "He\u0301le\u0300ne"),  # decomposed accents
        ("Grossmann", "Großmann"),
        ("Jean Baptiste Marie", "Jean-Baptiste Marie"),
        ("de la tour dauvergne", "de La Tour d'Auvergne"),
        ("Nguyen", "Nguyễn"),
        ("Thi Minh Khai", "Thị Minh Khai"),
        ("Oconnor", "O'Connor"),
        ("Sean", "Seán"),
        ("يوسف", "يوسف"),
        ("بن صالح", "بن صالح"),
        ("王", "王"),
    ],
)
def test_names_that_match(typed, registry):
    assert same_name(typed, registry)


@pytest.mark.parametrize(
    ("typed", "registry"),
    [
        ("Lefèvre", "Lefèvre-Dupont"),
        ("Diaye", "N'Diaye"),
        ("Youssef", "يوسف"),
        ("Wang", "王"),
        ("王芳", "王"),
        ("", "Dupont"),
        ("Dupont", ""),
        ("Dupond", "Dupont"),
    ],
)
def test_names_that_do_not_match(typed, registry):
    assert not same_name(typed, registry)


@pytest.mark.parametrize(
    ("typed", "registry"),
    [
        ("Lukasz", "Łukasz"),
        ("LUKASZ", "łukasz"),
        ("Dang", "Đặng"),
        ("dang", "đặng"),
        ("Laetitia", "Lætitia"),
        ("LAETITIA", "LÆTITIA"),
        ("Oeuvray", "Œuvray"),
        ("oeuvray", "œuvray"),
        ("Gross", "Groß"),
        ("GROSS", "GROẞ"),
        ("Sorensen", "Sørensen"),
        ("SORENSEN", "SØRENSEN"),
        ("Thorsdottir", "Þórsdóttir"),
        ("Gudmundsdottir", "Guðmundsdóttir"),
        ("Jean-Pierre", "Jean\u2013Pierre"),  # en dash
        ("Jean-Pierre", "Jean\u2014Pierre"),  # em dash
        ("Jean-Pierre", "Jean\u2011Pierre"),  # non-breaking hyphen
    ],
)
def test_letters_without_a_decomposition_are_transliterated(typed, registry):
    """Ł, Đ, Æ, Œ, ß, Ø, Þ, Ð do not decompose into a base letter and an accent: typed on a
    keyboard without them, they are written as their usual Latin letters."""
    assert same_name(typed, registry)
    assert normalize_name(registry).isascii()


def test_normalize_handles_none_and_hostile_input():
    assert normalize_name(None) == ""
    assert normalize_name("x" * 10_000) == "x" * 10_000
    assert normalize_name("<script>") == "<script>"
    assert normalize_identifier(None) == ""
    assert normalize_email(None) == ""


# --- identifiers and emails ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [
        ("000 123 456", "000123456"),
        (" 000123456\t", "000123456"),
        ("1 62 08 2a 004 017", "162082A004017"),
        ("2\u00a074\u00a012 2B 033 005", "274122B033005"),
    ],
)
def test_identifiers_lose_spaces_and_keep_leading_zeros(typed, normalized):
    assert normalize_identifier(typed) == normalized


def test_emails_compare_case_insensitively():
    assert normalize_email(" Marie-Josee.Payet@Example.COM ") == "marie-josee.payet@example.com"


# --- find_member ----------------------------------------------------------------------------


@pytest.fixture
async def members(db):
    helene = await Member.create(
        portal="mss",
        identifier="000123456",
        last_name="Lefèvre-Dupont",
        first_names="Hélène",
        birth_date=date(1968, 4, 12),
        email="Helene.Lefevre@example.org",
    )
    youssef = await Member.create(
        portal="mss",
        identifier="000987654",
        last_name="الحداد",
        first_names="يوسف",
        birth_date=date(1983, 9, 15),
        email="youssef@example.org",
    )
    corsican = await Member.create(
        portal="espace-prive",
        identifier="162082A004017",
        last_name="Santoni",
        first_names="Jean-Pierre",
        birth_date=date(1962, 8, 21),
    )
    return helene, youssef, corsican


HELENE = {
    "last_name": "Lefèvre-Dupont",
    "first_names": "Hélène",
    "birth_date": date(1968, 4, 12),
    "email": "Helene.Lefevre@example.org",
}


async def test_find_member_with_exact_values(members):
    found = await find_member("mss", "000123456", **HELENE)
    assert found is not None and found.id == members[0].id


async def test_find_member_is_forgiving_on_form_only(members):
    found = await find_member(
        "mss",
        " 000 123 456 ",
        last_name="LEFEVRE DUPONT",
        first_names="helene",
        birth_date=date(1968, 4, 12),
        email="  helene.lefevre@EXAMPLE.org",
    )
    assert found is not None and found.id == members[0].id


async def test_find_member_without_email_check(members):
    found = await find_member("mss", "000123456", **{**HELENE, "email": None})
    assert found is not None


@pytest.mark.parametrize(
    "change",
    [
        {"last_name": "Lefèvre"},
        {"last_name": "Dupont-Lefèvre"},
        {"first_names": "Helena"},
        {"first_names": ""},
        {"birth_date": date(1968, 4, 13)},
        {"birth_date": date(1968, 12, 4)},
        {"birth_date": None},
        {"email": "helene.lefevre@example.com"},
        {"email": ""},
    ],
)
async def test_find_member_answers_none_on_any_single_mismatch(members, change):
    assert await find_member("mss", "000123456", **{**HELENE, **change}) is None


@pytest.mark.parametrize(
    ("portal", "identifier"),
    [
        ("mss", "000123457"),
        ("mss", "123456"),  # leading zeros matter
        ("mss", ""),
        ("espace-prive", "000123456"),  # another portal's member
        ("unknown", "000123456"),
        ("mss", "' OR 1=1 --"),
        ("mss", "9" * 10_000),
        ("mss", "\x00"),
    ],
)
async def test_find_member_answers_none_for_unknown_identifiers(members, portal, identifier):
    assert await find_member(portal, identifier, **HELENE) is None


async def test_find_member_non_latin_and_corsican(members):
    youssef = await find_member(
        "mss",
        "000987654",
        last_name="الحداد",
        first_names="يوسف",
        birth_date=date(1983, 9, 15),
        email="youssef@example.org",
    )
    assert youssef is not None
    assert (
        await find_member(
            "mss",
            "000987654",
            last_name="Al-Haddad",
            first_names="Youssef",
            birth_date=date(1983, 9, 15),
            email="youssef@example.org",
        )
        is None
    )
    corsican = await find_member(
        "espace-prive",
        "1 62 08 2a 004 017",
        last_name="santoni",
        first_names="jean pierre",
        birth_date=date(1962, 8, 21),
    )
    assert corsican is not None and corsican.id == members[2].id


async def test_a_company_without_first_names_matches_none_typed(db):
    await Member.create(
        portal="espace-prive",
        identifier="73282932000017",
        last_name="Domaine des Trois Vallées",
        first_names="",
        birth_date=date(2009, 5, 18),
    )
    found = await find_member(
        "espace-prive",
        "732 829 320 00017",
        last_name="domaine des trois vallees",
        first_names=" ",
        birth_date=date(2009, 5, 18),
    )
    assert found is not None
    assert (
        await find_member(
            "espace-prive",
            "73282932000017",
            first_names="Jean",
            last_name="Domaine des Trois Vallées",
            birth_date=date(2009, 5, 18),
        )
        is None
    )
    assert (
        await find_member(
            "espace-prive",
            "73282932000017",
            first_names="",
            last_name="",
            birth_date=date(2009, 5, 18),
        )
        is None
    )


@pytest.mark.parametrize(
    "name",
    ["Jean–Pierre", "Jean—Pierre", "Lefèvre−Dupont", "O‘Connor", "N'Diaye", "D’Alembert",
     "Nguyễn Thị", "王", "بن صالح", "Þórsdóttir", "Marie-José de La Tour"],
)
def test_names_of_every_script_and_punctuation_look_like_names(name):
    assert looks_like_a_name(name)


@pytest.mark.parametrize("value", ["", "   ", "-'", "J3an", "<b>", "Jean_Pierre", "☺", "a\tb"])
def test_other_values_do_not_look_like_names(value):
    assert not looks_like_a_name(value)
