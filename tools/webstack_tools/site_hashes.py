"""Keep the content hashes in the site's asset names true.

    python -m webstack_tools site-hashes [--env dev] [--site PATH] [--fix]

Files under ``<site>/assets/`` are named ``<name>.<hash>.<ext>``, where
``<hash>`` is the first 8 hex digits of the file's SHA-256: the stack caches
them for a year as immutable (webstack/constructs/site_deployment.py), so a
changed file must get a new name. Without ``--fix``: lists the stale names and
exits 1. With it: renames each stale file and rewrites the references to it in
the site's pages, scripts and styles, repeating until no name changes (a
stylesheet that names a renamed font changes too). A name without a hash is
reported, never guessed at.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from webstack.config import ConfigError, load_config

HASHED = re.compile(r"^(?P<stem>[\w-]+)\.(?P<hash>[0-9a-f]{8})\.(?P<ext>[a-z0-9]+)$")
TEXT_SUFFIXES = (".html", ".htm", ".css", ".js", ".mjs", ".json", ".svg", ".txt", ".xml", ".webmanifest")
MAX_ROUNDS = 10


def content_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:8]


def stale(assets: Path) -> tuple[dict[Path, str], list[str]]:
    """({file: the name it should have}, [names without a hash])."""
    renames: dict[Path, str] = {}
    unhashed: list[str] = []
    for path in sorted(p for p in assets.rglob("*") if p.is_file()):
        match = HASHED.match(path.name)
        if match is None:
            unhashed.append(path.relative_to(assets).as_posix())
            continue
        actual = content_hash(path)
        if match["hash"] != actual:
            renames[path] = f"{match['stem']}.{actual}.{match['ext']}"
    return renames, unhashed


def _rewrite_references(site: Path, old: str, new: str) -> None:
    for text_file in (p for p in site.rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES):
        text = text_file.read_text(encoding="utf-8")
        if old in text:
            text_file.write_text(text.replace(old, new), encoding="utf-8")


def fix(site: Path) -> list[tuple[str, str]]:
    """Rename until every hash is true; the (old, new) names, in order."""
    done: list[tuple[str, str]] = []
    for _ in range(MAX_ROUNDS):
        renames, _unhashed = stale(site / "assets")
        if not renames:
            return done
        for path, name in renames.items():
            path.rename(path.with_name(name))
            _rewrite_references(site, path.name, name)
            done.append((path.name, name))
    raise RuntimeError(f"asset names still change after {MAX_ROUNDS} rounds: do two files name each other?")


def _site_folder(args: argparse.Namespace) -> Path:
    if args.site:
        return Path(args.site)
    return load_config(args.env).site.folder


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m webstack_tools site-hashes", description=__doc__.split("\n")[0])
    parser.add_argument("--env", default="dev", help="environment whose site.path to check (default dev)")
    parser.add_argument("--site", help="the site folder (instead of the environment's site.path)")
    parser.add_argument("--fix", action="store_true", help="rename stale files and rewrite their references")
    args = parser.parse_args(argv)
    try:
        site = _site_folder(args)
    except ConfigError as err:
        print(f"webstack: {err}", file=sys.stderr)
        return 2
    assets = site / "assets"
    if not assets.is_dir():
        print(f"webstack: {site} has no assets/ folder. Fix: put the content-hashed files in assets/", file=sys.stderr)
        return 2
    renames, unhashed = stale(assets)
    for name in unhashed:
        print(f"assets/{name}: no content hash in the name; name it <name>.<8 hex digits of its SHA-256>.<ext>")
    if args.fix:
        try:
            for old, new in fix(site):
                print(f"renamed assets/{old} -> {new}")
        except RuntimeError as err:
            print(f"webstack: {err}", file=sys.stderr)
            return 1
        return 1 if unhashed else 0
    for path, name in renames.items():
        print(f"assets/{path.relative_to(assets).as_posix()}: content changed; should be {name} (run with --fix)")
    return 1 if renames or unhashed else 0


if __name__ == "__main__":
    sys.exit(main())
