"""CloudFront (missing in moto's CloudFormation).

``AWS::CloudFront::Distribution``: the CloudFormation ``DistributionConfig``
(plain lists, ``AcmCertificateArn``...) is translated to the CloudFront API
shape (``Items``/``Quantity``, ``ACMCertificateArn``...) and created through
moto's CloudFront backend, so ``get_distribution_config`` returns origins
(with their ``OriginAccessControlId``), behaviours with cache/response-headers
policy ids, aliases, viewer certificate, logging, WAF web ACL, price class,
HTTP version, error responses and geo restrictions. Ref = distribution id;
GetAtt DomainName, Id. An origin's ``VpcOriginConfig`` must name a VPC origin
that exists (:mod:`.cloudfront_vpc_origin`); moto's origin model drops it,
so its ``VpcOriginId`` is kept on the origin as ``vpc_origin_id`` (what the
in-use check and the data plane read).

``AWS::CloudFront::OriginAccessControl``: moto's ``create_origin_access_control``
(``get_origin_access_control`` works). Ref/GetAtt Id.

``AWS::CloudFront::CachePolicy`` / ``OriginRequestPolicy`` /
``ResponseHeadersPolicy``: moto 5.2.5 has no API for these at all, so the
provider keeps the configuration in :data:`POLICIES` (id -> type, config)
and hands out ids that distributions reference. boto3's ``get_cache_policy``
and friends are *not* served (known gap). Ref/GetAtt Id, LastModifiedTime.
"""

from __future__ import annotations

import uuid
from typing import Any

from moto.cloudfront.models import cloudfront_backends, random_id
from moto.core.common_models import CloudFormationModel
from moto.core.utils import utcnow

from ..facts import CLOUDFRONT_REGION
from . import on_reset
from ._base import PARTITION, Provider, ProviderError, tags_list
from .service_rules.cloudfront import check_distribution, grant_log_delivery

# id -> {"Type": cfn type, "Config": the template's *Config block}
POLICIES: dict[str, dict[str, Any]] = {}


@on_reset
def _reset_policies() -> None:
    POLICIES.clear()


def _backend(account_id: str) -> Any:
    return cloudfront_backends[account_id][PARTITION]


def _items(values: list[Any] | None) -> dict[str, Any]:
    values = list(values or [])
    return {"Quantity": len(values), "Items": values} if values else {"Quantity": 0}


def _methods(allowed: list[str] | None, cached: list[str] | None) -> dict[str, Any]:
    allowed = allowed or ["GET", "HEAD"]
    cached = cached or ["GET", "HEAD"]
    return {"Items": allowed, "Quantity": len(allowed), "CachedMethods": {"Items": cached, "Quantity": len(cached)}}


def _behaviour(cb: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "TargetOriginId": cb["TargetOriginId"],
        "ViewerProtocolPolicy": cb["ViewerProtocolPolicy"],
        "AllowedMethods": _methods(cb.get("AllowedMethods"), cb.get("CachedMethods")),
        "Compress": cb.get("Compress", False),
        "SmoothStreaming": cb.get("SmoothStreaming", False),
    }
    for key in (
        "CachePolicyId",
        "OriginRequestPolicyId",
        "ResponseHeadersPolicyId",
        "RealtimeLogConfigArn",
        "FieldLevelEncryptionId",
        "PathPattern",
    ):
        if cb.get(key):
            out[key] = cb[key]
    if cb.get("ForwardedValues"):
        fv = dict(cb["ForwardedValues"])
        fv["QueryString"] = bool(fv.get("QueryString", False))
        if "Headers" in fv:
            fv["Headers"] = _items(fv["Headers"])
        if "QueryStringCacheKeys" in fv:
            fv["QueryStringCacheKeys"] = _items(fv["QueryStringCacheKeys"])
        out["ForwardedValues"] = fv
    for key in ("MinTTL", "DefaultTTL", "MaxTTL"):
        if cb.get(key) is not None:
            out[key] = cb[key]
    if not cb.get("CachePolicyId") and not cb.get("ForwardedValues"):
        raise ProviderError("a cache behavior needs CachePolicyId or ForwardedValues")
    return out


