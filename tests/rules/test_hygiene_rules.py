"""F2 placeholders, F5 assumed context, F6 secrets in outputs, F7 broad or unused roles."""

import aws_cdk as cdk
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions

from .conftest import CaseBook, ack, module_results

book = CaseBook()
fired = module_results(book)


# -- F2 -----------------------------------------------------------------------


@book.case("F2Good")
def _(stack):
    topic = sns.Topic(stack, "Alarms")
    topic.add_subscription(subscriptions.EmailSubscription("oncall@webstack.dev"))
    secretsmanager.Secret(stack, "AppSecret")  # generated, never written
    acm.Certificate(
        stack,
        "Cert",
        domain_name="shop.webstack.dev",
        validation=acm.CertificateValidation.from_dns(),
    ).node.default_child.add_property_override(
        "DomainValidationOptions", [{"DomainName": "shop.webstack.dev", "HostedZoneId": "Z0123456789ABCDEFGHIJ"}]
    )


@book.case("F2BadEmail")
def _(stack):
    sns.Topic(stack, "Alarms").add_subscription(subscriptions.EmailSubscription("admin@example.com"))


@book.case("F2BadSecret")
def _(stack):
    secretsmanager.Secret(stack, "ApiKey", secret_string_value=cdk.SecretValue.unsafe_plain_text("placeholder-key"))


@book.case("F2BadCertificate")
def _(stack):
    acm.Certificate(stack, "Cert", domain_name="www.example.org", subject_alternative_names=["changeme.webstack.dev"])


@book.case("F2Acked")
def _(stack):
    topic = sns.Topic(stack, "Alarms")
    topic.add_subscription(subscriptions.EmailSubscription("admin@example.com"))
    ack(topic, "Webstack-F2[example.com]")


def test_f2_config_values_and_generated_secret_are_compliant(fired):
    assert fired("F2Good", "Webstack-F2") == set()


def test_f2_example_email_subscription_fires(fired):
    assert fired("F2BadEmail", "Webstack-F2") == {"Webstack-F2[example.com]"}


def test_f2_written_secret_fires(fired):
    assert fired("F2BadSecret", "Webstack-F2") == {"Webstack-F2[placeholder]", "Webstack-F2[SecretString]"}


def test_f2_placeholder_certificate_domains_fire(fired):
    assert fired("F2BadCertificate", "Webstack-F2") == {"Webstack-F2[example.org]", "Webstack-F2[changeme]"}


def test_f2_acknowledged(fired):
    assert fired("F2Acked", "Webstack-F2") == set()


# -- F5 -----------------------------------------------------------------------


def _vpc(stack, **kwargs):
    return ec2.Vpc(
        stack,
        "Vpc",
        nat_gateways=0,
        subnet_configuration=[ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC)],
        **kwargs,
    )


@book.case("F5Good")
def _(stack):
    _vpc(stack, availability_zones=["eu-west-1a", "eu-west-1b"])


@book.case("F5Bad")
def _(stack):
    # Concrete env, no context lookup available: CDK falls back to dummy1a/dummy1b.
    _vpc(stack, max_azs=2)


@book.case("F5Acked")
def _(stack):
    vpc = _vpc(stack, max_azs=2)
    ack(vpc, "Webstack-F5[dummy1a]")
    ack(vpc, "Webstack-F5[dummy1b]")


def test_f5_configured_availability_zones_are_compliant(fired):
    assert fired("F5Good", "Webstack-F5") == set()


def test_f5_dummy_availability_zones_fire(fired):
    assert fired("F5Bad", "Webstack-F5") == {"Webstack-F5[dummy1a]", "Webstack-F5[dummy1b]"}


def test_f5_acknowledged(fired):
    assert fired("F5Acked", "Webstack-F5") == set()


# -- F6 -----------------------------------------------------------------------


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
    ack(output, "Webstack-F6[SecretRef]")


def test_f6_plain_output_is_compliant(fired):
    assert fired("F6Good", "Webstack-F6") == set()


def test_f6_secret_arn_output_fires(fired):
    assert fired("F6BadArn", "Webstack-F6") == {"Webstack-F6[SecretRef]"}


def test_f6_secret_value_output_fires(fired):
    assert fired("F6BadValue", "Webstack-F6") == {"Webstack-F6[DynamicReference]", "Webstack-F6[SecretRef]"}


def test_f6_secret_sounding_output_fires(fired):
    assert fired("F6BadName", "Webstack-F6") == {"Webstack-F6[Name]"}


def test_f6_acknowledged(fired):
    assert fired("F6Acked", "Webstack-F6") == set()


# -- F7 -----------------------------------------------------------------------


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
    ack(_instance_role(stack, "CloudWatchFullAccess"), "Webstack-F7[CloudWatchFullAccess]")


def test_f7_scoped_and_used_roles_are_compliant(fired):
    assert fired("F7Good", "Webstack-F7") == set()


def test_f7_full_access_policy_fires(fired):
    assert fired("F7BadManaged", "Webstack-F7") == {"Webstack-F7[CloudWatchFullAccess]"}


def test_f7_unassumed_roles_fire(fired):
    paths = {(f.rule_id, f.path) for f in fired.of("F7BadUnassumed", "Webstack-F7")}
    assert paths == {
        ("Webstack-F7[Unassumed]", "F7BadUnassumed/Worker/Resource"),
        ("Webstack-F7[Unassumed]", "F7BadUnassumed/Orphan/Resource"),
    }


def test_f7_acknowledged(fired):
    assert fired("F7Acked", "Webstack-F7") == set()


def test_compliant_cases_are_clean_for_every_rule(fired):
    dirty = {c: fired.by_stack.get(c) for c in fired.cases if "Good" in c and fired.by_stack.get(c)}
    assert dirty == {}
