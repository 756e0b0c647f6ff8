"""``up``, ``destroy`` and ``down``: the local environment's lifecycle (``make up`` / ``destroy`` / ``down``).

    python -m webstack_tools up      --env dev [--config FILE] [--gate]  # synth + emulator + bootstrap, deploy, verify
                                     [--allow-replace ID,...]            # ... and let this deploy replace them
    python -m webstack_tools destroy --env dev [--yes] [--unprotect]     # destroy exactly dev's stacks
    python -m webstack_tools down                                        # stop the emulator, remove outputs

``up`` synthesizes ENV into its own assembly directory (``cdk.out.<env>``)
while it starts the emulator and bootstraps it (with ``--gate`` the
compliance gate runs alongside too, and nothing is deployed unless it
passes), deploys exactly that assembly's stacks, verifies them and prints
"webstack <env> is up" only when every check passed. ``destroy`` synthesizes
ENV itself (in a temporary directory) and destroys that environment's stacks
only, after saying which. Each command exits non-zero with one line on
what went wrong.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from webstack.app import ConfigInputError
from webstack_emulator import status, stop
from webstack_pitfalls import CLOUDFRONT_REGION
from webstack_tools import local_pager, project
from webstack_tools.assembly import CloudAssembly, SynthesizedStack
from webstack_tools.cdk import cdk_command, synth
from webstack_tools.cli_env import UnsafeEnvironment, cli_environment
from webstack_tools.deploy import (
    FLAT_OUTPUTS_FILE,
    STACK_OUTPUTS_FILE,
    DeployError,
    DeployTarget,
    EmulatorGone,
    SafeChange,
    bootstrap,
    bootstrap_regions,
    deploy,
    deployed_stacks,
    emulator_calls,
    emulator_target,
    local_target,
    run_cli,
    say,
)
from webstack_tools.project import project_root
from webstack_tools.verify import Deployment, site_url, summary_table, verify, web_region

_LOAD_BALANCER = "AWS::ElasticLoadBalancingV2::LoadBalancer"


def fail(message: str, code: int = 1) -> int:
    print(f"webstack: {message}", file=sys.stderr, flush=True)
    return code


# --------------------------------------------------------------------------
# up
# --------------------------------------------------------------------------
def expected_regions(env_name: str, config: str | None) -> list[str]:
    """The regions ``env_name`` deploys to, from its configuration (without synthesizing): the app's
    region and CloudFront's. The synthesized assembly has the last word; this only lets the
    bootstrap start early."""
    from webstack.app import ConfigInputError, read_overrides
    from webstack.config import ConfigError, load_config

    try:
        region = str(load_config(env_name, read_overrides(config)).region)
    except (ConfigError, ConfigInputError, OSError, ValueError):
        return [CLOUDFRONT_REGION]  # the synth reports the configuration error
    return sorted({region, CLOUDFRONT_REGION})


def rollback_monitoring_minutes(env_name: str, config: str | None) -> int:
    """``deploy.rollback_monitoring_minutes`` of ``env_name`` with the overrides in ``config``
    (read after the synth, which has refused an invalid configuration already)."""
    from webstack.app import read_overrides
    from webstack.config import load_config

    return load_config(env_name, read_overrides(config)).deploy.rollback_monitoring_minutes


def allowed_replacements(text: str | None) -> frozenset[str]:
    """``ALLOW_REPLACE=A,B`` -> {"A", "B"}."""
    return frozenset(part.strip() for part in (text or "").split(",") if part.strip())


def _prepare_emulator(env_name: str, config: str | None, state_dir: Path) -> DeployTarget:
    """Start (or reuse) the emulator, bootstrap the regions ``env_name`` will use and create
    its local pager queue (``config`` holds the pager: :func:`local_pager.config_file`)."""
    target = local_target(state_dir)
    bootstrap_regions(target, expected_regions(env_name, config))
    region = local_pager.application_region(env_name, local_pager.read_user_overrides(config))
    local_pager.create_queue(target.client("sqs", region), env_name, region)
    return target


def _gate(env_name: str, config: str | None) -> tuple[int, str]:
    """The compliance gate for this one configuration (``check --env ENV --quick``): exit code, output."""
    cmd = [sys.executable, "-m", "webstack_tools", "check", "--env", env_name, "--quick"]
    if config:
        cmd += ["--config", config]
    result = subprocess.run(cmd, check=False, cwd=project_root(), env=cli_environment(), capture_output=True, text=True)
    return result.returncode, result.stdout + result.stderr


def _synthesized(env_name: str, assembly_dir: Path, config: str | None, gated: bool) -> CloudAssembly | None:
    # With the gate the rule packs and cfn-lint run on this very configuration in the
    # gate; the synth then skips CDK's built-in validation (same templates, half the time).
    if synth(env_name, assembly_dir, config, validation=not gated) != 0:
        return None
    return CloudAssembly.read(assembly_dir)


def _prepared(
    env_name: str, config: str | None, assembly_dir: Path, state_dir: Path, gated: bool
) -> tuple[CloudAssembly, DeployTarget]:
    """Synthesis, emulator start + bootstrap, and (``gated``) the compliance gate, side by side."""
    say(f"synthesizing {env_name} while the emulator starts and bootstraps" + (", gate alongside" if gated else ""))
    with ThreadPoolExecutor(max_workers=3) as pool:
        gate: Future[tuple[int, str]] | None = pool.submit(_gate, env_name, config) if gated else None
        target = pool.submit(_prepare_emulator, env_name, config, state_dir)
        assembly = pool.submit(_synthesized, env_name, assembly_dir, config, gated)
        synthesized, ready = assembly.result(), target.result()
        if gate is not None:
            code, output = gate.result()
            print(output, end="", flush=True)
            if code != 0:
                raise DeployError("the compliance gate failed (above); nothing was deployed")
    if synthesized is None:
        raise DeployError(f"synth of {env_name} failed (above); nothing was deployed")
    if not synthesized.belongs_to(env_name):
        raise DeployError(
            f"{assembly_dir} holds {', '.join(synthesized.names)}, not {env_name}'s stacks; nothing was deployed"
        )
    return synthesized, ready


def finish(env_name: str, deployment: Deployment, seconds: float) -> int:
    """Verify; "webstack ENV is up" and the summary only when every check passed."""
    say("verifying the deployment")
    failures = verify(deployment)
    where = f"The emulator keeps running at {deployment.target.endpoint}: `make down` stops it and removes the outputs."
    if failures:
        return fail(f"{env_name} deployed, but verification failed: {', '.join(failures)} (see FAIL above). {where}")
    print(f"\nopen {site_url(deployment)} in a browser (the local CloudFront edge of {env_name})")
    print(summary_table(env_name, deployment.assembly, deployment.outputs, seconds))
    print(f"\n  {where}")
    return 0


def up(
    env_name: str,
    config: str | None,
    assembly_dir: Path,
    *,
    state_dir: Path,
    outputs_dir: Path,
    gated: bool = False,
    allow_replace: frozenset[str] = frozenset(),
) -> int:
    started = time.monotonic()
    try:
        with local_pager.config_file(env_name, config) as with_pager:
            assembly, target = _prepared(env_name, with_pager, assembly_dir, state_dir, gated)
            safe = SafeChange(allow_replace, rollback_monitoring_minutes(env_name, with_pager))
        with emulator_calls(target):
            bootstrap(target, assembly)  # regions the configuration did not predict, if any
            outputs = deploy(target, assembly, outputs_dir, safe)
            region = web_region(assembly)
            pager = local_pager.create_queue(target.client("sqs", region), env_name, region)
            deployment = Deployment(target, assembly, region, outputs, pager=pager)
            return finish(env_name, deployment, time.monotonic() - started)
    except ConfigInputError as err:
        return fail(f"invalid configuration for env {env_name!r}: {err}", 2)
    except EmulatorGone as err:
        return fail(str(err), 3)
    except DeployError as err:
        return fail(str(err))
    except (ClientError, BotoCoreError) as err:
        return fail(f"the emulator refused a call of make up: {err}")


# --------------------------------------------------------------------------
# destroy
# --------------------------------------------------------------------------
@contextmanager
def _assembly_of(env_name: str, given: Path | None) -> Iterator[CloudAssembly]:
    """``given`` if it is ``env_name``'s assembly (DeployError if not); otherwise ``env_name``
    synthesized into a temporary directory that lives as long as the block."""
    if given is not None:
        assembly = CloudAssembly.read(given)
        if not assembly.belongs_to(env_name):
            raise DeployError(
                f"{given} holds {', '.join(assembly.names) or 'no stacks'}, not {env_name}'s; nothing was destroyed. "
                f"Fix: `make destroy ENV={env_name}` without an assembly (it synthesizes {env_name} itself)"
            )
        yield assembly
        return
    with (
        tempfile.TemporaryDirectory(prefix=f"webstack-destroy-{env_name}.") as tmp,
        local_pager.config_file(env_name, None) as with_pager,
    ):
        say(f"synthesizing {env_name} to know its stacks")
        if synth(env_name, Path(tmp) / "cdk.out", with_pager, validation=False) != 0:
            raise DeployError(f"synth of {env_name} failed (above); nothing was destroyed")
        yield CloudAssembly.read(Path(tmp) / "cdk.out")


def _protected(target: DeployTarget, stacks: list[SynthesizedStack]) -> list[str]:
    names = []
    for stack in stacks:
        described = target.client("cloudformation", stack.region).describe_stacks(StackName=stack.name)["Stacks"][0]
        if described.get("EnableTerminationProtection"):
            names.append(stack.name)
    return names


def _unprotect(target: DeployTarget, stacks: list[SynthesizedStack]) -> None:
    """Termination protection of the stacks and deletion protection of their load balancers off."""
    for stack in stacks:
        cfn = target.client("cloudformation", stack.region)
        cfn.update_termination_protection(EnableTerminationProtection=False, StackName=stack.name)
        resources = cfn.describe_stack_resources(StackName=stack.name)["StackResources"]
        for arn in [r["PhysicalResourceId"] for r in resources if r["ResourceType"] == _LOAD_BALANCER]:
            target.client("elbv2", stack.region).modify_load_balancer_attributes(
                LoadBalancerArn=arn, Attributes=[{"Key": "deletion_protection.enabled", "Value": "false"}]
            )
        say(f"protection off: {stack.name}")


def _confirmed(env_name: str, names: list[str]) -> bool:
    if not sys.stdin.isatty():
        raise DeployError(
            f"not confirmed (no terminal to ask); nothing was destroyed. Fix: `make destroy ENV={env_name} YES=1`"
        )
    answer = input(f"destroy {', '.join(names)}? [y/N] ")
    return answer.strip().lower() in ("y", "yes")


def retained_resources(target: DeployTarget, stacks: list[SynthesizedStack]) -> list[str]:
    """``"<type> <physical id> (<stack>)"`` of every resource a delete of ``stacks`` keeps
    (``DeletionPolicy: Retain``/``RetainExceptOnCreate`` in the deployed template), so the
    user learns what is still there (and billed) and can re-attach it (`cdk import`)."""
    kept: list[str] = []
    for stack in stacks:
        cfn = target.client("cloudformation", stack.region)
        template = cfn.get_template(StackName=stack.name, TemplateStage="Original")["TemplateBody"]
        resources = (template if isinstance(template, dict) else json.loads(template)).get("Resources", {})
        physical = {
            r["LogicalResourceId"]: r.get("PhysicalResourceId", "")
            for r in cfn.describe_stack_resources(StackName=stack.name)["StackResources"]
        }
        kept.extend(
            f"{body['Type']} {physical.get(logical_id) or logical_id} ({stack.name})"
            for logical_id, body in resources.items()
            if body.get("DeletionPolicy") in ("Retain", "RetainExceptOnCreate") and logical_id in physical
        )
    return kept


def _destroy_deployed(
    env_name: str, target: DeployTarget, assembly: CloudAssembly, *, yes: bool, unprotect: bool
) -> int:
    stacks = deployed_stacks(target, assembly)
    if not stacks:
        say(f"no stack of {env_name} is deployed in the emulator at {target.endpoint}; nothing to destroy")
        return 0
    names = [s.name for s in stacks]
    say(f"will destroy {env_name}'s stacks: {', '.join(names)} (emulator at {target.endpoint})")
    protected = _protected(target, stacks)
    if protected and not unprotect:
        return fail(
            f"{', '.join(protected)} have termination protection on; nothing was destroyed. "
            f"Fix: `make destroy ENV={env_name} UNPROTECT=1` turns it (and load balancer deletion protection) off first"
        )
    if not yes and not _confirmed(env_name, names):
        return fail("not confirmed; nothing was destroyed")
    if unprotect:
        _unprotect(target, stacks)
    kept = retained_resources(target, stacks)
    result = run_cli(target, cdk_command("destroy", "--app", str(assembly.directory), "--force", *names))
    if result.returncode != 0:
        return fail(f"cdk destroy of {', '.join(names)} failed (above)")
    say(f"destroyed {', '.join(names)}")
    if kept:
        say(
            f"kept {len(kept)} retained resources (DeletionPolicy Retain: their data, and their cost, stay; "
            "re-attach them with `cdk import`, docs/runbook.md 'Re-attach retained resources after a destroy'):"
        )
        for line in kept:
            print(f"    {line}", flush=True)
    return 0


def destroy(
    env_name: str, *, state_dir: Path, assembly_dir: Path | None = None, yes: bool = False, unprotect: bool = False
) -> int:
    """Destroy exactly ``env_name``'s stacks in the running emulator."""
    info = status(state_dir)
    if info is None:
        say("no local emulator is running; nothing to destroy")
        return 0
    target = emulator_target(info.endpoint, state_dir)
    try:
        with _assembly_of(env_name, assembly_dir) as assembly, emulator_calls(target):
            return _destroy_deployed(env_name, target, assembly, yes=yes, unprotect=unprotect)
    except EmulatorGone as err:
        return fail(str(err), 3)
    except (DeployError, ClientError, BotoCoreError) as err:
        return fail(str(err))


