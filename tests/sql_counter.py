"""Count the SQL statements and transactions a piece of work runs, at Tortoise's client level
(every backend's execute_* methods, whatever the dialect). A transaction is a BEGIN … COMMIT,
a savepoint inside one, or a statement that writes outside any (autocommit: its own).

    with counting() as counted:
        await client.post(...)
    assert counted.statements <= 6 and counted.transactions <= 1
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import wraps

from tortoise.backends.base.client import BaseDBAsyncClient, TransactionalDBClient

EXECUTES = ("execute_insert", "execute_query", "execute_script", "execute_many",
            "execute_query_dict", "execute_query_dict_with_affected")
_inside = contextvars.ContextVar("inside", default=False)


@dataclass
class Counted:
    statements: int = 0
    transactions: int = 0
    sql: list = field(default_factory=list)


def _reads(sql: str) -> bool:
    return sql.lstrip().upper().startswith(("SELECT", "WITH"))


def _classes(base=BaseDBAsyncClient):
    for sub in base.__subclasses__():
        yield sub
        yield from _classes(sub)


@contextmanager
def counting():
    counted = Counted()
    patched = []

    def wrap_execute(method):
        @wraps(method)
        async def counted_execute(self, query, *args, **kwargs):
            if _inside.get():  # a backend method calling another: one statement
                return await method(self, query, *args, **kwargs)
            counted.statements += 1
            counted.sql.append(str(query))
            if not isinstance(self, TransactionalDBClient) and not _reads(str(query)):
                counted.transactions += 1
            token = _inside.set(True)
            try:
                return await method(self, query, *args, **kwargs)
            finally:
                _inside.reset(token)

        return counted_execute

    def wrap_transaction(method):
        @wraps(method)
        def counted_transaction(self, *args, **kwargs):
            counted.transactions += 1
            return method(self, *args, **kwargs)

        return counted_transaction

    for cls in {BaseDBAsyncClient, *_classes()}:
        for name in (*EXECUTES, "_in_transaction"):
            if name in cls.__dict__:
                original = cls.__dict__[name]
                wrapper = wrap_transaction if name == "_in_transaction" else wrap_execute
                patched.append((cls, name, original))
                setattr(cls, name, wrapper(original))
    try:
        yield counted
    finally:
        for cls, name, original in patched:
            setattr(cls, name, original)
