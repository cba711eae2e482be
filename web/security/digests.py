"""Random secrets and their digests."""

import hashlib
import hmac
import secrets


def new_secret() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def keyed_digest(key: str, value: str) -> str:
    """A keyed hash, for values that must not be reversible by guessing (identifiers, IPs)."""
    return hmac.digest(key.encode(), value.encode(), "sha256").hex()  # OpenSSL's one-shot
