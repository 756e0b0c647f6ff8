"""``python -m webstack_tools.diagram --env prod [--config FILE] [--out docs/]``."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from webstack_tools.assembly import CloudAssembly
from webstack_tools.diagram.build import build_dot
from webstack_tools.diagram.render import render_files
from webstack_tools.project import project_root

ROOT = project_root()
DOCS = ROOT / "docs"


def synthesize(env_name: str, overrides: Mapping[str, Any] | None = None) -> CloudAssembly:
    """Synthesize one environment in-process (no CLI, no asset bundling: the diagram never shows asset hashes)."""
    # The CLI path (webstack_tools.cli.tool_env) silences the same jsii notices.
    os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    from aws_cdk import App

    from webstack.app import cdk_json_context
    from webstack.config import load_config
    from webstack.stacks import add_environment
    from webstack_tools import local_pager

    # A protected environment whose configuration pages no one is drawn as `make up`
    # deploys it: with the local pager (one subscription more, no resource to draw).
    config = load_config(env_name, local_pager.completed(env_name, overrides))
    with tempfile.TemporaryDirectory(prefix="webstack-diagram.") as outdir:
        app = App(outdir=outdir, context={**cdk_json_context(ROOT / "cdk.json"), "aws:cdk:bundling-stacks": []})
        add_environment(app, config)
        return CloudAssembly.of(app.synth())


def title_for(env_name: str) -> str:
    return f"webstack {env_name}: architecture (drawn from the synthesized CloudFormation templates)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m webstack_tools.diagram",
        description="Architecture diagram drawn from the synthesized templates, so it is always true.",
    )
    parser.add_argument("--env", default="prod")
    parser.add_argument("--config", default=None, help="JSON overrides (file path or inline object), as for synth")
    parser.add_argument("--out", default=DOCS, type=Path, help="output directory (default: docs/)")
    args = parser.parse_args(argv)
    from webstack.app import ConfigInputError, read_overrides
    from webstack.config import ConfigError

    try:
        assembly = synthesize(args.env, read_overrides(args.config))
    except (ConfigError, ConfigInputError) as err:
        print(f"webstack: invalid configuration for env {args.env!r}: {err}", file=sys.stderr)
        return 2
    for path in render_files(build_dot(assembly, title_for(args.env)), args.out, f"architecture-{args.env}"):
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0
