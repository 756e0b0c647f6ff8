"""Fix 20: rollback triggers.

moto: ignores the ``RollbackConfiguration`` of ``CreateChangeSet``; an
update goes through whatever state its alarms are in, and ``DescribeStacks``
shows no rollback configuration.

AWS (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-rollback-triggers.html,
https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_RollbackConfiguration.html,
https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_RollbackTrigger.html):

* CloudFormation monitors the trigger alarms during the create or update and
  for ``MonitoringTimeInMinutes`` (0 to 180, default 0) after all resources
  are deployed; an alarm in ``ALARM`` rolls the entire operation back (an
  update ends in ``UPDATE_ROLLBACK_COMPLETE``). ``INSUFFICIENT_DATA`` does not.
* The triggers are saved on the stack and apply to later operations unless a
  new list is given (which replaces them; an empty list removes them).
* "If a specified trigger is missing, the entire stack operation fails and is
  rolled back." At most 5 triggers.
* A composite alarm is a trigger: ``Type`` is "either AWS::CloudWatch::Alarm
  or AWS::CloudWatch::CompositeAlarm"
  (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_RollbackTrigger.html).
  Any other type is refused when the change set is created; AWS's wording
  for that is not documented (the emulator's names the two types).
* An ARN whose resource part is not ``alarm:NAME`` (``alarm/NAME``, as
  CDK's ``CompositeAlarm.fromCompositeAlarmName`` once rendered it) is
  refused with "RelativeId of a Rollback Trigger's ARN is incorrect"
  (AWS's text as reported in https://github.com/aws/aws-cdk/issues/24594;
  that report does not say which call answered it: the emulator refuses
  the ``CreateChangeSet``).

Fix: ``CreateChangeSet`` keeps the configuration on the change set (the
range and count checked with AWS's constraint wording); executing it applies
the given or the saved triggers, and on success saves them on the stack,
where ``DescribeStacks`` shows them. What the emulator does on its own:

* Its updates take no time, so the alarms are checked when execution starts,
  before any resource changes, and the monitoring period is a window opened
  then: ``MonitoringTimeInMinutes`` x ``WEBSTACK_EMULATOR_SECONDS_PER_MONITORING_MINUTE``
  real seconds (default 0: one check, no wait), during which another request
  may set an alarm. Resources show their old state while the window is open
  (on AWS they show the new one).
* AWS's wording for a breached or a missing trigger is not documented; the
  emulator's reason says which alarm and what happened.
* An ARN is looked up as an alarm of either kind whatever its ``Type`` of
  the two (the CDK CLI sends ``AWS::CloudWatch::Alarm`` for every ARN it is
  given, https://github.com/aws/aws-cdk-cli/pull/1881: "CLI ARNs default to
  metric alarms"); whether AWS accepts a composite alarm under the metric
  alarm's type, or the reverse, is not documented: accepted here.
* ``RollbackConfiguration`` on ``CreateStack`` / ``UpdateStack`` is not
  emulated (refused, saying so); the CDK CLI deploys through change sets.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Mapping
from typing import Any

from moto.cloudformation import exceptions as cfn_exceptions
from moto.cloudformation import models as cfn_models
from moto.cloudformation import responses as cfn_responses
from moto.cloudwatch.models import cloudwatch_backends

from ._guard import add, replace, require_pinned_moto
from .change_sets import find_change_set

SCALE_VARIABLE = "WEBSTACK_EMULATOR_SECONDS_PER_MONITORING_MINUTE"
MAX_MONITORING_MINUTES = 180
MAX_TRIGGERS = 5
TRIGGER_TYPES = ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm")
_POLL_SECONDS = 0.1


class RollbackTriggered(Exception):
    """A rollback trigger stopped the operation (the emulator's wording: AWS's is not documented)."""

    aws_text = True  # shown as it is in the stack events (engine.failures.reason_of)


def _constraint(detail: str) -> cfn_exceptions.ValidationError:
    # AWS's generic request-validation wording.
    return cfn_exceptions.ValidationError(message=f"1 validation error detected: {detail}")


def _check_trigger(trigger: Mapping[str, str]) -> None:
    """Refuse a trigger of a type AWS does not list, or a CloudWatch ARN that names no alarm."""
    if trigger["Type"] not in TRIGGER_TYPES:
        # The emulator's wording: AWS documents the two types, not its answer to another one.
        raise cfn_exceptions.ValidationError(
            message=f"Rollback trigger {trigger['Arn']} has Type {trigger['Type']!r}: a rollback trigger's Type "
            f"is {' or '.join(TRIGGER_TYPES)}"
        )
    parts = trigger["Arn"].split(":", 5)
    if len(parts) == 6 and parts[0] == "arn" and parts[2] == "cloudwatch" and not parts[5].startswith("alarm:"):
        raise cfn_exceptions.ValidationError(message="RelativeId of a Rollback Trigger's ARN is incorrect")


def parse_configuration(raw: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """``{"RollbackTriggers": [...]?, "MonitoringTimeInMinutes": int?}`` from the request; None if not given."""
    if not raw:
        return None
    config: dict[str, Any] = {}
    if "MonitoringTimeInMinutes" in raw:
        minutes = int(raw["MonitoringTimeInMinutes"])
        if not 0 <= minutes <= MAX_MONITORING_MINUTES:
            raise _constraint(
                f"Value '{minutes}' at 'rollbackConfiguration.monitoringTimeInMinutes' failed to satisfy "
                f"constraint: Member must have value {'less' if minutes > 0 else 'greater'} than or equal to "
                f"{MAX_MONITORING_MINUTES if minutes > 0 else 0}"
            )
        config["MonitoringTimeInMinutes"] = minutes
    if "RollbackTriggers" in raw:
        triggers = [{"Arn": t["Arn"], "Type": t["Type"]} for t in raw["RollbackTriggers"] or []]
        for trigger in triggers:
            _check_trigger(trigger)
        if len(triggers) > MAX_TRIGGERS:
            raise _constraint(
                "Value at 'rollbackConfiguration.rollbackTriggers' failed to satisfy constraint: "
                f"Member must have length less than or equal to {MAX_TRIGGERS}"
            )
        config["RollbackTriggers"] = triggers
    return config


def effective(given: Mapping[str, Any] | None, saved: Mapping[str, Any] | None) -> dict[str, Any]:
    """The configuration an operation uses: the given parts, the stack's saved ones otherwise."""
    saved = saved or {}
    given = given or {}
    return {
        "RollbackTriggers": list(given.get("RollbackTriggers", saved.get("RollbackTriggers", []))),
        "MonitoringTimeInMinutes": int(given.get("MonitoringTimeInMinutes", saved.get("MonitoringTimeInMinutes", 0))),
    }


