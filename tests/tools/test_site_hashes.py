"""python -m webstack_tools site-hashes: stale asset names found, renamed with their references."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.synth import ROOT
from webstack_tools import site_hashes
from webstack_tools.cli import main as cli


@pytest.fixture
def site(tmp_path: Path) -> Path:
    copy = tmp_path / "site"
    shutil.copytree(ROOT / "site", copy)
    return copy


def test_the_shipped_site_is_current(capsys):
    assert cli(["site-hashes"]) == 0, capsys.readouterr().out


def test_a_changed_file_is_reported_then_renamed_with_its_references(site: Path, capsys):
    (css,) = (site / "assets").glob("style.*.css")
    css.write_text(css.read_text() + "\nmain { padding: 1rem; }\n")
    assert site_hashes.main(["--site", str(site)]) == 1
    assert f"assets/{css.name}: content changed; should be style." in capsys.readouterr().out

    assert site_hashes.main(["--site", str(site), "--fix"]) == 0
    (renamed,) = (site / "assets").glob("style.*.css")
    assert renamed.name == f"style.{site_hashes.content_hash(renamed)}.css" != css.name
    index = (site / "index.html").read_text()
    assert f"/assets/{renamed.name}" in index and css.name not in index
    assert site_hashes.main(["--site", str(site)]) == 0  # and nothing left to do


def test_a_renamed_file_named_by_another_asset_renames_that_one_too(site: Path):
    (script,) = (site / "assets").glob("app.*.js")
    font = site / "assets" / "font.00000000.woff2"
    font.write_bytes(b"\x00font")
    (css,) = (site / "assets").glob("style.*.css")
    css.write_text(css.read_text() + f'\n@font-face {{ src: url("{font.name}"); }}\n')
    site_hashes.fix(site)
    assert site_hashes.stale(site / "assets") == ({}, [])
    (new_css,) = (site / "assets").glob("style.*.css")
    (new_font,) = (site / "assets").glob("font.*.woff2")
    assert new_font.name in new_css.read_text()
    assert script.exists(), "an unchanged file keeps its name"


def test_a_name_without_hash_is_reported_not_guessed(site: Path, capsys):
    (site / "assets" / "logo.png").write_bytes(b"png")
    assert site_hashes.main(["--site", str(site), "--fix"]) == 1
    assert "assets/logo.png: no content hash in the name" in capsys.readouterr().out
    assert (site / "assets" / "logo.png").exists()


def test_bad_site_path_is_one_line(capsys):
    assert cli(["site-hashes", "--site", "/nonexistent/site"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "has no assets/ folder. Fix:" in err[0]
