"""SNS: ``AWS::SNS::TopicPolicy`` and ``AWS::SNS::Subscription`` (missing in
moto's CloudFormation; ``AWS::SNS::Topic`` is moto's own and keeps
``KmsMasterKeyId``).

TopicPolicy sets each topic's ``Policy`` attribute (``get_topic_attributes``
returns the template's document); delete restores moto's default policy.
Subscription subscribes the endpoint and sets FilterPolicy,
RawMessageDelivery, RedrivePolicy; Ref = subscription ARN.

:func:`install`: an e-mail subscription waits for its confirmation, as in
AWS ("the subscription ... remains in PendingConfirmation until the owner
of the address confirms it",
https://docs.aws.amazon.com/sns/latest/dg/sns-email-notifications.html);
moto marks every subscription confirmed. Nobody can click the link in the
emulator, so e-mail subscriptions stay pending and receive nothing (moto
never sends mail either). Its SubscriptionArn in listings stays the ARN
(AWS shows "PendingConfirmation" there): the stacks' Ref to it must resolve.
HTTP/S endpoints get the message without the SubscriptionConfirmation
handshake AWS performs first (moto's behaviour, kept).

A subscription whose endpoint fails (its queue deleted, its HTTP endpoint
down) does not fail the Publish, nor the deliveries to the other
subscriptions: SNS retries it under its delivery policy and then drops the
message (https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html);
moto raised the endpoint's error out of Publish (an alarm's SetAlarmState
then failed with "The specified queue does not exist"). The retries and the
NumberOfNotificationsFailed metric are not modelled.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.sns.models import sns_backends

from .. import delivery
from ..engine import replace, require_pinned_moto
from . import on_reset
from ._base import Provider, as_json_text

_CONFIRMED_BY_A_PERSON = ("email", "email-json")


def _backend(p: Provider, arn: str | None = None) -> Any:
    region = arn.split(":")[3] if arn and arn.count(":") >= 5 else p.region_name
    return sns_backends[p.account_id][region]


class TopicPolicy(Provider, CloudFormationModel):
    TYPE = "AWS::SNS::TopicPolicy"
    ATTRIBUTES = ("Id",)

    def create(self, props: dict[str, Any]) -> str:
        self._apply(props)
        name = self.generated_name()
        self.attributes = {"Id": name}
        return name

    def _apply(self, props: dict[str, Any]) -> None:
        for arn in props.get("Topics") or []:
            _backend(self, arn).set_topic_attribute(arn, "policy", as_json_text(props["PolicyDocument"]))

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        removed = set(old.get("Topics") or []) - set(new.get("Topics") or [])
        self._restore(removed)
        self._apply(new)

    def _restore(self, topics: set[str] | list[str]) -> None:
        for arn in topics:
            try:
                topic = _backend(self, arn).get_topic(arn)
            except Exception:
                continue
            topic._policy_json = topic._create_default_topic_policy(topic.region, topic.account_id, topic.name)

    def delete_resource(self) -> None:
        self._restore(self.properties.get("Topics") or [])


class Subscription(Provider, CloudFormationModel):
    TYPE = "AWS::SNS::Subscription"
    ATTRIBUTES = ("Arn",)

    def create(self, props: dict[str, Any]) -> str:
        topic_arn = props["TopicArn"]
        backend = _backend(self, topic_arn)
        sub = backend.subscribe(topic_arn, props.get("Endpoint"), props["Protocol"])
        for key in ("FilterPolicy", "FilterPolicyScope", "RawMessageDelivery", "RedrivePolicy", "DeliveryPolicy"):
            if props.get(key) is not None:
                value = props[key]
                if isinstance(value, (dict, list)):
                    value = json.dumps(value)
                elif isinstance(value, bool):
                    value = str(value).lower()
                backend.set_subscription_attributes(sub.arn, key, value)
        self.attributes = {"Arn": sub.arn}
        return sub.arn

    def delete_resource(self) -> None:
        with contextlib.suppress(Exception):
            _backend(self, self.properties["TopicArn"]).unsubscribe(self.physical_id)


def _deliver_best_effort(original: Any) -> Any:
    def publish(self: Any, *args: Any, **kwargs: Any) -> None:
        with contextlib.suppress(Exception):
            original(self, *args, **kwargs)

    return publish


def install() -> None:
    require_pinned_moto(__name__)
    from moto.sns.models import SNSBackend
    from moto.sns.models import Subscription as MotoSubscription

    replace(MotoSubscription, "publish", _deliver_best_effort(vars(MotoSubscription)["publish"]))

    original_subscribe = vars(SNSBackend)["subscribe"]

    def subscribe(self: Any, topic_arn: str, endpoint: str, protocol: str) -> Any:
        sub = original_subscribe(self, topic_arn, endpoint, protocol)
        if protocol in _CONFIRMED_BY_A_PERSON and not sub.confirmed:
            sub.attributes["PendingConfirmation"] = True
            sub.attributes["ConfirmationWasAuthenticated"] = False
        return sub

    replace(SNSBackend, "subscribe", subscribe)
    on_reset(delivery.LOG.clear)