def _origin(o: dict[str, Any]) -> dict[str, Any]:
    origin: dict[str, Any] = {"Id": o["Id"], "DomainName": o["DomainName"]}
    if o.get("OriginPath"):
        origin["OriginPath"] = o["OriginPath"]
    if "S3OriginConfig" in o:
        origin["S3OriginConfig"] = {"OriginAccessIdentity": (o["S3OriginConfig"] or {}).get("OriginAccessIdentity", "")}
    if "CustomOriginConfig" in o:
        c = o["CustomOriginConfig"]
        origin["CustomOriginConfig"] = {
            "HTTPPort": c.get("HTTPPort", 80),
            "HTTPSPort": c.get("HTTPSPort", 443),
            "OriginProtocolPolicy": c["OriginProtocolPolicy"],
            "OriginReadTimeout": c.get("OriginReadTimeout", 30),
            "OriginKeepaliveTimeout": c.get("OriginKeepaliveTimeout", 5),
            "OriginSslProtocols": _items(c.get("OriginSSLProtocols") or ["TLSv1.2"]),
        }
    if o.get("OriginCustomHeaders"):
        origin["CustomHeaders"] = _items(
            [{"HeaderName": h["HeaderName"], "HeaderValue": h["HeaderValue"]} for h in o["OriginCustomHeaders"]]
        )
    if o.get("OriginShield"):
        origin["OriginShield"] = o["OriginShield"]
    for key in ("ConnectionAttempts", "ConnectionTimeout"):
        if o.get(key) is not None:
            origin[key] = o[key]
    return origin


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _error_response(e: dict[str, Any]) -> dict[str, Any]:
    return _without_none(
        {
            "ErrorCode": e["ErrorCode"],
            "ResponsePagePath": e.get("ResponsePagePath"),
            "ResponseCode": str(e["ResponseCode"]) if e.get("ResponseCode") is not None else None,
            "ErrorCachingMinTTL": e.get("ErrorCachingMinTTL"),
        }
    )


def _logging(log: dict[str, Any]) -> dict[str, Any]:
    return {
        "Enabled": True,
        "Bucket": log.get("Bucket", ""),
        "Prefix": log.get("Prefix", ""),
        "IncludeCookies": bool(log.get("IncludeCookies", False)),
    }


def _viewer_certificate(vc: dict[str, Any]) -> dict[str, Any]:
    return _without_none(
        {
            "CloudFrontDefaultCertificate": bool(vc.get("CloudFrontDefaultCertificate", False)),
            "ACMCertificateArn": vc.get("AcmCertificateArn"),
            "IAMCertificateId": vc.get("IamCertificateId"),
            "SSLSupportMethod": vc.get("SslSupportMethod"),
            "MinimumProtocolVersion": vc.get("MinimumProtocolVersion"),
        }
    )


def _optional_sections(cfg: dict[str, Any]) -> dict[str, Any]:
    """The API sections a DistributionConfig may leave out."""
    api: dict[str, Any] = {}
    if cfg.get("Aliases"):
        api["Aliases"] = {"Items": list(cfg["Aliases"])}
    if cfg.get("CacheBehaviors"):
        api["CacheBehaviors"] = _items([_behaviour(cb) for cb in cfg["CacheBehaviors"]])
    if cfg.get("CustomErrorResponses"):
        api["CustomErrorResponses"] = _items([_error_response(e) for e in cfg["CustomErrorResponses"]])
    if cfg.get("Logging"):
        api["Logging"] = _logging(cfg["Logging"])
    if cfg.get("ViewerCertificate"):
        api["ViewerCertificate"] = _viewer_certificate(cfg["ViewerCertificate"])
    geo = (cfg.get("Restrictions") or {}).get("GeoRestriction")
    if geo:
        api["Restrictions"] = {
            "GeoRestriction": {"RestrictionType": geo["RestrictionType"], "Items": list(geo.get("Locations") or [])}
        }
    return api


