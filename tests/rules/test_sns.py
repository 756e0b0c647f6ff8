"""The rules of webstack_pitfalls/rules/sns.py: AlarmTopicEncryptedForCloudWatch (D10),
NotifiedTopicPolicyAllowsPublisher (D15), NotifiedTopicKeyUsableByAutoScaling (D16).

The D15/D16 cases are also deployed to the emulator, where the same mistakes
fail at run time (tests/emulator/test_topic_pitfalls_at_run_time.py)."""

import aws_cdk as cdk
from aws_cdk import aws_autoscaling as autoscaling
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns

from .conftest import CaseBook, ack, module_results

D10 = "Webstack-AlarmTopicEncryptedForCloudWatch"
D15 = "Webstack-NotifiedTopicPolicyAllowsPublisher"
D16 = "Webstack-NotifiedTopicKeyUsableByAutoScaling"

book = CaseBook()
fired = module_results(book)


# -- D10 SNS topic for alarm actions ------------------------------------------


def _alarm_to(stack, topic):
    metric = cloudwatch.Metric(namespace="AWS/ApplicationELB", metric_name="HTTPCode_ELB_5XX_Count")
    alarm = metric.create_alarm(stack, "Errors", threshold=1, evaluation_periods=1)
    alarm.add_alarm_action(cw_actions.SnsAction(topic))


def _key_for_cloudwatch(stack):
    key = kms.Key(stack, "AlarmKey", enable_key_rotation=True)
    key.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
            actions=["kms:Decrypt", "kms:GenerateDataKey*"],
            resources=["*"],
        )
    )
    return key


def _allow_cloudwatch(topic):
    topic.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
            actions=["sns:Publish"],
            resources=[topic.topic_arn],
            conditions={
                "StringEquals": {"aws:SourceAccount": cdk.Aws.ACCOUNT_ID},
                "ArnLike": {
                    "aws:SourceArn": f"arn:{cdk.Aws.PARTITION}:cloudwatch:{cdk.Aws.REGION}:{cdk.Aws.ACCOUNT_ID}:alarm:*"
                },
            },
        )
    )


@book.case("D10Good")
def _(stack):
    topic = sns.Topic(stack, "Alarms", master_key=_key_for_cloudwatch(stack), enforce_ssl=True)
    _allow_cloudwatch(topic)
    _alarm_to(stack, topic)


@book.case("D10BadNoKey")
def _(stack):
    _alarm_to(stack, sns.Topic(stack, "Alarms"))


def _aws_managed_key_topic(stack):
    aws_sns = kms.Alias.from_alias_name(stack, "AwsSns", "alias/aws/sns")
    topic = sns.Topic(stack, "Alarms", master_key=aws_sns)
    _alarm_to(stack, topic)
    return topic


def _key_without_cloudwatch_topic(stack):
    topic = sns.Topic(stack, "Alarms", master_key=kms.Key(stack, "AlarmKey", enable_key_rotation=True))
    _alarm_to(stack, topic)
    return topic


@book.case("D10BadAwsManaged")
def _(stack):
    _aws_managed_key_topic(stack)


@book.case("D10BadKeyPolicy")
def _(stack):
    _key_without_cloudwatch_topic(stack)


@book.case("D10Acked")
def _(stack):
    topic = sns.Topic(stack, "Alarms")
    _alarm_to(stack, topic)
    ack(topic, f"{D10}[NoKey]")


@book.case("D10AckedAwsManaged")
def _(stack):
    ack(_aws_managed_key_topic(stack), f"{D10}[AwsManagedKey]")


@book.case("D10AckedKeyPolicy")
def _(stack):
    ack(_key_without_cloudwatch_topic(stack), f"{D10}[KeyPolicy]")


# -- D15 topic policy that admits no publisher, D16 topic key without Auto Scaling --

_SLR_PATH = "role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
_SLR = f"arn:{cdk.Aws.PARTITION}:iam::{cdk.Aws.ACCOUNT_ID}:{_SLR_PATH}"


def _tls_only_alarm_topic(stack):
    """enforce_ssl alone: the topic policy holds only the TLS Deny."""
    topic = sns.Topic(stack, "Alarms", master_key=_key_for_cloudwatch(stack), enforce_ssl=True)
    _alarm_to(stack, topic)
    return topic


def _key_for_auto_scaling(stack, *, admit_role=True):
    key = kms.Key(stack, "TopicKey", enable_key_rotation=True)
    if admit_role:
        key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.AnyPrincipal()],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
                conditions={
                    "ArnEquals": {"aws:PrincipalArn": _SLR},
                    "StringEquals": {"kms:CallerAccount": cdk.Aws.ACCOUNT_ID},
                },
            )
        )
    return key


