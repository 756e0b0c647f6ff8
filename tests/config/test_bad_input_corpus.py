"""The bad-input corpus: every category of configuration mistake, through the path `app.py` takes.

Each invalid case runs ``app.main()`` in-process exactly as ``python app.py``
does (context from ``CDK_CONTEXT_JSON``, output folder from ``CDK_OUTDIR``)
and asserts: exit status 2, one line on stderr that names the field and says
``Fix:``, no traceback, and no output folder left behind. Each valid case
(the controls) must load. Cases are grouped by category; the ids say what
each one breaks.
"""

from __future__ import annotations

import importlib.util
import io
import json
from collections.abc import Iterator
from contextlib import redirect_stderr
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.synth import config_of
from webstack.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parents[2]
ZONE = {"hosted_zone_id": "Z0123456789ABCDEFGHIJ", "zone_name": "webstack-test.net"}


@dataclass(frozen=True)
class Case:
    id: str
    field: str  # the field the one-line message must name ("" for file-level problems: "config")
    overrides: Any = None  # a JSON-able value passed inline, or
    raw: bytes | None = None  # the bytes of an override file
    env: str = "dev"
    directory: bool = False  # -c config= names a directory


def schedule(**kw: Any) -> dict[str, Any]:
    return {"scaling": {"schedules": [{"name": "s", "cron": "0 7 * * *", "min": 1, "max": 2, **kw}]}}


def domain(**kw: Any) -> dict[str, Any]:
    return {"domain": {**ZONE, "site_names": ["www.webstack-test.net"], **kw}}


FILES = [
    Case("file-not-utf8", "config", raw=b'{"nat_gateways": "\xff\xfe"}'),
    Case("file-latin1", "config", raw='{"tags": {"Team": "Équipe"}}'.encode("latin-1")),
    Case("file-bom", "config", raw=b'\xef\xbb\xbf{"nat_gateways": 1}'),
    Case("file-empty", "config", raw=b""),
    Case("file-whitespace", "config", raw=b"  \n\t "),
    Case("file-directory", "config", directory=True),
    Case("file-list", "config", raw=b"[1, 2]"),
    Case("file-string", "config", raw=b'"capacity"'),
    Case("file-number", "config", raw=b"42"),
    Case("file-null", "config", raw=b"null"),
    Case("file-duplicate-key", "config", raw=b'{"nat_gateways": 1, "nat_gateways": 2}'),
    Case("file-duplicate-nested-key", "config", raw=b'{"capacity": {"max": 2, "max": 3}}'),
    Case("file-invalid-json", "config", raw=b'{"capacity": {"max": 2,}}'),
    Case("file-trailing-garbage", "config", raw=b'{"nat_gateways": 1} x'),
    Case("file-deep-nesting-100", "config", raw=b'{"tags": ' + b'{"a": ' * 100 + b"1" + b"}" * 101),
    Case("file-deep-nesting-100000", "config", raw=b"[" * 100_000 + b"]" * 100_000),
    Case("file-nan", "config", raw=b'{"alarms": {"p99_latency_seconds": NaN}}'),
    Case("file-infinity", "config", raw=b'{"capacity": {"max": Infinity}}'),
]

