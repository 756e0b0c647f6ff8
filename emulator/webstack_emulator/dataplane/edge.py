"""A CloudFront edge on loopback, serving each distribution from its
configuration in moto's CloudFront backend and the emulator's policies.

Per request, in CloudFront's order:

1. **Behaviour**: the first cache behaviour whose ``PathPattern`` matches the
   path (``*``/``?`` wildcards, case-sensitive, in the configured order), else
   the default behaviour
   (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/distribution-web-values-specify.html#DownloadDistValuesPathPattern).
   A method outside its ``AllowedMethods`` is refused with 403.
2. **Default root object**: a request for ``/`` asks the origin for
   ``DefaultRootObject`` (only the root, not subdirectories;
   https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DefaultRootObject.html).
3. **Cache**: the cache key is the path plus the cache policy's headers,
   cookies and query strings and the normalized ``Accept-Encoding``
   (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/controlling-the-cache-key.html).
   GET and HEAD (and OPTIONS when cached) are cached
   (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/HTTPStatusCodes.html).
   The TTL follows the origin's ``Cache-Control``/``Expires`` within the
   policy's MinTTL/MaxTTL, DefaultTTL without them
   (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/Expiration.html#ExpirationDownloadDist).
   ``X-Cache: Hit from cloudfront`` / ``Miss from cloudfront`` /
   ``Error from cloudfront``, ``Age`` on hits.
   **Invalidations** (CreateInvalidation, as a ``BucketDeployment`` sends
   after its upload) remove every cached version of the paths they name,
   whatever the headers, cookies or encoding of the version, before the next
   request is answered; a path ending in ``*`` covers every path it prefixes;
   paths are case-sensitive; the default root object is invalidated by its own
   path (``/index.html``)
   (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/invalidation-specifying-objects.html,
   https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/Invalidation.html).
   Whether ``/`` also invalidates the root object's copy is not documented:
   here it does (the viewer's path is matched too). CloudFront takes seconds
   to minutes to finish an invalidation; moto marks it ``COMPLETED`` at once
   and this edge applies it at once.
4. **Errors**: 4xx/5xx responses CloudFront caches are kept for the custom
   error response's ``ErrorCachingMinTTL`` (10 s by default), or for the
   origin's max-age if larger; ``no-store``/``no-cache``/``private`` keep
   404, 410, 414 and 501 out of the cache
   (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/custom-error-pages-expiration.html).
   A ``ResponsePagePath`` replaces the body with that page (fetched through
   its own behaviour) and ``ResponseCode`` the status
   (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/GeneratingCustomErrorResponses.html).
5. **Origin request**: an S3 origin is read through
   :func:`webstack_emulator.origin_access.fetch` (OAC/OAI and the bucket and
   key policies evaluated; a refusal is S3's 403 XML, passed on as is). A
   custom origin (the ALB) gets the viewer headers, cookies and query strings
   of the cache key and of the origin request policy, ``Host`` = the origin's
   domain name unless a policy forwards the viewer's, ``X-Forwarded-For``,
   ``Via`` and ``X-Amz-Cf-Id``, and the origin's custom headers, which
   replace a viewer header of the same name
   (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/add-origin-custom-headers.html).
6. **Compression**: gzip when the behaviour's ``Compress`` and the cache
   policy's ``EnableAcceptEncodingGzip`` are on, the viewer accepts gzip, the
   status is 200, 403 or 404, the body is 1,000 to 10,000,000 bytes, the type
   is compressible and the origin did not encode it; the ETag becomes weak
   (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/ServingCompressedFiles.html#compressed-content-cloudfront-notes).
   **Brotli is not emulated**: Python's standard library has no Brotli
   encoder, so a viewer accepting both gets gzip (CloudFront would pick br)
   and one accepting only br gets the uncompressed object.
7. **Response headers policy**: security headers (HSTS, CSP, frame options,
   content-type options, referrer policy, XSS protection), custom headers
   and removed headers; ``Override`` decides between the policy's value and
   the origin's
   (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/understanding-response-headers-policies.html).
   Whether CloudFront adds them to the errors it generates itself (the 403
   for a method) is not documented; this edge does not.

Locally there is no TLS: ``redirect-to-https`` and ``https-only`` behaviours
are served over plain HTTP (the viewer protocol policy is not enforced), and
an ``https-only`` origin is reached over HTTP. Not emulated (loud 501):
legacy cache settings, unknown managed policies, CORS/Server-Timing response
headers, function and Lambda@Edge associations. Not modelled: serving stale
objects when the origin fails, origin groups, signed URLs, geo restriction
and WAF (no viewer location, no rule evaluation), the ``CloudFront-*``
viewer headers.
"""

