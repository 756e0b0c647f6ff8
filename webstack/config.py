"""Typed, frozen, validated configuration: one model per environment.

`load_config(name, overrides)` is the only way in. It starts from the
environment's defaults (`ENVIRONMENTS`), applies overrides (a nested mapping,
usually read from a JSON file by ``app.py``), and validates the result once.
A problem raises :class:`ConfigError`, whose message names the offending field
and the fix; ``app.py`` turns it into one clear line and a non-zero exit
before anything is synthesized.

Fields say what varies (``nat_gateways``, ``retain_data``), never which
environment it is: constructs receive these values as keyword arguments and
never read context, files or the process environment themselves.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from webstack_pitfalls.aws import CLOUDFRONT_REGION

DEFAULT_REGION = "us-west-2"

# Regions webstack knows and the zone letters each one offers. A zone outside
# this table fails validation instead of being discovered at deploy time.
REGION_ZONES: dict[str, str] = {
    "us-east-1": "abcdef",
    "us-east-2": "abc",
    "us-west-1": "ac",
    "us-west-2": "abcd",
    "ca-central-1": "abd",
    "eu-west-1": "abc",
    "eu-west-2": "abc",
    "eu-west-3": "abc",
    "eu-central-1": "abc",
    "eu-north-1": "abc",
    "ap-southeast-1": "abc",
    "ap-southeast-2": "abc",
    "ap-northeast-1": "acd",
    "ap-south-1": "abc",
    "sa-east-1": "abc",
}

# CloudWatch Logs accepts only these retention periods (days).
LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)

PRICE_CLASSES = ("PriceClass_100", "PriceClass_200", "PriceClass_All")

# Values that mark a configuration as a sample rather than a decision (F2).
_PLACEHOLDER = re.compile(
    r"(example\.(com|org|net)|placeholder|changeme|your[-_]?(domain|email)|@test\.)",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_INSTANCE_TYPE = re.compile(r"^[a-z][a-z0-9-]*\.(nano|micro|small|medium|large|[0-9]*xlarge|metal)$")
_ACCOUNT = re.compile(r"^[0-9]{12}$")
_TAG_KEY = re.compile(r"^[\w .:/=+\-@]{1,128}$")


class ConfigError(ValueError):
    """Invalid configuration: names the field, the problem and the fix."""

    def __init__(self, field_path: str, problem: str, fix: str) -> None:
        self.field = field_path
        self.problem = problem
        self.fix = fix
        super().__init__(f"{field_path}: {problem}. Fix: {fix}")


@dataclass(frozen=True, kw_only=True)
class Capacity:
    """Auto Scaling Group size."""

    min: int
    desired: int
    max: int


@dataclass(frozen=True, kw_only=True)
class ScheduledScaling:
    """A recurring capacity change (UTC cron), e.g. scale up before business hours."""

    # Unique name of the scheduled action.
    name: str
    # When, in UTC: "minute hour day month weekday", e.g. "0 7 * * 1-5".
    cron: str
    # Group minimum from then on.
    min: int
    # Group maximum from then on.
    max: int


@dataclass(frozen=True, kw_only=True)
class Scaling:
    """Target tracking: scale on CPU *and* on load (requests per target)."""

    cpu_target_percent: int = 50
    # ALB requests per target per minute that target tracking aims for.
    requests_per_target: int = 1000
    instance_warmup_seconds: int = 180
    # Share of capacity.min kept in service while instances are replaced.
    min_healthy_percent: int = 100
    # More instance types of the same architecture (spreads over capacity pools).
    extra_instance_types: tuple[str, ...] = ()
    # Recurring capacity changes: [{"name", "cron" (UTC, 5 fields), "min", "max"}].
    schedules: tuple[ScheduledScaling, ...] = ()


@dataclass(frozen=True, kw_only=True)
class LoadBalancing:
    """ALB and target-group timings."""

    # Longest a connection may sit idle; above the slowest endpoint's response time.
    idle_timeout_seconds: int = 60
    # Connection draining: in-flight requests finish before a target leaves.
    deregistration_delay_seconds: int = 30
    # New targets get a linearly growing share of traffic while caches warm (0 = off).
    slow_start_seconds: int = 60


@dataclass(frozen=True, kw_only=True)
class CdnTuning:
    """Cache design at the edge."""

    # Paths of content-hashed files: cached for a year and marked immutable.
    immutable_paths: tuple[str, ...] = ("/assets/*", "/static/*")
    # Edge and browser lifetime of those files (days).
    immutable_ttl_days: int = 365
    # Everything else from the bucket (HTML): short, so a deploy shows quickly.
    html_ttl_seconds: int = 60
    # How long CloudFront remembers an error response before asking again.
    error_caching_seconds: int = 10
    # A regional cache in front of the origins (in the app region).
    origin_shield: bool = False


@dataclass(frozen=True, kw_only=True)
class Alarms:
    """Alarm thresholds and who hears about them."""

    emails: tuple[str, ...] = ()
    cpu_high_percent: int = 80
    alb_5xx_count: int = 10
    # Application (target) 5xx responses as a share of requests (%).
    target_5xx_rate_percent: int = 5
    # Alarm when the 99th percentile of target response time exceeds this.
    p99_latency_seconds: float = 2.0
    cloudfront_4xx_rate_percent: int = 15
    # Alarm threshold on CloudFront's 5xx error rate (%), evaluated in us-east-1.
    cloudfront_5xx_rate_percent: int = 5
    # WAF blocks per period that mean an attack (or a rule blocking real users).
    waf_blocked_requests: int = 500
    evaluation_periods: int = 3
    period_seconds: int = 60


# AWS-managed prefix list "com.amazonaws.global.cloudfront.origin-facing", per
# region (AWS publishes one id per region; verify with
#   aws ec2 describe-managed-prefix-lists \
#     --filters Name=prefix-list-name,Values=com.amazonaws.global.cloudfront.origin-facing
# and override with origin_protection.prefix_list_id if AWS ever changes it).
CLOUDFRONT_ORIGIN_FACING_PREFIX_LISTS: dict[str, str] = {
    "ap-northeast-1": "pl-58a04531",
    "ap-south-1": "pl-9aa247f3",
    "ap-southeast-1": "pl-31a34658",
    "ap-southeast-2": "pl-b8a742d1",
    "ca-central-1": "pl-38a64351",
    "eu-central-1": "pl-a3a144ca",
    "eu-north-1": "pl-fab65393",
    "eu-west-1": "pl-4fa04526",
    "eu-west-2": "pl-93a247fa",
    "eu-west-3": "pl-75b1541c",
    "sa-east-1": "pl-5da64334",
    "us-east-1": "pl-3b927c52",
    "us-east-2": "pl-b6a144df",
    "us-west-1": "pl-4ea04527",
    "us-west-2": "pl-82a045eb",
}

# CloudFront accepts web ACLs and certificates from us-east-1 only (D3, D4).
# CloudFront takes web ACLs and certificates from us-east-1 only (D3, D4).
EDGE_REGION = CLOUDFRONT_REGION

_ZONE_ID = re.compile(r"^Z[A-Z0-9]{1,31}$")
_DNS_NAME = re.compile(r"^(?=.{1,253}$)(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_HEADER_NAME = re.compile(r"^[A-Za-z0-9-]{1,64}$")
_RULE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


@dataclass(frozen=True, kw_only=True)
class Domain:
    """A custom domain served by CloudFront, validated in a Route 53 hosted zone."""

    hosted_zone_id: str
    zone_name: str
    site_names: tuple[str, ...]
    # A name for the ALB (gets its own regional certificate and HTTPS listener).
    origin_name: str | None = None


@dataclass(frozen=True, kw_only=True)
class ManagedRuleGroup:
    """An AWS managed WAF rule group; ``count_rules`` are set to count instead of block."""

    name: str
    vendor: str = "AWS"
    count_rules: tuple[str, ...] = ()


DEFAULT_RULE_GROUPS = (
    ManagedRuleGroup(name="AWSManagedRulesAmazonIpReputationList"),
    ManagedRuleGroup(name="AWSManagedRulesCommonRuleSet"),
    ManagedRuleGroup(name="AWSManagedRulesKnownBadInputsRuleSet"),
    ManagedRuleGroup(name="AWSManagedRulesSQLiRuleSet"),
)


@dataclass(frozen=True, kw_only=True)
class Waf:
    """AWS WAF in front of CloudFront (CLOUDFRONT scope, in us-east-1)."""

    enabled: bool = False
    managed_rule_groups: tuple[ManagedRuleGroup, ...] = DEFAULT_RULE_GROUPS
    # Requests per 5 minutes from one IP before it is blocked.
    rate_limit: int = 2000
    allow_ips: tuple[str, ...] = ()
    block_ips: tuple[str, ...] = ()
    logging: bool = True
    # Also attach a REGIONAL web ACL to the ALB (defence in depth).
    protect_alb: bool = False


@dataclass(frozen=True, kw_only=True)
class OriginProtection:
    """Only CloudFront may reach the ALB: prefix list + secret origin-verify header."""

    enabled: bool = True
    prefix_list_id: str | None = None
    header_name: str = "X-Origin-Verify"


@dataclass(frozen=True, kw_only=True)
class EnvironmentConfig:
    """Everything that differs between dev, staging and prod."""

    name: str
    region: str = DEFAULT_REGION
    account: str | None = None
    availability_zones: tuple[str, ...]
    vpc_cidr: str
    nat_gateways: int
    instance_type: str
    capacity: Capacity
    scaling: Scaling = field(default_factory=Scaling)
    load_balancing: LoadBalancing = field(default_factory=LoadBalancing)
    cdn: CdnTuning = field(default_factory=CdnTuning)
    alarms: Alarms = field(default_factory=Alarms)
    log_retention_days: int
    retain_data: bool
    deletion_protection: bool
    price_class: str = "PriceClass_100"
    # ISO 3166-1 alpha-2 countries CloudFront serves; empty = the whole world.
    geo_allowlist: tuple[str, ...] = ()
    noncurrent_version_expiration_days: int = 90
    log_bucket_expiration_days: int = 365
    tags: Mapping[str, str] = field(default_factory=dict)
    domain: Domain | None = None
    waf: Waf = field(default_factory=Waf)
    origin_protection: OriginProtection = field(default_factory=OriginProtection)
    edge_region: str = EDGE_REGION

    @property
    def stack_prefix(self) -> str:
        return f"webstack-{self.name}"

    @property
    def has_edge_stack(self) -> bool:
        """Whether anything must live in us-east-1 besides CloudFront alarms."""
        return self.waf.enabled or self.domain is not None

    @property
    def cloudfront_prefix_list_id(self) -> str:
        return self.origin_protection.prefix_list_id or CLOUDFRONT_ORIGIN_FACING_PREFIX_LISTS[self.region]


ENVIRONMENTS: dict[str, EnvironmentConfig] = {
    "dev": EnvironmentConfig(
        name="dev",
        availability_zones=("us-west-2a", "us-west-2b"),
        vpc_cidr="10.10.0.0/16",
        nat_gateways=1,
        instance_type="t3.micro",
        capacity=Capacity(min=1, desired=1, max=2),
        log_retention_days=7,
        retain_data=False,
        deletion_protection=False,
        log_bucket_expiration_days=30,
        noncurrent_version_expiration_days=7,
    ),
    "staging": EnvironmentConfig(
        name="staging",
        availability_zones=("us-west-2a", "us-west-2b"),
        vpc_cidr="10.20.0.0/16",
        nat_gateways=1,
        instance_type="t3.small",
        capacity=Capacity(min=2, desired=2, max=4),
        log_retention_days=30,
        retain_data=True,
        deletion_protection=False,
        log_bucket_expiration_days=90,
        noncurrent_version_expiration_days=30,
    ),
    "prod": EnvironmentConfig(
        name="prod",
        availability_zones=("us-west-2a", "us-west-2b", "us-west-2c"),
        vpc_cidr="10.30.0.0/16",
        # One NAT gateway per zone: a zone outage does not cut egress.
        nat_gateways=3,
        instance_type="t3.medium",
        capacity=Capacity(min=3, desired=3, max=12),
        log_retention_days=365,
        retain_data=True,
        deletion_protection=True,
        price_class="PriceClass_All",
        alarms=Alarms(evaluation_periods=3, period_seconds=60),
        waf=Waf(enabled=True, protect_alb=True),
        cdn=CdnTuning(origin_shield=True),
    ),
}


# --------------------------------------------------------------------------
# Loading: defaults + overrides -> one validated, frozen model.
# --------------------------------------------------------------------------

_OPTIONAL_NESTED: dict[str, type] = {"domain": Domain}
_NESTED_LISTS: dict[str, type] = {"managed_rule_groups": ManagedRuleGroup, "schedules": ScheduledScaling}


def load_config(name: str, overrides: Mapping[str, Any] | None = None) -> EnvironmentConfig:
    """Return the validated configuration of environment ``name``."""
    if name not in ENVIRONMENTS:
        raise ConfigError(
            "env",
            f"unknown environment {name!r}",
            f"use one of {', '.join(ENVIRONMENTS)} (cdk synth -c env=NAME / ENV=NAME make ...)",
        )
    base = ENVIRONMENTS[name]
    config = _apply(base, overrides or {}, prefix="") if overrides else base
    validate(config)
    return config


def _apply(obj: Any, overrides: Mapping[str, Any], prefix: str) -> Any:
    if not isinstance(overrides, Mapping):
        raise ConfigError(prefix.rstrip(".") or "config", "must be an object", "give a JSON object of fields")
    known = {f.name: f for f in dataclasses.fields(obj)}
    changes: dict[str, Any] = {}
    for key, value in overrides.items():
        path = f"{prefix}{key}"
        if key not in known or key == "name":
            raise ConfigError(
                path,
                "unknown field",
                f"remove it or use one of {', '.join(k for k in known if k != 'name')}",
            )
        changes[key] = _override_value(key, getattr(obj, key), value, path)
    return dataclasses.replace(obj, **changes)


def _override_value(key: str, current: Any, value: Any, path: str) -> Any:
    """The new value of one field, built and shape-checked like the defaults."""
    if key in _OPTIONAL_NESTED:
        return None if value is None else _build(_OPTIONAL_NESTED[key], value, prefix=f"{path}.")
    if key in _NESTED_LISTS:
        if not isinstance(value, (list, tuple)):
            raise ConfigError(path, "must be a list", "write it as a JSON list of objects")
        return tuple(_build(_NESTED_LISTS[key], item, prefix=f"{path}[{i}].") for i, item in enumerate(value))
    if dataclasses.is_dataclass(current):
        return _apply(current, value, prefix=f"{path}.")
    if isinstance(current, tuple) or key == "availability_zones":
        if not isinstance(value, (list, tuple)):
            raise ConfigError(
                path, "must be a list", f'write it as a JSON list, e.g. ["{current[0] if current else "value"}"]'
            )
        return tuple(value)
    if key == "tags":
        if not isinstance(value, Mapping):
            raise ConfigError(path, "must be an object", 'write it as {"Key": "Value"}')
        return dict(value)
    return value


def _build(cls: type, values: Any, prefix: str) -> Any:
    """A nested config object from a JSON object, naming missing fields."""
    if not isinstance(values, Mapping):
        raise ConfigError(prefix.rstrip("."), "must be an object", "give a JSON object of fields")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = [k for k in values if k not in fields]
    if unknown:
        raise ConfigError(f"{prefix}{unknown[0]}", "unknown field", f"use one of {', '.join(fields)}")
    required = [
        name
        for name, f in fields.items()
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING and name not in values
    ]
    if required:
        raise ConfigError(f"{prefix}{required[0]}", "is required", f"add {required[0]!r} to {prefix.rstrip('.')}")
    converted = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
    return cls(**converted)


def _require_type(path: str, value: Any, kind: type | tuple[type, ...], example: str) -> None:
    # bool is an int in Python; a count of `true` is a mistake, not a 1.
    if isinstance(value, bool) and kind is not bool:
        raise ConfigError(path, f"must be {example}, got {value!r}", f"set it to {example}")
    if not isinstance(value, kind):
        raise ConfigError(path, f"must be {example}, got {value!r}", f"set it to {example}")


def _require_range(path: str, value: Any, low: int, high: int) -> None:
    _require_type(path, value, int, f"a whole number from {low} to {high}")
    if not low <= value <= high:
        raise ConfigError(path, f"{value} is out of range", f"use a whole number from {low} to {high}")


def validate(c: EnvironmentConfig) -> None:
    """Raise ConfigError on the first invalid field."""
    _validate_account_and_zones(c)
    _validate_network_and_compute(c)
    _validate_capacity(c)
    _validate_scaling(c)
    _validate_schedules(c)
    _validate_load_balancing_and_cdn(c)
    _validate_alarms(c)
    _validate_data(c)
    _validate_tags(c)
    _validate_edge(c)


def _validate_account_and_zones(c: EnvironmentConfig) -> None:
    """Region, account and availability zones."""
    _require_type("region", c.region, str, "a region name such as us-west-2")
    if c.region not in REGION_ZONES:
        raise ConfigError("region", f"unsupported region {c.region!r}", f"use one of {', '.join(REGION_ZONES)}")
    if c.account is not None:
        _require_type("account", c.account, str, "a 12-digit account id in quotes")
        if not _ACCOUNT.match(c.account):
            raise ConfigError(
                "account",
                f"{c.account!r} is not a 12-digit AWS account id",
                "set the 12 digits of your account, or leave it out",
            )

    zones = c.availability_zones
    if len(zones) < 2:
        raise ConfigError(
            "availability_zones",
            "needs at least two zones (an ALB requires subnets in two zones)",
            f'list two or more, e.g. ["{c.region}a", "{c.region}b"]',
        )
    letters = REGION_ZONES[c.region]
    for i, zone in enumerate(zones):
        if (
            not isinstance(zone, str)
            or not re.fullmatch(re.escape(c.region) + r"[a-z]", zone)
            or zone[-1] not in letters
        ):
            raise ConfigError(
                f"availability_zones[{i}]",
                f"{zone!r} is not a zone of {c.region}",
                f"use one of {', '.join(c.region + letter for letter in letters)}",
            )
    if len(set(zones)) != len(zones):
        raise ConfigError("availability_zones", "lists a zone twice", "list each zone once")


def _validate_network_and_compute(c: EnvironmentConfig) -> None:
    """VPC block, NAT gateways, instance type."""
    try:
        network = ipaddress.IPv4Network(c.vpc_cidr, strict=True)
    except (ValueError, TypeError) as err:
        raise ConfigError(
            "vpc_cidr", f"{c.vpc_cidr!r} is not a valid IPv4 CIDR ({err})", "use a private block such as 10.10.0.0/16"
        ) from None
    if not 16 <= network.prefixlen <= 20:
        raise ConfigError(
            "vpc_cidr",
            f"prefix /{network.prefixlen} is outside /16../20",
            "use a /16 to /20 block (subnets are carved as /24 and /22)",
        )
    if not network.is_private:
        raise ConfigError(
            "vpc_cidr",
            f"{c.vpc_cidr} is not a private (RFC 1918) range",
            "use a block inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16",
        )

    _require_range("nat_gateways", c.nat_gateways, 1, len(c.availability_zones))
    _require_type("instance_type", c.instance_type, str, "an EC2 instance type such as t3.small")
    if not _INSTANCE_TYPE.match(c.instance_type):
        raise ConfigError(
            "instance_type",
            f"{c.instance_type!r} is not an EC2 instance type",
            "use a type such as t3.small or m7g.large",
        )


def _validate_capacity(c: EnvironmentConfig) -> None:
    """min <= desired <= max."""
    _require_range("capacity.min", c.capacity.min, 0, 100)
    _require_range("capacity.max", c.capacity.max, 1, 100)
    _require_range("capacity.desired", c.capacity.desired, 0, 100)
    if c.capacity.min > c.capacity.max:
        raise ConfigError(
            "capacity.min",
            f"min ({c.capacity.min}) is greater than max ({c.capacity.max})",
            "make min <= desired <= max",
        )
    if not c.capacity.min <= c.capacity.desired <= c.capacity.max:
        raise ConfigError(
            "capacity.desired",
            f"desired ({c.capacity.desired}) is outside min..max ({c.capacity.min}..{c.capacity.max})",
            "make min <= desired <= max",
        )


def _validate_scaling(c: EnvironmentConfig) -> None:
    """Target tracking, warm-up, rolling floor, extra instance types."""
    _require_range("scaling.cpu_target_percent", c.scaling.cpu_target_percent, 10, 90)
    _require_range("scaling.requests_per_target", c.scaling.requests_per_target, 1, 100000)
    _require_range("scaling.instance_warmup_seconds", c.scaling.instance_warmup_seconds, 0, 3600)
    _require_range("scaling.min_healthy_percent", c.scaling.min_healthy_percent, 0, 100)
    for i, extra in enumerate(c.scaling.extra_instance_types):
        path = f"scaling.extra_instance_types[{i}]"
        if not isinstance(extra, str) or not _INSTANCE_TYPE.match(extra):
            raise ConfigError(path, f"{extra!r} is not an EC2 instance type", "use a type such as t3.small")
        if _is_graviton(extra) != _is_graviton(c.instance_type):
            raise ConfigError(
                path,
                f"{extra} and {c.instance_type} have different CPU architectures",
                "mix only x86_64 types or only Graviton (arm64) types: one AMI serves them all",
            )


def _validate_schedules(c: EnvironmentConfig) -> None:
    """Scheduled scaling: unique names, 5-field cron, min <= max."""
    names = set()
    for i, schedule in enumerate(c.scaling.schedules):
        path = f"scaling.schedules[{i}]"
        if not isinstance(schedule.name, str) or not _RULE_NAME.match(schedule.name) or schedule.name in names:
            raise ConfigError(
                f"{path}.name", f"{schedule.name!r} is not a unique name", "use letters, digits, - or _, once each"
            )
        names.add(schedule.name)
        if not isinstance(schedule.cron, str) or len(schedule.cron.split()) != 5:
            raise ConfigError(
                f"{path}.cron",
                f"{schedule.cron!r} is not a 5-field cron expression",
                'use "minute hour day month weekday" in UTC, e.g. "0 7 * * 1-5"',
            )
        _require_range(f"{path}.min", schedule.min, 0, 100)
        _require_range(f"{path}.max", schedule.max, 1, 100)
        if schedule.min > schedule.max:
            raise ConfigError(
                f"{path}.min", f"min ({schedule.min}) is greater than max ({schedule.max})", "make min <= max"
            )


def _validate_load_balancing_and_cdn(c: EnvironmentConfig) -> None:
    """ALB timings and CDN cache tuning."""
    lb = c.load_balancing
    _require_range("load_balancing.idle_timeout_seconds", lb.idle_timeout_seconds, 1, 4000)
    _require_range("load_balancing.deregistration_delay_seconds", lb.deregistration_delay_seconds, 0, 3600)
    if lb.slow_start_seconds != 0:
        _require_range("load_balancing.slow_start_seconds", lb.slow_start_seconds, 30, 900)
    cdn = c.cdn
    for i, pattern in enumerate(cdn.immutable_paths):
        if not isinstance(pattern, str) or not pattern.startswith("/") or pattern.startswith("/api"):
            raise ConfigError(
                f"cdn.immutable_paths[{i}]",
                f"{pattern!r} is not a static path pattern",
                'use a pattern such as "/assets/*" (not /api)',
            )
    _require_range("cdn.immutable_ttl_days", cdn.immutable_ttl_days, 1, 365)
    _require_range("cdn.html_ttl_seconds", cdn.html_ttl_seconds, 0, 86400)
    _require_range("cdn.error_caching_seconds", cdn.error_caching_seconds, 0, 3600)
    _require_type("cdn.origin_shield", cdn.origin_shield, bool, "true or false")


def _validate_alarms(c: EnvironmentConfig) -> None:
    """Alarm e-mails (no placeholders), thresholds and periods."""
    if isinstance(c.alarms.emails, str) or not isinstance(c.alarms.emails, (tuple, list)):
        raise ConfigError(
            "alarms.emails", "must be a list of addresses", 'write ["oncall@your-company.tld"] style JSON list'
        )
    for i, email in enumerate(c.alarms.emails):
        path = f"alarms.emails[{i}]"
        if not isinstance(email, str) or not _EMAIL.match(email):
            raise ConfigError(
                path, f"{email!r} is not an e-mail address", "use a full address such as ops@yourcompany.com"
            )
        if _PLACEHOLDER.search(email):
            raise ConfigError(
                path,
                f"{email!r} is a placeholder address",
                "use a real mailbox that someone reads, or leave the list empty",
            )
    _require_range("alarms.cpu_high_percent", c.alarms.cpu_high_percent, 1, 100)
    _require_range("alarms.alb_5xx_count", c.alarms.alb_5xx_count, 1, 1_000_000)
    _require_range("alarms.cloudfront_4xx_rate_percent", c.alarms.cloudfront_4xx_rate_percent, 1, 100)
    _require_range("alarms.cloudfront_5xx_rate_percent", c.alarms.cloudfront_5xx_rate_percent, 1, 100)
    _require_range("alarms.target_5xx_rate_percent", c.alarms.target_5xx_rate_percent, 1, 100)
    _require_range("alarms.waf_blocked_requests", c.alarms.waf_blocked_requests, 1, 10_000_000)
    latency = c.alarms.p99_latency_seconds
    if isinstance(latency, bool) or not isinstance(latency, (int, float)) or not 0.01 <= latency <= 60:
        raise ConfigError(
            "alarms.p99_latency_seconds",
            f"{latency!r} is out of range",
            "use seconds from 0.01 to 60 (the ALB times out at the idle timeout)",
        )
    _require_range("alarms.evaluation_periods", c.alarms.evaluation_periods, 1, 100)
    if c.alarms.period_seconds not in (10, 30) and (
        not isinstance(c.alarms.period_seconds, int) or c.alarms.period_seconds % 60 or c.alarms.period_seconds <= 0
    ):
        raise ConfigError(
            "alarms.period_seconds",
            f"{c.alarms.period_seconds!r} is not a CloudWatch period",
            "use 10, 30 or a multiple of 60",
        )


def _validate_data(c: EnvironmentConfig) -> None:
    """Retention, protection, price class, geography, lifecycle."""
    if c.log_retention_days not in LOG_RETENTION_DAYS or isinstance(c.log_retention_days, bool):
        raise ConfigError(
            "log_retention_days",
            f"{c.log_retention_days!r} is not a CloudWatch Logs retention",
            f"use one of {', '.join(map(str, LOG_RETENTION_DAYS))}",
        )
    _require_type("retain_data", c.retain_data, bool, "true or false")
    _require_type("deletion_protection", c.deletion_protection, bool, "true or false")
    if c.deletion_protection and not c.retain_data:
        raise ConfigError(
            "retain_data",
            "is false while deletion_protection is true",
            "protect an environment only together with retain_data: true",
        )
    if c.price_class not in PRICE_CLASSES:
        raise ConfigError(
            "price_class",
            f"{c.price_class!r} is not a CloudFront price class",
            f"use one of {', '.join(PRICE_CLASSES)}",
        )
    if isinstance(c.geo_allowlist, str) or not isinstance(c.geo_allowlist, (tuple, list)):
        raise ConfigError("geo_allowlist", "must be a list of country codes", 'write e.g. ["US", "CA"]')
    for i, country in enumerate(c.geo_allowlist):
        if not isinstance(country, str) or not re.fullmatch(r"[A-Z]{2}", country):
            raise ConfigError(
                f"geo_allowlist[{i}]",
                f"{country!r} is not an ISO 3166-1 alpha-2 code",
                "use two capital letters, e.g. US",
            )
    _require_range("noncurrent_version_expiration_days", c.noncurrent_version_expiration_days, 1, 3650)
    _require_range("log_bucket_expiration_days", c.log_bucket_expiration_days, 1, 3650)


def _validate_tags(c: EnvironmentConfig) -> None:
    """Tag keys and values."""
    if not isinstance(c.tags, Mapping):
        raise ConfigError("tags", "must be an object", 'write {"CostCenter": "1234"}')
    for key, value in c.tags.items():
        if not isinstance(key, str) or not _TAG_KEY.match(key) or key.lower().startswith("aws:"):
            raise ConfigError(
                f"tags.{key}",
                "is not a valid tag key",
                "use 1-128 letters, digits, spaces or _ . : / = + - @, not starting with aws:",
            )
        if not isinstance(value, str) or len(value) > 256:
            raise ConfigError(f"tags.{key}", "value must be a string of at most 256 characters", "quote the value")


def _is_graviton(instance_type: str) -> bool:
    family = instance_type.split(".", maxsplit=1)[0]
    return bool(re.match(r"^[a-z]+[0-9]+[a-z]*g[a-z]*$", family)) and family not in ("g4dn", "g5", "g6")


def _validate_edge(c: EnvironmentConfig) -> None:
    if c.edge_region != EDGE_REGION:
        raise ConfigError(
            "edge_region",
            f"CloudFront accepts web ACLs and certificates only from {EDGE_REGION}, not {c.edge_region!r}",
            f"leave edge_region at {EDGE_REGION}",
        )
    if c.domain is not None:
        _validate_domain(c.domain)
    _validate_waf(c.waf)
    _validate_origin_protection(c)


def _validate_waf(w: Waf) -> None:
    """Switches, rate limit, managed groups (unique, with valid count overrides), IP sets."""
    _require_type("waf.enabled", w.enabled, bool, "true or false")
    _require_type("waf.logging", w.logging, bool, "true or false")
    _require_type("waf.protect_alb", w.protect_alb, bool, "true or false")
    if w.protect_alb and not w.enabled:
        raise ConfigError("waf.protect_alb", "is true while waf.enabled is false", "set waf.enabled: true as well")
    # AWS WAF rate-based rules accept limits from 10 to 2,000,000,000 per window.
    _require_range("waf.rate_limit", w.rate_limit, 10, 2_000_000_000)
    if w.enabled and not w.managed_rule_groups:
        raise ConfigError("waf.managed_rule_groups", "is empty", "keep at least the AWS managed Common rule set")
    _validate_rule_groups(w.managed_rule_groups)
    for field_name in ("allow_ips", "block_ips"):
        for i, cidr in enumerate(getattr(w, field_name)):
            try:
                ipaddress.ip_network(cidr, strict=True)
            except (ValueError, TypeError):
                raise ConfigError(
                    f"waf.{field_name}[{i}]",
                    f"{cidr!r} is not an IP range in CIDR form",
                    "write addresses as CIDR, e.g. 203.0.113.0/24",
                ) from None


def _validate_rule_groups(groups: tuple[ManagedRuleGroup, ...]) -> None:
    seen: set[str] = set()
    for i, group in enumerate(groups):
        path = f"waf.managed_rule_groups[{i}]"
        if not isinstance(group.name, str) or not _RULE_NAME.match(group.name):
            raise ConfigError(
                f"{path}.name",
                f"{group.name!r} is not a rule group name",
                "use a name such as AWSManagedRulesCommonRuleSet",
            )
        if group.name in seen:
            raise ConfigError(f"{path}.name", f"{group.name} is listed twice", "list each rule group once")
        seen.add(group.name)
        for j, rule in enumerate(group.count_rules):
            if not isinstance(rule, str) or not _RULE_NAME.match(rule):
                raise ConfigError(
                    f"{path}.count_rules[{j}]",
                    f"{rule!r} is not a rule name",
                    "use the rule's name, e.g. SizeRestrictions_BODY",
                )


def _validate_origin_protection(c: EnvironmentConfig) -> None:
    o = c.origin_protection
    _require_type("origin_protection.enabled", o.enabled, bool, "true or false")
    if o.prefix_list_id is not None and not re.fullmatch(r"pl-[0-9a-f]{8,17}", str(o.prefix_list_id)):
        raise ConfigError(
            "origin_protection.prefix_list_id",
            f"{o.prefix_list_id!r} is not a prefix list id",
            "use the id of com.amazonaws.global.cloudfront.origin-facing in your region, e.g. pl-82a045eb",
        )
    if o.enabled and o.prefix_list_id is None and c.region not in CLOUDFRONT_ORIGIN_FACING_PREFIX_LISTS:
        raise ConfigError(
            "origin_protection.prefix_list_id",
            f"no known CloudFront prefix list for {c.region}",
            "set it to the id of com.amazonaws.global.cloudfront.origin-facing in your region",
        )
    if not isinstance(o.header_name, str) or not _HEADER_NAME.match(o.header_name):
        raise ConfigError(
            "origin_protection.header_name",
            f"{o.header_name!r} is not an HTTP header name",
            "use letters, digits and dashes, e.g. X-Origin-Verify",
        )


def _validate_domain(d: Domain) -> None:
    if not isinstance(d.hosted_zone_id, str) or not _ZONE_ID.match(d.hosted_zone_id):
        raise ConfigError(
            "domain.hosted_zone_id",
            f"{d.hosted_zone_id!r} is not a Route 53 hosted zone id",
            "copy the id (Z...) of the public hosted zone that serves the domain",
        )
    zone = str(d.zone_name).rstrip(".").lower()
    if not _DNS_NAME.match(zone):
        raise ConfigError(
            "domain.zone_name", f"{d.zone_name!r} is not a DNS name", "use the hosted zone's name, e.g. yourcompany.com"
        )
    if _PLACEHOLDER.search(zone):
        raise ConfigError(
            "domain.zone_name", f"{zone} is a placeholder domain", "use a domain whose hosted zone you control"
        )
    if not d.site_names:
        raise ConfigError("domain.site_names", "is empty", f'list the names to serve, e.g. ["www.{zone}"]')
    names = list(d.site_names) + ([d.origin_name] if d.origin_name else [])
    for i, name in enumerate(names):
        path = f"domain.site_names[{i}]" if i < len(d.site_names) else "domain.origin_name"
        lowered = str(name).rstrip(".").lower()
        if not _DNS_NAME.match(lowered):
            raise ConfigError(path, f"{name!r} is not a DNS name", f"use a name such as www.{zone}")
        if lowered != zone and not lowered.endswith("." + zone):
            raise ConfigError(
                path,
                f"{name} is outside the hosted zone {zone}",
                f"use a name ending in .{zone} (DNS validation only works inside the zone)",
            )
    if d.origin_name and d.origin_name in d.site_names:
        raise ConfigError("domain.origin_name", "is also a site name", "give the ALB its own name, e.g. origin." + zone)
    if len(set(d.site_names)) != len(d.site_names):
        raise ConfigError("domain.site_names", "lists a name twice", "list each name once")
