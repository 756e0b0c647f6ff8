"""OriginApp and SiteDeployment alone, in a fresh Stack per option."""

from __future__ import annotations

import json
from pathlib import Path

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_ec2 as ec2

from tests.constructs.conftest import bucket_in, fresh_stack, key_in, props_of, resources
from webstack.config import CdnTuning
from webstack.constructs.origin_app import OriginApp
from webstack.constructs.site_deployment import MAX_LISTED_PATHS, SiteDeployment, page_paths


def _app_folder(root: Path, greeting: str) -> Path:
    package = root / "webstack_app"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "__main__.py").write_text(f"print({greeting!r})\n")
    return root


def _user_data(stack: Stack) -> str:
    (data,) = [p["LaunchTemplateData"]["UserData"] for p in props_of(resources(stack, "AWS::EC2::LaunchTemplate"))]
    return json.dumps(data)


def _launch_template_with(folder: Path) -> str:
    stack = fresh_stack()
    app = OriginApp(stack, "App", folder=folder, port=80, health_path="/api/health")
    ec2.LaunchTemplate(stack, "Lt", user_data=app.user_data)
    return _user_data(stack)


def test_a_changed_app_is_a_changed_launch_template(tmp_path: Path):
    """The bundle's hash is in the user data: a new app version is a new launch template version."""
    first = _launch_template_with(_app_folder(tmp_path / "one", "v1"))
    same = _launch_template_with(_app_folder(tmp_path / "two", "v1"))
    changed = _launch_template_with(_app_folder(tmp_path / "three", "v2"))
    assert first == same, "the same content gives the same user data, wherever the folder is"
    assert first != changed


def test_byte_code_does_not_change_the_bundle(tmp_path: Path):
    clean = _launch_template_with(_app_folder(tmp_path / "clean", "v1"))
    littered = _app_folder(tmp_path / "littered", "v1")
    (littered / "webstack_app" / "__pycache__").mkdir()
    (littered / "webstack_app" / "__pycache__" / "__main__.cpython-39.pyc").write_bytes(b"\x00")
    assert _launch_template_with(littered) == clean


def _site(root: Path, pages: list[str]) -> Path:
    (root / "assets").mkdir(parents=True)
    (root / "assets" / "app.0123abcd.js").write_text("1")
    for page in pages:
        (root / page).parent.mkdir(parents=True, exist_ok=True)
        (root / page).write_text("<p>")
    return root


def test_page_paths_name_pages_and_their_folders_never_assets(tmp_path: Path):
    site = _site(tmp_path, ["index.html", "docs/index.html", "docs/a b.html"])
    assert page_paths(site) == ["/docs/a%20b.html", "/docs/index.html", "/docs/", "/index.html", "/"]


def test_many_pages_are_one_wildcard(tmp_path: Path):
    site = _site(tmp_path, [f"p{i}.html" for i in range(MAX_LISTED_PATHS + 1)])
    assert page_paths(site) == ["/*"]


def _deployed(tmp_path: Path, tuning: CdnTuning) -> Stack:
    stack = fresh_stack()
    bucket = bucket_in(stack, "Content")
    distribution = cloudfront.Distribution(
        stack,
        "Dist",
        default_behavior=cloudfront.BehaviorOptions(origin=origins.S3BucketOrigin.with_origin_access_control(bucket)),
    )
    SiteDeployment(
        stack,
        "Site",
        folder=_site(tmp_path, ["index.html"]),
        bucket=bucket,
        distribution=distribution,
        tuning=tuning,
        memory_limit_mib=1024,
        log_key=key_in(stack),
        log_retention_days=14,
        removal_policy=RemovalPolicy.DESTROY,
    )
    return stack


def test_cache_control_follows_the_cdn_tuning(tmp_path: Path):
    stack = _deployed(tmp_path, CdnTuning(immutable_ttl_days=30, html_ttl_seconds=300))
    metadata = sorted(
        p["SystemMetadata"]["cache-control"] for p in props_of(resources(stack, "Custom::CDKBucketDeployment"))
    )
    assert metadata == ["public, max-age=2592000, immutable", "public, max-age=300"]
    (handler,) = [
        p for k, p in resources(stack, "AWS::Lambda::Function").items() if k.startswith("CustomCDKBucketDeployment")
    ]
    assert handler["Properties"]["MemorySize"] == 1024
