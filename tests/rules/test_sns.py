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
    for rule in (D10,):
        assert fired.without_acknowledged_case(rule) == set()
