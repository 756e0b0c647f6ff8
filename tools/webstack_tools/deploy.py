"""Deploy a synthesized assembly to the local emulator (or any AWS endpoint) through the pinned CDK CLI.

The commands that use this (``up``, ``destroy``, ``down``) are in
:mod:`webstack_tools.lifecycle`. Here: where to deploy (:class:`DeployTarget`),
``cdk bootstrap``, ``cdk deploy`` of exactly the assembly's stacks with
``cfn-outputs/flat-outputs.json`` written after, and what a failed deploy
leaves: a report of the failing resource (type and reason) and nothing
half-deployed -- neither the stack nor its change sets, so fixing the cause
and deploying again works in the same emulator.

Every CLI process gets the allow-listed environment of
:mod:`webstack_tools.cli_env`, and is watched: if the emulator process goes
away meanwhile, the CLI is stopped and :class:`EmulatorGone` says so.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from botocore.exceptions import BotoCoreError, ClientError

from webstack_emulator import ACCOUNT_ID, EmulatorInfo, reset, status
from webstack_tools import rollback_triggers, stack_policy
from webstack_tools.assembly import PLUMBING_OUTPUT_PREFIXES, CloudAssembly, SynthesizedStack
from webstack_tools.cdk import cdk_command
from webstack_tools.cli_env import cli_environment, cli_home, isolated_session
from webstack_tools.project import app_command, project_root

FLAT_OUTPUTS_FILE = "flat-outputs.json"
STACK_OUTPUTS_FILE = "stack-outputs.json"
# Stack states a deployed environment may be in and still be used (an update
# that rolled back leaves the previous, working version in place).
USABLE_STACK_STATES = frozenset({"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE"})
# A stack in one of these never finished its first create: it can only be deleted
# (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/troubleshooting.html#troubleshooting-errors-update-rollback-failed).
_FAILED_CREATE_STATES = frozenset({"ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "CREATE_FAILED"})
_WATCH_SECONDS = 0.5


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


class DeployError(RuntimeError):
    """A deployment step failed; the message says what and how to fix it."""


class EmulatorGone(DeployError):
    """The emulator process ended while a command used it."""

    def __init__(self, target: DeployTarget) -> None:
        where = f" (its log: {Path(target.state_dir) / 'server.log'})" if target.state_dir else ""
        super().__init__(
            f"the local AWS emulator at {target.endpoint} stopped while this command was using it{where}; "
            "run `make up` again: it starts a fresh emulator and deploys"
        )


@dataclass
class DeployTarget:
    """Where to deploy: the local emulator (endpoint set) or a real account."""

    endpoint: str | None
    account: str
    env: dict[str, str] = field(default_factory=dict)
    state_dir: Path | None = None  # the emulator's, when this process knows it

    def client(self, service: str, region: str) -> Any:
        if self.endpoint is None:
            import boto3

            return boto3.session.Session().client(service, region_name=region)
        # Never the user's profile or config files: only the emulator's fake credentials.
        return isolated_session(self.env).client(service, region_name=region, endpoint_url=self.endpoint)

    def alive(self) -> bool:
        """False once the emulator this target names is known to be gone (a real account: always True)."""
        if self.endpoint is None:
            return True
        if self.state_dir is not None:
            info = status(self.state_dir)
            return info is not None and info.endpoint == self.endpoint
        return _accepts_connections(self.endpoint)


def _accepts_connections(endpoint: str) -> bool:
    """A TCP connect, not a request: a busy emulator is slow to answer but still accepts."""
    parts = urlsplit(endpoint)
    try:
        with socket.create_connection((parts.hostname or "localhost", parts.port or 80), timeout=5):
            return True
    except OSError:
        return False


def emulator_target(endpoint: str, state_dir: Path | None = None) -> DeployTarget:
    """The emulator at ``endpoint``, with the CDK CLI's allow-listed environment pointed at it."""
    return DeployTarget(endpoint=endpoint, account=ACCOUNT_ID, env=cli_environment(endpoint), state_dir=state_dir)


def local_target(state_dir: Path) -> DeployTarget:
    """The emulator recorded in ``state_dir``, started first if none runs."""
    info = status(state_dir)
    if info is None:
        say("starting the local AWS emulator (moto + webstack providers) on localhost")
        info = start_emulator(state_dir)
    else:
        say(f"reusing the local AWS emulator at {info.endpoint}")
    return emulator_target(info.endpoint, state_dir)


