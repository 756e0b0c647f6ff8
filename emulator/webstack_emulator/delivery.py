"""One AWS service publishing to an SNS topic on an account's behalf, with
the policies evaluated as AWS evaluates them when that happens.

A publish by CloudWatch (an alarm action) or Auto Scaling (a scaling
notification) needs, at the moment it happens:

1. the topic to exist;
2. ``sns:Publish`` allowed for the publishing principal by the topic policy
   (and, for an IAM role, its identity policies; :mod:`.policy`), with the
   request context the service sends: ``aws:SourceArn`` /
   ``aws:SourceAccount`` / ``aws:SourceOwner`` for a service principal,
   ``aws:PrincipalArn`` for a role, and ``aws:SecureTransport`` true (AWS
   services call each other over TLS);
3. for a topic with server-side encryption, ``kms:GenerateDataKey*`` and
   ``kms:Decrypt`` on the topic's key for the same principal, as SNS makes
   those calls on the publisher's behalf
   (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html,
   "Enable compatibility between event sources from AWS services and
   encrypted topics"), with ``kms:ViaService`` ``sns.<region>.amazonaws.com``
   and the encryption context ``aws:sns:topicArn``
   (https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html);
   the key must be enabled.

Only then is the message published (moto delivers it to the topic's
subscriptions: SQS queues, HTTP/S endpoints, Lambda). The caller records
the outcome where AWS shows it (alarm history for CloudWatch).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .policy import (
    Principal,
    Request,
    aws_managed_sns_key_policy,
    evaluate_key_access,
    evaluate_resource_access,
)

# SNS calls KMS for both when a publisher sends to an encrypted topic (SNS
# key management, "Configuring AWS KMS permissions": the publisher needs
# kms:GenerateDataKey* and kms:Decrypt).
KEY_ACTIONS = ("kms:GenerateDataKey", "kms:Decrypt")
AWS_MANAGED_SNS_KEY = "alias/aws/sns"


@dataclass(frozen=True)
class Publisher:
    """Who publishes and how it names itself in a refusal.

    ``caller`` is the subject of AWS's authorization error ("Resource:
    <alarm ARN>" for CloudWatch, "User: <role ARN>" for a role);
    ``key_denied`` the text AWS reports when the topic's key refuses it."""

    principal: Principal
    account_id: str
    caller: str
    context: Mapping[str, str] = field(default_factory=dict)
    key_denied: str = "KMS.AccessDeniedException"


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    topic_arn: str
    message_id: str | None = None
    error: str | None = None
    refused_by: str | None = None  # "topic" | "topic-policy" | "key" | "key-policy"


@dataclass
class DeliveryLog:
    """Every service-to-service publish of this process, for tests and for
    publishers whose refusals AWS does not show anywhere (Auto Scaling)."""

    outcomes: list[tuple[str, Outcome]] = field(default_factory=list)

    def record(self, source: str, outcome: Outcome) -> Outcome:
        self.outcomes.append((source, outcome))
        return outcome

    def clear(self) -> None:
        self.outcomes.clear()

    def of(self, source: str) -> list[Outcome]:
        return [o for s, o in self.outcomes if s == source]


LOG = DeliveryLog()


def _region(arn: str) -> str:
    return arn.split(":")[3]


def _topic(account_id: str, topic_arn: str) -> Any:
    from moto.sns.models import sns_backends

    try:
        return sns_backends[account_id][_region(topic_arn)].get_topic(topic_arn)
    except Exception:
        return None


def _key(account_id: str, region: str, key_ref: str) -> tuple[str, Any, str] | None:
    """``(key ARN, key policy, key state)`` of a topic's KmsMasterKeyId."""
    if key_ref == AWS_MANAGED_SNS_KEY or key_ref.endswith(":" + AWS_MANAGED_SNS_KEY):
        arn = f"arn:aws:kms:{region}:{account_id}:{AWS_MANAGED_SNS_KEY}"
        return arn, aws_managed_sns_key_policy(account_id, region), "Enabled"
    from moto.kms.models import kms_backends

    key_region = _region(key_ref) if key_ref.startswith("arn:") else region
    try:
        key = kms_backends[account_id][key_region].describe_key(key_ref)
    except Exception:
        return None
    return key.arn, key.policy, key.key_state


def _publish_context(publisher: Publisher) -> dict[str, str]:
    return {"aws:SecureTransport": "true", **publisher.context}


def _key_context(publisher: Publisher, topic_arn: str) -> dict[str, str]:
    context = {
        **_publish_context(publisher),
        "kms:ViaService": f"sns.{_region(topic_arn)}.amazonaws.com",
        "kms:EncryptionContext:aws:sns:topicArn": topic_arn,
    }
    if publisher.principal.account:
        # "The AWS account ID of the caller" -- an IAM principal's account;
        # a service principal has none.
        context["kms:CallerAccount"] = publisher.principal.account
    return context


def _refusal(publisher: Publisher, topic: Any, topic_arn: str) -> Outcome | None:
    request = Request(publisher.principal, "sns:Publish", topic_arn, _publish_context(publisher))
    if not evaluate_resource_access(topic._policy_json, request).allowed:
        # SNS's AuthorizationError text, as alarm history quotes it
        # (https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger).
        error = f"{publisher.caller} is not authorized to perform: SNS:Publish on resource: {topic_arn}"
        return Outcome(False, topic_arn, error=error, refused_by="topic-policy")
    key_ref = getattr(topic, "kms_master_key_id", "") or ""
    if not key_ref:
        return None
    key = _key(publisher.account_id, _region(topic_arn), key_ref)
    if key is None:
        # SNS's KMSNotFoundException ("The request was rejected because the
        # specified entity or resource can't be found", SNS key management).
        return Outcome(False, topic_arn, error="KMS.NotFoundException", refused_by="key")
    key_arn, key_policy, state = key
    if state != "Enabled":
        # KMSDisabledException / KMSInvalidStateException (SNS key management, "AWS KMS errors").
        code = "KMS.DisabledException" if state == "Disabled" else "KMS.KMSInvalidStateException"
        return Outcome(False, topic_arn, error=code, refused_by="key")
    context = _key_context(publisher, topic_arn)
    for action in KEY_ACTIONS:
        if not evaluate_key_access(key_policy, Request(publisher.principal, action, key_arn, context)).allowed:
            return Outcome(False, topic_arn, error=publisher.key_denied, refused_by="key-policy")
    return None


def publish(publisher: Publisher, topic_arn: str, message: str, subject: str | None, *, source: str) -> Outcome:
    """Publish as ``publisher`` if the topic and its key let it; the outcome
    is recorded in :data:`LOG` under ``source`` either way."""
    topic = _topic(publisher.account_id, topic_arn)
    if topic is None:
        # AWS's text for an alarm action on a missing topic is not documented.
        return LOG.record(source, Outcome(False, topic_arn, error="Topic does not exist", refused_by="topic"))
    refused = _refusal(publisher, topic, topic_arn)
    if refused is not None:
        return LOG.record(source, refused)
    from moto.sns.models import sns_backends

    # SNS subjects are at most 100 characters (Publish API reference); what
    # a service does with a longer generated subject is not documented.
    message_id = sns_backends[publisher.account_id][_region(topic_arn)].publish(
        message, arn=topic_arn, subject=(subject or None) and subject[:100]
    )
    return LOG.record(source, Outcome(True, topic_arn, message_id=message_id))