from __future__ import annotations

import email.utils
import fnmatch
import gzip
import http.client
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from ..origin_access import fetch as s3_fetch
from ..providers._base import as_bool
from .http import HOP_BY_HOP, Request, Response, text
from .policies import (
    CachePolicy,
    NotEmulated,
    Parameters,
    apply_response_headers,
    cache_policy,
    origin_request_parameters,
    response_headers,
)

PARTITION = "aws"
# The source address of the edge's requests to custom origins: the loopback
# stand-in for CloudFront's origin-facing prefix list (see dataplane/alb.py).
EDGE_SOURCE_ADDRESS = "127.0.0.2"
# The source address of the edge's requests through a CloudFront VPC origin: the loopback
# stand-in for CloudFront's ENIs in the origin's VPC (see dataplane/alb.py), the only
# clients an internal load balancer answers.
VPC_ORIGIN_SOURCE_ADDRESS = "127.0.0.3"
DEFAULT_ERROR_CACHING_SECONDS = 10
# The 4xx/5xx codes CloudFront caches (HTTPStatusCodes.html#HTTPStatusCodes-cached-errors);
# 416 is listed there but never cached (custom-error-pages-expiration.html).
CACHED_ERRORS = frozenset({400, 403, 404, 405, 414, 500, 501, 502, 503, 504})
# Codes whose no-store/no-cache/private keeps them out of the cache (custom-error-pages-expiration.html).
UNCACHED_WHEN_ORIGIN_SAYS = frozenset({404, 410, 414, 501})
COMPRESSIBLE_STATUSES = frozenset({200, 403, 404})
COMPRESSIBLE_SIZE = (1_000, 10_000_000)
# ServingCompressedFiles.html#compressed-content-cloudfront-file-types (the common part of the list).
COMPRESSIBLE_TYPES = frozenset(
    {
        "application/javascript",
        "application/json",
        "application/xml",
        "application/xhtml+xml",
        "application/x-javascript",
        "image/svg+xml",
        "text/css",
        "text/csv",
        "text/html",
        "text/javascript",
        "text/plain",
        "text/xml",
    }
)
METHOD_REFUSED = (
    "This distribution is not configured to allow the HTTP request method that was used for this request. "
    "The distribution supports only cachable requests."
)
CANNOT_CONNECT = "CloudFront wasn't able to connect to the origin."
ORIGIN_TIMEOUT = "CloudFront attempted to establish a connection with the origin, but the origin did not respond."

OriginPort = Callable[[str, int], int | None]


def _error_page(status: int, reason: str) -> Response:
    """CloudFront's own error document ("The request could not be satisfied")."""
    body = (
        "<!DOCTYPE HTML><HTML><HEAD><TITLE>ERROR: The request could not be satisfied</TITLE></HEAD><BODY>\n"
        f"<H1>{status} ERROR</H1>\n<H2>The request could not be satisfied.</H2>\n<HR>\n{reason}\n</BODY></HTML>\n"
    )
    return text(status, body, ("X-Cache", "Error from cloudfront"), content_type="text/html")


def match_behaviour(config: Any, path: str) -> Any:
    """The first cache behaviour whose pattern matches, else the default one."""
    for behaviour in (getattr(config, "CacheBehaviors", None) or {}).get("Items") or []:
        pattern = str(behaviour.path_pattern).lstrip("/").replace("[", "[[]")
        if fnmatch.fnmatchcase(path.lstrip("/"), pattern):
            return behaviour
    return config.DefaultCacheBehavior


# --------------------------------------------------------------------------
# TTLs
# --------------------------------------------------------------------------
def cache_control(headers: list[tuple[str, str]]) -> dict[str, str]:
    directives: dict[str, str] = {}
    for name, value in headers:
        if name.lower() != "cache-control":
            continue
        for part in value.split(","):
            key, _, arg = part.strip().partition("=")
            if key:
                directives[key.lower()] = arg.strip().strip('"')
    return directives


def _header_seconds(headers: list[tuple[str, str]], directives: dict[str, str]) -> int | None:
    """s-maxage, else max-age, else Expires (seconds from now)."""
    for key in ("s-maxage", "max-age"):
        if key in directives:
            try:
                return max(0, int(directives[key]))
            except ValueError:
                return 0
    expires = next((v for k, v in headers if k.lower() == "expires"), None)
    if expires is None:
        return None
    try:
        when = email.utils.parsedate_to_datetime(expires).timestamp()
    except (TypeError, ValueError):
        return 0  # an invalid Expires means "already expired" (RFC 9111 section 5.3)
    return max(0, int(when - time.time()))


