"""Stack policies (engine fix 19) and rollback triggers (engine fix 20).

Each test deploys a small stack through change sets, as the CDK CLI does,
and then updates it; what an update may do is read back with the services'
own calls (S3, SSM, CloudWatch), not from the stack events alone.
"""

from __future__ import annotations

import itertools
import json
import os
import threading
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from webstack_emulator.engine.fix_20_rollback_triggers import SCALE_VARIABLE

_names = itertools.count()

PROTECT_BUCKET = {
    "Statement": [
        {"Effect": "Allow", "Action": "Update:*", "Principal": "*", "Resource": "*"},
        {
            "Effect": "Deny",
            "Action": ["Update:Replace", "Update:Delete"],
            "Principal": "*",
            "Resource": ["LogicalResourceId/Content"],
        },
    ]
}


def _template(bucket_name: str, value: str = "one", *, bucket: bool = True, tags: bool = False) -> dict[str, Any]:
    resources: dict[str, Any] = {
        "Setting": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": value}},
        "Watch": {
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
            "Properties": {"AlarmRule": {"Fn::Sub": 'ALARM("${Watch}")'}},
        },
    }
    if bucket:
        properties: dict[str, Any] = {"BucketName": bucket_name}
        if tags:
            properties["Tags"] = [{"Key": "team", "Value": "web"}]
        resources["Content"] = {"Type": "AWS::S3::Bucket", "Properties": properties}
    return {"Resources": resources}


class Stack:
    def __init__(self, aws: Callable[..., Any], template: dict[str, Any]) -> None:
        self.cfn = aws("cloudformation")
        self.name = f"policy{next(_names)}-{os.getpid()}"
        self.execute(template, "CREATE")
        assert self.status == "CREATE_COMPLETE", self.failures()

    def execute(self, template: dict[str, Any], kind: str = "UPDATE", **extra: Any) -> str:
        change_set = self.cfn.create_change_set(
            StackName=self.name,
            ChangeSetName=f"cs{next(_names)}",
            TemplateBody=json.dumps(template),
            ChangeSetType=kind,
            **extra,
        )
        self.cfn.execute_change_set(ChangeSetName=change_set["Id"], StackName=self.name)
        return self.status

    @property
    def described(self) -> dict[str, Any]:
        stack: dict[str, Any] = self.cfn.describe_stacks(StackName=self.name)["Stacks"][0]
        return stack

    @property
    def status(self) -> str:
        return str(self.described["StackStatus"])

    def physical(self, logical_id: str) -> str:
        resources = self.cfn.describe_stack_resources(StackName=self.name)["StackResources"]
        return next(r["PhysicalResourceId"] for r in resources if r["LogicalResourceId"] == logical_id)

    def failures(self) -> list[tuple[str, str]]:
        events = self.cfn.describe_stack_events(StackName=self.name)["StackEvents"]
        return [
            (e["LogicalResourceId"], e.get("ResourceStatusReason", ""))
            for e in events
            if e["ResourceStatus"] == "UPDATE_FAILED"
        ]

    def set_policy(self, policy: dict[str, Any]) -> None:
        self.cfn.set_stack_policy(StackName=self.name, StackPolicyBody=json.dumps(policy))


def _bucket_exists(aws: Callable[..., Any], name: str) -> bool:
    try:
        aws("s3").head_bucket(Bucket=name)
    except ClientError:
        return False
    return True


def _bucket_name() -> str:
    return f"policy-bucket-{next(_names)}-{os.getpid()}"


# --------------------------------------------------------------------------
# stack policies
# --------------------------------------------------------------------------
def test_a_denied_replacement_fails_and_rolls_back_with_the_bucket_untouched(aws):
    name = _bucket_name()
    stack = Stack(aws, _template(name))
    aws("s3").put_object(Bucket=name, Key="index.html", Body=b"<h1>kept</h1>")
    stack.set_policy(PROTECT_BUCKET)

    renamed = _bucket_name()
    status = stack.execute(_template(renamed, value="two"))

    assert status == "UPDATE_ROLLBACK_COMPLETE"
    assert (
        "Content",
        "Action denied by stack policy: Statement [#1] does not allow [Update:Replace] "
        "for resource [LogicalResourceId/Content]",
    ) in stack.failures()
    assert stack.physical("Content") == name
    assert aws("s3").get_object(Bucket=name, Key="index.html")["Body"].read() == b"<h1>kept</h1>"
    assert not _bucket_exists(aws, renamed)
    # nothing else of the update was applied either
    assert aws("ssm").get_parameter(Name=stack.physical("Setting"))["Parameter"]["Value"] == "one"


def test_a_denied_deletion_fails_and_the_bucket_stays(aws):
    name = _bucket_name()
    stack = Stack(aws, _template(name))
    stack.set_policy(PROTECT_BUCKET)

    assert stack.execute(_template(name, bucket=False)) == "UPDATE_ROLLBACK_COMPLETE"
    assert any("[Update:Delete] for resource [LogicalResourceId/Content]" in reason for _, reason in stack.failures())
    assert _bucket_exists(aws, name)
    assert stack.physical("Content") == name


