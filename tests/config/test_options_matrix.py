"""Every documented configuration option synthesizes with all rule packs attached.

Each case builds the app the way ``app.py`` does (``build_app`` on an App with
cdk.json's context, ``-c env=`` and ``-c config=``, AwsSolutions + NIST 800-53
R5 + WebstackPitfalls registered with ``Validations.of(app).add_plugins``), so
an unacknowledged finding or a rule that throws fails ``app.synth()`` here
exactly as it fails ``cdk synth``. Asset bundling and CDK's built-in
CloudFormation validation are skipped (the compliance gate runs the latter and
cfn-lint on every environment).

One case per documented option (docs/configuration.md), set on its own to a
valid non-default value (with the fields it needs, e.g. zones of a new
region); a few options have one case per variant (x86 / Graviton / a1 types,
logging off with and without the ALB's web ACL). A synth takes 0.3-1.8 s, so
the matrix runs in about 35 s on two cores without grouping options.
``test_every_documented_option_has_a_case`` keeps the cases in step with the
documentation. Edge-security combinations (domain x WAF x origin protection)
are tests/compliance's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App

from webstack.app import attach_rule_packs, build_app, cdk_json_context
from webstack_tools import local_pager
from webstack_tools.compliance import acknowledgements

ROOT = Path(__file__).resolve().parents[2]

# A hosted zone of the right shape; synthesis never calls Route 53.
ZONE = {"hosted_zone_id": "Z0123456789ABCDEFGHIJ", "zone_name": "webstack-test.net"}


@dataclass(frozen=True)
class Case:
    id: str
    env: str
    overrides: Mapping[str, Any]


def _case(option: str, env: str, overrides: Mapping[str, Any], variant: str = "") -> Case:
    return Case(f"{option}[{variant}]" if variant else option, env, overrides)


CASES = [
    # General
    _case("account", "dev", {"account": "210987654321"}),
    _case("region", "dev", {"region": "eu-west-1", "availability_zones": ["eu-west-1a", "eu-west-1b"]}),
    _case("availability_zones", "dev", {"availability_zones": ["us-west-2a", "us-west-2b", "us-west-2d"]}),
    _case("vpc_cidr", "dev", {"vpc_cidr": "172.16.0.0/20"}),
    _case("nat_gateways", "dev", {"nat_gateways": 2}),
    _case("instance_type", "dev", {"instance_type": "m7g.medium"}, "graviton"),
    _case("instance_type", "dev", {"instance_type": "a1.medium"}, "a1"),
    _case("instance_type", "prod", {"instance_type": "c6i.large"}, "x86"),
    _case("log_retention_days", "dev", {"log_retention_days": 3653}),
    _case("retain_data", "dev", {"retain_data": True}),
    # A protected environment needs a private or encrypted origin (D29): with a VPC origin here.
    _case("deletion_protection", "staging", {"deletion_protection": True, "origin": {"private": True}}),
    _case("origin.private", "dev", {"origin": {"private": True}}),
    _case(
        "origin.private",
        "prod",
        {
            "origin": {"private": False},
            "domain": {**ZONE, "site_names": ["www.webstack-test.net"], "origin_name": "origin.webstack-test.net"},
        },
        "public-https",
    ),
    _case("price_class", "dev", {"price_class": "PriceClass_200"}),
    _case("geo_allowlist", "dev", {"geo_allowlist": ["US", "CA", "DE"]}),
    _case("noncurrent_version_expiration_days", "dev", {"noncurrent_version_expiration_days": 3650}),
    _case("log_bucket_expiration_days", "prod", {"log_bucket_expiration_days": 1, "log_bucket_object_lock_days": 1}),
    _case("log_bucket_noncurrent_version_days", "dev", {"log_bucket_noncurrent_version_days": 3650}),
    _case("log_bucket_object_lock_days", "staging", {"log_bucket_object_lock_days": 90}, "on"),
    _case("log_bucket_object_lock_days", "prod", {"log_bucket_object_lock_days": None}, "off"),
    _case("tags", "dev", {"tags": {"CostCenter": "1234", "team:owner": "web ops"}}),
    # capacity
    _case("capacity.min", "staging", {"capacity": {"min": 0, "desired": 0}}),
    _case("capacity.desired", "dev", {"capacity": {"min": 2, "desired": 2}}),
    _case("capacity.max", "dev", {"capacity": {"max": 20}}),
    # scaling
    _case("scaling.cpu_target_percent", "dev", {"scaling": {"cpu_target_percent": 75}}),
    _case("scaling.requests_per_target", "dev", {"scaling": {"requests_per_target": 250}}),
    _case("scaling.instance_warmup_seconds", "dev", {"scaling": {"instance_warmup_seconds": 0}}),
    _case("scaling.min_healthy_percent", "prod", {"scaling": {"min_healthy_percent": 50}}),
    _case("scaling.max_healthy_percent", "prod", {"scaling": {"max_healthy_percent": 200}}),
    _case("scaling.checkpoint_percentages", "staging", {"scaling": {"checkpoint_percentages": [20, 60, 100]}}),
    _case("scaling.checkpoint_percentages", "dev", {"scaling": {"checkpoint_percentages": []}}, "none"),
    _case("scaling.checkpoint_delay_seconds", "dev", {"scaling": {"checkpoint_delay_seconds": 172_800}}),
    _case("scaling.bake_time_seconds", "prod", {"scaling": {"bake_time_seconds": 0}}),
    _case(
        "scaling.extra_instance_types", "dev", {"scaling": {"extra_instance_types": ["t3a.micro", "t2.micro"]}}, "x86"
    ),
    _case(
        "scaling.extra_instance_types",
        "prod",
        {"instance_type": "m7g.large", "scaling": {"extra_instance_types": ["m6g.large", "t4g.large"]}},
        "graviton",
    ),
    _case(
        "scaling.extra_instance_types",
        "dev",
        {"instance_type": "a1.medium", "scaling": {"extra_instance_types": ["a1.large"]}},
        "a1",
    ),
    _case(
        "scaling.schedules",
        "staging",
        {
            "scaling": {
                "schedules": [
                    {"name": "business-hours", "cron": "0 7 * * 1-5", "min": 3, "max": 4},
                    {"name": "night", "cron": "0 20 * * *", "min": 1, "max": 2},
                ]
            }
        },
    ),
    # load_balancing
    _case("load_balancing.idle_timeout_seconds", "dev", {"load_balancing": {"idle_timeout_seconds": 4000}}),
    _case(
        "load_balancing.deregistration_delay_seconds", "dev", {"load_balancing": {"deregistration_delay_seconds": 0}}
    ),
    _case("load_balancing.slow_start_seconds", "dev", {"load_balancing": {"slow_start_seconds": 0}}, "off"),
    _case("load_balancing.slow_start_seconds", "dev", {"load_balancing": {"slow_start_seconds": 900}}, "max"),
    # cdn
    _case(
        "cdn.immutable_paths",
        "dev",
        {"cdn": {"immutable_paths": ["*.woff2", "/fonts/*.woff2", "/img/logo-??.png", "/static/*"]}},
        "patterns",
    ),
    _case("cdn.immutable_paths", "prod", {"cdn": {"immutable_paths": []}}, "none"),
    _case("cdn.immutable_ttl_days", "dev", {"cdn": {"immutable_ttl_days": 30}}),
    _case("cdn.html_ttl_seconds", "dev", {"cdn": {"html_ttl_seconds": 0}}),
    _case("cdn.error_caching_seconds", "dev", {"cdn": {"error_caching_seconds": 3600}}),
    _case("cdn.origin_shield", "dev", {"cdn": {"origin_shield": True}}, "on"),
    _case("cdn.origin_shield", "prod", {"cdn": {"origin_shield": False}}, "off"),
    # alarms
    _case("alarms.emails", "dev", {"alarms": {"emails": ["oncall@northwind-web.io", "web-team@northwind-web.io"]}}),
    _case(
        "alarms.subscribers",
        "dev",
        {
            "alarms": {
                "subscribers": [
                    {"protocol": "https", "endpoint": "https://events.pagerduty.com/integration/x1/enqueue"},
                    {"protocol": "sqs", "endpoint": "arn:aws:sqs:us-east-2:210987654321:pager"},
                ]
            }
        },
    ),
    _case("alarms.cpu_high_percent", "dev", {"alarms": {"cpu_high_percent": 95}}),
    _case("alarms.alb_5xx_count", "dev", {"alarms": {"alb_5xx_count": 1}}),
    _case("alarms.target_5xx_rate_percent", "dev", {"alarms": {"target_5xx_rate_percent": 1}}),
    _case("alarms.p99_latency_seconds", "dev", {"alarms": {"p99_latency_seconds": 0.5}}),
    _case("alarms.cloudfront_4xx_rate_percent", "dev", {"alarms": {"cloudfront_4xx_rate_percent": 50}}),
    _case("alarms.cloudfront_5xx_rate_percent", "dev", {"alarms": {"cloudfront_5xx_rate_percent": 1}}),
    _case("alarms.waf_blocked_requests", "prod", {"alarms": {"waf_blocked_requests": 10}}),
    _case("alarms.evaluation_periods", "dev", {"alarms": {"evaluation_periods": 10}}),
    _case("alarms.period_seconds", "dev", {"alarms": {"period_seconds": 10}}, "high-resolution"),
    _case("alarms.period_seconds", "prod", {"alarms": {"period_seconds": 300}}, "minutes"),
    # domain
    _case(
        "domain",
        "staging",
        {"domain": {**ZONE, "site_names": ["webstack-test.net", "*.webstack-test.net"]}},
        "apex-and-wildcard",
    ),
    _case(
        "domain.origin_name",
        "prod",
        {
            "domain": {
                **ZONE,
                "site_names": ["webstack-test.net", "*.webstack-test.net"],
                "origin_name": "origin.webstack-test.net",
            }
        },
    ),
    # waf
    _case("waf.enabled", "staging", {"waf": {"enabled": True}}),
    _case(
        "waf.managed_rule_groups",
        "prod",
        {
            "waf": {
                "managed_rule_groups": [
                    {"name": "AWSManagedRulesCommonRuleSet", "count_rules": ["SizeRestrictions_BODY"]},
                    {"name": "AWSManagedRulesAnonymousIpList", "vendor": "AWS"},
                ]
            }
        },
    ),
    _case("waf.rate_limit", "prod", {"waf": {"rate_limit": 100}}),
    _case("waf.allow_ips", "prod", {"waf": {"allow_ips": ["203.0.113.0/24", "2001:db8::/32"]}}),
    _case("waf.block_ips", "prod", {"waf": {"block_ips": ["198.51.100.7/32", "2001:db8:ffff::/48"]}}),
    _case("waf.logging", "prod", {"waf": {"logging": False}}, "off"),
    _case("waf.logging", "staging", {"waf": {"enabled": True, "logging": False}}, "off-cloudfront-only"),
    _case("waf.protect_alb", "staging", {"waf": {"enabled": True, "protect_alb": True}}),
    # site and app: the shipped folders, named by absolute path (relative ones are the defaults)
    _case("site.path", "dev", {"site": {"path": str(ROOT / "site")}}),
    _case("site.deployment_memory_mb", "prod", {"site": {"deployment_memory_mb": 2048}}),
    _case("app.path", "staging", {"app": {"path": str(ROOT / "app")}}),
    # origin_protection
    _case("origin_protection.enabled", "dev", {"origin_protection": {"enabled": False}}),
    _case("origin_protection.prefix_list_id", "dev", {"origin_protection": {"prefix_list_id": "pl-0123456789abcdef0"}}),
    _case("origin_protection.header_name", "dev", {"origin_protection": {"header_name": "X-Cdn-Secret"}}),
    _case("origin_protection.rotation_days", "prod", {"origin_protection": {"rotation_days": 7}}),
    # deploy
    _case("deploy.rollback_monitoring_minutes", "dev", {"deploy": {"rollback_monitoring_minutes": 15}}),
]

# Documented fields no case sets to a non-default value, and why.
NOT_SET = {
    # Validation refuses every value but us-east-1: CloudFront takes ACM
    # certificates and CLOUDFRONT-scope web ACLs from us-east-1 only
    # (https://docs.aws.amazon.com/acm/latest/userguide/acm-regions.html,
    # https://docs.aws.amazon.com/waf/latest/APIReference/API_CreateWebACL.html).
    "edge_region": "only us-east-1 is valid",
}


def synthesize(case: Case, outdir: Path) -> App:
    """``app.py``'s App, packs and ``build_app``; synthesized once (raises on a finding)."""
    app = App(
        outdir=str(outdir),
        context={
            **cdk_json_context(ROOT / "cdk.json"),
            "aws:cdk:bundling-stacks": [],
            "env": case.env,
            "config": local_pager.completed(case.env, case.overrides),
        },
        builtin_cloud_formation_validation=False,
    )
    attach_rule_packs(app)
    build_app(app)
    app.synth()
    return app