def object_ttl(policy: CachePolicy, headers: list[tuple[str, str]]) -> int:
    """Expiration.html: no-cache/no-store/private -> MinTTL (so not cached when
    it is 0); max-age/s-maxage/Expires clamped to [MinTTL, MaxTTL]; nothing ->
    DefaultTTL."""
    directives = cache_control(headers)
    if {"no-cache", "no-store", "private"} & directives.keys():
        return policy.min_ttl
    seconds = _header_seconds(headers, directives)
    if seconds is None:
        return policy.default_ttl
    return min(max(seconds, policy.min_ttl), policy.max_ttl)


def error_ttl(config: Any, policy: CachePolicy, status: int, headers: list[tuple[str, str]]) -> int:
    if status not in CACHED_ERRORS:
        return 0
    custom = _custom_error(config, status) or {}
    minimum = (
        int(custom["ErrorCachingMinTTL"])
        if custom.get("ErrorCachingMinTTL") is not None
        else DEFAULT_ERROR_CACHING_SECONDS
    )
    directives = cache_control(headers)
    if status in UNCACHED_WHEN_ORIGIN_SAYS and {"no-cache", "no-store", "private"} & directives.keys():
        return 0
    seconds = _header_seconds(headers, directives)
    if seconds is None:
        return minimum
    return max(min(seconds, policy.max_ttl), minimum)


def _custom_error(config: Any, status: int) -> dict[str, Any] | None:
    for item in (getattr(config, "CustomErrorResponses", None) or {}).get("Items") or []:
        if int(item["ErrorCode"]) == status:
            return dict(item)
    return None


# --------------------------------------------------------------------------
# cache keys and encodings
# --------------------------------------------------------------------------
def _cookies(request: Request) -> list[tuple[str, str]]:
    found = []
    for name, value in request.headers:
        if name.lower() == "cookie":
            for part in value.split(";"):
                key, sep, val = part.strip().partition("=")
                if sep:
                    found.append((key, val))
    return found


def _accepts(request: Request, coding: str) -> bool:
    for part in (request.header("Accept-Encoding") or "").split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() == coding:
            return params.replace(" ", "").lower() not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def negotiated_encoding(behaviour: Any, policy: CachePolicy, request: Request) -> str:
    """``gzip`` or ``""`` (Brotli is not emulated, see the module docstring)."""
    if as_bool(getattr(behaviour, "compress", False)) and policy.gzip and _accepts(request, "gzip"):
        return "gzip"
    return ""


def cache_key(path: str, policy: CachePolicy, request: Request, encoding: str) -> tuple[Any, ...]:
    key = policy.key
    headers = sorted((k.lower(), v) for k, v in key.headers.pick(request.headers))
    cookies = sorted(key.cookies.pick(_cookies(request)))
    query = sorted(key.query_strings.pick(parse_qsl(request.query, keep_blank_values=True)))
    return (path, tuple(headers), tuple(cookies), tuple(query), encoding)


def compress(response: Response, behaviour: Any, encoding: str) -> Response:
    content_type = (response.header("Content-Type") or "").split(";")[0].strip().lower()
    if (
        encoding != "gzip"
        or not as_bool(getattr(behaviour, "compress", False))
        or response.status not in COMPRESSIBLE_STATUSES
        or not COMPRESSIBLE_SIZE[0] <= len(response.body) <= COMPRESSIBLE_SIZE[1]
        or content_type not in COMPRESSIBLE_TYPES
        or response.header("Content-Encoding")
    ):
        return response
    headers = response.without("ETag")
    etag = response.header("ETag")
    if etag:
        headers.append(("ETag", etag if etag.startswith("W/") else f"W/{etag}"))
    headers.append(("Content-Encoding", "gzip"))
    return Response(response.status, headers, gzip.compress(response.body, mtime=0))


# --------------------------------------------------------------------------
# the edge
# --------------------------------------------------------------------------
@dataclass
class _Entry:
    response: Response
    stored: float
    ttl: int
    viewer_path: str


def invalidation_paths(invalidation: Any) -> list[str]:
    """moto keeps the paths as given: a list, one string, or the API's ``{"Path": ...}``."""
    paths = invalidation.paths
    if isinstance(paths, dict):
        paths = paths.get("Path", [])
    return [paths] if isinstance(paths, str) else [str(p) for p in paths or []]


