"""The client's network address, for per-client limits and the audit log.

Behind the TLS proxies named in ``ESPACE_PROXY_ADDRESSES``, uvicorn's proxy-headers middleware
(added by ``create_app``) has already put in the scope the rightmost ``X-Forwarded-For`` hop
that is not one of them: what a client writes in that header itself is never believed. IPv6
clients are grouped by /64, the smallest block one subscriber is given, so changing address
inside it does not escape a limit.
"""

import ipaddress

from starlette.requests import Request


def client_address(request: Request) -> str:
    return client_group(request.client.host if request.client else "")


def client_group(host: str) -> str:
    """The key a client address is counted under: an IPv4 address, or an IPv6 /64 network."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host[:64] or "unknown"
    if address.version == 6:
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def in_networks(host: str, networks: tuple[str, ...]) -> bool:
    """Whether ``host`` is one of ``networks`` (IP addresses or networks, as in the settings)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in ipaddress.ip_network(network, strict=False) for network in networks)
