"""CloudWatch alarms (missing in moto's CloudFormation).

``AWS::CloudWatch::Alarm`` (single metric or metric math) and
``AWS::CloudWatch::CompositeAlarm`` map onto moto's ``put_metric_alarm``
(moto stores composite alarms as metric alarms with an ``AlarmRule``), so
``describe_alarms`` returns them with their thresholds, dimensions and
actions. Ref = alarm name; GetAtt Arn.

:func:`install` also makes a state change act as in AWS (history, SNS
actions under the topic's and key's policies, composite re-evaluation:
:mod:`webstack_emulator.alarm_actions`) and adds DescribeAlarmHistory.
"""

from __future__ import annotations

from typing import Any

from moto.cloudwatch.models import Dimension, Metric, MetricDataQuery, MetricStat, cloudwatch_backends
from moto.core.common_models import CloudFormationModel

from ..engine import add, replace, require_pinned_moto
from ._base import Provider, as_bool, tags_list


def _metric_queries(metrics: list[Any] | None) -> list[MetricDataQuery] | None:
    if not metrics:
        return None
    queries = []
    for m in metrics:
        stat = None
        ms = m.get("MetricStat")
        if ms:
            metric = ms.get("Metric", {})
            stat = MetricStat(
                metric=Metric(
                    metric_name=metric.get("MetricName"),
                    namespace=metric.get("Namespace"),
                    dimensions=[Dimension(d["Name"], d["Value"]) for d in metric.get("Dimensions") or []],
                ),
                period=ms.get("Period"),
                stat=ms.get("Stat"),
                unit=ms.get("Unit"),
            )
        queries.append(
            MetricDataQuery(
                query_id=m.get("Id"),
                label=m.get("Label"),
                period=m.get("Period"),
                return_data=m.get("ReturnData", True),
                expression=m.get("Expression"),
                metric_stat=stat,
            )
        )
    return queries


class _AlarmBase(Provider):
    ATTRIBUTES = ("Arn",)

    def _backend(self) -> Any:
        return cloudwatch_backends[self.account_id][self.region_name]

    def _put(self, name: str, props: dict[str, Any]) -> None:
        raise NotImplementedError

    def create(self, props: dict[str, Any]) -> str:
        name = props.get("AlarmName") or self.generated_name(255)
        self._put(name, props)
        self.attributes = {"Arn": self._backend().alarms[name].alarm_arn}
        return name

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        new_name = new.get("AlarmName") or self.physical_id
        if new_name != self.physical_id:
            self.delete_resource()
            self.physical_id = new_name
        self._put(new_name, new)
        self.attributes = {"Arn": self._backend().alarms[new_name].alarm_arn}

    def delete_resource(self) -> None:
        self._backend().delete_alarms([self.physical_id])


class Alarm(_AlarmBase, CloudFormationModel):
    TYPE = "AWS::CloudWatch::Alarm"
    NAME_PROPERTY = "AlarmName"

    def _put(self, name: str, p: dict[str, Any]) -> None:
        self._backend().put_metric_alarm(
            name=name,
            namespace=p.get("Namespace"),
            metric_name=p.get("MetricName"),
            comparison_operator=p["ComparisonOperator"],
            evaluation_periods=int(p["EvaluationPeriods"]),
            period=int(p["Period"]) if p.get("Period") is not None else None,
            threshold=float(p["Threshold"]) if p.get("Threshold") is not None else None,
            statistic=p.get("Statistic"),
            description=p.get("AlarmDescription"),
            dimensions=[{"Name": d["Name"], "Value": d["Value"]} for d in p.get("Dimensions") or []],
            alarm_actions=p.get("AlarmActions") or [],
            metric_data_queries=_metric_queries(p.get("Metrics")),
            datapoints_to_alarm=int(p["DatapointsToAlarm"]) if p.get("DatapointsToAlarm") else None,
            extended_statistic=p.get("ExtendedStatistic"),
            ok_actions=p.get("OKActions") or [],
            insufficient_data_actions=p.get("InsufficientDataActions") or [],
            unit=p.get("Unit"),
            actions_enabled=as_bool(p.get("ActionsEnabled"), True),
            treat_missing_data=p.get("TreatMissingData"),
            evaluate_low_sample_count_percentile=p.get("EvaluateLowSampleCountPercentile"),
            threshold_metric_id=p.get("ThresholdMetricId"),
            tags=tags_list(p),
        )


