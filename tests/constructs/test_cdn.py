"""Cdn alone: one fresh stack per option (HTTPS origin, certificate, origin headers, shield, geo, WAF)."""

from __future__ import annotations

from typing import Any

from aws_cdk import Stack
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_s3 as s3

from tests.constructs.conftest import bucket_in, key_in, only_one, resources, vpc_in
from webstack.config import CdnTuning
from webstack.constructs.cdn import Cdn

CERT_ARN = "arn:aws:acm:us-east-1:111111111111:certificate/0b5b8b8e-1111-2222-3333-444455556666"
WEB_ACL_ARN = "arn:aws:wafv2:us-east-1:111111111111:global/webacl/cdn/a1b2c3d4-1111-2222-3333-444455556666"


def cdn(stack: Stack, **options: Any) -> Cdn:
    content = bucket_in(stack, "Content", encryption=s3.BucketEncryption.KMS, encryption_key=key_in(stack))
    logs = bucket_in(stack, "Logs", object_ownership=s3.ObjectOwnership.OBJECT_WRITER)
    alb = elbv2.ApplicationLoadBalancer(stack, "Alb", vpc=vpc_in(stack), internet_facing=True)
    defaults: dict[str, Any] = {"price_class": "PriceClass_100", "tuning": CdnTuning()}
    return Cdn(stack, "Cdn", content_bucket=content, load_balancer=alb, log_bucket=logs, **{**defaults, **options})


def config_of(stack: Stack) -> dict[str, Any]:
    return only_one(resources(stack, "AWS::CloudFront::Distribution"))["Properties"]["DistributionConfig"]


def alb_origin(stack: Stack) -> dict[str, Any]:
    (origin,) = [o for o in config_of(stack)["Origins"] if "CustomOriginConfig" in o]
    return origin


def test_bucket_through_oac_and_alb_over_http_by_default(stack):
    cdn(stack)
    s3_origin = next(o for o in config_of(stack)["Origins"] if "S3OriginConfig" in o)
    assert "OriginAccessControlId" in s3_origin
    assert s3_origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}, "no OAI on an SSE-KMS bucket (D2)"
    assert alb_origin(stack)["CustomOriginConfig"]["OriginProtocolPolicy"] == "http-only"
    assert "Aliases" not in config_of(stack)
    assert "WebACLId" not in config_of(stack)


def test_https_origin_by_name_with_tls_1_2(stack):
    cdn(stack, alb_origin_name="origin.webstack-test.net")
    origin = alb_origin(stack)
    assert origin["DomainName"] == "origin.webstack-test.net"
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert origin["CustomOriginConfig"]["OriginSSLProtocols"] == ["TLSv1.2"]


def test_certificate_sets_aliases_and_modern_tls(stack):
    cdn(stack, certificate_arn=CERT_ARN, domain_names=["www.webstack-test.net"])
    config = config_of(stack)
    assert config["Aliases"] == ["www.webstack-test.net"]
    assert config["ViewerCertificate"]["MinimumProtocolVersion"] == "TLSv1.2_2021"
    assert config["ViewerCertificate"]["SslSupportMethod"] == "sni-only"


def test_origin_headers_reach_the_alb_origin_only(stack):
    cdn(stack, origin_headers={"X-Origin-Verify": "{{resolve:test}}"})
    assert alb_origin(stack)["OriginCustomHeaders"] == [
        {"HeaderName": "X-Origin-Verify", "HeaderValue": "{{resolve:test}}"}
    ]
    s3_origin = next(o for o in config_of(stack)["Origins"] if "S3OriginConfig" in o)
    assert "OriginCustomHeaders" not in s3_origin


def test_origin_shield_in_the_origin_region(stack):
    cdn(stack, tuning=CdnTuning(origin_shield=True), origin_region="us-west-2")
    for origin in config_of(stack)["Origins"]:
        assert origin["OriginShield"] == {"Enabled": True, "OriginShieldRegion": "us-west-2"}


def test_no_origin_shield_unless_asked(stack):
    cdn(stack)
    assert all("OriginShield" not in o for o in config_of(stack)["Origins"])


def test_geo_allowlist(stack):
    cdn(stack, geo_allowlist=["US", "CA"])
    assert config_of(stack)["Restrictions"]["GeoRestriction"] == {
        "Locations": ["US", "CA"],
        "RestrictionType": "whitelist",
    }


def test_web_acl_attached_when_given(stack):
    cdn(stack, web_acl_arn=WEB_ACL_ARN)
    assert config_of(stack)["WebACLId"] == WEB_ACL_ARN


