"""Static files under content-hashed names, cached immutably.

``app.css`` is built at start from ``static/base.css`` and every ``components/*/*.css``.
Compression is left to the compression middleware.
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from web.root import ROOT

STATIC_DIR = ROOT / "static"
COMPONENTS_DIR = ROOT / "components"
IMMUTABLE = "public, max-age=31536000, immutable"
SKIPPED = {"VENDOR.md", "base.css"}


@dataclass(frozen=True)
class Asset:
    name: str
    hashed_name: str
    body: bytes
    media_type: str
    integrity: str


def _asset(name: str, body: bytes) -> Asset:
    digest = hashlib.sha256(body).hexdigest()[:12]
    stem, dot, suffix = name.rpartition(".")
    hashed = f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"
    media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if media_type.startswith("text/") or media_type.endswith(("javascript", "svg+xml")):
        media_type += "; charset=utf-8"
    sri = "sha384-" + base64.b64encode(hashlib.sha384(body).digest()).decode()
    return Asset(name, hashed, body, media_type, sri)


def build_css() -> bytes:
    parts = [STATIC_DIR / "base.css", *sorted(COMPONENTS_DIR.glob("*/*.css"))]
    return b"\n".join(p.read_bytes() for p in parts if p.exists())


class StaticAssets:
    def __init__(self) -> None:
        self.by_name: dict[str, Asset] = {}
        self.by_hashed: dict[str, Asset] = {}
        for path in sorted(STATIC_DIR.rglob("*")):
            if path.is_file() and path.name not in SKIPPED:
                self._add(path.relative_to(STATIC_DIR).as_posix(), path.read_bytes())
        self._add("app.css", build_css())
        self.route = Route("/static/{path:path}", self.endpoint, name="static")
        self.urls = {
            name: self.route.url_path_for("static", path=asset.hashed_name)
            for name, asset in self.by_name.items()
        }

    def _add(self, name: str, body: bytes) -> None:
        asset = _asset(name, body)
        self.by_name[name] = asset
        self.by_hashed[asset.hashed_name] = asset

    def url(self, name: str) -> str:
        return self.urls[name]

    def integrity(self, name: str) -> str:
        return self.by_name[name].integrity

    async def endpoint(self, request: Request) -> Response:
        asset = self.by_hashed.get(request.path_params["path"])
        if asset is None:
            raise HTTPException(404)  # the localized error page
        return Response(
            asset.body, media_type=asset.media_type, headers={"Cache-Control": IMMUTABLE}
        )
