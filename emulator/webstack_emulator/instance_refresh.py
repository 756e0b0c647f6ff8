"""The instance refresh a stack update runs (``UpdatePolicy.AutoScalingInstanceRefresh``).

AWS (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-updatepolicy.html#cfn-attributes-updatepolicy-instancerefresh;
the page's text was not in the sources this was written from: the
behaviour below is from CDK 2.275's ``UpdatePolicy.instanceRefresh`` and the
feature's announcement, 2026-07-29, as summarised in public notes):

* A stack update that changes the group's ``LaunchTemplate`` or
  ``MixedInstancesPolicy`` starts an instance refresh toward the new
  configuration instead of replacing instances itself: "When properties
  that trigger an instance refresh change (such as LaunchTemplate or
  MixedInstancesPolicy), CloudFormation starts an instance refresh to
  replace instances gradually" (CDK 2.275's ``CfnAutoScalingInstanceRefresh``,
  https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.CfnAutoScalingInstanceRefresh.html).
  Any other change of the group (``MaxSize``, ``MinSize``, tags, ...) is
  applied in place without one; a launch template whose template and
  parameters are unchanged gets no new version (engine fix 21), so the
  group's ``LatestVersionNumber`` reference does not change either.
* The refresh replaces instances in batches that keep
  ``MinHealthyPercentage`` of the desired capacity healthy and in service
  and never exceed ``MaxHealthyPercentage`` (above 100: replacements launch
  before the old instances terminate), waits ``CheckpointDelay`` at each of
  ``CheckpointPercentages`` and ``BakeTime`` at the end; ``SkipMatching``
  (default true) leaves instances that already run the wanted configuration
  (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_RefreshPreferences.html,
  https://docs.aws.amazon.com/autoscaling/ec2/userguide/asg-instance-refresh.html).
* A checkpoint is reached when the share of instances replaced reaches its
  percentage; several checkpoints reached by one batch are waited once
  (https://docs.aws.amazon.com/autoscaling/ec2/userguide/asg-adding-checkpoints-instance-refresh.html).
* An alarm of ``AlarmSpecification`` in ALARM during the refresh or its bake
  time fails it; the stack update fails and CloudFormation's rollback starts
  an instance refresh back to the previous configuration, so the stack ends
  in ``UPDATE_ROLLBACK_COMPLETE`` with the previous launch template version
  in service (the Auto Scaling view of a rollback:
  https://docs.aws.amazon.com/autoscaling/ec2/userguide/instance-refresh-rollback.html).
* ``DescribeInstanceRefreshes`` lists a group's refreshes, newest first
  (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DescribeInstanceRefreshes.html).
* A template without ``DesiredCapacity`` leaves the group's current desired
  capacity alone on update: the refresh works on that size.

Emulated so: the refresh runs inside the stack update (moto executes change
sets synchronously); the forward refresh ends ``Successful`` or ``Failed``
(with the alarm in ``StatusReason``) and a rollback appears as a second,
``Successful`` refresh to the previous launch template version. Unknown,
hence not reproduced: AWS's exact ``StatusReason`` texts and the stack
event's reason for a refresh failure (ours name the alarm).

Health: instances run no software here, so a launched instance counts as
healthy at once (no warm-up is waited); the only health signal is the
alarms' state, which tests set with ``SetAlarmState``.

Time: checkpoint delays and bake time are real waits, multiplied by
``WEBSTACK_EMULATOR_TIME_SCALE`` (a number from 0 to 1, default 1: real
time), read when a refresh starts; alarms are polled every 0.1 s of real
time while waiting. Tests set e.g. 0.01 so that a 300 s bake lasts 3 s.
"""

from __future__ import annotations

import math
import os
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

TIME_SCALE_ENV = "WEBSTACK_EMULATOR_TIME_SCALE"
POLL_SECONDS = 0.1
# Properties whose change starts a refresh; only the first two are emulated.
_REFRESHED = ("LaunchTemplate", "MixedInstancesPolicy")
_NOT_EMULATED = ("VPCZoneIdentifier", "AvailabilityZones", "PlacementGroup")


class RefreshError(Exception):
    """Fails the group's update; the text is the emulator's (AWS's is not documented)."""

    aws_text = True


class NotEmulated(Exception):
    """A refresh the emulator cannot run: a loud failure, never a silent skip."""

    aws_text = True  # "not emulated: ...", shown as it is


class SettingError(Exception):
    """A bad emulator setting: reported as the emulator's own error, not AWS's."""


