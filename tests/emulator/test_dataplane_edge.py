"""The local edge serves a deployed distribution as CloudFront would: behaviour
precedence, default root object, cache policies (TTL, key, X-Cache/Age),
error caching, compression and response headers policies
(webstack_emulator/dataplane/edge.py)."""

from __future__ import annotations

import gzip
import json
import threading
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from webstack_emulator.dataplane import DataPlane
from webstack_emulator.dataplane.edge import Edge
from webstack_emulator.dataplane.http import Request

ACCOUNT = "123456789012"
ALL_VIEWER = "216adef6-5c7f-47e4-b989-5492eafa07d3"
CSP = "default-src 'self'; script-src 'self'"
BIG_HTML = b"<!doctype html><title>webstack</title>" + b"<p>hello edge</p>" * 200


def _cache_policy(name, min_ttl, default_ttl, max_ttl, *, query=None):
    qs = {"QueryStringBehavior": "whitelist", "QueryStrings": query} if query else {"QueryStringBehavior": "none"}
    return {
        "Type": "AWS::CloudFront::CachePolicy",
        "Properties": {
            "CachePolicyConfig": {
                "Name": f"{name}-{uuid.uuid4().hex[:6]}",
                "MinTTL": min_ttl,
                "DefaultTTL": default_ttl,
                "MaxTTL": max_ttl,
                "ParametersInCacheKeyAndForwardedToOrigin": {
                    "EnableAcceptEncodingGzip": True,
                    "EnableAcceptEncodingBrotli": True,
                    "HeadersConfig": {"HeaderBehavior": "none"},
                    "CookiesConfig": {"CookieBehavior": "none"},
                    "QueryStringsConfig": qs,
                },
            }
        },
    }


def _headers_policy(name, custom=()):
    return {
        "Type": "AWS::CloudFront::ResponseHeadersPolicy",
        "Properties": {
            "ResponseHeadersPolicyConfig": {
                "Name": f"{name}-{uuid.uuid4().hex[:6]}",
                "SecurityHeadersConfig": {
                    "StrictTransportSecurity": {
                        "AccessControlMaxAgeSec": 63072000,
                        "IncludeSubdomains": True,
                        "Preload": True,
                        "Override": True,
                    },
                    "ContentTypeOptions": {"Override": True},
                    "FrameOptions": {"FrameOption": "DENY", "Override": True},
                    "ReferrerPolicy": {"ReferrerPolicy": "strict-origin-when-cross-origin", "Override": True},
                    "ContentSecurityPolicy": {"ContentSecurityPolicy": CSP, "Override": True},
                },
                "CustomHeadersConfig": {"Items": list(custom)},
            }
        },
    }


def _behaviour(policy, headers, **extra):
    return {
        "TargetOriginId": "content",
        "ViewerProtocolPolicy": "redirect-to-https",
        "CachePolicyId": {"Ref": policy},
        "ResponseHeadersPolicyId": {"Ref": headers},
        "Compress": True,
        **extra,
    }


