"""The development mailbox: list, one mail with clickable links, its HTML part alone; 404 in
production."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from web.app import create_app
from web.branding import DEFAULT_PORTALS
from web.mail.mailbox import SHOWN, linkify
from web.mail.models import OutboxMail
from web.mail.outbox import enqueue_mail
from web.mail.worker import deliver_due
from web.settings import Settings

HOSTILE = '<script>alert("x")</script> \' OR 1=1 -- 李 زينب'
LINK = "http://127.0.0.1:8000/mss/password/AbC-123_x?lang=fr&next=1"


async def queue(name="Zoë", language="fr", link=LINK, to="zoe@example.org") -> OutboxMail:
    return await enqueue_mail(
        to,
        "password_changed",
        language=language,
        context={
            "portal": DEFAULT_PORTALS["mss"],
            "name": name,
            "login_url": link,
            "forgot_url": "http://127.0.0.1:8000/mss/forgot",
            "first_password": False,
            "changed_at": datetime(2026, 3, 14, 10, 5, tzinfo=UTC),
        },
    )


async def test_empty_mailbox(client):
    response = await client.get("/dev/mailbox/")
    assert response.status_code == 200
    assert "<h1>Boîte de réception de développement</h1>" in response.text
    assert "Aucun courriel pour l'instant." in response.text
    english = await client.get("/dev/mailbox/?lang=en")
    assert "No mail yet." in english.text and '<html lang="en">' in english.text


async def test_list_newest_first_with_status(client):
    first = await queue(to="first@example.org")
    second = await queue(to="second@example.org", language="en")
    await OutboxMail.filter(id=first.id).update(status="sent")
    response = await client.get("/dev/mailbox/")
    html = response.text
    assert response.headers["cache-control"] == "no-store"
    assert html.index("second@example.org") < html.index("first@example.org")
    assert f'href="/dev/mailbox/{second.id}" lang="en">{second.subject}</a>' in html
    assert "En attente d&#39;envoi" in html and "Envoyé" in html


async def test_one_mail_with_clickable_links(client):
    mail = await queue()
    response = await client.get(f"/dev/mailbox/{mail.id}")
    assert response.status_code == 200
    html = response.text
    escaped = LINK.replace("&", "&amp;")
    assert f'<a href="{escaped}">{escaped}</a>' in html
    assert '<a href="http://127.0.0.1:8000/mss/forgot">' in html
    assert f'<h1 lang="fr">{mail.subject}</h1>' in html
    assert f'href="/dev/mailbox/{mail.id}.html"' in html
    assert "zoe@example.org" in html
    assert " style=" not in html and "<script>" not in html.split("</head>")[1]


async def test_hostile_content_is_escaped(client):
    mail = await queue(name=HOSTILE, link="javascript:alert(1)")
    html = (await client.get(f"/dev/mailbox/{mail.id}")).text
    body = html.split("</head>")[1]
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in body
    assert 'href="javascript:' not in body
    assert "李 زينب" in body
    listing = (await client.get("/dev/mailbox/")).text
    assert "<script>alert" not in listing.split("</head>")[1]


async def test_the_html_part_is_served_alone_under_its_own_policy(client):
    mail = await queue(name=HOSTILE)
    response = await client.get(f"/dev/mailbox/{mail.id}.html")
    assert response.status_code == 200
    assert response.text == mail.html_body
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    policy = response.headers["content-security-policy"]
    assert policy.startswith("default-src 'none'; style-src 'unsafe-inline'; img-src data:")
    assert "sandbox" in policy and "script-src" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_unknown_or_odd_ids_are_404(client):
    for path in (
        "/dev/mailbox/987654",
        "/dev/mailbox/987654.html",
        "/dev/mailbox/0",
        f"/dev/mailbox/{10**30}",
        "/dev/mailbox/abc",
        "/dev/mailbox/-1",
        "/dev/mailbox/1%00",
        "/dev/mailbox/" + "9" * 10_000,
    ):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert "Page introuvable" in response.text


def test_linkify():
    text = "Ouvrez https://a.example.org/x?y=1&z=2. Puis (http://b.example.org/p), <b>fin</b>"
    assert str(linkify(text)) == (
        'Ouvrez <a href="https://a.example.org/x?y=1&amp;z=2">https://a.example.org/x?y=1&amp;z=2'
        '</a>. Puis (<a href="http://b.example.org/p">http://b.example.org/p</a>), '
        "&lt;b&gt;fin&lt;/b&gt;"
    )
    assert str(linkify('ftp://x javascript:alert(1) "https://q.example.org"')) == (
        'ftp://x javascript:alert(1) &#34;<a href="https://q.example.org">https://q.example.org</a>&#34;'
    )
    assert str(linkify("")) == ""


async def test_no_mailbox_in_production(db):
    settings = Settings(
        env="production",
        secret_key="s" * 40,
        base_url="https://espace.example.org",
        mail_url="smtp://127.0.0.1:2525",
        proxy_addresses=("10.0.0.1",),
    )
    mail = await queue()
    app = create_app(settings, init_db=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as http:
        for path in (
            "/dev/mailbox/",
            "/dev/mailbox",
            f"/dev/mailbox/{mail.id}",
            f"/dev/mailbox/{mail.id}.html",
        ):
            response = await http.get(path)
            assert response.status_code == 404, path
            assert mail.subject not in response.text


async def test_only_the_latest_mails_are_listed(client):
    for number in range(SHOWN + 1):
        await queue(to=f"m{number:03}@example.org")
    html = (await client.get("/dev/mailbox/")).text
    assert html.count('class="mailbox__item"') == SHOWN
    assert "m100@example.org" in html and "m000@example.org" not in html
    assert f"Seuls les {SHOWN} derniers courriels sont affichés." in html


async def test_the_mailbox_shows_the_link_of_a_mail_delivered_into_it(client, settings):
    mail = await enqueue_mail(
        "zoe@example.org", "set_password", language="fr",
        context={"portal": DEFAULT_PORTALS["mss"], "name": "Zoë", "hours": 24},
        secret={"link": LINK},
    )
    escaped = LINK.replace("&", "&amp;")
    for _ in range(2):  # waiting, then delivered into the mailbox (development only)
        assert f'<a href="{escaped}">' in (await client.get(f"/dev/mailbox/{mail.id}")).text
        assert f'href="{escaped}"' in (await client.get(f"/dev/mailbox/{mail.id}.html")).text
        await deliver_due(settings)
    delivered = await OutboxMail.get(id=mail.id)
    assert delivered.status == "sent" and delivered.secret is None
    assert LINK in delivered.text_body
