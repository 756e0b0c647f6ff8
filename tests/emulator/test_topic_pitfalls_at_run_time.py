"""The D15/D16 rule cases (tests/rules/test_sns.py), deployed: what the rule
flags fails when the service publishes, what it passes delivers.

Each case's CDK stack is synthesized and its resources deployed to the
emulator; then an alarm goes to ALARM (D15) or the group scales out
(D15 [AutoScaling], D16), with an SQS queue subscribed to the topic."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import aws_cdk as cdk

from tests.rules.conftest import ACCOUNT
from tests.rules.test_sns import book
from webstack_emulator import delivery

REGION = "eu-west-1"


@cache
def _template(case: str) -> dict[str, Any]:
    app = cdk.App(context={"aws:cdk:bundling-stacks": []})
    stack = cdk.Stack(app, case, env=cdk.Environment(account=ACCOUNT, region=REGION))
    book.cases[case].build(stack)
    template = app.synth().get_stack_by_name(case).template
    return {lid: r for lid, r in template["Resources"].items() if r["Type"] != "AWS::CDK::Metadata"}


def _deployed(deploy, case: str):
    stack = deploy(_template(case), region=REGION)
    return stack, {r["Type"]: stack.resources[lid] for lid, r in _template(case).items()}


def _subscribed_queue(aws, topic_arn: str) -> str:
    sqs = aws("sqs", REGION)
    url = sqs.create_queue(QueueName=f"q-{abs(hash(topic_arn))}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    aws("sns", REGION).subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn)
    return url


def _received(aws, url: str) -> list[dict]:
    messages = aws("sqs", REGION).receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(json.loads(m["Body"])["Message"]) for m in messages]


def _alarm_fires(aws, deploy, case: str) -> tuple[list[dict], list[str]]:
    _, by_type = _deployed(deploy, case)
    url = _subscribed_queue(aws, by_type["AWS::SNS::Topic"])
    name = by_type["AWS::CloudWatch::Alarm"]
    cloudwatch = aws("cloudwatch", REGION)
    cloudwatch.set_alarm_state(AlarmName=name, StateValue="ALARM", StateReason="pitfall case")
    history = cloudwatch.describe_alarm_history(AlarmName=name, HistoryItemType="Action")["AlarmHistoryItems"]
    return _received(aws, url), [i["HistorySummary"] for i in history]


def _group_scales_out(aws, deploy, case: str) -> tuple[list[dict], set[str | None]]:
    _, by_type = _deployed(deploy, case)
    url = _subscribed_queue(aws, by_type["AWS::SNS::Topic"])
    group = by_type["AWS::AutoScaling::AutoScalingGroup"]
    autoscaling = aws("autoscaling", REGION)
    autoscaling.set_desired_capacity(AutoScalingGroupName=group, DesiredCapacity=2)
    arn = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[group])["AutoScalingGroups"][0][
        "AutoScalingGroupARN"
    ]
    return _received(aws, url), {o.refused_by for o in delivery.LOG.of(arn) if not o.delivered}


def test_d15_compliant_alarm_topic_delivers(aws, deploy):
    messages, history = _alarm_fires(aws, deploy, "D15Good")
    assert [m["NewStateValue"] for m in messages] == ["ALARM"]
    assert history[0].startswith("Successfully executed action")


def test_d15_tls_deny_alone_refuses_the_alarm(aws, deploy):
    messages, history = _alarm_fires(aws, deploy, "D15BadCloudWatch")
    assert messages == []
    assert "is not authorized to perform: SNS:Publish" in history[0]


def test_d15_d16_compliant_group_notifies(aws, deploy):
    messages, refused = _group_scales_out(aws, deploy, "D15GoodAutoScaling")
    assert [m["Event"] for m in messages] == ["autoscaling:EC2_INSTANCE_LAUNCH"]
    assert refused == set()


def test_d15_deny_for_the_role_refuses_notifications(aws, deploy):
    messages, refused = _group_scales_out(aws, deploy, "D15BadAutoScaling")
    assert messages == []
    assert refused == {"topic-policy"}


def test_d16_key_without_the_role_refuses_notifications(aws, deploy):
    messages, refused = _group_scales_out(aws, deploy, "D16BadKeyPolicy")
    assert messages == []
    assert refused == {"key-policy"}
