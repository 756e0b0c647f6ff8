"""The lifecycle commands as a user runs them (``python -m webstack_tools up|destroy``, what ``make
up`` / ``make destroy`` call), each against an emulator and outputs directory of its own:

* ``up`` of staging and of prod on one fresh emulator deploys exactly that environment's stacks;
* ``destroy`` with another environment's assembly refuses, by itself destroys only its own
  environment's stacks, and refuses a protected prod;
* a failed ``up``, the cause fixed, ``up`` again: deploys in the same emulator;
* the emulator killed in the middle of ``up``: one message, and the next ``up`` deploys;
* all of it with ``AWS_PROFILE=nonexistent`` and ``AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`` in
  the caller's environment, which the CDK CLI must never see.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from webstack_emulator import status, stop
from webstack_tools.project import project_root

from .conftest import TARGET, client_factory

pytestmark = pytest.mark.skipif(TARGET == "aws", reason="deploys and destroys whole environments: local emulator only")

REGIONS = ("us-east-1", "us-west-2")
TIMEOUT = 300  # seconds per command; each takes well under a minute
# What a user's shell may hold; with it, synth called the real STS and deploys bypassed the emulator.
HOSTILE = {"AWS_PROFILE": "nonexistent", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}
BROKEN_DOMAIN = {"hosted_zone_id": "Z0000000000NOSUCHZONE", "zone_name": "shop.io", "site_names": ["www.shop.io"]}


@dataclass
class Place:
    """A private emulator state directory, outputs directory and assembly directories."""

    work: Path

    @property
    def state(self) -> Path:
        return self.work / "emulator"

    @property
    def outputs(self) -> Path:
        return self.work / "cfn-outputs"

    def assembly(self, env_name: str) -> Path:
        return self.work / f"cdk.out.{env_name}"

    def command(self, *args: str) -> list[str]:
        where = ["--state-dir", str(self.state)]
        if args[0] == "up":
            where += ["--outputs", str(self.outputs), "--out", str(self.assembly(args[args.index("--env") + 1]))]
        return [sys.executable, "-m", "webstack_tools", *args, *where]

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(*args),
            cwd=project_root(),
            env={**os.environ, **HOSTILE},
            text=True,
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )

    def stacks(self) -> dict[str, str]:
        """Every stack the emulator lists (not deleted), name -> status."""
        info = status(self.state)
        assert info is not None, "the emulator is not running"
        aws = client_factory(info.endpoint, "us-west-2")
        found = {}
        for region in REGIONS:
            for stack in aws("cloudformation", region).describe_stacks()["Stacks"]:
                if stack["StackStatus"] != "DELETE_COMPLETE" and stack["StackName"] != "CDKToolkit":
                    found[stack["StackName"]] = stack["StackStatus"]
        return found

    def client(self, service: str, region: str) -> Any:
        info = status(self.state)
        assert info is not None
        return client_factory(info.endpoint, region)(service, region)


def _ok(result: subprocess.CompletedProcess[str], what: str) -> str:
    assert result.returncode == 0, (
        f"{what} exited {result.returncode}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    )
    return result.stdout


def _webstack_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("webstack:")]


@pytest.fixture
def place(tmp_path: Path) -> Iterator[Place]:
    here = Place(tmp_path)
    try:
        yield here
    finally:
        stop(here.state)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Place]:
    """One emulator that staging and then prod are deployed into."""
    here = Place(tmp_path_factory.mktemp("tooling"))
    try:
        yield here
    finally:
        stop(here.state)


STAGING = {"webstack-staging-web", "webstack-staging-edge-monitoring"}
PROD = {"webstack-prod-edge", "webstack-prod-web", "webstack-prod-edge-monitoring"}


def test_up_of_staging_on_a_fresh_emulator_deploys_only_staging(shared):
    out = _ok(shared.run("up", "--env", "staging"), "up --env staging")
    assert "webstack staging is up" in out
    assert set(shared.stacks()) == STAGING
    assert json.loads((shared.outputs / "flat-outputs.json").read_text())["S3BucketName"].startswith(
        "webstack-staging-web-"
    )


def test_up_of_prod_deploys_only_prod_and_leaves_staging(shared):
    out = _ok(shared.run("up", "--env", "prod"), "up --env prod")
    assert "webstack prod is up" in out
    stacks = shared.stacks()
    assert set(stacks) == STAGING | PROD
    assert all(state in ("CREATE_COMPLETE", "UPDATE_COMPLETE") for state in stacks.values()), stacks


def test_destroy_with_another_environments_assembly_refuses(shared):
    before = shared.stacks()
    result = shared.run("destroy", "--env", "prod", "--yes", "--assembly", str(shared.assembly("staging")))
    assert result.returncode != 0
    [line] = _webstack_lines(result.stderr)
    assert "not prod's" in line and "nothing was destroyed" in line
    assert shared.stacks() == before


def test_destroy_of_protected_prod_refuses_with_the_fix(shared):
    before = shared.stacks()
    result = shared.run("destroy", "--env", "prod", "--yes")
    assert result.returncode != 0
    [line] = _webstack_lines(result.stderr)
    assert "termination protection" in line and "UNPROTECT=1" in line
    assert shared.stacks() == before


def test_destroy_synthesizes_its_environment_and_destroys_only_its_stacks(shared):
    result = shared.run("destroy", "--env", "staging", "--yes")
    out = _ok(result, "destroy --env staging")
    assert "will destroy staging's stacks: " in out
    said = next(line for line in out.splitlines() if "will destroy" in line)
    assert all(name in said for name in STAGING) and "prod" not in said.split("(")[0]
    assert set(shared.stacks()) == PROD


def test_failed_up_then_fixed_then_up_deploys_in_the_same_emulator(place):
    broken = place.work / "broken.json"
    broken.write_text(json.dumps({"domain": BROKEN_DOMAIN}))
    failed = place.run("up", "--env", "dev", "--config", str(broken))
    assert failed.returncode == 1, failed.stdout[-2000:] + failed.stderr[-2000:]
    assert "SiteCertificate" in failed.stderr and "Nothing half-deployed was left behind" in failed.stderr
    assert "is up" not in failed.stdout
    assert place.stacks() == {}

    # The same stack name again: it used to meet the deleted stack's change set.
    again = place.run("up", "--env", "dev", "--config", str(broken))
    assert again.returncode == 1 and "SiteCertificate" in again.stderr, again.stderr[-2000:]

    zone = place.client("route53", "us-east-1").create_hosted_zone(Name="shop.io", CallerReference="fix")
    fixed = place.work / "fixed.json"
    fixed.write_text(
        json.dumps({"domain": {**BROKEN_DOMAIN, "hosted_zone_id": zone["HostedZone"]["Id"].split("/")[-1]}})
    )
    out = _ok(place.run("up", "--env", "dev", "--config", str(fixed)), "up with the fixed config")
    assert "webstack dev is up" in out
    assert set(place.stacks()) == {"webstack-dev-edge", "webstack-dev-web", "webstack-dev-edge-monitoring"}


def _kill_emulator_when_a_stack_starts(proc: subprocess.Popen[str], place: Place) -> list[str]:
    """Read ``up``'s output; SIGKILL the emulator once the CLI starts deploying a stack."""
    lines: list[str] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line.rstrip("\n"))
        if "creating CloudFormation changeset" in line:
            info = status(place.state)
            assert info is not None
            os.kill(info.pid, signal.SIGKILL)
            break
    lines += proc.stdout.read().splitlines()
    return lines


def test_emulator_killed_mid_deploy_is_one_message_and_the_next_up_recovers(place):
    proc = subprocess.Popen(
        place.command("up", "--env", "dev"),
        cwd=project_root(),
        env={**os.environ, **HOSTILE},
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    started = time.monotonic()
    try:
        lines = _kill_emulator_when_a_stack_starts(proc, place)
        code = proc.wait(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    output = "\n".join(lines)
    assert code == 3, output[-3000:]
    [line] = _webstack_lines(output)
    assert "stopped while this command was using it" in line and "`make up` again" in line
    assert "Traceback" not in output
    assert time.monotonic() - started < 120, "up did not notice the emulator had gone"

    out = _ok(place.run("up", "--env", "dev"), "up after the emulator was killed")
    assert "starting the local AWS emulator" in out and "webstack dev is up" in out
    assert set(place.stacks()) == {"webstack-dev-web", "webstack-dev-edge-monitoring"}
