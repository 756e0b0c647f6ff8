"""Rules the resource handlers (the services' APIs) enforce that the schemas
cannot state, for the types our stacks use. Each answers the service's text,
wrapped the way CloudFormation's registry handlers report a refused
request in the resource's status reason:

``Resource handler returned message: "At least two subnets in two different
Availability Zones must be specified (Service: ElasticLoadBalancingV2, Status
Code: 400, Request ID: ...)" (RequestToken: ..., HandlerErrorCode:
InvalidRequest)`` (seen in public CloudFormation events for the ALB; the
same wrapper is assumed for the Auto Scaling and CloudWatch handlers, whose
inner texts below are the APIs' own).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .intrinsics import is_function


@dataclass(frozen=True)
class RuleContext:
    """What a rule may ask of the emulator: ``resolve`` gives a value as the
    resource will receive it (moto's resolution of every intrinsic function),
    ``subnet_zone`` a subnet's Availability Zone (``None`` if unknown)."""

    resolve: Callable[[Any], Any]
    subnet_zone: Callable[[str], str | None]


Rule = Callable[[Mapping[str, Any], RuleContext], str | None]


def handler_message(service: str, text: str) -> str:
    return (
        f'Resource handler returned message: "{text} (Service: {service}, Status Code: 400, '
        f'Request ID: {uuid.uuid4()})" (RequestToken: {uuid.uuid4()}, HandlerErrorCode: InvalidRequest)'
    )


def _resolved(value: Any, context: RuleContext) -> Any:
    if not is_function(value) and not (isinstance(value, list) and any(is_function(v) for v in value)):
        return value
    try:
        return context.resolve(value)
    except Exception:
        return None


def _subnet_ids(properties: Mapping[str, Any], context: RuleContext) -> list[str] | None:
    if "Subnets" in properties:
        subnets = _resolved(properties["Subnets"], context)
    else:
        mappings = _resolved(properties.get("SubnetMappings"), context)
        subnets = [_resolved(m.get("SubnetId"), context) for m in mappings] if isinstance(mappings, list) else None
    if not isinstance(subnets, list) or not all(isinstance(s, str) for s in subnets):
        return None
    return subnets


def alb_subnets_in_two_zones(properties: Mapping[str, Any], context: RuleContext) -> str | None:
    """An Application Load Balancer needs subnets in at least two
    Availability Zones
    (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#availability-zones;
    CreateLoadBalancer's ValidationError "At least two subnets in two
    different Availability Zones must be specified")."""
    if properties.get("Type", "application") != "application":
        return None
    subnets = _subnet_ids(properties, context)
    if subnets is None:
        return None
    zones = {context.subnet_zone(s) for s in subnets}
    if None in zones or len(zones) >= 2:
        return None  # an unknown subnet is the API's own error (moto answers it)
    return handler_message(
        "ElasticLoadBalancingV2", "At least two subnets in two different Availability Zones must be specified"
    )


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def asg_capacity_in_bounds(properties: Mapping[str, Any], context: RuleContext) -> str | None:
    """MinSize <= DesiredCapacity <= MaxSize
    (https://docs.aws.amazon.com/autoscaling/ec2/userguide/asg-capacity-limits.html).
    The API's texts, as CreateAutoScalingGroup/UpdateAutoScalingGroup answer
    them: "Max bound, 1, must be greater than or equal to min bound, 2" and
    "Desired capacity:3 must be between the specified min size:1 and max size:2"."""
    low = _as_int(_resolved(properties.get("MinSize"), context))
    high = _as_int(_resolved(properties.get("MaxSize"), context))
    if low is None or high is None:
        return None
    if low > high:
        return handler_message("AutoScaling", f"Max bound, {high}, must be greater than or equal to min bound, {low}")
    desired = _as_int(_resolved(properties.get("DesiredCapacity"), context))
    if desired is not None and not low <= desired <= high:
        return handler_message(
            "AutoScaling",
            f"Desired capacity:{desired} must be between the specified min size:{low} and max size:{high}",
        )
    return None


# PutMetricAlarm: "If you use the Metrics parameter, you cannot include the
# MetricName, Dimensions, Period, Namespace, Statistic, or ExtendedStatistic
# parameters" (Unit too), in that order of checking (not documented).
_NOT_WITH_METRICS = ("MetricName", "Namespace", "Dimensions", "Period", "Statistic", "ExtendedStatistic", "Unit")


def alarm_metrics_alone(properties: Mapping[str, Any], context: RuleContext) -> str | None:
    """An alarm on a metric math expression (``Metrics``) takes no single-metric properties
    (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html).
    CloudWatch's text is "Statistic should not be set if list of Metrics is
    set." (likewise "Unit ..."; seen in public CloudFormation events); the
    same wording for the other properties is assumed."""
    if "Metrics" not in properties:
        return None
    for name in _NOT_WITH_METRICS:
        if name in properties:
            return handler_message("CloudWatch", f"{name} should not be set if list of Metrics is set.")
    return None


RULES: dict[str, tuple[Rule, ...]] = {
    "AWS::ElasticLoadBalancingV2::LoadBalancer": (alb_subnets_in_two_zones,),
    "AWS::AutoScaling::AutoScalingGroup": (asg_capacity_in_bounds,),
    "AWS::CloudWatch::Alarm": (alarm_metrics_alone,),
}


def handler_refusal(resource_type: str, properties: Mapping[str, Any], context: RuleContext) -> str | None:
    for rule in RULES.get(resource_type, ()):
        refusal = rule(properties, context)
        if refusal is not None:
            return refusal
    return None