def invalidated(pattern: str, *paths: str) -> bool:
    """Invalidation.html: a path, or a prefix ending in ``*`` (its only wildcard); case-sensitive."""
    if pattern.endswith("*"):
        return any(path.startswith(pattern[:-1]) for path in paths)
    return pattern in paths


@dataclass(frozen=True)
class _Viewer:
    """What one viewer request resolved to."""

    dist: Any
    behaviour: Any
    policy: CachePolicy
    encoding: str
    request_id: str


class Edge:
    """Serves every distribution of one account. ``origin_port(domain, port)``
    maps a custom origin to the loopback port of the load balancer listener
    that stands for it (None: nothing local answers that name)."""

    def __init__(self, account_id: str, origin_port: OriginPort, clock: Callable[[], float] = time.monotonic) -> None:
        self.account_id = account_id
        self.origin_port = origin_port
        self.clock = clock
        self._cache: dict[tuple[Any, ...], _Entry] = {}
        self._applied: set[str] = set()  # invalidation ids already applied to the cache
        self._lock = threading.Lock()

    # -- distributions -----------------------------------------------------
    def distributions(self) -> dict[str, Any]:
        from moto.cloudfront.models import cloudfront_backends

        return dict(cloudfront_backends[self.account_id][PARTITION].distributions)

    def apply_invalidations(self, distribution_id: str) -> None:
        """Evict what the distribution's invalidations not yet applied name."""
        from moto.cloudfront.models import cloudfront_backends

        found = list(cloudfront_backends[self.account_id][PARTITION].invalidations.get(distribution_id) or [])
        with self._lock:
            fresh = [i for i in found if i.id not in self._applied]
            for invalidation in fresh:
                patterns = invalidation_paths(invalidation)
                for key, entry in list(self._cache.items()):
                    if key[0] == distribution_id and any(invalidated(p, key[2], entry.viewer_path) for p in patterns):
                        del self._cache[key]
                self._applied.add(invalidation.id)

    def by_host(self, host: str) -> Any:
        name = host.rsplit(":", 1)[0].lower() if not host.startswith("[") else host
        for dist in self.distributions().values():
            aliases = (getattr(dist.distribution_config, "Aliases", None) or {}).get("Items") or []
            if name == dist.domain_name.lower() or name in {a.lower() for a in aliases}:
                return dist
        return None

    def handle(self, distribution_id: str, request: Request) -> Response:
        """Serve ``request`` for the distribution its Host names (its domain
        name or an alias), else for ``distribution_id``."""
        dist = self.by_host(request.header("Host") or "") or self.distributions().get(distribution_id)
        if dist is None:
            return _error_page(403, "Bad request. We can't connect to the server for this app or website at this time.")
        if not as_bool(getattr(dist.distribution_config, "Enabled", True)):
            return _error_page(403, "The distribution is disabled.")
        try:
            return self._serve(dist, request)
        except NotEmulated as exc:
            return text(501, f"{exc}\n")

    def _serve(self, dist: Any, request: Request) -> Response:
        config = dist.distribution_config
        behaviour = match_behaviour(config, request.path)
        if request.method not in behaviour.allowed_methods.items:
            return _error_page(403, METHOD_REFUSED)
        for unsupported in ("function_associations", "lambda_function_associations"):
            if (getattr(behaviour, unsupported, None) or {}).get("Quantity"):
                raise NotEmulated(f"not emulated: cache behaviour {unsupported}")
        policy = cache_policy(behaviour)
        viewer = _Viewer(dist, behaviour, policy, negotiated_encoding(behaviour, policy, request), _request_id())
        response, x_cache, age = self._cached_or_fetched(viewer, request)
        response = self._error_document(viewer, request, response)
        response = compress(response, behaviour, viewer.encoding)
        added, removed = response_headers(behaviour)
        headers = apply_response_headers(response.headers, added, removed)
        headers += [
            ("X-Cache", x_cache),
            ("Via", f"1.1 {dist.domain_name.split('.')[0]}.cloudfront.net (CloudFront)"),
            ("X-Amz-Cf-Pop", "LOCAL1"),
            ("X-Amz-Cf-Id", viewer.request_id),
        ]
        if age is not None:
            headers.append(("Age", str(age)))
        return Response(response.status, headers, response.body)

    def _cached_or_fetched(self, viewer: _Viewer, request: Request) -> tuple[Response, str, int | None]:
        config = viewer.dist.distribution_config
        origin_path = request.path
        root_object = str(getattr(config, "DefaultRootObject", None) or "")
        if request.path == "/" and root_object:
            origin_path = "/" + root_object.lstrip("/")
        cacheable = request.method in viewer.behaviour.allowed_methods.cached_methods["Items"]
        # A HEAD answer has no body: it must not be served to a GET. Whether CloudFront keeps
        # one entry for both is not documented; they are kept apart here.
        method = "HEAD" if request.method == "HEAD" else "GET"
        key = (viewer.dist.distribution_id, method, *cache_key(origin_path, viewer.policy, request, viewer.encoding))
        if cacheable:
            self.apply_invalidations(viewer.dist.distribution_id)
        now = self.clock()
        with self._lock:
            entry = self._cache.get(key) if cacheable else None
        if entry is not None and now - entry.stored < entry.ttl:
            label = "Error from cloudfront" if entry.response.status >= 400 else "Hit from cloudfront"
            return entry.response, label, int(now - entry.stored)
        response = self._from_origin(viewer, request, origin_path)
        if response.status >= 400:
            ttl = error_ttl(config, viewer.policy, response.status, response.headers)
        else:
            ttl = object_ttl(viewer.policy, response.headers)
        if cacheable and ttl > 0:
            with self._lock:
                self._cache[key] = _Entry(response, now, ttl, request.path)
        label = "Error from cloudfront" if response.status >= 400 else "Miss from cloudfront"
        return response, label, None

    def _error_document(self, viewer: _Viewer, request: Request, response: Response) -> Response:
        custom = _custom_error(viewer.dist.distribution_config, response.status)
        if not custom or not (custom.get("ResponsePagePath") or custom.get("ResponseCode")):
            return response
        status = int(custom.get("ResponseCode") or response.status)
        page_path = custom.get("ResponsePagePath")
        if not page_path:
            return Response(status, response.headers, response.body)
        page_request = Request("GET", str(page_path), "", request.headers, b"", request.client_ip)
        page_behaviour = match_behaviour(viewer.dist.distribution_config, str(page_path))
        page_viewer = _Viewer(viewer.dist, page_behaviour, cache_policy(page_behaviour), "", viewer.request_id)
        page, _, _ = self._cached_or_fetched(page_viewer, page_request)
        if page.status >= 400:
            return response  # the error page itself is missing: CloudFront returns the origin's error
        return Response(status, page.headers, page.body)

    # -- origins -----------------------------------------------------------
    def _from_origin(self, viewer: _Viewer, request: Request, origin_path: str) -> Response:
        config = viewer.dist.distribution_config
        origin = next(o for o in config.Origins["Items"] if o.id == viewer.behaviour.target_origin_id)
        if getattr(origin, "vpc_origin_id", None):
            return self._from_vpc_origin(viewer, origin, request, origin_path)
        if getattr(origin, "custom_origin_config", None) is None:
            return self._from_s3(viewer.dist, origin_path)
        return self._from_custom(viewer, origin, request, origin_path)

    def _from_s3(self, dist: Any, origin_path: str) -> Response:
        result = s3_fetch(self.account_id, dist.distribution_id, origin_path)
        if result.refused_by in ("not_s3_origin", "no-such-distribution"):
            raise NotEmulated(f"not emulated: origin of {origin_path} ({result.message})")
        if not result.allowed:
            return Response(result.status, [("Content-Type", "application/xml")], result.error_xml())
        return Response(200, [("Content-Type", result.content_type), *result.headers], result.body)

    def _from_custom(self, viewer: _Viewer, origin: Any, request: Request, origin_path: str) -> Response:
        cfg = origin.custom_origin_config
        port = int(cfg.https_port if cfg.origin_protocol_policy == "https-only" else cfg.http_port)
        local = self.origin_port(str(origin.domain_name), port)
        if local is None:
            return _error_page(502, CANNOT_CONNECT)
        timeout = float(cfg.origin_read_timeout)
        return self._send(
            viewer, origin, request, origin_path, local=local, timeout=timeout, source=EDGE_SOURCE_ADDRESS
        )

    def _from_vpc_origin(self, viewer: _Viewer, origin: Any, request: Request, origin_path: str) -> Response:
        """Through a CloudFront VPC origin: to the load balancer its ``Arn`` names, on the port its
        protocol policy picks (``https-only``: HTTPSPort, else HTTPPort; plain HTTP locally), from
        :data:`VPC_ORIGIN_SOURCE_ADDRESS` (CloudFront's ENIs in the VPC)."""
        from ..providers.cloudfront_vpc_origin import endpoint_of

        endpoint = endpoint_of(str(origin.vpc_origin_id))
        if endpoint is None:
            return _error_page(502, CANNOT_CONNECT)
        cfg = endpoint["Config"]
        https = cfg.get("OriginProtocolPolicy") == "https-only"
        port = int(cfg.get("HTTPSPort") or 443) if https else int(cfg.get("HTTPPort") or 80)
        dns = _load_balancer_dns(self.account_id, endpoint["Region"], str(cfg.get("Arn")))
        local = self.origin_port(dns, port) if dns else None
        if local is None:
            return _error_page(502, CANNOT_CONNECT)
        timeout = float(getattr(origin, "vpc_origin_read_timeout", 30))
        return self._send(
            viewer, origin, request, origin_path, local=local, timeout=timeout, source=VPC_ORIGIN_SOURCE_ADDRESS
        )

    def _send(
        self,
        viewer: _Viewer,
        origin: Any,
        request: Request,
        origin_path: str,
        *,
        local: int,
        timeout: float,
        source: str,
    ) -> Response:
        forwarded = origin_request_parameters(viewer.behaviour)
        headers, query = _origin_request(viewer, forwarded, origin, request)
        path = (str(origin.origin_path or "").rstrip("/") + origin_path) or "/"
        target = path + (f"?{query}" if query else "")
        conn = http.client.HTTPConnection("127.0.0.1", local, timeout=timeout, source_address=(source, 0))
        try:
            conn.request(request.method, target, body=request.body or None, headers=dict(headers))
            answer = conn.getresponse()
            body = answer.read()
            kept = [(k, v) for k, v in answer.getheaders() if k.lower() not in HOP_BY_HOP]
            return Response(answer.status, kept, body)
        except TimeoutError:
            return _error_page(504, ORIGIN_TIMEOUT)
        except (ConnectionError, http.client.HTTPException, OSError):
            return _error_page(502, CANNOT_CONNECT)
        finally:
            conn.close()


