"""One identity verification, of either journey, runs at most 6 SQL statements in 1
transaction (issue 13 point 5), whatever its outcome; an unknown member costs the statements
a known one with a wrong answer costs (no enumeration through the query count)."""

from __future__ import annotations

import pytest
from espace_prive_support import BASE, SERIAL, hidden_fields, through_contact
from espace_prive_support import make_member as make_prive_member
from mss_support import FIELDS, Visitor
from mss_support import make_member as make_mss_member
from sql_counter import counting

from web.portals import journey

STATEMENTS, TRANSACTIONS = 6, 1
CARD = {"q": ["health", "card", "serial"], "health": "yes", "card_kind": "photo"}


@pytest.fixture(autouse=True)
def no_minimum_time(monkeypatch, client):
    monkeypatch.setattr(journey, "MIN_FILL_SECONDS", 0)
    client.headers["Accept-Language"] = "en"


def shape(counted) -> list[str]:
    """The statements run, without their values."""
    return [sql.split(" WHERE")[0].split(" VALUES")[0] for sql in counted.sql]


def within_budget(counted, case: str) -> None:
    print(f"\n{case}: {counted.statements} statements, {counted.transactions} transactions\n"
          + "\n".join(sql[:110] for sql in counted.sql))
    assert counted.statements <= STATEMENTS, counted.sql
    assert counted.transactions == TRANSACTIONS, counted.sql


MSS_CASES = {
    "right": ({}, 200),
    "wrong": ({"last_name": "Durand"}, 422),
    "unknown": ({"uid": "000314158"}, 422),
}


async def mss_verify(client, changes: dict):
    visitor = Visitor(client)
    await visitor.open()
    with counting() as counted:
        response = await visitor.verify({**FIELDS, **changes}, partial=True)
    return response, counted


@pytest.mark.parametrize("case", MSS_CASES)
async def test_an_mss_verify_runs_six_statements_in_one_transaction(client, db, case):
    await make_mss_member()
    changes, status = MSS_CASES[case]
    response, counted = await mss_verify(client, changes)
    assert response.status_code == status
    within_budget(counted, f"mss verify, {case}")


async def test_an_unknown_mss_member_costs_what_a_known_one_does(client, db):
    await make_mss_member()
    _, known = await mss_verify(client, MSS_CASES["wrong"][0])
    client.cookies.clear()
    _, unknown = await mss_verify(client, MSS_CASES["unknown"][0])
    assert shape(unknown) == shape(known)


@pytest.mark.parametrize(("case", "answer", "status"), [
    ("right", "institut atlas des sols", 200),
    ("wrong", "Lumen Education Trust", 422),
])
async def test_an_mss_answer_runs_six_statements_in_one_transaction(
    client, db, case, answer, status
):
    await make_mss_member()
    visitor = Visitor(client)
    assert (await visitor.verify(partial=True)).status_code == 200
    with counting() as counted:
        response = await visitor.answer(answer, partial=True)
    assert response.status_code == status
    within_budget(counted, f"mss answer, {case}")


async def test_the_last_mss_answer_runs_six_statements_in_one_transaction(client, db):
    await make_mss_member()
    visitor = Visitor(client)
    await visitor.verify(partial=True)
    await visitor.answer("institut atlas des sols", partial=True)
    with counting() as counted:
        response = await visitor.answer("France", partial=True)
    assert response.status_code == 200 and "Your identity has been verified." in response.text
    within_budget(counted, "mss answer, last")


PRIVE_CASES = {
    "right": ({}, {"serial": SERIAL}, 303),
    "wrong": ({}, {"serial": "802500003"}, 422),
    "unknown": ({"identifier": "2850397411024"}, {"serial": SERIAL}, 422),
}


async def prive_verify(client, case: str):
    earlier, answers, status = PRIVE_CASES[case]
    await through_contact(client, **earlier)
    page = await client.get(BASE + "/verification")
    body = {**hidden_fields(page.text), "action": "next", **CARD, **answers}
    with counting() as counted:
        response = await client.post(BASE + "/verification", data=body)
    assert response.status_code == status
    return counted


@pytest.mark.parametrize("case", PRIVE_CASES)
async def test_an_espace_prive_verification_runs_six_statements_in_one_transaction(
    client, db, case
):
    await make_prive_member()
    within_budget(await prive_verify(client, case), f"espace-prive verification, {case}")


async def test_an_unknown_espace_prive_member_costs_what_a_known_one_does(client, db):
    await make_prive_member()
    known = await prive_verify(client, "wrong")
    client.cookies.clear()
    unknown = await prive_verify(client, "unknown")
    assert shape(unknown) == shape(known)


async def test_the_mss_failure_that_locks_runs_six_statements_in_one_transaction(client, db):
    await make_mss_member()
    for _ in range(2):
        await mss_verify(client, MSS_CASES["wrong"][0])
    response, counted = await mss_verify(client, MSS_CASES["wrong"][0])
    assert response.status_code == 429
    within_budget(counted, "mss verify, the failure that locks")


async def test_the_espace_prive_failure_that_locks_runs_six_statements_in_one_transaction(
    client, db
):
    await make_prive_member()
    for _ in range(2):
        await prive_verify(client, "wrong")
    earlier, answers, _ = PRIVE_CASES["wrong"]
    page = await client.get(BASE + "/verification")
    body = {**hidden_fields(page.text), "action": "next", **CARD, **answers}
    with counting() as counted:
        response = await client.post(BASE + "/verification", data=body)
    assert response.status_code == 429
    within_budget(counted, "espace-prive verification, the failure that locks")
