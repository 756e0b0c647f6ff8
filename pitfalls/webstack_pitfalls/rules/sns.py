"""SNS topics that receive alarm actions: a key CloudWatch can use (D10)."""

from __future__ import annotations

from collections.abc import Iterator

from ..template import TemplateView, as_list
from .base import Hit, Rule, aws_cdk_issue
from .kms import allow_statements, key_of, service_principals

_ALARM_ACTIONS = ("AlarmActions", "OKActions", "InsufficientDataActions")


def _cloudwatch_can_use(view: TemplateView, key_lid: str) -> bool:
    stmts = [
        s
        for s in allow_statements(view, key_lid)
        if any("cloudwatch.amazonaws.com" in p for p in service_principals(s))
    ]
    return all(any(s.covers(a) for s in stmts) for a in ("kms:Decrypt", "kms:GenerateDataKey"))


def _alarm_topics(view: TemplateView) -> set[str]:
    topics: set[str] = set()
    for _, props in view.of_type("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"):
        for key in _ALARM_ACTIONS:
            for action in as_list(props.get(key)):
                topic = view.target(action, "AWS::SNS::Topic")
                if topic:
                    topics.add(topic)
    return topics


def check_alarm_topic_encrypted_for_cloudwatch(view: TemplateView) -> Iterator[Hit]:
    for topic in sorted(_alarm_topics(view)):
        key_ref = view.props(topic).get("KmsMasterKeyId")
        loc = "Properties/KmsMasterKeyId"
        if key_ref is None:
            yield Hit(topic, "NoKey", loc)
        elif "alias/aws/sns" in view.render(key_ref):
            yield Hit(topic, "AwsManagedKey", loc)
        else:
            key = key_of(view, key_ref)
            if key is not None and not _cloudwatch_can_use(view, key):
                yield Hit(topic, "KeyPolicy", loc)


ALARM_TOPIC_ENCRYPTED_FOR_CLOUDWATCH = Rule(
    name="AlarmTopicEncryptedForCloudWatch",
    pitfall="D10",
    info="An SNS topic that receives CloudWatch alarm actions is unencrypted ([NoKey]), uses the AWS-managed "
    "aws/sns key ([AwsManagedKey]) so notifications are silently dropped, or its CMK policy does not let "
    "cloudwatch.amazonaws.com use it ([KeyPolicy]).",
    explanation="Encrypt the alarm topic with a customer-managed key whose policy grants cloudwatch.amazonaws.com "
    "kms:Decrypt and kms:GenerateDataKey*.",
    link=aws_cdk_issue(11121),
    check=check_alarm_topic_encrypted_for_cloudwatch,
)
