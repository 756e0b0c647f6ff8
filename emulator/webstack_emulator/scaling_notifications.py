"""Auto Scaling group notifications (``NotificationConfigurations``), sent as
the Auto Scaling service-linked role.

moto 5.2.5 ignores NotificationConfigurations and has no
Put/Describe/DeleteNotificationConfiguration. In AWS a group notifies its
topics, one message per instance, of the event types it subscribed to
(https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-sns-notifications.html).
It publishes as its service-linked role ``AWSServiceRoleForAutoScaling``,
whose managed policy allows ``sns:Publish``; for an encrypted topic SNS
needs that *role* in the topic key's policy, not a service principal
("Some Amazon SNS event sources require you to provide an IAM role (rather
than the service principal) in the AWS KMS key policy: Amazon EC2 Auto
Scaling, ...", https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html).
:mod:`.delivery` evaluates the topic policy and the key policy.

AWS does not show a refused notification anywhere documented (delivery is
"on a best-effort basis"); the emulator records every outcome in
:data:`webstack_emulator.delivery.LOG` under the group's ARN. Not modelled:
the ``autoscaling:TEST_NOTIFICATION`` AWS sends when notifications are
configured, and the ``*_ERROR`` events (moto never fails a launch).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from moto.moto_api._internal import mock_random

from .delivery import Publisher, publish
from .policy import autoscaling_service_linked_role

LAUNCH = "autoscaling:EC2_INSTANCE_LAUNCH"
TERMINATE = "autoscaling:EC2_INSTANCE_TERMINATE"
_SUBJECT = {LAUNCH: "launch", TERMINATE: "termination"}


def configurations(group: Any) -> dict[str, list[str]]:
    """``{topic ARN: [notification types]}`` of a group."""
    found: dict[str, list[str]] = getattr(group, "webstack_notifications", None) or {}
    return found


def configure(group: Any, topic_arn: str, types: Iterable[str]) -> None:
    current = dict(configurations(group))
    current[topic_arn] = sorted(set(types))
    group.webstack_notifications = current


def unconfigure(group: Any, topic_arn: str) -> None:
    group.webstack_notifications = {t: v for t, v in configurations(group).items() if t != topic_arn}


def from_template(group: Any, props: dict[str, Any]) -> None:
    """Replace a group's configurations with its template's ``NotificationConfigurations``."""
    group.webstack_notifications = {}
    for config in props.get("NotificationConfigurations") or []:
        configure(group, config["TopicARN"], config.get("NotificationTypes") or [])


def _message(group: Any, event: str, instance: Any) -> str:
    now = datetime.now(UTC).isoformat()
    verb = "Launching a new" if event == LAUNCH else "Terminating"
    return json.dumps(
        {
            "Progress": 50,
            "AccountId": group.account_id,
            "Description": f"{verb} EC2 instance: {instance.instance_id}",
            "RequestId": str(mock_random.uuid4()),
            "EndTime": now,
            "AutoScalingGroupARN": group.arn,
            "ActivityId": str(mock_random.uuid4()),
            "StartTime": now,
            "Service": "AWS Auto Scaling",
            "Time": now,
            "EC2InstanceId": instance.instance_id,
            "StatusCode": "InProgress",
            "StatusMessage": "",
            "Details": {"Availability Zone": instance.availability_zone},
            "AutoScalingGroupName": group.name,
            "Cause": f"At {now} the desired capacity of the group changed to {group.desired_capacity}.",
            "Event": event,
        }
    )


def _publisher(group: Any) -> Publisher:
    role = autoscaling_service_linked_role(group.account_id)
    return Publisher(
        principal=role,
        account_id=group.account_id,
        # SNS's AuthorizationError names the caller as "User: <principal>".
        caller=f"User: {role.arn}",
        context={"aws:PrincipalArn": role.arn, "aws:PrincipalAccount": group.account_id},
    )


def notify(group: Any, event: str, instances: Iterable[Any]) -> None:
    topics = [t for t, types in configurations(group).items() if event in types]
    if not topics:
        return
    subject = f'Auto Scaling: {_SUBJECT[event]} for group "{group.name}"'
    for instance in instances:
        for topic_arn in topics:
            publish(_publisher(group), topic_arn, _message(group, event, instance), subject, source=group.arn)


def describe(groups: Iterable[Any]) -> list[dict[str, str]]:
    """DescribeNotificationConfigurations rows: one per group, topic and type."""
    return [
        {"AutoScalingGroupName": g.name, "TopicARN": topic, "NotificationType": kind}
        for g in groups
        for topic, kinds in configurations(g).items()
        for kind in kinds
    ]