def test_behaviours_per_path_type(stack):
    cdn(stack, tuning=CdnTuning(immutable_paths=("/assets/*",), immutable_ttl_days=30, html_ttl_seconds=120))
    config = config_of(stack)
    paths = [b["PathPattern"] for b in config["CacheBehaviors"]]
    assert paths == ["/api/*", "/assets/*"], "the API behaviour is matched first"
    policies = {p["CachePolicyConfig"]["Name"]: p["CachePolicyConfig"] for p in _cache_policies(stack)}
    ttls = sorted((c["DefaultTTL"], c["MaxTTL"]) for c in policies.values())
    assert ttls == [(120, 1200), (30 * 86400, 30 * 86400)]
    api = config["CacheBehaviors"][0]
    assert api["AllowedMethods"] == ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"]
    # CachingDisabled, a managed policy.
    assert api["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"


def _cache_policies(stack: Stack) -> list[dict[str, Any]]:
    return [r["Properties"] for r in resources(stack, "AWS::CloudFront::CachePolicy").values()]


def test_error_caching(stack):
    cdn(stack, tuning=CdnTuning(error_caching_seconds=20))
    errors = {e["ErrorCode"]: e["ErrorCachingMinTTL"] for e in config_of(stack)["CustomErrorResponses"]}
    assert errors == {404: 20, 500: 5, 502: 5, 503: 5, 504: 5}, "403 is not cached: origin protection answers it"


def test_an_extension_pattern_never_catches_an_api_path(stack):
    """CloudFront takes the first behaviour whose pattern matches; /api/* is first."""
    import fnmatch

    cdn(stack, tuning=CdnTuning(immutable_paths=("*.js", "/assets/*")))
    behaviours = config_of(stack)["CacheBehaviors"]

    def origin_for(path: str) -> str:
        for behaviour in behaviours:
            if fnmatch.fnmatchcase(path, behaviour["PathPattern"]):
                return behaviour["TargetOriginId"]
        return config_of(stack)["DefaultCacheBehavior"]["TargetOriginId"]

    api_origin = next(b["TargetOriginId"] for b in behaviours if b["PathPattern"] == "/api/*")
    assert origin_for("/api/app.js") == api_origin
    assert origin_for("/bundle.js") != api_origin


def private_cdn(stack: Stack, **options: Any) -> Cdn:
    """Cdn with ``vpc_origin``: the ALB is internal, in the private subnets of a VPC with an internet gateway."""
    content = bucket_in(stack, "Content", encryption=s3.BucketEncryption.KMS, encryption_key=key_in(stack))
    logs = bucket_in(stack, "Logs", object_ownership=s3.ObjectOwnership.OBJECT_WRITER)
    alb = elbv2.ApplicationLoadBalancer(stack, "Alb", vpc=vpc_in(stack), internet_facing=False)
    defaults: dict[str, Any] = {"price_class": "PriceClass_100", "tuning": CdnTuning(), "vpc_origin": True}
    return Cdn(stack, "Cdn", content_bucket=content, load_balancer=alb, log_bucket=logs, **{**defaults, **options})


def _vpc_origin(stack: Stack) -> tuple[str, dict[str, Any]]:
    found = resources(stack, "AWS::CloudFront::VpcOrigin")
    assert len(found) == 1, found
    return next(iter(found.items()))


def test_vpc_origin_reaches_the_internal_alb_over_http_inside_the_vpc(stack):
    private_cdn(stack, origin_headers={"X-Origin-Verify": "value-from-a-secret"})
    origin_id, vpc_origin = _vpc_origin(stack)
    endpoint = vpc_origin["Properties"]["VpcOriginEndpointConfig"]
    assert endpoint["Arn"] == {"Ref": next(k for k in resources(stack, "AWS::ElasticLoadBalancingV2::LoadBalancer"))}
    assert endpoint["OriginProtocolPolicy"] == "http-only"
    (origin,) = [o for o in config_of(stack)["Origins"] if "VpcOriginConfig" in o]
    assert origin["VpcOriginConfig"]["VpcOriginId"] == {"Fn::GetAtt": [origin_id, "Id"]}
    assert "CustomOriginConfig" not in origin
    # The origin-verify header stays, defence in depth (the prefix list admits any VPC origin).
    assert origin["OriginCustomHeaders"] == [{"HeaderName": "X-Origin-Verify", "HeaderValue": "value-from-a-secret"}]


def test_vpc_origin_uses_https_with_the_albs_certificate_name(stack):
    private_cdn(stack, alb_origin_name="origin.webstack-test.net")
    _, vpc_origin = _vpc_origin(stack)
    endpoint = vpc_origin["Properties"]["VpcOriginEndpointConfig"]
    assert endpoint["OriginProtocolPolicy"] == "https-only"
    assert endpoint["OriginSSLProtocols"] == ["TLSv1.2"]
    (origin,) = [o for o in config_of(stack)["Origins"] if "VpcOriginConfig" in o]
    assert origin["DomainName"] == "origin.webstack-test.net"  # what CloudFront checks the certificate against


def test_vpc_origin_waits_for_the_internet_gateway_attachment(stack):
    private_cdn(stack)
    _, vpc_origin = _vpc_origin(stack)
    (attachment,) = resources(stack, "AWS::EC2::VPCGatewayAttachment")
    # Created after the attachment, deleted before it (pitfalls D22).
    assert attachment in vpc_origin.get("DependsOn", [])
