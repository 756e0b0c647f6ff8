"""The three environments' defaults. Fields say what varies, never which environment it is."""

from __future__ import annotations

from webstack.config.models import Alarms, Capacity, CdnTuning, Deploy, EnvironmentConfig, Origin, Scaling, Waf

ENVIRONMENTS: dict[str, EnvironmentConfig] = {
    "dev": EnvironmentConfig(
        name="dev",
        availability_zones=("us-west-2a", "us-west-2b"),
        vpc_cidr="10.10.0.0/16",
        nat_gateways=1,
        instance_type="t3.micro",
        capacity=Capacity(min=1, desired=1, max=2),
        # A one-instance fleet has nothing to pause between: no checkpoints, and a
        # minute of watching the rollback alarms (a rollout in minutes, not 15).
        scaling=Scaling(checkpoint_percentages=(), bake_time_seconds=60),
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
        # An internal ALB behind a CloudFront VPC origin: no origin traffic crosses the
        # internet, encrypted or not (a protected environment refuses a cleartext public
        # origin, pitfalls D29).
        origin=Origin(private=True),
        # Ten minutes of watching the paging alarms after each update before
        # replaced resources are cleaned up (rollback triggers).
        deploy=Deploy(rollback_monitoring_minutes=10),
        # Log integrity: overwritten or deleted log versions kept for 90 days, and
        # the ALB and CloudFront logs locked (GOVERNANCE) for 90 days.
        log_bucket_noncurrent_version_days=90,
        log_bucket_object_lock_days=90,
    ),
}