TYPES = [
    Case("type-string-for-int", "nat_gateways", {"nat_gateways": "2"}),
    Case("type-bool-for-int", "nat_gateways", {"nat_gateways": True}),
    Case("type-float-for-int", "capacity.max", {"capacity": {"max": 2.5}}),
    Case("type-int-for-bool", "retain_data", {"retain_data": 1}),
    Case("type-string-for-bool", "waf.enabled", {"waf": {"enabled": "true"}}),
    Case("type-string-for-list", "alarms.emails", {"alarms": {"emails": "ops@webstack-test.net"}}),
    Case(
        "type-count-rules-as-string",
        "waf.managed_rule_groups[0].count_rules",
        {
            "waf": {
                "managed_rule_groups": [
                    {"name": "AWSManagedRulesCommonRuleSet", "count_rules": "SizeRestrictions_BODY"}
                ]
            }
        },
    ),
    Case("type-int-for-list", "availability_zones", {"availability_zones": 2}),
    Case("type-object-for-list", "geo_allowlist", {"geo_allowlist": {"US": True}}),
    Case("type-list-for-object", "capacity", {"capacity": [1, 2, 3]}),
    Case("type-int-for-object", "waf", {"waf": 1}),
    Case("type-null-for-required", "vpc_cidr", {"vpc_cidr": None}),
    Case("type-list-for-string", "instance_type", {"instance_type": ["t3.small"]}),
    Case("type-number-tag-value", "tags.Team", {"tags": {"Team": 7}}),
    Case("type-list-of-ints-for-emails", "alarms.emails[0]", {"alarms": {"emails": [1]}}),
    Case("type-domain-missing-field", "domain.site_names", {"domain": ZONE}),
    Case(
        "type-schedule-missing-field",
        "scaling.schedules[0].max",
        {"scaling": {"schedules": [{"name": "s", "cron": "0 7 * * *", "min": 1}]}},
    ),
]

UNKNOWN = [
    Case("unknown-top-level-typo", "capacty", {"capacty": {"max": 3}}),
    Case("unknown-nested-typo", "capacity.mx", {"capacity": {"mx": 3}}),
    Case("unknown-key-with-newline", "nat\\ngateways", {"nat\ngateways": 1}),
    Case("unknown-key-with-escape-codes", "\\x1b", {"\x1b[31mred\x1b[0m": 1}),
    Case("unknown-very-long-key", "...", {"k" * 5000: 1}),
    Case("unknown-name-override", "name", {"name": "prod"}),
    Case("unknown-in-list-item", "waf.managed_rule_groups[0].nmae", {"waf": {"managed_rule_groups": [{"nmae": "x"}]}}),
]

TEMPLATE_LOGIC = [
    Case("token-in-tag-value", "tags.Team", {"tags": {"Team": "${Token[TOKEN.123]}"}}),
    Case("token-in-tag-key", "tags", {"tags": {"${Token[TOKEN.1]}": "x"}}),
    Case("list-token-in-tag", "tags.Team", {"tags": {"Team": "#{Token[TOKEN.9]}"}}),
    Case("resolve-in-tag", "tags.Team", {"tags": {"Team": "{{resolve:ssm:/team}}"}}),
    Case("sub-in-tag", "tags.Team", {"tags": {"Team": "${AWS::Region}"}}),
    Case("resolve-in-email", "alarms.emails[0]", {"alarms": {"emails": ["{{resolve:ssm:x}}@webstack-test.net"]}}),
    Case("token-in-cron", "scaling.schedules[0].cron", schedule(cron="${Token[TOKEN.5]} * * * *")),
    Case(
        "token-in-header-name",
        "origin_protection.header_name",
        {"origin_protection": {"header_name": "${Token[TOKEN.2]}"}},
    ),
    Case("resolve-in-zone-name", "domain.zone_name", domain(zone_name="{{resolve:ssm:zone}}")),
    Case("trailing-newline-in-instance-type", "instance_type", {"instance_type": "t3.small\n"}),
    Case("trailing-newline-in-email", "alarms.emails[0]", {"alarms": {"emails": ["ops@webstack-test.net\n"]}}),
    Case("control-char-in-tag", "tags.Team", {"tags": {"Team": "a\x07b"}}),
    Case("newline-in-schedule-name", "scaling.schedules[0].name", schedule(name="a\nb")),
    Case("tab-in-region", "region", {"region": "us-west-2\t"}),
]

