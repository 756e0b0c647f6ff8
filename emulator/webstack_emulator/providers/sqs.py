"""SQS (overrides moto's ``AWS::SQS::Queue``; adds ``AWS::SQS::QueuePolicy``).

``AWS::SQS::Queue``: moto's model has no ``QueueUrl`` attribute, passes the
template's ``RedrivePolicy`` object through as it is and, on update, applies
only ``VisibilityTimeout`` and ``ReceiveMessageWaitTimeSeconds`` (every other
change, tags included, is silently dropped). Here the queue is created
through moto's SQS backend with every attribute of the template, so
``get_queue_attributes`` shows them; an update applies them with
``set_queue_attributes`` (keeping the policy a ``QueuePolicy`` put there),
and a change of ``QueueName`` or ``FifoQueue`` replaces the queue, as
CloudFormation does
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sqs-queue.html:
both "Update requires: Replacement"). Ref = queue URL; GetAtt Arn,
QueueName, QueueUrl.

``AWS::SQS::QueuePolicy``: puts ``PolicyDocument`` as the ``Policy``
attribute of every queue in ``Queues`` (URLs, as ``Ref`` of a queue gives);
an update moves it (queues no longer listed lose it) and delete removes it
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sqs-queuepolicy.html:
``Queues`` and ``PolicyDocument`` both update without interruption). GetAtt
Id; Ref gives the same provider-assigned id.
"""

from __future__ import annotations

import contextlib
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.moto_api._internal import mock_random
from moto.sqs.models import sqs_backends

from ._base import Provider, ProviderError, as_json_text

# The queue attributes a template may set, as CreateQueue names them
# (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html).
_SCALAR_ATTRIBUTES = (
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "DelaySeconds",
    "FifoQueue",
    "FifoThroughputLimit",
    "KmsDataKeyReusePeriodSeconds",
    "KmsMasterKeyId",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "SqsManagedSseEnabled",
    "VisibilityTimeout",
)
_JSON_ATTRIBUTES = ("RedrivePolicy", "RedriveAllowPolicy")
# Changing one of these replaces the queue (see the module docstring).
_REPLACING = ("QueueName", "FifoQueue")
# SQS: "A queue name can have up to 80 characters"; a FIFO name ends in ".fifo".
_MAX_NAME = 80
_FIFO_SUFFIX = ".fifo"


def queue_name_from_url(url: str) -> str:
    """``https://sqs.REGION.amazonaws.com/ACCOUNT/NAME`` -> ``NAME``."""
    return str(url).rstrip("/").split("/")[-1]


def _attributes(props: dict[str, Any]) -> dict[str, str]:
    attrs: dict[str, str] = {}
    for key in _SCALAR_ATTRIBUTES:
        if props.get(key) is not None:
            value = props[key]
            attrs[key] = str(value).lower() if isinstance(value, bool) else str(value)
    for key in _JSON_ATTRIBUTES:
        if props.get(key):
            attrs[key] = as_json_text(props[key])
    return attrs


def _is_fifo(props: dict[str, Any]) -> bool:
    return str(props.get("FifoQueue", "false")).lower() == "true"


class Queue(Provider, CloudFormationModel):
    TYPE = "AWS::SQS::Queue"
    NAME_PROPERTY = "QueueName"
    ATTRIBUTES = ("Arn", "QueueName", "QueueUrl")

    def _backend(self) -> Any:
        return sqs_backends[self.account_id][self.region_name]

    def _name(self, props: dict[str, Any]) -> str:
        if props.get("QueueName"):
            return str(props["QueueName"])
        if not _is_fifo(props):
            return self.generated_name(_MAX_NAME)
        # The generated name of a FIFO queue must carry the suffix for SQS to
        # accept it; the CloudFormation docs do not spell out the generated
        # form, so stack-logicalId-SUFFIX.fifo is an assumption.
        return self.generated_name(_MAX_NAME - len(_FIFO_SUFFIX)) + _FIFO_SUFFIX

    def create(self, props: dict[str, Any]) -> str:
        name = self._name(props)
        tags = {t["Key"]: str(t["Value"]) for t in props.get("Tags") or []}
        queue = self._backend().create_queue(name, tags=tags, **_attributes(props))
        url = f"https://sqs.{self.region_name}.amazonaws.com/{self.account_id}/{queue.name}"
        self.attributes = {"Arn": queue.queue_arn, "QueueName": queue.name, "QueueUrl": url}
        return url

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        if any(old.get(k) != new.get(k) for k in _REPLACING):
            self.delete_resource()
            self.physical_id = self.create(new)
            return
        name = self.attributes["QueueName"]
        queue = self._backend().get_queue(name)
        attrs: dict[str, Any] = _attributes(new)
        # moto's set_queue_attributes clears Policy unless it is passed again.
        attrs["Policy"] = queue.policy
        for key in _JSON_ATTRIBUTES:
            attrs.setdefault(key, "")  # removed from the template: cleared
        self._backend().set_queue_attributes(name, attrs)
        queue.tags = {t["Key"]: str(t["Value"]) for t in new.get("Tags") or []}

    def delete_resource(self) -> None:
        with contextlib.suppress(Exception):
            self._backend().delete_queue(self.attributes["QueueName"])


class QueuePolicy(Provider, CloudFormationModel):
    TYPE = "AWS::SQS::QueuePolicy"
    ATTRIBUTES = ("Id",)

    def _backend(self) -> Any:
        return sqs_backends[self.account_id][self.region_name]

    def _set(self, urls: list[str], policy: str | None, *, strict: bool = True) -> None:
        backend = self._backend()
        for url in urls:
            queue = backend.queues.get(queue_name_from_url(url))
            if queue is not None:
                queue.policy = policy
            elif strict:
                # SQS's error for an unknown queue
                # (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html#API_SetQueueAttributes_Errors).
                raise ProviderError(
                    f"AWS.SimpleQueueService.NonExistentQueue: The specified queue does not exist. ({url})"
                )

    def create(self, props: dict[str, Any]) -> str:
        self._set(list(props.get("Queues") or []), as_json_text(props["PolicyDocument"]))
        policy_id = f"{self.stack_name}-{self.logical_id}-{mock_random.get_random_hex(12).upper()}"
        self.attributes = {"Id": policy_id}
        return policy_id

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        kept = list(new.get("Queues") or [])
        self._set([u for u in old.get("Queues") or [] if u not in kept], None, strict=False)
        self._set(kept, as_json_text(new["PolicyDocument"]))

    def delete_resource(self) -> None:
        # A queue deleted before its policy (or by hand) has nothing to clear.
        self._set(list(self.properties.get("Queues") or []), None, strict=False)
