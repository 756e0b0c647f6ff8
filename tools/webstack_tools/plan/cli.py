"""``python -m webstack_tools plan --env ENV [--config FILE] [--against deployed|git:<ref>]``.

Synthesizes ENV from the working tree into ``cdk.out.<env>``, compares it with
what the local emulator has deployed (default) or with ``<ref>`` synthesized the
same way, prints the changes and writes ``reports/plan.md``. Exit 1 when a
stateful resource is replaced or deleted and ``plan-allow.toml`` does not name
it, 2 when the plan cannot be made (one line says why), otherwise 0 (also
when access broadens: that is shown first, for review).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from webstack_tools import local_pager, project
from webstack_tools.cli_env import UnsafeEnvironment
from webstack_tools.plan.allow import ALLOW_FILE, Allowed, AllowListError, allowances, read_allow_list
from webstack_tools.plan.core import classify
from webstack_tools.plan.model import Plan, StackTemplate
from webstack_tools.plan.report import Review, markdown, text
from webstack_tools.plan.sources import PlanError, checkout, deployed, running_emulator, synthesized, templates

REPORT = Path("reports") / "plan.md"


def against(value: str) -> str:
    if value == "deployed" or (value.startswith("git:") and len(value) > len("git:")):
        return value
    raise argparse.ArgumentTypeError(f"{value!r}: use `deployed` or `git:<ref>` (e.g. git:HEAD, git:main)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m webstack_tools plan",
        description="review a change offline: ENV's synthesized templates against the emulator or a commit",
    )
    parser.add_argument("--env", default="dev")
    parser.add_argument("--config", default=None, help="JSON file of configuration overrides (both sides)")
    parser.add_argument("--against", default="deployed", type=against, help="deployed (default) or git:<ref>")
    parser.add_argument("--state-dir", type=Path, default=None, help="the emulator's state (default .local-aws)")
    parser.add_argument("--allow", type=Path, default=None, help=f"allow-list file (default {ALLOW_FILE})")
    parser.add_argument("--report", type=Path, default=None, help=f"Markdown report (default {REPORT})")
    return parser


def _absolute(path: Path) -> Path:
    return path if path.is_absolute() else project.project_root() / path


@contextmanager
def _with_local_pager(env_name: str, config: str | None) -> Iterator[str]:
    from webstack.app import ConfigInputError

    try:
        with local_pager.config_file(env_name, config) as path:
            yield path
    except ConfigInputError as err:
        raise PlanError(str(err)) from None


def against_deployed(env_name: str, config: str | None, state_dir: Path) -> tuple[str, list[StackTemplate], Plan]:
    from webstack_pitfalls import CLOUDFRONT_REGION  # imports the CDK: only when it is needed

    target = running_emulator(state_dir, env_name)  # before synthesizing: no emulator is one line, at once
    # As `make up` deployed it: with the local pager subscribed (else every plan shows its
    # subscriptions as deletes).
    with _with_local_pager(env_name, config) as deployed_config:
        assembly = synthesized(env_name, _absolute(Path(f"cdk.out.{env_name}")), deployed_config)
    before, notes = deployed(target, env_name, [*assembly.regions, CLOUDFRONT_REGION])
    deployed_names = {s.name for s in before}
    notes += [
        f"{n} is not deployed in the emulator: all of it is new" for n in assembly.names if n not in deployed_names
    ]
    plan = classify(before, templates(assembly))
    title = f"webstack plan: {env_name} against the local emulator ({target.endpoint})"
    return title, templates(assembly), Plan(plan.changes, (*notes, *plan.notes))


def against_commit(env_name: str, config: str | None, ref: str) -> tuple[str, list[StackTemplate], Plan]:
    root = project.project_root()
    with checkout(root, ref) as (tree, commit), ThreadPoolExecutor(max_workers=2) as pool:
        old = pool.submit(synthesized, env_name, tree / "cdk.out", config, tree)
        new = pool.submit(synthesized, env_name, root / f"cdk.out.{env_name}", config)
        before, after = templates(old.result()), templates(new.result())
    title = f"webstack plan: {env_name} against git:{ref} ({commit[:12]})"
    return title, after, classify(before, after)


def review_of(title: str, plan: Plan, entries: tuple[Allowed, ...]) -> Review:
    allowed = allowances(plan.changes, entries)
    unused = [
        f"{ALLOW_FILE} allows {e.stack}/{e.logical_id}, which this change does not replace or delete"
        for e in entries
        if e not in allowed.values()
    ]
    return Review(title, Plan(plan.changes, (*plan.notes, *unused)), allowed)


def run(args: argparse.Namespace) -> int:
    report = _absolute(args.report or REPORT)
    report.unlink(missing_ok=True)  # a failed plan leaves no stale report to post
    entries = read_allow_list(_absolute(args.allow or Path(ALLOW_FILE)))  # a malformed file fails first
    config = str(_absolute(Path(args.config))) if args.config else None
    if args.against == "deployed":
        state_dir = _absolute(args.state_dir) if args.state_dir else project.emulator_state_dir()
        title, _, plan = against_deployed(args.env, config, state_dir)
    else:
        title, _, plan = against_commit(args.env, config, args.against.removeprefix("git:"))
    review = review_of(title, plan, entries)
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(markdown(review))
    print(text(review))
    print(f"report: {report}")
    return review.exit_code


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return run(args)
    except (PlanError, AllowListError, UnsafeEnvironment) as err:
        print(f"webstack: {err}", file=sys.stderr, flush=True)
        return 2
