"""Where the project is: the directory holding ``cdk.json``, found from the working directory."""

from __future__ import annotations

import functools
from pathlib import Path


class NotInProject(SystemExit):
    """Raised (exit 2) when no ``cdk.json`` is in the working directory or above."""


@functools.cache
def project_root(start: Path | None = None) -> Path:
    """The nearest directory at or above ``start`` (default: the working directory) with a ``cdk.json``."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "cdk.json").is_file():
            return candidate
    raise NotInProject(f"webstack: no cdk.json in {here} or above. Fix: run this from the webstack repository")
