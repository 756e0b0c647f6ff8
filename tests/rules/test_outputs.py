"""The rules of webstack_pitfalls/rules/outputs.py: OutputsWithoutSecrets (F6)."""

import aws_cdk as cdk
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager

from .conftest import CaseBook, ack, module_results

F6 = "Webstack-OutputsWithoutSecrets"

book = CaseBook()
fired = module_results(book)


# -- F6 secrets in outputs ----------------------------------------------------


@book.case("F6Good")
def _(stack):
    bucket = s3.Bucket(stack, "Content")
    cdk.CfnOutput(stack, "ContentBucketName", value=bucket.bucket_name)


@book.case("F6BadArn")
def _(stack):
    secret = secretsmanager.Secret(stack, "Db")
    cdk.CfnOutput(stack, "DbArn", value=secret.secret_arn)


@book.case("F6BadValue")
def _(stack):
    secret = secretsmanager.Secret(stack, "Db")
    cdk.CfnOutput(stack, "DbValue", value=secret.secret_value.unsafe_unwrap())


@book.case("F6BadName")
def _(stack):
    cdk.CfnOutput(stack, "AdminPassword", value=cdk.Aws.STACK_NAME)


@book.case("F6Acked")
def _(stack):
    secret = secretsmanager.Secret(stack, "Db")
    output = cdk.CfnOutput(stack, "DbArn", value=secret.secret_arn)
    ack(output, f"{F6}[SecretRef]")


@book.case("F6AckedValue")
def _(stack):
    secret = secretsmanager.Secret(stack, "Db")
    output = cdk.CfnOutput(stack, "DbValue", value=secret.secret_value.unsafe_unwrap())
    ack(output, f"{F6}[DynamicReference]")
    ack(output, f"{F6}[SecretRef]")


@book.case("F6AckedName")
def _(stack):
    ack(cdk.CfnOutput(stack, "AdminPassword", value=cdk.Aws.STACK_NAME), f"{F6}[Name]")


def test_f6_plain_output_is_compliant(fired):
    assert fired("F6Good", F6) == set()


def test_f6_secret_arn_output_fires(fired):
    assert fired("F6BadArn", F6) == {f"{F6}[SecretRef]"}


def test_f6_secret_value_output_fires(fired):
    assert fired("F6BadValue", F6) == {f"{F6}[DynamicReference]", f"{F6}[SecretRef]"}


def test_f6_secret_sounding_output_fires(fired):
    assert fired("F6BadName", F6) == {f"{F6}[Name]"}


def test_f6_acknowledged(fired):
    assert fired("F6Acked", F6) == set()


def test_f6_secret_value_and_secret_sounding_output_acknowledged(fired):
    assert fired("F6AckedValue", F6) == set()
    assert fired("F6AckedName", F6) == set()


def test_compliant_cases_are_clean_for_every_rule(fired):
    assert fired.dirty_compliant_cases() == {}


def test_every_finding_has_an_acknowledged_case(fired):
    for rule in (F6,):
        assert fired.without_acknowledged_case(rule) == set()
