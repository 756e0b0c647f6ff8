"""CloudFront distributions: origin access to SSE-KMS buckets and a bucket grant scoped to the distribution
(D2), a VPC origin's internet gateway (D22), and the distribution helpers other rules share."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..template import Statement, TemplateView, as_list, statements
from .base import Hit, Rule, aws_cdk_issue
from .kms import allow_statements, bucket_encryption, is_kms, key_of, service_principals

BUCKET = "AWS::S3::Bucket"


def distributions(view: TemplateView) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(logical id, DistributionConfig)`` of every distribution in the stack."""
    for lid, props in view.of_type("AWS::CloudFront::Distribution"):
        yield lid, props.get("DistributionConfig") or {}


def cross_region(view: TemplateView, value: Any) -> bool:
    """``value`` comes from a ``crossRegionReferences`` strong reference (aws/aws-cdk#22842)."""
    return view.target(value, "Custom::CrossRegionExportReader") is not None


# ---------------------------------------------------------------------------
# D2 CloudFront + SSE-KMS bucket


def _cloudfront_can_decrypt(view: TemplateView, key_lid: str) -> bool:
    return any(
        any("cloudfront.amazonaws.com" in p for p in service_principals(s))
        and s.covers("kms:Decrypt")
        and s.has_condition_key("aws:SourceArn")
        for s in allow_statements(view, key_lid)
    )


def _oac_hit(view: TemplateView, bucket: str, key_ref: Any) -> Hit | None:
    """What keeps an Origin Access Control from reading ``bucket`` (encrypted with ``key_ref``)."""
    if key_ref is None or view.render(key_ref).endswith("alias/aws/s3"):
        return Hit(bucket, "AwsManagedKey", "Properties/BucketEncryption")
    key = key_of(view, key_ref)
    if key is None or _cloudfront_can_decrypt(view, key):
        return None
    return Hit(key, "KeyPolicy", "Properties/KeyPolicy")


def _origin_hit(view: TemplateView, dist: str, origin: dict[str, Any]) -> Hit | None:
    bucket = view.target(origin.get("DomainName"), BUCKET)
    if bucket is None:
        return None
    algorithm, key_ref = bucket_encryption(view, bucket)
    if not is_kms(algorithm):
        return None
    oai = (origin.get("S3OriginConfig") or {}).get("OriginAccessIdentity")
    if oai not in (None, ""):
        return Hit(dist, "OAI", "Properties/DistributionConfig/Origins")
    if origin.get("OriginAccessControlId"):
        return _oac_hit(view, bucket, key_ref)
    return None


def check_oac_for_kms_encrypted_origin(view: TemplateView) -> Iterator[Hit]:
    seen: set[tuple[str, str | None]] = set()
    for dist, config in distributions(view):
        for origin in as_list(config.get("Origins")):
            hit = _origin_hit(view, dist, origin or {})
            if hit is not None and (hit.logical_id, hit.finding) not in seen:
                seen.add((hit.logical_id, hit.finding))
                yield hit


OAC_FOR_KMS_ENCRYPTED_ORIGIN = Rule(
    name="OacForKmsEncryptedOrigin",
    pitfall="D2",
    info="A CloudFront origin cannot read its SSE-KMS bucket: an OAI is used ([OAI]), the bucket uses the "
    "AWS-managed aws/s3 key ([AwsManagedKey]), or the CMK policy lacks kms:Decrypt for cloudfront.amazonaws.com "
    "([KeyPolicy]).",
    explanation="Use Origin Access Control (S3BucketOrigin.with_origin_access_control) with a customer-managed key "
    "whose policy allows cloudfront.amazonaws.com kms:Decrypt with an AWS:SourceArn condition on the distribution "
    "(build the ARN from the distribution id to avoid a bucket->key->distribution cycle).",
    link=aws_cdk_issue(21771),
    check=check_oac_for_kms_encrypted_origin,
)


# ---------------------------------------------------------------------------
# D2 the OAC's bucket grant names the distribution that uses it

_CLOUDFRONT = "cloudfront.amazonaws.com"


def bucket_policy_statements(view: TemplateView, bucket: str) -> tuple[str | None, list[Statement]]:
    """(logical id of the bucket's AWS::S3::BucketPolicy, its statements)."""
    for lid, props in view.of_type("AWS::S3::BucketPolicy"):
        if view.target(props.get("Bucket"), BUCKET) == bucket:
            return lid, statements(props.get("PolicyDocument"), view.parameters)
    return None, []


def _cloudfront_reads(statement: Statement) -> bool:
    return statement.allows and _CLOUDFRONT in statement.rendered_principals.get("Service", [])


def _source_arn_refs(view: TemplateView, statement: Statement) -> set[str] | None:
    """Distributions the statement's AWS:SourceArn names; None without the condition."""
    values = [
        v
        for keys in (statement.raw.get("Condition") or {}).values()
        if isinstance(keys, dict)
        for k, v in keys.items()
        if k.lower() == "aws:sourcearn"
    ]
    if not values:
        return None
    return view.refs(values)


def _grant_finding(view: TemplateView, dist: str, grants: list[Statement]) -> str | None:
    if not any(s.covers("s3:GetObject") for s in grants):
        return "NoGrant"
    scopes = [_source_arn_refs(view, s) for s in grants if s.covers("s3:GetObject")]
    if any(not scope for scope in scopes):
        return "Unscoped"  # no AWS:SourceArn, or one that names no distribution of the stack (a wildcard)
    return None if any(dist in (scope or set()) for scope in scopes) else "OtherDistribution"


