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


def app_command() -> str:
    """The command the local data plane runs for each load balancer target: the instance's
    own user data read as an instance boots with it (:mod:`webstack_tools.local_instance`:
    the app bundle downloaded from the emulator's S3, its systemd unit's environment and
    command, with this interpreter, on the target's loopback port)."""
    return "{python} -m webstack_tools.local_instance --user-data {user_data} --workdir {workdir} --port {port}"
