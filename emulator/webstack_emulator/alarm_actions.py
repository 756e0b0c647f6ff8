"""What a CloudWatch alarm does when its state changes: history, actions,
composite alarms.

moto 5.2.5 changes an alarm's state (``SetAlarmState``) and stops there: no
action runs, composite alarms never re-evaluate, and DescribeAlarmHistory
does not exist. AWS, on every state change
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-actions.html):

* records a ``StateUpdate`` history item ("Alarm updated from OK to ALARM");
* if actions are enabled, runs the actions of the new state; an SNS action
  publishes to the topic as ``cloudwatch.amazonaws.com`` with
  ``aws:SourceArn`` = the alarm ARN and ``aws:SourceAccount`` = its account
  (:mod:`.delivery` evaluates the topic policy and the topic key's policy),
  and records an ``Action`` history item: "Successfully executed action
  <arn>" or "Failed to execute action <arn>. Received error: "<error>""
  (https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger,
  https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns);
* re-evaluates every composite alarm whose rule names the alarm; a
  composite whose rule becomes true goes to ALARM, false to OK, and runs its
  own actions in turn
  (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create_Composite_Alarm.html).

Not modelled: actions other than SNS (Auto Scaling policies, EC2 actions,
Lambda, ...), whose history text is not documented here; the exact
``HistoryData`` JSON of action items and the state reason a composite
records (AWS's wording is not documented; ours says which child changed).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from .delivery import Publisher, publish
from .policy import Principal

CLOUDWATCH = "cloudwatch.amazonaws.com"

# SNS notification "Region" field: the region's long name
# (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-sns-notifications.html
# shows e.g. "US East (N. Virginia)"); regions not listed keep their code.
REGION_NAMES = {
    "us-east-1": "US East (N. Virginia)",
    "us-east-2": "US East (Ohio)",
    "us-west-1": "US West (N. California)",
    "us-west-2": "US West (Oregon)",
    "eu-west-1": "EU (Ireland)",
    "eu-west-2": "EU (London)",
    "eu-central-1": "EU (Frankfurt)",
    "ap-southeast-1": "Asia Pacific (Singapore)",
    "ap-southeast-2": "Asia Pacific (Sydney)",
    "ap-northeast-1": "Asia Pacific (Tokyo)",
}


def _now() -> datetime:
    return datetime.now(UTC)


def _account(alarm: Any) -> str:
    return str(alarm.alarm_arn.split(":")[4])


def _backend(alarm: Any) -> Any:
    from moto.cloudwatch.models import cloudwatch_backends

    return cloudwatch_backends[_account(alarm)][alarm.region_name]


def history_of(backend: Any) -> list[dict[str, Any]]:
    """The region's alarm history, newest last (it lives on moto's backend,
    so moto's reset clears it)."""
    items: list[dict[str, Any]] | None = getattr(backend, "webstack_alarm_history", None)
    if items is None:
        items = []
        backend.webstack_alarm_history = items
    return items


def _record(alarm: Any, kind: str, summary: str, data: dict[str, Any]) -> None:
    history_of(_backend(alarm)).append(
        {
            "AlarmName": alarm.name,
            "AlarmType": "CompositeAlarm" if alarm.rule is not None else "MetricAlarm",
            "Timestamp": _now(),
            "HistoryItemType": kind,
            "HistorySummary": summary,
            "HistoryData": json.dumps(data),
        }
    )


def _actions_for(alarm: Any, state: str) -> list[str]:
    actions = {
        "ALARM": alarm.alarm_actions,
        "OK": alarm.ok_actions,
        "INSUFFICIENT_DATA": alarm.insufficient_data_actions,
    }.get(state)
    return list(actions or [])