LIMITS = [
    Case("waf-ipv4-slash-0", "waf.block_ips[0]", {"waf": {"block_ips": ["0.0.0.0/0"]}}),
    Case("waf-ipv6-slash-0", "waf.allow_ips[0]", {"waf": {"allow_ips": ["::/0"]}}),
    Case("waf-ip-host-bits", "waf.block_ips[0]", {"waf": {"block_ips": ["198.51.100.7/24"]}}),
    Case("waf-rate-limit-low", "waf.rate_limit", {"waf": {"rate_limit": 5}}),
    Case("waf-rate-limit-high", "waf.rate_limit", {"waf": {"rate_limit": 3_000_000_000}}),
    Case("header-name-41-chars", "origin_protection.header_name", {"origin_protection": {"header_name": "X" * 41}}),
    Case("header-name-host", "origin_protection.header_name", {"origin_protection": {"header_name": "Host"}}),
    Case("header-name-x-amz", "origin_protection.header_name", {"origin_protection": {"header_name": "X-Amz-Secret"}}),
    Case(
        "header-name-x-edge", "origin_protection.header_name", {"origin_protection": {"header_name": "X-Edge-Origin"}}
    ),
    Case("header-name-space", "origin_protection.header_name", {"origin_protection": {"header_name": "X Origin"}}),
    Case("acm-101-names", "domain.site_names", domain(site_names=[f"s{i}.webstack-test.net" for i in range(101)])),
    Case(
        "alarm-window-over-a-day",
        "alarms.evaluation_periods",
        {"alarms": {"period_seconds": 3600, "evaluation_periods": 25}},
    ),
    Case("alarm-period-20", "alarms.period_seconds", {"alarms": {"period_seconds": 20}}),
    Case("alarm-period-45", "alarms.period_seconds", {"alarms": {"period_seconds": 45}}),
    Case("alarm-period-zero", "alarms.period_seconds", {"alarms": {"period_seconds": 0}}),
    Case("alarm-latency-zero", "alarms.p99_latency_seconds", {"alarms": {"p99_latency_seconds": 0}}),
    Case("tags-48", "tags", {"tags": {f"k{i}": "v" for i in range(48)}}),
    Case("tag-key-aws-prefix", "tags.aws:owner", {"tags": {"aws:owner": "x"}}),
    Case("tag-key-ours", "tags.Project", {"tags": {"Project": "x"}}),
    Case("tag-value-257", "tags.Team", {"tags": {"Team": "v" * 257}}),
    Case("tag-key-129", "tags", {"tags": {"k" * 129: "v"}}),
    Case("cron-minute-75", "scaling.schedules[0].cron", schedule(cron="75 25 * * *")),
    Case("cron-hour-25", "scaling.schedules[0].cron", schedule(cron="0 25 * * *")),
    Case("cron-day-32", "scaling.schedules[0].cron", schedule(cron="0 7 32 * *")),
    Case("cron-month-13", "scaling.schedules[0].cron", schedule(cron="0 7 * 13 *")),
    Case("cron-weekday-8", "scaling.schedules[0].cron", schedule(cron="0 7 * * 8")),
    Case("cron-six-fields", "scaling.schedules[0].cron", schedule(cron="0 0 7 * * *")),
    Case("cron-reversed-range", "scaling.schedules[0].cron", schedule(cron="0 9-7 * * *")),
    Case("cron-step-zero", "scaling.schedules[0].cron", schedule(cron="*/0 * * * *")),
    Case("schedule-min-over-max", "scaling.schedules[0].min", schedule(min=3, max=2)),
    Case(
        "schedule-duplicate-names",
        "scaling.schedules",
        {"scaling": {"schedules": [{"name": "s", "cron": "0 7 * * *", "min": 1, "max": 2}] * 2}},
    ),
    Case("instance-type-no-generation", "instance_type", {"instance_type": "t.micro"}),
    Case("instance-type-no-size", "instance_type", {"instance_type": "m5"}),
    Case("instance-type-word", "instance_type", {"instance_type": "huge"}),
    Case("instance-type-upper", "instance_type", {"instance_type": "T3.SMALL"}),
    Case(
        "extra-type-other-arch", "scaling.extra_instance_types[0]", {"scaling": {"extra_instance_types": ["t4g.micro"]}}
    ),
    Case(
        "extra-type-is-primary", "scaling.extra_instance_types[0]", {"scaling": {"extra_instance_types": ["t3.micro"]}}
    ),
    Case(
        "extra-types-duplicate",
        "scaling.extra_instance_types",
        {"scaling": {"extra_instance_types": ["t3a.micro", "t3a.micro"]}},
    ),
    Case("log-retention-8", "log_retention_days", {"log_retention_days": 8}),
    Case("slow-start-10", "load_balancing.slow_start_seconds", {"load_balancing": {"slow_start_seconds": 10}}),
    Case("idle-timeout-0", "load_balancing.idle_timeout_seconds", {"load_balancing": {"idle_timeout_seconds": 0}}),
    Case("cpu-target-99", "scaling.cpu_target_percent", {"scaling": {"cpu_target_percent": 99}}),
    Case("capacity-min-over-max", "capacity.min", {"capacity": {"min": 3, "max": 2}}),
    Case("capacity-desired-outside", "capacity.desired", {"capacity": {"desired": 9}}),
    Case("capacity-desired-above-min", "capacity.desired", {"capacity": {"desired": 2}}),
    Case(
        "checkpoints-not-ending-at-100", "scaling.checkpoint_percentages", {"scaling": {"checkpoint_percentages": [50]}}
    ),
    Case(
        "healthy-band-over-100",
        "scaling.max_healthy_percent",
        {"scaling": {"min_healthy_percent": 0, "max_healthy_percent": 150}},
    ),
    Case("capacity-negative", "capacity.min", {"capacity": {"min": -1}}),
    Case("path-catch-all-star", "cdn.immutable_paths[0]", {"cdn": {"immutable_paths": ["*"]}}),
    Case("path-catch-all-slash-star", "cdn.immutable_paths[0]", {"cdn": {"immutable_paths": ["/*"]}}),
    Case("path-api-prefix", "cdn.immutable_paths[0]", {"cdn": {"immutable_paths": ["/api*"]}}),
    Case("path-bad-char", "cdn.immutable_paths[0]", {"cdn": {"immutable_paths": ["/a b/*"]}}),
    Case("path-too-long", "cdn.immutable_paths[0]", {"cdn": {"immutable_paths": ["/" + "a" * 300]}}),
    Case("path-duplicate", "cdn.immutable_paths", {"cdn": {"immutable_paths": ["/assets/*", "/assets/*"]}}),
    Case("geo-three-letters", "geo_allowlist[0]", {"geo_allowlist": ["USA"]}),
    Case("price-class-unknown", "price_class", {"price_class": "cheap"}),
    Case("prefix-list-id-bad", "origin_protection.prefix_list_id", {"origin_protection": {"prefix_list_id": "pl-XYZ"}}),
    Case("account-11-digits", "account", {"account": "12345678901"}),
    Case("account-as-number", "account", {"account": 123456789013}),
    Case("edge-region-elsewhere", "edge_region", {"edge_region": "us-west-2"}),
    Case("noncurrent-days-zero", "noncurrent_version_expiration_days", {"noncurrent_version_expiration_days": 0}),
    Case("waf-protect-alb-without-waf", "waf.protect_alb", {"waf": {"enabled": False, "protect_alb": True}}),
    Case("waf-no-rule-groups", "waf.managed_rule_groups", {"waf": {"enabled": True, "managed_rule_groups": []}}),
    Case(
        "waf-duplicate-rule-groups",
        "waf.managed_rule_groups",
        {"waf": {"managed_rule_groups": [{"name": "A"}, {"name": "A"}]}},
    ),
    Case(
        "waf-bad-rule-name",
        "waf.managed_rule_groups[0].name",
        {"waf": {"managed_rule_groups": [{"name": "has space"}]}},
    ),
    Case("deletion-protection-without-retain", "retain_data", {"deletion_protection": True}),
    Case("lock-without-retain", "log_bucket_object_lock_days", {"log_bucket_object_lock_days": 7}),
    Case(
        "lock-past-expiration",
        "log_bucket_object_lock_days",
        {"log_bucket_object_lock_days": 400},
        env="prod",
    ),
    Case("lock-days-zero", "log_bucket_object_lock_days", {"log_bucket_object_lock_days": 0}, env="prod"),
    Case("log-noncurrent-days-zero", "log_bucket_noncurrent_version_days", {"log_bucket_noncurrent_version_days": 0}),
]

