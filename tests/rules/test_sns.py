"""The rules of webstack_pitfalls/rules/sns.py: AlarmTopicEncryptedForCloudWatch (D10)."""

from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns

from .conftest import CaseBook, ack, module_results

D10 = "Webstack-AlarmTopicEncryptedForCloudWatch"

book = CaseBook()
fired = module_results(book)


# -- D10 SNS topic for alarm actions ------------------------------------------


def _alarm_to(stack, topic):
    metric = cloudwatch.Metric(namespace="AWS/ApplicationELB", metric_name="HTTPCode_ELB_5XX_Count")
    alarm = metric.create_alarm(stack, "Errors", threshold=1, evaluation_periods=1)
    alarm.add_alarm_action(cw_actions.SnsAction(topic))


@book.case("D10Good")
def _(stack):
    key = kms.Key(stack, "AlarmKey", enable_key_rotation=True)
    key.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
            actions=["kms:Decrypt", "kms:GenerateDataKey*"],
            resources=["*"],
        )
    )
    _alarm_to(stack, sns.Topic(stack, "Alarms", master_key=key, enforce_ssl=True))


@book.case("D10BadNoKey")
def _(stack):
    _alarm_to(stack, sns.Topic(stack, "Alarms"))


@book.case("D10BadAwsManaged")
def _(stack):
    aws_sns = kms.Alias.from_alias_name(stack, "AwsSns", "alias/aws/sns")
    _alarm_to(stack, sns.Topic(stack, "Alarms", master_key=aws_sns))


@book.case("D10BadKeyPolicy")
def _(stack):
    _alarm_to(stack, sns.Topic(stack, "Alarms", master_key=kms.Key(stack, "AlarmKey", enable_key_rotation=True)))


@book.case("D10Acked")
def _(stack):
    topic = sns.Topic(stack, "Alarms")
    _alarm_to(stack, topic)
    ack(topic, f"{D10}[NoKey]")


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


def test_compliant_cases_are_clean_for_every_rule(fired):
    assert fired.dirty_compliant_cases() == {}
