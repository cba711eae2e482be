"""Route names reversed into URLs: every route is named (a portal's under its id,
``mss:register``) and reversed with Starlette's ``url_path_for``, in Python and in templates
(paths: pages stay small). Mail and postal letters have no request: their absolute links are
``BASE_URL`` + the reversed path, built by ``Links``."""

from __future__ import annotations

from typing import Protocol

from starlette.applications import Starlette
from starlette.datastructures import State, URLPath

from web.routing import ExactPathRouter


class Reverser(Protocol):
    def url_path_for(self, name: str, /, **path_params) -> str: ...


class Links:
    """Absolute links for mail and letters: ``links("mss:set_password", token=raw)``."""

    def __init__(self, base_url: str, routes: Reverser) -> None:
        self.base_url = base_url.rstrip("/")
        self.routes = routes

    def __call__(self, name: str, /, **path_params) -> str:
        return self.base_url + self.routes.url_path_for(name, **path_params)


class Application(Starlette):
    """Starlette, reversing each route name without parameters once: Starlette tries the
    routes in turn (30 to 70 µs a name in a portal's table, a dozen names a page), and the
    route table is fixed once the application is built. Its requests find their route as a
    portal's do (``ExactPathRouter``), not through every route of the table in turn; its
    state is read as plain attributes (``AttributeState``)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.router = ExactPathRouter(self.router.routes, lifespan=self.router.lifespan_context)
        self.state = AttributeState()

    def url_path_for(self, name: str, /, **path_params) -> URLPath:
        if path_params:
            return super().url_path_for(name, **path_params)
        paths = self.__dict__.setdefault("_paths", {})
        if name not in paths:
            paths[name] = super().url_path_for(name)
        return paths[name]


class AttributeState(State):
    """Starlette's State whose values are plain attributes too: read without State's
    ``__getattr__`` (~1 µs a read, a dozen reads a request)."""

    def __setattr__(self, key: str, value) -> None:
        super().__setattr__(key, value)
        object.__setattr__(self, key, value)

    def __delattr__(self, key: str) -> None:
        super().__delattr__(key)
        object.__delattr__(self, key)
