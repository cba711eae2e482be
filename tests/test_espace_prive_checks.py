"""What the espace-prive journey accepts: NIR, SIRET, mobile, IBAN, serial, date vs NIR."""

from __future__ import annotations

from datetime import date

import pytest

from web.i18n import use_language
from web.portals.espace_prive import checks
from web.portals.espace_prive.checks import Invalid

HOSTILE = [
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\x00\x01",
    "١٢٣",
    "你好世界",
    "x" * 10_000,
    "\u202e1850578006084",
]


def problem(clean, value: str, language: str = "en") -> str:
    with use_language(language), pytest.raises(Invalid) as raised:
        clean(value)
    return str(raised.value)


@pytest.mark.parametrize(
    ("typed", "nir"),
    [
        ("1850578006084", "1850578006084"),
        ("1 85 05 78 006 084", "1850578006084"),
        ("  1 85 05 78 006 084 ", "1850578006084"),
        ("1.85.05.78.006.084", "1850578006084"),
        ("185057800608491", "1850578006084"),  # pasted with its right key: key removed
        ("1 85 05 78 006 084 91", "1850578006084"),
        ("1 62 08 2A 004 017", "162082A004017"),  # Corsica
        ("1 62 08 2a 004 017", "162082A004017"),
        ("2 74 12 2B 033 005", "274122B033005"),
        ("١٨٥٠٥٧٨٠٠٦٠٨٤", "1850578006084"),  # Arabic-Indic digits
        ("１８５０５７８００６０８４", "1850578006084"),  # full-width digits
        ("1855078006084", "1855078006084"),  # month 50+: incomplete civil status
        ("1852078006084", "1852078006084"),  # month 20: unknown
        ("1853578006084", "1853578006084"),  # months 30-42
        ("1854278006084", "1854278006084"),
        ("1859978006084", "1859978006084"),
        ("3850578006084", "3850578006084"),  # 3, 4: civil status being set up
        ("4850578006084", "4850578006084"),
        ("7850578006084", "7850578006084"),  # 7, 8: temporary numbers
        ("8850578006084", "8850578006084"),
    ],
)
def test_nir_accepted(typed, nir):
    assert checks.clean_nir(typed) == nir


def test_nir_key_really_checked():
    from stdnum.fr import nir

    assert nir.calc_check_digits("1850578006084") == "91"
    assert "key" in problem(checks.clean_nir, "185057800608492")
    assert "la clé" in problem(checks.clean_nir, "185057800608492", "fr")


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "Enter your social security number."),
        ("   ", "Enter your social security number."),
        ("185057800608", "(you entered 12)"),
        ("18505780060841", "(you entered 14)"),
        ("1850578006084912", "(you entered 16)"),
        ("1851378006084", "month of birth: 13 is not possible"),
        ("1850078006084", "month of birth: 00 is not possible"),
        ("1851978006084", "month of birth: 19 is not possible"),
        ("1852578006084", "month of birth: 25 is not possible"),
        ("1854378006084", "month of birth: 43 is not possible"),
        ("1854978006084", "month of birth: 49 is not possible"),
        ("5850578006084", "is 1, 2, 3, 4, 7 or 8, not 5."),
        ("0850578006084", "is 1, 2, 3, 4, 7 or 8, not 0."),
        ("9850578006084", "is 1, 2, 3, 4, 7 or 8, not 9."),
        ("1850A78006084", "only the 6th and 7th characters may be letters"),
        ("185052C006084", "only digits (and A or B for Corsica)"),
        ("18505780060AB", "only the 6th and 7th characters may be letters"),
        ("1-85-05-78-006-0x4", "only digits"),
    ],
)
def test_nir_refused_precisely(typed, says):
    assert says in problem(checks.clean_nir, typed)


@pytest.mark.parametrize("typed", HOSTILE)
def test_nir_hostile(typed):
    assert problem(checks.clean_nir, typed)
    assert problem(checks.clean_nir, typed, "fr")


def test_nir_messages_in_french():
    assert problem(checks.clean_nir, "", "fr").startswith("Saisissez votre numéro de Sécurité")


# What the messages say is accepted; the tests below hold the code to it.
SAID_FIRST_DIGITS = {1, 2, 3, 4, 7, 8}
SAID_MONTHS = {*range(1, 13), 20, *range(30, 43), *range(50, 100)}


def test_nir_first_digit_message_says_what_is_accepted():
    for digit in range(10):
        number = f"{digit}850578006084"
        if digit in SAID_FIRST_DIGITS:
            assert checks.clean_nir(number) == number
        else:
            assert problem(checks.clean_nir, number) == (
                f"The first digit of a social security number is 1, 2, 3, 4, 7 or 8, not {digit}."
            )
            assert problem(checks.clean_nir, number, "fr") == (
                "Le premier chiffre d'un numéro de Sécurité sociale est 1, 2, 3, 4, 7 ou 8, "
                f"et non {digit}."
            )


