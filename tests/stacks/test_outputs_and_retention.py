"""Outputs users rely on, no secrets in them (F6); retention per environment (F4)."""

from __future__ import annotations

import json

import pytest

STATEFUL = (
    "AWS::KMS::Key",
    "AWS::S3::Bucket",
    "AWS::SecretsManager::Secret",
    "AWS::Logs::LogGroup",
)


def test_required_outputs(each_env):
    outputs = each_env.web.to_json()["Outputs"]
    for key in ("S3BucketName", "CloudFrontDomainName", "LoadBalancerDNS", "CloudFrontDistributionId", "SiteUrl"):
        assert key in outputs, key
    assert outputs["S3BucketName"]["Value"]["Ref"].startswith("StorageContent")
    assert outputs["CloudFrontDomainName"]["Value"]["Fn::GetAtt"][1] == "DomainName"
    assert outputs["LoadBalancerDNS"]["Value"]["Fn::GetAtt"][1] == "DNSName"


def test_output_keys_unique_across_stacks(each_env):
    keys = [k for t in each_env.templates().values() for k in t.to_json().get("Outputs", {})]
    assert len(keys) == len(set(keys))


def test_no_secret_in_any_output(each_env):
    for template in each_env.templates().values():
        resources = template.to_json()["Resources"]
        secret_ids = {k for k, r in resources.items() if r["Type"].startswith("AWS::SecretsManager::")}
        for key, output in template.to_json().get("Outputs", {}).items():
            text = json.dumps(output["Value"])
            assert not any(secret_id in text for secret_id in secret_ids), key
            assert "resolve:secretsmanager" not in text, key
            assert "secret" not in key.lower() and "password" not in key.lower(), key


def test_prod_never_deletes_data(prod):
    for template in prod.templates().values():
        for logical_id, resource in template.to_json()["Resources"].items():
            if resource["Type"] in STATEFUL:
                assert resource["DeletionPolicy"] == "Retain", logical_id
        assert not template.find_resources("Custom::S3AutoDeleteObjects")
        # No RemovalPolicy.DESTROY reaches a prod template for anything holding data.
        text = json.dumps({k: r for k, r in template.to_json()["Resources"].items() if r["Type"] in STATEFUL})
        assert '"DeletionPolicy": "Delete"' not in text


def test_dev_is_disposable(dev):
    resources = dev.web.to_json()["Resources"]
    for logical_id, resource in resources.items():
        if resource["Type"] in STATEFUL:
            assert resource["DeletionPolicy"] == "Delete", logical_id
    buckets = dev.web.find_resources("AWS::S3::Bucket")
    auto_delete = dev.web.find_resources("Custom::S3AutoDeleteObjects")
    assert len(auto_delete) == len(buckets)


@pytest.mark.parametrize("env_name", ["dev", "staging", "prod"])
def test_alb_deletion_protection_follows_config(synth, env_name):
    env = synth(env_name)
    text = json.dumps(env.web.find_resources("AWS::ElasticLoadBalancingV2::LoadBalancer"))
    assert f'"deletion_protection.enabled", "Value": "{str(env.config.deletion_protection).lower()}"' in text