def site(*, scoped_to="Cdn", error_ttl=30):
    """A private bucket read through OAC by distribution ``Cdn``: pages cached
    60 s (max 600), ``/assets/*`` a day whatever the origin says, ``/assets/live/*``
    (listed *after* it) never reached, 404s cached ``error_ttl`` s."""
    return {
        "Content": {"Type": "AWS::S3::Bucket", "Properties": {}},
        "Oac": {
            "Type": "AWS::CloudFront::OriginAccessControl",
            "Properties": {
                "OriginAccessControlConfig": {
                    "Name": f"oac-{uuid.uuid4().hex[:8]}",
                    "OriginAccessControlOriginType": "s3",
                    "SigningBehavior": "always",
                    "SigningProtocol": "sigv4",
                }
            },
        },
        "Pages": _cache_policy("pages", 0, 60, 600, query=["v"]),
        "Immutable": _cache_policy("immutable", 86400, 86400, 86400),
        "Security": _headers_policy("security"),
        "ImmutableHeaders": _headers_policy(
            "immutable", [{"Header": "Cache-Control", "Value": "public, max-age=31536000, immutable", "Override": True}]
        ),
        "Cdn": {
            "Type": "AWS::CloudFront::Distribution",
            "Properties": {
                "DistributionConfig": {
                    "Enabled": True,
                    "DefaultRootObject": "index.html",
                    "Origins": [
                        {
                            "Id": "content",
                            "DomainName": {"Fn::GetAtt": ["Content", "RegionalDomainName"]},
                            "S3OriginConfig": {"OriginAccessIdentity": ""},
                            "OriginAccessControlId": {"Fn::GetAtt": ["Oac", "Id"]},
                        }
                    ],
                    "DefaultCacheBehavior": _behaviour("Pages", "Security"),
                    "CacheBehaviors": [
                        _behaviour("Immutable", "ImmutableHeaders", PathPattern="/assets/*"),
                        _behaviour("Pages", "Security", PathPattern="/assets/live/*"),
                    ],
                    "CustomErrorResponses": [{"ErrorCode": 404, "ErrorCachingMinTTL": error_ttl}],
                }
            },
        },
        "Other": {
            "Type": "AWS::CloudFront::Distribution",
            "Properties": {
                "DistributionConfig": {
                    "Enabled": True,
                    "Origins": [
                        {
                            "Id": "content",
                            "DomainName": {"Fn::GetAtt": ["Content", "RegionalDomainName"]},
                            "S3OriginConfig": {"OriginAccessIdentity": ""},
                            "OriginAccessControlId": {"Fn::GetAtt": ["Oac", "Id"]},
                        }
                    ],
                    "DefaultCacheBehavior": _behaviour("Pages", "Security"),
                }
            },
        },
        "ContentPolicy": {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {
                "Bucket": {"Ref": "Content"},
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "cloudfront.amazonaws.com"},
                            "Action": ["s3:GetObject", "s3:ListBucket"],
                            "Resource": [{"Fn::GetAtt": ["Content", "Arn"]}, {"Fn::Sub": "${Content.Arn}/*"}],
                            "Condition": {
                                "StringEquals": {
                                    "AWS:SourceArn": {
                                        "Fn::Sub": "arn:aws:cloudfront::${AWS::AccountId}:distribution/${"
                                        + scoped_to
                                        + "}"
                                    }
                                }
                            },
                        }
                    ],
                },
            },
        },
    }


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def stack(deploy, aws):
    deployed = deploy(site())
    s3 = aws("s3")
    bucket = deployed.resources["Content"]
    s3.put_object(Bucket=bucket, Key="index.html", Body=BIG_HTML, ContentType="text/html")
    s3.put_object(Bucket=bucket, Key="page.html", Body=b"v1", ContentType="text/html", CacheControl="max-age=5")
    s3.put_object(Bucket=bucket, Key="assets/app.js", Body=b"js1", ContentType="application/javascript")
    s3.put_object(Bucket=bucket, Key="assets/live/feed.json", Body=b"{}", ContentType="application/json")
    return deployed


def _get(edge, dist, path, *, query="", headers=()):
    return edge.handle(dist, Request("GET", path, query, list(headers)))


def test_default_root_object_and_security_headers(stack, clock):
    edge = Edge(ACCOUNT, lambda *_: None, clock)
    got = _get(edge, stack.resources["Cdn"], "/")
    assert (got.status, got.body) == (200, BIG_HTML)
    assert got.header("Strict-Transport-Security") == "max-age=63072000; includeSubDomains; preload"
    assert got.header("Content-Security-Policy") == CSP
    assert got.header("X-Frame-Options") == "DENY"
    assert got.header("X-Content-Type-Options") == "nosniff"
    assert got.header("Referrer-Policy") == "strict-origin-when-cross-origin"
    assert got.header("X-Cache") == "Miss from cloudfront"


def test_ttl_follows_origin_max_age_within_the_policy_and_hits_carry_age(stack, aws, clock):
    edge = Edge(ACCOUNT, lambda *_: None, clock)
    dist, bucket = stack.resources["Cdn"], stack.resources["Content"]
    assert _get(edge, dist, "/page.html").header("X-Cache") == "Miss from cloudfront"
    aws("s3").put_object(Bucket=bucket, Key="page.html", Body=b"v2", ContentType="text/html")
    clock.now += 3
    hit = _get(edge, dist, "/page.html")
    assert (hit.body, hit.header("X-Cache"), hit.header("Age")) == (b"v1", "Hit from cloudfront", "3")
    clock.now += 3  # past the origin's max-age=5 (MinTTL 0 lets it be shorter than DefaultTTL 60)
    fresh = _get(edge, dist, "/page.html")
    assert (fresh.body, fresh.header("X-Cache")) == (b"v2", "Miss from cloudfront")