PLACEHOLDERS = [
    Case("email-example-com", "alarms.emails[0]", {"alarms": {"emails": ["admin@example.com"]}}),
    Case("email-dot-test", "alarms.emails[0]", {"alarms": {"emails": ["ops@corp.test"]}}),
    Case("email-dot-invalid", "alarms.emails[0]", {"alarms": {"emails": ["ops@corp.invalid"]}}),
    Case("email-dot-localhost", "alarms.emails[0]", {"alarms": {"emails": ["ops@mail.localhost"]}}),
    Case("email-dot-example", "alarms.emails[0]", {"alarms": {"emails": ["ops@your-domain.example"]}}),
    Case("email-readme-yourcompany", "alarms.emails[0]", {"alarms": {"emails": ["oncall@yourcompany.com"]}}),
    Case("email-your-domain", "alarms.emails[0]", {"alarms": {"emails": ["ops@your-domain.com"]}}),
    Case("email-placeholder-word", "alarms.emails[0]", {"alarms": {"emails": ["ops@placeholder.net"]}}),
    Case("email-not-an-address", "alarms.emails[0]", {"alarms": {"emails": ["not-an-address"]}}),
    Case(
        "email-duplicate", "alarms.emails", {"alarms": {"emails": ["ops@webstack-test.net", "OPS@webstack-test.net"]}}
    ),
    Case("account-documentation-example", "account", {"account": "111122223333"}),
    Case("zone-example-com", "domain.zone_name", domain(zone_name="example.com", site_names=["www.example.com"])),
    Case(
        "zone-yourcompany", "domain.zone_name", domain(zone_name="yourcompany.com", site_names=["www.yourcompany.com"])
    ),
    Case("site-outside-zone", "domain.site_names[0]", domain(site_names=["www.other-site.net"])),
    Case("origin-is-site", "domain.origin_name", domain(origin_name="www.webstack-test.net")),
    Case("origin-wildcard", "domain.origin_name", domain(origin_name="*.webstack-test.net")),
    Case("site-names-duplicate", "domain.site_names", domain(site_names=["www.webstack-test.net"] * 2)),
    Case("site-names-empty", "domain.site_names", domain(site_names=[])),
    Case("zone-id-bad", "domain.hosted_zone_id", domain(hosted_zone_id="zone-1")),
    Case("site-name-not-dns", "domain.site_names[0]", domain(site_names=["www..webstack-test.net"])),
]