def notification(alarm: Any, old_state: str) -> tuple[str, str]:
    """``(subject, message)`` of the SNS notification for a state change,
    in the shape AWS documents (alarm-sns-notifications.html)."""
    region = REGION_NAMES.get(alarm.region_name, alarm.region_name)
    body: dict[str, Any] = {
        "AlarmName": alarm.name,
        "AlarmDescription": alarm.description,
        "AWSAccountId": _account(alarm),
        "AlarmConfigurationUpdatedTimestamp": alarm.configuration_updated_timestamp.isoformat(),
        "NewStateValue": alarm.state_value,
        "NewStateReason": alarm.state_reason,
        "StateChangeTime": alarm.state_updated_timestamp.isoformat(),
        "Region": region,
        "AlarmArn": alarm.alarm_arn,
        "OldStateValue": old_state,
        "OKActions": list(alarm.ok_actions or []),
        "AlarmActions": list(alarm.alarm_actions or []),
        "InsufficientDataActions": list(alarm.insufficient_data_actions or []),
    }
    if alarm.rule is not None:
        body["AlarmRule"] = alarm.rule
    else:
        body["Trigger"] = {
            "MetricName": alarm.metric_name,
            "Namespace": alarm.namespace,
            "Statistic": alarm.statistic,
            "Dimensions": [{"name": d.name, "value": d.value} for d in alarm.dimensions],
            "Period": alarm.period,
            "EvaluationPeriods": alarm.evaluation_periods,
            "ComparisonOperator": alarm.comparison_operator,
            "Threshold": alarm.threshold,
            "TreatMissingData": alarm.treat_missing_data,
        }
    subject = f'{alarm.state_value}: "{alarm.name}" in {region}'
    return subject, json.dumps(body)


def _publisher(alarm: Any) -> Publisher:
    account = _account(alarm)
    return Publisher(
        principal=Principal.service(CLOUDWATCH),
        account_id=account,
        caller=f"Resource: {alarm.alarm_arn}",
        context={"aws:SourceArn": alarm.alarm_arn, "aws:SourceAccount": account, "aws:SourceOwner": account},
        key_denied="CloudWatch Alarms does not have authorization to access the SNS topic encryption key.",
    )


def _run_action(alarm: Any, action: str, old_state: str) -> None:
    if not action.startswith("arn:") or action.split(":")[2] != "sns":
        return
    subject, message = notification(alarm, old_state)
    outcome = publish(_publisher(alarm), action, message, subject, source=alarm.alarm_arn)
    data: dict[str, Any] = {
        "actionState": "Succeeded" if outcome.delivered else "Failed",
        "stateUpdateTimestamp": alarm.state_updated_timestamp.isoformat(),
        "notificationResource": action,
    }
    if outcome.delivered:
        data["publishedMessage"] = {"messageId": outcome.message_id}
        _record(alarm, "Action", f"Successfully executed action {action}", data)
    else:
        data["error"] = outcome.error
        _record(alarm, "Action", f'Failed to execute action {action}. Received error: "{outcome.error}"', data)


def state_changed(alarm: Any, old_state: str, old_reason: str) -> None:
    """Called after moto set a new state on ``alarm``."""
    if alarm.state_value == old_state:
        return
    _record(
        alarm,
        "StateUpdate",
        f"Alarm updated from {old_state} to {alarm.state_value}",
        {
            "version": "1.0",
            "oldState": {"stateValue": old_state, "stateReason": old_reason},
            "newState": {"stateValue": alarm.state_value, "stateReason": alarm.state_reason},
        },
    )
    if alarm.actions_enabled:
        for action in _actions_for(alarm, alarm.state_value):
            _run_action(alarm, action, old_state)
    _reevaluate_composites(alarm)


# -- Composite alarm rules ---------------------------------------------------------
#
# Rule grammar (Create_Composite_Alarm.html, "Rule expression syntax"):
# ALARM(x) / OK(x) / INSUFFICIENT_DATA(x) with x an alarm name or ARN, quoted
# or not; TRUE, FALSE; NOT, AND, OR; parentheses. AT_LEAST(...) is not modelled.

_TOKEN = re.compile(r'\s*(\(|\)|"[^"]*"|[A-Za-z_]+(?=\s*\()|[^\s()]+)')


