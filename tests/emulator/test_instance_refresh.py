"""Instance refresh on stack update (UpdatePolicy.AutoScalingInstanceRefresh; instance_refresh.py).

A launch template change replaces the group's instances in batches and
rolls the update back when a listed alarm is in ALARM during the refresh or
its bake time. The bake time and checkpoint delays are real waits here,
shortened by WEBSTACK_EMULATOR_TIME_SCALE (the emulator's documented setting).
"""

from __future__ import annotations

import copy
import threading
import time
from typing import Any

import pytest

from webstack_emulator.instance_refresh import TIME_SCALE_ENV

# 60 s bake and 30 s checkpoint delay last 1.2 s and 0.6 s at this scale.
SCALE = "0.02"


def _template(instance_type: str = "t3.micro", **prefs: Any) -> dict[str, Any]:
    preferences = {
        "MinHealthyPercentage": 100,
        "MaxHealthyPercentage": 150,
        "CheckpointPercentages": [50, 100],
        "CheckpointDelay": 30,
        "BakeTime": 60,
        "SkipMatching": True,
        "AlarmSpecification": {"Alarms": [{"Ref": "Gate"}]},
        **prefs,
    }
    return {
        "Lt": {
            "Type": "AWS::EC2::LaunchTemplate",
            "Properties": {"LaunchTemplateData": {"ImageId": "ami-12345678", "InstanceType": instance_type}},
        },
        "Gate": {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {
                "Namespace": "AWS/ApplicationELB",
                "MetricName": "HTTPCode_Target_5XX_Count",
                "Statistic": "Sum",
                "Period": 60,
                "EvaluationPeriods": 1,
                "Threshold": 5,
                "ComparisonOperator": "GreaterThanThreshold",
            },
        },
        "G": {
            "Type": "AWS::AutoScaling::AutoScalingGroup",
            # No DesiredCapacity: the group starts at MinSize.
            "Properties": {
                "MinSize": "2",
                "MaxSize": "6",
                "AvailabilityZones": ["us-east-1a"],
                "LaunchTemplate": {
                    "LaunchTemplateId": {"Ref": "Lt"},
                    "Version": {"Fn::GetAtt": ["Lt", "LatestVersionNumber"]},
                },
            },
            "UpdatePolicy": {"AutoScalingInstanceRefresh": {"Strategy": "Rolling", "Preferences": preferences}},
        },
    }


@pytest.fixture
def short_waits(monkeypatch):
    monkeypatch.setenv(TIME_SCALE_ENV, SCALE)


def _group(aws, name: str) -> dict[str, Any]:
    return aws("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"][0]


def _versions(group: dict[str, Any]) -> list[str]:
    return sorted(i["LaunchTemplate"]["Version"] for i in group["Instances"])


def _refreshes(aws, name: str) -> list[dict[str, Any]]:
    return aws("autoscaling").describe_instance_refreshes(AutoScalingGroupName=name)["InstanceRefreshes"]


def test_group_without_desired_capacity_starts_at_min(deploy, aws):
    stack = deploy(_template())
    group = _group(aws, stack.resources["G"])
    assert (group["DesiredCapacity"], len(group["Instances"])) == (2, 2)
    assert _versions(group) == ["1", "1"]


def test_healthy_update_replaces_every_instance_with_the_new_version(deploy, aws, short_waits):
    stack = deploy(_template())
    name = stack.resources["G"]
    before = {i["InstanceId"] for i in _group(aws, name)["Instances"]}
    started = time.monotonic()
    updated = deploy(_template("t3.small"), update_of=stack)
    waited = time.monotonic() - started
    assert updated.status == "UPDATE_COMPLETE"
    group = _group(aws, name)
    assert group["LaunchTemplate"]["Version"] == "2"
    assert _versions(group) == ["2", "2"]
    assert not before & {i["InstanceId"] for i in group["Instances"]}  # every instance replaced
    (refresh,) = _refreshes(aws, name)
    assert (refresh["Status"], refresh["PercentageComplete"], refresh["InstancesToUpdate"]) == ("Successful", 100, 0)
    assert refresh["Preferences"]["BakeTime"] == 60
    # The checkpoint at 50 % (30 s) and the bake time (60 s) were waited, scaled.
    assert waited >= 90 * float(SCALE)


