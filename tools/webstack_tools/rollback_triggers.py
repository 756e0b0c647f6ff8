"""Rollback triggers: each update watches the stack's paging alarms.

CloudFormation watches the alarms named as rollback triggers during a
create or update and for a monitoring time after it (0-180 minutes); one in
ALARM rolls the whole operation back, and the triggers are kept on the stack
for later updates
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-rollback-triggers.html).
The deploy names each stack's composite (paging) alarms, at most 5 per
stack as AWS allows, with the configured ``deploy.rollback_monitoring_minutes``.

Mechanism and trade-offs:

* The CDK CLI has the options (``cdk deploy --rollback-trigger-alarm-arns ARN
  --monitoring-time-minutes N``) and passes them as ``RollbackConfiguration``
  on ``CreateChangeSet``. They apply to every stack of one command, and an
  alarm belongs to one stack and region, so a deploy with triggers runs one
  ``cdk deploy --exclusively`` per stack, in dependency order (a few seconds
  more per stack).
* The alarms are the stack's own: the first deploy creates them and has no
  triggers (AWS fails an operation whose trigger alarm is missing); from the
  second deploy on, the deployed composite alarms are the triggers.
* The CLI sends every ARN as ``Type: AWS::CloudWatch::Alarm``; AWS lists
  ``AWS::CloudWatch::CompositeAlarm`` as a type of its own and does not say
  whether it accepts a composite alarm under the other type. Check the first
  real deploy's ``DescribeStacks`` ``RollbackConfiguration``.
* The CLI takes a monitoring time only with triggers: a stack without a
  composite alarm is deployed without either.
* A monitoring time delays the cleanup of replaced resources (and the end of
  ``make up``) by that many minutes on AWS.
"""

from __future__ import annotations

from typing import Any

from webstack_tools.assembly import SynthesizedStack

COMPOSITE_ALARM = "AWS::CloudWatch::CompositeAlarm"
MAX_TRIGGERS = 5  # https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_RollbackConfiguration.html


class TooManyTriggers(ValueError):
    """A stack has more composite alarms than CloudFormation takes as triggers."""


def paging_alarm_arns(target: Any, stack: SynthesizedStack) -> list[str]:
    """The ARNs of the composite alarms ``stack`` has deployed, sorted."""
    resources = target.client("cloudformation", stack.region).describe_stack_resources(StackName=stack.name)
    names = [r["PhysicalResourceId"] for r in resources["StackResources"] if r["ResourceType"] == COMPOSITE_ALARM]
    if not names:
        return []
    if len(names) > MAX_TRIGGERS:
        raise TooManyTriggers(
            f"{stack.name} has {len(names)} composite alarms; CloudFormation takes at most {MAX_TRIGGERS} "
            "rollback triggers. Fix: combine them into one paging composite alarm"
        )
    described = target.client("cloudwatch", stack.region).describe_alarms(
        AlarmNames=names, AlarmTypes=["CompositeAlarm"]
    )
    return sorted(a["AlarmArn"] for a in described["CompositeAlarms"])


def trigger_arguments(arns: list[str], minutes: int) -> list[str]:
    """``cdk deploy``'s options for these triggers; none without triggers (the CLI refuses a lone
    monitoring time)."""
    if not arns:
        return []
    return [*(f"--rollback-trigger-alarm-arns={arn}" for arn in arns), f"--monitoring-time-minutes={minutes}"]
