"""D2 CloudFront + SSE-KMS, D6 CloudFront log bucket, D7 ALB log bucket, D8 bucket names."""

from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3

from .conftest import CaseBook, ack, module_results

book = CaseBook()
fired = module_results(book)


def _kms_bucket(stack):
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    return s3.Bucket(stack, "Content", encryption=s3.BucketEncryption.KMS, encryption_key=key), key


def _distribution(stack, origin, **kwargs):
    return cloudfront.Distribution(stack, "Cdn", default_behavior=cloudfront.BehaviorOptions(origin=origin), **kwargs)


# -- D2 -----------------------------------------------------------------------


@book.case("D2Good")
def _(stack):
    bucket, _ = _kms_bucket(stack)
    _distribution(stack, origins.S3BucketOrigin.with_origin_access_control(bucket))


@book.case("D2BadOai")
def _(stack):
    bucket, _ = _kms_bucket(stack)
    _distribution(stack, origins.S3BucketOrigin.with_origin_access_identity(bucket))


@book.case("D2BadKeyPolicy")
def _(stack):
    # L1 distribution: nothing adds the cloudfront.amazonaws.com statement to the key.
    bucket, _ = _kms_bucket(stack)
    oac = cloudfront.S3OriginAccessControl(stack, "Oac")
    cloudfront.CfnDistribution(
        stack,
        "Cdn",
        distribution_config=cloudfront.CfnDistribution.DistributionConfigProperty(
            enabled=True,
            origins=[
                cloudfront.CfnDistribution.OriginProperty(
                    id="content",
                    domain_name=bucket.bucket_regional_domain_name,
                    origin_access_control_id=oac.origin_access_control_id,
                    s3_origin_config=cloudfront.CfnDistribution.S3OriginConfigProperty(origin_access_identity=""),
                )
            ],
            default_cache_behavior=cloudfront.CfnDistribution.DefaultCacheBehaviorProperty(
                target_origin_id="content",
                viewer_protocol_policy="redirect-to-https",
                cache_policy_id=cloudfront.CachePolicy.CACHING_OPTIMIZED.cache_policy_id,
            ),
        ),
    )


@book.case("D2BadAwsManagedKey")
def _(stack):
    bucket = s3.Bucket(stack, "Content", encryption=s3.BucketEncryption.KMS_MANAGED)
    _distribution(stack, origins.S3BucketOrigin.with_origin_access_control(bucket))


@book.case("D2Acked")
def _(stack):
    bucket, _ = _kms_bucket(stack)
    cdn = _distribution(stack, origins.S3BucketOrigin.with_origin_access_identity(bucket))
    ack(cdn, "Webstack-D2[OAI]")


def test_d2_oac_with_cmk_granting_cloudfront_is_compliant(fired):
    assert fired("D2Good", "Webstack-D2") == set()


def test_d2_oai_on_kms_bucket_fires(fired):
    assert fired("D2BadOai", "Webstack-D2") == {"Webstack-D2[OAI]"}


def test_d2_oac_without_key_statement_fires(fired):
    assert fired("D2BadKeyPolicy", "Webstack-D2") == {"Webstack-D2[KeyPolicy]"}


def test_d2_oac_with_aws_managed_key_fires(fired):
    assert fired("D2BadAwsManagedKey", "Webstack-D2") == {"Webstack-D2[AwsManagedKey]"}


def test_d2_acknowledged_finding_is_suppressed(fired):
    assert fired("D2Acked", "Webstack-D2") == set()


# -- D6 -----------------------------------------------------------------------


def _logged_distribution(stack, ownership):
    logs = s3.Bucket(stack, "CdnLogs", object_ownership=ownership)
    _distribution(stack, origins.HttpOrigin("origin.webstack.dev"), enable_logging=True, log_bucket=logs)
    return logs


@book.case("D6Good")
def _(stack):
    _logged_distribution(stack, s3.ObjectOwnership.OBJECT_WRITER)


@book.case("D6Bad")
def _(stack):
    _logged_distribution(stack, s3.ObjectOwnership.BUCKET_OWNER_ENFORCED)


@book.case("D6Acked")
def _(stack):
    logs = _logged_distribution(stack, s3.ObjectOwnership.BUCKET_OWNER_ENFORCED)
    ack(logs, "Webstack-D6")


def test_d6_log_bucket_with_acls_is_compliant(fired):
    assert fired("D6Good", "Webstack-D6") == set()


def test_d6_log_bucket_without_acls_fires(fired):
    assert fired("D6Bad", "Webstack-D6") == {"Webstack-D6"}


def test_d6_acknowledged(fired):
    assert fired("D6Acked", "Webstack-D6") == set()


# -- D7 -----------------------------------------------------------------------


def _alb(stack):
    vpc = ec2.Vpc.from_vpc_attributes(
        stack,
        "Vpc",
        vpc_id="vpc-0123456789abcdef0",
        availability_zones=["eu-west-1a", "eu-west-1b"],
        public_subnet_ids=["subnet-0a", "subnet-0b"],
    )
    return elbv2.ApplicationLoadBalancer(stack, "Alb", vpc=vpc, internet_facing=True)


@book.case("D7Good")
def _(stack):
    _alb(stack).log_access_logs(s3.Bucket(stack, "AlbLogs", encryption=s3.BucketEncryption.S3_MANAGED))


def _kms_log_bucket(stack):
    # log_access_logs() refuses a KMS bucket, so the naive route sets the attributes by hand.
    alb = _alb(stack)
    logs = s3.Bucket(stack, "AlbLogs", encryption=s3.BucketEncryption.KMS)
    alb.set_attribute("access_logs.s3.enabled", "true")
    alb.set_attribute("access_logs.s3.bucket", logs.bucket_name)
    return logs


@book.case("D7Bad")
def _(stack):
    _kms_log_bucket(stack)


@book.case("D7Acked")
def _(stack):
    ack(_kms_log_bucket(stack), "Webstack-D7")


def test_d7_sse_s3_log_bucket_is_compliant(fired):
    assert fired("D7Good", "Webstack-D7") == set()


def test_d7_kms_log_bucket_fires(fired):
    assert fired("D7Bad", "Webstack-D7") == {"Webstack-D7"}


def test_d7_acknowledged(fired):
    assert fired("D7Acked", "Webstack-D7") == set()


# -- D8 -----------------------------------------------------------------------


@book.case("D8Good")
def _(stack):
    s3.Bucket(stack, "Content")


@book.case("D8Bad")
def _(stack):
    s3.Bucket(stack, "Content", bucket_name="webstack-content")


@book.case("D8Acked")
def _(stack):
    bucket = s3.Bucket(stack, "Content", bucket_name="webstack-content")
    ack(bucket, "Webstack-D8")


def test_d8_generated_name_is_compliant(fired):
    assert fired("D8Good", "Webstack-D8") == set()


def test_d8_explicit_name_fires(fired):
    assert fired("D8Bad", "Webstack-D8") == {"Webstack-D8"}


def test_d8_acknowledged(fired):
    assert fired("D8Acked", "Webstack-D8") == set()


def test_compliant_cases_are_clean_for_every_rule(fired):
    dirty = {c: fired.by_stack.get(c) for c in fired.cases if c.endswith("Good") and fired.by_stack.get(c)}
    assert dirty == {}
