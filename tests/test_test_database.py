"""Each test finds the database as a new one would be, though on PostgreSQL one database
serves the whole run (tests/conftest.py): the first test leaves rows, a sequence moved on
and a database setting behind; the second finds none of them. They run in this order, in one
process (``make`` gives each file's tests to one xdist worker: ``--dist loadfile``)."""

from __future__ import annotations

from accounts_support import make_account
from tortoise import connections

from web.accounts.models import Account
from web.registry.models import Member


async def _lock_timeout() -> str:
    rows = await connections.get("default").execute_query_dict("SHOW lock_timeout")
    return rows[0]["lock_timeout"]


def _on_postgresql() -> bool:
    return connections.get("default").capabilities.dialect == "postgres"


async def test_a_test_leaves_rows_and_a_setting_behind(db):
    await make_account()
    await make_account("espace-prive")
    assert await Member.all().count() == 2
    if _on_postgresql():
        name = connections.get("default").database
        await connections.get("default").execute_script(
            f"ALTER DATABASE \"{name}\" SET lock_timeout = '123ms'")


async def test_the_next_test_finds_none_of_it(db):
    assert await Member.all().count() == 0 and await Account.all().count() == 0
    account = await make_account()
    assert (account.id, account.member_id) == (1, 1)  # sequences start again
    if _on_postgresql():
        assert await _lock_timeout() == "0"
