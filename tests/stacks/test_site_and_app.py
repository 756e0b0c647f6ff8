"""What the web stack ships: the origin application (user data + asset) and the static site
(two bucket deployments, cached by kind, pages invalidated)."""

from __future__ import annotations

import json
import re

import pytest

from tests.synth import only, ref_id
from webstack.constructs.site_deployment import page_paths


def _user_data(synth) -> str:
    """The launch template's script, with the asset URL's Fn::Sub written out."""
    (_, template) = only(synth.web.find_resources("AWS::EC2::LaunchTemplate"))
    body = template["Properties"]["LaunchTemplateData"]["UserData"]["Fn::Base64"]
    parts = body["Fn::Join"][1] if isinstance(body, dict) else [body]
    return "".join(p if isinstance(p, str) else p.get("Fn::Sub", json.dumps(p)) for p in parts)


def _target_group(synth) -> dict:
    return only(synth.web.find_resources("AWS::ElasticLoadBalancingV2::TargetGroup"))[1]["Properties"]


def _role_statements(synth, prefix: str) -> list[dict]:
    roles = synth.web.find_resources("AWS::IAM::Role")
    role_id = next(k for k in roles if k.startswith(prefix))
    return [
        s
        for p in synth.web.find_resources("AWS::IAM::Policy").values()
        if any(ref_id(r) == role_id for r in p["Properties"]["Roles"])
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]


def test_instances_download_the_app_asset_and_may_read_only_that_object(each_env):
    script = _user_data(each_env)
    (url,) = re.findall(r"aws s3 cp '(s3://[^']+)'", script)
    bucket, key = url.removeprefix("s3://").split("/", 1)
    assert bucket.startswith("cdk-hnb659fds-assets-") and re.fullmatch(r"[0-9a-f]{64}\.zip", key), url
    assert f"WEBSTACK_APP_BUILD={key.removesuffix('.zip')}" in script
    # CDK merges statements with the same actions: look at each resource of the reads
    readable = [
        json.dumps(resource)
        for s in _role_statements(each_env, "WebTierInstanceRole")
        if "s3:GetObject" in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
        for resource in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])
    ]
    in_assets_bucket = [r for r in readable if "cdk-hnb659fds-assets-" in r]
    assert any(r.endswith(f'/{key}"]]}}') for r in in_assets_bucket), in_assets_bucket
    assert not any('/*"' in r for r in in_assets_bucket), "not every object of the assets bucket"


def test_app_runs_unprivileged_on_the_target_port_and_answers_the_health_path(each_env):
    script = _user_data(each_env)
    group = _target_group(each_env)
    assert "DynamicUser=yes" in script and "NoNewPrivileges=yes" in script
    assert "AmbientCapabilities=CAP_NET_BIND_SERVICE" in script
    assert "ExecStart=/usr/bin/python3 -m webstack_app" in script
    assert f"WEBSTACK_APP_PORT={group['Port']}" in script
    assert f"http://127.0.0.1:{group['Port']}{group['HealthCheckPath']}" in script
    assert "systemctl enable --now webstack-app.service" in script
    # nothing fetched from the internet at boot (the OS repositories aside): no pip, no download but the bundle
    assert not re.search(r"\bpip3?\b|\bnginx\b", script)
    fetched = re.findall(r"\b(?:curl|wget)\b[^\n]*?(https?://[^\s\"']+)", script)
    # the app's own health path, and the instance metadata service (the signal step reads its instance id)
    assert all(url.startswith(("http://127.0.0.1:", "http://169.254.169.254/")) for url in fetched), fetched


def _deployments(synth) -> dict[str, dict]:
    found = synth.web.find_resources("Custom::CDKBucketDeployment")
    return {name: props["Properties"] for name, props in found.items()}


def _one(synth, prefix: str) -> tuple[str, dict]:
    return only({k: v for k, v in _deployments(synth).items() if k.startswith(prefix)})


def test_hashed_assets_are_immutable_and_kept_across_deployments(each_env):
    _, assets = _one(each_env, "SiteAssets")
    days = each_env.config.cdn.immutable_ttl_days
    assert assets["SystemMetadata"] == {"cache-control": f"public, max-age={days * 86400}, immutable"}
    assert assets["DestinationBucketKeyPrefix"] == "assets/"
    assert assets["Prune"] is False, "pages cached for html_ttl_seconds still load the previous build's files"
    assert "DistributionId" not in assets, "a changed file has a new name: nothing to invalidate"
    assert ref_id(assets["DestinationBucketName"]).startswith("StorageContent")


def test_pages_are_short_lived_pruned_without_the_assets_and_invalidated(each_env):
    name, pages = _one(each_env, "SitePages")
    assets_name, _ = _one(each_env, "SiteAssets")
    ttl = each_env.config.cdn.html_ttl_seconds
    assert pages["SystemMetadata"] == {"cache-control": f"public, max-age={ttl}"}
    assert pages["Prune"] is True and pages["Exclude"] == ["assets/*"]
    assert "DestinationBucketKeyPrefix" not in pages
    assert ref_id(pages["DistributionId"]).startswith("CdnDistribution")
    assert pages["DistributionPaths"] == page_paths(each_env.config.site.folder)
    assert set(pages["DistributionPaths"]) >= {"/", "/index.html"}
    depends = each_env.web.find_resources("Custom::CDKBucketDeployment")[name].get("DependsOn", [])
    assert assets_name in depends, "pages deploy after the files they load"


def test_html_ttl_matches_the_default_behaviours_cache_policy(each_env):
    """The objects' max-age and the CDN's TTL say the same: a deploy shows within html_ttl_seconds."""
    policies = each_env.web.find_resources("AWS::CloudFront::CachePolicy")
    html = next(p for k, p in policies.items() if k.startswith("CdnHtmlCache"))
    default_ttl = html["Properties"]["CachePolicyConfig"]["DefaultTTL"]
    _, pages = _one(each_env, "SitePages")
    assert pages["SystemMetadata"]["cache-control"] == f"public, max-age={default_ttl}"


def test_deployment_handler_memory_and_encrypted_log_group(each_env):
    functions = each_env.web.find_resources("AWS::Lambda::Function")
    (handler,) = [f["Properties"] for k, f in functions.items() if k.startswith("CustomCDKBucketDeployment")]
    assert handler["MemorySize"] == each_env.config.site.deployment_memory_mb
    group_id = ref_id(handler["LoggingConfig"]["LogGroup"])
    group = each_env.web.find_resources("AWS::Logs::LogGroup")[group_id]["Properties"]
    assert ref_id(group["KmsKeyId"]).startswith("KeysTelemetryKey")
    assert group["RetentionInDays"] == each_env.config.log_retention_days


@pytest.mark.parametrize("statement_action", ["s3:PutObject", "kms:GenerateDataKey*"])
def test_deployment_handler_may_write_the_content_bucket_with_its_key(dev, statement_action):
    statements = _role_statements(dev, "CustomCDKBucketDeployment")
    writers = [s for s in statements if statement_action in s["Action"]]
    assert writers, statements
    targets = json.dumps([s["Resource"] for s in writers])
    assert "StorageContent" in targets or "KeysDataKey" in targets