def _oac_origin_buckets(view: TemplateView) -> Iterator[tuple[str, str]]:
    for dist, config in distributions(view):
        for origin in as_list(config.get("Origins")):
            bucket = view.target((origin or {}).get("DomainName"), BUCKET)
            if bucket is not None and (origin or {}).get("OriginAccessControlId"):
                yield dist, bucket


def check_oac_bucket_policy_scoped_to_distribution(view: TemplateView) -> Iterator[Hit]:
    for dist, bucket in sorted(set(_oac_origin_buckets(view))):
        policy, stmts = bucket_policy_statements(view, bucket)
        finding = _grant_finding(view, dist, [s for s in stmts if _cloudfront_reads(s)])
        if finding is not None:
            yield Hit(policy or bucket, finding, "Properties/PolicyDocument" if policy else "Properties")


OAC_BUCKET_POLICY_SCOPED_TO_DISTRIBUTION = Rule(
    name="OacBucketPolicyScopedToDistribution",
    pitfall="D2",
    info="A distribution reads an S3 bucket through Origin Access Control, but the bucket policy has no Allow of "
    "s3:GetObject for cloudfront.amazonaws.com ([NoGrant]; every request is 403 AccessDenied), allows it without "
    "an AWS:SourceArn condition ([Unscoped]; any distribution of any account can read the bucket), or scopes it "
    "to another distribution only ([OtherDistribution]; this one gets 403 AccessDenied).",
    explanation="Allow cloudfront.amazonaws.com s3:GetObject on <bucket ARN>/* with StringEquals AWS:SourceArn = "
    "arn:<partition>:cloudfront::<account>:distribution/<this distribution's id> "
    "(S3BucketOrigin.with_origin_access_control writes exactly this).",
    link="https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html",
    check=check_oac_bucket_policy_scoped_to_distribution,
)


# ---------------------------------------------------------------------------
# D22 a VPC origin's VPC has an internet gateway attached, before the origin is created

_LOAD_BALANCER = "AWS::ElasticLoadBalancingV2::LoadBalancer"
_ATTACHMENT = "AWS::EC2::VPCGatewayAttachment"


def _vpc_of_load_balancer(view: TemplateView, lb: str) -> str | None:
    """Logical id of the VPC of ``lb``'s subnets, when the stack defines them."""
    props = view.props(lb)
    subnets = [s.get("SubnetId") for s in as_list(props.get("SubnetMappings")) if isinstance(s, dict)]
    subnets += as_list(props.get("Subnets"))
    for subnet in subnets:
        lid = view.target(subnet, "AWS::EC2::Subnet")
        vpc = view.target(view.props(lid).get("VpcId"), "AWS::EC2::VPC") if lid else None
        if vpc is not None:
            return vpc
    return None


def _internet_gateway_attachments(view: TemplateView, vpc: str) -> set[str]:
    return {
        lid
        for lid, props in view.of_type(_ATTACHMENT)
        if view.target(props.get("VpcId")) == vpc and props.get("InternetGatewayId") is not None
    }


def _depends_on(view: TemplateView, start: str) -> set[str]:
    """Every resource ``start`` waits for: its references and DependsOn, transitively."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        resource = view.resources.get(todo.pop()) or {}
        direct = view.refs(resource.get("Properties") or {}) | {
            d for d in as_list(resource.get("DependsOn")) if isinstance(d, str) and d in view.resources
        }
        todo += list(direct - seen)
        seen |= direct
    return seen


def check_internet_gateway_attached_for_vpc_origin(view: TemplateView) -> Iterator[Hit]:
    for lid, props in view.of_type("AWS::CloudFront::VpcOrigin"):
        lb = view.target((props.get("VpcOriginEndpointConfig") or {}).get("Arn"), _LOAD_BALANCER)
        vpc = _vpc_of_load_balancer(view, lb) if lb else None
        if vpc is None:
            continue  # the target or its VPC comes from outside the stack: nothing to judge here
        attachments = _internet_gateway_attachments(view, vpc)
        if not attachments:
            yield Hit(lid, "NoInternetGateway", "Properties/VpcOriginEndpointConfig")
        elif not attachments & _depends_on(view, lid):
            yield Hit(lid, "NotAfterAttachment", "DependsOn")


INTERNET_GATEWAY_ATTACHED_FOR_VPC_ORIGIN = Rule(
    name="InternetGatewayAttachedForVpcOrigin",
    pitfall="D22",
    info="A CloudFront VPC origin targets a load balancer whose VPC has no internet gateway attached "
    "([NoInternetGateway]; a VPC origin's VPC must have one, even when every subnet is private), or the origin "
    "does not wait for the gateway's attachment ([NotAfterAttachment]; an internal load balancer does not, so "
    "CloudFormation may create the origin first, and delete the attachment before it).",
    explanation="Keep an internet gateway attached to the VPC (CDK's Vpc creates one with public subnets; "
    "create_internet_gateway for private-only VPCs, aws/aws-cdk#34069) and make the VpcOrigin depend on the "
    "AWS::EC2::VPCGatewayAttachment (node.add_dependency).",
    link="https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-vpc-origins.html",
    check=check_internet_gateway_attached_for_vpc_origin,
)
