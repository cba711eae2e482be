"""Route names reversed into URLs: every route is named (a portal's under its id,
``mss:register``) and reversed with Starlette's ``url_path_for``, in Python and in templates
(paths: pages stay small). Mail and postal letters have no request: their absolute links are
``BASE_URL`` + the reversed path, built by ``Links``."""

from __future__ import annotations

from typing import Protocol


class Reverser(Protocol):
    def url_path_for(self, name: str, /, **path_params) -> str: ...


class Links:
    """Absolute links for mail and letters: ``links("mss:set_password", token=raw)``."""

    def __init__(self, base_url: str, routes: Reverser) -> None:
        self.base_url = base_url.rstrip("/")
        self.routes = routes

    def __call__(self, name: str, /, **path_params) -> str:
        return self.base_url + self.routes.url_path_for(name, **path_params)
