"""SNS topics that services publish to: a key CloudWatch can use (D10), a topic policy that admits the
publishing service (D15), a key the Auto Scaling service-linked role can use (D16)."""

from __future__ import annotations

from collections.abc import Iterator

from ..template import Statement, TemplateView, as_list, statements
from .base import Hit, Rule, aws_cdk_issue

# D1's test for a statement naming the Auto Scaling role (directly or via aws:PrincipalArn).
from .kms import _names_asg_slr, allow_statements, key_of, service_principals

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


# ---------------------------------------------------------------------------
# D15 topic policy that admits no publisher, D16 topic key without Auto Scaling

_SNS_TOPIC = "AWS::SNS::Topic"
_CLOUDWATCH = "cloudwatch.amazonaws.com"
_ASG_SLR = "AWSServiceRoleForAutoScaling"
# What SNS asks KMS for on a publisher's behalf (SNS key management:
# https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html).
_TOPIC_KEY_USE = ("kms:GenerateDataKey", "kms:Decrypt")


def _notified_topics(view: TemplateView) -> set[str]:
    """Topics an Auto Scaling group's NotificationConfigurations publish to."""
    topics: set[str] = set()
    for _, props in view.of_type("AWS::AutoScaling::AutoScalingGroup"):
        for config in as_list(props.get("NotificationConfigurations")):
            topic = view.target((config or {}).get("TopicARN"), _SNS_TOPIC)
            if topic:
                topics.add(topic)
    return topics


def _topic_policies(view: TemplateView, topic: str) -> list[list[Statement]]:
    """The statements of every AWS::SNS::TopicPolicy attached to ``topic``."""
    return [
        statements(props.get("PolicyDocument"), view.parameters)
        for _, props in view.of_type("AWS::SNS::TopicPolicy")
        if topic in {view.target(t, _SNS_TOPIC) for t in as_list(props.get("Topics"))}
    ]


def _allows_cloudwatch(stmts: list[Statement]) -> bool:
    return any(
        s.allows and s.covers("sns:Publish") and (s.principal_is_star() or _CLOUDWATCH in service_principals(s))
        for s in stmts
    )


def _only_refuses_plain_http(statement: Statement) -> bool:
    # enforce_ssl's Deny: applies only to requests with aws:SecureTransport
    # false, and AWS services publish over TLS.
    bools = statement.conditions.get("Bool", {})
    return set(statement.conditions) == {"Bool"} and bools == {"aws:securetransport": ["false"]}


def _denies_auto_scaling(stmts: list[Statement]) -> bool:
    """A Deny on sns:Publish that can apply to the Auto Scaling role."""
    return any(
        not s.allows
        and s.covers("sns:Publish")
        and (s.principal_is_star() or any(_ASG_SLR in p for p in s.rendered_principals.get("AWS", [])))
        and not _only_refuses_plain_http(s)
        for s in stmts
    )


def check_notified_topic_policy_allows_publisher(view: TemplateView) -> Iterator[Hit]:
    for topic in sorted(_alarm_topics(view)):
        policies = _topic_policies(view, topic)
        # No AWS::SNS::TopicPolicy: SNS's default policy admits the account's sources.
        if policies and not any(_allows_cloudwatch(p) for p in policies):
            yield Hit(topic, "CloudWatch", "Properties")
    for topic in sorted(_notified_topics(view)):
        if any(_denies_auto_scaling(p) for p in _topic_policies(view, topic)):
            yield Hit(topic, "AutoScaling", "Properties")


NOTIFIED_TOPIC_POLICY_ALLOWS_PUBLISHER = Rule(
    name="NotifiedTopicPolicyAllowsPublisher",
    pitfall="D15",
    info="An SNS topic that CloudWatch alarms publish to has an AWS::SNS::TopicPolicy (e.g. only enforce_ssl's TLS "
    "Deny) with no Allow for cloudwatch.amazonaws.com ([CloudWatch]): the policy replaces SNS's default one and "
    "every alarm action fails with 'is not authorized to perform: SNS:Publish'; or a topic an Auto Scaling group "
    "notifies has a Deny on sns:Publish that applies to the Auto Scaling service-linked role ([AutoScaling]).",
    explanation="Add a topic-policy statement allowing cloudwatch.amazonaws.com sns:Publish, scoped by "
    "aws:SourceAccount (the account) and aws:SourceArn (ArnLike arn:<partition>:cloudwatch:<region>:<account>:"
    "alarm:*), beside the TLS Deny. Auto Scaling publishes as its service-linked role, whose own policy allows "
    "sns:Publish in the same account: narrow any Deny so it spares that role.",
    link="https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger",
    check=check_notified_topic_policy_allows_publisher,
)


def _auto_scaling_can_use(view: TemplateView, key_lid: str) -> bool:
    stmts = [s for s in allow_statements(view, key_lid) if _names_asg_slr(s)]
    return all(any(s.covers(a) for s in stmts) for a in _TOPIC_KEY_USE)


def check_notified_topic_key_usable_by_auto_scaling(view: TemplateView) -> Iterator[Hit]:
    for topic in sorted(_notified_topics(view)):
        key = key_of(view, view.props(topic).get("KmsMasterKeyId"))
        if key is not None and not _auto_scaling_can_use(view, key):
            yield Hit(key, "KeyPolicy", "Properties/KeyPolicy")


NOTIFIED_TOPIC_KEY_USABLE_BY_AUTO_SCALING = Rule(
    name="NotifiedTopicKeyUsableByAutoScaling",
    pitfall="D16",
    info="An Auto Scaling group notifies an SNS topic encrypted with a customer-managed key whose policy does not "
    "let the Auto Scaling service-linked role use it ([KeyPolicy]): SNS needs that role (not a service principal) "
    "in the key policy, so every scaling notification is dropped.",
    explanation="Add a key-policy statement for the role arn:<partition>:iam::<account>:role/aws-service-role/"
    "autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling (principal * with an aws:PrincipalArn condition, "
    "valid before the role exists): kms:GenerateDataKey* and kms:Decrypt, optionally narrowed by "
    "kms:ViaService sns.<region>.amazonaws.com.",
    link="https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html",
    check=check_notified_topic_key_usable_by_auto_scaling,
)