def distribution_config_to_api(cfg: dict[str, Any], caller_reference: str) -> dict[str, Any]:
    origins = [_origin(o) for o in cfg.get("Origins") or []]
    if not origins:
        raise ProviderError("DistributionConfig.Origins is required")
    api: dict[str, Any] = {
        "CallerReference": caller_reference,
        "Origins": {"Quantity": len(origins), "Items": origins},
        "DefaultCacheBehavior": _behaviour(cfg["DefaultCacheBehavior"]),
        "Comment": cfg.get("Comment", ""),
        "Enabled": bool(cfg.get("Enabled", True)),
        "PriceClass": cfg.get("PriceClass", "PriceClass_All"),
        "HttpVersion": cfg.get("HttpVersion", "http1.1"),
        "IsIPV6Enabled": bool(cfg.get("IPV6Enabled", False)),
        "DefaultRootObject": cfg.get("DefaultRootObject", ""),
        "WebACLId": cfg.get("WebACLId", ""),
    }
    api.update(_optional_sections(cfg))
    return api


def _check_edge_constraints(cfg: dict[str, Any]) -> None:
    """What CloudFront itself rejects (pitfalls D3, D4)."""
    cert = (cfg.get("ViewerCertificate") or {}).get("AcmCertificateArn")
    if cert and cert.split(":")[3] != CLOUDFRONT_REGION:
        raise ProviderError(
            f"The specified SSL certificate doesn't exist, isn't in {CLOUDFRONT_REGION} region, isn't valid, "
            f"or doesn't include a valid certificate chain ({cert})"
        )
    acl = cfg.get("WebACLId")
    if acl and acl.startswith("arn:") and ":global/webacl/" not in acl:
        raise ProviderError(f"WebACLId must be a CLOUDFRONT-scoped web ACL ({CLOUDFRONT_REGION}, global): {acl}")


def _attach_oac(dist: Any, cfg: dict[str, Any]) -> None:
    """moto's Origin model drops OriginAccessControlId and VpcOriginConfig; put them back."""
    by_id = {o["Id"]: o for o in cfg.get("Origins") or []}
    for origin in dist.distribution_config.Origins["Items"]:
        template_origin = by_id.get(origin.id, {})
        origin.origin_access_control_id = template_origin.get("OriginAccessControlId", "")
        vpc = template_origin.get("VpcOriginConfig") or {}
        origin.vpc_origin_id = vpc.get("VpcOriginId")
        origin.vpc_origin_read_timeout = int(vpc.get("OriginReadTimeout") or 30)
        if vpc:  # served by GetDistributionConfig as the API's VpcOriginConfig
            origin.vpc_origin_config = {
                "VpcOriginId": vpc.get("VpcOriginId"),
                "OriginReadTimeout": origin.vpc_origin_read_timeout,
                "OriginKeepaliveTimeout": int(vpc.get("OriginKeepaliveTimeout") or 5),
            }


def _check_vpc_origins(cfg: dict[str, Any]) -> None:
    """Every VpcOriginConfig names a VPC origin that exists. CloudFront's text for a missing one is not
    documented: the message is the emulator's (EntityNotFound is the API's error for a missing entity,
    https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CreateDistribution.html)."""
    from .cloudfront_vpc_origin import VPC_ORIGINS

    for origin in cfg.get("Origins") or []:
        vpc = origin.get("VpcOriginConfig")
        if vpc is None:
            continue
        if vpc.get("VpcOriginId") not in VPC_ORIGINS:
            raise ProviderError(
                f"EntityNotFound: VPC origin {vpc.get('VpcOriginId')!r} of origin {origin['Id']} does not exist"
            )
        if "CustomOriginConfig" in origin or "S3OriginConfig" in origin:
            raise ProviderError(
                f"origin {origin['Id']}: VpcOriginConfig cannot be combined with CustomOriginConfig or S3OriginConfig"
            )


