"""CloudFront distributions: origin access to SSE-KMS buckets (D2), and the distribution helpers other rules share."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..template import TemplateView, as_list
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
