"""Auto Scaling launching instances whose EBS volumes are encrypted with a
customer managed key, decided as AWS decides it (pitfall D1).

Auto Scaling launches instances as its service-linked role
``AWSServiceRoleForAutoScaling``; EC2 creates and attaches the encrypted
volumes with KMS calls made *as that role* (CloudTrail shows "User:
arn:aws:sts::ACCOUNT:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling
is not authorized to perform: kms:...", aws/aws-cdk#34491). The role's
managed policy covers AWS managed keys only ("they do not include access to
your customer managed keys",
https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html),
so a customer managed key's *policy* must admit the role -- an account-root
statement delegates to IAM policies the role does not have. The calls EBS
needs on the key ("Permissions for users",
https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html):
``kms:DescribeKey``, ``kms:GenerateDataKeyWithoutPlaintext``, ``kms:Decrypt``,
``kms:ReEncryptFrom``/``kms:ReEncryptTo`` (``kms:ReEncrypt*``) and
``kms:CreateGrant`` with ``kms:GrantIsForAWSResource`` true; each is
evaluated with ``kms:ViaService`` ``ec2.<region>.amazonaws.com``,
``kms:CallerAccount``, ``aws:PrincipalArn`` and the volume's encryption
context ``aws:ebs:id``.

A refused launch ends the way AWS ends it: the instance terminates during
launch with state reason "Client.InternalError: Client error on launch"
(https://repost.aws/knowledge-center/kms-iam-ec2-permission), and the scaling
activity fails with that message
(https://docs.aws.amazon.com/autoscaling/ec2/userguide/ts-as-instancelaunchfailure.html,
as quoted in kubernetes/kops#11545). In AWS the instance exists for a moment
(pending, then terminated); the emulator never creates it, so no instance of
the group starts and ``DescribeScalingActivities`` shows one ``Failed``
activity per launch attempt. A key that is disabled or pending deletion
fails with "Client.InvalidKMSKey.InvalidState: The KMS key provided is in an
incorrect state" (github-aws-runners/terraform-aws-github-runner#3546). The
group keeps its desired capacity and tries again at the next scale-out, as
AWS keeps retrying.

Keys come from the group's launch template version (``Ebs.KmsKeyId``; an
``Encrypted`` volume without one, or EBS encryption by default, uses the
account's default EBS key: a customer managed key set with
ModifyEbsDefaultKmsKeyId is evaluated, the AWS managed ``aws/ebs`` needs no
authorization). Not modelled: the AMI's own encrypted snapshots, KMS grants
(a grant can admit the role without the key policy: cross-account keys),
mixed-instances overrides with their own templates.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from moto.moto_api._internal import mock_random

from .policy import Decision, Request, autoscaling_service_linked_role, evaluate_key_access

CLIENT_ERROR_ON_LAUNCH = "Client.InternalError: Client error on launch"
KEY_INVALID_STATE = "Client.InvalidKMSKey.InvalidState: The KMS key provided is in an incorrect state"
# (action, extra request context) in the order EBS makes the calls.
EBS_KEY_CALLS: tuple[tuple[str, dict[str, str]], ...] = (
    ("kms:DescribeKey", {}),
    ("kms:CreateGrant", {"kms:GrantIsForAWSResource": "true"}),
    ("kms:GenerateDataKeyWithoutPlaintext", {}),
    ("kms:Decrypt", {}),
    ("kms:ReEncryptFrom", {}),
    ("kms:ReEncryptTo", {}),
)
AWS_MANAGED_EBS_KEY = "alias/aws/ebs"


@dataclass(frozen=True)
class LaunchRefusal:
    """Why EBS could not use a volume key: the status message AWS shows and
    the refused call (``kms:CreateGrant``) or key state, for tests."""

    status_message: str
    key: str
    refused: str


def _launch_template_data(group: Any) -> dict[str, Any]:
    template = getattr(group, "ec2_launch_template", None)
    if template is None:
        return {}
    try:
        version = template.get_version(getattr(group, "launch_template_version", None) or "$Default")
    except Exception:
        return {}
    return dict(version.data or {})


def _ebs_backend(group: Any) -> Any:
    return group.autoscaling_backend.ec2_backend


def volume_keys(group: Any) -> list[str]:
    """The KMS keys the group's next instance's volumes are encrypted with
    (customer managed keys only; ``aws/ebs`` needs no authorization)."""
    ec2 = _ebs_backend(group)
    by_default = bool(getattr(ec2, "ebs_encryption_by_default", False))
    default_key = str(getattr(ec2, "default_kms_key_id", "") or "")
    keys: list[str] = []
    for mapping in _launch_template_data(group).get("BlockDeviceMappings") or []:
        ebs = (mapping or {}).get("Ebs") or {}
        encrypted = str(ebs.get("Encrypted", by_default)).lower() == "true" or by_default
        key = str(ebs.get("KmsKeyId") or "") or (default_key if encrypted else "")
        if key and not key.endswith(AWS_MANAGED_EBS_KEY) and key not in keys:
            keys.append(key)
    return keys


def key_of(group: Any, key_ref: str) -> Any:
    """moto's KMS key for a key id, alias, key ARN or alias ARN, or None."""
    from moto.kms.models import kms_backends

    account, region = group.account_id, group.region
    parts = key_ref.split(":")
    if key_ref.startswith("arn:") and len(parts) >= 6:
        region, account = parts[3], parts[4]
    try:
        return kms_backends[account][region].describe_key(key_ref)
    except Exception:
        return None


