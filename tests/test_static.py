"""Vendored htmx matches its record; static assets are built, hashed and served; an unknown
name gets the localized 404 page."""

import base64
import hashlib
import re

from web.root import ROOT
from web.static_files import StaticAssets


def test_vendored_htmx_matches_vendor_record():
    record = (ROOT / "static" / "VENDOR.md").read_text()
    expected = re.search(r"`(sha384-[A-Za-z0-9+/=]+)`", record).group(1)
    body = (ROOT / "static" / "htmx.min.js").read_bytes()
    actual = "sha384-" + base64.b64encode(hashlib.sha384(body).digest()).decode()
    assert actual == expected
    assert "4.0.1" in record and 'version="4.0.1"' in body.decode()


def test_app_css_includes_every_component_stylesheet():
    assets = StaticAssets()
    css = assets.by_name["app.css"].body.decode()
    for path in (ROOT / "components").glob("*/*.css"):
        assert path.read_text().strip()[:40] in css


def test_hashed_names_change_with_content():
    assets = StaticAssets()
    asset = assets.by_name["htmx.min.js"]
    assert asset.hashed_name != "htmx.min.js"
    assert hashlib.sha256(asset.body).hexdigest()[:12] in asset.hashed_name
    assert assets.integrity("htmx.min.js").startswith("sha384-")


def test_layout_loads_scripts_deferred_with_integrity():
    layout = (ROOT / "web" / "templates" / "layout.html").read_text()
    for name in ("htmx.min.js", "app.js"):
        tag = re.search(rf"<script[^>]*static_url\('{re.escape(name)}'\)[^>]*>", layout).group(0)
        assert " defer" in tag and "integrity=" in tag


async def test_a_hashed_asset_is_served_immutable_without_a_cookie(client, app):
    response = await client.get(app.state.assets.url("htmx.min.js"))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "set-cookie" not in response.headers


async def test_an_unknown_static_name_answers_the_localized_error_page(client, app):
    stale = app.state.assets.url("app.css").replace(".css", "0.css")
    for path in (stale, "/static/app.css", "/static/no-such-file.js", "/static/%3Cscript%3E"):
        response = await client.get(path, headers={"Accept-Language": "fr"})
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("text/html")
        assert "<h1" in response.text and "Page introuvable" in response.text
        assert "immutable" not in response.headers["cache-control"]
        assert "<script>" not in response.text
    english = await client.get("/static/no-such-file.js", headers={"Accept-Language": "en"})
    assert english.status_code == 404 and "Page not found" in english.text
