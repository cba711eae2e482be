"""A router that remembers which route answered an exact path.

Starlette tries a router's routes in order, one regular expression each: a portal's requests
went through a dozen before theirs. A path a parameterless route answered is looked up at
once the next time (the route still checks the method: anything but a full match goes the
usual way). The route table is fixed once the server answers.
"""

from __future__ import annotations

from starlette._utils import get_route_path
from starlette.routing import Match, Route, Router
from starlette.types import Receive, Scope, Send


class ExactPathRouter(Router):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.exact: dict[str, Route] = {}

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().app(scope, receive, send)
            return
        path = get_route_path(scope)
        route = self.exact.get(path)
        if route is not None:
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                scope.setdefault("router", self)
                scope["route"] = route
                scope.update(child_scope)
                await route.handle(scope, receive, send)
                return
        await super().app(scope, receive, send)
        answered = scope.get("route")
        if (isinstance(answered, Route) and not answered.param_convertors
                and answered in self.routes and len(self.exact) < EXACT_MAX):
            self.exact.setdefault(path, answered)


EXACT_MAX = 1000  # paths remembered (a route without parameters has one path: few)
