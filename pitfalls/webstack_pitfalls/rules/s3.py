"""S3 buckets: log buckets CloudFront (D6), load balancers (D7, D19) and S3 server access logging (D28)
can write to, and generated names (D8)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..template import Statement, TemplateView, as_list
from .base import Hit, Rule, aws_cdk_issue
from .cloudfront import BUCKET, bucket_policy_statements, distributions
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


# ---------------------------------------------------------------------------
# D19 ALB access-log bucket admits Elastic Load Balancing's log delivery

# Elastic Load Balancing's log-delivery account per region (regions available
# before August 2022) and the service principal of newer regions
# (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html#attach-bucket-policy).
ELB_LOG_DELIVERY_ACCOUNTS = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "af-south-1": "098369216593",
    "ap-east-1": "754344448648",
    "ap-southeast-3": "589379963580",
    "ap-south-1": "718504428378",
    "ap-northeast-3": "383597477331",
    "ap-northeast-2": "600734575887",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ap-northeast-1": "582318560864",
    "ca-central-1": "985666609251",
    "eu-central-1": "054676820928",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-south-1": "635631232127",
    "eu-west-3": "009996457667",
    "eu-north-1": "897822967062",
    "me-south-1": "076674570225",
    "sa-east-1": "507241528517",
}
ELB_LOG_DELIVERY_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com"


def _elb_principals(region: str | None) -> set[str]:
    accounts = [ELB_LOG_DELIVERY_ACCOUNTS[region]] if region in ELB_LOG_DELIVERY_ACCOUNTS else []
    if region is None:
        accounts = list(ELB_LOG_DELIVERY_ACCOUNTS.values())
    partitions = ("aws", "${AWS::Partition}")
    return {f"arn:{p}:iam::{a}:root" for a in accounts for p in partitions} | set(accounts)


def _admits_elb(statement: Statement, region: str | None) -> bool:
    if not (statement.allows and statement.covers("s3:PutObject")):
        return False
    services = statement.rendered_principals.get("Service", [])
    accounts = statement.rendered_principals.get("AWS", [])
    return ELB_LOG_DELIVERY_SERVICE in services or bool(_elb_principals(region) & set(accounts))


def _access_log_buckets(view: TemplateView) -> set[str]:
    buckets = set()
    for _, props in view.of_type("AWS::ElasticLoadBalancingV2::LoadBalancer"):
        attrs = {(a or {}).get("Key"): (a or {}).get("Value") for a in as_list(props.get("LoadBalancerAttributes"))}
        if str(attrs.get("access_logs.s3.enabled", "false")).lower() == "true":
            bucket = view.target(attrs.get("access_logs.s3.bucket"), BUCKET)
            if bucket:
                buckets.add(bucket)
    return buckets


def check_alb_log_bucket_allows_elb_delivery(view: TemplateView) -> Iterator[Hit]:
    for bucket in sorted(_access_log_buckets(view)):
        policy, stmts = bucket_policy_statements(view, bucket)
        if not any(_admits_elb(s, view.region) for s in stmts):
            yield Hit(policy or bucket, "NoElbGrant", "Properties/PolicyDocument" if policy else "Properties")


ALB_LOG_BUCKET_ALLOWS_ELB_DELIVERY = Rule(
    name="AlbLogBucketAllowsElbDelivery",
    pitfall="D19",
    info="A load balancer writes access logs to a bucket whose policy has no Allow of s3:PutObject for the "
    "region's Elastic Load Balancing account (arn:aws:iam::<elb-account>:root) or "
    "logdelivery.elasticloadbalancing.amazonaws.com ([NoElbGrant]): enabling the logs fails with "
    "InvalidConfigurationRequest 'Access Denied for bucket: <name>. Please check S3bucket permission'.",
    explanation="Use load_balancer.log_access_logs(bucket, prefix) (it writes the regional statement), or add "
    "s3:PutObject on <bucket ARN>/<prefix>/AWSLogs/<account>/* for the principal the region's documentation names.",
    link="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html",
    check=check_alb_log_bucket_allows_elb_delivery,
)


# ---------------------------------------------------------------------------
# D28 S3 server access logs never reach a bucket with Object Lock


def _object_lock_enabled(props: dict[str, Any]) -> bool:
    top = props.get("ObjectLockEnabled")
    nested = (props.get("ObjectLockConfiguration") or {}).get("ObjectLockEnabled")
    return top is True or str(top).lower() == "true" or nested == "Enabled"


def check_access_log_bucket_without_object_lock(view: TemplateView) -> Iterator[Hit]:
    targets = set()
    for lid, props in view.of_type(BUCKET):
        logging = props.get("LoggingConfiguration")
        if not isinstance(logging, dict):
            continue
        # Without DestinationBucketName the logs go to the bucket itself (AWS::S3::Bucket LoggingConfiguration).
        destination = logging.get("DestinationBucketName")
        target = lid if destination is None else view.target(destination, BUCKET)
        if target:
            targets.add(target)
    for bucket in sorted(targets):
        if _object_lock_enabled(view.props(bucket)):
            yield Hit(bucket, location="Properties/ObjectLockEnabled")


ACCESS_LOG_BUCKET_WITHOUT_OBJECT_LOCK = Rule(
    name="AccessLogBucketWithoutObjectLock",
    pitfall="D28",
    info="A bucket receiving S3 server access logs has S3 Object Lock; S3 delivers no logs to it, silently.",
    explanation="Send server access logs to a bucket without Object Lock; lock only the buckets other services log to.",
    link="https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshooting-server-access-logging.html",
    check=check_access_log_bucket_without_object_lock,
)
