"""Behaviour: an alarm reaches a person, a scaling event reaches the events topic.

The other integration tests read configuration (an alarm *names* the topic,
the topic *has* a key). These make the thing happen the way an operator
would see it: subscribe a queue to the topic through the API, put an alarm
into ALARM, scale the group out, and expect the message in the queue. The
emulator evaluates the topic policy and the topic key's policy at that
moment, as AWS does, so a policy that only denies (D15) or a key that does
not admit the publisher (D10, D16) shows here as a message that never
arrives; the alarm's history then says why ("Failed to execute action ...").

They change state (alarm states, desired capacity) and would page the
people subscribed to a real account's topic: local target only.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from .helpers import all_alarms, all_composites

pytestmark = pytest.mark.usefixtures("local_only")


@pytest.fixture(scope="module")
def local_only(deployed) -> None:
    if deployed.endpoint is None:
        pytest.skip("changes alarm states and capacity: runs against the emulator only")


@pytest.fixture
def queue(aws) -> Iterator[dict[str, Any]]:
    """A fresh SQS queue that SNS may deliver to (the queue policy an operator
    writes); its subscriptions are removed with it."""
    sqs = aws("sqs")
    url = sqs.create_queue(QueueName=f"behaviour-{uuid.uuid4().hex[:12]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": arn,
            }
        ],
    }
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    subscriptions: list[str] = []
    yield {"url": url, "arn": arn, "subscriptions": subscriptions}
    for subscription in subscriptions:
        aws("sns", subscription.split(":")[3]).unsubscribe(SubscriptionArn=subscription)
    sqs.delete_queue(QueueUrl=url)


def _subscribe(aws: Any, topic_arn: str, queue: dict[str, Any]) -> None:
    sns = aws("sns", topic_arn.split(":")[3])
    subscription = sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue["arn"], ReturnSubscriptionArn=True)
    queue["subscriptions"].append(subscription["SubscriptionArn"])


def _received(aws: Any, queue: dict[str, Any], *, want: int, seconds: float = 5.0) -> list[dict]:
    sqs, found, until = aws("sqs"), [], time.monotonic() + seconds
    while len(found) < want and time.monotonic() < until:
        batch = sqs.receive_message(QueueUrl=queue["url"], MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in batch.get("Messages", []):
            found.append(json.loads(json.loads(message["Body"])["Message"]))
            sqs.delete_message(QueueUrl=queue["url"], ReceiptHandle=message["ReceiptHandle"])
    return found


def _action_history(aws: Any, region: str, alarm_name: str) -> list[str]:
    items = aws("cloudwatch", region).describe_alarm_history(AlarmName=alarm_name, HistoryItemType="Action")
    return [i["HistorySummary"] for i in items["AlarmHistoryItems"]]


def _set_state(aws: Any, region: str, alarm_name: str, state: str) -> None:
    aws("cloudwatch", region).set_alarm_state(AlarmName=alarm_name, StateValue=state, StateReason="behaviour test")


def _paging_composite(aws: Any, region: str, topic_arn: str) -> dict:
    composites = [c for c in all_composites(aws, region) if topic_arn in c.get("AlarmActions", [])]
    assert len(composites) == 1, f"{len(composites)} composite alarms page {topic_arn}"
    return composites[0]


def _cpu_alarm(aws: Any, region: str, group_name: str) -> dict:
    for alarm in all_alarms(aws, region):
        dims = {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])}
        if alarm.get("MetricName") == "CPUUtilization" and dims.get("AutoScalingGroupName") == group_name:
            return alarm
    raise AssertionError(f"no CPU alarm on {group_name}")


def _expect_page(aws: Any, region: str, alarm_name: str, queue: dict[str, Any]) -> list[dict]:
    _set_state(aws, region, alarm_name, "ALARM")
    try:
        messages = [m for m in _received(aws, queue, want=1) if m.get("AlarmName") == alarm_name]
        assert messages, f"no notification of {alarm_name} arrived; its action history: " + "; ".join(
            _action_history(aws, region, alarm_name)
        )
        return messages
    finally:
        _set_state(aws, region, alarm_name, "OK")
        _received(aws, queue, want=10, seconds=1)


def test_composite_alarm_pages_the_alert_topic(aws, deployed, outputs, queue):
    region, topic = deployed.web_region, outputs["AlertTopicArn"]
    _subscribe(aws, topic, queue)
    composite = _paging_composite(aws, region, topic)
    (page,) = _expect_page(aws, region, composite["AlarmName"], queue)
    assert page["NewStateValue"] == "ALARM" and page["AlarmArn"] == composite["AlarmArn"]


def test_regional_alarm_reaches_the_events_topic(aws, deployed, outputs, queue):
    region = deployed.web_region
    alarm = _cpu_alarm(aws, region, outputs["AutoScalingGroupName"])
    for topic in alarm["AlarmActions"]:
        _subscribe(aws, topic, queue)
    (message,) = _expect_page(aws, region, alarm["AlarmName"], queue)
    assert message["Trigger"]["MetricName"] == "CPUUtilization"


def test_edge_composite_alarm_pages_the_edge_topic(aws, deployed, outputs, queue):
    region, topic = deployed.edge_region, outputs["EdgeAlertTopicArn"]
    _subscribe(aws, topic, queue)
    composite = _paging_composite(aws, region, topic)
    (page,) = _expect_page(aws, region, composite["AlarmName"], queue)
    assert page["AlarmArn"] == composite["AlarmArn"]


def test_scale_out_reaches_the_events_topic(aws, deployed, outputs, queue):
    group_name = outputs["AutoScalingGroupName"]
    autoscaling = aws("autoscaling")
    configs = autoscaling.describe_notification_configurations(AutoScalingGroupNames=[group_name])
    launches = {
        c["TopicARN"]
        for c in configs["NotificationConfigurations"]
        if c["NotificationType"].endswith("INSTANCE_LAUNCH")
    }
    assert launches, f"{group_name} notifies no topic of launches"
    for topic in launches:
        _subscribe(aws, topic, queue)
    group = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[group_name])["AutoScalingGroups"][0]
    desired = group["DesiredCapacity"]
    if desired >= group["MaxSize"]:
        pytest.skip(f"{group_name} is at its maximum ({desired}): no room to scale out")
    autoscaling.set_desired_capacity(AutoScalingGroupName=group_name, DesiredCapacity=desired + 1)
    try:
        messages = [m for m in _received(aws, queue, want=1) if m.get("Event") == "autoscaling:EC2_INSTANCE_LAUNCH"]
        assert messages, (
            f"no launch notification of {group_name} arrived in {sorted(launches)} "
            "(does the topic key admit the Auto Scaling service-linked role? D16)"
        )
        assert messages[0]["AutoScalingGroupName"] == group_name
    finally:
        autoscaling.set_desired_capacity(AutoScalingGroupName=group_name, DesiredCapacity=desired)