NETWORK = [
    Case("vpc-link-local", "vpc_cidr", {"vpc_cidr": "169.254.0.0/16"}),
    Case("vpc-loopback", "vpc_cidr", {"vpc_cidr": "127.0.0.0/16"}),
    Case("vpc-public", "vpc_cidr", {"vpc_cidr": "8.8.0.0/16"}),
    Case("vpc-cgnat", "vpc_cidr", {"vpc_cidr": "100.64.0.0/16"}),
    Case("vpc-slash-8", "vpc_cidr", {"vpc_cidr": "10.0.0.0/8"}),
    Case("vpc-slash-21", "vpc_cidr", {"vpc_cidr": "10.0.0.0/21"}),
    Case("vpc-host-bits", "vpc_cidr", {"vpc_cidr": "10.0.0.1/16"}),
    Case(
        "vpc-too-small-for-zones",
        "vpc_cidr",
        {"vpc_cidr": "10.0.0.0/20", "availability_zones": ["us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d"]},
    ),
    Case("zones-one", "availability_zones", {"availability_zones": ["us-west-2a"]}),
    Case("zones-other-region", "availability_zones[0]", {"availability_zones": ["us-east-1a", "us-east-1b"]}),
    Case("zones-unknown-letter", "availability_zones[1]", {"availability_zones": ["us-west-2a", "us-west-2z"]}),
    Case("zones-duplicate", "availability_zones", {"availability_zones": ["us-west-2a", "us-west-2a"]}),
    Case("nat-over-zones", "nat_gateways", {"nat_gateways": 5}),
    Case("nat-zero", "nat_gateways", {"nat_gateways": 0}),
    Case("region-unknown", "region", {"region": "mars-north-1"}),
]

