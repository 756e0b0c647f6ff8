"""A deploy that fails reports the resource, its type and the reason, exits
non-zero, and leaves nothing half-deployed (local emulator only)."""

from __future__ import annotations

import json
import os

import pytest

from webstack_emulator import start, stop
from webstack_emulator.server import free_port
from webstack_tools.assembly import CloudAssembly
from webstack_tools.cdk import synth
from webstack_tools.deploy import DeployError, bootstrap, deploy, emulator_target, stack_status

pytestmark = pytest.mark.skipif(
    os.environ.get("WEBSTACK_TARGET", "local") == "aws", reason="deploys on purpose a broken config: emulator only"
)

# A well-formed hosted zone id that does not exist: certificate validation must fail.
BROKEN = {
    "domain": {
        "hosted_zone_id": "Z0000000000NOSUCHZONE",
        "zone_name": "shop.io",
        "site_names": ["www.shop.io"],
    }
}


def test_failed_deploy_is_reported_and_cleaned_up(tmp_path):
    config = tmp_path / "broken.json"
    config.write_text(json.dumps(BROKEN))
    assembly = tmp_path / "cdk.out"
    assert synth("dev", assembly, str(config)) == 0
    stacks = CloudAssembly.read(assembly)
    assert stacks.names[0] == "webstack-dev-edge"

    info = start(tmp_path / "emulator", port=free_port())
    try:
        target = emulator_target(info.endpoint)
        bootstrap(target, stacks)
        with pytest.raises(DeployError) as caught:
            deploy(target, stacks, tmp_path / "cfn-outputs")
        message = str(caught.value)
        assert "webstack-dev-edge (us-east-1)" in message
        assert "SiteCertificate" in message
        assert "AWS::CertificateManager::Certificate" in message
        assert "Z0000000000NOSUCHZONE" in message or "hosted zone" in message.lower()
        assert "Nothing half-deployed was left behind" in message
        for stack in stacks:
            assert stack_status(target, stack.name, stack.region) in (None, "DELETE_COMPLETE"), stack.name
        assert not (tmp_path / "cfn-outputs" / "flat-outputs.json").exists()
    finally:
        stop(tmp_path / "emulator")
