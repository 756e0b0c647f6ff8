"""CloudFront: the distribution named by CloudFrontDistributionId."""

from __future__ import annotations

import pytest

from .helpers import distribution_config

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # AWS managed cache policy "CachingDisabled"


@pytest.fixture(scope="module")
def distribution(aws, outputs) -> dict:
    return distribution_config(aws, outputs["CloudFrontDistributionId"])


@pytest.fixture(scope="module")
def config(distribution) -> dict:
    return distribution["DistributionConfig"]


def _origins(config) -> list[dict]:
    return config["Origins"]["Items"]


def _behaviours(config) -> list[dict]:
    return [config["DefaultCacheBehavior"], *config.get("CacheBehaviors", {}).get("Items", [])]


def test_domain_name_matches_output(distribution, outputs):
    assert distribution["DomainName"] == outputs["CloudFrontDomainName"]
    assert outputs["SiteUrl"].startswith("https://")


def test_content_origin_uses_origin_access_control(aws, config, outputs):
    bucket = outputs["S3BucketName"]
    s3_origins = [o for o in _origins(config) if o["DomainName"].startswith(f"{bucket}.s3.")]
    assert len(s3_origins) == 1, [o["DomainName"] for o in _origins(config)]
    origin = s3_origins[0]
    assert origin.get("OriginAccessControlId"), "the S3 origin has no Origin Access Control"
    assert not origin.get("S3OriginConfig", {}).get("OriginAccessIdentity"), "legacy OAI in use"
    oac = aws("cloudfront", "us-east-1").get_origin_access_control(Id=origin["OriginAccessControlId"])
    oac_config = oac["OriginAccessControl"]["OriginAccessControlConfig"]
    assert oac_config["SigningBehavior"] == "always"
    assert oac_config["SigningProtocol"] == "sigv4"
    assert oac_config["OriginAccessControlOriginType"] == "s3"
    assert config["DefaultCacheBehavior"]["TargetOriginId"] == origin["Id"]


def test_logs_to_cdn_log_bucket(config, outputs):
    logging = config["Logging"]
    assert logging["Enabled"] is True
    assert logging["Bucket"].startswith(f"{outputs['CdnLogBucketName']}.s3."), logging["Bucket"]


def test_default_behaviour_has_response_headers_policy(config):
    assert config["DefaultCacheBehavior"].get("ResponseHeadersPolicyId")


def test_api_behaviour_goes_to_load_balancer_uncached(config, outputs):
    api = [b for b in config.get("CacheBehaviors", {}).get("Items", []) if b["PathPattern"] == "/api/*"]
    assert len(api) == 1, "no /api/* behaviour"
    origin = next(o for o in _origins(config) if o["Id"] == api[0]["TargetOriginId"])
    if origin.get("VpcOriginConfig"):
        # origin.private: through a CloudFront VPC origin to the internal ALB.
        assert "CustomOriginConfig" not in origin
        assert origin["DomainName"].lower() == outputs["LoadBalancerDNS"].lower()
        assert api[0]["CachePolicyId"] == CACHING_DISABLED
        return
    assert "CustomOriginConfig" in origin
    if "SiteCertificateArn" in outputs:
        # With a custom domain CloudFront reaches the ALB by its own name, over HTTPS.
        assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    else:
        assert origin["DomainName"].lower() == outputs["LoadBalancerDNS"].lower()
    assert api[0]["CachePolicyId"] == CACHING_DISABLED


def test_viewers_redirected_to_https(config):
    assert {b.get("PathPattern", "default"): b["ViewerProtocolPolicy"] for b in _behaviours(config)} == {
        b.get("PathPattern", "default"): "redirect-to-https" for b in _behaviours(config)
    }


def test_http2_and_http3(config):
    assert config["HttpVersion"] == "http2and3"


def test_web_acl_attached_when_waf_enabled(config, outputs):
    if "CloudFrontWebAclArn" not in outputs:
        pytest.skip("this environment deploys no web ACL (no CloudFrontWebAclArn output)")
    assert config["WebACLId"] == outputs["CloudFrontWebAclArn"]
