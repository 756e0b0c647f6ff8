"""The full prod set with a custom domain and WAF, deployed in order into an
emulator of its own: web ACL on the distribution with the configured rules,
us-east-1 certificate covering the aliases, ALB reachable only from
CloudFront, HTTP redirected to HTTPS, origin-verify header rule.

Local only: it creates the hosted zone the domain needs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.synth import config_of
from webstack_emulator import start, stop
from webstack_emulator.server import free_port
from webstack_tools import local_pager
from webstack_tools.assembly import CloudAssembly
from webstack_tools.cdk import synth
from webstack_tools.deploy import bootstrap, deploy, emulator_target

from .conftest import TARGET, client_factory
from .helpers import deadline, load_balancer

pytestmark = pytest.mark.skipif(TARGET == "aws", reason="creates a hosted zone and a whole environment: emulator only")

ZONE = "shop.io"
SITE_NAMES = ["www.shop.io", "shop.io"]
ORIGIN = "origin.shop.io"


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, str], Any]]:
    work = tmp_path_factory.mktemp("edge")
    info = start(work / "emulator", port=free_port())
    try:
        target = emulator_target(info.endpoint)
        aws = client_factory(info.endpoint, "us-west-2")
        zone_id = aws("route53").create_hosted_zone(Name=ZONE, CallerReference="webstack-edge-test")["HostedZone"]["Id"]
        config = work / "prod-domain.json"
        domain = {
            "domain": {
                "hosted_zone_id": zone_id.split("/")[-1],
                "zone_name": ZONE,
                "site_names": SITE_NAMES,
                "origin_name": ORIGIN,
            }
        }
        config.write_text(json.dumps(local_pager.completed("prod", domain)))
        assembly = work / "cdk.out"
        assert synth("prod", assembly, str(config)) == 0
        stacks = CloudAssembly.read(assembly)
        assert [s.name for s in stacks] == [
            "webstack-prod-edge",
            "webstack-prod-web",
            "webstack-prod-edge-monitoring",
        ]
        with deadline(120, assembly):
            bootstrap(target, stacks)  # us-east-1 and us-west-2
            outputs = deploy(target, stacks, work / "cfn-outputs")
        yield outputs, aws
    finally:
        stop(work / "emulator")


def test_web_acl_attached_with_configured_rules(edge):
    outputs, aws = edge
    dist = aws("cloudfront", "us-east-1").get_distribution(Id=outputs["CloudFrontDistributionId"])["Distribution"]
    assert dist["DistributionConfig"]["WebACLId"] == outputs["CloudFrontWebAclArn"]
    arn = outputs["CloudFrontWebAclArn"]
    assert arn.startswith("arn:aws:wafv2:us-east-1:") and ":global/webacl/" in arn
    name, acl_id = arn.split("/")[-2:]
    acl = aws("wafv2", "us-east-1").get_web_acl(Name=name, Scope="CLOUDFRONT", Id=acl_id)["WebACL"]
    rules = {r["Name"] for r in acl["Rules"]}
    expected = {"RateLimitPerIp"} | {g.name for g in config_of("prod").waf.managed_rule_groups}
    assert rules == expected
    assert all(r["VisibilityConfig"]["CloudWatchMetricsEnabled"] for r in acl["Rules"])


def test_certificate_in_us_east_1_covers_the_aliases(edge):
    outputs, aws = edge
    arn = outputs["SiteCertificateArn"]
    assert arn.startswith("arn:aws:acm:us-east-1:")
    cert = aws("acm", "us-east-1").describe_certificate(CertificateArn=arn)["Certificate"]
    assert cert["DomainName"] == SITE_NAMES[0]
    assert set(SITE_NAMES) <= set(cert["SubjectAlternativeNames"])
    assert cert["Status"] == "ISSUED"
    dist = aws("cloudfront", "us-east-1").get_distribution(Id=outputs["CloudFrontDistributionId"])["Distribution"]
    config = dist["DistributionConfig"]
    assert config["ViewerCertificate"]["ACMCertificateArn"] == arn
    assert config["ViewerCertificate"]["MinimumProtocolVersion"] == "TLSv1.2_2021"
    assert sorted(config["Aliases"]["Items"]) == sorted(SITE_NAMES)


def test_alb_admits_only_cloudfront_and_redirects_http(edge):
    outputs, aws = edge
    elbv2 = aws("elbv2", "us-west-2")
    lb = load_balancer(aws, outputs["LoadBalancerDNS"])
    groups = aws("ec2", "us-west-2").describe_security_groups(GroupIds=lb["SecurityGroups"])["SecurityGroups"]
    for group in groups:
        for permission in group["IpPermissions"]:
            assert not permission.get("IpRanges") and not permission.get("Ipv6Ranges"), group["GroupId"]
            assert [p["PrefixListId"] for p in permission["PrefixListIds"]] == ["pl-82a045eb"]
        # One port per group (the prefix list counts ~55 rules against the quota).
        assert len(group["IpPermissions"]) == 1
    listeners = {
        listener["Port"]: listener
        for listener in elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
    }
    assert set(listeners) == {80, 443}
    redirect = listeners[80]["DefaultActions"][0]
    assert redirect["Type"] == "redirect"
    assert redirect["RedirectConfig"]["Protocol"] == "HTTPS" and redirect["RedirectConfig"]["Port"] == "443"
    https = listeners[443]
    assert https["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert https["DefaultActions"][0]["FixedResponseConfig"]["StatusCode"] == "403"
    rules = [r for r in elbv2.describe_rules(ListenerArn=https["ListenerArn"])["Rules"] if not r["IsDefault"]]
    (rule,) = rules
    assert rule["Conditions"][0]["HttpHeaderConfig"]["HttpHeaderName"] == "X-Origin-Verify"
    assert rule["Actions"][0]["Type"] == "forward"


def test_cloudfront_talks_https_to_the_origin_name(edge):
    outputs, aws = edge
    dist = aws("cloudfront", "us-east-1").get_distribution(Id=outputs["CloudFrontDistributionId"])["Distribution"]
    origins = dist["DistributionConfig"]["Origins"]["Items"]
    alb_origin = next(o for o in origins if o["DomainName"] == ORIGIN)
    # prod's origin is private: through a VPC origin whose protocol policy is HTTPS, checked against
    # ORIGIN, the name of the ALB's certificate (the VPC origin itself has no boto3 API locally).
    assert alb_origin["VpcOriginConfig"]["VpcOriginId"]
    template = aws("cloudformation", "us-west-2").get_template(StackName="webstack-prod-web")["TemplateBody"]
    template = template if isinstance(template, dict) else json.loads(template)
    (vpc_origin,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::CloudFront::VpcOrigin"]
    assert vpc_origin["Properties"]["VpcOriginEndpointConfig"]["OriginProtocolPolicy"] == "https-only"
    records = aws("route53").list_resource_record_sets(
        HostedZoneId=next(
            z["Id"] for z in aws("route53").list_hosted_zones()["HostedZones"] if z["Name"].rstrip(".") == ZONE
        )
    )["ResourceRecordSets"]
    names = {(r["Name"].rstrip("."), r["Type"]) for r in records}
    for name in SITE_NAMES:
        assert (name, "A") in names and (name, "AAAA") in names
    assert (ORIGIN, "A") in names
