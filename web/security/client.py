"""The client's network address, for per-address limits."""

from starlette.requests import Request


def client_address(request: Request) -> str:
    if request.app.state.settings.trusted_proxies:
        forwarded = request.headers.get("x-forwarded-for", "")
        if forwarded:
            return forwarded.split(",")[0].strip()[:64]
    return request.client.host if request.client else "unknown"
