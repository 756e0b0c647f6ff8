"""The rules of webstack_pitfalls/rules/general.py: StatefulLogicalIdPinned (D14), NoPlaceholderOrLiteralSecret (F2),
ContextResolvedAtSynth (F5)."""

import aws_cdk as cdk
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_ssm as ssm

from webstack_pitfalls import pin_stateful_ids

from .conftest import CaseBook, ack, module_results

D14 = "Webstack-StatefulLogicalIdPinned"

F2 = "Webstack-NoPlaceholderOrLiteralSecret"
F5 = "Webstack-ContextResolvedAtSynth"

book = CaseBook()
fired = module_results(book)


# -- D14 stateful logical ids the stack pins ------------------------------------


def _stateful(stack, bucket_id="Content"):
    """A bucket, a key and a log group; the ids they get in a case stack (no construct nesting)."""
    bucket = s3.Bucket(stack, bucket_id)
    logs.LogGroup(stack, "Logs")
    kms.Key(stack, "Key")
    return bucket


def _logical_id(construct) -> str:
    return cdk.Stack.of(construct).resolve(construct.node.default_child.logical_id)


def _pin_as_deployed(stack):
    """Pin what the stack held when it was deployed: its bucket was "Content"."""
    ids = {"AWS::S3::Bucket": ["Content"], "AWS::Logs::LogGroup": ["Logs"], "AWS::KMS::Key": ["Key"]}
    pin_stateful_ids(stack, {t: [_hashed(stack, i, t) for i in v] for t, v in ids.items()})


def _hashed(stack, construct_id: str, rtype: str) -> str:
    found = [r for r in stack.node.find_all() if isinstance(r, cdk.CfnResource) and r.cfn_resource_type == rtype]
    by_id = {r.node.scope.node.id: _logical_id(r.node.scope) for r in found}
    return by_id.get(construct_id, f"{construct_id}NotCreated")


@book.case("D14Good")
def _(stack):
    _stateful(stack)
    _pin_as_deployed(stack)


@book.case("D14GoodNothingPinned")
def _(stack):
    _stateful(stack, bucket_id="Renamed")  # a stack that declares no pins is not checked


@book.case("D14BadRenamedBucket")
def _(stack):
    _stateful(stack)
    _pin_as_deployed(stack)
    # The same stack after a refactoring renamed the bucket's construct.
    stack.node.try_remove_child("Content")
    s3.Bucket(stack, "SiteContent")


@book.case("D14BadUnpinnedTypeTheStackNames")
def _(stack):
    _stateful(stack)
    _pin_as_deployed(stack)
    pin_stateful_ids(stack, {"AWS::SNS::Topic": ["AlertsTopic"]})  # a second declaration replaces the first
    sns.Topic(stack, "Alarms")


@book.case("D14AckedRenamedBucket")
def _(stack):
    _stateful(stack)
    _pin_as_deployed(stack)
    stack.node.try_remove_child("Content")
    ack(s3.Bucket(stack, "SiteContent"), D14)


def test_d14_pinned_stateful_ids_are_compliant(fired):
    assert fired("D14Good", D14) == set()
    assert fired("D14GoodNothingPinned", D14) == set()


def test_d14_renamed_bucket_construct_fires_on_the_new_bucket(fired):
    (finding,) = fired.of("D14BadRenamedBucket", D14)
    assert finding.rule_id == D14
    assert finding.path.startswith("D14BadRenamedBucket/SiteContent/")


def test_d14_every_stateful_or_pinned_type_is_checked(fired):
    # Only the topic's type is declared now: the bucket, key and log group are stateful and unpinned,
    # the topic is of a declared type and its id is not the one pinned.
    paths = sorted(f.path.split("/")[1] for f in fired.of("D14BadUnpinnedTypeTheStackNames", D14))
    assert paths == ["Alarms", "Content", "Key", "Logs"]


def test_d14_acknowledged(fired):
    assert fired("D14AckedRenamedBucket", D14) == set()


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


def _written_secret(stack):
    return secretsmanager.Secret(
        stack, "ApiKey", secret_string_value=cdk.SecretValue.unsafe_plain_text("placeholder-key")
    )


def _placeholder_certificate(stack):
    return acm.Certificate(
        stack, "Cert", domain_name="www.example.org", subject_alternative_names=["changeme.webstack.dev"]
    )