# --------------------------------------------------------------------------
# down
# --------------------------------------------------------------------------
def down(*, state_dir: Path, outputs_dir: Path) -> int:
    stopped = stop(state_dir)
    say("emulator stopped" if stopped else "no emulator was running")
    for name in (FLAT_OUTPUTS_FILE, STACK_OUTPUTS_FILE):
        (outputs_dir / name).unlink(missing_ok=True)
    return 0


# --------------------------------------------------------------------------
# command line
# --------------------------------------------------------------------------
def _absolute(path: Path) -> Path:
    return path if path.is_absolute() else project_root() / path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m webstack_tools")
    sub = parser.add_subparsers(dest="command", required=True)
    commands = {
        "up": sub.add_parser("up", help="synthesize ENV, deploy it to the local emulator, verify"),
        "destroy": sub.add_parser("destroy", help="destroy exactly ENV's stacks in the local emulator"),
        "down": sub.add_parser("down", help="stop the local emulator and remove the outputs"),
    }
    for p in commands.values():
        p.add_argument("--state-dir", type=Path, default=None, help="the emulator's state (default .local-aws)")
        p.add_argument("--outputs", type=Path, default=None, help="deploy outputs directory (default cfn-outputs)")
    for name in ("up", "destroy"):
        commands[name].add_argument("--env", default="dev")
    up_p = commands["up"]
    up_p.add_argument("--config", default=None, help="JSON file of configuration overrides")
    up_p.add_argument("--out", type=Path, default=None, help="assembly directory (default cdk.out.<env>)")
    up_p.add_argument("--gate", action="store_true", help="run the compliance gate alongside; deploy only if it passes")
    up_p.add_argument(
        "--allow-replace",
        default=None,
        metavar="ID[,ID...]",
        help="stateful logical ids this deploy may replace or delete (the stack policy denies it otherwise)",
    )
    destroy_p = commands["destroy"]
    destroy_p.add_argument("--assembly", type=Path, default=None, help="use this assembly (must be ENV's)")
    destroy_p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    destroy_p.add_argument("--unprotect", action="store_true", help="turn termination/deletion protection off first")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    state_dir = _absolute(args.state_dir) if args.state_dir else project.emulator_state_dir()
    outputs_dir = _absolute(args.outputs) if args.outputs else project.outputs_dir()
    try:
        if args.command == "down":
            return down(state_dir=state_dir, outputs_dir=outputs_dir)
        if args.command == "destroy":
            assembly_dir = _absolute(args.assembly) if args.assembly else None
            return destroy(
                args.env, state_dir=state_dir, assembly_dir=assembly_dir, yes=args.yes, unprotect=args.unprotect
            )
        assembly_dir = _absolute(args.out or Path(f"cdk.out.{args.env}"))
        return up(
            args.env,
            args.config,
            assembly_dir,
            state_dir=state_dir,
            outputs_dir=outputs_dir,
            gated=args.gate,
            allow_replace=allowed_replacements(args.allow_replace),
        )
    except UnsafeEnvironment as err:
        return fail(str(err), 2)