ENVIRONMENT_NAMES = [
    Case("env-empty", "env", env=""),
    Case("env-unknown", "env", env="qa"),
    Case("env-upper", "env", env="PROD"),
    Case("env-padded", "env", env=" dev"),
]

# The shipped folders: the site needs its start page, the app its entry point.
FOLDERS = [
    Case("folder-site-missing", "site.path", {"site": {"path": "no-such-site"}}),
    Case("folder-site-is-a-file", "site.path", {"site": {"path": "README.md"}}),
    Case("folder-site-without-index", "site.path", {"site": {"path": "app"}}),
    Case("folder-site-empty-path", "site.path", {"site": {"path": ""}}),
    Case("folder-app-missing", "app.path", {"app": {"path": "/nonexistent/webstack-app"}}),
    Case("folder-app-without-package", "app.path", {"app": {"path": "site"}}),
    Case("folder-site-memory-too-small", "site.deployment_memory_mb", {"site": {"deployment_memory_mb": 64}}),
]

INVALID = FILES + TYPES + UNKNOWN + TEMPLATE_LOGIC + LIMITS + PLACEHOLDERS + NETWORK + ENVIRONMENT_NAMES + FOLDERS

VALID = [
    ("apex-and-wildcard", {"domain": {**ZONE, "site_names": ["webstack-test.net", "*.webstack-test.net"]}}),
    (
        "domain-with-origin",
        {"domain": {**ZONE, "site_names": ["www.webstack-test.net"], "origin_name": "origin.webstack-test.net"}},
    ),
    ("graviton-a1", {"instance_type": "a1.large", "scaling": {"extra_instance_types": ["t4g.large", "m6g.large"]}}),
    ("graviton-t4g", {"instance_type": "t4g.small"}),
    ("x86-mixed", {"scaling": {"extra_instance_types": ["t3a.micro", "t2.micro"]}}),
    ("gpu-family-is-x86", {"instance_type": "g5.xlarge"}),
    ("woff2-pattern", {"cdn": {"immutable_paths": ["/assets/*", "*.woff2"]}}),
    ("pattern-without-slash", {"cdn": {"immutable_paths": ["static/*.js"]}}),
    ("cron-names", schedule(cron="0 7 * JAN-DEC MON-FRI")),
    ("cron-steps-and-lists", schedule(cron="*/15 0,12 1-15 * *")),
    ("cron-sunday-7", schedule(cron="0 7 * * 7")),
    ("period-10", {"alarms": {"period_seconds": 10}}),
    ("period-30", {"alarms": {"period_seconds": 30}}),
    ("window-exactly-a-day", {"alarms": {"period_seconds": 3600, "evaluation_periods": 24}}),
    ("tags-47", {"tags": {f"k{i}": "v" for i in range(47)}}),
    ("tag-unicode-letters", {"tags": {"Team": "Équipe web"}}),
    ("schema-key", {"$schema": "../docs/config.schema.json", "nat_gateways": 2}),
    ("waf-logging-off", {"waf": {"enabled": True, "logging": False}}),
    ("waf-ipv6-range", {"waf": {"enabled": True, "allow_ips": ["2001:db8::/32"], "block_ips": ["198.51.100.0/24"]}}),
    ("emails-real-domain", {"alarms": {"emails": ["oncall@webstack-test.net", "sre@webstack-test.net"]}}),
    ("slow-start-off", {"load_balancing": {"slow_start_seconds": 0}}),
    ("float-latency", {"alarms": {"p99_latency_seconds": 0.75}}),
    ("int-latency", {"alarms": {"p99_latency_seconds": 1}}),
    ("own-account", {"account": "210987654321"}),
    ("header-40-chars", {"origin_protection": {"header_name": "X" * 40}}),
    (
        "vpc-slash-20-three-zones",
        {
            "vpc_cidr": "10.0.0.0/20",
            "availability_zones": ["us-west-2a", "us-west-2b", "us-west-2c"],
            "nat_gateways": 3,
        },
    ),
    ("other-region", {"region": "eu-west-1", "availability_zones": ["eu-west-1a", "eu-west-1b"]}),
    ("geo-allowlist", {"geo_allowlist": ["US", "CA"]}),
    ("capacity-zero-floor", {"capacity": {"min": 0, "desired": 0}}),
    ("empty-overrides", {}),
]


