"""The rules of webstack_pitfalls/rules/s3.py: CloudFrontLogBucketAclsEnabled (D6), AlbLogBucketSseS3 (D7),
BucketNameGenerated (D8), AlbLogBucketAllowsElbDelivery (D19), AccessLogBucketWithoutObjectLock (D28)."""

from aws_cdk import Duration
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_s3 as s3

from .conftest import CaseBook, ack, module_results

D6 = "Webstack-CloudFrontLogBucketAclsEnabled"
D7 = "Webstack-AlbLogBucketSseS3"
D8 = "Webstack-BucketNameGenerated"
D19 = "Webstack-AlbLogBucketAllowsElbDelivery"
D28 = "Webstack-AccessLogBucketWithoutObjectLock"

book = CaseBook()
fired = module_results(book)


def _distribution(stack, origin, **kwargs):
    return cloudfront.Distribution(stack, "Cdn", default_behavior=cloudfront.BehaviorOptions(origin=origin), **kwargs)


# -- D6 CloudFront standard-log bucket ----------------------------------------


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
    ack(logs, D6)


def test_d6_log_bucket_with_acls_is_compliant(fired):
    assert fired("D6Good", D6) == set()


def test_d6_log_bucket_without_acls_fires(fired):
    assert fired("D6Bad", D6) == {D6}


def test_d6_acknowledged(fired):
    assert fired("D6Acked", D6) == set()


# -- D7 ALB access-log bucket -------------------------------------------------


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
    ack(_kms_log_bucket(stack), D7)


def test_d7_sse_s3_log_bucket_is_compliant(fired):
    assert fired("D7Good", D7) == set()


def test_d7_kms_log_bucket_fires(fired):
    assert fired("D7Bad", D7) == {D7}


def test_d7_acknowledged(fired):
    assert fired("D7Acked", D7) == set()


# -- D8 explicit bucket names -------------------------------------------------


@book.case("D8Good")
def _(stack):
    s3.Bucket(stack, "Content")


@book.case("D8Bad")
def _(stack):
    s3.Bucket(stack, "Content", bucket_name="webstack-content")


@book.case("D8Acked")
def _(stack):
    bucket = s3.Bucket(stack, "Content", bucket_name="webstack-content")
    ack(bucket, D8)


def test_d8_generated_name_is_compliant(fired):
    assert fired("D8Good", D8) == set()


def test_d8_explicit_name_fires(fired):
    assert fired("D8Bad", D8) == {D8}


def test_d8_acknowledged(fired):
    assert fired("D8Acked", D8) == set()


def test_compliant_cases_are_clean_for_every_rule(fired):
    assert fired.dirty_compliant_cases() == {}


def test_every_finding_has_an_acknowledged_case(fired):
    for rule in (D6, D7, D8, D19):
        assert fired.without_acknowledged_case(rule) == set()


# -- D19 ALB access-log bucket admits ELB log delivery ---------------------------


def d19_vpc_alb(stack):
    """A real (deployable) two-AZ public VPC and an internet-facing ALB."""
    vpc = ec2.Vpc(
        stack,
        "Vpc",
        availability_zones=["eu-west-1a", "eu-west-1b"],
        nat_gateways=0,
        subnet_configuration=[ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC)],
        restrict_default_security_group=False,
    )
    return elbv2.ApplicationLoadBalancer(stack, "Alb", vpc=vpc, internet_facing=True)


def d19_logs_without_elb_grant(stack):
    """Access logging switched on by attribute: nothing writes the ELB statement."""
    alb = d19_vpc_alb(stack)
    logs = s3.Bucket(stack, "AlbLogs", encryption=s3.BucketEncryption.S3_MANAGED, enforce_ssl=True)
    alb.set_attribute("access_logs.s3.enabled", "true")
    alb.set_attribute("access_logs.s3.bucket", logs.bucket_name)
    alb.set_attribute("access_logs.s3.prefix", "alb")
    return logs


@book.case("D19Good")
def d19_good(stack):
    logs = s3.Bucket(stack, "AlbLogs", encryption=s3.BucketEncryption.S3_MANAGED, enforce_ssl=True)
    d19_vpc_alb(stack).log_access_logs(logs, prefix="alb")


@book.case("D19Bad")
def _(stack):
    d19_logs_without_elb_grant(stack)


@book.case("D19Acked")
def _(stack):
    ack(d19_logs_without_elb_grant(stack).policy, f"{D19}[NoElbGrant]")


def test_d19_log_access_logs_grant_is_compliant(fired):
    assert fired("D19Good", D19) == set()


def test_d19_bucket_without_elb_grant_fires(fired):
    (finding,) = fired.of("D19Bad", D19)
    assert finding.rule_id == f"{D19}[NoElbGrant]" and finding.path.endswith("AlbLogs/Policy/Resource")


def test_d19_acknowledged(fired):
    assert fired("D19Acked", D19) == set()


# -- D28 S3 server access logs to an Object Lock bucket -------------------------


def _logged_into(stack, **target_props):
    target = s3.Bucket(stack, "AccessLogs", versioned=True, **target_props)
    s3.Bucket(stack, "Content", server_access_logs_bucket=target, server_access_logs_prefix="content/")
    return target


LOCKED = {
    "object_lock_enabled": True,
    "object_lock_default_retention": s3.ObjectLockRetention.governance(Duration.days(30)),
}


@book.case("D28Good")
def _(stack):
    _logged_into(stack)
    # Object Lock on a bucket no one sends server access logs to is fine.
    s3.Bucket(stack, "AlbLogs", versioned=True, **LOCKED)


@book.case("D28Bad")
def _(stack):
    _logged_into(stack, **LOCKED)


@book.case("D28Acked")
def _(stack):
    ack(_logged_into(stack, **LOCKED), D28)


def test_d28_access_logs_to_an_unlocked_bucket_are_compliant(fired):
    assert fired("D28Good", D28) == set()


def test_d28_access_logs_to_an_object_lock_bucket_fire(fired):
    (finding,) = fired.of("D28Bad", D28)
    assert finding.path.endswith("AccessLogs/Resource")


def test_d28_acknowledged(fired):
    assert fired("D28Acked", D28) == set()