def test_an_invalidation_evicts_every_cached_version_of_its_paths_and_only_those(stack, aws, clock):
    edge = Edge(ACCOUNT, lambda *_: None, clock)
    dist, bucket = stack.resources["Cdn"], stack.resources["Content"]
    for path, query, headers in [
        ("/page.html", "", ()),
        ("/page.html", "v=1", (("Accept-Encoding", "gzip"),)),
        ("/", "", ()),
        ("/assets/app.js", "", ()),
        ("/assets/live/feed.json", "", ()),
    ]:
        _get(edge, dist, path, query=query, headers=headers)
    for key, body in [("page.html", b"v2"), ("index.html", b"new root"), ("assets/app.js", b"js2")]:
        aws("s3").put_object(Bucket=bucket, Key=key, Body=body, ContentType="text/html")
    assert _get(edge, dist, "/page.html").body == b"v1"  # cached: the new object is not served

    def invalidate(*paths):
        aws("cloudfront").create_invalidation(
            DistributionId=dist,
            InvalidationBatch={"Paths": {"Quantity": len(paths), "Items": list(paths)}, "CallerReference": str(paths)},
        )

    invalidate("/page.html", "/index.html")
    for query, headers in [("", ()), ("v=1", (("Accept-Encoding", "gzip"),))]:
        fresh = _get(edge, dist, "/page.html", query=query, headers=headers)
        assert (fresh.body, fresh.header("X-Cache")) == (b"v2", "Miss from cloudfront")
    assert _get(edge, dist, "/").body == b"new root"  # the default root object, by its own path
    assert _get(edge, dist, "/assets/app.js").header("X-Cache") == "Hit from cloudfront"  # not named
    invalidate("/assets/*")
    assert _get(edge, dist, "/assets/app.js").body == b"js2"
    assert _get(edge, dist, "/assets/live/feed.json").header("X-Cache") == "Miss from cloudfront"


def test_cache_key_holds_the_policy_query_strings_only(stack, clock):
    edge = Edge(ACCOUNT, lambda *_: None, clock)
    dist = stack.resources["Cdn"]
    _get(edge, dist, "/page.html", query="v=1&utm=a")
    assert _get(edge, dist, "/page.html", query="v=1&utm=b").header("X-Cache") == "Hit from cloudfront"
    assert _get(edge, dist, "/page.html", query="v=2").header("X-Cache") == "Miss from cloudfront"


def test_behaviours_match_in_order_and_min_ttl_overrides_the_origin(stack, aws, clock):
    edge = Edge(ACCOUNT, lambda *_: None, clock)
    dist, bucket = stack.resources["Cdn"], stack.resources["Content"]
    first = _get(edge, dist, "/assets/live/feed.json")
    # /assets/* is listed first, so it wins over /assets/live/*: immutable headers, a day's TTL.
    assert first.header("Cache-Control") == "public, max-age=31536000, immutable"
    aws("s3").put_object(Bucket=bucket, Key="assets/app.js", Body=b"js2", CacheControl="no-cache")
    _get(edge, dist, "/assets/app.js")
    aws("s3").put_object(Bucket=bucket, Key="assets/app.js", Body=b"js3")
    clock.now += 3600
    assert _get(edge, dist, "/assets/app.js").body == b"js2"  # MinTTL 86400 beats no-cache
    page = _get(edge, dist, "/page.html")
    assert page.header("Cache-Control") == "max-age=5"  # the default behaviour passes the origin's header


def test_not_found_is_cached_for_error_caching_min_ttl(stack, aws, clock):
    edge = Edge(ACCOUNT, lambda *_: None, clock)
    dist, bucket = stack.resources["Cdn"], stack.resources["Content"]
    assert _get(edge, dist, "/late.html").status == 404
    aws("s3").put_object(Bucket=bucket, Key="late.html", Body=b"here now", ContentType="text/html")
    clock.now += 29
    still = _get(edge, dist, "/late.html")
    assert (still.status, still.header("X-Cache")) == (404, "Error from cloudfront")
    clock.now += 2
    assert _get(edge, dist, "/late.html").status == 200


def test_custom_error_response_serves_its_page_with_its_code(deploy, aws, clock):
    resources = site()
    resources["Cdn"]["Properties"]["DistributionConfig"]["CustomErrorResponses"] = [
        {"ErrorCode": 404, "ResponsePagePath": "/index.html", "ResponseCode": 200, "ErrorCachingMinTTL": 5}
    ]
    deployed = deploy(resources)
    aws("s3").put_object(Bucket=deployed.resources["Content"], Key="index.html", Body=b"app shell")
    got = _get(Edge(ACCOUNT, lambda *_: None, clock), deployed.resources["Cdn"], "/some/route")
    assert (got.status, got.body) == (200, b"app shell")


def test_gzip_when_the_viewer_accepts_it_and_only_then(stack, clock):
    edge = Edge(ACCOUNT, lambda *_: None, clock)
    dist = stack.resources["Cdn"]
    zipped = _get(edge, dist, "/index.html", headers=[("Accept-Encoding", "gzip, br")])
    assert zipped.header("Content-Encoding") == "gzip"
    assert gzip.decompress(zipped.body) == BIG_HTML
    assert zipped.header("ETag").startswith("W/")
    plain = _get(edge, dist, "/index.html", headers=[("Accept-Encoding", "identity")])
    assert (plain.header("Content-Encoding"), plain.body) == (None, BIG_HTML)
    small = _get(edge, dist, "/page.html", headers=[("Accept-Encoding", "gzip")])
    assert small.header("Content-Encoding") is None  # under 1,000 bytes


