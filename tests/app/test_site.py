"""The sample site (site/): content-hashed asset names, no inline code, a page the CSP admits
and that asks the origin application for what it serves."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from webstack.config import load_config
from webstack.constructs.cdn import CONTENT_SECURITY_POLICY
from webstack_app.metadata import InstanceIdentity
from webstack_app.server import HELLO_PATH, App

SITE = load_config("dev").site.folder
ASSETS = SITE / "assets"
HASHED = re.compile(r"^(?P<stem>[\w-]+)\.(?P<hash>[0-9a-f]{8})\.(?P<ext>[a-z0-9]+)$")


def content_hash(path: Path) -> str:
    """What a hashed name carries: the first 8 hex digits of the file's SHA-256."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:8]


class Page(HTMLParser):
    """What a page loads and what of it would be inline code."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.inline: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        self.inline += [f"{tag} {name}=" for name, _ in attrs if name.startswith("on") or name == "style"]
        if tag == "script":
            if named.get("src"):
                self.scripts.append(str(named["src"]))
            self._in = "script"
        elif tag == "style":
            self.inline.append("<style>")
        elif tag == "link" and named.get("rel") == "stylesheet":
            self.styles.append(str(named.get("href")))

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "script" and data.strip():
            self.inline.append(f"<script>{data.strip()[:40]}")


def page(name: str = "index.html") -> Page:
    parser = Page()
    parser.feed((SITE / name).read_text())
    return parser


@pytest.mark.parametrize("asset", sorted(ASSETS.iterdir()), ids=lambda p: p.name)
def test_asset_name_carries_its_content_hash(asset: Path):
    match = HASHED.match(asset.name)
    assert match, f"{asset.name}: name it <name>.<8 hex digits of its SHA-256>.<ext>"
    actual = content_hash(asset)
    assert match["hash"] == actual, (
        f"{asset.name} changed: rename it to {match['stem']}.{actual}.{match['ext']} and update the pages that load "
        "it (make site-hashes FIX=1 does both)"
    )


def test_pages_load_existing_hashed_assets_only():
    loaded = page().scripts + page().styles
    assert any(p.endswith(".js") for p in loaded) and any(p.endswith(".css") for p in loaded), loaded
    for path in loaded:
        assert path.startswith("/assets/"), f"{path}: pages load only content-hashed files from /assets/"
        assert (SITE / path.lstrip("/")).is_file(), f"{path} is loaded but not in {ASSETS}"


def test_no_inline_script_or_style_the_csp_would_block():
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY and "style-src 'self'" in CONTENT_SECURITY_POLICY
    for html in sorted(SITE.rglob("*.html")):
        parser = Page()
        parser.feed(html.read_text())
        assert parser.inline == [], f"{html.name}: inline code the CSP refuses: {parser.inline}"


def test_page_asks_the_origin_for_a_path_the_app_serves():
    (script,) = page().scripts
    calls = re.findall(r"""fetch\(\s*["'](/api/[^"']+)["']""", (SITE / script.lstrip("/")).read_text())
    assert calls == [HELLO_PATH]
    app = App(version="1", identity=InstanceIdentity("http://127.0.0.1:9"), now=lambda: datetime.now(UTC))
    status, body, _ = app.answer("GET", calls[0])
    # the fields the page renders
    assert status == 200 and {"message", "instance_id", "version", "build", "time"} <= set(body)
