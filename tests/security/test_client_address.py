"""Attack: forge the client address to escape every per-client limit (issue: a header sent by
anyone was believed), or share one address with every visitor behind the TLS proxy.

The client address is the rightmost hop that is not one of the proxies named in
ESPACE_PROXY_ADDRESSES (uvicorn's proxy headers); IPv6 clients are grouped by /64, the
smallest block a subscriber is given. The address is seen where limits count it: the per-client
log-in counter after one failed log-in.
"""

from __future__ import annotations

import dataclasses

import httpx
import pytest
from http_helpers import post_form

from web.accounts.service import client_key
from web.app import create_app
from web.security import limits
from web.security.client import client_group

PROXY = "10.0.0.1"


@pytest.fixture
def proxied_app(db, settings):
    return create_app(dataclasses.replace(settings, proxy_addresses=(PROXY, "fd00::/8")),
                      init_db=False)


async def fail_login(app, peer: str, forwarded: str | None = None) -> None:
    """One wrong log-in, sent from ``peer`` with an ``X-Forwarded-For`` header."""
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))
    headers = {"x-forwarded-for": forwarded} if forwarded else {}
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver",
                                 headers=headers) as http:
        response = await post_form(http, "/mss/login", {
            "login": "nobody@example.org", "password": "not the password at all"})
    assert response.status_code == 422


async def counted(address: str) -> int:
    return await limits.failures(client_key("login", "mss", address))


async def test_a_forged_forwarded_for_from_an_untrusted_peer_is_ignored(proxied_app):
    await fail_login(proxied_app, "203.0.113.7", forwarded="198.51.100.1")
    assert await counted("203.0.113.7") == 1
    assert await counted("198.51.100.1") == 0


async def test_two_clients_behind_the_proxy_have_their_own_counters(proxied_app):
    await fail_login(proxied_app, PROXY, forwarded="198.51.100.1")
    await fail_login(proxied_app, PROXY, forwarded="198.51.100.2")
    await fail_login(proxied_app, PROXY, forwarded="198.51.100.2")
    assert (await counted("198.51.100.1"), await counted("198.51.100.2")) == (1, 2)
    assert await counted(PROXY) == 0


async def test_the_client_cannot_choose_its_address_through_the_proxy(proxied_app):
    """The proxy appends the address it saw: what the client wrote before it is ignored."""
    await fail_login(proxied_app, PROXY, forwarded="198.51.100.99, 192.0.2.50")
    assert await counted("192.0.2.50") == 1
    assert await counted("198.51.100.99") == 0


async def test_several_proxies_are_skipped_from_the_right(proxied_app):
    await fail_login(proxied_app, PROXY, forwarded="192.0.2.60, fd00::7")
    assert await counted("192.0.2.60") == 1


async def test_without_proxy_addresses_the_header_is_never_read(db, settings):
    app = create_app(settings, init_db=False)
    await fail_login(app, "203.0.113.8", forwarded="198.51.100.3")
    assert await counted("203.0.113.8") == 1
    assert await counted("198.51.100.3") == 0


async def test_ipv6_clients_are_counted_by_64_block(proxied_app):
    await fail_login(proxied_app, "2001:db8:1:2::10")
    await fail_login(proxied_app, PROXY, forwarded="2001:db8:1:2:ffff::1")
    await fail_login(proxied_app, "2001:db8:1:3::10")
    assert await counted("2001:db8:1:2::/64") == 2
    assert await counted("2001:db8:1:3::/64") == 1


def test_address_groups():
    assert client_group("192.0.2.1") == "192.0.2.1"
    assert client_group("2001:DB8:0:0:1::5") == "2001:db8::/64"
    assert client_group("::ffff:192.0.2.1") == "192.0.2.1"  # IPv4 written as IPv6
    assert client_group("") == "unknown"
