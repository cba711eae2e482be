"""CSV import of the registry (SPEC §6): streamed, idempotent, rejected rows reported."""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
from datetime import date
from pathlib import Path

import pytest

from web.i18n import use_language
from web.registry.importer import (
    BATCH_SIZE,
    COLUMNS,
    MAX_LINE_BYTES,
    ImportFailed,
    Rejection,
    import_members,
    read_rows,
)
from web.registry.models import Member

SAMPLE = Path(__file__).parent / "data" / "registry_sample.csv"
MSS_ROW = {
    "portal": "mss",
    "identifier": "000482913",
    "last_name": "Perrin",
    "first_names": "Anne",
    "birth_date": "1966-09-02",
    "email": "anne@example.org",
    "employer": "Agence bleue des océans",
    "duty_country": "KE",
    "entry_year": "1990",
}
PRIVE_ROW = {
    "portal": "espace-prive",
    "identifier": "162082A004017",
    "last_name": "Santoni",
    "first_names": "Jean-Pierre",
    "birth_date": "1962-08-21",
    "profile": "exploitant",
    "health_affiliated": "yes",
    "vitale_serial": "104725896",
    "vitale_kind": "no_photo",
    "iban": "FR7699990000010002345670242",
}
SIRET_ROW = {
    "portal": "espace-prive",
    "identifier": "73282932000017",
    "last_name": "Domaine des Trois Vallées",
    "first_names": "",
    "birth_date": "2009-05-18",
    "profile": "entreprise",
}


@pytest.fixture(autouse=True)
def english():
    """Reasons are asserted in English (the catalog default is French)."""
    with use_language("en"):
        yield


def write_csv(path: Path, rows: list[dict], *, columns=COLUMNS, bom: bool = False) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + buffer.getvalue().encode("utf-8"))
    return path


# --- good files -----------------------------------------------------------------------------


async def test_sample_file_imports_every_row_normalised(db):
    result = await import_members(SAMPLE)
    assert (result.created, result.updated, result.unchanged, result.rejected_count) == (6, 0, 0, 0)
    anne = await Member.get(portal="mss", identifier="000482913")
    assert anne.mobile == "+33648129033"
    assert anne.address == "3 rue du Lac\n1201 Genève\nSuisse"
    assert anne.facts == {
        "employer": "Agence bleue des océans",
        "duty_country": "KE",
        "entry_year": 1990,
    }
    kouame = await Member.get(portal="mss", identifier="000000318")
    assert kouame.email == "Kouame.MBala@example.net"  # domain lower-cased, local part kept
    assert kouame.language == "en"
    assert (await Member.get(portal="mss", identifier="004500019")).last_name == "李"
    corsican = await Member.get(portal="espace-prive", identifier="171032A041012")
    assert corsican.facts == {
        "profile": "exploitant",
        "health_affiliated": True,
        "vitale_serial": "311204578",
        "vitale_kind": "photo",
        "iban": "FR7699990000020000000001774",
    }
    guyane = await Member.get(portal="espace-prive", identifier="2991297302007")
    assert (guyane.email, guyane.mobile) == ("", "+594694203040")
    company = await Member.get(portal="espace-prive", identifier="44455566800219")
    assert (company.first_names, company.birth_date) == ("", date(2012, 6, 15))


async def test_reimport_changes_nothing_and_a_changed_row_is_updated(db, tmp_path):
    await import_members(SAMPLE)
    before = {m.identifier: m.imported_at for m in await Member.all()}
    again = await import_members(SAMPLE)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 6)
    assert {m.identifier: m.imported_at for m in await Member.all()} == before

    changed = write_csv(
        tmp_path / "changed.csv",
        [
            {
                **MSS_ROW,
                "last_name": "Perrin-Lacombe",
                "first_names": "Anne-Laure",
                "email": "new@example.org",
            }
        ],
    )
    result = await import_members(changed)
    assert (result.created, result.updated) == (0, 1)
    assert (await Member.get(identifier="000482913")).email == "new@example.org"
    assert await Member.all().count() == 6


async def test_byte_order_mark_and_crlf_are_accepted(db, tmp_path):
    path = write_csv(tmp_path / "bom.csv", [MSS_ROW, PRIVE_ROW, SIRET_ROW], bom=True)
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    result = await import_members(path)
    assert (result.created, result.rejected_count) == (3, 0)