class Distribution(Provider, CloudFormationModel):
    TYPE = "AWS::CloudFront::Distribution"
    ATTRIBUTES = ("DomainName", "Id")

    def create(self, props: dict[str, Any]) -> str:
        cfg = props["DistributionConfig"]
        for policy_id in self._policy_ids(cfg):
            if policy_id not in POLICIES and not _is_managed_policy(policy_id):
                raise ProviderError(f"policy {policy_id} does not exist")
        _check_edge_constraints(cfg)
        _check_vpc_origins(cfg)
        check_distribution(self.account_id, cfg)
        api = distribution_config_to_api(cfg, caller_reference=random_id())
        dist, _, _ = _backend(self.account_id).create_distribution_with_tags(api, tags_list(props))
        _attach_oac(dist, cfg)
        grant_log_delivery(self.account_id, cfg)
        self.attributes = {"DomainName": dist.domain_name, "Id": dist.distribution_id}
        return dist.distribution_id

    @staticmethod
    def _policy_ids(cfg: dict[str, Any]) -> list[str]:
        ids = []
        for cb in [cfg.get("DefaultCacheBehavior") or {}, *(cfg.get("CacheBehaviors") or [])]:
            for key in ("CachePolicyId", "OriginRequestPolicyId", "ResponseHeadersPolicyId"):
                if cb.get(key):
                    ids.append(cb[key])
        return ids

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        _check_edge_constraints(new["DistributionConfig"])
        _check_vpc_origins(new["DistributionConfig"])
        check_distribution(self.account_id, new["DistributionConfig"])
        backend = _backend(self.account_id)
        dist, etag = backend.get_distribution(self.physical_id)
        api = distribution_config_to_api(new["DistributionConfig"], dist.distribution_config.caller_reference)
        dist, _, _ = backend.update_distribution(api, self.physical_id, etag)
        _attach_oac(dist, new["DistributionConfig"])
        grant_log_delivery(self.account_id, new["DistributionConfig"])

    def delete_resource(self) -> None:
        backend = _backend(self.account_id)
        try:
            _, etag = backend.get_distribution(self.physical_id)
            backend.delete_distribution(self.physical_id, etag)
        except Exception:
            pass


# AWS-managed policies have fixed, documented ids; CDK references them
# (e.g. CachePolicy.CACHING_OPTIMIZED = 658327ea-f89d-4fab-a63d-7e88639e58f6).
def _is_managed_policy(policy_id: str) -> bool:
    return len(policy_id) == 36 and policy_id.count("-") == 4


class OriginAccessControl(Provider, CloudFormationModel):
    TYPE = "AWS::CloudFront::OriginAccessControl"
    ATTRIBUTES = ("Id",)

    def create(self, props: dict[str, Any]) -> str:
        oac = _backend(self.account_id).create_origin_access_control(dict(props["OriginAccessControlConfig"]))
        self.attributes = {"Id": oac.id}
        return oac.id

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        _backend(self.account_id).update_origin_access_control(self.physical_id, dict(new["OriginAccessControlConfig"]))

    def delete_resource(self) -> None:
        _backend(self.account_id).origin_access_controls.pop(self.physical_id, None)


class _PolicyBase(Provider):
    ATTRIBUTES = ("Id", "LastModifiedTime")
    CONFIG_KEY = ""

    def create(self, props: dict[str, Any]) -> str:
        config = props[self.CONFIG_KEY]
        name = config.get("Name")
        for other in POLICIES.values():
            if other["Type"] == self.TYPE and other["Config"].get("Name") == name:
                raise ProviderError(f"{self.TYPE} named {name} already exists")
        policy_id = str(uuid.uuid4())
        POLICIES[policy_id] = {"Type": self.TYPE, "Config": config, "LastModifiedTime": utcnow().isoformat()}
        self.attributes = {"Id": policy_id, "LastModifiedTime": POLICIES[policy_id]["LastModifiedTime"]}
        return policy_id

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        POLICIES[self.physical_id] = {
            "Type": self.TYPE,
            "Config": new[self.CONFIG_KEY],
            "LastModifiedTime": utcnow().isoformat(),
        }
        self.attributes["LastModifiedTime"] = POLICIES[self.physical_id]["LastModifiedTime"]

    def delete_resource(self) -> None:
        POLICIES.pop(self.physical_id, None)


class CachePolicy(_PolicyBase, CloudFormationModel):
    TYPE = "AWS::CloudFront::CachePolicy"
    CONFIG_KEY = "CachePolicyConfig"


class OriginRequestPolicy(_PolicyBase, CloudFormationModel):
    TYPE = "AWS::CloudFront::OriginRequestPolicy"
    CONFIG_KEY = "OriginRequestPolicyConfig"


class ResponseHeadersPolicy(_PolicyBase, CloudFormationModel):
    TYPE = "AWS::CloudFront::ResponseHeadersPolicy"
    CONFIG_KEY = "ResponseHeadersPolicyConfig"