def start_emulator(state_dir: Path) -> EmulatorInfo:
    """``python -m webstack_emulator start`` with the allow-listed environment: the emulator runs
    boto3 inside, and a user's ``AWS_PROFILE`` (say) would stop it at its first request."""
    state_dir.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "webstack_emulator", "--state-dir", str(state_dir), "start", "--data-plane"]
    cmd += ["--app-command", app_command()]
    result = subprocess.run(cmd, check=False, env=cli_environment(), capture_output=True, text=True)
    info = status(state_dir)
    if result.returncode != 0 or info is None:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise DeployError(f"the local AWS emulator did not start ({last}); see {state_dir / 'server.log'}")
    return info


@contextmanager
def emulator_calls(target: DeployTarget) -> Iterator[None]:
    """A connection error from a vanished emulator becomes :class:`EmulatorGone`."""
    try:
        yield
    except (BotoCoreError, OSError) as err:
        if not target.alive():
            raise EmulatorGone(target) from err
        raise


def _stop_group(proc: subprocess.Popen[str]) -> None:
    """SIGTERM to the CLI's process group, SIGKILL after 10 s; the CLI is reaped either way."""
    for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, None)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue
    proc.wait()


def run_cli(
    target: DeployTarget, cmd: Sequence[str], *, capture: bool = False, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a CDK CLI command against ``target``; EmulatorGone (the CLI stopped) if the emulator ends meanwhile."""
    pipe = subprocess.PIPE if capture else None
    proc = subprocess.Popen(
        list(cmd),
        cwd=cwd or project_root(),
        env=target.env,
        text=True,
        stdout=pipe,
        stderr=pipe,
        start_new_session=True,  # its own process group: stopped as a whole
    )
    try:
        while True:
            try:
                out, err = proc.communicate(timeout=_WATCH_SECONDS)
                return subprocess.CompletedProcess(list(cmd), proc.returncode, out or "", err or "")
            except subprocess.TimeoutExpired:
                if not target.alive():
                    _stop_group(proc)
                    raise EmulatorGone(target) from None
    except BaseException:
        if proc.poll() is None:
            _stop_group(proc)
        raise


def missing_bootstrap(target: DeployTarget, regions: Iterable[str]) -> list[str]:
    """The regions of ``regions`` without a CDKToolkit stack."""
    missing = []
    with emulator_calls(target):
        for region in regions:
            try:
                target.client("cloudformation", region).describe_stacks(StackName="CDKToolkit")
            except ClientError:
                missing.append(region)
    return missing


def bootstrap_regions(target: DeployTarget, regions: Sequence[str], app: Path | None = None) -> list[str]:
    """``cdk bootstrap`` of the ``regions`` that have no CDKToolkit stack yet; returns those it bootstrapped.

    In a project directory ``cdk bootstrap`` synthesizes cdk.json's app first (with
    the default context: env=dev) into cdk.out, replacing the assembly about to be
    deployed. So it reads ``app`` (a synthesized assembly) when given, and
    otherwise runs outside the project, where there is no app to synthesize."""
    regions = sorted(set(regions))
    missing = missing_bootstrap(target, regions)
    if not missing:
        say(f"CDK bootstrap present in {', '.join(regions)}")
        return []
    say(f"cdk bootstrap {', '.join(missing)}")
    app_args = [] if app is None else ["--app", str(app)]
    environments = [f"aws://{target.account}/{r}" for r in missing]
    result = run_cli(
        target,
        cdk_command("bootstrap", *app_args, *environments),
        capture=True,
        cwd=None if app is not None else cli_home(),
    )
    if result.returncode != 0:
        if not target.alive():
            raise EmulatorGone(target)
        raise DeployError(f"cdk bootstrap failed:\n{result.stderr[-3000:]}")
    return missing


def bootstrap(target: DeployTarget, assembly: CloudAssembly) -> None:
    """``cdk bootstrap`` of every region of ``assembly`` that has no CDKToolkit stack yet."""
    bootstrap_regions(target, assembly.regions, assembly.directory)


def failure_report(target: DeployTarget, stacks: Iterable[SynthesizedStack]) -> str:
    """The failed resources of the given stacks, one readable block."""
    lines = []
    for stack in stacks:
        cfn = target.client("cloudformation", stack.region)
        try:
            events = cfn.describe_stack_events(StackName=stack.name)["StackEvents"]
        except ClientError:
            continue
        for event in events:
            if event.get("ResourceStatus", "").endswith("_FAILED") and event.get("ResourceStatusReason"):
                lines.append(
                    f"  stack    {stack.name} ({stack.region})\n"
                    f"  resource {event.get('LogicalResourceId')} ({event.get('ResourceType')})\n"
                    f"  reason   {event['ResourceStatusReason']}"
                )
                break
    return "\n".join(lines)


def stack_status(target: DeployTarget, name: str, region: str) -> str | None:
    try:
        state: str = target.client("cloudformation", region).describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]
    except ClientError:
        return None
    return state


def deployed_stacks(target: DeployTarget, assembly: CloudAssembly) -> list[SynthesizedStack]:
    """The stacks of ``assembly`` that exist in the target (not deleted)."""
    return [s for s in assembly if stack_status(target, s.name, s.region) not in (None, "DELETE_COMPLETE")]


@dataclass(frozen=True)
class SafeChange:
    """What protects a deploy's update: the stack-policy override and the rollback triggers' monitoring time."""

    allow_replace: frozenset[str] = frozenset()
    """Stateful logical ids this deploy may replace or delete (``make up ALLOW_REPLACE=...``)."""
    rollback_monitoring_minutes: int = 0
    """``deploy.rollback_monitoring_minutes`` of the configuration."""


def deploy(
    target: DeployTarget, assembly: CloudAssembly, outputs_dir: Path, safe: SafeChange | None = None
) -> dict[str, str]:
    """``cdk deploy`` of exactly the stacks of a synthesized ``assembly``, watched by the stacks' paging
    alarms (:mod:`.rollback_triggers`) and leaving each stack's stack policy on
    (:mod:`.stack_policy`); writes ``outputs_dir/flat-outputs.json`` and returns its contents. On
    failure: what failed, nothing half-deployed left, DeployError (EmulatorGone if the emulator went away)."""
    safe = safe or SafeChange()
    if assembly.directory is None:
        raise DeployError("cdk deploy needs a synthesized cdk.out directory; this assembly was synthesized in memory")
    with emulator_calls(target):
        _clear_failed_creates(target, assembly)
        before = {s.name: stack_status(target, s.name, s.region) for s in assembly}
        existing = [s for s in assembly if before[s.name] in USABLE_STACK_STATES]
        deployed = stack_policy.deployed_stateful_ids(target, existing)
        _check_allowances(assembly, deployed, safe.allow_replace)
        triggers = _triggers(target, existing)
        loosened = stack_policy.loosen(target, existing, deployed, safe.allow_replace)
    outputs_dir.mkdir(parents=True, exist_ok=True)
    raw = outputs_dir / STACK_OUTPUTS_FILE
    raw.unlink(missing_ok=True)
    try:
        nested = _run_deploys(target, assembly, raw, triggers, minutes=safe.rollback_monitoring_minutes, before=before)
    except DeployError:
        if target.alive():
            with emulator_calls(target):
                still = {s.name for s in deployed_stacks(target, assembly)}
                stack_policy.restore(target, [s for s in loosened if s.name in still])
        raise
    with emulator_calls(target):
        stack_policy.protect(target, assembly)
    flat = flatten_outputs(nested)
    (outputs_dir / FLAT_OUTPUTS_FILE).write_text(json.dumps(flat, indent=2, sort_keys=True) + "\n")
    return flat


def _check_allowances(assembly: CloudAssembly, deployed: Mapping[str, list[str]], allow: frozenset[str]) -> None:
    unknown = stack_policy.unknown_allowances(assembly, deployed, allow)
    if unknown:
        raise DeployError(
            f"ALLOW_REPLACE names {', '.join(unknown)}, not a stateful resource of {', '.join(assembly.names)} "
            "(synthesized or deployed); nothing was deployed. Fix: name logical ids that `make plan` reports "
            "as replaced or deleted"
        )


def _triggers(target: DeployTarget, existing: Iterable[SynthesizedStack]) -> dict[str, list[str]]:
    try:
        return {s.name: rollback_triggers.paging_alarm_arns(target, s) for s in existing}
    except rollback_triggers.TooManyTriggers as err:
        raise DeployError(f"{err}; nothing was deployed") from None


def _run_deploys(
    target: DeployTarget,
    assembly: CloudAssembly,
    raw: Path,
    triggers: Mapping[str, list[str]],
    *,
    minutes: int,
    before: Mapping[str, str | None],
) -> dict[str, dict[str, str]]:
    """One ``cdk deploy`` of every stack, or, when a stack has rollback triggers (they apply to a
    whole command), one ``cdk deploy --exclusively`` per stack in deploy order. Returns the outputs
    by stack, also written to ``raw``."""
    runs: list[tuple[list[str], list[str]]]
    if not any(triggers.values()):
        runs = [(assembly.names, [])]
    else:
        runs = [
            ([s.name], ["--exclusively", *rollback_triggers.trigger_arguments(triggers.get(s.name, []), minutes)])
            for s in assembly
        ]
    nested: dict[str, dict[str, str]] = {}
    for names, extra in runs:
        watched = len(triggers.get(names[0], [])) if len(names) == 1 else 0
        say(f"cdk deploy {' '.join(names)}" + (f" (rollback triggers: {watched} paging alarm(s))" if watched else ""))
        _cdk_deploy(target, assembly, [*names, *extra], raw, before)
        nested.update(json.loads(raw.read_text()))
    raw.write_text(json.dumps(nested, indent=2, sort_keys=True) + "\n")
    return nested


def _cdk_deploy(
    target: DeployTarget,
    assembly: CloudAssembly,
    stacks_and_options: list[str],
    raw: Path,
    before: Mapping[str, str | None],
) -> None:
    args = ["--app", str(assembly.directory), "--require-approval", "never", "--outputs-file", str(raw)]
    result = run_cli(target, cdk_command("deploy", *stacks_and_options, *args, "--progress", "events"))
    if result.returncode == 0:
        return
    if not target.alive():
        raise EmulatorGone(target)
    with emulator_calls(target):
        report = failure_report(target, assembly)
        _remove_half_deployed(target, assembly, before)
    raise DeployError(
        "cdk deploy failed.\n"
        + (report or "  (no failed resource recorded; see the CDK output above)")
        + "\nNothing half-deployed was left behind. Fix the cause and run `make up` again."
    )


def flatten_outputs(nested: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """``{stack: {key: value}}`` -> ``{key: value}``, without CDK's cross-stack plumbing."""
    flat: dict[str, str] = {}
    for stack_outputs in nested.values():
        for key, value in stack_outputs.items():
            if key.startswith(PLUMBING_OUTPUT_PREFIXES):
                continue
            if key in flat and flat[key] != value:
                raise DeployError(f"output {key} appears in two stacks with different values")
            flat[key] = value
    return flat


