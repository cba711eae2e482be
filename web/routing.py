"""A router that remembers which route answered an exact path, and tries only the routes a path
can match.

Starlette tries a router's routes in order, one regular expression each: a portal's requests
went through a dozen before theirs (two dozen for a verification question, ~10 µs). A path a
parameterless route answered is looked up at once the next time (the route still checks the
method: anything but a full match goes the usual way). Any other path is tried only against the
routes it can match: those whose literal start (their path before its first parameter) it has,
and the parameterless routes of its very path. The others could not match it, so the route
chosen is Starlette's. What is known of the routes is learnt again when routes are added (a test
adds some to an application made); the table is fixed once the server answers.
"""

from __future__ import annotations

from starlette._utils import get_route_path
from starlette.routing import BaseRoute, Match, Mount, Route, Router
from starlette.types import Receive, Scope, Send


class ExactPathRouter(Router):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.exact: dict[str, Route] = {}
        self._learn_routes()

    def _learn_routes(self) -> None:
        self.starts = [(*literal_start(route), route) for route in self.routes]
        # When every route matches by path alone, a path none of the routes before one matches
        # is matched by none of them whatever the method (or host): that one is remembered.
        self.by_path = all(type(route) in (Route, Mount) for route in self.routes)
        self.exact.clear()

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().app(scope, receive, send)
            return
        if len(self.starts) != len(self.routes):
            self._learn_routes()
        path = get_route_path(scope)
        route = self.exact.get(path)
        match, child_scope = route.matches(scope) if route is not None else (Match.NONE, {})
        if match is not Match.FULL:
            route, child_scope, first = self.answering(scope, path)
            if route is None:  # nothing answers: Starlette's own way (a slash redirect, a 404)
                await super().app(scope, receive, send)
                return
            if (first and self.by_path and isinstance(route, Route) and not route.param_convertors
                    and len(self.exact) < EXACT_MAX):
                self.exact[path] = route
        scope.setdefault("router", self)
        scope["route"] = route
        scope.update(child_scope)
        await route.handle(scope, receive, send)

    def answering(self, scope: Scope, path: str) -> tuple[BaseRoute | None, Scope, bool]:
        """What Starlette's loop chooses for ``scope`` (the first route matching it in full, else
        the first matching it in part: another method) and its child scope; and whether that
        route is the first to match the path at all."""
        partial = None
        for start, whole, route in self.starts:
            if path != start if whole else not path.startswith(start):
                continue
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                return route, child_scope, partial is None
            if match is Match.PARTIAL and partial is None:
                partial = (route, child_scope, True)
        return partial or (None, {}, False)


def literal_start(route: BaseRoute) -> tuple[str, bool]:
    """What every path ``route`` matches starts with (its path up to its first parameter; ""
    for a kind of route that matches by more than the path), and whether that is the whole of
    it (a route without parameters matches its path only)."""
    if type(route) not in (Route, Mount):
        return "", False
    start = route.path_format.split("{", 1)[0]
    return start, start == route.path_format and type(route) is Route


EXACT_MAX = 1000  # paths remembered (a route without parameters has one path: few)
