"""The rules of webstack_pitfalls/rules/general.py: NoPlaceholderOrLiteralSecret (F2), ContextResolvedAtSynth (F5)."""

import aws_cdk as cdk
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions

from .conftest import CaseBook, ack, module_results

F2 = "Webstack-NoPlaceholderOrLiteralSecret"
F5 = "Webstack-ContextResolvedAtSynth"

book = CaseBook()
fired = module_results(book)


# -- F2 placeholders and written secrets --------------------------------------


@book.case("F2Good")
def _(stack):
    topic = sns.Topic(stack, "Alarms")
    topic.add_subscription(subscriptions.EmailSubscription("oncall@webstack.dev"))
    secretsmanager.Secret(stack, "AppSecret")  # generated, never written
    cert = acm.Certificate(
        stack,
        "Cert",
        domain_name="shop.webstack.dev",
        validation=acm.CertificateValidation.from_dns(),
    )
    cfn = cert.node.default_child
    assert isinstance(cfn, acm.CfnCertificate)
    cfn.add_property_override(
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
    ack(topic, f"{F2}[example.com]")


def test_f2_config_values_and_generated_secret_are_compliant(fired):
    assert fired("F2Good", F2) == set()


def test_f2_example_email_subscription_fires(fired):
    assert fired("F2BadEmail", F2) == {f"{F2}[example.com]"}


def test_f2_written_secret_fires(fired):
    assert fired("F2BadSecret", F2) == {f"{F2}[placeholder]", f"{F2}[SecretString]"}


def test_f2_placeholder_certificate_domains_fire(fired):
    assert fired("F2BadCertificate", F2) == {f"{F2}[example.org]", f"{F2}[changeme]"}


def test_f2_acknowledged(fired):
    assert fired("F2Acked", F2) == set()


# -- F5 context assumed -------------------------------------------------------


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
    ack(vpc, f"{F5}[dummy1a]")
    ack(vpc, f"{F5}[dummy1b]")


def test_f5_configured_availability_zones_are_compliant(fired):
    assert fired("F5Good", F5) == set()


def test_f5_dummy_availability_zones_fire(fired):
    assert fired("F5Bad", F5) == {f"{F5}[dummy1a]", f"{F5}[dummy1b]"}


def test_f5_acknowledged(fired):
    assert fired("F5Acked", F5) == set()


def test_compliant_cases_are_clean_for_every_rule(fired):
    assert fired.dirty_compliant_cases() == {}
