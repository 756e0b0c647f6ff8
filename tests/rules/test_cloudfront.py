"""The rules of webstack_pitfalls/rules/cloudfront.py: OacForKmsEncryptedOrigin and
OacBucketPolicyScopedToDistribution (D2), InternetGatewayAttachedForVpcOrigin (D22)."""

import aws_cdk as cdk
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3

from .conftest import CaseBook, ack, module_results

D2 = "Webstack-OacForKmsEncryptedOrigin"
D2_SCOPE = "Webstack-OacBucketPolicyScopedToDistribution"
D22 = "Webstack-InternetGatewayAttachedForVpcOrigin"

book = CaseBook()
fired = module_results(book)


def _kms_bucket(stack):
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    return s3.Bucket(stack, "Content", encryption=s3.BucketEncryption.KMS, encryption_key=key), key


def _distribution(stack, origin, **kwargs):
    return cloudfront.Distribution(stack, "Cdn", default_behavior=cloudfront.BehaviorOptions(origin=origin), **kwargs)


# -- D2 CloudFront origin on an SSE-KMS bucket --------------------------------


@book.case("D2Good")
def _(stack):
    bucket, _ = _kms_bucket(stack)
    _distribution(stack, origins.S3BucketOrigin.with_origin_access_control(bucket))


@book.case("D2BadOai")
def _(stack):
    bucket, _ = _kms_bucket(stack)
    _distribution(stack, origins.S3BucketOrigin.with_origin_access_identity(bucket))


def _l1_oac_distribution(stack):
    """An L1 distribution: nothing adds the cloudfront.amazonaws.com statement to the key."""
    bucket, key = _kms_bucket(stack)
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
    return key


@book.case("D2BadKeyPolicy")
def _(stack):
    _l1_oac_distribution(stack)


def _aws_managed_key_origin(stack):
    bucket = s3.Bucket(stack, "Content", encryption=s3.BucketEncryption.KMS_MANAGED)
    _distribution(stack, origins.S3BucketOrigin.with_origin_access_control(bucket))
    return bucket


@book.case("D2BadAwsManagedKey")
def _(stack):
    _aws_managed_key_origin(stack)


@book.case("D2Acked")
def _(stack):
    bucket, _ = _kms_bucket(stack)
    cdn = _distribution(stack, origins.S3BucketOrigin.with_origin_access_identity(bucket))
    ack(cdn, f"{D2}[OAI]")


@book.case("D2AckedKeyPolicy")
def _(stack):
    ack(_l1_oac_distribution(stack), f"{D2}[KeyPolicy]")


@book.case("D2AckedAwsManagedKey")
def _(stack):
    ack(_aws_managed_key_origin(stack), f"{D2}[AwsManagedKey]")


def test_d2_oac_with_cmk_granting_cloudfront_is_compliant(fired):
    assert fired("D2Good", D2) == set()


def test_d2_oai_on_kms_bucket_fires(fired):
    assert fired("D2BadOai", D2) == {f"{D2}[OAI]"}


def test_d2_oac_without_key_statement_fires(fired):
    assert fired("D2BadKeyPolicy", D2) == {f"{D2}[KeyPolicy]"}


def test_d2_oac_with_aws_managed_key_fires(fired):
    assert fired("D2BadAwsManagedKey", D2) == {f"{D2}[AwsManagedKey]"}


def test_d2_acknowledged_finding_is_suppressed(fired):
    assert fired("D2Acked", D2) == set()


def test_d2_key_policy_and_aws_managed_key_acknowledged(fired):
    assert fired("D2AckedKeyPolicy", D2) == set()
    assert fired("D2AckedAwsManagedKey", D2) == set()


# -- D2 the OAC's bucket grant names this distribution --------------------------


