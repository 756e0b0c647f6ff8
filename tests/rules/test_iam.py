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


def _unassumed_roles(stack):
    worker = iam.Role(stack, "Worker", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    role = iam.Role(stack, "Orphan", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))
    cdk.Tags.of(role).add("purpose", "none")
    return worker, role


def _admin_role(stack):
    role = iam.Role(
        stack,
        "InstanceRole",
        assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"),
        managed_policies=[
            iam.ManagedPolicy.from_aws_managed_policy_name("AdministratorAccess"),
            iam.ManagedPolicy.from_aws_managed_policy_name("PowerUserAccess"),
        ],
    )
    iam.InstanceProfile(stack, "InstanceProfile", role=role)
    return role


@book.case("F7BadUnassumed")
def _(stack):
    _unassumed_roles(stack)


@book.case("F7BadAdmin")
def _(stack):
    _admin_role(stack)


@book.case("F7Acked")
def _(stack):
    ack(_instance_role(stack, "CloudWatchFullAccess"), f"{F7}[CloudWatchFullAccess]")


@book.case("F7AckedUnassumed")
def _(stack):
    for role in _unassumed_roles(stack):
        ack(role, f"{F7}[Unassumed]")


@book.case("F7AckedAdmin")
def _(stack):
    role = _admin_role(stack)
    ack(role, f"{F7}[AdministratorAccess]")
    ack(role, f"{F7}[PowerUserAccess]")


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


def test_f7_administrator_and_power_user_policies_fire(fired):
    assert fired("F7BadAdmin", F7) == {f"{F7}[AdministratorAccess]", f"{F7}[PowerUserAccess]"}


def test_f7_unassumed_and_admin_acknowledged(fired):
    assert fired("F7AckedUnassumed", F7) == set()
    assert fired("F7AckedAdmin", F7) == set()


def test_compliant_cases_are_clean_for_every_rule(fired):
    assert fired.dirty_compliant_cases() == {}


def test_every_finding_has_an_acknowledged_case(fired):
    for rule in (F7,):
        assert fired.without_acknowledged_case(rule) == set()
