"""One logging configuration for the process, handed to uvicorn as ``log_config``: JSON lines in
production (one object a line, for the journal or a log shipper), readable lines in development.

Every line written while a request is served carries its id, portal and route name (never its
path, which may hold a link's token, nor the client's address: both are personal data or
secrets). ``RequestObserver`` (web/monitoring.py) writes one ``request`` line per request.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from dataclasses import dataclass, field

from pythonjsonlogger.core import RESERVED_ATTRS

from web.settings import Settings

# What no line of ours shows, left out of every record (the logging HOWTO's "Optimization"):
# where the call was made from (a walk up the stack), the thread, the process and its
# multiprocessing name, its asyncio task (Python 3.12+; older versions never read the switch).
# One ``request`` line is written per request: a few µs of each.
logging._srcfile = None  # noqa: SLF001 - the HOWTO's documented switch
logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
logging.logAsyncioTasks = False


@dataclass
class RequestInfo:
    """What the log lines and audit events of one request say about it."""

    id: str
    portal: str = ""
    scope: dict = field(default_factory=dict, repr=False)

    @property
    def route(self) -> str:
        return route_name(self.scope)


current_request: ContextVar[RequestInfo | None] = ContextVar("current_request", default=None)


def route_name(scope: dict) -> str:
    """The name of the route that answered (Starlette records it in the scope), or ""."""
    route = scope.get("route")
    return getattr(route, "name", "") or ""


class RequestContext(logging.Filter):
    """Adds ``request_id``, ``portal`` and ``route`` to every record (empty outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        info = current_request.get()
        record.request_id = info.id if info else ""
        record.portal = info.portal if info else ""
        record.route = info.route if info else ""
        # For readable lines: "[id portal:route] " in a request, nothing outside one.
        record.request = f"[{info.id[:8]} {info.portal}:{record.route}] " if info else ""
        return True


JSON_FIELDS = "%(levelname)s %(name)s %(message)s %(request_id)s %(portal)s %(route)s"
READABLE = "%(asctime)s %(levelname)-7s %(name)s: %(request)s%(message)s"


def log_config(settings: Settings, level: str = "INFO") -> dict:
    """The ``logging.config.dictConfig`` of every logger the server writes to: ours, uvicorn's
    and the libraries' (their DEBUG lines, SQL with its values among them, stay off)."""
    if settings.development:
        formatter = {"format": READABLE, "datefmt": "%H:%M:%S"}
    else:
        formatter = {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": JSON_FIELDS,
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": True,  # ISO 8601, UTC
            # uvicorn's message with colour escapes; the readable lines' prefix
            "reserved_attrs": [*RESERVED_ATTRS, "color_message", "request"],
        }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request": {"()": RequestContext}},
        "formatters": {"default": formatter},
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "filters": ["request"],
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["default"], "level": "WARNING"},
        "loggers": {
            "espace": {"level": level},
            "uvicorn": {"level": level},
            # Its lines hold the client's address and the full path: RequestObserver writes
            # one without them.
            "uvicorn.access": {"level": "WARNING"},
        },
    }
