"""Stack topology: which stacks exist, where, in which order."""

from __future__ import annotations

import json

from aws_cdk.assertions import Match


def test_stacks_regions_and_order(each_env):
    web, edge = each_env.stacks.web, each_env.stacks.edge_monitoring
    env = each_env.config.name
    assert web.stack_name == f"webstack-{env}-web"
    assert edge.stack_name == f"webstack-{env}-edge-monitoring"
    assert web.region == each_env.config.region
    # CloudFront metrics exist only in us-east-1 (D5).
    assert edge.region == "us-east-1"
    assert web in edge.dependencies


def test_termination_protection_follows_config(each_env):
    expected = each_env.config.deletion_protection
    assert each_env.stacks.web.termination_protection is expected
    assert each_env.stacks.edge_monitoring.termination_protection is expected


def test_distribution_id_crosses_regions_as_weak_reference(each_env):
    """No strong cross-region export that would block later changes (D3)."""
    alarms = each_env.edge_monitoring.find_resources("AWS::CloudWatch::Alarm")
    dims = json.dumps([a["Properties"]["Dimensions"] for a in alarms.values()])
    assert "Fn::GetStackOutput" in dims
    assert "Fn::ImportValue" not in json.dumps(each_env.edge_monitoring.to_json())
    assert not each_env.web.find_resources("Custom::CrossRegionExportWriter")


def test_no_dummy_zones_or_unresolved_lookups(each_env):
    for template in each_env.templates().values():
        text = json.dumps(template.to_json())
        assert "dummy1" not in text
        assert "Fn::GetAZs" not in text


def test_tags_on_resources(dev):
    dev.web.has_resource_properties(
        "AWS::EC2::VPC",
        {"Tags": Match.array_with([{"Key": "Environment", "Value": "dev"}, {"Key": "Project", "Value": "webstack"}])},
    )
