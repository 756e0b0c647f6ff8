"""The architecture diagram: drawn from the templates, and the committed one is current."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from webstack_tools.assembly import CloudAssembly, SynthesizedStack
from webstack_tools.diagram import DOCS, TemplateIndex, build_dot, build_graph, title_for

COMMITTED_DOT = DOCS / "architecture-prod.dot"

DISTRIBUTION = "AWS::CloudFront::Distribution"
BUCKET = "AWS::S3::Bucket"
ALB = "AWS::ElasticLoadBalancingV2::LoadBalancer"
TARGET_GROUP = "AWS::ElasticLoadBalancingV2::TargetGroup"
ASG = "AWS::AutoScaling::AutoScalingGroup"


@pytest.fixture(scope="module")
def prod_stacks(prod) -> CloudAssembly:
    # The session's prod app is already synthesized; app.synth() returns the cached assembly.
    return CloudAssembly.of(prod.stacks.web.node.root.synth())


@pytest.fixture(scope="module")
def graph(prod_stacks):
    return build_graph(prod_stacks, title_for("prod"))


def _origin_of(graph, stack: str, template: dict, path_pattern: str | None):
    """The node a distribution behaviour sends traffic to, read from the template."""
    dist = next(r for r in template["Resources"].values() if r["Type"] == DISTRIBUTION)
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
    assert graph.edges_between(cdn.id, alb.id)[0].label == "/api/* via VPC origin"
    target_group = graph.node_of_type(TARGET_GROUP)
    asg = graph.node_of_type(ASG)
    assert graph.has_edge(alb, target_group, "traffic")
    assert graph.has_edge(target_group, asg, "traffic")


def test_vpc_tiers(graph):
    alb, asg = graph.node_of_type(ALB), graph.node_of_type(ASG)
    alb_tier, asg_tier = graph.clusters_containing(alb)[-1], graph.clusters_containing(asg)[-1]
    # prod's ALB is internal, behind a CloudFront VPC origin: in the app subnets with its instances.
    assert alb_tier == asg_tier
    assert asg_tier.label.startswith("App subnets · private with egress")
    assert graph.clusters[asg_tier.parent].style["kind"] == "vpc"
    nat = graph.node_of_type("AWS::EC2::NatGateway")
    nat_tier = graph.clusters_containing(nat)[-1]
    assert nat_tier.label.startswith("Public subnets (0.0.0.0/0 → internet gateway)")
    assert nat_tier.parent == asg_tier.parent
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
    # a readable page: 50 real resources today (rollback alarms and the app's log groups joined in this round)
    assert len(graph.nodes) < 60


def _stack(name: str, region: str, template: dict) -> SynthesizedStack:
    return SynthesizedStack(name, region, "123456789012", template)


def test_generic_input_and_deterministic_output():
    """Any stacks of an assembly work; the DOT does not depend on input order."""
    bucket = {
        "Type": "AWS::S3::Bucket",
        "Properties": {"LoggingConfiguration": {"DestinationBucketName": {"Ref": "LogsABCDEF12"}}},
    }
    stacks = [
        _stack(
            "one",
            "eu-west-1",
            {"Resources": {"SiteBucket0123ABCD": bucket, "LogsABCDEF12": {"Type": "AWS::S3::Bucket"}}},
        ),
        _stack("two", "us-east-1", {"Resources": {"Topic99887766": {"Type": "AWS::SNS::Topic"}}}),
    ]
    dot = build_dot(stacks)
    assert dot == build_dot(list(reversed(stacks)))
    graph = build_graph(stacks)
    assert graph.node_for("one", "SiteBucket0123ABCD").title == "SiteBucket"
    assert graph.has_edge("one/SiteBucket0123ABCD", "one/LogsABCDEF12", "logging")


KEY = {"Type": "AWS::KMS::Key"}
LOGS = {"Type": "AWS::S3::Bucket"}


def test_ref_getatt_and_sub_come_from_the_cfn_lint_graph():
    """References under Properties become edges; DependsOn orders deployment and draws nothing."""
    bucket = {
        "Type": "AWS::S3::Bucket",
        "DependsOn": "Topic99887766",
        "Properties": {
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": {"KMSMasterKeyID": {"Fn::GetAtt": ["KeyAAAAAAAA", "Arn"]}}}
                ]
            },
            "LoggingConfiguration": {"DestinationBucketName": {"Ref": "LogsBBBBBBBB"}},
        },
    }
    alarm = {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {"AlarmActions": [{"Fn::Sub": "${Topic99887766}"}]},
    }
    resources = {
        "KeyAAAAAAAA": KEY,
        "LogsBBBBBBBB": LOGS,
        "SiteCCCCCCCC": bucket,
        "Topic99887766": {"Type": "AWS::SNS::Topic"},
        "AlarmDDDDDDDD": alarm,
    }
    stacks = [_stack("one", "eu-west-1", {"Resources": resources})]
    refs = TemplateIndex(stacks).refs("one", "SiteCCCCCCCC")
    assert [(r.target, r.path) for r in refs] == [
        (
            "KeyAAAAAAAA",
            (
                "BucketEncryption",
                "ServerSideEncryptionConfiguration",
                "0",
                "ServerSideEncryptionByDefault",
                "KMSMasterKeyID",
            ),
        ),
        ("LogsBBBBBBBB", ("LoggingConfiguration", "DestinationBucketName")),
    ]
    graph = build_graph(stacks)
    assert graph.has_edge("one/KeyAAAAAAAA", "one/SiteCCCCCCCC", "encryption")
    assert graph.has_edge("one/SiteCCCCCCCC", "one/LogsBBBBBBBB", "logging")
    assert graph.has_edge("one/AlarmDDDDDDDD", "one/Topic99887766", "alerting")
    assert not graph.edges_between("one/SiteCCCCCCCC", "one/Topic99887766")


def test_key_value_lists_are_read_by_their_key():
    """cfn-lint records list positions; ALB attributes are only meaningful by their Key."""
    alb = {
        "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "Properties": {
            "LoadBalancerAttributes": [
                {"Key": "deletion_protection.enabled", "Value": "true"},
                {"Key": "access_logs.s3.bucket", "Value": {"Ref": "LogsBBBBBBBB"}},
            ]
        },
    }
    stacks = [_stack("one", "eu-west-1", {"Resources": {"AlbEEEEEEEE": alb, "LogsBBBBBBBB": LOGS}})]
    (ref,) = TemplateIndex(stacks).refs("one", "AlbEEEEEEEE")
    assert ref.at == ("LoadBalancerAttributes", 1, "Value")
    assert ref.path == ("LoadBalancerAttributes", "access_logs.s3.bucket", "Value")
    assert build_graph(stacks).has_edge("one/AlbEEEEEEEE", "one/LogsBBBBBBBB", "logging")


@pytest.mark.parametrize("how", ["Fn::GetStackOutput", "Fn::ImportValue"])
def test_references_through_another_stacks_outputs_cross_stacks(how: str):
    producer = {
        "Resources": {"Topic99887766": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {"TopicArn": {"Value": {"Ref": "Topic99887766"}, "Export": {"Name": "one-topic-arn"}}},
    }
    if how == "Fn::GetStackOutput":
        action = {how: {"StackName": "one", "Region": "eu-west-1", "OutputName": "TopicArn"}}
    else:
        action = {how: "one-topic-arn"}
    alarm = {"Type": "AWS::CloudWatch::Alarm", "Properties": {"AlarmActions": [action]}}
    consumer = {"Resources": {"AlarmDDDDDDDD": alarm}}
    graph = build_graph([_stack("one", "eu-west-1", producer), _stack("two", "us-east-1", consumer)])
    (edge,) = graph.edges_between("two/AlarmDDDDDDDD", "one/Topic99887766", "alerting")
    assert edge.cross_stack


def test_committed_diagram_is_current(prod_stacks):
    assert COMMITTED_DOT.is_file(), (
        "docs/architecture-prod.dot is missing: run `python -m webstack_tools.diagram --env prod`"
    )
    assert COMMITTED_DOT.read_text() == build_dot(prod_stacks, title_for("prod")), (
        "docs/architecture-prod.* is stale: run `make diagram ENV=prod` "
        "(python -m webstack_tools.diagram --env prod) and commit docs/"
    )


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_graphviz_accepts_the_dot(prod_stacks, tmp_path: Path):
    source = tmp_path / "a.dot"
    source.write_text(build_dot(prod_stacks))
    result = subprocess.run(
        ["dot", "-Tsvg", "-o", str(tmp_path / "a.svg"), str(source)], check=False, capture_output=True, text=True
    )
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
