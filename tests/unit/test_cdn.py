"""CloudFront: OAC for the bucket, /api/* to the ALB, security headers, logging."""

from __future__ import annotations

from tests.unit.conftest import only, ref_id

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"


def _config(synth):
    return only(synth.web.find_resources("AWS::CloudFront::Distribution"))[1]["Properties"]["DistributionConfig"]


def test_default_behaviour_is_the_bucket_through_oac(each_env):
    config = _config(each_env)
    origins = {o["Id"]: o for o in config["Origins"]}
    default = config["DefaultCacheBehavior"]
    s3_origin = origins[default["TargetOriginId"]]
    assert ref_id(s3_origin["DomainName"]).startswith("StorageContent")
    assert s3_origin["S3OriginConfig"]["OriginAccessIdentity"] == ""
    assert ref_id(s3_origin["OriginAccessControlId"]).startswith("Cdn")
    each_env.web.resource_count_is("AWS::CloudFront::CloudFrontOriginAccessIdentity", 0)
    _, oac = only(each_env.web.find_resources("AWS::CloudFront::OriginAccessControl"))
    assert oac["Properties"]["OriginAccessControlConfig"]["SigningBehavior"] == "always"
    assert default["ViewerProtocolPolicy"] == "redirect-to-https"
    assert default["CachePolicyId"] == CACHING_OPTIMIZED
    assert default["Compress"] is True


def test_api_paths_go_to_the_alb_uncached(each_env):
    config = _config(each_env)
    origins = {o["Id"]: o for o in config["Origins"]}
    (api,) = [b for b in config["CacheBehaviors"] if b["PathPattern"] == "/api/*"]
    alb_origin = origins[api["TargetOriginId"]]
    assert ref_id(alb_origin["DomainName"]).startswith("WebTierAlb")
    assert api["CachePolicyId"] == CACHING_DISABLED
    assert api["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST
    assert set(api["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
    assert api["ViewerProtocolPolicy"] == "redirect-to-https"


def test_security_headers_policy_on_every_behaviour(each_env):
    policy_id, policy = only(each_env.web.find_resources("AWS::CloudFront::ResponseHeadersPolicy"))
    headers = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    hsts = headers["StrictTransportSecurity"]
    assert hsts["AccessControlMaxAgeSec"] >= 31536000 and hsts["IncludeSubdomains"] and hsts["Preload"]
    assert headers["ContentTypeOptions"]["Override"] is True
    assert headers["FrameOptions"]["FrameOption"] == "DENY"
    assert headers["ReferrerPolicy"]["ReferrerPolicy"] == "strict-origin-when-cross-origin"
    assert "default-src 'self'" in headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    config = _config(each_env)
    for behaviour in [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]:
        assert ref_id(behaviour["ResponseHeadersPolicyId"]) == policy_id


def test_protocols_logging_and_price_class(each_env):
    config = _config(each_env)
    assert config["HttpVersion"] == "http2and3"
    assert config["IPV6Enabled"] is True
    assert config["Enabled"] is True
    assert config["DefaultRootObject"] == "index.html"
    assert ref_id(config["Logging"]["Bucket"]).startswith("StorageCdnLogs")
    assert config["PriceClass"] == each_env.config.price_class


def test_content_bucket_policy_admits_only_this_distribution(dev):
    content_policies = [
        p for p in dev.web.find_resources("AWS::S3::BucketPolicy").values()
        if ref_id(p["Properties"]["Bucket"]).startswith("StorageContent")
    ]
    statements = [s for p in content_policies for s in p["Properties"]["PolicyDocument"]["Statement"]]
    (cloudfront,) = [s for s in statements if s.get("Principal") == {"Service": "cloudfront.amazonaws.com"}]
    assert cloudfront["Action"] == "s3:GetObject"
    source_arn = cloudfront["Condition"]["StringEquals"]["AWS:SourceArn"]
    assert "CdnDistribution" in str(source_arn)


def test_geo_restriction_from_config(dev):
    assert "Restrictions" not in _config(dev)
    from tests.unit.conftest import synthesize

    restricted = synthesize("dev", {"geo_allowlist": ["US", "CA"]})
    geo = _config(restricted)["Restrictions"]["GeoRestriction"]
    assert geo == {"Locations": ["US", "CA"], "RestrictionType": "whitelist"}
