"""D3 WAF scope, D4 ACM certificates, D5 CloudFront alarms, D10 alarm topics."""

import aws_cdk as cdk
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_sns as sns
from aws_cdk import aws_wafv2 as wafv2

from .conftest import CaseBook, ack, module_results

book = CaseBook()
fired = module_results(book)
US_EAST_1 = "us-east-1"


# -- D3 -----------------------------------------------------------------------


def _web_acl(stack, scope="CLOUDFRONT"):
    return wafv2.CfnWebACL(
        stack,
        "WebAcl",
        scope=scope,
        default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
        visibility_config=wafv2.CfnWebACL.VisibilityConfigProperty(
            cloud_watch_metrics_enabled=True, metric_name="webacl", sampled_requests_enabled=True
        ),
    )


@book.case("D3Good", region=US_EAST_1)
def _(stack):
    _web_acl(stack)


@book.case("D3GoodRegional")
def _(stack):
    _web_acl(stack, scope="REGIONAL")


@book.case("D3Bad")
def _(stack):
    _web_acl(stack)


@book.case("D3BadAgnostic", region=None)
def _(stack):
    _web_acl(stack)


@book.case("D3Acked")
def _(stack):
    ack(_web_acl(stack), "Webstack-D3[Region]")


def _distribution_in_sibling_stack(stack, **kwargs):
    """A eu-west-1 web stack next to the us-east-1 case stack (two stacks, one case)."""
    web = cdk.Stack(
        stack.node.scope,
        stack.node.id + "Web",
        env=cdk.Environment(account=stack.account, region="eu-west-1"),
        cross_region_references=True,
    )
    return cloudfront.Distribution(
        web,
        "Cdn",
        default_behavior=cloudfront.BehaviorOptions(origin=origins.HttpOrigin("origin.webstack.dev")),
        **kwargs,
    )


@book.case("D3BadCrossRegion", region=US_EAST_1)
def _(stack):
    acl = _web_acl(stack)
    _distribution_in_sibling_stack(stack, web_acl_id=acl.attr_arn)


def test_d3_cross_region_strong_reference_fires(fired):
    (finding,) = fired.findings_by_stack["D3BadCrossRegionWeb"]
    assert (finding.rule_id, finding.path) == ("Webstack-D3[CrossRegionReference]", "D3BadCrossRegionWeb/Cdn/Resource")


def test_d3_cloudfront_acl_in_us_east_1_is_compliant(fired):
    assert fired("D3Good", "Webstack-D3") == set()
    assert fired("D3GoodRegional", "Webstack-D3") == set()


def test_d3_cloudfront_acl_elsewhere_fires(fired):
    assert fired("D3Bad", "Webstack-D3") == {"Webstack-D3[Region]"}


def test_d3_cloudfront_acl_in_env_agnostic_stack_fires(fired):
    assert fired("D3BadAgnostic", "Webstack-D3") == {"Webstack-D3[RegionUnknown]"}


def test_d3_acknowledged(fired):
    assert fired("D3Acked", "Webstack-D3") == set()


# -- D4 -----------------------------------------------------------------------

DOMAIN = "shop.webstack.dev"


def _site(stack, *, validation="zone"):
    zone = route53.HostedZone(stack, "Zone", zone_name="webstack.dev")
    validation = {
        "zone": acm.CertificateValidation.from_dns(zone),
        "dns": acm.CertificateValidation.from_dns(),
        "default": None,  # acm.Certificate defaults to EMAIL validation
    }[validation]
    cert = acm.Certificate(stack, "Cert", domain_name=DOMAIN, validation=validation)
    cloudfront.Distribution(
        stack,
        "Cdn",
        default_behavior=cloudfront.BehaviorOptions(origin=origins.HttpOrigin("origin.webstack.dev")),
        domain_names=[DOMAIN],
        certificate=cert,
    )
    return cert


@book.case("D4Good", region=US_EAST_1)
def _(stack):
    _site(stack)


@book.case("D4BadRegion")
def _(stack):
    _site(stack)


@book.case("D4BadDnsValidation", region=US_EAST_1)
def _(stack):
    _site(stack, validation="dns")


@book.case("D4BadEmailValidation", region=US_EAST_1)
def _(stack):
    _site(stack, validation="default")


@book.case("D4Acked")
def _(stack):
    ack(_site(stack), "Webstack-D4[Region]")


def test_d4_us_east_1_certificate_validated_in_zone_is_compliant(fired):
    assert fired("D4Good", "Webstack-D4") == set()


def test_d4_cloudfront_certificate_outside_us_east_1_fires(fired):
    assert fired("D4BadRegion", "Webstack-D4") == {"Webstack-D4[Region]"}


def test_d4_dns_validation_without_hosted_zone_fires(fired):
    assert fired("D4BadDnsValidation", "Webstack-D4") == {"Webstack-D4[DnsValidation]"}


def test_d4_email_validation_fires(fired):
    assert fired("D4BadEmailValidation", "Webstack-D4") == {"Webstack-D4[EmailValidation]"}


def test_d4_acknowledged(fired):
    assert fired("D4Acked", "Webstack-D4") == set()


# -- D5 -----------------------------------------------------------------------


def _cloudfront_alarm(stack):
    metric = cloudwatch.Metric(
        namespace="AWS/CloudFront",
        metric_name="5xxErrorRate",
        dimensions_map={"DistributionId": "E2EXAMPLE0000", "Region": "Global"},
    )
    return metric.create_alarm(stack, "Errors", threshold=5, evaluation_periods=3)


@book.case("D5Good", region=US_EAST_1)
def _(stack):
    _cloudfront_alarm(stack)


@book.case("D5Bad")
def _(stack):
    _cloudfront_alarm(stack)


@book.case("D5Acked")
def _(stack):
    ack(_cloudfront_alarm(stack), "Webstack-D5[Region]")


def test_d5_cloudfront_alarm_in_us_east_1_is_compliant(fired):
    assert fired("D5Good", "Webstack-D5") == set()


def test_d5_cloudfront_alarm_elsewhere_fires(fired):
    assert fired("D5Bad", "Webstack-D5") == {"Webstack-D5[Region]"}


def test_d5_acknowledged(fired):
    assert fired("D5Acked", "Webstack-D5") == set()


# -- D10 ----------------------------------------------------------------------


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
    ack(topic, "Webstack-D10[NoKey]")


def test_d10_topic_with_cmk_granting_cloudwatch_is_compliant(fired):
    assert fired("D10Good", "Webstack-D10") == set()


def test_d10_unencrypted_topic_fires(fired):
    assert fired("D10BadNoKey", "Webstack-D10") == {"Webstack-D10[NoKey]"}


def test_d10_aws_managed_sns_key_fires(fired):
    assert fired("D10BadAwsManaged", "Webstack-D10") == {"Webstack-D10[AwsManagedKey]"}


def test_d10_cmk_without_cloudwatch_grant_fires(fired):
    assert fired("D10BadKeyPolicy", "Webstack-D10") == {"Webstack-D10[KeyPolicy]"}


def test_d10_acknowledged(fired):
    assert fired("D10Acked", "Webstack-D10") == set()


def test_compliant_cases_are_clean_for_every_rule(fired):
    dirty = {c: fired.by_stack.get(c) for c in fired.cases if "Good" in c and fired.by_stack.get(c)}
    assert dirty == {}
