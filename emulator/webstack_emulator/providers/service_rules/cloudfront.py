"""CloudFront: what CreateDistribution / UpdateDistribution check about the
standard-log bucket and the viewer certificate. Call :func:`check_distribution`
from the distribution provider's create and update with the template's
``DistributionConfig``.

Standard logs (legacy, to S3) need a bucket with ACLs enabled: "The S3
bucket that you specified for CloudFront logs does not enable ACL access:
BUCKET.s3.REGION.amazonaws.com" (``InvalidArgument``; CloudFormation reports
"Invalid request provided: AWS::CloudFront::Distribution: ...",
aws-samples/baseline-environment-on-aws#363, aws/aws-cdk#25358), pitfall D6.
ACLs are disabled by ``ObjectOwnership: BucketOwnerEnforced`` -- the default
for every bucket created since April 2023
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html,
https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging-legacy-s3.html#AccessLogsBucketAndFileOwnership),
so a bucket without ``OwnershipControls`` fails too. A log bucket the
emulator does not hold is left alone: AWS's text for it was not verified.

When logging is enabled, CloudFront then "update[s] the ACL for the bucket
to give the ``awslogsdelivery`` account ``FULL_CONTROL`` permission"
(canonical user ``c4c1ede6...2d0``), using the creator's ``s3:GetBucketAcl`` /
``s3:PutBucketAcl`` (same page, "Permissions required to configure standard
logging"): :func:`grant_log_delivery`, called after a successful create or
update. The deployer is not restricted in the emulator, so the grant is
always made; ``webstack_emulator.log_delivery`` checks it at delivery time.

Viewer certificate: an ACM certificate that does not exist or is not
``ISSUED`` (pending validation, expired, revoked...) fails with
``InvalidViewerCertificate`` "The specified SSL certificate doesn't exist,
isn't in us-east-1 region, isn't valid, or doesn't include a valid
certificate chain."
(https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CreateDistribution.html,
https://docs.aws.amazon.com/acm/latest/userguide/acm-services.html).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from moto.acm.models import acm_backends
from moto.s3.models import PERMISSION_FULL_CONTROL, FakeGrant, FakeGrantee, get_canned_acl, s3_backends

from ...facts import CLOUDFRONT_REGION
from .._base import PARTITION
from ._errors import refuse

# BUCKET.s3.amazonaws.com, BUCKET.s3.REGION.amazonaws.com, BUCKET.s3-REGION...,
# BUCKET.s3.dualstack.REGION.amazonaws.com
_BUCKET_DOMAIN = re.compile(r"^(?P<bucket>.+?)\.s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?$")

# ObjectOwnership values with which the bucket honours ACLs.
ACL_ENABLED_OWNERSHIP = ("ObjectWriter", "BucketOwnerPreferred")

# Canonical user id of the awslogsdelivery account, which writes standard logs
# (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging-legacy-s3.html,
# "Restoring the ACL for the bucket").
AWSLOGSDELIVERY_CANONICAL_ID = "c4c1ede66af53448b93c283ce9448c4ba468c9432aa01d700d3878632f77d2d0"


def bucket_of_domain(domain: str) -> str | None:
    match = _BUCKET_DOMAIN.match(domain)
    return match.group("bucket") if match else None


def object_ownership(bucket: Any) -> str:
    rule = getattr(bucket, "ownership_rule", None)
    if isinstance(rule, Mapping):
        rule = rule.get("ObjectOwnership") or (rule.get("Rule") or {}).get("ObjectOwnership")
    return str(rule) if rule else "BucketOwnerEnforced"


def check_log_bucket(account_id: str, logging: Mapping[str, Any] | None) -> None:
    domain = str((logging or {}).get("Bucket") or "")
    name = bucket_of_domain(domain)
    if not name:
        return
    bucket = s3_backends[account_id][PARTITION].buckets.get(name)
    if bucket is not None and object_ownership(bucket) not in ACL_ENABLED_OWNERSHIP:
        raise refuse(
            "InvalidArgument",
            f"The S3 bucket that you specified for CloudFront logs does not enable ACL access: {domain}",
        )


def log_bucket(account_id: str, config: Mapping[str, Any]) -> tuple[str, Any] | None:
    """``(bucket name, moto bucket or None)`` of an enabled standard-logging configuration."""
    logging = config.get("Logging") or {}
    if str(logging.get("Enabled", True)).lower() == "false":
        return None
    name = bucket_of_domain(str(logging.get("Bucket") or ""))
    if not name:
        return None
    return name, s3_backends[account_id][PARTITION].buckets.get(name)


def grant_log_delivery(account_id: str, config: Mapping[str, Any]) -> None:
    """Add the awslogsdelivery ``FULL_CONTROL`` grant to the log bucket's ACL, as
    CloudFront does when logging is enabled (module docstring); existing grants stay."""
    found = log_bucket(account_id, config)
    if found is None or found[1] is None:
        return
    bucket = found[1]
    acl = bucket.acl or get_canned_acl("private")
    grantee = FakeGrantee(grantee_id=AWSLOGSDELIVERY_CANONICAL_ID)
    if not any(grantee in g.grantees and PERMISSION_FULL_CONTROL in g.permissions for g in acl.grants):
        acl.grants.append(FakeGrant([grantee], [PERMISSION_FULL_CONTROL]))
    bucket.acl = acl


def check_viewer_certificate(account_id: str, viewer_certificate: Mapping[str, Any] | None) -> None:
    arn = str((viewer_certificate or {}).get("AcmCertificateArn") or "")
    if not arn:
        return
    parts = arn.split(":")
    region = parts[3] if len(parts) > 3 and parts[3] else CLOUDFRONT_REGION
    try:
        status = acm_backends[account_id][region].get_certificate(arn).status
    except Exception:
        status = None
    if status != "ISSUED":
        raise refuse(
            "InvalidViewerCertificate",
            f"The specified SSL certificate doesn't exist, isn't in {CLOUDFRONT_REGION} region, isn't valid, "
            "or doesn't include a valid certificate chain.",
        )


def check_distribution(account_id: str, config: Mapping[str, Any]) -> None:
    """Refuse a ``DistributionConfig`` CloudFront refuses (module docstring)."""
    check_log_bucket(account_id, config.get("Logging"))
    check_viewer_certificate(account_id, config.get("ViewerCertificate"))