def test_an_update_the_policy_allows_goes_through(aws):
    name = _bucket_name()
    stack = Stack(aws, _template(name))
    stack.set_policy(PROTECT_BUCKET)

    # An in-place change of the protected bucket (Update:Modify) and a change elsewhere.
    assert stack.execute(_template(name, value="two", tags=True)) == "UPDATE_COMPLETE"
    assert aws("s3").get_bucket_tagging(Bucket=name)["TagSet"] == [{"Key": "team", "Value": "web"}]
    assert aws("ssm").get_parameter(Name=stack.physical("Setting"))["Parameter"]["Value"] == "two"


def test_a_policy_that_allows_the_replacement_for_one_update_lets_it_through(aws):
    """The override a change set has: a policy allowing the replacement, set
    for the one deploy, and the protecting one again after it."""
    name = _bucket_name()
    stack = Stack(aws, _template(name))
    stack.set_policy(PROTECT_BUCKET)
    # Content is the only protected id here: without it the deny list is empty.
    stack.set_policy({"Statement": [PROTECT_BUCKET["Statement"][0]]})

    renamed = _bucket_name()
    assert stack.execute(_template(renamed)) == "UPDATE_COMPLETE"
    assert stack.physical("Content") == renamed
    assert _bucket_exists(aws, renamed)
    assert not _bucket_exists(aws, name)  # an empty replaced bucket is deleted

    stack.set_policy(PROTECT_BUCKET)
    assert stack.execute(_template(_bucket_name())) == "UPDATE_ROLLBACK_COMPLETE"
    assert stack.physical("Content") == renamed


def test_without_an_allow_every_update_of_an_existing_resource_is_refused(aws):
    name = _bucket_name()
    stack = Stack(aws, _template(name))
    stack.set_policy({"Statement": [PROTECT_BUCKET["Statement"][1]]})

    assert stack.execute(_template(name, value="two")) == "UPDATE_ROLLBACK_COMPLETE"
    assert any(
        reason.startswith("Action not allowed by stack policy") and "[Update:Modify]" in reason
        for logical_id, reason in stack.failures()
        if logical_id == "Setting"
    )
    assert aws("ssm").get_parameter(Name=stack.physical("Setting"))["Parameter"]["Value"] == "one"


def test_a_resource_type_condition_protects_every_bucket(aws):
    name = _bucket_name()
    stack = Stack(aws, _template(name))
    stack.set_policy(
        {
            "Statement": [
                PROTECT_BUCKET["Statement"][0],
                {
                    "Effect": "Deny",
                    "Action": "Update:Replace",
                    "Principal": "*",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"ResourceType": ["AWS::S3::Bucket"]}},
                },
            ]
        }
    )
    assert stack.execute(_template(_bucket_name())) == "UPDATE_ROLLBACK_COMPLETE"
    assert stack.physical("Content") == name
    assert stack.execute(_template(name, value="three")) == "UPDATE_COMPLETE"


def test_a_policy_the_emulator_cannot_evaluate_is_refused_when_set(aws):
    stack = Stack(aws, _template(_bucket_name()))
    policy = {
        "Statement": [{**PROTECT_BUCKET["Statement"][1], "Condition": {"IpAddress": {"aws:SourceIp": "1.2.3.4"}}}]
    }
    with pytest.raises(ClientError, match="not emulated: stack policy condition IpAddress"):
        stack.set_policy(policy)


def test_get_stack_policy_returns_what_was_set(aws):
    stack = Stack(aws, _template(_bucket_name()))
    stack.set_policy(PROTECT_BUCKET)
    assert json.loads(stack.cfn.get_stack_policy(StackName=stack.name)["StackPolicyBody"]) == PROTECT_BUCKET


# --------------------------------------------------------------------------
# rollback triggers
# --------------------------------------------------------------------------
def _alarm_arn(aws: Callable[..., Any], stack: Stack, logical_id: str) -> str:
    name = stack.physical(logical_id)
    described = aws("cloudwatch").describe_alarms(AlarmNames=[name], AlarmTypes=["CompositeAlarm", "MetricAlarm"])
    alarms = described["CompositeAlarms"] + described["MetricAlarms"]
    return str(alarms[0]["AlarmArn"])


def _set_state(aws: Callable[..., Any], stack: Stack, logical_id: str, state: str) -> None:
    aws("cloudwatch").set_alarm_state(AlarmName=stack.physical(logical_id), StateValue=state, StateReason="test")


def _watching(arn: str, minutes: int = 0) -> dict[str, Any]:
    return {
        "RollbackConfiguration": {
            "RollbackTriggers": [{"Arn": arn, "Type": "AWS::CloudWatch::CompositeAlarm"}],
            "MonitoringTimeInMinutes": minutes,
        }
    }


def test_a_trigger_in_alarm_rolls_the_update_back(aws):
    name = _bucket_name()
    stack = Stack(aws, _template(name))
    paging = _alarm_arn(aws, stack, "Paging")
    _set_state(aws, stack, "Paging", "ALARM")

    assert stack.execute(_template(name, value="two", tags=True), **_watching(paging)) == "UPDATE_ROLLBACK_COMPLETE"
    assert any(paging in reason and "ALARM" in reason for _, reason in stack.failures())
    assert aws("ssm").get_parameter(Name=stack.physical("Setting"))["Parameter"]["Value"] == "one"
    with pytest.raises(ClientError, match="NoSuchTagSet"):
        aws("s3").get_bucket_tagging(Bucket=name)


