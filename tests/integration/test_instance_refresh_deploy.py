"""Safe change (issue 15), end to end on the deployed dev app (local emulator only).

A launch template change is deployed as an instance refresh: a fleet scaled
out before the deploy keeps its size and ends on the new version; with one
of the web tier's rollback alarms in ALARM the deploy fails, the web stack
ends in UPDATE_ROLLBACK_COMPLETE and the previous version stays in service;
an alarm raised while the refresh bakes rolls it back the same way.
The emulator cannot tell an instance's health (no application runs), so the
alarm state set here is the health signal. Checkpoint delays and bake time
(dev: no checkpoints, a 60 s bake) are shortened by the emulator's WEBSTACK_EMULATOR_TIME_SCALE.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from webstack_emulator import start, stop
from webstack_emulator.instance_refresh import TIME_SCALE_ENV
from webstack_emulator.server import free_port
from webstack_tools.assembly import CloudAssembly
from webstack_tools.cdk import synth
from webstack_tools.deploy import DeployError, DeployTarget, bootstrap, deploy, emulator_target, stack_status

pytestmark = pytest.mark.skipif(
    os.environ.get("WEBSTACK_TARGET", "local") == "aws",
    reason="redeploys on purpose with an alarm in ALARM: emulator only",
)


def _synth(tmp_path: Path, name: str, overrides: dict[str, Any]) -> CloudAssembly:
    config = tmp_path / f"{name}.json"
    config.write_text(json.dumps(overrides))
    assembly = tmp_path / f"cdk.out.{name}"
    assert synth("dev", assembly, str(config)) == 0
    return CloudAssembly.read(assembly)


def _group(target: DeployTarget, name: str, region: str) -> dict[str, Any]:
    groups = target.client("autoscaling", region).describe_auto_scaling_groups(AutoScalingGroupNames=[name])
    group: dict[str, Any] = groups["AutoScalingGroups"][0]
    return group


def _versions(group: dict[str, Any]) -> set[str]:
    return {i["LaunchTemplate"]["Version"] for i in group["Instances"]}


def _rollback_alarm(target: DeployTarget, stacks: CloudAssembly) -> tuple[str, str]:
    """(physical name, region) of one alarm the web stack's group lists for rollback."""
    web = next(s for s in stacks if s.name.endswith("-web"))
    group = next(r for r in web.resources.values() if r["Type"] == "AWS::AutoScaling::AutoScalingGroup")
    logical = group["UpdatePolicy"]["AutoScalingInstanceRefresh"]["Preferences"]["AlarmSpecification"]["Alarms"][0]
    cfn = target.client("cloudformation", web.region)
    found = cfn.describe_stack_resource(StackName=web.name, LogicalResourceId=logical["Ref"])
    return found["StackResourceDetail"]["PhysicalResourceId"], web.region


def test_launch_template_change_refreshes_keeps_size_and_rolls_back_on_alarm(tmp_path, monkeypatch):
    monkeypatch.setenv(TIME_SCALE_ENV, "0.005")  # 300 s -> 1.5 s
    first = _synth(tmp_path, "first", {})
    info = start(tmp_path / "emulator", port=free_port())
    try:
        target = emulator_target(info.endpoint)
        bootstrap(target, first)
        outputs = deploy(target, first, tmp_path / "out1")
        web = next(s for s in first if s.name.endswith("-web"))
        name, region = outputs["AutoScalingGroupName"], web.region
        group = _group(target, name, region)
        assert group["DesiredCapacity"] == group["MinSize"] == 1  # created at MinSize: no DesiredCapacity
        target.client("autoscaling", region).set_desired_capacity(AutoScalingGroupName=name, DesiredCapacity=2)
        old_version = group["LaunchTemplate"]["Version"]

        # A healthy launch template change: every instance replaced, the scaled-out size kept.
        deploy(target, _synth(tmp_path, "second", {"instance_type": "t3.small"}), tmp_path / "out2")
        assert stack_status(target, web.name, region) == "UPDATE_COMPLETE"
        group = _group(target, name, region)
        new_version = group["LaunchTemplate"]["Version"]
        assert new_version != old_version
        assert (group["DesiredCapacity"], len(group["Instances"]), _versions(group)) == (2, 2, {new_version})
        refreshes = target.client("autoscaling", region).describe_instance_refreshes(AutoScalingGroupName=name)
        assert [r["Status"] for r in refreshes["InstanceRefreshes"]] == ["Successful"]

        # The next change meets a rollback alarm in ALARM: rolled back, the previous version in service.
        alarm, alarm_region = _rollback_alarm(target, first)
        target.client("cloudwatch", alarm_region).set_alarm_state(
            AlarmName=alarm, StateValue="ALARM", StateReason="target 5xx after the deploy"
        )
        with pytest.raises(DeployError) as caught:
            deploy(target, _synth(tmp_path, "third", {"instance_type": "t3.medium"}), tmp_path / "out3")
        assert alarm in str(caught.value)
        assert stack_status(target, web.name, region) == "UPDATE_ROLLBACK_COMPLETE"
        group = _group(target, name, region)
        assert group["LaunchTemplate"]["Version"] == new_version
        assert (group["DesiredCapacity"], _versions(group)) == (2, {new_version})
    finally:
        stop(tmp_path / "emulator")


