"""``AWS::AutoScaling::ScalingPolicy`` (missing in moto's CloudFormation).

Maps onto moto's ``put_scaling_policy`` (target tracking, step and simple
policies), so ``describe_policies`` shows the policy with its target
tracking configuration. Ref = policy ARN; GetAtt Arn, PolicyName.

:func:`install` also gives groups their ``NotificationConfigurations``
(from the template and the Put/Describe/DeleteNotificationConfiguration
API) and sends launch/terminate notifications as the Auto Scaling
service-linked role (:mod:`webstack_emulator.scaling_notifications`), and
makes every launch (create, scale-out) pass the EBS key check of
:mod:`webstack_emulator.ebs_launch` (D1): a refused launch starts no
instance and shows as a ``Failed`` scaling activity
(``DescribeScalingActivities``, which moto answers with an empty list).
Instances launched from a launch template get that version's settings
(:mod:`webstack_emulator.template_launch`); a version with settings the
emulator cannot give an instance fails the launch loudly.

A stack update of a group with ``UpdatePolicy.AutoScalingInstanceRefresh``
that changes its launch template runs an instance refresh
(:mod:`webstack_emulator.instance_refresh`), answered by
``DescribeInstanceRefreshes``; each instance remembers the launch template
version it was launched from (moto reported the template's default version
for every instance).
"""

from __future__ import annotations

from typing import Any

from moto.autoscaling.models import autoscaling_backends
from moto.core.common_models import CloudFormationModel

from .. import ebs_launch, instance_refresh, scaling_notifications, template_launch
from ..engine import add, replace, require_pinned_moto
from ..engine.registry import deleter
from ._base import Provider, ProviderError