class RuleError(ValueError):
    """A composite rule this evaluator cannot read."""


def _tokens(rule: str) -> list[str]:
    tokens, pos = [], 0
    rule = rule.strip()
    while pos < len(rule):
        match = _TOKEN.match(rule, pos)
        if match is None:
            raise RuleError(f"cannot read composite rule at {rule[pos:]!r}")
        tokens.append(match.group(1))
        pos = match.end()
    return tokens


class _Rule:
    def __init__(self, rule: str, states: dict[str, str]) -> None:
        self.tokens = _tokens(rule)
        self.pos = 0
        self.states = states

    def _next(self) -> str:
        if self.pos >= len(self.tokens):
            raise RuleError("composite rule ends early")
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def _peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def evaluate(self) -> bool:
        value = self._or()
        if self._peek() is not None:
            raise RuleError(f"unexpected {self._peek()!r} in composite rule")
        return value

    def _or(self) -> bool:
        value = self._and()
        while (self._peek() or "").upper() == "OR":
            self._next()
            value = self._and() or value
        return value

    def _and(self) -> bool:
        value = self._factor()
        while (self._peek() or "").upper() == "AND":
            self._next()
            value = self._factor() and value
        return value

    def _factor(self) -> bool:
        token = self._next()
        word = token.upper()
        if word == "NOT":
            return not self._factor()
        if token == "(":
            value = self._or()
            if self._next() != ")":
                raise RuleError("unbalanced parentheses in composite rule")
            return value
        if word in ("TRUE", "FALSE"):
            return word == "TRUE"
        if word in ("ALARM", "OK", "INSUFFICIENT_DATA"):
            if self._next() != "(":
                raise RuleError(f"{token} needs an alarm in parentheses")
            name = self._next().strip('"')
            if self._next() != ")":
                raise RuleError(f"{token}({name} is not closed")
            return self.states.get(name) == word
        raise RuleError(f"unknown word {token!r} in composite rule")


def evaluate_rule(rule: str, states: dict[str, str]) -> bool:
    """``rule`` against ``{alarm name or ARN: state}``."""
    return _Rule(rule, states).evaluate()


def _reevaluate_composites(changed: Any) -> None:
    backend = _backend(changed)
    alarms = list(backend.alarms.values())
    states = {a.name: a.state_value for a in alarms} | {a.alarm_arn: a.state_value for a in alarms}
    for composite in alarms:
        rule = composite.rule
        if rule is None or composite is changed or (changed.name not in rule and changed.alarm_arn not in rule):
            continue
        try:
            new_state = "ALARM" if evaluate_rule(rule, states) else "OK"
        except RuleError:
            continue  # AWS rejects such a rule at PutCompositeAlarm; nothing to evaluate
        if new_state != composite.state_value:
            reason = f"{changed.alarm_arn} transitioned to {changed.state_value}"
            composite.update_state(reason, json.dumps({"triggeringAlarms": [changed.alarm_arn]}), new_state)


def describe_alarm_history(backend: Any, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeAlarmHistory: filter by AlarmName, AlarmTypes, HistoryItemType,
    StartDate/EndDate; newest first unless ScanBy=TimestampAscending;
    MaxRecords (1-100, default 100)
    (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarmHistory.html).
    NextToken paging is not modelled: one page of at most MaxRecords."""
    items = list(history_of(backend))
    name, kind = params.get("AlarmName"), params.get("HistoryItemType")
    types = params.get("AlarmTypes") or []
    start, end = params.get("StartDate"), params.get("EndDate")
    items = [
        i
        for i in items
        if (not name or i["AlarmName"] == name)
        and (not kind or i["HistoryItemType"] == kind)
        and (not types or i["AlarmType"] in types)
        and (start is None or i["Timestamp"] >= start)
        and (end is None or i["Timestamp"] <= end)
    ]
    if params.get("ScanBy") != "TimestampAscending":
        items.reverse()
    return {"AlarmHistoryItems": items[: int(params.get("MaxRecords") or 100)]}