def test_nir_month_message_says_what_is_accepted():
    for month in range(100):
        number = f"185{month:02d}78006084"
        if month in SAID_MONTHS:
            assert checks.clean_nir(number) == number
        else:
            assert problem(checks.clean_nir, number) == (
                f"The 4th and 5th digits give the month of birth: {month:02d} is not possible. "
                "They are 01 to 12; when the month of birth is unknown, 20, 30 to 42 or 50 to 99."
            )
            assert problem(checks.clean_nir, number, "fr") == (
                f"Les 4e et 5e chiffres donnent le mois de naissance : {month:02d} n'est pas "
                "possible. Ils vont de 01 à 12 ; si le mois de naissance est inconnu, ils valent "
                "20, ou vont de 30 à 42 ou de 50 à 99."
            )


@pytest.mark.parametrize(
    ("nir", "born", "says"),
    [
        ("1850578006084", date(1985, 5, 1), None),
        ("1850578006084", date(1986, 5, 1), "year of birth (1986)"),
        ("1850578006084", date(1985, 6, 1), "month of birth (06)"),
        ("1855078006084", date(1985, 11, 30), None),  # the number does not say the month
        ("2000229381111", date(2000, 2, 29), None),  # year 00
        ("2310924322008", date(1931, 9, 23), None),
    ],
)
def test_birth_date_against_nir(nir, born, says):
    with use_language("en"):
        found = checks.birth_date_problem(nir, born)
    assert (found is None) if says is None else (says in found)


def test_siret():
    assert checks.clean_siret("732 829 320 00074") == "73282932000074"
    assert "14 digits (you entered 13)" in problem(checks.clean_siret, "7328293200007")
    assert "not valid" in problem(checks.clean_siret, "73282932000075")
    assert "only digits" in problem(checks.clean_siret, "7328293200007A")
    assert problem(checks.clean_siret, "") == "Enter your SIRET number."
    for typed in HOSTILE:
        assert problem(checks.clean_siret, typed)


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("07 56 12 34 56", "+33756123456"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0033 6 12 34 56 78", "+33612345678"),
        ("0690 12 34 56", "+590690123456"),  # Guadeloupe / Saint-Barthélemy
        ("0692 65 43 21", "+262692654321"),  # Réunion
        ("0696 12 34 56", "+596696123456"),  # Martinique
        ("0694 20 12 34", "+594694201234"),  # Guyane
        ("0639 40 12 34", "+262639401234"),  # Mayotte
        ("+590 690 12 34 56", "+590690123456"),
        ("+44 7911 123456", "+447911123456"),
        ("+221 77 123 45 67", "+221771234567"),
        ("(06) 12-34-56-78", "+33612345678"),
    ],
)
def test_mobile_accepted(typed, e164):
    assert checks.clean_mobile(typed) == e164


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "Enter your mobile phone number."),
        ("01 23 45 67 89", "not a mobile phone number"),  # a landline
        ("+33 1 23 45 67 89", "not a mobile phone number"),
        ("0590 27 12 34", "not a mobile phone number"),  # a Guadeloupe landline
        ("06 12 34", "not a valid phone number"),
        ("+999 123456", "not a valid phone number"),
        ("06 12 34 56 7a", "digits only"),
        ("<script>", "digits only"),
        ("x" * 10_000, "digits only"),
        ("0" * 40, "digits only"),
    ],
)
def test_mobile_refused(typed, says):
    assert says in problem(checks.clean_mobile, typed)


def test_iban_and_serial():
    assert checks.clean_iban("fr76 3000 6000 0112 3456 7890 189") == "FR7630006000011234567890189"
    assert "not valid" in problem(checks.clean_iban, "FR76 3000 6000 0112 3456 7890 188")
    assert "only letters and digits" in problem(checks.clean_iban, "FR76-3000/6000")
    assert "only letters and digits" in problem(checks.clean_iban, "你好")
    assert (
        problem(checks.clean_iban, "") == "Enter the IBAN of the account your benefits are paid to."
    )
    assert checks.clean_serial("802 500 002") == "802500002"
    assert "8 to 12 digits" in problem(checks.clean_serial, "1234")
    assert "8 to 12 digits" in problem(checks.clean_serial, "80250000A")
    for typed in HOSTILE:
        assert problem(checks.clean_iban, typed)
        assert problem(checks.clean_serial, typed)


def test_formats():
    assert checks.format_nir("1850578006084") == "1 85 05 78 006 084"
    assert checks.format_siret("73282932000074") == "732 829 320 00074"
    assert checks.format_mobile("+590690123456") == "+590 690 12 34 56"
