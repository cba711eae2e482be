"""The visitor's cookie id, signed so that only an id this server issued is adopted, and the
CSRF token bound to it. The guard gives them out; a log-in renews them."""

from __future__ import annotations

import hmac

from web.security.digests import keyed_digest, new_secret


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


def _visitor_signature(secret_key: str, raw: str) -> str:
    return keyed_digest(secret_key, "visitor:" + raw)[:32]
