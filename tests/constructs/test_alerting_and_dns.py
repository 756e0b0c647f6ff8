"""AlertTopic, RegionalAlarms and the DNS pieces alone, per option."""

from __future__ import annotations

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_elasticloadbalancingv2 as elbv2

from tests.constructs.conftest import bucket_in, fresh_stack, key_in, only_one, props_of, resources, vpc_in
from webstack.constructs.dns import SiteRecords, dns_validated_certificate, hosted_zone
from webstack.constructs.observability import AlertTopic


def test_alert_topic_with_its_own_key_and_subscribers(stack):
    alerts = AlertTopic(stack, "Alerts", emails=["oncall@webstack-test.net"], removal_policy=RemovalPolicy.DESTROY)
    topics = resources(stack, "AWS::SNS::Topic")
    assert len(topics) == 2, "a paging topic and an events topic"
    assert all("KmsMasterKeyId" in t["Properties"] for t in topics.values())
    assert len(resources(stack, "AWS::KMS::Key")) == 1, "its own CMK when none is given (never aws/sns: D10)"
    subscription = only_one(resources(stack, "AWS::SNS::Subscription"))["Properties"]
    assert subscription["Protocol"] == "email"
    assert subscription["Endpoint"] == "oncall@webstack-test.net"
    assert subscription["TopicArn"] == {"Ref": stack.get_logical_id(alerts.topic.node.default_child)}


def test_alert_topic_uses_the_key_it_is_given_and_no_subscribers_without_emails(stack):
    AlertTopic(stack, "Alerts", emails=[], removal_policy=RemovalPolicy.DESTROY, key=key_in(stack))
    assert len(resources(stack, "AWS::KMS::Key")) == 1
    assert resources(stack, "AWS::SNS::Subscription") == {}


def _distribution(stack: Stack) -> cloudfront.Distribution:
    return cloudfront.Distribution(
        stack,
        "Distribution",
        default_behavior=cloudfront.BehaviorOptions(
            origin=origins.S3BucketOrigin.with_origin_access_control(bucket_in(stack))
        ),
    )


def test_site_records_alias_every_name_on_ipv4_and_ipv6():
    stack = fresh_stack()
    zone = hosted_zone(stack, "Zone", zone_id="Z0123456789ABCDEFGHIJ", zone_name="webstack-test.net")
    SiteRecords(
        stack,
        "Dns",
        zone=zone,
        site_names=["webstack-test.net", "www.webstack-test.net"],
        distribution=_distribution(stack),
    )
    records = sorted((p["Name"], p["Type"]) for p in props_of(resources(stack, "AWS::Route53::RecordSet")))
    assert records == [
        ("webstack-test.net.", "A"),
        ("webstack-test.net.", "AAAA"),
        ("www.webstack-test.net.", "A"),
        ("www.webstack-test.net.", "AAAA"),
    ]


def test_origin_record_points_at_the_load_balancer():
    stack = fresh_stack()
    zone = hosted_zone(stack, "Zone", zone_id="Z0123456789ABCDEFGHIJ", zone_name="webstack-test.net")
    alb = elbv2.ApplicationLoadBalancer(stack, "Alb", vpc=vpc_in(stack), internet_facing=True)
    SiteRecords(
        stack,
        "Dns",
        zone=zone,
        site_names=["www.webstack-test.net"],
        distribution=_distribution(stack),
        origin_name="origin.webstack-test.net",
        load_balancer=alb,
    )
    (origin,) = [p for p in props_of(resources(stack, "AWS::Route53::RecordSet")) if p["Name"].startswith("origin.")]
    assert origin["Type"] == "A"
    assert "DNSName" in origin["AliasTarget"]


def test_certificate_is_dns_validated_in_the_zone_with_every_name(stack):
    zone = hosted_zone(stack, "Zone", zone_id="Z0123456789ABCDEFGHIJ", zone_name="webstack-test.net")
    dns_validated_certificate(stack, "Cert", zone=zone, names=["www.webstack-test.net", "webstack-test.net"])
    cert = only_one(resources(stack, "AWS::CertificateManager::Certificate"))["Properties"]
    assert cert["DomainName"] == "www.webstack-test.net"
    assert cert["SubjectAlternativeNames"] == ["webstack-test.net"]
    assert cert["ValidationMethod"] == "DNS"
    assert {o["HostedZoneId"] for o in cert["DomainValidationOptions"]} == {"Z0123456789ABCDEFGHIJ"}
