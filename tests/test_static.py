"""Vendored htmx matches its record; static assets are built and hashed."""

import base64
import hashlib
import re

from web.settings import ROOT
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
