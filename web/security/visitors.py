"""The visitor's cookie id, signed so that only an id this server issued is adopted, and the
CSRF token bound to it. The guard gives them out; a log-in renews them."""

from __future__ import annotations

import hmac
from functools import lru_cache

from web.security.digests import keyed_digest, new_secret

VISITORS_REMEMBERED = 4096  # visitors whose check is kept (two HMACs each, at every request)


def csrf_token_for(secret_key: str, sid: str) -> str:
    return keyed_digest(secret_key, "csrf:" + sid)


def new_visitor_id(secret_key: str) -> str:
    """A random visitor id, signed: only an id this server issued is ever adopted."""
    raw = new_secret()
    return f"{raw}.{_visitor_signature(secret_key, raw)}"


def issued_visitor_id(secret_key: str, sid: str | None) -> bool:
    raw, _, signature = (sid or "").partition(".")
    return bool(raw) and hmac.compare_digest(
        signature.encode(), _visitor_signature(secret_key, raw).encode()
    )


@lru_cache(maxsize=VISITORS_REMEMBERED)
def visitor_token(secret_key: str, sid: str) -> str | None:
    """The CSRF token of ``sid`` when this server issued it, else None: worked out once for a
    visitor, whose every request asks."""
    return csrf_token_for(secret_key, sid) if issued_visitor_id(secret_key, sid) else None


def _visitor_signature(secret_key: str, raw: str) -> str:
    return keyed_digest(secret_key, "visitor:" + raw)[:32]
