#!/usr/bin/env python3
"""webstack CDK app: the only place that reads context.

    cdk synth -c env=prod                      # dev | staging | prod (default dev)
    cdk synth -c env=prod -c config=prod.json  # overrides, validated like defaults
"""

from __future__ import annotations

import sys

from aws_cdk import App

from webstack.app import ConfigInputError, build_app, cdk_json_context


def main() -> int:
    app = App(context=cdk_json_context())
    try:
        build_app(app)
    except ConfigInputError as err:
        print(f"webstack: {err}", file=sys.stderr)
        return 2
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