def _step_adjustments(steps: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    out = []
    for s in steps or []:
        step: dict[str, Any] = {"ScalingAdjustment": int(s["ScalingAdjustment"])}
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
            step_adjustments=_step_adjustments(p.get("StepAdjustments")),
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


# -- AutoScalingGroup updates in place -----------------------------------------
#
# moto "updates" an AWS::AutoScaling::AutoScalingGroup by deleting it and
# creating a new one under a new generated name; every resource that names
# the group (scaling policies, scheduled actions, alarms' dimensions) kept
# pointing at the deleted group, and the instances were all replaced. In
# CloudFormation only a new AutoScalingGroupName replaces the group; capacity,
# launch template version, subnets, health checks, target groups and tags are
# updated in place.


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _update_group_in_place(original_update: Any) -> Any:
    def update_from_cloudformation_json(  # noqa: PLR0917 - moto passes all five positionally
        cls: Any,
        original_resource: Any,
        new_resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
    ) -> Any:
        props = cloudformation_json.get("Properties") or {}
        wanted = props.get("AutoScalingGroupName")
        backend: Any = autoscaling_backends[account_id][region_name]
        name = original_resource.name
        if (wanted and wanted != name) or name not in backend.autoscaling_groups:
            return original_update.__func__(
                cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
            )
        group = backend.autoscaling_groups[name]
        scaling_notifications.from_template(group, props)
        previous = _launch_spec(group)
        policy = instance_refresh.policy_of(cloudformation_json)
        refresh = policy is not None and instance_refresh.triggered(
            {**previous, "VPCZoneIdentifier": group.vpc_zone_identifier},
            {**_launch_spec_of(props), "VPCZoneIdentifier": ",".join(props.get("VPCZoneIdentifier") or []) or None},
        )
        backend.update_auto_scaling_group(
            name=name,
            availability_zones=props.get("AvailabilityZones") or [],
            desired_capacity=_int(props.get("DesiredCapacity")),
            max_size=_int(props.get("MaxSize")),
            min_size=_int(props.get("MinSize")),
            launch_config_name=props.get("LaunchConfigurationName"),
            launch_template=props.get("LaunchTemplate") or {},
            vpc_zone_identifier=",".join(props.get("VPCZoneIdentifier") or []) or None,
            health_check_period=_int(props.get("HealthCheckGracePeriod")),
            health_check_type=props.get("HealthCheckType"),
            new_instances_protected_from_scale_in=props.get("NewInstancesProtectedFromScaleIn"),
            mixed_instances_policy=props.get("MixedInstancesPolicy") or None,
        )
        old_tgs, new_tgs = set(group.target_group_arns or []), set(props.get("TargetGroupARNs") or [])
        if new_tgs - old_tgs:
            backend.attach_load_balancer_target_groups(name, sorted(new_tgs - old_tgs))
        if old_tgs - new_tgs:
            backend.detach_load_balancer_target_groups(name, sorted(old_tgs - new_tgs))
        if props.get("Tags"):
            backend.create_or_update_tags(
                [
                    {
                        "ResourceId": name,
                        "ResourceType": "auto-scaling-group",
                        "Key": t["Key"],
                        "Value": str(t["Value"]),
                        "PropagateAtLaunch": t.get("PropagateAtLaunch", False),
                    }
                    for t in props["Tags"]
                ]
            )
        if refresh and policy is not None:
            _refresh(group, policy, previous)
        return group

    return classmethod(update_from_cloudformation_json)


class InstanceRefreshFailed(ProviderError):
    """The stack update's failure when the refresh failed (the text is the emulator's:
    AWS's is not documented; engine/failures.py shows it as it is)."""


def _launch_spec(group: Any) -> dict[str, Any]:
    """The group's current LaunchTemplate / MixedInstancesPolicy, as the template spells them."""
    if group.mixed_instances_policy:
        return {"MixedInstancesPolicy": group.mixed_instances_policy}
    template = group.ec2_launch_template
    if template is None:
        return {}
    return {"LaunchTemplate": {"LaunchTemplateId": template.id, "Version": str(group.launch_template_version)}}


def _launch_spec_of(props: dict[str, Any]) -> dict[str, Any]:
    if props.get("MixedInstancesPolicy"):
        return {"MixedInstancesPolicy": props["MixedInstancesPolicy"]}
    spec = props.get("LaunchTemplate")
    if not spec:
        return {}
    return {"LaunchTemplate": {"LaunchTemplateId": spec.get("LaunchTemplateId"), "Version": str(spec.get("Version"))}}


def _refresh(group: Any, policy: dict[str, Any], previous: dict[str, Any]) -> None:
    def apply_previous() -> None:
        group.mixed_instances_policy = previous.get("MixedInstancesPolicy")
        group._set_launch_configuration(
            None, previous.get("LaunchTemplate") or {}, mixed_instances_policy=group.mixed_instances_policy
        )

    try:
        instance_refresh.run_refresh(group, policy, previous, apply_previous)
    except instance_refresh.RefreshError as exc:
        raise InstanceRefreshFailed(str(exc)) from None
    except instance_refresh.NotEmulated as exc:
        raise ProviderError(str(exc)) from None


def _notifying_set_desired_capacity(original: Any) -> Any:
    def set_desired_capacity(self: Any, new_capacity: int | None) -> None:
        before = {i.instance_id: i for i in self.active_instances()}
        original(self, new_capacity)
        after = {i.instance_id: i for i in self.active_instances()}
        scaling_notifications.notify(
            self, scaling_notifications.TERMINATE, [before[i] for i in before if i not in after]
        )
        scaling_notifications.notify(self, scaling_notifications.LAUNCH, [after[i] for i in after if i not in before])

    return set_desired_capacity


class CreationPolicyNotSatisfied(ProviderError):
    """CloudFormation's event reason is the text alone; the engine prefixes
    every reason with the failure's class name (engine/failures.py)."""


def _check_creation_policy(group: Any, cloudformation_json: Any) -> None:
    """Without a ``CreationPolicy`` CloudFormation does not wait for a group's
    instances: the group is CREATE_COMPLETE once it exists, whether or not
    its launches succeed ("Normally, CloudFormation proceeds with stack
    creation after the [resource] has been successfully created",
    https://aws.amazon.com/blogs/devops/use-a-creationpolicy-to-wait-for-on-instance-configurations/;
    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-creationpolicy.html).
    With ``ResourceSignal.Count`` it waits for that many success signals
    until ``Timeout``; an instance that never launched never signals, and the
    group fails with "Received N SUCCESS signal(s) out of M. Unable to satisfy
    P% MinSuccessfulInstancesPercent requirement" (e.g. Kong/kong-dist-cloudformation#39).
    The emulator runs no instance software, so a launched instance counts as
    signalled and only launches that failed can fail the policy -- at once,
    not after the timeout."""
    policy = (cloudformation_json or {}).get("CreationPolicy") or {}
    count = int((policy.get("ResourceSignal") or {}).get("Count") or 0)
    if not count or not ebs_launch.failed_launches(group):
        return
    percent = int((policy.get("AutoScalingCreationPolicy") or {}).get("MinSuccessfulInstancesPercent", 100))
    received = min(len(group.active_instances()), count)
    if received * 100 >= count * percent:
        return
    group.autoscaling_backend.delete_auto_scaling_group(group.name)
    raise CreationPolicyNotSatisfied(
        f"Received {received} SUCCESS signal(s) out of {count}. "
        f"Unable to satisfy {percent}% MinSuccessfulInstancesPercent requirement"
    )


def _create_with_notifications(original_create: Any) -> Any:
    def create_from_cloudformation_json(
        cls: Any, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> Any:
        group = original_create.__func__(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        _check_creation_policy(group, cloudformation_json)
        # CreateAutoScalingGroup carries the configurations, so the group's
        # first instances are notified too; moto launched them before we
        # could attach the configurations, hence the notification here.
        scaling_notifications.from_template(group, cloudformation_json.get("Properties") or {})
        scaling_notifications.notify(group, scaling_notifications.LAUNCH, group.active_instances())
        return group

    return classmethod(create_from_cloudformation_json)


def _launching_with_key_check(original: Any) -> Any:
    def replace_autoscaling_group_instances(self: Any, count_needed: int, propagated_tags: dict[str, str]) -> None:
        # A version the emulator cannot launch fails loudly before anything is decided.
        template_launch.launch_spec(self)
        refusal = ebs_launch.launch_refusal(self)
        if refusal is not None:
            ebs_launch.record_failed_launches(self, count_needed, refusal)
            return
        before = {i.instance.id for i in self.instance_states}
        original(self, count_needed, propagated_tags)
        launched = [i.instance for i in self.instance_states if i.instance.id not in before]
        for instance in launched:
            instance.webstack_launch_template_version = (
                str(self.launch_template_version) if self.ec2_launch_template is not None else None
            )
        ebs_launch.record_launches(self, launched, len(before))

    return replace_autoscaling_group_instances


def _instance_launch_template(state: Any) -> dict[str, Any] | None:
    """The launch template an instance was launched from, with that launch's version
    (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_Instance.html); moto
    showed the template's default version for every instance."""
    template = state.auto_scaling_group.ec2_launch_template if state.auto_scaling_group is not None else None
    if template is None:
        return None
    version = getattr(state.instance, "webstack_launch_template_version", None)
    return {
        "LaunchTemplateId": template.id,
        "LaunchTemplateName": template.name,
        "Version": version if version is not None else str(state.auto_scaling_group.launch_template_version),
    }


def _group(response: Any) -> Any:
    from moto.autoscaling.exceptions import ValidationError

    name = response._get_param("AutoScalingGroupName")
    group = response.autoscaling_backend.autoscaling_groups.get(name)
    if group is None:
        # AWS's text for an unknown group in the notification APIs.
        raise ValidationError(f"AutoScalingGroup name not found - AutoScalingGroup {name} not found")
    return group


def _install_notification_api() -> None:
    from moto.autoscaling.responses import AutoScalingResponse
    from moto.core.responses import ActionResult, EmptyResult

    # https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PutNotificationConfiguration.html
    # (overwrites the topic's configuration), ..._DescribeNotificationConfigurations.html,
    # ..._DeleteNotificationConfiguration.html
    def put_notification_configuration(self: Any) -> Any:
        types = self._get_param("NotificationTypes") or []
        scaling_notifications.configure(_group(self), self._get_param("TopicARN"), types)
        return EmptyResult()

    def delete_notification_configuration(self: Any) -> Any:
        scaling_notifications.unconfigure(_group(self), self._get_param("TopicARN"))
        return EmptyResult()

    def describe_notification_configurations(self: Any) -> Any:
        names = self._get_param("AutoScalingGroupNames") or []
        groups = self.autoscaling_backend.autoscaling_groups
        chosen = [groups[n] for n in names if n in groups] if names else list(groups.values())
        return ActionResult({"NotificationConfigurations": scaling_notifications.describe(chosen)})

    # https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DescribeScalingActivities.html:
    # one group's (or every group's) activities, most recent first; ActivityIds
    # narrows them. NextToken paging is not modelled (MaxRecords caps one page).
    def describe_scaling_activities(self: Any) -> Any:
        name = self._get_param("AutoScalingGroupName")
        ids = set(self._get_param("ActivityIds") or [])
        groups = self.autoscaling_backend.autoscaling_groups
        chosen = [groups[name]] if name in groups else ([] if name else list(groups.values()))
        found = [a for g in chosen for a in ebs_launch.activities_of(g) if not ids or a["ActivityId"] in ids]
        found.sort(key=lambda a: a["StartTime"], reverse=True)
        return ActionResult({"Activities": found[: int(self._get_param("MaxRecords") or 100)]})

    # https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DescribeInstanceRefreshes.html:
    # the group's refreshes, newest first; InstanceRefreshIds narrows them; an
    # unknown group answers an empty list (AWS's answer is not documented).
    # NextToken paging is not modelled (MaxRecords caps one page).
    def describe_instance_refreshes(self: Any) -> Any:
        name = self._get_param("AutoScalingGroupName")
        group = self.autoscaling_backend.autoscaling_groups.get(name)
        ids = set(self._get_param("InstanceRefreshIds") or [])
        found = instance_refresh.describe([group] if group is not None else [], ids)
        return ActionResult({"InstanceRefreshes": found[: int(self._get_param("MaxRecords") or 50)]})

    replace(AutoScalingResponse, "describe_scaling_activities", describe_scaling_activities)
    add(AutoScalingResponse, "describe_instance_refreshes", describe_instance_refreshes)
    add(AutoScalingResponse, "put_notification_configuration", put_notification_configuration)
    add(AutoScalingResponse, "delete_notification_configuration", delete_notification_configuration)
    add(AutoScalingResponse, "describe_notification_configurations", describe_notification_configurations)


def install() -> None:
    require_pinned_moto(__name__)
    from moto.autoscaling.models import FakeAutoScalingGroup, FakeScheduledAction, InstanceState

    replace(
        FakeAutoScalingGroup,
        "set_desired_capacity",
        _notifying_set_desired_capacity(vars(FakeAutoScalingGroup)["set_desired_capacity"]),
    )
    replace(
        FakeAutoScalingGroup,
        "replace_autoscaling_group_instances",
        _launching_with_key_check(
            template_launch.launching_from_template(vars(FakeAutoScalingGroup)["replace_autoscaling_group_instances"])
        ),
    )
    replace(
        FakeAutoScalingGroup,
        "create_from_cloudformation_json",
        _create_with_notifications(vars(FakeAutoScalingGroup)["create_from_cloudformation_json"]),
    )
    _install_notification_api()
    replace(InstanceState, "launch_template", property(_instance_launch_template))

    # CloudFormation's physical id of a scheduled action is its name (moto: none)
    add(FakeScheduledAction, "physical_resource_id", property(lambda self: self.scheduled_action_name))
    replace(
        FakeAutoScalingGroup,
        "update_from_cloudformation_json",
        _update_group_in_place(vars(FakeAutoScalingGroup)["update_from_cloudformation_json"]),
    )


@deleter("AWS::AutoScaling::ScheduledAction")
def _delete_scheduled_action(action: Any, account_id: str, region_name: str) -> None:
    backend = autoscaling_backends[account_id][region_name]
    key = next((k for k, v in backend.scheduled_actions.items() if v is action), None)
    if key is not None:
        del backend.scheduled_actions[key]
