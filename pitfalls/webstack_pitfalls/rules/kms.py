"""KMS: who may use a customer-managed key (D1), a key policy that keeps the account root (D17), and the key
and encryption helpers other rules share."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..template import Statement, TemplateView, as_list, statements
from .base import Hit, Rule, aws_cdk_issue

KMS_KEY = "AWS::KMS::Key"
KMS_ALIAS = "AWS::KMS::Alias"


def key_of(view: TemplateView, value: Any) -> str | None:
    """Customer-managed key in this stack that ``value`` points at (directly or via an alias)."""
    lid = view.target(value, KMS_KEY, KMS_ALIAS)
    if lid is not None and view.type_of(lid) == KMS_ALIAS:
        lid = view.target(view.props(lid).get("TargetKeyId"), KMS_KEY)
    return lid


def allow_statements(view: TemplateView, key_lid: str) -> list[Statement]:
    """The Allow statements of a key's policy."""
    return [s for s in statements(view.props(key_lid).get("KeyPolicy"), view.parameters) if s.allows]


def service_principals(statement: Statement) -> list[str]:
    return statement.rendered_principals.get("Service", [])


def bucket_encryption(view: TemplateView, bucket_lid: str) -> tuple[str | None, Any]:
    """(SSEAlgorithm, KMSMasterKeyID) of a bucket's first encryption rule."""
    enc = view.props(bucket_lid).get("BucketEncryption") or {}
    for rule in as_list(enc.get("ServerSideEncryptionConfiguration")):
        default = (rule or {}).get("ServerSideEncryptionByDefault") or {}
        if default:
            return default.get("SSEAlgorithm"), default.get("KMSMasterKeyID")
    return None, None


def is_kms(algorithm: str | None) -> bool:
    """``aws:kms`` or ``aws:kms:dsse``."""
    return bool(algorithm) and str(algorithm).startswith("aws:kms")


# ---------------------------------------------------------------------------
# D1 KMS key on Auto Scaling EBS volumes

_ASG_SLR = "AWSServiceRoleForAutoScaling"
# What Auto Scaling does with the key when it launches an instance with encrypted volumes:
# https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html
_ASG_KEY_USE = (
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:DescribeKey",
)


def _names_asg_slr_directly(statement: Statement) -> bool:
    return any(_ASG_SLR in p for p in statement.rendered_principals.get("AWS", []))


def _names_asg_slr(statement: Statement) -> bool:
    if _names_asg_slr_directly(statement):
        return True
    return statement.principal_is_star() and any(_ASG_SLR in v for v in statement.condition_values("aws:PrincipalArn"))


def _asg_can_use(view: TemplateView, key_lid: str) -> bool:
    slr = [s for s in allow_statements(view, key_lid) if _names_asg_slr(s)]
    uses = all(any(s.covers(a) for s in slr) for a in _ASG_KEY_USE)
    grant = any(
        s.covers("kms:CreateGrant")
        and any(v.lower() == "true" for v in s.condition_values("kms:GrantIsForAWSResource"))
        for s in slr
    )
    return uses and grant


def _launch_template_volume_keys(view: TemplateView) -> set[str]:
    keys: set[str] = set()
    for _, props in view.of_type("AWS::EC2::LaunchTemplate"):
        data = props.get("LaunchTemplateData") or {}
        for bdm in as_list(data.get("BlockDeviceMappings")):
            key = key_of(view, ((bdm or {}).get("Ebs") or {}).get("KmsKeyId"))
            if key:
                keys.add(key)
    return keys


def check_asg_ebs_key_usable_by_auto_scaling(view: TemplateView) -> Iterator[Hit]:
    creates_slr = any(
        str(props.get("AWSServiceName", "")).startswith("autoscaling.")
        for _, props in view.of_type("AWS::IAM::ServiceLinkedRole")
    )
    for key in sorted(_launch_template_volume_keys(view)):
        if not _asg_can_use(view, key):
            yield Hit(key, "KeyPolicy", "Properties/KeyPolicy")
        direct = any(_names_asg_slr_directly(s) for s in allow_statements(view, key))
        if direct and not creates_slr:
            # KMS validates principals: MalformedPolicyDocumentException until the role exists.
            yield Hit(key, "SlrPrincipal", "Properties/KeyPolicy")


ASG_EBS_KEY_USABLE_BY_AUTO_SCALING = Rule(
    name="AsgEbsKeyUsableByAutoScaling",
    pitfall="D1",
    info="A launch template encrypts EBS volumes with a customer-managed KMS key whose policy does not let the "
    "Auto Scaling service-linked role use it ([KeyPolicy]; instances fail with Client.InternalError), or names "
    "that role as principal while nothing creates it ([SlrPrincipal]; MalformedPolicyDocumentException in a "
    "fresh account).",
    explanation="Add key-policy statements for arn:<partition>:iam::<account>:role/aws-service-role/"
    "autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling (as principal, or principal * with an "
    "aws:PrincipalArn condition): kms:Encrypt, Decrypt, ReEncrypt*, GenerateDataKey*, DescribeKey, and "
    "kms:CreateGrant with kms:GrantIsForAWSResource=true. Prefer principal * with aws:PrincipalArn (valid before "
    "the role exists) or create the service-linked role in the app.",
    link=aws_cdk_issue(34491),
    check=check_asg_ebs_key_usable_by_auto_scaling,
)


# ---------------------------------------------------------------------------
# D17 key policy keeps the account-root statement

# KMS refuses a key policy that would not let the caller change it again
# (MalformedPolicyDocumentException "The new key policy will not allow you to
# update the key policy in the future."), and without the account-root
# statement IAM policies grant nothing on the key
# (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam).
_ACCOUNT = r"(?:\d{12}|\$\{AWS::AccountId\})"
_ROOT = re.compile(rf"^(?:arn:(?:aws[a-z-]*|\$\{{AWS::Partition\}}):iam::{_ACCOUNT}:root|{_ACCOUNT})$")


def _names_account_root(statement: Statement) -> bool:
    return any(_ROOT.match(p) for p in statement.rendered_principals.get("AWS", []))


def _keeps_account_root(view: TemplateView, key_lid: str) -> bool:
    return any(
        _names_account_root(s) and s.covers("kms:PutKeyPolicy") and not s.conditions
        for s in allow_statements(view, key_lid)
    )


def check_key_policy_keeps_account_root(view: TemplateView) -> Iterator[Hit]:
    for lid, props in view.of_type(KMS_KEY):
        if props.get("KeyPolicy") is not None and not _keeps_account_root(view, lid):
            yield Hit(lid, "NoAccountRoot", "Properties/KeyPolicy")


KEY_POLICY_KEEPS_ACCOUNT_ROOT = Rule(
    name="KeyPolicyKeepsAccountRoot",
    pitfall="D17",
    info="A KMS key policy has no unconditional Allow for the account root (arn:<partition>:iam::<account>:root) "
    "covering kms:PutKeyPolicy ([NoAccountRoot]): KMS refuses it with MalformedPolicyDocumentException ('The new "
    "key policy will not allow you to update the key policy in the future'), or, with "
    "BypassPolicyLockoutSafetyCheck, the key becomes unmanageable and IAM policies grant nothing on it.",
    explanation="Keep the default statement: Principal {AWS: arn:<partition>:iam::<account>:root}, Action kms:*, "
    "Resource * (kms.Key does this unless its policy is replaced); add service statements beside it.",
    link="https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html",
    check=check_key_policy_keeps_account_root,
)