class CompositeAlarm(_AlarmBase, CloudFormationModel):
    TYPE = "AWS::CloudWatch::CompositeAlarm"
    NAME_PROPERTY = "AlarmName"

    def _put(self, name: str, p: dict[str, Any]) -> None:
        self._backend().put_metric_alarm(
            name=name,
            namespace=None,
            metric_name=None,
            comparison_operator=None,
            evaluation_periods=None,
            period=None,
            threshold=None,
            statistic=None,
            description=p.get("AlarmDescription"),
            dimensions=[],
            alarm_actions=p.get("AlarmActions") or [],
            ok_actions=p.get("OKActions") or [],
            insufficient_data_actions=p.get("InsufficientDataActions") or [],
            actions_enabled=as_bool(p.get("ActionsEnabled"), True),
            rule=p["AlarmRule"],
            tags=tags_list(p),
        )


# -- Dashboard names and in-place updates ----------------------------------------
#
# moto replaces an AWS::CloudWatch::Dashboard on any change (delete, then put
# under a new random name); in CloudFormation a new DashboardBody is an
# in-place update and only a new DashboardName replaces it.


def _install_alarm_actions() -> None:
    from moto.cloudwatch.models import Alarm as MotoAlarm
    from moto.cloudwatch.responses import CloudWatchResponse
    from moto.core.responses import ActionResult

    from .. import alarm_actions

    original_update_state = vars(MotoAlarm)["update_state"]

    def update_state(self: Any, reason: str, reason_data: str, state_value: str) -> None:
        old_state, old_reason = self.state_value, self.state_reason
        original_update_state(self, reason, reason_data, state_value)
        alarm_actions.state_changed(self, old_state, old_reason)

    def describe_alarm_history(self: Any) -> Any:
        params = {
            name: self._get_param(name)
            for name in ("AlarmName", "AlarmTypes", "HistoryItemType", "StartDate", "EndDate", "MaxRecords", "ScanBy")
        }
        return ActionResult(alarm_actions.describe_alarm_history(self.cloudwatch_backend, params))

    replace(MotoAlarm, "update_state", update_state)
    add(CloudWatchResponse, "describe_alarm_history", describe_alarm_history)


def install() -> None:
    require_pinned_moto(__name__)
    from moto.cloudwatch.models import Dashboard, cloudwatch_backends

    _install_alarm_actions()

    original = vars(Dashboard)["update_from_cloudformation_json"]

    def update_from_cloudformation_json(  # noqa: PLR0917 - moto passes all five positionally
        cls: Any,
        original_resource: Any,
        new_resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
    ) -> Any:
        props = cloudformation_json.get("Properties") or {}
        wanted = props.get("DashboardName")
        if wanted and wanted != original_resource.name:
            return original.__func__(
                cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
            )
        backend = cloudwatch_backends[account_id][region_name]
        return backend.put_dashboard(name=original_resource.name, body=props["DashboardBody"])

    def create_from_cloudformation_json(
        cls: Any, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> Any:
        # CloudFormation names an unnamed dashboard after the stack and logical
        # id (Ref returns that name); moto used a bare UUID.
        props = cloudformation_json.get("Properties") or {}
        name = props.get("DashboardName") or resource_name
        return cloudwatch_backends[account_id][region_name].put_dashboard(name=name, body=props["DashboardBody"])

    replace(Dashboard, "update_from_cloudformation_json", classmethod(update_from_cloudformation_json))
    replace(Dashboard, "create_from_cloudformation_json", classmethod(create_from_cloudformation_json))
