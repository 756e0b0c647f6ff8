"""Policies AWS owns and the emulator therefore has to know: the identity
policy of the Auto Scaling service-linked role and the key policy of the
AWS-managed ``aws/sns`` key."""

from __future__ import annotations

from typing import Any

from .evaluator import Principal

# https://docs.aws.amazon.com/autoscaling/ec2/userguide/autoscaling-service-linked-role.html
AUTOSCALING_SLR_PATH = "role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"

# The statement of AutoScalingServiceRolePolicy that the emulated calls need
# (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AutoScalingServiceRolePolicy.html):
# sns:Publish on any topic. The managed policy has no KMS statement for
# customer managed keys ("they do not include access to your customer managed
# keys", autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html),
# so a CMK's key policy has to name the role (D1, D16).
AUTOSCALING_SERVICE_ROLE_POLICY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "SNSPublishing", "Effect": "Allow", "Action": ["sns:Publish"], "Resource": "*"}],
}


def autoscaling_service_linked_role(account_id: str, partition: str = "aws") -> Principal:
    """The principal Auto Scaling acts as in ``account_id``."""
    return Principal.role(f"arn:{partition}:iam::{account_id}:{AUTOSCALING_SLR_PATH}", AUTOSCALING_SERVICE_ROLE_POLICY)


def aws_managed_sns_key_policy(account_id: str, region: str) -> dict[str, Any]:
    """The key policy of ``alias/aws/sns``: any principal of the account, via
    SNS only. A service principal such as cloudwatch.amazonaws.com has no
    caller account, so it cannot use the key -- which is why alarms cannot
    publish to topics encrypted with it (D10;
    https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns)."""
    return {
        "Version": "2012-10-17",
        "Id": "auto-sns",
        "Statement": [
            {
                "Sid": "Allow access through SNS for all principals in the account that are authorized to use SNS",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": [
                    "kms:Encrypt",
                    "kms:Decrypt",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:CreateGrant",
                    "kms:DescribeKey",
                ],
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"kms:CallerAccount": account_id, "kms:ViaService": f"sns.{region}.amazonaws.com"}
                },
            },
            {
                "Sid": "Allow direct access to key metadata to the account",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
                "Action": ["kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant"],
                "Resource": "*",
            },
        ],
    }


def aws_managed_secretsmanager_key_policy(account_id: str, region: str) -> dict[str, Any]:
    """The key policy of ``alias/aws/secretsmanager``, which encrypts a secret
    without a ``KmsKeyId``: any principal of the account, through Secrets
    Manager only -- so the caller's own secretsmanager permissions decide
    (https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html,
    "the AWS managed key aws/secretsmanager ... only Secrets Manager can use it
    on behalf of principals in the account")."""
    return {
        "Version": "2012-10-17",
        "Id": "auto-secretsmanager-2",
        "Statement": [
            {
                "Sid": "Allow access through AWS Secrets Manager for all principals in the account that are "
                "authorized to use AWS Secrets Manager",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:CreateGrant", "kms:DescribeKey"],
                "Resource": "*",
                "Condition": {
                    "StringEquals": {
                        "kms:CallerAccount": account_id,
                        "kms:ViaService": f"secretsmanager.{region}.amazonaws.com",
                    }
                },
            },
            {
                "Sid": "Allow access through AWS Secrets Manager for all principals in the account that are "
                "authorized to use AWS Secrets Manager",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": "kms:GenerateDataKey*",
                "Resource": "*",
                "Condition": {"StringEquals": {"kms:CallerAccount": account_id}},
            },
            {
                "Sid": "Allow direct access to key metadata to the account",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
                "Action": ["kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant"],
                "Resource": "*",
            },
        ],
    }


def aws_managed_s3_key_policy(account_id: str, region: str) -> dict[str, Any]:
    """The key policy of ``alias/aws/s3`` (SSE-KMS without a ``KMSMasterKeyID``):
    principals of the account, via S3 only. A service principal such as
    ``cloudfront.amazonaws.com`` has no caller account, so an Origin Access
    Control cannot decrypt objects under it (pitfall D2;
    https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html#create-oac-overview-s3,
    "SSE-KMS": use a customer managed key)."""
    return {
        "Version": "2012-10-17",
        "Id": "auto-s3-2",
        "Statement": [
            {
                "Sid": "Allow access through S3 for all principals in the account that are authorized to use S3",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"kms:CallerAccount": account_id, "kms:ViaService": f"s3.{region}.amazonaws.com"}
                },
            },
            {
                "Sid": "Allow direct access to key metadata to the account",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
                "Action": ["kms:Describe*", "kms:Get*", "kms:List*"],
                "Resource": "*",
            },
        ],
    }
