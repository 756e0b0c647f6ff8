"""A private emulator and the assemblies an integration module deploys into it
(the lifecycle and redeploy modules): synths run in the background, each
deploy and destroy is timed against ``DEADLINE``, outputs stay in the lab's
own folder (never the repo's ``cfn-outputs/``)."""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from webstack_tools import local_pager
from webstack_tools.assembly import CloudAssembly
from webstack_tools.cdk import cdk_cli, synth
from webstack_tools.deploy import DeployError, DeployTarget, bootstrap, deploy, failure_report
from webstack_tools.project import project_root

from .conftest import client_factory, env_stacks
from .helpers import deadline

REGIONS = ["us-east-1", "us-west-2"]
DEADLINE = 60  # seconds per deploy / destroy; each takes < 10 s when the emulator behaves


@dataclass
class Lab:
    """A private emulator plus the assemblies the tests deploy into it."""

    target: DeployTarget
    work: Path
    synths: dict[str, Future] = field(default_factory=dict)
    deployed: dict[str, dict[str, str]] = field(default_factory=dict)  # env -> outputs
    current: dict[str, str] = field(default_factory=dict)  # env -> key of the assembly deployed last

    def client(self, service: str, region: str | None = None) -> Any:
        return client_factory(self.target.endpoint, "us-west-2")(service, region)

    def assembly(self, key: str) -> Path:
        path, code = self.synths[key].result()
        assert code == 0, f"synth {key} failed with exit code {code}"
        return path

    def deploy(self, key: str) -> dict[str, str]:
        assembly = self.assembly(key)
        stacks = CloudAssembly.read(assembly)
        with deadline(DEADLINE, assembly) as stopped:
            try:
                bootstrap(self.target, stacks)
                # This emulator's outputs stay out of the repo's cfn-outputs/.
                return deploy(self.target, stacks, self.work / "cfn-outputs")
            except DeployError as err:
                late = f"cdk deploy did not finish within {DEADLINE} s and was stopped; " if stopped else ""
                pytest.fail(f"deploying {key}: {late}{err}", pytrace=False)

    def destroy(self, key: str) -> subprocess.CompletedProcess:
        """``cdk destroy --all`` of one environment's assembly (what ``make destroy`` runs)."""
        cmd = [*cdk_cli(), "destroy", "--all", "--force", "--app", str(self.assembly(key))]
        try:
            return subprocess.run(
                cmd,
                cwd=project_root(),
                env=self.target.env,
                text=True,
                capture_output=True,
                timeout=DEADLINE,
                check=False,
            )
        except subprocess.TimeoutExpired as err:
            stderr = err.stderr.decode() if isinstance(err.stderr, bytes) else (err.stderr or "")
            return subprocess.CompletedProcess(cmd, -1, "", f"cdk destroy did not finish within {DEADLINE} s\n{stderr}")

    def stacks(self, env_name: str) -> dict[str, dict]:
        return env_stacks(self.client, env_name, REGIONS)

    def why_destroy_failed(self, key: str, result: subprocess.CompletedProcess) -> str:
        stacks = CloudAssembly.read(self.assembly(key))
        return (failure_report(self.target, stacks) or "") + "\n" + result.stderr[-2000:]


def synth_env(work: Path, env_name: str, overrides: dict | None, key: str) -> tuple[Path, int]:
    config = None
    overrides = local_pager.completed(env_name, overrides)  # prod pages the local pager, as `make up` deploys it
    if overrides:
        config = work / f"{key}.json"
        config.write_text(json.dumps(overrides))
    out = work / key / "cdk.out"
    out.parent.mkdir(parents=True, exist_ok=True)
    return out, synth(env_name, out, str(config) if config else None)
