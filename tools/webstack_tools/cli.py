"""The developer tools' one command line: ``python -m webstack_tools <command> [flags]``.

The Makefile is the front door and calls these; the console script
``webstack-dev`` is the same entry. Each command's flags belong to the
module that implements it (``<command> --help`` shows them); the module is
imported only when its command runs, so a slow or broken one (the diagram
needs Graphviz, the gate imports the whole CDK) never stands in the way of
the others.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable
from dataclasses import dataclass

from webstack_tools.assembly import AssemblyError
from webstack_tools.project import NotInProject


@dataclass(frozen=True)
class Command:
    """One subcommand: ``module.main(leading + argv)`` runs it."""

    name: str
    help: str
    module: str
    leading: tuple[str, ...] = ()

    def entry(self) -> Callable[[list[str] | None], int]:
        main: Callable[[list[str] | None], int] = importlib.import_module(self.module).main
        return main


COMMANDS = (
    Command("synth", "synthesize ENV into cdk.out; nothing is written on invalid config", "webstack_tools.cdk"),
    Command("summary", "print a synthesized ENV's stacks, regions, resource counts, outputs", "webstack_tools.summary"),
    Command(
        "check",
        "the compliance gate: rule packs + pitfall rules + cfn-lint + checkov on every env and combination",
        "webstack_tools.compliance",
    ),
    Command(
        "up",
        "synthesize ENV, deploy it to the local emulator (started if needed), verify, print outputs",
        "webstack_tools.lifecycle",
        ("up",),
    ),
    Command("down", "stop the local emulator and remove cfn-outputs", "webstack_tools.lifecycle", ("down",)),
    Command(
        "destroy", "destroy exactly ENV's stacks in the running emulator", "webstack_tools.lifecycle", ("destroy",)
    ),
    Command(
        "plan",
        "review ENV's change offline: add/modify/replace/delete/broaden against the emulator or git:<ref>",
        "webstack_tools.plan",
    ),
    Command("diagram", "draw ENV's architecture from its templates", "webstack_tools.diagram"),
    Command("docs", "regenerate docs/configuration.md from webstack/config.py", "webstack_tools.docs"),
    Command(
        "site-hashes", "check (--fix: renew) the content hashes in the site's asset names", "webstack_tools.site_hashes"
    ),
    Command("bench", "time synth, the suites, the compliance gate and local deploys", "webstack_tools.bench"),
    Command(
        "bench-requests",
        "requests per second and p50/p99 through the local edge, ALB and targets, and edge to S3",
        "webstack_tools.bench_requests",
    ),
)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="python -m webstack_tools",
        description="webstack's developer tools (the Makefile calls these). `<command> --help` lists its flags.",
    )
    sub = top.add_subparsers(dest="command", required=True, metavar="<command>")
    for command in COMMANDS:
        # add_help=False: `<command> --help` reaches the command's own parser, which knows its flags.
        sub.add_parser(command.name, help=command.help, add_help=False)
    return top


def main(argv: list[str] | None = None) -> int:
    args, rest = parser().parse_known_args(sys.argv[1:] if argv is None else argv)
    command = next(c for c in COMMANDS if c.name == args.command)
    try:
        return command.entry()([*command.leading, *rest])
    except AssemblyError as err:
        print(f"webstack: {err}", file=sys.stderr)
        return 2
    except NotInProject as err:
        print(err, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
