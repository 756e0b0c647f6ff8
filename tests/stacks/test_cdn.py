"""CloudFront: OAC for the bucket, /api/* to the ALB, security headers, logging."""

from __future__ import annotations

from tests.synth import only, ref_id

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
    assert ref_id(default["CachePolicyId"]).startswith("CdnHtmlCache")
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
    policies = each_env.web.find_resources("AWS::CloudFront::ResponseHeadersPolicy")
    assert len(policies) == 2
    policy_id = next(k for k in policies if k.startswith("CdnSecurityHeaders"))
    immutable_id = next(k for k in policies if k.startswith("CdnImmutableHeaders"))
    # Both carry the same security headers.
    assert (
        policies[policy_id]["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
        == policies[immutable_id]["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    )
    headers = policies[policy_id]["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    hsts = headers["StrictTransportSecurity"]
    assert hsts["AccessControlMaxAgeSec"] >= 31536000 and hsts["IncludeSubdomains"] and hsts["Preload"]
    assert headers["ContentTypeOptions"]["Override"] is True
    assert headers["FrameOptions"]["FrameOption"] == "DENY"
    assert headers["ReferrerPolicy"]["ReferrerPolicy"] == "strict-origin-when-cross-origin"
    assert "default-src 'self'" in headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    config = _config(each_env)
    for behaviour in [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]:
        expected = immutable_id if behaviour.get("PathPattern") in each_env.config.cdn.immutable_paths else policy_id
        assert ref_id(behaviour["ResponseHeadersPolicyId"]) == expected


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
        p
        for p in dev.web.find_resources("AWS::S3::BucketPolicy").values()
        if ref_id(p["Properties"]["Bucket"]).startswith("StorageContent")
    ]
    statements = [s for p in content_policies for s in p["Properties"]["PolicyDocument"]["Statement"]]
    (cloudfront,) = [s for s in statements if s.get("Principal") == {"Service": "cloudfront.amazonaws.com"}]
    assert cloudfront["Action"] == "s3:GetObject"
    source_arn = cloudfront["Condition"]["StringEquals"]["AWS:SourceArn"]
    assert "CdnDistribution" in str(source_arn)


def test_geo_restriction_from_config(dev):
    assert "Restrictions" not in _config(dev)
    from tests.synth import synthesize

    restricted = synthesize("dev", {"geo_allowlist": ["US", "CA"]})
    geo = _config(restricted)["Restrictions"]["GeoRestriction"]
    assert geo == {"Locations": ["US", "CA"], "RestrictionType": "whitelist"}


def _cache_policy(env, prefix):
    return only(
        {k: v for k, v in env.web.find_resources("AWS::CloudFront::CachePolicy").items() if k.startswith(prefix)}
    )[1]["Properties"]["CachePolicyConfig"]


def test_cache_design_per_path_type(each_env):
    tuning = each_env.config.cdn
    config = _config(each_env)
    html = _cache_policy(each_env, "CdnHtmlCache")
    assert html["DefaultTTL"] == tuning.html_ttl_seconds and html["MinTTL"] == 0
    immutable = _cache_policy(each_env, "CdnImmutableCache")
    year = tuning.immutable_ttl_days * 86400
    assert immutable["DefaultTTL"] == immutable["MinTTL"] == immutable["MaxTTL"] == year
    for policy in (html, immutable):
        params = policy["ParametersInCacheKeyAndForwardedToOrigin"]
        assert params["EnableAcceptEncodingGzip"] is True and params["EnableAcceptEncodingBrotli"] is True
        assert params["CookiesConfig"]["CookieBehavior"] == "none"
        assert params["QueryStringsConfig"]["QueryStringBehavior"] == "none"
    by_path = {b["PathPattern"]: b for b in config["CacheBehaviors"]}
    for path in tuning.immutable_paths:
        assert ref_id(by_path[path]["CachePolicyId"]).startswith("CdnImmutableCache")
        assert by_path[path]["TargetOriginId"] == config["DefaultCacheBehavior"]["TargetOriginId"]
    assert by_path["/api/*"]["CachePolicyId"] == CACHING_DISABLED
    _, immutable_headers = only(
        {
            k: v
            for k, v in each_env.web.find_resources("AWS::CloudFront::ResponseHeadersPolicy").items()
            if k.startswith("CdnImmutable")
        }
    )
    (header,) = immutable_headers["Properties"]["ResponseHeadersPolicyConfig"]["CustomHeadersConfig"]["Items"]
    assert header == {"Header": "Cache-Control", "Override": True, "Value": f"public, max-age={year}, immutable"}


def test_error_caching(each_env):
    errors = {e["ErrorCode"]: e["ErrorCachingMinTTL"] for e in _config(each_env)["CustomErrorResponses"]}
    seconds = each_env.config.cdn.error_caching_seconds
    assert errors == {
        404: seconds,
        500: min(5, seconds),
        502: min(5, seconds),
        503: min(5, seconds),
        504: min(5, seconds),
    }
    assert 403 not in errors


def test_origin_shield_in_the_app_region_for_prod(synth):
    prod, dev = synth("prod"), synth("dev")
    for origin in _config(prod)["Origins"]:
        assert origin["OriginShield"] == {"Enabled": True, "OriginShieldRegion": prod.config.region}
    for origin in _config(dev)["Origins"]:
        assert "OriginShield" not in origin
