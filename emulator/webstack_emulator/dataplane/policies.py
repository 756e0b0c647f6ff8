"""CloudFront's cache, origin request and response headers policies, as the
edge applies them to a request.

A behaviour names its policies by id: either one the template created
(``providers.cloudfront.POLICIES``, the CloudFormation ``*Config`` block as
written) or an AWS-managed one, whose settings AWS publishes:

* cache: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html
* origin request: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-origin-request-policies.html
* response headers: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-response-headers-policies.html

Only the managed policies listed below are known here; any other managed id
fails the request loudly (``not emulated``) instead of guessing its settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..providers._base import as_bool
from ..providers.cloudfront import POLICIES


class NotEmulated(Exception):
    """A distribution setting the local edge does not model."""


def _cache(min_ttl: int, default_ttl: int, max_ttl: int, *, compress: bool) -> dict[str, Any]:
    return {
        "MinTTL": min_ttl,
        "DefaultTTL": default_ttl,
        "MaxTTL": max_ttl,
        "ParametersInCacheKeyAndForwardedToOrigin": {
            "EnableAcceptEncodingGzip": compress,
            "EnableAcceptEncodingBrotli": compress,
            "HeadersConfig": {"HeaderBehavior": "none"},
            "CookiesConfig": {"CookieBehavior": "none"},
            "QueryStringsConfig": {"QueryStringBehavior": "none"},
        },
    }


MANAGED_CACHE_POLICIES: dict[str, dict[str, Any]] = {
    # CachingOptimized: TTL 1 s / 1 day / 1 year, nothing in the key, gzip and Brotli.
    "658327ea-f89d-4fab-a63d-7e88639e58f6": _cache(1, 86400, 31536000, compress=True),
    # CachingOptimizedForUncompressedObjects: the same without the encodings.
    "b2884449-e4de-46a7-ac36-70bc7f1ddd6d": _cache(1, 86400, 31536000, compress=False),
    # CachingDisabled: every TTL 0, so nothing is cached.
    "4135ea2d-6df8-44a3-9df3-4b5a84be39ad": _cache(0, 0, 0, compress=False),
}

MANAGED_ORIGIN_REQUEST_POLICIES: dict[str, dict[str, Any]] = {
    # AllViewer: every header, cookie and query string of the viewer request.
    "216adef6-5c7f-47e4-b989-5492eafa07d3": {
        "HeadersConfig": {"HeaderBehavior": "allViewer"},
        "CookiesConfig": {"CookieBehavior": "all"},
        "QueryStringsConfig": {"QueryStringBehavior": "all"},
    },
    # AllViewerExceptHostHeader: all viewer headers but Host (the origin gets
    # its own domain name as Host), all cookies and query strings. Its
    # CloudFront-* headers (CloudFront-Viewer-Country...) are not generated
    # locally.
    "b689b0a8-53d0-40ab-baf2-68738e2966ac": {
        "HeadersConfig": {"HeaderBehavior": "allExcept", "Headers": ["host"]},
        "CookiesConfig": {"CookieBehavior": "all"},
        "QueryStringsConfig": {"QueryStringBehavior": "all"},
    },
    # CORS-S3Origin: the three CORS request headers only.
    "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf": {
        "HeadersConfig": {
            "HeaderBehavior": "whitelist",
            "Headers": ["origin", "access-control-request-headers", "access-control-request-method"],
        },
        "CookiesConfig": {"CookieBehavior": "none"},
        "QueryStringsConfig": {"QueryStringBehavior": "none"},
    },
}

MANAGED_RESPONSE_HEADERS_POLICIES: dict[str, dict[str, Any]] = {
    # SecurityHeadersPolicy: origin headers win (Override false everywhere).
    "67f7725c-6f97-4210-82d7-5512b31e9d03": {
        "SecurityHeadersConfig": {
            "StrictTransportSecurity": {"AccessControlMaxAgeSec": 31536000, "Override": False},
            "ContentTypeOptions": {"Override": False},
            "FrameOptions": {"FrameOption": "SAMEORIGIN", "Override": False},
            "ReferrerPolicy": {"ReferrerPolicy": "strict-origin-when-cross-origin", "Override": False},
            "XSSProtection": {"Protection": True, "ModeBlock": True, "Override": False},
        }
    },
}

_KINDS = {
    "cache": ("AWS::CloudFront::CachePolicy", MANAGED_CACHE_POLICIES),
    "origin request": ("AWS::CloudFront::OriginRequestPolicy", MANAGED_ORIGIN_REQUEST_POLICIES),
    "response headers": ("AWS::CloudFront::ResponseHeadersPolicy", MANAGED_RESPONSE_HEADERS_POLICIES),
}


def policy_config(kind: str, policy_id: str | None) -> dict[str, Any] | None:
    """The policy's configuration (CloudFormation shape), None when the behaviour names none."""
    if not policy_id:
        return None
    cfn_type, managed = _KINDS[kind]
    stored = POLICIES.get(policy_id)
    if stored is not None and stored["Type"] == cfn_type:
        return dict(stored["Config"])
    if policy_id in managed:
        return managed[policy_id]
    raise NotEmulated(
        f"not emulated: {kind} policy {policy_id} (neither created by a template nor a known managed one)"
    )


