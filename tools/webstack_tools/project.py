"""Where the project is: the directory holding ``cdk.json``, found from the working directory.

Nothing here runs at import time: the tools call these functions when a
command runs, so importing a tool module never touches the file system.
"""

from __future__ import annotations

import functools
from pathlib import Path


class NotInProject(SystemExit):
    """No ``cdk.json`` in the working directory or above (the command line exits 2 with the message)."""


@functools.cache
def project_root(start: Path | None = None) -> Path:
    """The nearest directory at or above ``start`` (default: the working directory) with a ``cdk.json``."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "cdk.json").is_file():
            return candidate
    raise NotInProject(f"webstack: no cdk.json in {here} or above. Fix: run this from the webstack repository")


def emulator_state_dir() -> Path:
    """The state directory (server.json, server.log) of the emulator ``make up`` and ``make down`` share."""
    return project_root() / ".local-aws"


def outputs_dir() -> Path:
    """Where ``make up`` writes the deployed stacks' outputs (``flat-outputs.json``)."""
    return project_root() / "cfn-outputs"


def app_command() -> str | None:
    """The command the local data plane runs for each load balancer target: the origin
    application the user data installs (``app/webstack_app``, Python standard library),
    with this interpreter, on the target's loopback port. None when the project has no
    app folder (the load balancer then answers ``not emulated`` for its targets)."""
    app = project_root() / "app"
    if not (app / "webstack_app").is_dir():
        return None
    return f"env PYTHONPATH={app} {{python}} -m webstack_app --host 127.0.0.1 --port {{port}}"