async def test_columns_in_any_order_and_optional_ones_left_out(db, tmp_path):
    columns = [
        "birth_date",
        "identifier",
        "portal",
        "first_names",
        "last_name",
        "employer",
        "duty_country",
        "entry_year",
        "email",
    ]
    path = write_csv(tmp_path / "few.csv", [MSS_ROW], columns=columns)
    result = await import_members(path)
    assert result.created == 1
    member = await Member.get(identifier="000482913")
    assert (member.mobile, member.address, member.language) == ("", "", "fr")


async def test_a_later_row_for_the_same_member_updates_it(db, tmp_path):
    path = write_csv(
        tmp_path / "twice.csv",
        [MSS_ROW, {**MSS_ROW, "identifier": "000 482 913", "email": "second@example.org"}],
    )
    result = await import_members(path)
    assert (result.created, result.updated) == (1, 1)
    assert (await Member.get(identifier="000482913")).email == "second@example.org"


async def test_hostile_but_harmless_text_is_stored_as_is(db, tmp_path):
    path = write_csv(
        tmp_path / "hostile.csv",
        [
            {**MSS_ROW, "last_name": "<script>alert(1)</script>", "first_names": "' OR 1=1 --"},
        ],
    )
    assert (await import_members(path)).created == 1
    member = await Member.get(identifier="000482913")
    assert member.last_name == "<script>alert(1)</script>"
    assert member.first_names == "' OR 1=1 --"


# --- bad rows -------------------------------------------------------------------------------


BAD_ROWS = [
    ({"portal": "other"}, "portal: expected mss or espace-prive"),
    ({"portal": ""}, "portal: expected mss or espace-prive"),
    ({"identifier": ""}, "identifier is required"),
    ({"identifier": "12345678"}, "identifier: a UID has 9 digits"),
    ({"identifier": "0001234567"}, "identifier: a UID has 9 digits"),
    ({"identifier": "00012345A"}, "identifier: a UID has 9 digits"),
    ({"identifier": "１２３４５６７８９"}, "identifier: a UID has 9 digits"),
    ({"identifier": "9" * 10_000}, "identifier is too long (at most 32 characters)"),
    ({"last_name": ""}, "last_name is required"),
    ({"last_name": "x" * 201}, "last_name is too long (at most 200 characters)"),
    ({"last_name": "---"}, "last_name must contain letters"),
    ({"last_name": "Nul\x00Byte"}, "last_name contains control characters"),
    ({"first_names": "Ann\u202eA"}, "first_names contains control characters"),
    ({"first_names": ""}, "first_names is required"),
    ({"birth_date": ""}, "birth_date: expected a date such as 1970-01-31"),
    ({"birth_date": "02/09/1966"}, "birth_date: expected a date such as 1970-01-31"),
    ({"birth_date": "19660902"}, "birth_date: expected a date such as 1970-01-31"),
    ({"birth_date": "1966-02-30"}, "birth_date: expected a date such as 1970-01-31"),
    ({"birth_date": "2999-01-01"}, "birth_date: not a plausible date"),
    ({"email": "not-an-email"}, "email: not a valid email address"),
    ({"email": "a@b@example.org"}, "email: not a valid email address"),
    ({"email": "x" * 321}, "email is too long (at most 320 characters)"),
    ({"mobile": "12"}, "mobile: not a valid mobile number"),
    ({"mobile": "+33 1 23 45 67 89"}, "mobile: not a valid mobile number"),  # a landline
    ({"mobile": "call me"}, "mobile: not a valid mobile number"),
    ({"address": "a\x07b"}, "address contains control characters"),
    ({"address": "x" * 1001}, "address is too long (at most 1000 characters)"),
    ({"language": "de"}, "language: expected fr or en"),
    ({"employer": ""}, "employer is required"),
    ({"duty_country": "Kenya"}, "duty_country: expected a country code such as KE"),
    ({"duty_country": "QQ"}, "duty_country: expected a country code such as KE"),
    ({"entry_year": "98"}, "entry_year: expected a year such as 1998"),
    ({"entry_year": "1950"}, "entry_year: expected a year such as 1998"),  # before birth
]
PRIVE_BAD_ROWS = [
    ({"identifier": "162082A00401"}, "identifier: expected a social security number"),
    ({"identifier": "162082C004017"}, "identifier: expected a social security number"),
    ({"identifier": "562082A004017"}, "identifier: expected a social security number"),
    ({"identifier": "162132A004017"}, "identifier: expected a social security number"),
    ({"identifier": "162082A00401A"}, "identifier: expected a social security number"),
    ({"identifier": "73282932000018"}, "identifier: expected a social security number"),
    ({"birth_date": "1963-08-21"}, "does not agree with birth_date"),
    ({"birth_date": "1962-09-21"}, "does not agree with birth_date"),
    ({"profile": "entreprise"}, "identifier: the entreprise profile needs a SIRET"),
    ({"profile": ""}, "profile: expected one of exploitant, entreprise"),
    ({"profile": "autre"}, "profile: expected one of exploitant, entreprise"),
    ({"health_affiliated": "maybe"}, "health_affiliated: expected yes or no"),
    ({"vitale_serial": "12ab56789"}, "vitale_serial: expected 6 to 20 digits"),
    ({"vitale_kind": ""}, "vitale_kind: expected one of photo, no_photo"),
    ({"iban": "FR7699990000010002345670243"}, "iban: not a valid IBAN"),
    ({"iban": "' OR 1=1 --"}, "iban: not a valid IBAN"),
]


