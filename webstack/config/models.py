"""The configuration schema: one strict, frozen pydantic model per section.

Every model refuses unknown fields and coerces nothing (a count given as
``"5"`` or ``true`` is an error, not a 5 or a 1). Each field has a
description (the configuration reference and the JSON schema are generated
from it) and, where the generic hint would not help, the fix to suggest.
Cross-field rules are model validators. Every string passes
:func:`~webstack.config.checks.plain_text` (one validator on :class:`Model`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from webstack.config import aws, checks
from webstack.config.checks import Problem

API_PATH = "/api/*"
# Relative folder paths in the configuration (site.path, app.path) mean this
# repository's root: where app.py and cdk.json are, whatever the current directory.
PROJECT_ROOT = Path(__file__).resolve().parents[2]


class FieldProblem(Problem):
    """A cross-field problem that belongs to one field of the model (``field``, relative)."""

    def __init__(self, field: str, problem: str, fix: str) -> None:
        super().__init__(problem, fix)
        self.field = field


def _checked(check: Any) -> AfterValidator:
    return AfterValidator(check)


Email = Annotated[str, _checked(checks.email)]
InstanceType = Annotated[str, _checked(checks.instance_type)]
Cron = Annotated[str, _checked(checks.cron)]
IpRange = Annotated[str, _checked(checks.ip_range)]
DnsName = Annotated[str, _checked(checks.dns_name)]
PathPattern = Annotated[str, _checked(lambda v: checks.path_pattern(v, api_path=API_PATH))]
Name = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,128}$")]


def whole(default: Any, low: int, high: int, description: str) -> Any:
    return Field(
        default,
        ge=low,
        le=high,
        description=description,
        json_schema_extra={"fix": f"use a whole number from {low} to {high}"},
    )


def _plain_everywhere(value: Any) -> None:
    if isinstance(value, str):
        checks.plain_text(value)
    elif isinstance(value, tuple | list):
        for item in value:
            _plain_everywhere(item)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _plain_everywhere(key)
            _plain_everywhere(item)


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_template_logic(cls, value: Any) -> Any:
        # The one place no configuration string can become template logic.
        _plain_everywhere(value)
        return value


class Capacity(Model):
    """Auto Scaling group size.

    The template sets MinSize and MaxSize only (pitfalls D21): scaling owns
    the desired capacity once the group exists, so a deploy never resets a
    fleet that scaled out (aws/aws-cdk#5215: a DesiredCapacity in the
    template resets it on every deployment; left out, it stays untouched).
    A group created without one starts at its minimum: "If you do not
    specify a desired capacity, the default is the minimum size of the
    group" (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_CreateAutoScalingGroup.html;
    the CloudFormation property is that API's,
    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-autoscaling-autoscalinggroup.html#cfn-autoscaling-autoscalinggroup-desiredcapacity),
    hence ``desired`` is the size the group starts from and must equal ``min``.
    Trade-off: an environment cannot start above its floor; raise ``min``
    (and lower it again later) or let target tracking scale out.
    """

    min: int = whole(..., 0, 100, "Auto Scaling group minimum size.")
    desired: int = whole(
        ...,
        0,
        100,
        "Size the group starts from at creation; must equal min (the template leaves desired capacity to scaling).",
    )
    max: int = whole(..., 1, 100, "Auto Scaling group maximum size.")

    @model_validator(mode="after")
    def _ordered(self) -> Capacity:
        if self.min > self.max:
            raise FieldProblem(
                "min", f"min ({self.min}) is greater than max ({self.max})", "make min <= max and desired = min"
            )
        if self.desired != self.min:
            raise FieldProblem(
                "desired",
                f"desired ({self.desired}) is not min ({self.min}): a group created without DesiredCapacity "
                "starts at its minimum",
                "set desired to min (scaling owns the size after creation)",
            )
        return self


class ScheduledScaling(Model):
    """A recurring capacity change (UTC cron), e.g. scale up before business hours."""

    name: Name = Field(description="Unique name of the scheduled action (letters, digits, - and _).")
    cron: Cron = Field(description='When, in UTC: "minute hour day month weekday", e.g. "0 7 * * 1-5".')
    min: int = whole(..., 0, 100, "Group minimum from then on.")
    max: int = whole(..., 1, 100, "Group maximum from then on.")

    @model_validator(mode="after")
    def _ordered(self) -> ScheduledScaling:
        if self.min > self.max:
            raise FieldProblem("min", f"min ({self.min}) is greater than max ({self.max})", "make min <= max")
        return self


class Scaling(Model):
    """Target tracking: scale on CPU *and* on load (requests per target)."""

    cpu_target_percent: int = whole(50, 10, 90, "Target tracking on the group's average CPU (%).")
    requests_per_target: int = whole(1000, 1, 100_000, "Target tracking on ALB requests per target per minute.")
    instance_warmup_seconds: int = whole(
        180, 0, 3600, "Default instance warm-up before a new instance's metrics count (s)."
    )
    min_healthy_percent: int = whole(
        100,
        0,
        100,
        "Share of the desired capacity kept in service and healthy during an instance refresh (%).",
    )
    max_healthy_percent: int = whole(
        150,
        100,
        200,
        "Share of the desired capacity that may be in service or pending during an instance refresh; above 100 "
        "launches replacements before terminating (%, at most min_healthy_percent + 100).",
    )
    checkpoint_percentages: tuple[int, ...] = Field(
        (50, 100),
        max_length=100,
        description="Instance refresh pauses after replacing these shares of the group (ascending, unique, "
        "1-100, ending at 100; empty = no checkpoints).",
        json_schema_extra={"fix": "list ascending whole percentages from 1 to 100 that end at 100, e.g. [50, 100]"},
    )
    checkpoint_delay_seconds: int = whole(
        300, 0, 172_800, "Pause at each checkpoint while the rollback alarms watch the new instances (s)."
    )
    bake_time_seconds: int = whole(
        300,
        0,
        172_800,
        "After the last instance is replaced, the rollback alarms keep watching this long before the deploy "
        "counts as successful (s).",
    )
    extra_instance_types: tuple[InstanceType, ...] = Field(
        (), max_length=19, description="More instance types of the same CPU architecture (spreads over capacity pools)."
    )
    schedules: tuple[ScheduledScaling, ...] = Field(
        (), description='Recurring capacity changes: [{"name", "cron" (UTC, 5 fields), "min", "max"}].'
    )

    @model_validator(mode="after")
    def _unique(self) -> Scaling:
        names = [s.name for s in self.schedules]
        if len(set(names)) != len(names):
            raise FieldProblem("schedules", "names a schedule twice", "give each schedule its own name")
        if len(set(self.extra_instance_types)) != len(self.extra_instance_types):
            raise FieldProblem("extra_instance_types", "lists a type twice", "list each type once")
        self._refresh_limits()
        return self

    def _refresh_limits(self) -> None:
        """AWS's limits on instance refresh preferences
        (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_RefreshPreferences.html)."""
        if self.max_healthy_percent - self.min_healthy_percent > 100:
            raise FieldProblem(
                "max_healthy_percent",
                f"{self.max_healthy_percent} is more than 100 above min_healthy_percent ({self.min_healthy_percent})",
                "keep max_healthy_percent - min_healthy_percent <= 100",
            )
        points = self.checkpoint_percentages
        if not points:
            return
        if any(not 1 <= p <= 100 for p in points) or list(points) != sorted(set(points)) or points[-1] != 100:
            raise FieldProblem(
                "checkpoint_percentages",
                f"{list(points)} is not ascending unique percentages from 1 to 100 ending at 100",
                "list ascending whole percentages from 1 to 100 that end at 100, e.g. [50, 100]",
            )


class LoadBalancing(Model):
    """ALB and target-group timings."""

    idle_timeout_seconds: int = whole(
        60, 1, 4000, "Longest a connection may sit idle; above the slowest endpoint's response time."
    )
    deregistration_delay_seconds: int = whole(
        30, 0, 3600, "Connection draining: in-flight requests finish before a target leaves."
    )
    slow_start_seconds: int = Field(
        60,
        description="New targets get a linearly growing share of traffic while caches warm (30-900 s; 0 = off).",
        json_schema_extra={"fix": "use 0 (off) or 30 to 900 seconds"},
    )

    @field_validator("slow_start_seconds")
    @classmethod
    def _slow_start(cls, value: int) -> int:
        # https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-target-groups.html#slow-start-mode
        if value != 0 and not 30 <= value <= 900:
            raise Problem(f"{value} is out of range", "use 0 (off) or 30 to 900 seconds")
        return value


class CdnTuning(Model):
    """Cache design at the edge."""

    immutable_paths: tuple[PathPattern, ...] = Field(
        ("/assets/*", "/static/*"),
        max_length=20,
        description="Path patterns of content-hashed files: cached for a year and marked immutable.",
    )
    immutable_ttl_days: int = whole(365, 1, 365, "Edge and browser lifetime of those files (days).")
    html_ttl_seconds: int = whole(
        60, 0, 86_400, "Everything else from the bucket (HTML): short, so a deploy shows quickly (s)."
    )
    error_caching_seconds: int = whole(
        10, 0, 3600, "How long CloudFront remembers an error response before asking again (s)."
    )
    origin_shield: bool = Field(False, description="A regional cache in front of the origins (in the app region).")

    @field_validator("immutable_paths")
    @classmethod
    def _unique_paths(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise Problem(
                "lists a path pattern twice", "list each pattern once (CloudFront refuses duplicate behaviours)"
            )
        return value


FolderPath = Annotated[
    str,
    Field(
        min_length=1,
        max_length=1024,
        json_schema_extra={"fix": "give a folder path, relative to the project root or absolute"},
    ),
]


def folder_of(path: str) -> Path:
    """The folder ``path`` names: relative paths are taken from :data:`PROJECT_ROOT`."""
    return PROJECT_ROOT / Path(path)


class SiteSource(Model):
    """The static site deployed to the content bucket (index.html; content-hashed files under assets/)."""

    path: FolderPath = Field(
        "site",
        description="Folder of the static site, relative to the project root: index.html at its top, "
        "content-hashed files under assets/ (cached as immutable).",
    )
    deployment_memory_mb: int = whole(
        512,
        128,
        10_240,
        "Memory of the Lambda function that copies the site into the bucket; raise it for large sites (MiB).",
    )

    @property
    def folder(self) -> Path:
        return folder_of(self.path)


class AppSource(Model):
    """The origin application the instances run (shipped as a CDK asset)."""

    path: FolderPath = Field(
        "app",
        description="Folder of the origin application, relative to the project root: a webstack_app package "
        "runnable as python3 -m webstack_app (see app/README.md).",
    )

    @property
    def folder(self) -> Path:
        return folder_of(self.path)


class Subscriber(Model):
    """A machine endpoint subscribed to the paging topics: a paging service's
    webhook (https) or an SQS queue a pager integration reads (sqs)."""

    protocol: Literal["https", "sqs"] = Field(description="https (a webhook URL) or sqs (a standard queue's ARN).")
    endpoint: str = Field(description="The https:// URL, or the queue ARN (arn:aws:sqs:<region>:<account>:<name>).")

    @model_validator(mode="after")
    def _endpoint_fits_protocol(self) -> Subscriber:
        check = checks.https_url if self.protocol == "https" else checks.sqs_queue_arn
        try:
            check(self.endpoint)
        except Problem as problem:
            raise FieldProblem("endpoint", problem.problem, problem.fix) from None
        return self


class Alarms(Model):
    """Alarm thresholds and who hears about them."""

    emails: tuple[Email, ...] = Field(
        (),
        max_length=50,
        description="E-mail addresses subscribed to the paging topics (placeholder addresses are refused). A protected environment needs one, or a subscriber; prod's defaults leave them to you (make up subscribes a local queue).",
    )
    subscribers: tuple[Subscriber, ...] = Field(
        (),
        max_length=20,
        description="Webhooks (https) and SQS queues subscribed to the paging topics, beside the e-mail addresses.",
    )
    cpu_high_percent: int = whole(80, 1, 100, "Alarm threshold on the group's average CPU (%).")
    alb_5xx_count: int = whole(
        10, 1, 1_000_000, "Alarm threshold on 5xx responses the ALB itself generates, per period."
    )
    target_5xx_rate_percent: int = whole(5, 1, 100, "Application (target) 5xx responses as a share of requests (%).")
    p99_latency_seconds: float = Field(
        2.0,
        ge=0.01,
        le=60,
        description="Alarm when the 99th percentile of target response time exceeds this (s).",
        json_schema_extra={"fix": "use seconds from 0.01 to 60"},
    )
    cloudfront_4xx_rate_percent: int = whole(
        15, 1, 100, "Alarm threshold on CloudFront's 4xx error rate (%), evaluated in us-east-1."
    )
    cloudfront_5xx_rate_percent: int = whole(
        5, 1, 100, "Alarm threshold on CloudFront's 5xx error rate (%), evaluated in us-east-1."
    )
    waf_blocked_requests: int = whole(
        500, 1, 10_000_000, "WAF blocks per period that mean an attack (or a rule blocking real users)."
    )
    evaluation_periods: int = whole(3, 1, 100, "Periods an alarm's condition must hold before it fires.")
    period_seconds: int = Field(60, gt=0, description="Alarm period: 10, 30 or a multiple of 60 seconds.")

    @model_validator(mode="after")
    def _aws_alarm_rules(self) -> Alarms:
        period = self.period_seconds
        if period not in aws.ALARM_PERIODS_BELOW_A_MINUTE and period % 60:
            raise FieldProblem(
                "period_seconds",
                f"{period} is not an alarm period CloudWatch and CDK both take",
                "use 10, 30 or a multiple of 60",
            )
        window = period * self.evaluation_periods
        if window > aws.ALARM_WINDOW_MAX_SECONDS:
            raise FieldProblem(
                "evaluation_periods",
                f"{self.evaluation_periods} periods of {period} s is {window} s, over CloudWatch's one-day limit",
                f"keep evaluation_periods x period_seconds <= {aws.ALARM_WINDOW_MAX_SECONDS}",
            )
        lowered = [e.lower() for e in self.emails]
        if len(set(lowered)) != len(lowered):
            raise FieldProblem("emails", "lists an address twice", "list each address once")
        endpoints = [(s.protocol, s.endpoint) for s in self.subscribers]
        if len(set(endpoints)) != len(endpoints):
            raise FieldProblem("subscribers", "lists an endpoint twice", "list each endpoint once")
        return self

    @property
    def pages_someone(self) -> bool:
        return bool(self.emails or self.subscribers)


class Domain(Model):
    """A custom domain served by CloudFront, validated in a Route 53 hosted zone."""

    hosted_zone_id: str = Field(
        pattern=r"^Z[A-Z0-9]{1,31}$",
        description="Route 53 hosted zone that validates the certificate and holds the alias records.",
        json_schema_extra={"fix": "copy the id (Z...) of the public hosted zone that serves the domain"},
    )
    zone_name: DnsName = Field(description="The hosted zone's domain name.")
    site_names: tuple[DnsName, ...] = Field(
        min_length=1,
        max_length=aws.ACM_NAMES_PER_CERTIFICATE,
        description="Names CloudFront serves, inside the zone (apex and wildcard allowed; at most 100 per certificate).",
    )
    origin_name: DnsName | None = Field(
        None, description="A name for the ALB (gets its own regional certificate and HTTPS listener)."
    )

    @model_validator(mode="after")
    def _inside_the_zone(self) -> Domain:
        zone = self.zone_name
        reason = checks.placeholder_reason(zone)
        if reason:
            raise FieldProblem(
                "zone_name", f"{zone} is a placeholder domain ({reason})", "use a domain whose hosted zone you control"
            )
        named = [(f"site_names[{i}]", n) for i, n in enumerate(self.site_names)]
        if self.origin_name:
            named.append(("origin_name", self.origin_name))
        for path, name in named:
            bare = name.removeprefix("*.")
            if bare != zone and not bare.endswith("." + zone):
                raise FieldProblem(
                    path,
                    f"{name} is outside the hosted zone {zone}",
                    f"use a name ending in .{zone} (DNS validation only works inside the zone)",
                )
        if len(set(self.site_names)) != len(self.site_names):
            raise FieldProblem("site_names", "lists a name twice", "list each name once")
        if self.origin_name and self.origin_name.startswith("*."):
            raise FieldProblem("origin_name", "is a wildcard", f"give the ALB one name, e.g. origin.{zone}")
        if self.origin_name in self.site_names:
            raise FieldProblem("origin_name", "is also a site name", f"give the ALB its own name, e.g. origin.{zone}")
        return self


class ManagedRuleGroup(Model):
    """An AWS managed WAF rule group; ``count_rules`` are set to count instead of block."""

    name: Name = Field(description="Rule group name, e.g. AWSManagedRulesCommonRuleSet.")
    vendor: Name = Field("AWS", description="Rule group vendor.")
    count_rules: tuple[Name, ...] = Field(
        (), description="Rules of the group set to count instead of block (tuning false positives)."
    )


DEFAULT_RULE_GROUPS = (
    ManagedRuleGroup(name="AWSManagedRulesAmazonIpReputationList"),
    ManagedRuleGroup(name="AWSManagedRulesCommonRuleSet"),
    ManagedRuleGroup(name="AWSManagedRulesKnownBadInputsRuleSet"),
    ManagedRuleGroup(name="AWSManagedRulesSQLiRuleSet"),
)


class Waf(Model):
    """AWS WAF in front of CloudFront (CLOUDFRONT scope, in us-east-1)."""

    enabled: bool = Field(
        False, description="Attach an AWS WAF web ACL (CLOUDFRONT scope, deployed in us-east-1) to the distribution."
    )
    managed_rule_groups: tuple[ManagedRuleGroup, ...] = Field(
        DEFAULT_RULE_GROUPS,
        # A web ACL takes at most 50 reference statements (fixed quota); webstack's
        # allow/block IP sets use up to 4 of them.
        # https://docs.aws.amazon.com/waf/latest/developerguide/limits.html
        max_length=46,
        description="AWS managed rule groups in the web ACL, in order (at most 46).",
    )
    rate_limit: int = whole(2000, *aws.WAF_RATE_LIMIT_RANGE, "Requests per 5 minutes from one IP before it is blocked.")
    allow_ips: tuple[IpRange, ...] = Field(
        (), max_length=10_000, description="CIDRs always allowed past the web ACL's rules."
    )
    block_ips: tuple[IpRange, ...] = Field((), max_length=10_000, description="CIDRs always blocked.")
    logging: bool = Field(True, description="Send web ACL logs to an encrypted CloudWatch log group.")
    protect_alb: bool = Field(False, description="Also attach a REGIONAL web ACL to the ALB (defence in depth).")

    @model_validator(mode="after")
    def _consistent(self) -> Waf:
        if self.protect_alb and not self.enabled:
            raise FieldProblem("protect_alb", "is true while waf.enabled is false", "set waf.enabled: true as well")
        if self.enabled and not self.managed_rule_groups:
            raise FieldProblem("managed_rule_groups", "is empty", "keep at least the AWS managed Common rule set")
        names = [g.name for g in self.managed_rule_groups]
        if len(set(names)) != len(names):
            raise FieldProblem("managed_rule_groups", "lists a rule group twice", "list each rule group once")
        return self


class OriginProtection(Model):
    """Only CloudFront may reach the ALB: prefix list + secret origin-verify header."""

    enabled: bool = Field(
        True,
        description="Only CloudFront may reach the ALB: its origin-facing prefix list on the ALB security group plus a secret header.",
    )
    prefix_list_id: str | None = Field(
        None,
        pattern=r"^pl-[0-9a-f]{8,17}$",
        description="Override of the region's CloudFront origin-facing managed prefix list id; null uses webstack's table.",
        json_schema_extra={
            "fix": "use the id of com.amazonaws.global.cloudfront.origin-facing in your region, e.g. pl-82a045eb"
        },
    )
    header_name: str = Field(
        "X-Origin-Verify",
        pattern=rf"^[A-Za-z0-9-]{{1,{aws.ALB_HEADER_NAME_MAX}}}$",
        description="Name of the secret header CloudFront adds and the ALB requires (at most 40 characters).",
        json_schema_extra={"fix": "use up to 40 letters, digits and dashes, e.g. X-Origin-Verify"},
    )
    rotation_days: int = Field(
        30,
        ge=1,
        le=365,
        description="Days between rotations of the origin-verify header value: a Lambda switches the ALB rule (both values accepted) and then CloudFront's origin header, without downtime.",
        json_schema_extra={"fix": "use a whole number of days from 1 to 365, e.g. 30"},
    )

    @field_validator("header_name")
    @classmethod
    def _addable_by_cloudfront(cls, value: str) -> str:
        lowered = value.lower()
        if lowered in aws.CLOUDFRONT_FORBIDDEN_ORIGIN_HEADERS or lowered.startswith(
            aws.CLOUDFRONT_FORBIDDEN_ORIGIN_HEADER_PREFIXES
        ):
            raise Problem(
                f"{value} is a header CloudFront cannot add to origin requests",
                "use a header of your own, e.g. X-Origin-Verify",
            )
        return value


class Origin(Model):
    """How CloudFront reaches the load balancer (pitfalls D22, D29)."""

    private: bool = Field(
        False,
        description="true: an internal ALB in the private subnets that CloudFront reaches through a CloudFront VPC "
        "origin (no public address; HTTPS inside the VPC when domain.origin_name gives the ALB a certificate); "
        "false: an internet-facing ALB in the public subnets. Needs origin_protection.enabled (the prefix list on the "
        "ALB's security group is what admits the VPC origin). Changing it replaces the ALB.",
        json_schema_extra={"fix": "write true (internal ALB behind a CloudFront VPC origin) or false (public ALB)"},
    )


Tags = dict[
    Annotated[str, Field(min_length=1, max_length=aws.TAG_KEY_MAX, pattern=r"^[\w .:/=+\-@]+$")],
    Annotated[str, Field(max_length=aws.TAG_VALUE_MAX, pattern=r"^[\w .:/=+\-@]*$")],
]


class Deploy(Model):
    """How `make up` deploys the stacks (read by the deploy tool; the templates do not change)."""

    rollback_monitoring_minutes: int = whole(
        0,
        0,
        180,
        "Minutes CloudFormation keeps watching each stack's paging (composite) alarms after an update, "
        "before it cleans up replaced resources; an alarm in ALARM during the update or these minutes rolls the "
        "update back (0-180, AWS's range; 0 still watches during the update). Applies from the second deploy on.",
    )


class EnvironmentConfig(Model):
    """Everything that differs between dev, staging and prod."""

    name: str = Field(
        description="The environment's name (dev, staging, prod): chosen with -c env=NAME, not overridden."
    )
    region: str = Field(
        aws.DEFAULT_REGION,
        description="Application region (the web stack). Must be a region webstack knows the zones of.",
    )
    account: str | None = Field(
        None,
        pattern=r"^[0-9]{12}$",
        description="12-digit AWS account id. Optional: without it, the CLI credentials decide the account.",
        json_schema_extra={"fix": "set the 12 digits of your account in quotes, or leave it out"},
    )
    availability_zones: tuple[str, ...] = Field(
        min_length=2,
        description="Explicit zones of the region (at least two; an ALB needs two). Synth never looks zones up.",
        json_schema_extra={"fix": 'list two or more zones of the region, e.g. ["us-west-2a", "us-west-2b"]'},
    )
    vpc_cidr: str = Field(
        description="VPC address block: a private (RFC 1918) /16 to /20 with room for every zone's subnets."
    )
    nat_gateways: int = Field(
        ge=1,
        description="NAT gateways for the private subnets' egress: 1 to the number of zones (one per zone survives a zone outage).",
        json_schema_extra={"fix": "use 1 to the number of availability zones"},
    )
    instance_type: InstanceType = Field(
        description="EC2 instance type of the web instances; Graviton types (such as t4g, m7g, a1) select the arm64 AMI."
    )
    capacity: Capacity = Field(description="Auto Scaling group size.")
    scaling: Scaling = Field(default_factory=Scaling, description=Scaling.__doc__)
    load_balancing: LoadBalancing = Field(default_factory=LoadBalancing, description=LoadBalancing.__doc__)
    cdn: CdnTuning = Field(default_factory=CdnTuning, description=CdnTuning.__doc__)
    alarms: Alarms = Field(default_factory=Alarms, description=Alarms.__doc__)
    site: SiteSource = Field(default_factory=SiteSource, description=SiteSource.__doc__)
    app: AppSource = Field(default_factory=AppSource, description=AppSource.__doc__)
    log_retention_days: int = Field(
        description="CloudWatch Logs retention of every log group (only the values CloudWatch accepts, e.g. 7, 30, 365).",
        json_schema_extra={
            "enum": list(aws.LOG_RETENTION_DAYS),
            "fix": f"use one of {', '.join(map(str, aws.LOG_RETENTION_DAYS))}",
        },
    )
    retain_data: bool = Field(
        description="true: keys, buckets, secrets and log groups are RETAINed on stack deletion; false: destroyed, buckets emptied automatically."
    )
    deletion_protection: bool = Field(
        description="Stack termination protection and ALB deletion protection (requires retain_data: true, and alarms that page someone: alarms.emails or alarms.subscribers)."
    )
    price_class: Literal["PriceClass_100", "PriceClass_200", "PriceClass_All"] = Field(
        "PriceClass_100", description="CloudFront price class: PriceClass_100, PriceClass_200 or PriceClass_All."
    )
    geo_allowlist: tuple[Annotated[str, Field(pattern=r"^[A-Z]{2}$")], ...] = Field(
        (),
        description="ISO 3166-1 alpha-2 countries CloudFront serves; empty = the whole world.",
        json_schema_extra={"fix": "use two capital letters per country, e.g. US"},
    )
    noncurrent_version_expiration_days: int = whole(
        90, 1, 3650, "Days the content bucket keeps noncurrent object versions."
    )
    log_bucket_expiration_days: int = whole(365, 1, 3650, "Days log buckets keep objects.")
    log_bucket_noncurrent_version_days: int = whole(
        7, 1, 3650, "Days log buckets keep a log object's noncurrent (overwritten or deleted) versions."
    )
    log_bucket_object_lock_days: int | None = Field(
        None,
        ge=1,
        le=3650,
        description="S3 Object Lock default retention (GOVERNANCE mode) of the ALB and CloudFront log buckets, in days: no one deletes a log version sooner without s3:BypassGovernanceRetention; null: off. The S3 access-log bucket never gets it (S3 refuses Object Lock targets for server access logs, D28). Needs retain_data: true; turning it on updates the two buckets in place, and it cannot be turned off again (S3 never disables Object Lock on a bucket).",
        json_schema_extra={"fix": "use a whole number of days from 1 to log_bucket_expiration_days, or null"},
    )
    tags: Tags = Field(
        {},
        description="Extra tags on every resource but the CloudFront VPC origin (a tag change there is refused while the distribution uses it, D22); Project and Environment are always set; at most 47.",
        json_schema_extra={
            "fix": "use keys of 1-128 and values of up to 256 letters, digits, spaces or _ . : / = + - @"
        },
    )
    domain: Domain | None = Field(
        None, description="Custom domain for the site; null serves the default *.cloudfront.net name and certificate."
    )
    waf: Waf = Field(default_factory=Waf, description=Waf.__doc__)
    origin_protection: OriginProtection = Field(default_factory=OriginProtection, description=OriginProtection.__doc__)
    origin: Origin = Field(default_factory=Origin, description=Origin.__doc__)
    deploy: Deploy = Field(default_factory=Deploy, description=Deploy.__doc__)
    edge_region: Literal["us-east-1"] = Field(
        "us-east-1",
        description="Region of the edge stack and the CloudFront alarms. CloudFront accepts web ACLs and certificates only from us-east-1.",
        json_schema_extra={"fix": "leave edge_region at us-east-1"},
    )

    @property
    def stack_prefix(self) -> str:
        return f"webstack-{self.name}"

    @property
    def has_edge_stack(self) -> bool:
        """Whether anything must live in us-east-1 besides CloudFront alarms."""
        return self.waf.enabled or self.domain is not None

    @property
    def cloudfront_prefix_list_id(self) -> str:
        return self.origin_protection.prefix_list_id or aws.CLOUDFRONT_ORIGIN_FACING_PREFIX_LISTS[self.region]

    @field_validator("account")
    @classmethod
    def _real_account(cls, value: str | None) -> str | None:
        # The account ids AWS's documentation uses in its examples.
        # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html
        if value in aws.DOCUMENTATION_ACCOUNT_IDS:
            raise Problem(
                f"{value} is an example account id from AWS's documentation",
                "set your own 12-digit account id, or leave it out",
            )
        return value

    @field_validator("log_retention_days")
    @classmethod
    def _retention(cls, value: int) -> int:
        if value not in aws.LOG_RETENTION_DAYS:
            raise Problem(
                f"{value} is not a CloudWatch Logs retention",
                f"use one of {', '.join(map(str, aws.LOG_RETENTION_DAYS))}",
            )
        return value

    @model_validator(mode="after")
    def _placement(self) -> EnvironmentConfig:
        _check_zones(self)
        _check_network(self)
        _check_architecture(self)
        _check_protection(self)
        _check_log_lock(self)
        _check_tags(self)
        return self


def _check_zones(c: EnvironmentConfig) -> None:
    if c.region not in aws.REGION_ZONES:
        raise FieldProblem("region", f"unsupported region {c.region!r}", f"use one of {', '.join(aws.REGION_ZONES)}")
    letters = aws.REGION_ZONES[c.region]
    for i, zone in enumerate(c.availability_zones):
        if not (zone.startswith(c.region) and len(zone) == len(c.region) + 1 and zone[-1] in letters):
            raise FieldProblem(
                f"availability_zones[{i}]",
                f"{zone!r} is not a zone of {c.region}",
                f"use one of {', '.join(c.region + x for x in letters)}",
            )
    if len(set(c.availability_zones)) != len(c.availability_zones):
        raise FieldProblem("availability_zones", "lists a zone twice", "list each zone once")
    if c.nat_gateways > len(c.availability_zones):
        raise FieldProblem(
            "nat_gateways",
            f"{c.nat_gateways} is more than the {len(c.availability_zones)} zones",
            f"use a whole number from 1 to {len(c.availability_zones)} (one per zone at most)",
        )


def _check_network(c: EnvironmentConfig) -> None:
    try:
        network = ipaddress.IPv4Network(c.vpc_cidr, strict=True)
    except ValueError as err:
        raise FieldProblem(
            "vpc_cidr", f"{c.vpc_cidr!r} is not a valid IPv4 CIDR ({err})", "use a private block such as 10.10.0.0/16"
        ) from None
    if not any(network.subnet_of(ipaddress.IPv4Network(block)) for block in aws.RFC1918):
        raise FieldProblem(
            "vpc_cidr",
            f"{c.vpc_cidr} is not a private (RFC 1918) range",
            "use a block inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16",
        )
    if not 16 <= network.prefixlen <= 20:
        raise FieldProblem(
            "vpc_cidr",
            f"prefix /{network.prefixlen} is outside /16../20",
            "use a /16 to /20 block (subnets are carved as /24 and /22)",
        )
    needed = aws.ADDRESSES_PER_ZONE * len(c.availability_zones)
    if needed > network.num_addresses:
        raise FieldProblem(
            "vpc_cidr",
            f"{c.vpc_cidr} has {network.num_addresses} addresses; {len(c.availability_zones)} zones need {needed}",
            "use a larger block (a /19 or /16) or fewer zones",
        )


def _check_architecture(c: EnvironmentConfig) -> None:
    for i, extra in enumerate(c.scaling.extra_instance_types):
        if checks.is_graviton(extra) != checks.is_graviton(c.instance_type):
            raise FieldProblem(
                f"scaling.extra_instance_types[{i}]",
                f"{extra} and {c.instance_type} have different CPU architectures",
                "mix only x86_64 types or only Graviton (arm64) types: one AMI serves them all",
            )
        if extra == c.instance_type:
            raise FieldProblem(
                f"scaling.extra_instance_types[{i}]",
                f"{extra} is the primary instance type",
                "list only additional types",
            )


def _check_protection(c: EnvironmentConfig) -> None:
    if c.deletion_protection and not c.retain_data:
        raise FieldProblem(
            "retain_data",
            "is false while deletion_protection is true",
            "protect an environment only together with retain_data: true",
        )
    op = c.origin_protection
    if c.origin.private and not op.enabled:
        raise FieldProblem(
            "origin.private",
            "is true while origin_protection.enabled is false: nothing would admit the VPC origin to the internal ALB",
            "set origin_protection.enabled: true as well (its prefix list admits CloudFront's VPC origin)",
        )
    if op.enabled and op.prefix_list_id is None and c.region not in aws.CLOUDFRONT_ORIGIN_FACING_PREFIX_LISTS:
        raise FieldProblem(
            "origin_protection.prefix_list_id",
            f"no known CloudFront prefix list for {c.region}",
            "set it to the id of com.amazonaws.global.cloudfront.origin-facing in your region",
        )


def _check_log_lock(c: EnvironmentConfig) -> None:
    days = c.log_bucket_object_lock_days
    if days is None:
        return
    if not c.retain_data:
        raise FieldProblem(
            "log_bucket_object_lock_days",
            "is set while retain_data is false: locked log versions cannot be deleted, so the buckets cannot be emptied",
            "lock log buckets only together with retain_data: true, or set log_bucket_object_lock_days: null",
        )
    if days > c.log_bucket_expiration_days:
        raise FieldProblem(
            "log_bucket_object_lock_days",
            f"locks logs for {days} days, longer than log_bucket_expiration_days ({c.log_bucket_expiration_days})",
            f"use at most {c.log_bucket_expiration_days}, or raise log_bucket_expiration_days",
        )


def _check_tags(c: EnvironmentConfig) -> None:
    room = aws.MAX_TAGS - len(aws.TAGS_WEBSTACK_ADDS)
    if len(c.tags) > room:
        raise FieldProblem(
            "tags",
            f"has {len(c.tags)} tags; with webstack's own {len(aws.TAGS_WEBSTACK_ADDS)} that is over AWS's 50",
            f"keep at most {room} tags",
        )
    for key in c.tags:
        if key.lower().startswith("aws:"):
            raise FieldProblem(f"tags.{key}", "uses the reserved aws: prefix", "use a key not starting with aws:")
        if key in aws.TAGS_WEBSTACK_ADDS:
            raise FieldProblem(f"tags.{key}", "is a tag webstack sets itself", "choose another key")
