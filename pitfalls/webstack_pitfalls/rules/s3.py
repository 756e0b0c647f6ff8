"""S3 buckets: log buckets CloudFront (D6) and load balancers (D7) can write to, and generated names (D8)."""

from __future__ import annotations

from collections.abc import Iterator

from ..template import TemplateView, as_list
from .base import Hit, Rule, aws_cdk_issue
from .cloudfront import BUCKET, distributions
from .kms import bucket_encryption, is_kms

# ---------------------------------------------------------------------------
# D6 CloudFront standard-log bucket needs ACLs

_ACL_OWNERSHIP = {"ObjectWriter", "BucketOwnerPreferred"}


def check_cloudfront_log_bucket_acls_enabled(view: TemplateView) -> Iterator[Hit]:
    buckets = set()
    for _, config in distributions(view):
        bucket = view.target((config.get("Logging") or {}).get("Bucket"), BUCKET)
        if bucket:
            buckets.add(bucket)
    for bucket in sorted(buckets):
        rules = as_list((view.props(bucket).get("OwnershipControls") or {}).get("Rules"))
        if not any((r or {}).get("ObjectOwnership") in _ACL_OWNERSHIP for r in rules):
            yield Hit(bucket, location="Properties/OwnershipControls")


CLOUDFRONT_LOG_BUCKET_ACLS_ENABLED = Rule(
    name="CloudFrontLogBucketAclsEnabled",
    pitfall="D6",
    info="A bucket used for CloudFront standard logs has ACLs disabled; CloudFront rejects it "
    "('does not enable ACL access').",
    explanation="Set object_ownership=ObjectOwnership.OBJECT_WRITER (or BUCKET_OWNER_PREFERRED) on the log bucket.",
    link=aws_cdk_issue(25291),
    check=check_cloudfront_log_bucket_acls_enabled,
)


# ---------------------------------------------------------------------------
# D7 ALB access-log bucket must be SSE-S3

_LOG_BUCKET_KEYS = {"access_logs.s3.bucket", "connection_logs.s3.bucket"}


def check_alb_log_bucket_sse_s3(view: TemplateView) -> Iterator[Hit]:
    buckets = set()
    for _, props in view.of_type("AWS::ElasticLoadBalancingV2::LoadBalancer"):
        for attr in as_list(props.get("LoadBalancerAttributes")):
            if (attr or {}).get("Key") in _LOG_BUCKET_KEYS:
                bucket = view.target(attr.get("Value"), BUCKET)
                if bucket:
                    buckets.add(bucket)
    for bucket in sorted(buckets):
        if is_kms(bucket_encryption(view, bucket)[0]):
            yield Hit(bucket, location="Properties/BucketEncryption")


ALB_LOG_BUCKET_SSE_S3 = Rule(
    name="AlbLogBucketSseS3",
    pitfall="D7",
    info="A bucket receiving ALB access/connection logs is encrypted with SSE-KMS; "
    "the load balancer cannot write to it.",
    explanation="Encrypt the ALB log bucket with BucketEncryption.S3_MANAGED (SSE-S3).",
    link=aws_cdk_issue(21947),
    check=check_alb_log_bucket_sse_s3,
)


# ---------------------------------------------------------------------------
# D8 explicit bucket names


def check_bucket_name_generated(view: TemplateView) -> Iterator[Hit]:
    for lid, props in view.of_type(BUCKET):
        if props.get("BucketName") is not None:
            yield Hit(lid, location="Properties/BucketName")


BUCKET_NAME_GENERATED = Rule(
    name="BucketNameGenerated",
    pitfall="D8",
    info="An S3 bucket has an explicit BucketName; names are global and block redeploys after a RETAIN.",
    explanation="Remove bucket_name and let CloudFormation generate the name; expose it through a stack output.",
    link="https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html",
    check=check_bucket_name_generated,
)