def _wait_until_baking(target: DeployTarget, name: str, region: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    autoscaling = target.client("autoscaling", region)
    while True:
        refreshes = autoscaling.describe_instance_refreshes(AutoScalingGroupName=name)["InstanceRefreshes"]
        if any(r["Status"] == "Baking" for r in refreshes):
            return
        assert time.monotonic() < deadline, f"no refresh of {name} reached its bake time: {refreshes}"
        time.sleep(0.05)


def test_an_alarm_raised_during_the_bake_time_rolls_the_refresh_back(tmp_path, monkeypatch):
    # dev's 60 s bake lasts 6 s: time to see the bake and raise the alarm in it.
    monkeypatch.setenv(TIME_SCALE_ENV, "0.1")
    first = _synth(tmp_path, "first", {})
    changed = _synth(tmp_path, "changed", {"instance_type": "t3.small"})
    info = start(tmp_path / "emulator", port=free_port())
    try:
        target = emulator_target(info.endpoint)
        bootstrap(target, first)
        outputs = deploy(target, first, tmp_path / "out1")
        web = next(s for s in first if s.name.endswith("-web"))
        name, region = outputs["AutoScalingGroupName"], web.region
        old_version = _group(target, name, region)["LaunchTemplate"]["Version"]
        alarm, alarm_region = _rollback_alarm(target, first)
        cloudwatch = target.client("cloudwatch", alarm_region)
        assert cloudwatch.describe_alarms(AlarmNames=[alarm])["MetricAlarms"][0]["StateValue"] != "ALARM"

        failure: list[BaseException] = []

        def update() -> None:
            try:
                deploy(target, changed, tmp_path / "out2")
            except DeployError as err:
                failure.append(err)

        deploying = threading.Thread(target=update)
        deploying.start()
        try:
            _wait_until_baking(target, name, region, seconds=300)
            # Every instance already runs the new version: only the bake-time alarm can stop it now.
            assert _versions(_group(target, name, region)) != {old_version}
            cloudwatch.set_alarm_state(AlarmName=alarm, StateValue="ALARM", StateReason="5xx while baking")
        finally:
            deploying.join(300)
        assert not deploying.is_alive(), "the deploy did not end"
        assert failure, "the deploy succeeded although a rollback alarm went off during the bake time"
        assert alarm in str(failure[0])
        assert stack_status(target, web.name, region) == "UPDATE_ROLLBACK_COMPLETE"
        group = _group(target, name, region)
        assert group["LaunchTemplate"]["Version"] == old_version
        assert _versions(group) == {old_version}
        back, failed = target.client("autoscaling", region).describe_instance_refreshes(AutoScalingGroupName=name)[
            "InstanceRefreshes"
        ]  # newest first
        assert failed["Status"] == "Failed" and alarm in failed["StatusReason"]
        assert back["Status"] == "Successful"
        assert back["DesiredConfiguration"]["LaunchTemplate"]["Version"] == old_version
    finally:
        stop(tmp_path / "emulator")