def _written_values(stack):
    """One resource per remaining kind of placeholder or written secret, with the findings it fires."""

    def resource(name, resource_type, **properties):
        return cdk.CfnResource(stack, name, type=resource_type, properties=properties)

    def parameter(name, value):
        return ssm.CfnParameter(stack, name, type="String", value=value)

    return [
        (
            resource(
                "Db",
                "AWS::RDS::DBInstance",
                Engine="postgres",
                DBInstanceClass="db.t3.micro",
                MasterUsername="app",
                MasterUserPassword="password123",
            ),
            ["password123", "MasterUserPassword"],
        ),
        (
            resource(
                "Directory", "AWS::DirectoryService::MicrosoftAD", Name="corp.webstack.dev", Password="Wr1tten-in-code"
            ),
            ["Password"],
        ),
        (
            resource(
                "Cache",
                "AWS::ElastiCache::ReplicationGroup",
                ReplicationGroupDescription="sessions",
                AuthToken="written-in-code-token-0123",
            ),
            ["AuthToken"],
        ),
        (parameter("Domain", "your-domain"), ["your-domain"]),
        (parameter("Email", "your_email"), ["your-email"]),
        (parameter("Account", "youraccount"), ["your-account"]),
        (parameter("Token", "replace-me"), ["replaceme"]),
        (parameter("Hook", "https://hooks.example.net/alarm"), ["example.net"]),
    ]


@book.case("F2BadSecret")
def _(stack):
    _written_secret(stack)


@book.case("F2BadCertificate")
def _(stack):
    _placeholder_certificate(stack)


@book.case("F2BadWrittenValues")
def _(stack):
    _written_values(stack)


@book.case("F2Acked")
def _(stack):
    topic = sns.Topic(stack, "Alarms")
    topic.add_subscription(subscriptions.EmailSubscription("admin@example.com"))
    ack(topic, f"{F2}[example.com]")


@book.case("F2AckedSecret")
def _(stack):
    secret = _written_secret(stack)
    ack(secret, f"{F2}[placeholder]")
    ack(secret, f"{F2}[SecretString]")


@book.case("F2AckedCertificate")
def _(stack):
    cert = _placeholder_certificate(stack)
    ack(cert, f"{F2}[example.org]")
    ack(cert, f"{F2}[changeme]")


@book.case("F2AckedWrittenValues")
def _(stack):
    for resource, found in _written_values(stack):
        for finding in found:
            ack(resource, f"{F2}[{finding}]")


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


def test_f2_other_placeholders_and_written_secrets_fire(fired):
    assert fired("F2BadWrittenValues", F2) == {
        f"{F2}[{finding}]"
        for finding in (
            "password123",
            "MasterUserPassword",
            "Password",
            "AuthToken",
            "your-domain",
            "your-email",
            "your-account",
            "replaceme",
            "example.net",
        )
    }


def test_f2_each_finding_acknowledged(fired):
    for case in ("F2AckedSecret", "F2AckedCertificate", "F2AckedWrittenValues"):
        assert fired(case, F2) == set(), case


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


def _mangled_token(stack):
    # String surgery on a token ("the first label of the bucket name") leaves "${Token[TOKEN" behind.
    bucket = s3.Bucket(stack, "Content")
    return ssm.CfnParameter(stack, "Prefix", type="String", value=bucket.bucket_name.split(".")[0])


def _unknown_environment(stack):
    # In an environment-agnostic stack, Stack.environment is "aws://unknown-account/unknown-region".
    return ssm.CfnParameter(stack, "Environment", type="String", value=stack.environment)


@book.case("F5BadUnresolvedToken")
def _(stack):
    _mangled_token(stack)


@book.case("F5BadUnknownEnv", region=None)
def _(stack):
    _unknown_environment(stack)


@book.case("F5Acked")
def _(stack):
    vpc = _vpc(stack, max_azs=2)
    ack(vpc, f"{F5}[dummy1a]")
    ack(vpc, f"{F5}[dummy1b]")


@book.case("F5AckedUnresolvedToken")
def _(stack):
    ack(_mangled_token(stack), f"{F5}[UnresolvedToken]")


@book.case("F5AckedUnknownEnv", region=None)
def _(stack):
    ack(_unknown_environment(stack), f"{F5}[UnknownEnv]")


def test_f5_configured_availability_zones_are_compliant(fired):
    assert fired("F5Good", F5) == set()


def test_f5_dummy_availability_zones_fire(fired):
    assert fired("F5Bad", F5) == {f"{F5}[dummy1a]", f"{F5}[dummy1b]"}


def test_f5_acknowledged(fired):
    assert fired("F5Acked", F5) == set()


def test_f5_unresolved_token_and_unknown_environment_fire(fired):
    assert fired("F5BadUnresolvedToken", F5) == {f"{F5}[UnresolvedToken]"}
    assert fired("F5BadUnknownEnv", F5) == {f"{F5}[UnknownEnv]"}


def test_f5_unresolved_token_and_unknown_environment_acknowledged(fired):
    assert fired("F5AckedUnresolvedToken", F5) == set()
    assert fired("F5AckedUnknownEnv", F5) == set()


def test_compliant_cases_are_clean_for_every_rule(fired):
    assert fired.dirty_compliant_cases() == {}


def test_every_finding_has_an_acknowledged_case(fired):
    for rule in (D14, F2, F5):
        assert fired.without_acknowledged_case(rule) == set()
