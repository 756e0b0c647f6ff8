"""The architecture diagram: drawn from the templates, and the committed one is current."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from webstack_tools.diagram import DOCS, StackTemplate, build_dot, build_graph, stacks_of, title_for

COMMITTED_DOT = DOCS / "architecture-prod.dot"

DISTRIBUTION = "AWS::CloudFront::Distribution"
BUCKET = "AWS::S3::Bucket"
ALB = "AWS::ElasticLoadBalancingV2::LoadBalancer"
TARGET_GROUP = "AWS::ElasticLoadBalancingV2::TargetGroup"
ASG = "AWS::AutoScaling::AutoScalingGroup"


@pytest.fixture(scope="module")
def prod_stacks(prod) -> list[StackTemplate]:
    # The session's prod app is already synthesized; app.synth() returns the cached assembly.
    return stacks_of(prod.stacks.web.node.root.synth())


@pytest.fixture(scope="module")
def graph(prod_stacks):
    return build_graph(prod_stacks, title_for("prod"))


def _origin_of(graph, stack: str, template: dict, path_pattern: str | None):
    """The node a distribution behaviour sends traffic to, read from the template."""
    dist_id, dist = next((k, r) for k, r in template["Resources"].items() if r["Type"] == DISTRIBUTION)
    cfg = dist["Properties"]["DistributionConfig"]
    if path_pattern is None:
        origin_id = cfg["DefaultCacheBehavior"]["TargetOriginId"]
    else:
        origin_id = next(b["TargetOriginId"] for b in cfg["CacheBehaviors"] if b["PathPattern"] == path_pattern)
    domain = next(o["DomainName"] for o in cfg["Origins"] if o["Id"] == origin_id)
    return graph.node_for(stack, domain["Fn::GetAtt"][0])


def test_every_stack_is_a_cluster_inside_its_region(graph, prod_stacks):
    for s in prod_stacks:
        stack_cluster = graph.clusters[f"cluster_stack_{s.name.replace('-', '_')}"]
        assert graph.clusters[stack_cluster.parent].label == f"Region {s.region}"


def test_traffic_path(graph, prod):
    web = prod.stacks.web.stack_name
    template = prod.web.to_json()
    cdn = graph.node_of_type(DISTRIBUTION)
    content = _origin_of(graph, web, template, None)
    alb = _origin_of(graph, web, template, "/api/*")
    assert content.type == BUCKET and alb.type == ALB

    assert graph.has_edge("viewer", cdn, "traffic")
    assert graph.has_edge(cdn, content, "traffic")
    assert "via OAC" in graph.edges_between(cdn.id, content.id)[0].label
    assert graph.has_edge(cdn, alb, "traffic")
    assert "/api/*" in graph.edges_between(cdn.id, alb.id)[0].label
    target_group = graph.node_of_type(TARGET_GROUP)
    asg = graph.node_of_type(ASG)
    assert graph.has_edge(alb, target_group, "traffic")
    assert graph.has_edge(target_group, asg, "traffic")


def test_vpc_tiers(graph):
    alb, asg = graph.node_of_type(ALB), graph.node_of_type(ASG)
    alb_tier, asg_tier = graph.clusters_containing(alb)[-1], graph.clusters_containing(asg)[-1]
    assert alb_tier.label.startswith("Public subnets (0.0.0.0/0 → internet gateway)")
    assert asg_tier.label.startswith("App subnets · private with egress")
    assert alb_tier.parent == asg_tier.parent and graph.clusters[alb_tier.parent].style["kind"] == "vpc"
    nat = graph.node_of_type("AWS::EC2::NatGateway")
    assert graph.clusters_containing(nat)[-1] == alb_tier
    assert len(nat.logical_ids) == 3, "prod runs one NAT gateway per zone, drawn as one node"
    launch_template = graph.node_of_type("AWS::EC2::LaunchTemplate")
    assert graph.clusters_containing(launch_template)[-1] == asg_tier
    # The distribution is global: in its stack, outside the VPC.
    cdn = graph.node_of_type(DISTRIBUTION)
    assert not any(c.style["kind"] == "vpc" for c in graph.clusters_containing(cdn))


def test_encryption_alerting_and_logging_edges(graph, prod):
    web = prod.stacks.web.stack_name
    template = prod.web.to_json()
    content = _origin_of(graph, web, template, None)
    content_key = template["Resources"][content.logical_ids[0]]["Properties"]["BucketEncryption"][
        "ServerSideEncryptionConfiguration"
    ][0]["ServerSideEncryptionByDefault"]["KMSMasterKeyID"]["Fn::GetAtt"][0]
    assert graph.has_edge(graph.node_for(web, content_key), content, "encryption")
    launch_template = graph.node_of_type("AWS::EC2::LaunchTemplate")
    assert graph.has_edge(graph.node_for(web, content_key), launch_template, "encryption")

    for alarm in graph.nodes_of_type("AWS::CloudWatch::Alarm"):
        assert any(e.src == alarm.id and e.kind == "alerting" for e in graph.edges), alarm.id

    logging = {(graph.nodes[e.src].type, graph.nodes[e.dst].type) for e in graph.edges if e.kind == "logging"}
    assert {
        (BUCKET, BUCKET),
        (DISTRIBUTION, BUCKET),
        (ALB, BUCKET),
        ("AWS::EC2::FlowLog", "AWS::Logs::LogGroup"),
    } <= logging


def test_cloudfront_alarm_lives_in_us_east_1_and_crosses_stacks(graph):
    cdn = graph.node_of_type(DISTRIBUTION)
    cloudfront_alarms = [e for e in graph.edges if e.src == cdn.id and e.kind == "metrics"]
    assert cloudfront_alarms, "no alarm watches the distribution"
    for e in cloudfront_alarms:
        alarm = graph.nodes[e.dst]
        assert e.cross_stack, "the distribution id reaches us-east-1 through Fn::GetStackOutput"
        assert graph.clusters_containing(alarm)[0].label == "Region us-east-1"
        topic = next(graph.nodes[x.dst] for x in graph.edges if x.src == alarm.id and x.kind == "alerting")
        assert graph.clusters_containing(topic)[0].label == "Region us-east-1"


def test_plumbing_is_not_drawn(graph):
    drawn = {n.type for n in graph.nodes.values()}
    assert not drawn & {
        "AWS::EC2::Route",
        "AWS::EC2::SubnetRouteTableAssociation",
        "AWS::IAM::Policy",
        "AWS::S3::BucketPolicy",
        "AWS::Lambda::Permission",
    }
    assert not any(t.startswith("Custom::") for t in drawn)
    assert len(graph.nodes) < 50


def test_generic_input_and_deterministic_output():
    """Plain (name, region, template) tuples work; the DOT does not depend on input order."""
    bucket = {
        "Type": "AWS::S3::Bucket",
        "Properties": {"LoggingConfiguration": {"DestinationBucketName": {"Ref": "LogsABCDEF12"}}},
    }
    stacks = [
        (
            "one",
            "eu-west-1",
            {"Resources": {"SiteBucket0123ABCD": bucket, "LogsABCDEF12": {"Type": "AWS::S3::Bucket"}}},
        ),
        ("two", "us-east-1", {"Resources": {"Topic99887766": {"Type": "AWS::SNS::Topic"}}}),
    ]
    dot = build_dot(stacks)
    assert dot == build_dot(list(reversed(stacks)))
    graph = build_graph(stacks)
    assert graph.node_for("one", "SiteBucket0123ABCD").title == "SiteBucket"
    assert graph.has_edge("one/SiteBucket0123ABCD", "one/LogsABCDEF12", "logging")


def test_committed_diagram_is_current(prod_stacks):
    assert COMMITTED_DOT.is_file(), (
        "docs/architecture-prod.dot is missing: run `python -m webstack_tools.diagram --env prod`"
    )
    assert COMMITTED_DOT.read_text() == build_dot(prod_stacks, title_for("prod")), (
        "docs/architecture-prod.* is stale: run `make diagram ENV=prod` (python -m webstack_tools.diagram --env prod) and commit docs/"
    )


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_graphviz_accepts_the_dot(prod_stacks, tmp_path: Path):
    source = tmp_path / "a.dot"
    source.write_text(build_dot(prod_stacks))
    result = subprocess.run(
        ["dot", "-Tsvg", "-o", str(tmp_path / "a.svg"), str(source)], capture_output=True, text=True
    )
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
