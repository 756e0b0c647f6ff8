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
from dataclasses import dataclass, field
from typing import Any, Mapping

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
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
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
class Scaling:
    """Target tracking: scale on CPU *and* on load (requests per target)."""

    cpu_target_percent: int = 50
    requests_per_target: int = 1000
    instance_warmup_seconds: int = 180


@dataclass(frozen=True, kw_only=True)
class Alarms:
    """Alarm thresholds and who hears about them."""

    emails: tuple[str, ...] = ()
    cpu_high_percent: int = 80
    alb_5xx_count: int = 10
    cloudfront_4xx_rate_percent: int = 15
    evaluation_periods: int = 3
    period_seconds: int = 60


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
    alarms: Alarms = field(default_factory=Alarms)
    log_retention_days: int
    retain_data: bool
    deletion_protection: bool
    price_class: str = "PriceClass_100"
    noncurrent_version_expiration_days: int = 90
    log_bucket_expiration_days: int = 365
    tags: Mapping[str, str] = field(default_factory=dict)

    @property
    def stack_prefix(self) -> str:
        return f"webstack-{self.name}"


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
    ),
}


# --------------------------------------------------------------------------
# Loading: defaults + overrides -> one validated, frozen model.
# --------------------------------------------------------------------------

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
        current = getattr(obj, key)
        if dataclasses.is_dataclass(current):
            changes[key] = _apply(current, value, prefix=f"{path}.")
        elif isinstance(current, tuple) or key == "availability_zones":
            if not isinstance(value, (list, tuple)):
                raise ConfigError(path, "must be a list", f'write it as a JSON list, e.g. ["{current[0] if current else "value"}"]')
            changes[key] = tuple(value)
        elif key == "tags":
            if not isinstance(value, Mapping):
                raise ConfigError(path, "must be an object", 'write it as {"Key": "Value"}')
            changes[key] = dict(value)
        else:
            changes[key] = value
    return dataclasses.replace(obj, **changes)


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
    _require_type("region", c.region, str, "a region name such as us-west-2")
    if c.region not in REGION_ZONES:
        raise ConfigError("region", f"unsupported region {c.region!r}", f"use one of {', '.join(REGION_ZONES)}")
    if c.account is not None:
        _require_type("account", c.account, str, "a 12-digit account id in quotes")
        if not _ACCOUNT.match(c.account):
            raise ConfigError("account", f"{c.account!r} is not a 12-digit AWS account id", "set the 12 digits of your account, or leave it out")

    zones = c.availability_zones
    if len(zones) < 2:
        raise ConfigError("availability_zones", "needs at least two zones (an ALB requires subnets in two zones)", f"list two or more, e.g. [\"{c.region}a\", \"{c.region}b\"]")
    letters = REGION_ZONES[c.region]
    for i, zone in enumerate(zones):
        if not isinstance(zone, str) or not re.fullmatch(re.escape(c.region) + r"[a-z]", zone) or zone[-1] not in letters:
            raise ConfigError(f"availability_zones[{i}]", f"{zone!r} is not a zone of {c.region}", f"use one of {', '.join(c.region + l for l in letters)}")
    if len(set(zones)) != len(zones):
        raise ConfigError("availability_zones", "lists a zone twice", "list each zone once")

    try:
        network = ipaddress.IPv4Network(c.vpc_cidr, strict=True)
    except (ValueError, TypeError) as err:
        raise ConfigError("vpc_cidr", f"{c.vpc_cidr!r} is not a valid IPv4 CIDR ({err})", "use a private block such as 10.10.0.0/16") from None
    if not 16 <= network.prefixlen <= 20:
        raise ConfigError("vpc_cidr", f"prefix /{network.prefixlen} is outside /16../20", "use a /16 to /20 block (subnets are carved as /24 and /22)")
    if not network.is_private:
        raise ConfigError("vpc_cidr", f"{c.vpc_cidr} is not a private (RFC 1918) range", "use a block inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16")

    _require_range("nat_gateways", c.nat_gateways, 1, len(zones))
    _require_type("instance_type", c.instance_type, str, "an EC2 instance type such as t3.small")
    if not _INSTANCE_TYPE.match(c.instance_type):
        raise ConfigError("instance_type", f"{c.instance_type!r} is not an EC2 instance type", "use a type such as t3.small or m7g.large")

    _require_range("capacity.min", c.capacity.min, 0, 100)
    _require_range("capacity.max", c.capacity.max, 1, 100)
    _require_range("capacity.desired", c.capacity.desired, 0, 100)
    if c.capacity.min > c.capacity.max:
        raise ConfigError("capacity.min", f"min ({c.capacity.min}) is greater than max ({c.capacity.max})", "make min <= desired <= max")
    if not c.capacity.min <= c.capacity.desired <= c.capacity.max:
        raise ConfigError("capacity.desired", f"desired ({c.capacity.desired}) is outside min..max ({c.capacity.min}..{c.capacity.max})", "make min <= desired <= max")

    _require_range("scaling.cpu_target_percent", c.scaling.cpu_target_percent, 10, 90)
    _require_range("scaling.requests_per_target", c.scaling.requests_per_target, 1, 100000)
    _require_range("scaling.instance_warmup_seconds", c.scaling.instance_warmup_seconds, 0, 3600)

    if isinstance(c.alarms.emails, str) or not isinstance(c.alarms.emails, (tuple, list)):
        raise ConfigError("alarms.emails", "must be a list of addresses", 'write ["oncall@your-company.tld"] style JSON list')
    for i, email in enumerate(c.alarms.emails):
        path = f"alarms.emails[{i}]"
        if not isinstance(email, str) or not _EMAIL.match(email):
            raise ConfigError(path, f"{email!r} is not an e-mail address", "use a full address such as ops@yourcompany.com")
        if _PLACEHOLDER.search(email):
            raise ConfigError(path, f"{email!r} is a placeholder address", "use a real mailbox that someone reads, or leave the list empty")
    _require_range("alarms.cpu_high_percent", c.alarms.cpu_high_percent, 1, 100)
    _require_range("alarms.alb_5xx_count", c.alarms.alb_5xx_count, 1, 1_000_000)
    _require_range("alarms.cloudfront_4xx_rate_percent", c.alarms.cloudfront_4xx_rate_percent, 1, 100)
    _require_range("alarms.evaluation_periods", c.alarms.evaluation_periods, 1, 100)
    if c.alarms.period_seconds not in (10, 30) and (not isinstance(c.alarms.period_seconds, int) or c.alarms.period_seconds % 60 or c.alarms.period_seconds <= 0):
        raise ConfigError("alarms.period_seconds", f"{c.alarms.period_seconds!r} is not a CloudWatch period", "use 10, 30 or a multiple of 60")

    if c.log_retention_days not in LOG_RETENTION_DAYS or isinstance(c.log_retention_days, bool):
        raise ConfigError("log_retention_days", f"{c.log_retention_days!r} is not a CloudWatch Logs retention", f"use one of {', '.join(map(str, LOG_RETENTION_DAYS))}")
    _require_type("retain_data", c.retain_data, bool, "true or false")
    _require_type("deletion_protection", c.deletion_protection, bool, "true or false")
    if c.deletion_protection and not c.retain_data:
        raise ConfigError("retain_data", "is false while deletion_protection is true", "protect an environment only together with retain_data: true")
    if c.price_class not in PRICE_CLASSES:
        raise ConfigError("price_class", f"{c.price_class!r} is not a CloudFront price class", f"use one of {', '.join(PRICE_CLASSES)}")
    _require_range("noncurrent_version_expiration_days", c.noncurrent_version_expiration_days, 1, 3650)
    _require_range("log_bucket_expiration_days", c.log_bucket_expiration_days, 1, 3650)

    if not isinstance(c.tags, Mapping):
        raise ConfigError("tags", "must be an object", 'write {"CostCenter": "1234"}')
    for key, value in c.tags.items():
        if not isinstance(key, str) or not _TAG_KEY.match(key) or key.lower().startswith("aws:"):
            raise ConfigError(f"tags.{key}", "is not a valid tag key", "use 1-128 letters, digits, spaces or _ . : / = + - @, not starting with aws:")
        if not isinstance(value, str) or len(value) > 256:
            raise ConfigError(f"tags.{key}", "value must be a string of at most 256 characters", "quote the value")