@pytest.mark.parametrize(("change", "reason"), BAD_ROWS)
async def test_a_bad_mss_row_is_rejected_with_its_reason(db, tmp_path, change, reason):
    await _assert_rejected(tmp_path, {**MSS_ROW, **change}, reason)


@pytest.mark.parametrize(("change", "reason"), PRIVE_BAD_ROWS)
async def test_a_bad_espace_prive_row_is_rejected_with_its_reason(db, tmp_path, change, reason):
    await _assert_rejected(tmp_path, {**PRIVE_ROW, **change}, reason)


async def test_a_siret_is_only_for_companies(db, tmp_path):
    await _assert_rejected(
        tmp_path,
        {**SIRET_ROW, "profile": "particulier"},
        "identifier: a SIRET is only for the entreprise profile",
        good=MSS_ROW,
    )


async def _assert_rejected(tmp_path, bad: dict, reason: str, good: dict = SIRET_ROW) -> None:
    path = write_csv(tmp_path / "bad.csv", [good, bad, good])
    result = await import_members(path)
    assert (result.created, result.unchanged, result.rejected_count) == (1, 1, 1)
    assert result.rejected[0].line == 3
    assert reason in result.rejected[0].reason
    assert await Member.filter(identifier=bad["identifier"][:32]).count() == 0


async def test_rejections_are_translated(db, tmp_path):
    path = write_csv(tmp_path / "bad.csv", [{**MSS_ROW, "email": "nope"}])
    with use_language("fr"):
        result = await import_members(path)
    assert result.rejected[0].reason == "email : adresse e-mail non valide"


async def test_unreadable_lines_are_rejected_and_the_others_imported(db, tmp_path):
    path = write_csv(tmp_path / "mixed.csv", [MSS_ROW, PRIVE_ROW])
    lines = path.read_bytes().split(b"\n")
    broken = [
        lines[0],
        lines[1],
        b"mss,000000001,Caf\xe9,Latin-1,1970-01-01,,,,,X,KE,1990,,,,,",  # not UTF-8
        b"mss," + b"9" * (MAX_LINE_BYTES + 10) + b",x",  # too long
        b"mss,000000002,too,few",  # wrong number of fields
        b"",  # blank line: skipped
        lines[2],
        b"",
    ]
    path.write_bytes(b"\n".join(broken))
    rejected = []
    result = await import_members(path, on_reject=rejected.append)
    assert (result.created, result.rejected_count) == (2, 3)
    assert [(r.line, r.reason) for r in result.rejected] == [
        (3, "the line is not valid UTF-8"),
        (4, "the line is too long"),
        (5, f"expected {len(COLUMNS)} fields, found 4"),
    ]
    assert rejected == result.rejected


async def test_a_field_over_the_csv_limit_is_rejected(db, tmp_path):
    huge_field = "\n".join(["x" * 60_000] * 3)  # 180 000 characters over several lines
    path = write_csv(tmp_path / "huge.csv", [{**MSS_ROW, "address": huge_field}, SIRET_ROW])
    result = await import_members(path)
    assert result.created == 1
    assert result.rejected[0].line == 2
    assert "runs over more than 20 lines or 64 KiB" in result.rejected[0].reason


async def test_an_unterminated_quote_is_rejected_not_a_crash(db, tmp_path):
    path = write_csv(tmp_path / "quote.csv", [SIRET_ROW])
    path.write_bytes(path.read_bytes() + b'mss,"000000001,unterminated\n')
    result = await import_members(path)
    assert (result.created, result.rejected_count, result.rows) == (1, 1, 2)
    assert result.rejected == [Rejection(3, "a quote opened on this line is never closed")]