def _calls(group: Any, key_arn: str) -> Iterator[Request]:
    role = autoscaling_service_linked_role(group.account_id)
    context = {
        "aws:PrincipalArn": role.arn,
        "aws:PrincipalAccount": group.account_id,
        "kms:CallerAccount": group.account_id,
        "kms:ViaService": f"ec2.{group.region}.amazonaws.com",
        "aws:SecureTransport": "true",
    }
    volume = {"kms:EncryptionContext:aws:ebs:id": f"vol-{mock_random.get_random_hex(17)}"}
    for action, extra in EBS_KEY_CALLS:
        # DescribeKey and CreateGrant carry no encryption context of the volume.
        scoped = extra or (volume if action != "kms:DescribeKey" else {})
        yield Request(role, action, key_arn, {**context, **scoped})


def launch_refusal(group: Any) -> LaunchRefusal | None:
    """Why the group's next launch fails on its volume keys, or None."""
    for key_ref in volume_keys(group):
        key = key_of(group, key_ref)
        if key is None:
            # AWS's text for a key that does not exist is not documented; the
            # launch fails as for any key the role cannot use.
            return LaunchRefusal(CLIENT_ERROR_ON_LAUNCH, key_ref, "key-not-found")
        if key.key_state != "Enabled":
            return LaunchRefusal(KEY_INVALID_STATE, key.arn, f"key-state:{key.key_state}")
        for request in _calls(group, key.arn):
            if evaluate_key_access(key.policy, request) is not Decision.ALLOW:
                return LaunchRefusal(CLIENT_ERROR_ON_LAUNCH, key.arn, request.action)
    return None


# -- scaling activities ---------------------------------------------------------


def activities_of(group: Any) -> list[dict[str, Any]]:
    """The group's scaling activities, oldest first (on the group: deleted with it)."""
    found: list[dict[str, Any]] | None = getattr(group, "webstack_activities", None)
    if found is None:
        found = []
        group.webstack_activities = found
    return found


def _activity(group: Any, description: str, cause: str, status: str, message: str = "") -> dict[str, Any]:
    now = datetime.now(UTC)
    activity = {
        "ActivityId": str(mock_random.uuid4()),
        "AutoScalingGroupName": group.name,
        "AutoScalingGroupARN": group.arn,
        "Description": description,
        "Cause": cause,
        "StartTime": now,
        "EndTime": now,
        "StatusCode": status,
        "Progress": 100,
        "Details": "{}",
    }
    if message:
        activity["StatusMessage"] = message
    return activity


def _cause(group: Any, before: int) -> str:
    # AWS's cause text (DescribeScalingActivities examples in the API reference).
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        f"At {now} an instance was started in response to a difference between desired and actual capacity, "
        f"increasing the capacity from {before} to {group.desired_capacity}."
    )


def record_failed_launches(group: Any, count: int, refusal: LaunchRefusal) -> None:
    before = len(group.active_instances())
    for _ in range(count):
        activities_of(group).append(
            _activity(group, "Launching a new EC2 instance", _cause(group, before), "Failed", refusal.status_message)
        )


def record_launches(group: Any, instances: Iterable[Any], before: int) -> None:
    for instance in instances:
        activities_of(group).append(
            _activity(group, f"Launching a new EC2 instance: {instance.id}", _cause(group, before), "Successful")
        )


def failed_launches(group: Any) -> int:
    return sum(1 for a in activities_of(group) if a["StatusCode"] == "Failed")
