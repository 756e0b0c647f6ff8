"""S3: Block Public Access refuses a public bucket policy (PutBucketPolicy).

"BlockPublicPolicy ... Setting this element to TRUE causes Amazon S3 to
reject calls to PUT Bucket policy if the specified bucket policy allows
public access."
(https://docs.aws.amazon.com/AmazonS3/latest/API/API_PublicAccessBlockConfiguration.html).
S3 answers ``AccessDenied`` "Access Denied" (torchbox/buckup#18;
CloudFormation: "API: s3:PutBucketPolicy Access Denied", prowler-cloud/prowler#793).

Which policy is public ("The meaning of public",
https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status):
one with an ``Allow`` to a wildcard principal, unless the statement is
restricted to fixed values of ``aws:SourceArn``, ``aws:SourceVpc``,
``aws:SourceVpce``, ``aws:SourceOwner``, ``aws:SourceAccount``,
``s3:x-amz-server-side-encryption-aws-kms-key-id``, ``aws:userid``, or to a
set of CIDRs with ``aws:SourceIp``. Fixed AWS or service principals are not
public. Deny statements never are. Account-level Block Public Access (S3
Control) is not modelled.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any, NamedTuple

from ...policy.evaluator import load
from ._errors import refuse

# Condition keys whose fixed value makes an otherwise public grant non-public.
RESTRICTING_KEYS = frozenset(
    k.lower()
    for k in (
        "aws:SourceArn",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:SourceOwner",
        "aws:SourceAccount",
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
        "aws:userid",
    )
)
# Operators that pin a key to the values listed (no negation, no wildcard match).
_FIXED_OPERATORS = frozenset(op.lower() for op in ("StringEquals", "ArnEquals", "StringLike", "ArnLike"))


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _wildcard_principal(statement: Mapping[str, Any]) -> bool:
    principal = statement.get("Principal")
    if principal == "*":
        return True
    return isinstance(principal, Mapping) and "*" in [str(p) for p in _as_list(principal.get("AWS"))]


def _restricts(operator: str, key: str, values: Any) -> bool:
    base = operator.lower().removesuffix("ifexists")
    if ":" in base:  # ForAnyValue:/ForAllValues: qualifiers do not pin a value
        return False
    fixed = [str(v) for v in _as_list(values)]
    if not fixed:
        return False
    if key.lower() == "aws:sourceip" and base == "ipaddress":
        # A public range (0.0.0.0/0, ::/0...) does not restrict anything.
        return all(ipaddress.ip_network(v, strict=False).prefixlen > 0 for v in fixed)
    if key.lower() not in RESTRICTING_KEYS or base not in _FIXED_OPERATORS:
        return False
    return not any("*" in v or "?" in v for v in fixed)


def _statement_is_public(statement: Mapping[str, Any]) -> bool:
    if statement.get("Effect") != "Allow" or not _wildcard_principal(statement):
        return False
    conditions = statement.get("Condition") or {}
    return not any(
        _restricts(str(operator), str(key), values)
        for operator, block in conditions.items()
        if isinstance(block, Mapping)
        for key, values in block.items()
    )


def policy_is_public(policy: Any) -> bool:
    doc = load(policy) or {}
    return any(isinstance(s, Mapping) and _statement_is_public(s) for s in _as_list(doc.get("Statement")))


def check_bucket_policy(bucket: Any, policy: Any) -> None:
    """Refuse ``policy`` on ``bucket`` (moto's) when its Block Public Access forbids it."""
    block = getattr(bucket, "public_access_block", None)
    if block is not None and getattr(block, "block_public_policy", False) and policy_is_public(policy):
        raise refuse("AccessDenied", "Access Denied")


class DefaultEncryption(NamedTuple):
    """A bucket's default encryption: ``SSEAlgorithm`` (``AES256``,
    ``aws:kms``, ``aws:kms:dsse``), ``KMSMasterKeyID`` ("" for the
    AWS-managed ``aws/s3`` key) and ``BucketKeyEnabled``."""

    algorithm: str
    kms_key_id: str = ""
    bucket_key: bool = False


def default_encryption(bucket: Any) -> DefaultEncryption:
    """What S3 applies to an object written without encryption headers.
    A bucket without a configuration gets SSE-S3: "all new object uploads to
    Amazon S3 are automatically encrypted" with SSE-S3 since January 5, 2023
    (https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-encryption-faq.html)."""
    rules = (getattr(bucket, "encryption", None) or {}).get("Rule") or {}
    for rule in rules if isinstance(rules, list) else [rules]:
        by_default = rule.get("ApplyServerSideEncryptionByDefault") or {}
        if by_default.get("SSEAlgorithm"):
            enabled = str(rule.get("BucketKeyEnabled", "false")).lower() == "true"
            return DefaultEncryption(
                str(by_default["SSEAlgorithm"]), str(by_default.get("KMSMasterKeyID") or ""), enabled
            )
    return DefaultEncryption("AES256")