def _load_app_module() -> Any:
    spec = importlib.util.spec_from_file_location("webstack_app_entry", ROOT / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


APP = _load_app_module()


def _config_value(case: Case, tmp_path: Path) -> Any:
    if case.directory:
        return str(tmp_path)
    if case.raw is not None:
        path = tmp_path / "overrides.json"
        path.write_bytes(case.raw)
        return str(path)
    # As the CLI passes it: -c config='{...}' is JSON text.
    return None if case.overrides is None else json.dumps(case.overrides)


def run_app(env: str | None, config: Any, outdir: Path) -> tuple[int, str]:
    """``python app.py -c env=... -c config=...`` in-process: returns (exit status, stderr)."""
    context: dict[str, Any] = {}
    if env is not None:
        context["env"] = env
    if config is not None:
        context["config"] = config
    err = io.StringIO()
    with redirect_stderr(err):
        status = APP.main(context=context, outdir=str(outdir))
    return status, err.getvalue()


def _ids(cases: list[Case]) -> Iterator[str]:
    return (c.id for c in cases)


@pytest.mark.parametrize("case", INVALID, ids=list(_ids(INVALID)))
def test_invalid_input_is_one_line_exit_2_nothing_written(case: Case, tmp_path: Path):
    outdir = tmp_path / "cdk.out"
    status, stderr = run_app(case.env, _config_value(case, tmp_path), outdir)
    lines = stderr.strip().splitlines()
    assert status == 2, stderr
    assert len(lines) == 1, f"not one line: {stderr!r}"
    line = lines[0]
    assert line.startswith("webstack: ") and "Fix: " in line, line
    assert case.field in line, f"{case.field!r} not named in: {line}"
    assert "Traceback" not in stderr
    assert len(line) < 600, "messages stay short: values are truncated"
    assert "\x1b" not in line, "terminal escape codes never reach the terminal"
    assert not outdir.exists(), "nothing is written on invalid input"


@pytest.mark.parametrize(("name", "overrides"), VALID, ids=[v[0] for v in VALID])
def test_valid_controls_load(name: str, overrides: dict[str, Any]):
    env = "prod" if name.startswith("waf-") else "dev"
    config = config_of(env, overrides)
    assert config.name == env


def test_corpus_size_and_categories():
    assert len(INVALID) + len(VALID) >= 120
    categories = {c.id.split("-")[0] for c in INVALID}
    assert len(categories) >= 20, sorted(categories)


def test_unknown_field_suggests_the_nearest_name():
    with pytest.raises(ConfigError, match="did you mean `capacity`"):
        load_config("dev", {"capacty": {"max": 3}})
    with pytest.raises(ConfigError, match="did you mean `max`"):
        load_config("dev", {"capacity": {"mx": 3}})
