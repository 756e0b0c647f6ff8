"""The rules of webstack_pitfalls/rules/logs.py: LogGroupKeyAdmitsCloudWatchLogs (D18)."""

from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs

from .conftest import CaseBook, ack, module_results

D18 = "Webstack-LogGroupKeyAdmitsCloudWatchLogs"

book = CaseBook()
fired = module_results(book)


def d18_admitting_key(stack):
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    key.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
            actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            resources=["*"],
            conditions={
                "ArnLike": {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{stack.region}:{stack.account}:*"}
            },
        )
    )
    return key


def d18_log_group_on_default_key(stack):
    """kms.Key's default policy admits the account, not the Logs service."""
    return logs.LogGroup(stack, "Logs", encryption_key=kms.Key(stack, "Key", enable_key_rotation=True))


@book.case("D18Good")
def d18_good(stack):
    logs.LogGroup(stack, "Logs", encryption_key=d18_admitting_key(stack))


@book.case("D18Bad")
def _(stack):
    d18_log_group_on_default_key(stack)


@book.case("D18BadOtherRegion")
def _(stack):
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    key.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal("logs.us-east-1.amazonaws.com")],
            actions=["kms:Encrypt*", "kms:Decrypt*", "kms:GenerateDataKey*"],
            resources=["*"],
        )
    )
    logs.LogGroup(stack, "Logs", encryption_key=key)


@book.case("D18Acked")
def _(stack):
    ack(d18_log_group_on_default_key(stack), f"{D18}[KeyPolicy]")


def test_d18_key_admitting_regional_logs_is_compliant(fired):
    assert fired("D18Good", D18) == set()


def test_d18_default_key_policy_fires(fired):
    assert fired("D18Bad", D18) == {f"{D18}[KeyPolicy]"}


def test_d18_logs_principal_of_another_region_fires(fired):
    assert fired("D18BadOtherRegion", D18) == {f"{D18}[KeyPolicy]"}


def test_d18_acknowledged(fired):
    assert fired("D18Acked", D18) == set()


def test_compliant_cases_are_clean_for_every_rule(fired):
    assert fired.dirty_compliant_cases() == {}


def test_every_finding_has_an_acknowledged_case(fired):
    for rule in (D18,):
        assert fired.without_acknowledged_case(rule) == set()