@dataclass
class Refresh:
    group_name: str
    preferences: dict[str, Any]
    desired_configuration: dict[str, Any]
    instances_to_update: int
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    status: str = "InProgress"
    status_reason: str = ""
    start_time: datetime = field(default_factory=lambda: datetime.now(UTC))
    end_time: datetime | None = None
    replaced: int = 0

    def finish(self, status: str, reason: str = "") -> None:
        self.status, self.status_reason, self.end_time = status, reason, datetime.now(UTC)

    def describe(self) -> dict[str, Any]:
        total = self.instances_to_update
        out: dict[str, Any] = {
            "InstanceRefreshId": self.id,
            "AutoScalingGroupName": self.group_name,
            "Status": self.status,
            "StartTime": self.start_time,
            "PercentageComplete": 100 if not total else self.replaced * 100 // total,
            "InstancesToUpdate": total - self.replaced,
            "Preferences": self.preferences,
            "DesiredConfiguration": self.desired_configuration,
        }
        if self.status_reason:
            out["StatusReason"] = self.status_reason
        if self.end_time is not None:
            out["EndTime"] = self.end_time
        return out


def refreshes_of(group: Any) -> list[Refresh]:
    """The group's refreshes, oldest first (kept on the group: deleted with it)."""
    found: list[Refresh] | None = getattr(group, "webstack_refreshes", None)
    if found is None:
        found = []
        group.webstack_refreshes = found
    return found


def policy_of(cloudformation_json: dict[str, Any]) -> dict[str, Any] | None:
    return ((cloudformation_json or {}).get("UpdatePolicy") or {}).get("AutoScalingInstanceRefresh")


def time_scale() -> float:
    raw = os.environ.get(TIME_SCALE_ENV, "1")
    try:
        scale = float(raw)
    except ValueError:
        scale = -1.0
    if not 0 <= scale <= 1:
        raise SettingError(f"{TIME_SCALE_ENV}={raw!r} is not a number from 0 to 1: set it to e.g. 0.01, or unset it")
    return scale


def wanted_version(props: dict[str, Any]) -> str | None:
    spec = props.get("LaunchTemplate") or ((props.get("MixedInstancesPolicy") or {}).get("LaunchTemplate") or {}).get(
        "LaunchTemplateSpecification"
    )
    return None if not spec else str(spec.get("Version") or "$Default")


