"""What operators see of every request, as two pure ASGI middlewares.

``RequestObserver`` (outermost) gives each request an id — the proxy's ``X-Request-ID`` when
the request comes from one of ``ESPACE_PROXY_ADDRESSES``, else a new one — returns it as
``X-Request-ID``, makes it the ``request_id`` of every log line and audit event written
meanwhile, then writes one ``request`` log line and times the request in the metrics.

``OperatorEndpoints`` (after the proxy headers, before compression and the guard) answers
``/healthz``, ``/readyz`` and ``/metrics``: no visitor cookie, no compression, no CSRF.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.routing import Route, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web import health, metrics
from web.logs import RequestInfo, current_request, route_name
from web.security.client import in_networks

log = logging.getLogger("espace.request")
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
OPERATOR_ROUTES = [
    Route("/healthz", health.healthz, name="healthz"),
    Route("/readyz", health.readyz, name="readyz"),
    Route("/metrics", metrics.metrics, name="metrics"),
]
OPERATOR_PATHS = {route.path for route in OPERATOR_ROUTES}


class RequestObserver:
    def __init__(self, app: ASGIApp, *, settings) -> None:
        self.app = app
        self.proxies = settings.proxy_addresses
        self.portals = set(settings.portals)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in OPERATOR_PATHS:
            await self.app(scope, receive, send)
            return
        first_segment = scope["path"].split("/")[1]
        info = RequestInfo(
            id=self._request_id(scope),
            portal=first_segment if first_segment in self.portals else "",
            scope=scope,
        )
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *(h for h in message.get("headers", ()) if h[0] != b"x-request-id"),
                    (b"x-request-id", info.id.encode()),
                ]
            await send(message)

        token = current_request.set(info)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            log.info("%s %s %.1f ms", scope["method"], status, seconds * 1000,
                     extra={"method": scope["method"], "status": status,
                            "duration_ms": round(seconds * 1000, 1)})
            metrics.observe_request(info.portal, route_name(scope), scope["method"], status,
                                    seconds)
            current_request.reset(token)

    def _request_id(self, scope: Scope) -> str:
        peer = (scope.get("client") or ("",))[0]
        if self.proxies and in_networks(peer, self.proxies):
            for name, value in scope["headers"]:
                if name == b"x-request-id":
                    sent = value.decode("latin-1")
                    if REQUEST_ID.fullmatch(sent):
                        return sent
        return uuid.uuid4().hex


class OperatorEndpoints:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.router = Router(routes=OPERATOR_ROUTES)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] in OPERATOR_PATHS:
            await self.router(scope, receive, send)
        else:
            await self.app(scope, receive, send)