def _clear_failed_creates(target: DeployTarget, assembly: CloudAssembly) -> None:
    """Delete stacks of ``assembly`` left in a failed first create (an interrupted earlier run):
    the CLI would delete them itself, but not their change sets."""
    for stack in reversed(assembly.stacks):
        if stack_status(target, stack.name, stack.region) in _FAILED_CREATE_STATES:
            say(f"removing {stack.name}, left from an earlier failed deploy")
            delete_stack(target, stack)


def _remove_half_deployed(target: DeployTarget, assembly: CloudAssembly, before: Mapping[str, str | None]) -> None:
    """Delete stacks this run created and could not finish; keep ones that existed."""
    for stack in reversed(assembly.stacks):
        now = stack_status(target, stack.name, stack.region)
        created_now = before.get(stack.name) is None
        if now is None or not (created_now or now in _FAILED_CREATE_STATES):
            continue
        say(f"removing half-deployed {stack.name}")
        if not delete_stack(target, stack) and target.endpoint:
            say("stack deletion failed in the emulator; resetting it")
            reset(target.endpoint)
            return


def delete_stack(target: DeployTarget, stack: SynthesizedStack) -> bool:
    """Delete ``stack`` and its change sets; False if the deletion did not complete.

    The change sets go first, by id: a change set the deleted stack leaves behind
    is found by name (``cdk-deploy-change-set``) when the next deploy creates the
    stack again, and executing it fails; on AWS they go with the stack
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DeleteChangeSet.html)."""
    cfn = target.client("cloudformation", stack.region)
    cfn.update_termination_protection(EnableTerminationProtection=False, StackName=stack.name)
    for summary in cfn.list_change_sets(StackName=stack.name).get("Summaries", []):
        try:
            cfn.delete_change_set(ChangeSetName=summary["ChangeSetId"])
        except ClientError:
            continue  # already gone
    cfn.delete_stack(StackName=stack.name)
    try:
        cfn.get_waiter("stack_delete_complete").wait(
            StackName=stack.name, WaiterConfig={"Delay": 1, "MaxAttempts": 120}
        )
    except BotoCoreError:
        return False
    return True