def with_unclosed_quote(path: Path, row: int, rows: int) -> Path:
    """A file of ``rows`` rows whose row ``row`` has a quote left open (line row + 1)."""
    write_csv(path, list(generated_rows(rows)))
    lines = path.read_bytes().split(b"\n")
    lines[row] = lines[row].replace(b",Membre", b',"Membre', 1)
    path.write_bytes(b"\n".join(lines))
    return path


async def test_an_unclosed_quote_drops_one_row_and_every_other_row_is_imported(db, tmp_path):
    """The record opened at row 10 would swallow the file: it is rejected at its first line,
    and reading starts again on the next line."""
    path = with_unclosed_quote(tmp_path / "quote.csv", 10, 2000)
    result = await import_members(path)
    assert (result.created, result.updated, result.unchanged) == (1999, 0, 0)
    assert result.rejected == [Rejection(11, (
        "the record starting on this line runs over more than 20 lines "
        "or 64 KiB: a quote is probably not closed"))]
    assert result.rows == 2000 == result.created + result.rejected_count
    assert await Member.filter(identifier="000001999").exists()
    again = await import_members(path)
    assert (again.unchanged, again.rejected_count, again.rows) == (1999, 1, 2000)


async def test_an_unclosed_quote_near_the_end_loses_no_row(db, tmp_path):
    path = with_unclosed_quote(tmp_path / "quote.csv", 1995, 2000)
    result = await import_members(path)
    assert (result.created, result.rejected_count, result.rows) == (1999, 1, 2000)
    assert result.rejected[0].line == 1996


async def test_every_line_is_accounted_for(db, tmp_path):
    """Created, updated, unchanged and rejected add up to the rows read, whatever breaks."""
    rows = list(generated_rows(60)) + [{**MSS_ROW, "identifier": "000000003"}]
    path = write_csv(tmp_path / "mixed.csv", rows)
    lines = path.read_bytes().split(b"\n")
    lines[5] = b'mss,"' + lines[5]
    lines[30] = lines[30] + b'"'
    lines[40] = b"\xff" + lines[40]
    path.write_bytes(b"\n".join(lines))
    result = await import_members(path)
    assert result.rows == 61
    assert result.created + result.updated + result.unchanged + result.rejected_count == 61
    assert [r.line for r in result.rejected] == [6, 31, 41]


# --- whole-file errors ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"portal,identifier,last_name\n", "missing columns: first_names, birth_date"),
        (",".join(COLUMNS).encode() + b",emial\n", "unknown columns: emial"),
        (b"portal,portal,identifier,last_name,first_names,birth_date\n", "a column is named twice"),
        ("\ufeffportal,identifier".encode("utf-16"), "must be UTF-8 (this one is UTF-16)"),
        (b"\xff\xfeportal\n", "must be UTF-8 (this one is UTF-16)"),
        (b"port\xe9,identifier\n", "the first line must be a UTF-8 header"),
    ],
)
async def test_a_file_that_cannot_be_imported_says_why(db, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFailed, match=re.escape(message)):
        await import_members(path)


async def test_a_missing_file_says_why(db, tmp_path):
    with pytest.raises(ImportFailed, match="cannot read"):
        await import_members(tmp_path / "nowhere.csv")
    with pytest.raises(ImportFailed, match="cannot read"):
        await import_members(tmp_path)


# --- size -----------------------------------------------------------------------------------


def generated_rows(count: int):
    for number in range(count):
        yield {
            **MSS_ROW,
            "identifier": f"{number:09d}",
            "last_name": f"Membre{number}",
            "email": f"membre{number}@example.org",
        }


async def test_five_thousand_rows_stream_through(db, tmp_path):
    path = write_csv(tmp_path / "big.csv", list(generated_rows(5000)))
    size = path.stat().st_size
    progress = []
    result = await import_members(path, on_progress=lambda *read: progress.append(read))
    assert (result.created, result.rejected_count) == (5000, 0)
    assert [sum(column) for column in zip(*progress, strict=True)] == [size, 5000]  # bytes, rows
    assert len(progress) == math.ceil(5000 / BATCH_SIZE)  # once a batch
    assert await Member.all().count() == 5000
    again = await import_members(path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5000)


def test_rows_are_read_one_at_a_time(tmp_path):
    path = write_csv(tmp_path / "big.csv", list(generated_rows(5000)))
    with path.open("rb") as raw:
        rows = read_rows(raw)
        first_line, first = next(rows)
        assert (first_line, first["identifier"]) == (2, "000000000")
        assert raw.tell() < path.stat().st_size / 10