def test_alarm_during_bake_time_rolls_the_update_back(deploy, aws, short_waits):
    stack = deploy(_template())
    name = stack.resources["G"]
    result: dict[str, Any] = {}
    update = threading.Thread(
        target=lambda: result.update(done=deploy(_template("t3.small"), update_of=stack, expect_ok=False))
    )
    update.start()
    deadline = time.monotonic() + 30
    while not any(r["Status"] == "Baking" for r in _refreshes(aws, name)):
        assert time.monotonic() < deadline, "the refresh never reached its bake time"
        time.sleep(0.05)
    alarm = stack.resources["Gate"]
    aws("cloudwatch").set_alarm_state(AlarmName=alarm, StateValue="ALARM", StateReason="5xx after deploy")
    update.join(30)
    done = result["done"]
    assert done.status == "UPDATE_ROLLBACK_COMPLETE"
    assert any(f.startswith("G: ") and alarm in f for f in done.failures()), done.failures()
    group = _group(aws, name)
    # The previous launch template version is back in service, at the same size.
    assert group["LaunchTemplate"]["Version"] == "1"
    assert _versions(group) == ["1", "1"]
    back, failed = _refreshes(aws, name)  # newest first
    assert failed["Status"] == "Failed" and alarm in failed["StatusReason"]
    assert failed["DesiredConfiguration"]["LaunchTemplate"]["Version"] == "2"
    assert back["Status"] == "Successful"
    assert back["DesiredConfiguration"]["LaunchTemplate"]["Version"] == "1"


def test_alarm_already_in_alarm_fails_the_refresh_before_any_replacement(deploy, aws, short_waits):
    stack = deploy(_template())
    name = stack.resources["G"]
    before = sorted(i["InstanceId"] for i in _group(aws, name)["Instances"])
    aws("cloudwatch").set_alarm_state(AlarmName=stack.resources["Gate"], StateValue="ALARM", StateReason="test")
    done = deploy(_template("t3.small"), update_of=stack, expect_ok=False)
    assert done.status == "UPDATE_ROLLBACK_COMPLETE"
    group = _group(aws, name)
    assert sorted(i["InstanceId"] for i in group["Instances"]) == before
    assert group["LaunchTemplate"]["Version"] == "1"


def test_a_fleet_scaled_out_before_a_deploy_keeps_its_size(deploy, aws, short_waits):
    stack = deploy(_template(BakeTime=0))
    name = stack.resources["G"]
    aws("autoscaling").set_desired_capacity(AutoScalingGroupName=name, DesiredCapacity=4)
    updated = deploy(_template("t3.small", BakeTime=0), update_of=stack)
    assert updated.status == "UPDATE_COMPLETE"
    group = _group(aws, name)
    assert (group["DesiredCapacity"], len(group["Instances"])) == (4, 4)
    assert _versions(group) == ["2"] * 4


def test_skip_matching_replaces_only_instances_of_other_versions(deploy, aws, short_waits):
    template = _template(BakeTime=0)
    stack = deploy(template)
    name = stack.resources["G"]
    # An unrelated change of the group (MaxSize) refreshes nothing.
    wider = copy.deepcopy(template)
    wider["G"]["Properties"]["MaxSize"] = "8"
    deploy(wider, update_of=stack)
    assert _refreshes(aws, name) == []
    assert _versions(_group(aws, name)) == ["1", "1"]


def test_bad_time_scale_fails_loudly(deploy, aws, monkeypatch):
    stack = deploy(_template())
    monkeypatch.setenv(TIME_SCALE_ENV, "fast")
    done = deploy(_template("t3.small"), update_of=stack, expect_ok=False)
    assert done.status == "UPDATE_ROLLBACK_COMPLETE"
    # The emulator's own error, not passed off as AWS's.
    assert any(TIME_SCALE_ENV in f and "emulator error" in f for f in done.failures()), done.failures()
    assert _refreshes(aws, stack.resources["G"]) == []


def _in_subnet(template: dict[str, Any], subnet: str) -> dict[str, Any]:
    template = copy.deepcopy(template)
    template["Vpc"] = {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.9.0.0/16"}}
    for name, cidr in (("A", "10.9.0.0/24"), ("B", "10.9.1.0/24")):
        template[f"Subnet{name}"] = {
            "Type": "AWS::EC2::Subnet",
            "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": cidr, "AvailabilityZone": "us-east-1a"},
        }
    group = template["G"]["Properties"]
    del group["AvailabilityZones"]
    group["VPCZoneIdentifier"] = [{"Ref": subnet}]
    return template


