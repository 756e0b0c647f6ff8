"""CloudWatch Logs: the KMS key of a log group (CreateLogGroup / AssociateKmsKey), pitfall D18.

"If you attempt to associate a KMS key with the log group but the KMS key
does not exist or the KMS key is disabled, you receive an
InvalidParameterException error."
(https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html).
AWS's text for a key that does not exist: "The specified KMS Key Id could
not be found." (hashicorp/terraform#24194). Its text for a disabled key or
one pending deletion is not documented; the reference's own wording is used.

A key whose policy does not let the regional Logs service principal use it
fails with ``AccessDeniedException`` "The specified KMS key does not exist
or is not allowed to be used with Arn 'arn:aws:logs:REGION:ACCOUNT:log-group:NAME'"
(hashicorp/terraform-provider-aws#29282). The statement Logs needs
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html):
``logs.REGION.amazonaws.com`` may ``kms:Encrypt*``, ``kms:Decrypt*``,
``kms:ReEncrypt*``, ``kms:GenerateDataKey*``, ``kms:Describe*``, optionally
conditioned on ``kms:EncryptionContext:aws:logs:arn`` (ArnEquals/ArnLike the
log group ARN). Logs encrypts with a data key and decrypts what it reads, each
with that encryption context, so those two calls are evaluated here (a
Describe* statement under the same condition could never match a
DescribeKey, which carries no encryption context, yet AWS's own example
policy works: Logs does not depend on it).
"""

from __future__ import annotations

from moto.kms.models import kms_backends

from ...policy import Principal, Request, UnsupportedCondition, evaluate_key_access
from .._base import PARTITION, Provider
from ._errors import refuse

# What Logs asks KMS for on the log group's behalf (see the module docstring).
LOGS_KEY_ACTIONS = ("kms:GenerateDataKey", "kms:Decrypt")


def log_group_arn(account_id: str, region_name: str, name: str) -> str:
    """The ARN in the encryption context (and in AWS's error), without ``:*``."""
    return f"arn:{PARTITION}:logs:{region_name}:{account_id}:log-group:{name}"


def _key(account_id: str, region_name: str, key_id: str) -> tuple[object, str, str]:
    """The key, and the account and region it lives in (from its ARN)."""
    parts = key_id.split(":")
    if key_id.startswith("arn:") and len(parts) >= 6:
        region_name, account_id = parts[3], parts[4]
    backend = kms_backends[account_id][region_name]
    return backend.keys[backend.any_id_to_key_id(key_id)], account_id, region_name


def check_log_group_key(provider: Provider, name: str, key_id: str) -> None:
    """Refuse ``KmsKeyId`` for log group ``name`` as CloudWatch Logs would."""
    try:
        key, key_account, key_region = _key(provider.account_id, provider.region_name, key_id)
    except (KeyError, IndexError, TypeError):
        raise refuse("InvalidParameterException", "The specified KMS Key Id could not be found.") from None
    if getattr(key, "key_state", "Enabled") != "Enabled":
        raise refuse("InvalidParameterException", "The specified KMS key does not exist or is disabled.")
    arn = log_group_arn(provider.account_id, provider.region_name, name)
    service = Principal.service(f"logs.{provider.region_name}.amazonaws.com")
    key_arn = getattr(key, "arn", f"arn:{PARTITION}:kms:{key_region}:{key_account}:key/{key_id}")
    for action in LOGS_KEY_ACTIONS:
        request = Request(service, action, key_arn, {"kms:EncryptionContext:aws:logs:arn": arn})
        try:
            allowed = evaluate_key_access(getattr(key, "policy", None), request).allowed
        except UnsupportedCondition:
            # A condition the evaluator cannot decide: do not refuse on a guess.
            continue
        if not allowed:
            raise refuse(
                "AccessDeniedException",
                f"The specified KMS key does not exist or is not allowed to be used with Arn '{arn}'",
            )
