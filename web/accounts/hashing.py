"""Password hashing with argon2id (libpass), run in threads of its own, below the event loop's
priority, so pages never wait on it."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor

from passlib.hash import argon2

from web.metrics import ARGON2_WAIT

# OWASP's argon2id minimum: m=19 MiB, t=2, p=1 (about 25 ms here).
HASHER = argon2.using(type="ID", memory_cost=19 * 1024, rounds=2, parallelism=1)


def hashing_threads(cpus: int | None) -> int:
    """Hashing threads for ``cpus`` cores: one core is always left to the event loop, so pages
    keep answering while log-ins hash; log-ins beyond that queue for a thread."""
    return max(1, (cpus or 1) - 1)


HASHING_THREADS = hashing_threads(os.cpu_count())
# Added to a hashing thread's nice value: when the cores are busy the scheduler runs the event
# loop's thread first, so a page never waits behind a hash (a log-in takes the time left).
NICENESS = 10


def _yield_to_the_pages() -> None:
    if sys.platform == "linux":  # Linux keeps a nice value per thread
        tid = threading.get_native_id()
        niceness = os.getpriority(os.PRIO_PROCESS, tid) + NICENESS
        os.setpriority(os.PRIO_PROCESS, tid, min(19, niceness))


# Threads of their own: their priority stays theirs, and log-ins beyond them queue here.
_threads = ThreadPoolExecutor(HASHING_THREADS, "argon2", initializer=_yield_to_the_pages)


def normalize(password: str) -> str:
    """Passwords are compared after NFKC normalisation (any Unicode, never truncated)."""
    return unicodedata.normalize("NFKC", password)


def hash_password_sync(password: str) -> str:
    return HASHER.hash(normalize(password))


def verify_password_sync(password: str, password_hash: str) -> bool:
    if not password_hash:
        return False
    try:
        return HASHER.verify(normalize(password), password_hash)
    except (ValueError, TypeError):
        return False


async def _in_thread(function, *args):
    """Run ``function`` in one of the hashing threads, timing its wait for a free one."""
    queued = time.perf_counter()

    def timed():
        ARGON2_WAIT.observe(time.perf_counter() - queued)
        return function(*args)

    return await asyncio.get_running_loop().run_in_executor(_threads, timed)


async def hash_password(password: str) -> str:
    return await _in_thread(hash_password_sync, password)


async def verify_password(password: str, password_hash: str) -> bool:
    return await _in_thread(verify_password_sync, password, password_hash)


# A hash of a random password, verified against when no account matches, so a log-in takes
# the same time whether or not the account exists.
DUMMY_HASH = hash_password_sync(os.urandom(16).hex())