def _l1_oac_cdn(stack, bucket, construct_id="Cdn"):
    oac = cloudfront.CfnOriginAccessControl(
        stack,
        f"{construct_id}Oac",
        origin_access_control_config=cloudfront.CfnOriginAccessControl.OriginAccessControlConfigProperty(
            name=f"{stack.node.id}-{construct_id}",
            origin_access_control_origin_type="s3",
            signing_behavior="always",
            signing_protocol="sigv4",
        ),
    )
    return cloudfront.CfnDistribution(
        stack,
        construct_id,
        distribution_config=cloudfront.CfnDistribution.DistributionConfigProperty(
            enabled=True,
            origins=[
                cloudfront.CfnDistribution.OriginProperty(
                    id="content",
                    domain_name=bucket.bucket_regional_domain_name,
                    origin_access_control_id=oac.attr_id,
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


def _distribution_arn(dist):
    return cdk.Stack.of(dist).format_arn(
        service="cloudfront", region="", resource="distribution", resource_name=dist.ref
    )


def _cloudfront_reads(bucket, **conditions):
    bucket.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal("cloudfront.amazonaws.com")],
            actions=["s3:GetObject"],
            resources=[bucket.arn_for_objects("*")],
            conditions=conditions or None,
        )
    )


def d2_scoped_to_other_distribution(stack):
    """Two OAC distributions on one bucket; the bucket grant names only ``Other``."""
    bucket = s3.Bucket(stack, "Content", encryption=s3.BucketEncryption.S3_MANAGED, enforce_ssl=True)
    _l1_oac_cdn(stack, bucket)
    other = _l1_oac_cdn(stack, bucket, "Other")
    _cloudfront_reads(bucket, StringEquals={"AWS:SourceArn": _distribution_arn(other)})
    return bucket


def d2_unscoped(stack):
    bucket = s3.Bucket(stack, "Content", encryption=s3.BucketEncryption.S3_MANAGED, enforce_ssl=True)
    _l1_oac_cdn(stack, bucket)
    _cloudfront_reads(bucket)
    return bucket


def d2_no_grant(stack):
    bucket = s3.Bucket(stack, "Content", encryption=s3.BucketEncryption.S3_MANAGED, enforce_ssl=True)
    _l1_oac_cdn(stack, bucket)
    return bucket


@book.case("D2ScopeGood")
def d2_scope_good(stack):
    bucket = s3.Bucket(stack, "Content", encryption=s3.BucketEncryption.S3_MANAGED, enforce_ssl=True)
    _distribution(stack, origins.S3BucketOrigin.with_origin_access_control(bucket))


@book.case("D2ScopeBadOther")
def _(stack):
    d2_scoped_to_other_distribution(stack)


@book.case("D2ScopeBadUnscoped")
def _(stack):
    d2_unscoped(stack)


@book.case("D2ScopeBadNoGrant")
def _(stack):
    d2_no_grant(stack)


@book.case("D2ScopeAckedOther")
def _(stack):
    ack(d2_scoped_to_other_distribution(stack).policy, f"{D2_SCOPE}[OtherDistribution]")


@book.case("D2ScopeAckedUnscoped")
def _(stack):
    ack(d2_unscoped(stack).policy, f"{D2_SCOPE}[Unscoped]")


@book.case("D2ScopeAckedNoGrant")
def _(stack):
    ack(d2_no_grant(stack).policy, f"{D2_SCOPE}[NoGrant]")


def test_d2_scope_bucket_policy_naming_the_distribution_is_compliant(fired):
    assert fired("D2ScopeGood", D2_SCOPE) == set()


def test_d2_scope_bucket_policy_naming_another_distribution_fires(fired):
    (finding,) = fired.of("D2ScopeBadOther", D2_SCOPE)
    assert finding.rule_id == f"{D2_SCOPE}[OtherDistribution]"
    assert finding.path.endswith("Content/Policy/Resource")


def test_d2_scope_unconditioned_grant_fires(fired):
    assert fired("D2ScopeBadUnscoped", D2_SCOPE) == {f"{D2_SCOPE}[Unscoped]"}


def test_d2_scope_policy_without_a_cloudfront_grant_fires(fired):
    assert fired("D2ScopeBadNoGrant", D2_SCOPE) == {f"{D2_SCOPE}[NoGrant]"}


def test_d2_scope_acknowledged(fired):
    for case in ("D2ScopeAckedOther", "D2ScopeAckedUnscoped", "D2ScopeAckedNoGrant"):
        assert fired(case, D2_SCOPE) == set()


def test_compliant_cases_are_clean_for_every_rule(fired):
    assert fired.dirty_compliant_cases() == {}


def test_every_finding_has_an_acknowledged_case(fired):
    for rule in (D2, D2_SCOPE, D22):
        assert fired.without_acknowledged_case(rule) == set()


# -- D22 a VPC origin's VPC has an internet gateway attached, first ------------


def _private_only_vpc(stack, *, internet_gateway):
    return ec2.Vpc(
        stack,
        "Vpc",
        availability_zones=["eu-west-1a", "eu-west-1b"],
        nat_gateways=0,
        create_internet_gateway=internet_gateway,
        subnet_configuration=[
            ec2.SubnetConfiguration(name="app", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24)
        ],
    )


def _vpc_origin_distribution(stack, vpc):
    alb = elbv2.ApplicationLoadBalancer(stack, "Alb", vpc=vpc, internet_facing=False)
    alb.add_listener("Http", port=80, default_action=elbv2.ListenerAction.fixed_response(200))
    cloudfront.Distribution(
        stack,
        "Cdn",
        default_behavior=cloudfront.BehaviorOptions(origin=origins.VpcOrigin.with_application_load_balancer(alb)),
    )
    (origin,) = [c for c in stack.node.find_all() if isinstance(c, cloudfront.CfnVpcOrigin)]
    return origin


def _attachments(vpc):
    return [c for c in vpc.node.find_all() if isinstance(c, ec2.CfnVPCGatewayAttachment)]


def d22_no_gateway(stack):
    # What aws/aws-cdk#34069 met: create_internet_gateway is ignored without public subnets.
    return _vpc_origin_distribution(stack, _private_only_vpc(stack, internet_gateway=True))


def d22_not_after_attachment(stack):
    vpc = ec2.Vpc(stack, "Vpc", availability_zones=["eu-west-1a", "eu-west-1b"], nat_gateways=0)
    return _vpc_origin_distribution(stack, vpc)


@book.case("D22Good")
def _(stack):
    vpc = ec2.Vpc(stack, "Vpc", availability_zones=["eu-west-1a", "eu-west-1b"], nat_gateways=0)
    _vpc_origin_distribution(stack, vpc).node.add_dependency(*_attachments(vpc))


@book.case("D22BadNoGateway")
def _(stack):
    d22_no_gateway(stack)


@book.case("D22BadNotAfterAttachment")
def _(stack):
    d22_not_after_attachment(stack)


@book.case("D22AckedNoGateway")
def _(stack):
    ack(d22_no_gateway(stack), f"{D22}[NoInternetGateway]")


@book.case("D22AckedNotAfterAttachment")
def _(stack):
    ack(d22_not_after_attachment(stack), f"{D22}[NotAfterAttachment]")


def test_d22_vpc_origin_after_the_attachment_is_compliant(fired):
    assert fired("D22Good", D22) == set()


def test_d22_vpc_without_an_internet_gateway_fires(fired):
    (finding,) = fired.of("D22BadNoGateway", D22)
    assert finding.rule_id == f"{D22}[NoInternetGateway]"
    assert "VpcOrigin" in finding.path


def test_d22_vpc_origin_not_waiting_for_the_attachment_fires(fired):
    assert fired("D22BadNotAfterAttachment", D22) == {f"{D22}[NotAfterAttachment]"}


def test_d22_acknowledged(fired):
    for case in ("D22AckedNoGateway", "D22AckedNotAfterAttachment"):
        assert fired(case, D22) == set()
