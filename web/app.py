"""create_app(settings): routes, middleware, lifespan. Assembly only."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.routing import Mount, Route
from tortoise.contrib.starlette import RegisterTortoise
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from web import errors, i18n
from web.branding import load_portals
from web.compression import Compression
from web.db import ensure_migrated, open_sqlite_file, tortoise_config
from web.health import Heartbeat
from web.monitoring import OperatorEndpoints, RequestObserver
from web.portals import home
from web.portals.registry import portal_mounts
from web.rendering import make_environment
from web.security import audit, sessions
from web.security.guard import RequestGuard
from web.settings import Settings
from web.static_files import StaticAssets
from web.urls import Application, Links

log = logging.getLogger("espace")


def create_app(
    settings: Settings | None = None, *, init_db: bool = True, run_mail_worker: bool = False
) -> Starlette:
    if settings is None:
        settings = Settings.from_env()  # checked as it is read
    else:
        settings.check()
    i18n.load_catalogs()
    audit.configure(settings.secret_key)
    portals = load_portals(settings)
    assets = StaticAssets()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            if init_db:
                open_sqlite_file(settings.database_url, create=False)
                await stack.enter_async_context(
                    RegisterTortoise(app, config=tortoise_config(settings.database_url))
                )
                await ensure_migrated(settings.database_url)
            if run_mail_worker:
                from web.mail.worker import run_worker

                heartbeat = Heartbeat()
                task = asyncio.create_task(run_worker(settings, beat=heartbeat.beat))
                task.add_done_callback(_report_worker_end)
                stack.callback(task.cancel)
                app.state.mail_worker = (task, heartbeat)  # for /readyz
            yield

    routes = [
        Route("/", home.portal_list, name="portal_list"),
        assets.route,
        *portal_mounts(portals),
    ]
    if settings.development:
        from web.mail.mailbox import routes as mailbox_routes

        routes.append(Mount("/dev/mailbox", routes=mailbox_routes(), name="mailbox"))

    proxies = (
        [Middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.proxy_addresses))]
        if settings.proxy_addresses else []
    )
    app = Application(
        routes=routes,
        middleware=[
            Middleware(RequestObserver, settings=settings),  # request id, log line, timing
            *proxies,  # the client's address and scheme, as the proxies saw them
            Middleware(OperatorEndpoints),  # /healthz, /readyz, /metrics
            Middleware(Compression, minimum_size=256),
            Middleware(RequestGuard, settings=settings, render_error=errors.guard_error),
        ],
        exception_handlers=errors.EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.portals = portals
    app.state.assets = assets
    app.state.links = Links(settings.base_url, app)
    app.state.templates = make_environment()
    # A global of the environment: macros imported without context reverse routes too.
    app.state.templates.globals["url_path_for"] = app.url_path_for
    app.state.template_globals = lambda request: template_globals(
        request, settings, portals, assets
    )
    return app


def _report_worker_end(task: asyncio.Task) -> None:
    """The mail worker only ends when the server stops: anything else must be heard of."""
    if not task.cancelled() and task.exception():
        log.error("the mail worker stopped: mail is not being delivered", exc_info=task.exception())


def template_globals(request: Request, settings: Settings, portals: dict, assets) -> dict:
    first_segment = request.scope["path"].split("/")[1]
    return {
        "request": request,
        "settings": settings,
        "portals": portals,
        "portal": portals.get(first_segment),
        "lang": i18n.current_language.get(),
        "languages": i18n.language_names(),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "static_url": assets.url,
        "static_integrity": assets.integrity,
        "session_end": sessions.session_end(request),
    }


def serve_app() -> Starlette:
    """The application as `espace serve` runs it: with the mail delivery worker."""
    return create_app(run_mail_worker=True)
