"""``AWS::Logs::MetricFilter`` and ``AWS::Logs::SubscriptionFilter`` (missing
in moto's CloudFormation; moto's logs backend has the APIs).

``MetricFilter``: ``put_metric_filter`` with the transformations in the API's
shape, so ``describe_metric_filters`` shows them. Ref = filter name. A change
of ``FilterName`` or ``LogGroupName`` replaces the filter; pattern and
transformations update in place
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-logs-metricfilter.html).

``SubscriptionFilter``: ``put_subscription_filter`` (moto checks that the
Lambda, Kinesis, Firehose or log-group destination exists, and allows two
filters per group, as CloudWatch Logs does). Ref = filter name. A change of
``FilterName`` or ``LogGroupName`` replaces it; destination, pattern and role
update in place
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-logs-subscriptionfilter.html).
moto always reports ``distribution`` ``ByLogStream`` (known gap).

Both: the log group must exist. CloudWatch Logs answers
``ResourceNotFoundException: The specified log group does not exist.``
(https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutMetricFilter.html#API_PutMetricFilter_Errors).
"""

from __future__ import annotations

import contextlib
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.logs.models import logs_backends

from ._base import Provider, ProviderError

_REPLACING = ("FilterName", "LogGroupName")
# PutMetricFilter / PutSubscriptionFilter: filterName is 1-512 characters.
_MAX_NAME = 512


def _transformation(t: dict[str, Any]) -> dict[str, Any]:
    api: dict[str, Any] = {
        "metricName": t["MetricName"],
        "metricNamespace": t["MetricNamespace"],
        "metricValue": str(t["MetricValue"]),
    }
    if t.get("DefaultValue") is not None:
        api["defaultValue"] = float(t["DefaultValue"])
    if t.get("Dimensions"):
        api["dimensions"] = {d["Key"]: d["Value"] for d in t["Dimensions"]}
    if t.get("Unit"):
        api["unit"] = t["Unit"]
    return api


class _FilterBase(Provider):
    def _backend(self) -> Any:
        return logs_backends[self.account_id][self.region_name]

    def _group(self, props: dict[str, Any]) -> str:
        name = str(props["LogGroupName"])
        if name not in self._backend().groups:
            raise ProviderError(f"ResourceNotFoundException: The specified log group does not exist. ({name})")
        return name

    def _name(self, props: dict[str, Any]) -> str:
        return str(props.get("FilterName") or self.generated_name(_MAX_NAME))

    def put(self, name: str, props: dict[str, Any]) -> None:
        raise NotImplementedError

    def remove(self) -> None:
        raise NotImplementedError

    def create(self, props: dict[str, Any]) -> str:
        name = self._name(props)
        self.put(name, props)
        return name

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        if any(old.get(k) != new.get(k) for k in _REPLACING):
            self.remove()
            self.physical_id = self.create(new)
            return
        self.put(self.physical_id, new)

    def delete_resource(self) -> None:
        with contextlib.suppress(Exception):
            self.remove()


class MetricFilter(_FilterBase, CloudFormationModel):
    TYPE = "AWS::Logs::MetricFilter"
    NAME_PROPERTY = "FilterName"

    def put(self, name: str, props: dict[str, Any]) -> None:
        group = self._group(props)
        backend = self._backend()
        # moto appends a second filter of the same name; PutMetricFilter replaces.
        backend.delete_metric_filter(name, group)
        backend.put_metric_filter(
            name,
            props.get("FilterPattern", ""),
            group,
            [_transformation(t) for t in props.get("MetricTransformations") or []],
        )
        self.properties = props

    def remove(self) -> None:
        self._backend().delete_metric_filter(self.physical_id, self.properties["LogGroupName"])


class SubscriptionFilter(_FilterBase, CloudFormationModel):
    TYPE = "AWS::Logs::SubscriptionFilter"
    NAME_PROPERTY = "FilterName"

    def put(self, name: str, props: dict[str, Any]) -> None:
        group = self._group(props)
        try:
            self._backend().put_subscription_filter(
                group, name, props.get("FilterPattern", ""), props["DestinationArn"], props.get("RoleArn")
            )
        except Exception as exc:  # moto's JsonRESTError: keep AWS's code and message
            raise ProviderError(
                f"{getattr(exc, 'error_type', type(exc).__name__)}: {getattr(exc, 'message', exc)}"
            ) from exc
        self.properties = props

    def remove(self) -> None:
        self._backend().delete_subscription_filter(self.properties["LogGroupName"], self.physical_id)
