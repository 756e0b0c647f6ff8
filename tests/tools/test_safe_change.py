"""The deploy path's stack policy and rollback triggers, through the real CDK CLI.

``deploy`` (what ``make up`` runs) deploys a small hand-written cloud
assembly to an in-process emulator with the pinned ``cdk deploy``; the tests
read back what it left with CloudFormation's and the services' own calls:
the stack policy (GetStackPolicy), a replacement it refuses and the one
``ALLOW_REPLACE`` lets through (S3), and an update the paging alarm rolls
back (SSM, DescribeStacks' RollbackConfiguration).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from webstack_tools.assembly import CloudAssembly
from webstack_tools.deploy import DeployError, DeployTarget, SafeChange, deploy, emulator_target
from webstack_tools.lifecycle import allowed_replacements
from webstack_tools.stack_policy import policy_document

REGION = "us-east-1"
_runs = itertools.count()


@pytest.fixture(scope="module")
def target() -> Iterator[DeployTarget]:
    from webstack_emulator.server import InProcessServer

    server = InProcessServer().start()
    try:
        yield emulator_target(server.endpoint)
    finally:
        server.stop()


def _template(bucket: str, setting: str = "one") -> dict[str, Any]:
    return {
        "Resources": {
            "Content": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": bucket}},
            "AppLogs": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7}},
            "Setting": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": setting}},
            "Errors": {
                "Type": "AWS::CloudWatch::Alarm",
                "Properties": {
                    "Namespace": "webstack/test",
                    "MetricName": "Errors",
                    "Statistic": "Sum",
                    "Period": 60,
                    "EvaluationPeriods": 1,
                    "Threshold": 1,
                    "ComparisonOperator": "GreaterThanOrEqualToThreshold",
                },
            },
            "Paging": {
                "Type": "AWS::CloudWatch::CompositeAlarm",
                "Properties": {"AlarmRule": {"Fn::Sub": 'ALARM("${Errors}")'}},
            },
        }
    }


def _assembly(directory: Path, stack: str, template: dict[str, Any]) -> CloudAssembly:
    """A cloud assembly as ``cdk synth`` writes it, for one stack deployed with the caller's credentials."""
    directory.mkdir(parents=True)
    (directory / f"{stack}.template.json").write_text(json.dumps(template))
    manifest = {
        "version": "55.0.0",
        "artifacts": {
            stack: {
                "type": "aws:cloudformation:stack",
                "environment": f"aws://123456789012/{REGION}",
                "properties": {"templateFile": f"{stack}.template.json"},
                "displayName": stack,
            }
        },
    }
    (directory / "manifest.json").write_text(json.dumps(manifest))
    return CloudAssembly.read(directory)


class Env:
    def __init__(self, target: DeployTarget, root: Path) -> None:
        self.target, self.root = target, root
        self.stack = f"webstack-safe{next(_runs)}-web"
        self.cfn = target.client("cloudformation", REGION)

    def deploy(self, template: dict[str, Any], safe: SafeChange | None = None) -> dict[str, str]:
        assembly = _assembly(self.root / f"cdk.out.{next(_runs)}", self.stack, template)
        return deploy(self.target, assembly, self.root / "outputs", safe)

    def protected(self) -> list[str]:
        body = json.loads(self.cfn.get_stack_policy(StackName=self.stack)["StackPolicyBody"])
        denied = [s for s in body["Statement"] if s["Effect"] == "Deny"]
        assert [s["Action"] for s in denied] == [["Update:Replace", "Update:Delete"]]
        return [r.removeprefix("LogicalResourceId/") for s in denied for r in s["Resource"]]

    def physical(self, logical_id: str) -> str:
        resources = self.cfn.describe_stack_resources(StackName=self.stack)["StackResources"]
        return next(r["PhysicalResourceId"] for r in resources if r["LogicalResourceId"] == logical_id)

    def described(self) -> dict[str, Any]:
        stack: dict[str, Any] = self.cfn.describe_stacks(StackName=self.stack)["Stacks"][0]
        return stack

    def setting(self) -> str:
        ssm = self.target.client("ssm", REGION)
        return str(ssm.get_parameter(Name=self.physical("Setting"))["Parameter"]["Value"])

    def paging(self, state: str) -> str:
        cloudwatch = self.target.client("cloudwatch", REGION)
        name = self.physical("Paging")
        cloudwatch.set_alarm_state(AlarmName=name, StateValue=state, StateReason="test")
        arn: str = cloudwatch.describe_alarms(AlarmNames=[name], AlarmTypes=["CompositeAlarm"])["CompositeAlarms"][0][
            "AlarmArn"
        ]
        return arn