def test_bucket_policy_for_another_distribution_gives_s3s_403(deploy, aws, clock):
    deployed = deploy(site(scoped_to="Other"))
    aws("s3").put_object(Bucket=deployed.resources["Content"], Key="index.html", Body=b"x")
    edge = Edge(ACCOUNT, lambda *_: None, clock)
    refused = _get(edge, deployed.resources["Cdn"], "/")
    assert refused.status == 403 and b"<Code>AccessDenied</Code>" in refused.body
    assert _get(edge, deployed.resources["Other"], "/index.html").status == 200


def test_data_plane_serves_each_distribution_on_its_own_port_and_by_host(stack, emulator):
    plane = DataPlane(ACCOUNT).start()
    try:
        urls = {d["id"]: d for d in plane.describe()["distributions"]}
        cdn, other = urls[stack.resources["Cdn"]], urls[stack.resources["Other"]]
        with urllib.request.urlopen(cdn["url"], timeout=10) as resp:
            assert resp.status == 200 and resp.read() == BIG_HTML
            assert resp.headers["X-Frame-Options"] == "DENY"
        # Host = the other distribution's domain name on this port: that one answers, and the bucket
        # policy admits only Cdn, so S3 refuses it.
        req = urllib.request.Request(cdn["url"], headers={"Host": other["domain_name"]})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(req, timeout=10)
        assert refused.value.code == 403
    finally:
        plane.stop()


class _Origin(BaseHTTPRequestHandler):
    """A custom origin: GET answers a body (``/headers``: the request headers as JSON),
    HEAD the same headers without it."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.startswith("/headers"):
            body = json.dumps({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}}).encode()
        else:
            body = b"from the custom origin"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(body)

    do_HEAD = do_GET


@pytest.fixture
def custom_origin():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Origin)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def _custom_site(deploy, origin_request_policy=None):
    resources = site()
    config = resources["Cdn"]["Properties"]["DistributionConfig"]
    config["Origins"] = [
        {
            "Id": "content",
            "DomainName": "origin.example.com",
            "CustomOriginConfig": {"OriginProtocolPolicy": "http-only", "HTTPPort": 80},
            "OriginCustomHeaders": [{"HeaderName": "X-Origin-Verify", "HeaderValue": "the-secret"}],
        }
    ]
    config["DefaultCacheBehavior"]["AllowedMethods"] = ["GET", "HEAD"]
    if origin_request_policy:
        config["DefaultCacheBehavior"]["OriginRequestPolicyId"] = origin_request_policy
    return deploy(resources).resources["Cdn"]


def _edge_to(port, clock):
    return Edge(ACCOUNT, lambda domain, p: port if (domain, p) == ("origin.example.com", 80) else None, clock)


def test_only_the_policies_viewer_values_and_the_origins_own_headers_reach_a_custom_origin(
    deploy, clock, custom_origin
):
    edge = _edge_to(custom_origin, clock)
    viewer = [("X-Viewer", "v"), ("Cookie", "session=abc"), ("X-Origin-Verify", "forged"), ("Host", "example.org")]
    plain = json.loads(_get(edge, _custom_site(deploy), "/headers", query="v=1&utm=x", headers=viewer).body)
    # The cache policy keys on query string v only; no origin request policy: nothing else of the viewer's.
    assert plain["path"] == "/headers?v=1"
    assert "x-viewer" not in plain["headers"] and "cookie" not in plain["headers"]
    assert plain["headers"]["host"] == "origin.example.com"
    assert plain["headers"]["x-origin-verify"] == "the-secret"  # the origin's header replaces the viewer's
    everything = json.loads(
        _get(edge, _custom_site(deploy, ALL_VIEWER), "/headers", query="v=1&utm=x", headers=viewer).body
    )
    assert everything["path"] == "/headers?v=1&utm=x"
    assert (everything["headers"]["x-viewer"], everything["headers"]["cookie"]) == ("v", "session=abc")
    assert everything["headers"]["host"] == "example.org"  # AllViewer forwards the viewer's Host
    assert everything["headers"]["x-origin-verify"] == "the-secret"


def test_a_head_answer_is_not_served_to_a_get(deploy, clock, custom_origin):
    edge = _edge_to(custom_origin, clock)
    dist = _custom_site(deploy)
    assert edge.handle(dist, Request("HEAD", "/page.txt")).status == 200
    got = _get(edge, dist, "/page.txt")
    assert (got.status, got.body) == (200, b"from the custom origin")