def _alarm(arn: str) -> Any:
    # arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME
    parts = arn.split(":", 6)
    if len(parts) != 7 or parts[2] != "cloudwatch" or parts[5] != "alarm":
        return None
    return cloudwatch_backends[parts[4]][parts[3]].alarms.get(parts[6])


def _breached(triggers: list[dict[str, Any]]) -> list[str]:
    alarms = {t["Arn"]: _alarm(t["Arn"]) for t in triggers}
    missing = [arn for arn, alarm in alarms.items() if alarm is None]
    if missing:
        raise RollbackTriggered(f"Rollback trigger(s) not found, the operation is rolled back: {', '.join(missing)}")
    return [arn for arn, alarm in alarms.items() if alarm.state_value == "ALARM"]


def monitor(config: Mapping[str, Any]) -> None:
    """RollbackTriggered if a trigger is missing or in ALARM now or during the (scaled) monitoring window."""
    triggers = config["RollbackTriggers"]
    if not triggers:
        return
    window = config["MonitoringTimeInMinutes"] * float(os.environ.get(SCALE_VARIABLE, "0") or 0)
    deadline = time.monotonic() + window
    while True:
        breached = _breached(triggers)
        if breached:
            raise RollbackTriggered(
                f"Rollback trigger(s) in ALARM state, the operation is rolled back: {', '.join(breached)}"
            )
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return
        time.sleep(min(_POLL_SECONDS, remaining))


def _monitoring_apply(original: Any) -> Any:
    @functools.wraps(original)
    def apply(self: Any) -> None:
        config = effective(
            getattr(self, "rollback_configuration", None), getattr(self.stack, "rollback_configuration", None)
        )
        monitor(config)
        original(self)
        self.stack.rollback_configuration = config

    return apply


def _keeping_configuration(original: Any) -> Any:
    @functools.wraps(original)
    def create_change_set(self: Any) -> Any:
        config = parse_configuration(self._get_param("RollbackConfiguration"))
        result = original(self)
        change_set = find_change_set(self.cloudformation_backend, result.result["Id"], None)
        change_set.rollback_configuration = config
        return result

    return create_change_set


def _refusing_configuration(original: Any) -> Any:
    @functools.wraps(original)
    def operation(self: Any) -> Any:
        if self._get_param("RollbackConfiguration"):
            raise cfn_exceptions.ValidationError(
                message=f"not emulated: RollbackConfiguration on {original.__name__} "
                "(the emulator applies rollback triggers to change sets, as the CDK CLI deploys)"
            )
        return original(self)

    return operation


def install() -> None:
    require_pinned_moto(__name__)
    replace(cfn_models.ChangeSet, "apply", _monitoring_apply(cfn_models.ChangeSet.apply))
    response = cfn_responses.CloudFormationResponse
    replace(response, "create_change_set", _keeping_configuration(response.create_change_set))
    for name in ("create_stack", "update_stack"):
        replace(response, name, _refusing_configuration(getattr(response, name)))
    # DescribeStacks serializes the Stack model's attributes by name.
    add(cfn_models.Stack, "rollback_configuration", None)
