"""The pinned CDK CLI (``node_modules/.bin/cdk``) and an atomic synth through it.

    python -m webstack_tools synth --env dev [--config FILE] [--out cdk.out]

``synth`` runs the CLI into a temporary directory and moves it into place
only on success, so invalid input never leaves a partial ``cdk.out`` behind.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from webstack_tools.cli_env import CLI_FLAGS, cli_environment
from webstack_tools.project import project_root


def cdk_cli_env() -> dict[str, str]:
    """The environment of a CDK CLI process that talks to no AWS endpoint (synth): the allow-list
    of :mod:`webstack_tools.cli_env` without credentials, the venv's python first on PATH."""
    return cli_environment()


def cdk_cli() -> list[str]:
    """The command that runs the project's pinned CDK CLI (package-lock.json), never a global one."""
    return [str(project_root() / "node_modules" / ".bin" / "cdk")]


def cdk_command(command: str, *args: str) -> list[str]:
    """``cdk <command> <args>`` with the flags every run gets (no notices download)."""
    return [*cdk_cli(), command, *args, *CLI_FLAGS]


def synth(
    env_name: str,
    out: Path,
    config: str | None = None,
    quiet: bool = True,
    *,
    validation: bool = True,
    source: Path | None = None,
    context: Mapping[str, str] | None = None,
) -> int:
    """``cdk synth`` of one environment into ``out`` (relative: to the project root); the CLI's exit code.

    ``validation=False`` skips CDK's built-in template validation (``--no-validation``, about
    half the synth time; the templates are the same): for callers that only need the stacks'
    names and regions, such as ``destroy``. ``source`` synthesizes another checkout of the
    project (``plan --against git:REF``) with this project's CLI and venv: its ``cdk.json``,
    app, product and rule pack, not the installed ones. ``context``: more ``-c KEY=VALUE``."""
    root = project_root()
    cwd, env = root, cdk_cli_env()
    if source is not None:
        cwd = source
        env["PYTHONPATH"] = os.pathsep.join(str(source / p) for p in ("", "pitfalls"))
    out = out if out.is_absolute() else root / out
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    args = ["-c", f"env={env_name}", "-o", str(tmp)]
    if config:
        args += ["-c", f"config={config}"]
    for key, value in (context or {}).items():
        args += ["-c", f"{key}={value}"]
    if quiet:
        args.append("-q")
    if not validation:
        args.append("--no-validation")
    cmd = cdk_command("synth", *args)
    try:
        result = subprocess.run(cmd, check=False, cwd=cwd, env=env)
        if result.returncode != 0:
            print(f"webstack: synth of env {env_name!r} failed; nothing was written to {out}", file=sys.stderr)
            return result.returncode
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
        return 0
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m webstack_tools synth", description="synthesize ENV into cdk.out")
    parser.add_argument("--env", default="dev")
    parser.add_argument("--out", default="cdk.out", type=Path)
    parser.add_argument("--config", default=None, help="JSON file of configuration overrides")
    args = parser.parse_args(argv)
    return synth(args.env, args.out, args.config)