def _group_notifying(stack, topic):
    template = ec2.CfnLaunchTemplate(
        stack,
        "Lt",
        launch_template_data=ec2.CfnLaunchTemplate.LaunchTemplateDataProperty(
            image_id="ami-12345678", instance_type="t3.micro"
        ),
    )
    autoscaling.CfnAutoScalingGroup(
        stack,
        "Group",
        min_size="1",
        max_size="3",
        availability_zones=["eu-west-1a"],
        launch_template=autoscaling.CfnAutoScalingGroup.LaunchTemplateSpecificationProperty(
            launch_template_id=template.ref, version=template.attr_latest_version_number
        ),
        notification_configurations=[
            autoscaling.CfnAutoScalingGroup.NotificationConfigurationProperty(
                topic_arn=topic.topic_arn,
                notification_types=["autoscaling:EC2_INSTANCE_LAUNCH", "autoscaling:EC2_INSTANCE_TERMINATE"],
            )
        ],
    )


def _denying_topic(stack):
    topic = sns.Topic(stack, "Events", master_key=_key_for_auto_scaling(stack), enforce_ssl=True)
    topic.add_to_resource_policy(
        iam.PolicyStatement(
            effect=iam.Effect.DENY,
            principals=[iam.AnyPrincipal()],
            actions=["sns:Publish"],
            resources=[topic.topic_arn],
        )
    )
    _group_notifying(stack, topic)
    return topic


def _topic_with_key_without_role(stack):
    key = _key_for_auto_scaling(stack, admit_role=False)
    _group_notifying(stack, sns.Topic(stack, "Events", master_key=key, enforce_ssl=True))
    return key


@book.case("D15Good")
def _(stack):
    _allow_cloudwatch(_tls_only_alarm_topic(stack))


@book.case("D15GoodAutoScaling")
def _(stack):
    # enforce_ssl's Deny spares TLS calls, and the role's own policy allows
    # sns:Publish: no topic-policy Allow needed; the key admits the role (D16).
    _group_notifying(stack, sns.Topic(stack, "Events", master_key=_key_for_auto_scaling(stack), enforce_ssl=True))


@book.case("D15BadCloudWatch")
def _(stack):
    _tls_only_alarm_topic(stack)


@book.case("D15BadAutoScaling")
def _(stack):
    _denying_topic(stack)


@book.case("D15Acked")
def _(stack):
    ack(_tls_only_alarm_topic(stack), f"{D15}[CloudWatch]")


@book.case("D15AckedAutoScaling")
def _(stack):
    ack(_denying_topic(stack), f"{D15}[AutoScaling]")


@book.case("D16BadKeyPolicy")
def _(stack):
    _topic_with_key_without_role(stack)


@book.case("D16Acked")
def _(stack):
    ack(_topic_with_key_without_role(stack), f"{D16}[KeyPolicy]")


def test_d15_topic_policy_allowing_cloudwatch_is_compliant(fired):
    assert fired("D15Good", D15) == set()


def test_d15_tls_only_topic_notified_by_auto_scaling_is_compliant(fired):
    assert fired("D15GoodAutoScaling", D15) == set()
    assert fired("D15GoodAutoScaling", D16) == set()


def test_d15_tls_deny_alone_on_an_alarm_topic_fires(fired):
    assert fired("D15BadCloudWatch", D15) == {f"{D15}[CloudWatch]"}


def test_d15_deny_applying_to_auto_scaling_fires(fired):
    assert fired("D15BadAutoScaling", D15) == {f"{D15}[AutoScaling]"}


def test_d15_acknowledged(fired):
    assert fired("D15Acked", D15) == set()
    assert fired("D15AckedAutoScaling", D15) == set()


def test_d16_topic_key_without_the_auto_scaling_role_fires(fired):
    assert fired("D16BadKeyPolicy", D16) == {f"{D16}[KeyPolicy]"}


def test_d16_acknowledged(fired):
    assert fired("D16Acked", D16) == set()


def test_d10_topic_with_cmk_granting_cloudwatch_is_compliant(fired):
    assert fired("D10Good", D10) == set()


def test_d10_unencrypted_topic_fires(fired):
    assert fired("D10BadNoKey", D10) == {f"{D10}[NoKey]"}


def test_d10_aws_managed_sns_key_fires(fired):
    assert fired("D10BadAwsManaged", D10) == {f"{D10}[AwsManagedKey]"}


def test_d10_cmk_without_cloudwatch_grant_fires(fired):
    assert fired("D10BadKeyPolicy", D10) == {f"{D10}[KeyPolicy]"}


def test_d10_acknowledged(fired):
    assert fired("D10Acked", D10) == set()


def test_d10_aws_managed_key_and_key_policy_acknowledged(fired):
    assert fired("D10AckedAwsManaged", D10) == set()
    assert fired("D10AckedKeyPolicy", D10) == set()


def test_compliant_cases_are_clean_for_every_rule(fired):
    assert fired.dirty_compliant_cases() == {}


def test_every_finding_has_an_acknowledged_case(fired):
    for rule in (D10, D15, D16):
        assert fired.without_acknowledged_case(rule) == set()
