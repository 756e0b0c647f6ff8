"""``AWS::AutoScaling::ScalingPolicy`` (missing in moto's CloudFormation).

Maps onto moto's ``put_scaling_policy`` (target tracking, step and simple
policies), so ``describe_policies`` shows the policy with its target
tracking configuration. Ref = policy ARN; GetAtt Arn, PolicyName.
"""

from __future__ import annotations

from typing import Any

from moto.autoscaling.models import autoscaling_backends
from moto.core.common_models import CloudFormationModel

from ._base import Provider


def _step_adjustments(steps: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    out = []
    for s in steps or []:
        step = {"ScalingAdjustment": int(s["ScalingAdjustment"])}
        if s.get("MetricIntervalLowerBound") is not None:
            step["MetricIntervalLowerBound"] = float(s["MetricIntervalLowerBound"])
        if s.get("MetricIntervalUpperBound") is not None:
            step["MetricIntervalUpperBound"] = float(s["MetricIntervalUpperBound"])
        out.append(step)
    return out


class ScalingPolicy(Provider, CloudFormationModel):
    TYPE = "AWS::AutoScaling::ScalingPolicy"
    ATTRIBUTES = ("Arn", "PolicyName")

    def _backend(self) -> Any:
        return autoscaling_backends[self.account_id][self.region_name]

    def create(self, props: dict[str, Any]) -> str:
        name = self.generated_name(255)
        self._name = name
        policy = self._put(name, props)
        self.attributes = {"Arn": policy.arn, "PolicyName": name}
        return policy.arn

    def _put(self, name: str, p: dict[str, Any]) -> Any:
        ttc = p.get("TargetTrackingConfiguration")
        return self._backend().put_scaling_policy(
            name=name,
            policy_type=p.get("PolicyType", "SimpleScaling"),
            metric_aggregation_type=p.get("MetricAggregationType"),
            adjustment_type=p.get("AdjustmentType"),
            as_name=p["AutoScalingGroupName"],
            min_adjustment_magnitude=p.get("MinAdjustmentMagnitude"),
            scaling_adjustment=int(p["ScalingAdjustment"]) if p.get("ScalingAdjustment") is not None else None,
            cooldown=int(p["Cooldown"]) if p.get("Cooldown") is not None else None,
            target_tracking_config=ttc,
            step_adjustments=_step_adjustments(p.get("StepAdjustments")),  # type: ignore[arg-type]
            estimated_instance_warmup=p.get("EstimatedInstanceWarmup"),
            predictive_scaling_configuration=p.get("PredictiveScalingConfiguration"),
        )

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        if old.get("AutoScalingGroupName") != new.get("AutoScalingGroupName"):
            self.delete_resource()
        policy = self._put(self._name, new)
        self.physical_id = policy.arn
        self.attributes = {"Arn": policy.arn, "PolicyName": self._name}

    def delete_resource(self) -> None:
        self._backend().delete_policy(self._name)
