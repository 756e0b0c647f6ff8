#!/usr/bin/env python3
"""webstack CDK app: the only place that reads context.

    cdk synth -c env=prod                      # dev | staging | prod (default dev)
    cdk synth -c env=prod -c config=prod.json  # overrides, validated like defaults

Invalid configuration prints one line naming the field and the fix, exits 2,
and leaves no output folder behind.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

from aws_cdk import App

from webstack.app import ConfigInputError, attach_rule_packs, build_app, cdk_json_context


def main(*, context: dict[str, Any] | None = None, outdir: str | None = None) -> int:
    """Synthesize; ``context``/``outdir`` stand in for ``-c``/``CDK_OUTDIR`` when called in-process.

    (jsii's Node.js process reads ``CDK_CONTEXT_JSON`` and ``CDK_OUTDIR`` from
    the environment it started with, so tests pass them as arguments.)
    """
    # App() creates its output folder (a temp one without CDK_OUTDIR) at once;
    # remember whether it was ours to remove.
    outdir = outdir or os.environ.get("CDK_OUTDIR")
    preexisting = outdir is not None and Path(outdir).exists()
    app = App(
        context={**cdk_json_context(Path(__file__).resolve().parent / "cdk.json"), **(context or {})}, outdir=outdir
    )
    # Every synth runs the rule packs; an unacknowledged finding fails it.
    attach_rule_packs(app)
    try:
        build_app(app)
    except ConfigInputError as err:
        return _refuse(app, preexisting, str(err))
    except RuntimeError as err:
        # jsii raises a construct's own validation error as RuntimeError. The
        # configuration schema should refuse such values first; if one gets
        # through, it still ends as one line, exit 2, and no output folder.
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        return _refuse(
            app,
            preexisting,
            f"CDK refused the configuration: {first}. Fix: correct the configuration (docs/configuration.md)",
        )
    app.synth()
    return 0


def _refuse(app: App, preexisting: bool, message: str) -> int:
    print(f"webstack: {message}", file=sys.stderr)
    if not preexisting:
        shutil.rmtree(app.outdir, ignore_errors=True)
    return 2


if __name__ == "__main__":
    sys.exit(main())