def _load_balancer_dns(account_id: str, region: str, arn: str) -> str | None:
    from moto.elbv2.models import elbv2_backends

    lb = elbv2_backends[account_id][region].load_balancers.get(arn)
    return str(lb.dns_name) if lb is not None else None


def _request_id() -> str:
    return uuid.uuid4().hex[:40]


def _forwarded_headers(viewer: _Viewer, forwarded: Parameters, origin: Any, request: Request) -> list[tuple[str, str]]:
    key = viewer.policy.key
    skip = HOP_BY_HOP | {"host", "cookie", "content-length", "accept-encoding"}
    headers = [
        (k, v)
        for k, v in request.headers
        if k.lower() not in skip and (key.headers.takes(k) or forwarded.headers.takes(k))
    ]
    host_forwarded = key.headers.takes("host") or forwarded.headers.takes("host")
    headers.append(("Host", (request.header("Host") or "") if host_forwarded else str(origin.domain_name)))
    cookies = [(k, v) for k, v in _cookies(request) if key.cookies.takes(k) or forwarded.cookies.takes(k)]
    if cookies:
        headers.append(("Cookie", "; ".join(f"{k}={v}" for k, v in cookies)))
    if viewer.encoding:
        headers.append(("Accept-Encoding", viewer.encoding))
    return headers


def _origin_request(
    viewer: _Viewer, forwarded: Parameters, origin: Any, request: Request
) -> tuple[list[tuple[str, str]], str]:
    """Headers and query string CloudFront sends to a custom origin."""
    key = viewer.policy.key
    headers = _forwarded_headers(viewer, forwarded, origin, request)
    pairs = parse_qsl(request.query, keep_blank_values=True)
    query = urlencode([(k, v) for k, v in pairs if key.query_strings.takes(k) or forwarded.query_strings.takes(k)])
    headers += [
        ("X-Forwarded-For", request.client_ip),
        ("Via", f"1.1 {viewer.dist.domain_name.split('.')[0]}.cloudfront.net (CloudFront)"),
        ("X-Amz-Cf-Id", viewer.request_id),
    ]
    for custom in (origin.custom_headers or {}).get("Items") or []:
        name = str(custom["HeaderName"])
        headers = [(k, v) for k, v in headers if k.lower() != name.lower()]
        headers.append((name, str(custom["HeaderValue"])))
    return headers, query
