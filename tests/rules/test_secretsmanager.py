"""The rules of webstack_pitfalls/rules/secretsmanager.py: RotationFunctionInvokableBySecretsManager (D20)."""

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager

from .conftest import CaseBook, ack, module_results

D20 = "Webstack-RotationFunctionInvokableBySecretsManager"

book = CaseBook()
fired = module_results(book)

ROTATION_CODE = "def handler(event, context):\n    return None\n"


def d20_function(stack):
    return lambda_.Function(
        stack,
        "Rotation",
        runtime=lambda_.Runtime.PYTHON_3_13,
        handler="index.handler",
        code=lambda_.Code.from_inline(ROTATION_CODE),
    )


def d20_schedule_without_permission(stack):
    """An L1 schedule: nothing grants the function to Secrets Manager."""
    secret = secretsmanager.Secret(stack, "Secret")
    function = d20_function(stack)
    return secretsmanager.CfnRotationSchedule(
        stack,
        "Schedule",
        secret_id=secret.secret_arn,
        rotation_lambda_arn=function.function_arn,
        rotation_rules=secretsmanager.CfnRotationSchedule.RotationRulesProperty(schedule_expression="rate(30 days)"),
    )


@book.case("D20Good")
def d20_good(stack):
    secret = secretsmanager.Secret(stack, "Secret")
    secret.add_rotation_schedule(
        "Schedule", rotation_lambda=d20_function(stack), automatically_after=cdk.Duration.days(30)
    )


@book.case("D20Bad")
def _(stack):
    d20_schedule_without_permission(stack)


@book.case("D20Acked")
def _(stack):
    ack(d20_schedule_without_permission(stack), f"{D20}[NoPermission]")


def test_d20_add_rotation_schedule_grants_secrets_manager(fired):
    assert fired("D20Good", D20) == set()


def test_d20_schedule_without_lambda_permission_fires(fired):
    assert fired("D20Bad", D20) == {f"{D20}[NoPermission]"}


def test_d20_acknowledged(fired):
    assert fired("D20Acked", D20) == set()


def test_compliant_cases_are_clean_for_every_rule(fired):
    assert fired.dirty_compliant_cases() == {}


def test_every_finding_has_an_acknowledged_case(fired):
    for rule in (D20,):
        assert fired.without_acknowledged_case(rule) == set()
