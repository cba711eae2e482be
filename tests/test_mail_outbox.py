"""The outbox: rendering in the member's language, the caller's transaction, the operators'
functions (list, retry)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from jinja2 import TemplateNotFound
from tortoise.transactions import in_transaction

from web.branding import DEFAULT_PORTALS
from web.mail.models import OutboxMail
from web.mail.outbox import (
    enqueue_mail,
    recent_mail,
    render_mail,
    retry_dead,
    retry_mail,
)
from web.root import ROOT

MAIL_DIR = ROOT / "web" / "templates" / "mail"
LAYOUTS = {"base.txt", "base.html", "macros.html"}
HOSTILE = "<script>alert(1)</script> ' OR 1=1 -- Zoë 李 زينب"


def changed_context(name="Zoë Müller-O'Brien", first=False, portal="espace-prive") -> dict:
    return {
        "portal": DEFAULT_PORTALS[portal],
        "name": name,
        "changed_at": datetime(2026, 3, 14, 10, 5, tzinfo=UTC),
        "first_password": first,
        "login_url": f"https://espace.example.org/{portal}/login",
        "forgot_url": f"https://espace.example.org/{portal}/forgot",
    }


async def queue(to="zoe@example.org", language="fr", **context) -> OutboxMail:
    return await enqueue_mail(
        to, "password_changed", language=language, context={**changed_context(), **context}
    )


async def test_password_changed_in_french(db):
    mail = await queue(language="fr")
    assert mail.status == "pending" and mail.attempts == 0 and mail.language == "fr"
    assert mail.subject == "Le mot de passe de votre compte Mon espace privé a été modifié"
    assert mail.text_body.startswith("Bonjour Zoë Müller-O'Brien,\n")  # plain text: no escaping
    assert "14 mars 2026" in mail.text_body
    assert "support-prive@espace.example.org" in mail.text_body
    assert "https://espace.example.org/espace-prive/forgot" in mail.text_body
    assert "Mon espace privé – Caisse de protection sociale (démo)" in mail.text_body
    assert '<html lang="fr"' in mail.html_body
    assert f">{mail.subject}</h1>" in mail.html_body
    assert "Zoë Müller-O&#39;Brien" in mail.html_body
    assert 'href="https://espace.example.org/espace-prive/login"' in mail.html_body
    assert "Se connecter" in mail.html_body
    assert "{{" not in mail.text_body + mail.html_body


async def test_password_changed_in_english_and_first_password(db):
    mail = await queue(language="en", first_password=True)
    assert mail.subject == "A password has been chosen for your My private space account"
    assert "Hello Zoë Müller-O'Brien," in mail.text_body
    assert "March 14, 2026" in mail.text_body and "UTC" in mail.text_body
    assert "If it was not you" in mail.text_body
    assert '<html lang="en"' in mail.html_body and "Log in" in mail.html_body


async def test_unknown_language_falls_back_to_french(db):
    mail = await queue(language="de")
    assert mail.text_body.startswith("Bonjour")


async def test_html_escapes_hostile_text_and_plain_text_keeps_it(db):
    mail = await queue(name=HOSTILE)
    assert "<script>" not in mail.html_body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &#39; OR 1=1 -- Zoë 李 زينب" in mail.html_body
    assert f"Bonjour {HOSTILE}," in mail.text_body


async def test_subject_is_one_line_and_fits_its_column(db):
    portal = DEFAULT_PORTALS["mss"]
    branding = replace(portal.branding, name="Nom\r\nBcc: x " * 60)
    mail = await queue(portal=replace(portal, branding=branding))
    assert "\n" not in mail.subject and "\r" not in mail.subject
    assert len(mail.subject) <= 300


async def test_the_mail_is_written_in_the_callers_transaction(db):
    with pytest.raises(RuntimeError):
        async with in_transaction() as connection:
            await enqueue_mail(
                "zoe@example.org",
                "password_changed",
                language="fr",
                context=changed_context(),
                using_db=connection,
            )
            raise RuntimeError("the registration fails after the mail was queued")
    assert await OutboxMail.all().count() == 0

    async with in_transaction() as connection:
        await enqueue_mail(
            "zoe@example.org",
            "password_changed",
            language="fr",
            context=changed_context(),
            using_db=connection,
        )
    assert await OutboxMail.filter(status="pending").count() == 1


@pytest.mark.parametrize(
    "to",
    ["", "   ", "a@example.org\r\nBcc: b@example.org", "a\0@x.org", "x" * 310 + "@example.org"],
)
async def test_undeliverable_addresses_are_refused(db, to):
    with pytest.raises(ValueError):
        await queue(to=to)
    assert await OutboxMail.all().count() == 0


async def test_a_template_without_subject_or_missing_is_an_error(db):
    with pytest.raises(LookupError):
        render_mail("base", "fr", {})
    with pytest.raises(TemplateNotFound):
        render_mail("no_such_message", "fr", {})


def test_every_message_template_extends_the_layouts():
    """The contract of web/mail/outbox.py: a .txt with a subject and an .html, on the bases."""
    names = {p.stem for p in MAIL_DIR.glob("*.*") if p.name not in LAYOUTS}
    assert "password_changed" in names
    for name in names:
        text = (MAIL_DIR / f"{name}.txt").read_text("utf-8")
        html = (MAIL_DIR / f"{name}.html").read_text("utf-8")
        assert re.search(r'{%\s*extends "mail/base.txt"\s*%}', text), name
        assert "{% block subject %}" in text, name
        assert re.search(r'{%\s*extends "mail/base.html"\s*%}', html), name


def test_the_html_layout_is_accessible():
    _subject, _text, html = render_mail("password_changed", "fr", changed_context())
    assert '<html lang="fr" dir="ltr">' in html
    assert re.search(r'role="article"[^>]*aria-label="Le mot de passe', html)
    assert html.count("<h1") == 1
    # the button's address is also written out in clear
    assert html.count('href="https://espace.example.org/espace-prive/login"') == 2
    assert "copiez cette adresse dans votre navigateur" in html
    assert "<script" not in html and "class=" not in html  # inline styles only


async def test_recent_mail_newest_first_and_by_status(db):
    first = await queue(to="one@example.org")
    second = await queue(to="two@example.org")
    await OutboxMail.filter(id=first.id).update(status="dead")
    assert [m.id for m in await recent_mail()] == [second.id, first.id]
    assert [m.id for m in await recent_mail("dead")] == [first.id]
    assert len(await recent_mail(limit=1)) == 1


async def test_retry_puts_a_dead_mail_back_in_the_queue(db):
    dead = await queue()
    await OutboxMail.filter(id=dead.id).update(status="dead", attempts=8, last_error="550 no")
    assert await retry_mail(dead.id) == "retried"
    await dead.refresh_from_db()
    assert (dead.status, dead.attempts) == ("pending", 0)
    assert await retry_mail(dead.id) == "pending"
    await OutboxMail.filter(id=dead.id).update(status="sent")
    assert await retry_mail(dead.id) == "sent"
    assert await retry_mail(987654) == "missing"
    assert await retry_mail(2**70) == "missing"
    assert await retry_mail(-1) == "missing"


async def test_retry_every_dead_mail(db):
    mails = [await queue(to=f"m{i}@example.org") for i in range(3)]
    await OutboxMail.filter(id__in=[m.id for m in mails[:2]]).update(status="dead", attempts=8)
    assert await retry_dead() == 2
    assert await OutboxMail.filter(status="pending", attempts=0).count() == 3


async def secret_mail(link: str = "https://espace.example.org/mss/reset/T0k&n<x>") -> OutboxMail:
    return await enqueue_mail(
        "zoe@example.org", "reset_password", language="en",
        context={"portal": DEFAULT_PORTALS["mss"], "name": "Zoë", "hours": 24,
                 "forgot_url": "https://espace.example.org/mss/forgot"},
        secret={"link": link},
    )


async def test_a_secret_is_stored_apart_and_put_in_its_marks(db):
    mail = await secret_mail()
    assert "T0k" not in mail.text_body + mail.html_body
    assert mail.text_body.count("[secret:link]") == 1 and "[secret:link]" in mail.html_body
    text, html = mail.bodies()
    assert "https://espace.example.org/mss/reset/T0k&n<x>" in text  # plain text: as it is
    assert 'href="https://espace.example.org/mss/reset/T0k&amp;n&lt;x&gt;"' in html
    assert "[secret:" not in text + html


async def test_a_dead_mail_without_a_secret_is_retried_with_the_others(db):
    plain, secret = await queue(), await secret_mail()
    await OutboxMail.filter(id__in=(plain.id, secret.id)).update(status="dead", secret=None)
    assert await retry_dead() == 1
    assert (await OutboxMail.get(id=plain.id)).status == "pending"
    assert await retry_mail(secret.id) == "secret_lost"
