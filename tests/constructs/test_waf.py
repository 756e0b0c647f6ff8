"""WebAcl alone: scope, IP sets, logging on/off, count overrides."""

from __future__ import annotations

from typing import Any

from aws_cdk import RemovalPolicy, Stack

from tests.constructs.conftest import acknowledged_ids, fresh_stack, key_in, only_one, props_of, resources
from webstack.config import DEFAULT_RULE_GROUPS, ManagedRuleGroup
from webstack.constructs.waf import WebAcl


def web_acl(stack: Stack, **options: Any) -> WebAcl:
    defaults: dict[str, Any] = {
        "scope_name": "CLOUDFRONT",
        "metric_prefix": "webstack-test-cdn",
        "managed_rule_groups": DEFAULT_RULE_GROUPS,
        "rate_limit": 2000,
        "log_key": key_in(stack),
        "removal_policy": RemovalPolicy.DESTROY,
    }
    return WebAcl(stack, "Waf", **{**defaults, **options})


def acl_props(stack: Stack) -> dict[str, Any]:
    return only_one(resources(stack, "AWS::WAFv2::WebACL"))["Properties"]


def test_rate_limit_comes_before_the_managed_groups(stack):
    acl = web_acl(stack, rate_limit=500)
    rules = sorted(acl_props(stack)["Rules"], key=lambda r: r["Priority"])
    assert rules[0]["Name"] == "RateLimitPerIp"
    assert rules[0]["Statement"]["RateBasedStatement"]["Limit"] == 500
    assert [r["Name"] for r in rules[1:]] == [g.name for g in DEFAULT_RULE_GROUPS]
    assert acl.rule_metrics == [f"webstack-test-cdn-{r['Name']}" for r in acl_props(stack)["Rules"]]
    assert acl_props(stack)["Scope"] == "CLOUDFRONT"


def test_regional_scope(stack):
    web_acl(stack, scope_name="REGIONAL")
    assert acl_props(stack)["Scope"] == "REGIONAL"


def test_ip_sets_per_address_family_first(stack):
    web_acl(stack, allow_ips=["203.0.113.0/24", "2001:db8::/32"], block_ips=["198.51.100.7/32"])
    sets = sorted(
        (p["IPAddressVersion"], tuple(p["Addresses"])) for p in props_of(resources(stack, "AWS::WAFv2::IPSet"))
    )
    assert sets == [("IPV4", ("198.51.100.7/32",)), ("IPV4", ("203.0.113.0/24",)), ("IPV6", ("2001:db8::/32",))]
    rules = sorted(acl_props(stack)["Rules"], key=lambda r: r["Priority"])
    assert [r["Name"] for r in rules[:3]] == ["AllowListIpv4", "AllowListIpv6", "BlockListIpv4"]


def test_no_ip_sets_without_addresses(stack):
    web_acl(stack)
    assert resources(stack, "AWS::WAFv2::IPSet") == {}


def test_logging_to_an_encrypted_aws_waf_logs_group(stack):
    acl = web_acl(stack, log_retention_days=30)
    group = only_one(resources(stack, "AWS::Logs::LogGroup"))["Properties"]
    assert "KmsKeyId" in group and group["RetentionInDays"] == 30
    assert acl.log_group is not None
    assert "aws-waf-logs-" in str(group["LogGroupName"])
    assert len(resources(stack, "AWS::WAFv2::LoggingConfiguration")) == 1


def test_no_logging_no_log_group(stack):
    acl = web_acl(stack, logging=False, log_key=None)
    assert acl.log_group is None
    assert resources(stack, "AWS::Logs::LogGroup") == {}
    assert resources(stack, "AWS::WAFv2::LoggingConfiguration") == {}


def test_logging_off_is_acknowledged_on_the_web_acl_only_then(stack):
    assert acknowledged_ids(web_acl(stack).web_acl) == set()
    quiet = web_acl(fresh_stack(), logging=False, log_key=None)
    assert acknowledged_ids(quiet.web_acl) == {"NIST.800.53.R5-WAFv2LoggingEnabled"}


def test_count_rules_override_a_group(stack):
    group = ManagedRuleGroup(name="AWSManagedRulesCommonRuleSet", count_rules=("SizeRestrictions_BODY",))
    web_acl(stack, managed_rule_groups=(group,))
    (managed,) = [r for r in acl_props(stack)["Rules"] if r["Name"] == group.name]
    overrides = managed["Statement"]["ManagedRuleGroupStatement"]["RuleActionOverrides"]
    assert overrides == [{"ActionToUse": {"Count": {}}, "Name": "SizeRestrictions_BODY"}]
