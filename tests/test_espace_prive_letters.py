"""Postal letters: queued without a password, exported with a fresh provisional password
(``espace letters list|export``)."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from espace_prive_support import NIR, make_member

from web.accounts import hashing
from web.accounts import service as accounts
from web.accounts.models import Account
from web.branding import DEFAULT_PORTALS
from web.mail.models import Letter
from web.portals.espace_prive.letters import export_letters, letters
from web.portals.registry import offline_links
from web.root import ROOT

BASE_URL = "https://espace.example.org"
LINKS = offline_links(BASE_URL, DEFAULT_PORTALS)


async def export(folder: Path) -> list[Path]:
    return await export_letters(folder, links=LINKS, portals=DEFAULT_PORTALS)


async def queue_letter(language: str = "fr", **member_fields) -> Letter:
    member = await make_member(**member_fields)
    account = await accounts.create_account(
        member,
        portal="espace-prive",
        login=member.identifier,
        email="",
        language=language,
        policy_version="2026-01",
    )
    return await Letter.create(
        portal="espace-prive", account=account, address=member.address, language=language
    )


async def test_export_makes_the_password_at_that_moment(db, tmp_path):
    letter = await queue_letter()
    waiting = await letters()
    assert [(w.id, w.name, w.exported_at) for w in waiting] == [(letter.pk, "Céline Hoarau", None)]
    account = await Account.get(pk=letter.account_id)
    assert account.password_hash == ""  # nothing to steal before the export

    written = await export(tmp_path)
    assert written == [tmp_path / f"letter-{letter.pk:06d}.txt"]
    content = written[0].read_text("utf-8")
    assert stat.S_IMODE(written[0].stat().st_mode) == 0o600
    assert content.startswith("Céline Hoarau\n12 rue de Paris\n97400 Saint-Denis")
    assert "Identifiant : 2 85 03 97 411 023" in content
    assert f"{BASE_URL}/espace-prive/login" in content
    password = content.split("Mot de passe provisoire : ")[1].split()[0]
    account = await Account.get(pk=letter.account_id)
    assert account.password_state == accounts.PROVISIONAL
    assert password not in account.password_hash
    assert hashing.verify_password_sync(
        accounts.canonical_provisional(password), account.password_hash
    )
    assert (await Letter.get(pk=letter.pk)).exported_at is not None
    assert await letters() == [] and len(await letters(include_exported=True)) == 1
    assert await export(tmp_path) == []  # each letter once


async def test_letter_is_plain_text(db, tmp_path):
    """A letter is printed as it is written: no HTML escaping of apostrophes or <, &."""
    await queue_letter(last_name="N'Diaye", first_names="Aïssatou",
                       address="Résidence « Les Flamboyants » & Cie\n7 cours de l'Intendance")
    content = (await export(tmp_path))[0].read_text("utf-8")
    assert content.startswith(
        "Aïssatou N'Diaye\nRésidence « Les Flamboyants » & Cie\n7 cours de l'Intendance\n"
    )
    assert "&#39;" not in content and "&amp;" not in content
    assert "Si vous n'êtes pas à l'origine de cette demande" in content


async def test_letter_in_the_members_language(db, tmp_path):
    await queue_letter(language="en")
    content = (await export(tmp_path))[0].read_text("utf-8")
    assert "Identifier: 2 85 03 97 411 023" in content and "Provisional password:" in content


async def test_an_account_with_its_own_password_is_told_how_to_log_in(db, tmp_path):
    """A postal registration of a member who has an account: the letter gives no password
    (the member's own one stays) but says how to log in, and how to choose a new one."""
    letter = await queue_letter()
    account = await Account.get(pk=letter.account_id)
    account.password_state, account.password_hash = accounts.ACTIVE, "$argon2id$kept"
    await account.save()
    [written] = await export(tmp_path)
    content = written.read_text("utf-8")
    assert "Vous avez déjà un espace privé" in content
    assert "Identifiant : 2 85 03 97 411 023" in content and "Mot de passe" not in content
    assert f"{BASE_URL}/espace-prive/forgot" in content
    assert (await Account.get(pk=account.pk)).password_hash == "$argon2id$kept"  # noqa: S105
    assert (await Letter.get(pk=letter.pk)).exported_at is not None


SEED = textwrap.dedent(f"""
    import asyncio, datetime
    from tortoise import Tortoise
    from web.db import tortoise_config
    from web.accounts.models import Account
    from web.mail.models import Letter
    from web.registry.models import Member

    async def main(url):
        await Tortoise.init(config=tortoise_config(url))
        member = await Member.create(portal="espace-prive", identifier="{NIR}",
            last_name="Lagrange", first_names="Marcel", birth_date=datetime.date(1985, 3, 14),
            address="7 cours de l'Intendance\\n33000 Bordeaux")
        account = await Account.create(portal="espace-prive", member=member, login="{NIR}")
        await Letter.create(portal="espace-prive", account=account, address=member.address,
            language="fr")
        await Tortoise.close_connections()

    import sys
    asyncio.run(main(sys.argv[1]))
""")


def run(*args: str, database: Path, **settings: str) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite://{database}",
        "LANG": "C.UTF-8",
        "ESPACE_ENV": "development",
        **settings,
    }
    environment.pop("LC_ALL", None)
    return subprocess.run(  # noqa: S603 - our own command
        [sys.executable, *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> dict[str, Path]:
    """A file `espace migrate` made, and a copy of it seeded with one letter: made once by the
    commands, copied for each test (each test's commands change their own file)."""
    folder = tmp_path_factory.mktemp("letters")
    migrated, seeded = folder / "migrated.sqlite3", folder / "seeded.sqlite3"
    made = run("-m", "web.cli", "migrate", database=migrated)
    assert made.returncode == 0, made.stderr
    copy_database(migrated, seeded)
    seeding = run("-c", SEED, f"sqlite://{seeded}", database=seeded)
    assert seeding.returncode == 0, seeding.stderr
    return {"migrated": migrated, "seeded": seeded}


def copy_database(source: Path, target: Path) -> Path:
    with sqlite3.connect(source) as reader, sqlite3.connect(target) as writer:
        reader.backup(writer)
    return target


def test_letters_commands(tmp_path, templates):
    database = copy_database(templates["seeded"], tmp_path / "espace.sqlite3")
    listed = run("-m", "web.cli", "letters", "list", database=database)
    assert listed.returncode == 0, listed.stderr
    assert "waiting  Marcel Lagrange – 7 cours de l'Intendance, 33000 Bordeaux" in listed.stdout
    assert "1 letter(s)." in listed.stdout
    folder = tmp_path / "to-post"
    exported = run("-m", "web.cli", "letters", "export", str(folder), database=database)
    assert exported.returncode == 0, exported.stderr
    assert "1 letter(s) written" in exported.stdout
    assert len(list(folder.glob("letter-*.txt"))) == 1
    again = run("-m", "web.cli", "letters", "list", database=database)
    assert "0 letter(s)." in again.stdout
    everything = run("-m", "web.cli", "letters", "list", "--all", database=database)
    assert "exported" in everything.stdout


def test_exported_letters_carry_the_configured_branding(tmp_path, templates):
    branding = tmp_path / "branding.json"
    branding.write_text(json.dumps({"espace-prive": {
        "fund_name": "Caisse des Trois Îles", "support_email": "courrier@trois-iles.example.org",
        "support_phone": "+262 262 00 11 22"}}), "utf-8")
    database = copy_database(templates["seeded"], tmp_path / "espace.sqlite3")
    folder = tmp_path / "to-post"
    exported = run("-m", "web.cli", "letters", "export", str(folder), database=database,
                   ESPACE_BRANDING_FILE=str(branding))
    assert exported.returncode == 0, exported.stderr
    [letter] = folder.glob("letter-*.txt")
    content = letter.read_text("utf-8")
    assert "Caisse des Trois Îles" in content
    assert "courrier@trois-iles.example.org, +262 262 00 11 22." in content
    assert "+590 590 12 34 56" not in content  # the demo fund's phone number


def test_export_to_a_folder_that_cannot_be_written_says_so(tmp_path, templates):
    database = copy_database(templates["migrated"], tmp_path / "espace.sqlite3")
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("")
    for target in (a_file, a_file / "below", Path("/proc/no-such-place")):
        result = run("-m", "web.cli", "letters", "export", str(target), database=database)
        assert result.returncode == 2, (target, result.stderr)
        assert "Cannot write the letters to" in result.stderr and "Traceback" not in result.stderr
