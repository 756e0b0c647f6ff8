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

from aws_cdk import App, Validations
from cdk_nag import AwsSolutionsChecks, NIST80053R5Checks

from webstack.app import ConfigInputError, build_app, cdk_json_context
from webstack_pitfalls import PitfallChecks


def main() -> int:
    # App() creates its output folder (a temp one without CDK_OUTDIR) at once;
    # remember whether it was ours to remove.
    outdir = os.environ.get("CDK_OUTDIR")
    preexisting = outdir is not None and Path(outdir).exists()
    app = App(context=cdk_json_context(Path(__file__).resolve().parent / "cdk.json"))
    # Every synth runs the rule packs; an unacknowledged finding fails it.
    Validations.of(app).add_plugins(AwsSolutionsChecks(app), NIST80053R5Checks(app), PitfallChecks())
    try:
        build_app(app)
    except ConfigInputError as err:
        print(f"webstack: {err}", file=sys.stderr)
        if not preexisting:
            shutil.rmtree(app.outdir, ignore_errors=True)
        return 2
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