def violations(outdir: Path) -> str:
    """The validation report CDK writes next to the assembly, one line per finding."""
    report = outdir / "validation-report.json"
    if not report.is_file():
        return "(no validation report)"
    lines = []
    for plugin in json.loads(report.read_text()).get("pluginReports", []):
        for violation in plugin.get("violations", []):
            for construct in violation.get("violatingConstructs", []):
                lines.append(
                    f"{violation['ruleName']} at {construct['constructPath']}: {violation['description'][:160]}"
                )
    return "\n".join(lines)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_option_synthesizes_with_all_rule_packs(case: Case, tmp_path: Path) -> None:
    try:
        app = synthesize(case, tmp_path)
    except Exception as err:  # CDK raises one ValidationFailed error (a jsii error type) on any finding.
        pytest.fail(f"{case.env} {case.id}: {err}\n{violations(tmp_path)}")
    for ack in acknowledgements(app):
        assert len(ack["reason"]) > 30, ack


def _documented_fields() -> set[str]:
    """Field names from docs/configuration.md's tables (`scaling.schedules[].name` style)."""
    text = (ROOT / "docs" / "configuration.md").read_text()
    return set(re.findall(r"^\| `([a-z0-9_.\[\]]+)` \|", text, flags=re.MULTILINE))


def _fields_set(overrides: Mapping[str, Any], prefix: str = "") -> Iterator[str]:
    """Dotted paths of the fields ``overrides`` sets (objects: their fields; ``tags``: itself)."""
    for key, value in overrides.items():
        path = f"{prefix}{key}"
        if not isinstance(value, Mapping) or path in ("tags", "domain"):
            yield path
        if isinstance(value, Mapping) and path != "tags":
            yield from _fields_set(value, f"{path}.")
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, Mapping):
                    yield from _fields_set(item, f"{path}[].")


def test_every_documented_option_has_a_case() -> None:
    documented = _documented_fields()
    assert len(documented) > 50, "docs/configuration.md's tables were not found"
    covered = {path for case in CASES for path in _fields_set(case.overrides)}
    missing = documented - covered - set(NOT_SET)
    assert not missing, f"documented options no case sets: {sorted(missing)}"
    unknown = covered - documented
    assert not unknown, f"cases set fields docs/configuration.md does not document: {sorted(unknown)}"