def _bucket_exists(target: DeployTarget, name: str) -> bool:
    try:
        target.client("s3", REGION).head_bucket(Bucket=name)
    except ClientError:
        return False
    return True


def test_a_deploy_protects_the_stateful_resources_and_allow_replace_lets_one_replacement_through(target, tmp_path):
    env = Env(target, tmp_path)
    first, second = f"{env.stack}-content-a", f"{env.stack}-content-b"
    env.deploy(_template(first))
    assert env.protected() == ["AppLogs", "Content"]  # the stateful types; not the parameter or the alarms

    with pytest.raises(DeployError, match=r"Action denied by stack policy: .*\[Update:Replace\].*Content"):
        env.deploy(_template(second))
    assert env.described()["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    assert env.physical("Content") == first and _bucket_exists(target, first)
    assert env.protected() == ["AppLogs", "Content"]

    env.deploy(_template(second), SafeChange(allow_replace=frozenset({"Content"})))
    assert env.physical("Content") == second and not _bucket_exists(target, first)
    assert env.protected() == ["AppLogs", "Content"]  # protected again after the one deploy

    # Dropping a stateful resource from the code is a deletion: refused, and allowed by name
    # (an id the new templates no longer have, but the deployed stack does).
    without_logs = _template(second)
    del without_logs["Resources"]["AppLogs"]
    with pytest.raises(DeployError, match=r"\[Update:Delete\] for resource \[LogicalResourceId/AppLogs\]"):
        env.deploy(without_logs)
    env.deploy(without_logs, SafeChange(allow_replace=allowed_replacements("AppLogs")))
    assert env.protected() == ["Content"]


def test_allow_replace_of_an_id_that_is_not_stateful_deploys_nothing(target, tmp_path):
    env = Env(target, tmp_path)
    with pytest.raises(DeployError, match="ALLOW_REPLACE names Setting, not a stateful resource"):
        env.deploy(_template(f"{env.stack}-content"), SafeChange(allow_replace=allowed_replacements("Setting, ")))
    with pytest.raises(ClientError, match="does not exist"):
        env.described()


def test_from_the_second_deploy_on_the_paging_alarm_rolls_an_update_back(target, tmp_path):
    env = Env(target, tmp_path)
    bucket = f"{env.stack}-content"
    safe = SafeChange(rollback_monitoring_minutes=3)
    env.deploy(_template(bucket), safe)
    paging = env.paging("ALARM")

    with pytest.raises(DeployError, match=f"in ALARM state.*{paging}"):
        env.deploy(_template(bucket, setting="two"), safe)
    assert env.setting() == "one"
    assert env.described()["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"

    env.paging("OK")
    env.deploy(_template(bucket, setting="two"), safe)
    assert env.setting() == "two"
    assert env.described()["RollbackConfiguration"] == {
        "RollbackTriggers": [{"Arn": paging, "Type": "AWS::CloudWatch::Alarm"}],
        "MonitoringTimeInMinutes": 3,
    }


def test_the_policy_denies_replacing_and_deleting_only_the_named_ids():
    assert policy_document(["B", "A"]) == {
        "Statement": [
            {"Effect": "Allow", "Action": "Update:*", "Principal": "*", "Resource": "*"},
            {
                "Effect": "Deny",
                "Action": ["Update:Replace", "Update:Delete"],
                "Principal": "*",
                "Resource": ["LogicalResourceId/A", "LogicalResourceId/B"],
            },
        ]
    }
    assert policy_document([]) == {"Statement": [policy_document(["A"])["Statement"][0]]}