def test_triggers_are_kept_on_the_stack_for_later_updates(aws):
    name = _bucket_name()
    stack = Stack(aws, _template(name))
    paging = _alarm_arn(aws, stack, "Paging")

    assert stack.execute(_template(name, value="two"), **_watching(paging, minutes=0)) == "UPDATE_COMPLETE"
    assert stack.described["RollbackConfiguration"]["RollbackTriggers"] == [
        {"Arn": paging, "Type": "AWS::CloudWatch::CompositeAlarm"}
    ]
    _set_state(aws, stack, "Paging", "ALARM")
    # No RollbackConfiguration given: the saved triggers apply.
    assert stack.execute(_template(name, value="three")) == "UPDATE_ROLLBACK_COMPLETE"
    _set_state(aws, stack, "Paging", "OK")
    assert stack.execute(_template(name, value="three")) == "UPDATE_COMPLETE"
    # An empty list removes them.
    _set_state(aws, stack, "Paging", "ALARM")
    assert stack.execute(_template(name, value="four"), RollbackConfiguration={"RollbackTriggers": []}) == (
        "UPDATE_COMPLETE"
    )


def test_a_missing_trigger_fails_the_operation(aws):
    name = _bucket_name()
    stack = Stack(aws, _template(name))
    missing = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:no-such-alarm"
    assert stack.execute(_template(name, value="two"), **_watching(missing)) == "UPDATE_ROLLBACK_COMPLETE"
    assert any(missing in reason for _, reason in stack.failures())


def test_an_alarm_during_the_monitoring_period_rolls_the_update_back(aws, monkeypatch):
    """The scaled clock: 10 minutes of monitoring last 0.5 s; the alarm fires after 0.2 s."""
    name = _bucket_name()
    stack = Stack(aws, _template(name))
    paging = _alarm_arn(aws, stack, "Paging")
    monkeypatch.setenv(SCALE_VARIABLE, "0.05")
    timer = threading.Timer(0.2, _set_state, args=(aws, stack, "Paging", "ALARM"))
    timer.start()
    try:
        status = stack.execute(_template(name, value="two"), **_watching(paging, minutes=10))
    finally:
        timer.join()
    assert status == "UPDATE_ROLLBACK_COMPLETE"
    assert aws("ssm").get_parameter(Name=stack.physical("Setting"))["Parameter"]["Value"] == "one"


def test_the_monitoring_time_is_bounded_as_aws_bounds_it(aws):
    stack = Stack(aws, _template(_bucket_name()))
    with pytest.raises(ClientError, match="less than or equal to 180"):
        stack.execute(_template(_bucket_name()), RollbackConfiguration={"MonitoringTimeInMinutes": 181})


def test_a_composite_alarm_is_a_trigger_under_either_alarm_type(aws):
    """AWS lists AWS::CloudWatch::CompositeAlarm as a trigger type; the CDK CLI sends every ARN as
    AWS::CloudWatch::Alarm (whether AWS takes that for a composite alarm is not documented: accepted)."""
    name = _bucket_name()
    stack = Stack(aws, _template(name))
    paging = _alarm_arn(aws, stack, "Paging")
    _set_state(aws, stack, "Paging", "ALARM")
    for trigger_type in ("AWS::CloudWatch::CompositeAlarm", "AWS::CloudWatch::Alarm"):
        watched = {"RollbackConfiguration": {"RollbackTriggers": [{"Arn": paging, "Type": trigger_type}]}}
        assert stack.execute(_template(name, value="two"), **watched) == "UPDATE_ROLLBACK_COMPLETE", trigger_type


def test_a_trigger_of_another_type_is_refused(aws):
    name = _bucket_name()
    stack = Stack(aws, _template(name))
    paging = _alarm_arn(aws, stack, "Paging")
    watched = {"RollbackConfiguration": {"RollbackTriggers": [{"Arn": paging, "Type": "AWS::SNS::Topic"}]}}
    with pytest.raises(ClientError, match="AWS::CloudWatch::Alarm or AWS::CloudWatch::CompositeAlarm"):
        stack.execute(_template(name, value="two"), **watched)
    assert stack.status == "CREATE_COMPLETE"  # nothing ran


def test_an_alarm_arn_with_a_slash_is_refused_with_aws_text(aws):
    name = _bucket_name()
    stack = Stack(aws, _template(name))
    slashed = _alarm_arn(aws, stack, "Paging").replace(":alarm:", ":alarm/")
    watched = {"RollbackConfiguration": {"RollbackTriggers": [{"Arn": slashed, "Type": "AWS::CloudWatch::Alarm"}]}}
    with pytest.raises(ClientError, match="RelativeId of a Rollback Trigger's ARN is incorrect"):
        stack.execute(_template(name, value="two"), **watched)
    assert stack.status == "CREATE_COMPLETE"
