"""Edge security per configuration: WAF, custom domain + ACM, origin protection (D3, D4, D9)."""

from __future__ import annotations

import itertools
import json

import pytest

from tests.synth import config_of, only, ref_id, synthesize
from webstack.config import ConfigError, load_config

DOMAIN = {
    "hosted_zone_id": "Z0123456789ABCDEFGHIJ",
    "zone_name": "shop.io",
    "site_names": ["www.shop.io", "shop.io"],
    "origin_name": "origin.shop.io",
}

COMBINATIONS = [
    pytest.param(domain, waf, guard, id=f"domain={domain}-waf={waf}-protection={guard}")
    for domain, waf, guard in itertools.product([False, True], repeat=3)
]
_CACHE: dict = {}


def combo(domain: bool, waf: bool, guard: bool):
    key = (domain, waf, guard)
    if key not in _CACHE:
        overrides = {
            "waf": {"enabled": waf, "protect_alb": waf},
            "origin_protection": {"enabled": guard},
        }
        if domain:
            overrides["domain"] = DOMAIN
        _CACHE[key] = synthesize("staging", overrides)
    return _CACHE[key]


@pytest.mark.parametrize(("domain", "waf", "guard"), COMBINATIONS)
def test_every_combination(domain, waf, guard):
    env = combo(domain, waf, guard)
    stacks = env.stacks
    dist = only(env.web.find_resources("AWS::CloudFront::Distribution"))[1]["Properties"]["DistributionConfig"]

    # The edge stack exists exactly when something must live in us-east-1.
    assert (stacks.edge is not None) == (domain or waf)
    if stacks.edge is not None:
        assert stacks.edge.region == "us-east-1"
        assert stacks.edge in stacks.web.dependencies

    # WAF: CLOUDFRONT scope in the edge stack, attached by weak cross-region reference.
    if waf:
        _, acl = only(env.edge.find_resources("AWS::WAFv2::WebACL"))
        assert acl["Properties"]["Scope"] == "CLOUDFRONT"
        assert "Fn::GetStackOutput" in dist["WebACLId"]
        _, regional = only(env.web.find_resources("AWS::WAFv2::WebACL"))
        assert regional["Properties"]["Scope"] == "REGIONAL"
        env.web.resource_count_is("AWS::WAFv2::WebACLAssociation", 1)
    else:
        assert "WebACLId" not in dist
        env.web.resource_count_is("AWS::WAFv2::WebACL", 0)

    # Domain: us-east-1 certificate for the aliases, TLS 1.2+, HTTPS to the ALB.
    listeners = {
        listener["Properties"]["Port"]: listener["Properties"]
        for listener in env.web.find_resources("AWS::ElasticLoadBalancingV2::Listener").values()
    }
    if domain:
        _, cert = only(env.edge.find_resources("AWS::CertificateManager::Certificate"))
        assert cert["Properties"]["DomainName"] == "www.shop.io"
        assert cert["Properties"]["SubjectAlternativeNames"] == ["shop.io"]
        assert cert["Properties"]["ValidationMethod"] == "DNS"
        assert cert["Properties"]["DomainValidationOptions"][0]["HostedZoneId"] == DOMAIN["hosted_zone_id"]
        assert dist["Aliases"] == DOMAIN["site_names"]
        assert dist["ViewerCertificate"]["MinimumProtocolVersion"] == "TLSv1.2_2021"
        assert "Fn::GetStackOutput" in dist["ViewerCertificate"]["AcmCertificateArn"]
        alb_origin = next(o for o in dist["Origins"] if "CustomOriginConfig" in o)
        assert alb_origin["DomainName"] == "origin.shop.io"
        assert alb_origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
        assert set(listeners) == {80, 443}
        assert listeners[443]["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
        assert listeners[80]["DefaultActions"][0]["Type"] == "redirect"
        assert listeners[80]["DefaultActions"][0]["RedirectConfig"]["Protocol"] == "HTTPS"
        records = env.web.find_resources("AWS::Route53::RecordSet")
        kinds = sorted((r["Properties"]["Name"], r["Properties"]["Type"]) for r in records.values())
        assert kinds == [
            ("origin.shop.io.", "A"),
            ("shop.io.", "A"),
            ("shop.io.", "AAAA"),
            ("www.shop.io.", "A"),
            ("www.shop.io.", "AAAA"),
        ]
    else:
        assert "Aliases" not in dist
        assert set(listeners) == {80}
        env.web.resource_count_is("AWS::Route53::RecordSet", 0)

    # Origin protection: prefix list on one port per group, no open listener, header rule.
    ingress = list(env.web.find_resources("AWS::EC2::SecurityGroupIngress").values())
    groups = env.web.find_resources("AWS::EC2::SecurityGroup")
    alb_groups = {k for k in groups if k.startswith("WebTierAlb")}
    alb_rules = [i["Properties"] for i in ingress if ref_id(i["Properties"]["GroupId"]) in alb_groups]
    inline = [r for k in alb_groups for r in groups[k]["Properties"].get("SecurityGroupIngress", [])]
    alb_origin = next(o for o in dist["Origins"] if "CustomOriginConfig" in o)
    if guard:
        assert inline == []
        assert all(r["SourcePrefixListId"] == "pl-82a045eb" for r in alb_rules)
        per_group: dict = {}
        for r in alb_rules:
            per_group.setdefault(ref_id(r["GroupId"]), set()).add(r["FromPort"])
        assert all(len(ports) == 1 for ports in per_group.values()), per_group
        assert sorted(p for ports in per_group.values() for p in ports) == ([80, 443] if domain else [80])
        headers = alb_origin["OriginCustomHeaders"]
        assert headers[0]["HeaderName"] == "X-Origin-Verify"
        assert "{{resolve:secretsmanager:" in json.dumps(headers[0]["HeaderValue"])
        _, rule = only(env.web.find_resources("AWS::ElasticLoadBalancingV2::ListenerRule"))
        assert rule["Properties"]["Conditions"][0]["HttpHeaderConfig"]["HttpHeaderName"] == "X-Origin-Verify"
        serving = listeners[443 if domain else 80]
        assert serving["DefaultActions"][0]["FixedResponseConfig"]["StatusCode"] == "403"
    else:
        assert "OriginCustomHeaders" not in alb_origin
        env.web.resource_count_is("AWS::ElasticLoadBalancingV2::ListenerRule", 0)
        assert {r.get("CidrIp") for r in inline} == {"0.0.0.0/0"}

    # Nothing secret is ever a literal in any template.
    for template in env.templates().values():
        text = json.dumps(template.to_json())
        assert '"SecretString"' not in text


def test_web_acl_rules_and_logging():
    env = combo(False, True, True)
    _, acl = only(env.edge.find_resources("AWS::WAFv2::WebACL"))
    rules = {r["Name"]: r for r in acl["Properties"]["Rules"]}
    assert {
        "RateLimitPerIp",
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
        "AWSManagedRulesAmazonIpReputationList",
        "AWSManagedRulesSQLiRuleSet",
    } <= set(rules)
    assert rules["RateLimitPerIp"]["Statement"]["RateBasedStatement"]["Limit"] == 2000
    for rule in rules.values():
        assert rule["VisibilityConfig"]["CloudWatchMetricsEnabled"] is True
    priorities = [r["Priority"] for r in rules.values()]
    assert len(priorities) == len(set(priorities))
    _, logging_config = only(env.edge.find_resources("AWS::WAFv2::LoggingConfiguration"))
    destination = json.dumps(logging_config["Properties"]["LogDestinationConfigs"])
    assert "aws-waf-logs-" in destination
    _, group = only(env.edge.find_resources("AWS::Logs::LogGroup"))
    name = json.dumps(group["Properties"]["LogGroupName"])
    assert (
        '["", ["aws-waf-logs-webstack-staging-edge-cloudfront-", '
        '{"Fn::Select": [2, {"Fn::Split": ["/", {"Ref": "AWS::StackId"}]}]}]]' in name
    )
    assert group["Properties"]["RetentionInDays"] == env.config.log_retention_days


def test_waf_overrides_ip_lists_and_count_rules():
    env = synthesize(
        "prod",
        {
            "waf": {
                "rate_limit": 500,
                "allow_ips": ["203.0.113.0/24", "2001:db8::/32"],
                "block_ips": ["198.51.100.7/32"],
                "managed_rule_groups": [
                    {"name": "AWSManagedRulesCommonRuleSet", "count_rules": ["SizeRestrictions_BODY"]}
                ],
            }
        },
    )
    _, acl = only(env.edge.find_resources("AWS::WAFv2::WebACL"))
    rules = {r["Name"]: r for r in acl["Properties"]["Rules"]}
    assert set(rules) == {
        "AllowListIpv4",
        "AllowListIpv6",
        "BlockListIpv4",
        "RateLimitPerIp",
        "AWSManagedRulesCommonRuleSet",
    }
    assert rules["RateLimitPerIp"]["Statement"]["RateBasedStatement"]["Limit"] == 500
    overrides = rules["AWSManagedRulesCommonRuleSet"]["Statement"]["ManagedRuleGroupStatement"]["RuleActionOverrides"]
    assert overrides == [{"ActionToUse": {"Count": {}}, "Name": "SizeRestrictions_BODY"}]
    ip_sets = env.edge.find_resources("AWS::WAFv2::IPSet")
    assert sorted(s["Properties"]["IPAddressVersion"] for s in ip_sets.values()) == ["IPV4", "IPV4", "IPV6"]


def test_prod_defaults_waf_on_dev_off():
    assert config_of("prod").waf.enabled and not load_config("dev").waf.enabled
    assert load_config("dev").domain is None and load_config("dev").origin_protection.enabled


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"domain": {"zone_name": "shop.io", "site_names": ["www.shop.io"]}}, "domain.hosted_zone_id"),
        ({"domain": {**DOMAIN, "hosted_zone_id": "not-a-zone"}}, "domain.hosted_zone_id"),
        ({"domain": {**DOMAIN, "site_names": ["www.other.io"]}}, "domain.site_names[0]"),
        ({"domain": {**DOMAIN, "origin_name": "origin.other.io"}}, "domain.origin_name"),
        (
            {"domain": {**DOMAIN, "zone_name": "example.com", "site_names": ["www.example.com"], "origin_name": None}},
            "domain.zone_name",
        ),
        ({"domain": {**DOMAIN, "site_names": []}}, "domain.site_names"),
        ({"waf": {"rate_limit": 5}}, "waf.rate_limit"),
        ({"waf": {"rate_limit": 3_000_000_000}}, "waf.rate_limit"),
        ({"waf": {"enabled": False, "protect_alb": True}}, "waf.protect_alb"),
        ({"waf": {"block_ips": ["10.0.0.300/8"]}}, "waf.block_ips[0]"),
        ({"waf": {"managed_rule_groups": [{"name": "bad name"}]}}, "waf.managed_rule_groups[0].name"),
        ({"waf": {"managed_rule_groups": [{"vendor": "AWS"}]}}, "waf.managed_rule_groups[0].name"),
        ({"edge_region": "us-west-2"}, "edge_region"),
        ({"origin_protection": {"prefix_list_id": "cloudfront"}}, "origin_protection.prefix_list_id"),
        ({"origin_protection": {"header_name": "X Origin"}}, "origin_protection.header_name"),
    ],
)
def test_invalid_edge_configuration(overrides, field):
    with pytest.raises(ConfigError) as caught:
        config_of("prod", overrides)
    assert caught.value.field == field