def triggered(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """True if the update changes what the refresh replaces instances for."""
    for name in _NOT_EMULATED:
        if old.get(name) != new.get(name):
            raise NotEmulated(
                f"not emulated: an instance refresh for a change of {name} (the emulator refreshes for "
                f"{' and '.join(_REFRESHED)} changes only)"
            )
    return any(old.get(name) != new.get(name) for name in _REFRESHED)


def version_of(state: Any) -> str | None:
    return getattr(state.instance, "webstack_launch_template_version", None)


def _alarm_in_alarm(group: Any, names: list[str]) -> str | None:
    from moto.cloudwatch.models import cloudwatch_backends

    alarms = cloudwatch_backends[group.account_id][group.region].alarms
    for name in names:
        alarm = alarms.get(name)
        if alarm is None:
            # AWS's answer to a missing alarm is not documented: fail loudly.
            return f"{name} (no such alarm)"
        if alarm.state_value == "ALARM":
            return name
    return None


@dataclass
class _Run:
    group: Any
    refresh: Refresh
    alarms: list[str]
    scale: float

    def check(self) -> None:
        tripped = _alarm_in_alarm(self.group, self.alarms)
        if tripped is not None:
            raise RefreshError(
                f"Instance refresh {self.refresh.id} failed: alarm {tripped} is in ALARM state; "
                "the update is rolled back to the previous launch template version"
            )

    def wait(self, seconds: float) -> None:
        """Wait ``seconds`` (scaled), polling the alarms."""
        deadline = time.monotonic() + seconds * self.scale
        self.check()
        while (left := deadline - time.monotonic()) > 0:
            time.sleep(min(POLL_SECONDS, left))
            self.check()


def _healthy_band(group: Any, prefs: dict[str, Any]) -> tuple[int, int]:
    """(instances that must stay in service, instances that may exist) for the desired capacity."""
    desired = int(group.desired_capacity or 0)
    low = math.ceil(desired * int(prefs.get("MinHealthyPercentage", 100)) / 100)
    high = math.floor(desired * int(prefs.get("MaxHealthyPercentage", 110)) / 100)
    return low, high


def _batch(desired: int, low: int, high: int) -> tuple[int, bool]:
    """(instances replaced at a time, launch before terminating).

    With room above the desired capacity, replacements launch first, as
    many as fit under the maximum; otherwise as many as may leave above the
    minimum terminate first. At least one at a time: "To replace one instance
    at a time, set a minimum healthy percentage of 100 percent"
    (https://docs.aws.amazon.com/autoscaling/ec2/userguide/asg-instance-refresh.html).
    """
    if high > desired:
        return high - desired, True
    return max(1, desired - low), False


def _replace(group: Any, old: list[Any], launch_first: bool) -> None:
    """Replace ``old`` instance states: launch then terminate (above 100 % max healthy) or the reverse."""
    if launch_first:
        group.replace_autoscaling_group_instances(len(old), group.get_propagated_tags())
    ids = [s.instance.id for s in old]
    _deregister(group, ids)
    group.autoscaling_backend.ec2_backend.terminate_instances(ids)
    group.instance_states = [s for s in group.instance_states if s.instance.id not in ids]
    if not launch_first:
        group.replace_autoscaling_group_instances(len(old), group.get_propagated_tags())
    group.autoscaling_backend.update_attached_target_groups(group.name)


def _deregister(group: Any, ids: list[str]) -> None:
    """A terminating instance leaves the group's target groups: Auto Scaling deregisters it
    from its load balancer target groups before it terminates, waiting for the group's
    deregistration delay ("WaitingForELBConnectionDraining")
    (https://docs.aws.amazon.com/autoscaling/ec2/userguide/autoscaling-load-balancer.html,
    https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-target-groups.html#deregistration-delay).
    moto's ``update_attached_target_groups`` only registers, so the replaced instances
    stayed targets (and, under the data plane, kept answering requests). The
    deregistration delay (connection draining) is not modelled: they leave at once."""
    elbv2 = group.autoscaling_backend.elbv2_backend
    for arn in group.target_group_arns or []:
        target_group = elbv2.target_groups.get(arn)
        if target_group is not None:
            target_group.deregister([{"Id": i} for i in ids if i in target_group.targets])


def _batches(total: int, batch: int, checkpoints: list[int]) -> list[int]:
    """Batch sizes: at most ``batch`` at a time, never past the next checkpoint."""
    stops = sorted({math.ceil(total * p / 100) for p in checkpoints} | {total})
    sizes, done = [], 0
    for stop in stops:
        while done < stop:
            step = min(batch, stop - done)
            sizes.append(step)
            done += step
    return sizes


def _run(run: _Run, prefs: dict[str, Any], outdated: list[Any]) -> None:
    low, high = _healthy_band(run.group, prefs)
    batch, launch_first = _batch(int(run.group.desired_capacity or 0), low, high)
    checkpoints = [int(p) for p in prefs.get("CheckpointPercentages") or []]
    stops = {math.ceil(len(outdated) * p / 100) for p in checkpoints if p < 100}
    run.check()
    for size in _batches(len(outdated), batch, checkpoints):
        chunk, outdated = outdated[:size], outdated[size:]
        _replace(run.group, chunk, launch_first)
        run.refresh.replaced += size
        run.check()
        if run.refresh.replaced in stops:
            run.wait(float(prefs.get("CheckpointDelay", 3600)))
    run.refresh.status = "Baking"
    run.wait(float(prefs.get("BakeTime", 0)))


def _start(group: Any, policy: dict[str, Any], version: str | None, *, skip_matching: bool, scale: float) -> Refresh:
    prefs = dict(policy.get("Preferences") or {})
    outdated = [s for s in group.instance_states if not (skip_matching and version_of(s) == version)]
    refresh = Refresh(
        group_name=group.name,
        preferences=prefs,
        desired_configuration={
            "LaunchTemplate": {"LaunchTemplateId": group.ec2_launch_template.id, "Version": version}
        },
        instances_to_update=len(outdated),
    )
    refreshes_of(group).append(refresh)
    run = _Run(group, refresh, list((prefs.get("AlarmSpecification") or {}).get("Alarms") or []), scale)
    try:
        _run(run, prefs, outdated)
    except RefreshError as exc:
        refresh.finish("Failed", str(exc))
        raise
    refresh.finish("Successful")
    return refresh


def run_refresh(group: Any, policy: dict[str, Any], previous: dict[str, Any], apply_previous: Any) -> None:
    """Refresh ``group`` (already updated to the new configuration) per ``policy``.

    On an alarm, ``apply_previous()`` puts the previous configuration back
    and a second refresh (no alarms, no waits: CloudFormation's rollback)
    replaces the new instances with instances of the previous version.
    """
    if group.ec2_launch_template is None:
        raise NotEmulated("not emulated: an instance refresh of a group without a launch template")
    skip = bool((policy.get("Preferences") or {}).get("SkipMatching", True))
    scale = time_scale()
    try:
        _start(group, policy, str(group.launch_template_version), skip_matching=skip, scale=scale)
    except RefreshError:
        apply_previous()
        back = {"Strategy": policy.get("Strategy", "Rolling"), "Preferences": _rollback_preferences(policy)}
        _start(group, back, wanted_version(previous), skip_matching=True, scale=scale)
        raise


def _rollback_preferences(policy: dict[str, Any]) -> dict[str, Any]:
    prefs = dict(policy.get("Preferences") or {})
    for key in ("AlarmSpecification", "CheckpointPercentages", "CheckpointDelay", "BakeTime"):
        prefs.pop(key, None)
    return prefs


def describe(groups: list[Any], ids: set[str]) -> list[dict[str, Any]]:
    found = [r for g in groups for r in refreshes_of(g) if not ids or r.id in ids]
    found.sort(key=lambda r: r.start_time, reverse=True)
    return [r.describe() for r in found]
