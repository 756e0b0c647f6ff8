"""The rules of webstack_pitfalls/rules/iam.py: RolesScopedAndAssumed (F7)."""

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_

from .conftest import CaseBook, ack, module_results

F7 = "Webstack-RolesScopedAndAssumed"

book = CaseBook()
fired = module_results(book)


# -- F7 broad managed policies and unassumed roles ----------------------------


def _instance_role(stack, policy):
    role = iam.Role(
        stack,
        "InstanceRole",
        assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"),
        managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(policy)],
    )
    iam.InstanceProfile(stack, "InstanceProfile", role=role)
    return role


@book.case("F7Good")
def _(stack):
    _instance_role(stack, "AmazonSSMManagedInstanceCore")
    lambda_.Function(
        stack,
        "Fn",
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context):\n    return None\n"),
    )


@book.case("F7BadManaged")
def _(stack):
    _instance_role(stack, "CloudWatchFullAccess")


@book.case("F7BadUnassumed")
def _(stack):
    iam.Role(stack, "Worker", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    role = iam.Role(stack, "Orphan", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))
    cdk.Tags.of(role).add("purpose", "none")


@book.case("F7Acked")
def _(stack):
    ack(_instance_role(stack, "CloudWatchFullAccess"), f"{F7}[CloudWatchFullAccess]")


def test_f7_scoped_and_used_roles_are_compliant(fired):
    assert fired("F7Good", F7) == set()


def test_f7_full_access_policy_fires(fired):
    assert fired("F7BadManaged", F7) == {f"{F7}[CloudWatchFullAccess]"}


def test_f7_unassumed_roles_fire(fired):
    paths = {(f.rule_id, f.path) for f in fired.of("F7BadUnassumed", F7)}
    assert paths == {
        (f"{F7}[Unassumed]", "F7BadUnassumed/Worker/Resource"),
        (f"{F7}[Unassumed]", "F7BadUnassumed/Orphan/Resource"),
    }


def test_f7_acknowledged(fired):
    assert fired("F7Acked", F7) == set()


def test_compliant_cases_are_clean_for_every_rule(fired):
    assert fired.dirty_compliant_cases() == {}