def test_a_refresh_for_new_subnets_is_not_emulated_and_says_so(deploy, aws, short_waits):
    stack = deploy(_in_subnet(_template(), "SubnetA"))
    done = deploy(_in_subnet(_template(), "SubnetB"), update_of=stack, expect_ok=False)
    assert done.status == "UPDATE_ROLLBACK_COMPLETE"
    assert any("not emulated: an instance refresh for a change of VPCZoneIdentifier" in f for f in done.failures())


def test_one_instance_with_no_room_above_desired_is_replaced_terminate_first(deploy, aws, short_waits):
    # min 100 % of 1 and max 150 % of 1 (= 1): one at a time, as AWS documents for 100 %.
    template = _template(BakeTime=0, CheckpointPercentages=[100])
    template["G"]["Properties"]["MinSize"] = "1"
    stack = deploy(template)
    name = stack.resources["G"]
    (before,) = _group(aws, name)["Instances"]
    newer = _template("t3.small", BakeTime=0, CheckpointPercentages=[100])
    newer["G"]["Properties"]["MinSize"] = "1"
    assert deploy(newer, update_of=stack).status == "UPDATE_COMPLETE"
    (after,) = _group(aws, name)["Instances"]
    assert after["InstanceId"] != before["InstanceId"] and after["LaunchTemplate"]["Version"] == "2"


# The image as CDK renders MachineImage.latest_amazon_linux2023(): an SSM-typed
# parameter with the path as its Default; `cdk deploy` passes nothing for it on
# create and UsePreviousValue on every update.
_AMI_PATH = "/webstack-test/refresh/ami"
_AMI_PARAMETER = {"Ami": {"Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>", "Default": _AMI_PATH}}
_PREVIOUS_AMI = [{"ParameterKey": "Ami", "UsePreviousValue": True}]


def _template_with_ami_parameter(instance_type: str = "t3.micro", max_size: str = "6") -> dict[str, Any]:
    template = _template(instance_type, BakeTime=150)
    template["Lt"]["Properties"]["LaunchTemplateData"]["ImageId"] = {"Ref": "Ami"}
    template["G"]["Properties"]["MaxSize"] = max_size
    return template


def test_a_max_size_change_alone_refreshes_nothing_and_a_launch_template_change_does(deploy, aws, short_waits):
    """A group change outside the launch template (capacity.max) is no instance
    refresh: it completes without waiting checkpoints or bake time; the next
    launch template change runs one, as CloudFormation does."""
    aws("ssm").put_parameter(Name=_AMI_PATH, Value="ami-12345678", Type="String", Overwrite=True)
    stack = deploy(_template_with_ami_parameter(), parameters=_AMI_PARAMETER)
    name = stack.resources["G"]
    before = sorted(i["InstanceId"] for i in _group(aws, name)["Instances"])
    bake = 150 * float(SCALE)

    started = time.monotonic()
    wider = deploy(
        _template_with_ami_parameter(max_size="8"),
        parameters=_AMI_PARAMETER,
        parameter_values=_PREVIOUS_AMI,
        update_of=stack,
    )
    waited = time.monotonic() - started
    assert wider.status == "UPDATE_COMPLETE"
    group = _group(aws, name)
    assert group["MaxSize"] == 8
    assert _refreshes(aws, name) == []
    assert group["LaunchTemplate"]["Version"] == "1"  # no new launch template version either
    assert sorted(i["InstanceId"] for i in group["Instances"]) == before
    assert waited < bake / 2, f"a MaxSize update waited {waited:.1f} s"

    started = time.monotonic()
    changed = deploy(
        _template_with_ami_parameter("t3.small", max_size="8"),
        parameters=_AMI_PARAMETER,
        parameter_values=_PREVIOUS_AMI,
        update_of=stack,
    )
    waited = time.monotonic() - started
    assert changed.status == "UPDATE_COMPLETE"
    (refresh,) = _refreshes(aws, name)
    assert refresh["Status"] == "Successful"
    assert refresh["DesiredConfiguration"]["LaunchTemplate"]["Version"] == "2"
    assert _versions(_group(aws, name)) == ["2", "2"]
    assert waited >= bake  # the bake time was waited
