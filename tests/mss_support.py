"""Members and a scripted visitor for the mss journey tests."""

from __future__ import annotations

import html
import re
from datetime import date

import httpx
from http_helpers import csrf_from

from web.registry.models import Member

HX = {"HX-Request": "true", "HX-Request-Type": "partial"}
EMAIL = "claire.dubois@example.org"
FIELDS = {
    "uid": "000 314 159",
    "first_names": "claire",
    "last_name": "DUBOIS",
    "birth_day": "5",
    "birth_month": "05",
    "birth_year": "1977",
    "email": EMAIL,
    "email_confirm": "Claire.Dubois@example.org",
}
ANSWERS = {"employer": "institut atlas des sols", "duty_country": "France", "entry_year": "2003"}
QUESTION_FACTS = {
    "current employing organisation": "employer",
    "organisme employeur": "employer",
    "duty station": "duty_country",
    "lieu d'affectation": "duty_country",
    "join the Fund": "entry_year",
    "affilié à la Caisse": "entry_year",
}
GOOD_PASSWORD = "lantern quartz meadow violin 93"  # noqa: S105 - a test password


async def make_member(**changes) -> Member:
    values = {
        "portal": "mss",
        "identifier": "000314159",
        "last_name": "Dubois",
        "first_names": "Claire",
        "birth_date": date(1977, 5, 5),
        "email": EMAIL,
        "language": "fr",
        "facts": {"employer": "Institut Atlas des sols", "duty_country": "FR", "entry_year": 2003},
    }
    return await Member.create(**{**values, **changes})


def text_of(page: str) -> str:
    """The visible words of an HTML page, whitespace collapsed, entities decoded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def main_of(page: str) -> str:
    match = re.search(r"<main[^>]*>(.*)</main>", page, re.S)
    return match.group(1) if match else page


class Visitor:
    """One browser on the registration form: it keeps its cookies and CSRF token."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.token = ""

    async def open(self, url: str = "/mss/register", **kwargs) -> httpx.Response:
        response = await self.client.get(url, **kwargs)
        if 'name="csrf_token"' in response.text:
            self.token = csrf_from(response.text)
        return response

    async def post(
        self, url: str, data: dict | None = None, *, partial: bool = False, **kwargs
    ) -> httpx.Response:
        if not self.token:
            await self.open()
        headers = {**(HX if partial else {}), **kwargs.pop("headers", {})}
        return await self.client.post(
            url, data={"csrf_token": self.token, **(data or {})}, headers=headers, **kwargs
        )

    async def verify(self, fields: dict | None = None, *, partial: bool = False):
        return await self.post("/mss/register/verify", fields or FIELDS, partial=partial)

    async def answer(self, text: str, fields: dict | None = None, *, partial: bool = False):
        return await self.post(
            "/mss/register/answer", {**(fields or FIELDS), "answer": text}, partial=partial
        )

    async def question(self) -> str:
        """The fact the page asks about now."""
        page = text_of((await self.open()).text)
        return next(fact for words, fact in QUESTION_FACTS.items() if words in page)

    async def answer_all(self, fields: dict | None = None) -> None:
        for _ in range(2):
            response = await self.answer(ANSWERS[await self.question()], fields)
            assert response.status_code == 303, response.text

    async def accept_policy(self) -> httpx.Response:
        return await self.post("/mss/register/policy", {"action": "accept"})

    async def ready(self, fields: dict | None = None) -> None:
        """Verified and policy accepted: only "Register" is left."""
        assert (await self.verify(fields)).status_code == 303
        await self.answer_all(fields)
        assert (await self.accept_policy()).status_code == 303

    async def register(self, fields: dict | None = None) -> httpx.Response:
        return await self.post("/mss/register", fields or FIELDS)