# --------------------------------------------------------------------------
# selecting headers, cookies and query strings
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Selection:
    """Which names of one kind (headers, cookies or query strings) a policy takes."""

    behaviour: str = "none"
    names: frozenset[str] = field(default_factory=frozenset)
    case_sensitive: bool = False

    def _norm(self, name: str) -> str:
        return name if self.case_sensitive else name.lower()

    def takes(self, name: str) -> bool:
        key = self._norm(name)
        if self.behaviour in ("all", "allViewer", "allViewerAndWhitelistCloudFront"):
            return True
        if self.behaviour == "allExcept":
            return key not in self.names
        if self.behaviour == "whitelist":
            return key in self.names
        return False

    def pick(self, pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [(k, v) for k, v in pairs if self.takes(k)]


def _selection(block: dict[str, Any] | None, behaviour_key: str, names_key: str, *, case_sensitive: bool) -> Selection:
    block = block or {}
    names = block.get(names_key) or []
    if isinstance(names, dict):  # the API shape {"Items": [...]}
        names = names.get("Items") or []
    fold = (lambda n: n) if case_sensitive else str.lower
    return Selection(str(block.get(behaviour_key) or "none"), frozenset(fold(str(n)) for n in names), case_sensitive)


@dataclass(frozen=True)
class Parameters:
    """Headers, cookies and query strings of a cache key or of an origin request
    (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/controlling-the-cache-key.html,
    https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/controlling-origin-requests.html).
    Header names are case-insensitive; cookie and query-string names are
    case-sensitive."""

    headers: Selection = Selection()
    cookies: Selection = Selection(case_sensitive=True)
    query_strings: Selection = Selection(case_sensitive=True)

    @classmethod
    def of(cls, block: dict[str, Any] | None) -> Parameters:
        block = block or {}
        return cls(
            _selection(block.get("HeadersConfig"), "HeaderBehavior", "Headers", case_sensitive=False),
            _selection(block.get("CookiesConfig"), "CookieBehavior", "Cookies", case_sensitive=True),
            _selection(block.get("QueryStringsConfig"), "QueryStringBehavior", "QueryStrings", case_sensitive=True),
        )


def _seconds(config: dict[str, Any], key: str, default: int) -> int:
    """A TTL; CloudFormation's defaults (DefaultTTL 86400, MaxTTL 31536000) when absent
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-cloudfront-cachepolicy-cachepolicyconfig.html)."""
    value = config.get(key)
    return default if value is None else int(value)


@dataclass(frozen=True)
class CachePolicy:
    min_ttl: int
    default_ttl: int
    max_ttl: int
    gzip: bool
    brotli: bool
    key: Parameters

    @classmethod
    def of(cls, config: dict[str, Any]) -> CachePolicy:
        params = config.get("ParametersInCacheKeyAndForwardedToOrigin") or {}
        return cls(
            _seconds(config, "MinTTL", 0),
            _seconds(config, "DefaultTTL", 86400),
            _seconds(config, "MaxTTL", 31536000),
            as_bool(params.get("EnableAcceptEncodingGzip")),
            as_bool(params.get("EnableAcceptEncodingBrotli")),
            Parameters.of(params),
        )


def cache_policy(behaviour: Any) -> CachePolicy:
    config = policy_config("cache", getattr(behaviour, "cache_policy_id", ""))
    if config is None:
        # Legacy ForwardedValues/MinTTL behaviours.
        raise NotEmulated("not emulated: a cache behaviour without a cache policy (legacy cache settings)")
    return CachePolicy.of(config)


def origin_request_parameters(behaviour: Any) -> Parameters:
    return Parameters.of(policy_config("origin request", getattr(behaviour, "origin_request_policy_id", "")))


# --------------------------------------------------------------------------
# response headers policies
# https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/understanding-response-headers-policies.html
# --------------------------------------------------------------------------
def _hsts(c: dict[str, Any]) -> str:
    value = f"max-age={int(c['AccessControlMaxAgeSec'])}"
    if as_bool(c.get("IncludeSubdomains")):
        value += "; includeSubDomains"
    if as_bool(c.get("Preload")):
        value += "; preload"
    return value


def _xss(c: dict[str, Any]) -> str:
    if not as_bool(c.get("Protection")):
        return "0"
    value = "1"
    if as_bool(c.get("ModeBlock")):
        value += "; mode=block"
    if c.get("ReportUri"):
        value += f"; report={c['ReportUri']}"
    return value


_SECURITY = (
    ("StrictTransportSecurity", "Strict-Transport-Security", _hsts),
    ("ContentTypeOptions", "X-Content-Type-Options", lambda c: "nosniff"),
    ("FrameOptions", "X-Frame-Options", lambda c: str(c["FrameOption"])),
    ("ReferrerPolicy", "Referrer-Policy", lambda c: str(c["ReferrerPolicy"])),
    ("ContentSecurityPolicy", "Content-Security-Policy", lambda c: str(c["ContentSecurityPolicy"])),
    ("XSSProtection", "X-XSS-Protection", _xss),
)


def response_headers(behaviour: Any) -> tuple[list[tuple[str, str, bool]], list[str]]:
    """(headers to add as (name, value, override), header names to remove) of
    the behaviour's response headers policy. CORS and Server-Timing settings
    are not emulated and fail loudly."""
    config = policy_config("response headers", getattr(behaviour, "response_headers_policy_id", ""))
    if config is None:
        return [], []
    for unsupported in ("CorsConfig", "ServerTimingHeadersConfig"):
        if config.get(unsupported) and as_bool(config[unsupported].get("Enabled", True)):
            raise NotEmulated(f"not emulated: response headers policy {unsupported}")
    added: list[tuple[str, str, bool]] = []
    security = config.get("SecurityHeadersConfig") or {}
    for key, name, render in _SECURITY:
        if security.get(key):
            added.append((name, render(security[key]), as_bool(security[key].get("Override"))))
    custom = (config.get("CustomHeadersConfig") or {}).get("Items") or []
    added += [(str(h["Header"]), str(h["Value"]), as_bool(h.get("Override"))) for h in custom]
    removed = [str(h["Header"]) for h in (config.get("RemoveHeadersConfig") or {}).get("Items") or []]
    return added, removed


def apply_response_headers(
    headers: list[tuple[str, str]], added: list[tuple[str, str, bool]], removed: list[str]
) -> list[tuple[str, str]]:
    """Override true: the policy's value replaces the origin's; false: the
    origin's header, when it has one, is kept
    (understanding-response-headers-policies.html, "Override origin")."""
    gone = {r.lower() for r in removed}
    out = [(k, v) for k, v in headers if k.lower() not in gone]
    for name, value, override in added:
        present = any(k.lower() == name.lower() for k, _ in out)
        if present and not override:
            continue
        out = [(k, v) for k, v in out if k.lower() != name.lower()]
        out.append((name, value))
    return out
