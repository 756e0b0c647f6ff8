"""Where the templates of a plan come from: a synthesis, the local emulator, a git commit.

* the change: ENV synthesized from the working tree into ``cdk.out.<env>``,
  as ``make up`` does (:func:`webstack_tools.cdk.synth`);
* ``deployed``: each of ENV's stacks in the running emulator, through
  CloudFormation ``GetTemplate`` with the emulator's fake credentials only
  (:mod:`webstack_tools.deploy`); no AWS account is involved;
* ``git:<ref>``: that commit checked out in a temporary ``git worktree`` and
  synthesized there with the same environment and overrides, then removed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from webstack_emulator import status
from webstack_tools.assembly import AssemblyError, CloudAssembly
from webstack_tools.cdk import synth
from webstack_tools.deploy import USABLE_STACK_STATES, DeployError, DeployTarget, emulator_calls, emulator_target
from webstack_tools.plan.model import StackTemplate

# A stack in one of these holds no resources (deleted, or its first create failed and rolled back).
_NOT_DEPLOYED = frozenset({"DELETE_COMPLETE", "ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "CREATE_FAILED"})


class PlanError(RuntimeError):
    """The plan cannot be made; the message is one line with the fix."""


def templates(assembly: CloudAssembly) -> list[StackTemplate]:
    return [StackTemplate(s.name, s.region, s.template) for s in assembly]


def synthesized(env_name: str, out: Path, config: str | None, source: Path | None = None) -> CloudAssembly:
    """ENV synthesized into ``out`` (from ``source``, a checkout, when given) and read back."""
    from webstack.app import PLAN_REVIEW_CONTEXT  # the product's app: only when synthesizing

    if synth(env_name, out, config, validation=False, source=source, context={PLAN_REVIEW_CONTEXT: "true"}) != 0:
        where = f" at {source.name}" if source is not None else ""
        raise PlanError(f"synth of {env_name}{where} failed (above); nothing was compared")
    try:
        assembly = CloudAssembly.read(out)
    except AssemblyError as err:
        raise PlanError(str(err)) from None
    if not assembly.belongs_to(env_name):
        raise PlanError(f"{out} holds {', '.join(assembly.names) or 'no stacks'}, not {env_name}'s stacks")
    return assembly


# ---------------------------------------------------------------------------
# the emulator


def running_emulator(state_dir: Path, env_name: str) -> DeployTarget:
    info = status(state_dir)
    if info is None:
        raise PlanError(
            "no local emulator is running, so nothing is deployed to compare with. "
            f"Fix: start it with `make up ENV={env_name}`, or compare with a commit: --against git:HEAD"
        )
    return emulator_target(info.endpoint, state_dir)


def _body(raw: Any, name: str) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    try:
        body: dict[str, Any] = json.loads(raw)
    except (TypeError, ValueError):
        raise PlanError(f"the emulator's template of {name} is not JSON. Fix: deploy it again with `make up`") from None
    return body


def _stack_names(cfn: Any, prefix: str) -> Iterator[tuple[str, str]]:
    for page in cfn.get_paginator("describe_stacks").paginate():
        for stack in page["Stacks"]:
            if stack["StackName"].startswith(prefix) and stack["StackStatus"] not in _NOT_DEPLOYED:
                yield stack["StackName"], stack["StackStatus"]


def deployed(target: DeployTarget, env_name: str, regions: Iterable[str]) -> tuple[list[StackTemplate], list[str]]:
    """ENV's stacks in the emulator (``webstack-<env>-*`` in ``regions``) and notes on their states."""
    found, notes = [], []
    try:
        with emulator_calls(target):
            for region in sorted(set(regions)):
                cfn = target.client("cloudformation", region)
                for name, state in _stack_names(cfn, f"webstack-{env_name}-"):
                    if state not in USABLE_STACK_STATES:
                        notes.append(f"{name} is {state} in the emulator; compared with the template it holds")
                    found.append(
                        StackTemplate(name, region, _body(cfn.get_template(StackName=name)["TemplateBody"], name))
                    )
    except DeployError as err:
        raise PlanError(str(err)) from None
    except (BotoCoreError, ClientError) as err:
        raise PlanError(
            f"reading the deployed templates from the emulator at {target.endpoint} failed: {err}"
        ) from None
    return found, notes


# ---------------------------------------------------------------------------
# git


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", "-C", str(root), *args], check=False, capture_output=True, text=True)
    except FileNotFoundError:
        raise PlanError(
            "git is not installed. Fix: install git, or compare with the emulator: --against deployed"
        ) from None


def commit_of(root: Path, ref: str) -> str:
    result = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if result.returncode != 0:
        raise PlanError(
            f"git:{ref} is not a commit of {root}. Fix: name a branch, tag or commit, e.g. --against git:HEAD"
        )
    return result.stdout.strip()


@contextmanager
def checkout(root: Path, ref: str) -> Iterator[tuple[Path, str]]:
    """``ref`` checked out in a temporary ``git worktree`` (removed afterwards): (its directory, its commit)."""
    commit = commit_of(root, ref)
    tmp = Path(tempfile.mkdtemp(prefix="webstack-plan-"))
    tree = tmp / "tree"
    added = _git(root, "worktree", "add", "--detach", "--quiet", str(tree), commit)
    if added.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        last = (added.stderr.strip().splitlines() or ["no output"])[-1]
        raise PlanError(f"git worktree add of {ref} failed ({last})")
    try:
        yield tree, commit
    finally:
        _git(root, "worktree", "remove", "--force", str(tree))
        shutil.rmtree(tmp, ignore_errors=True)
        _git(root, "worktree", "prune")
