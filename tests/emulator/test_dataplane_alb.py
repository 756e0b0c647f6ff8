"""The ALB answers as its listener rules and security groups say, forwards to
health-checked targets that are local processes, and the Auto Scaling group
replaces an unhealthy one; the edge reaches it with the origin's secret
header (webstack_emulator/dataplane/alb.py, targets.py)."""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from webstack_emulator.dataplane import DataPlane
from webstack_emulator.facts import CLOUDFRONT_ORIGIN_FACING_PREFIX_LISTS

ACCOUNT = "123456789012"
SECRET = "s3cr3t-" + uuid.uuid4().hex[:8]
APP = Path(__file__).with_name("dataplane_app.py")
APP_COMMAND = f"{{python}} {APP} {{port}} {{instance_id}}"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
USER_DATA = "#!/bin/bash\necho 'boot of ${AWS::StackName}'\n"


def web_tier(*, ingress):
    """VPC, ALB (security group ``ingress``), listener 80: default 403, rule 10
    forwards requests carrying the secret header; a one-instance ELB-checked
    group behind it; a distribution whose /api/* goes to the ALB with the header."""
    subnet = lambda cidr, az: {  # noqa: E731
        "Type": "AWS::EC2::Subnet",
        "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": cidr, "AvailabilityZone": az},
    }
    return {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.9.0.0/16"}},
        "A": subnet("10.9.0.0/24", "us-east-1a"),
        "B": subnet("10.9.1.0/24", "us-east-1b"),
        "AlbSg": {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {"GroupDescription": "alb", "VpcId": {"Ref": "Vpc"}},
        },
        # A separate rule, as CDK renders it (moto drops a prefix list given inline).
        "AlbIngress": {
            "Type": "AWS::EC2::SecurityGroupIngress",
            "Properties": {"GroupId": {"Fn::GetAtt": ["AlbSg", "GroupId"]}, **ingress},
        },
        "Lb": {
            "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
            "Properties": {
                "Type": "application",
                "Subnets": [{"Ref": "A"}, {"Ref": "B"}],
                "SecurityGroups": [{"Fn::GetAtt": ["AlbSg", "GroupId"]}],
            },
        },
        "Tg": {
            "Type": "AWS::ElasticLoadBalancingV2::TargetGroup",
            "Properties": {
                "VpcId": {"Ref": "Vpc"},
                "Port": 80,
                "Protocol": "HTTP",
                "HealthCheckPath": "/health",
                "HealthCheckIntervalSeconds": 5,
                "HealthCheckTimeoutSeconds": 2,
                "HealthyThresholdCount": 2,
                "UnhealthyThresholdCount": 2,
                "Matcher": {"HttpCode": "200"},
            },
        },
        "Listener": {
            "Type": "AWS::ElasticLoadBalancingV2::Listener",
            "Properties": {
                "LoadBalancerArn": {"Ref": "Lb"},
                "Port": 80,
                "Protocol": "HTTP",
                "DefaultActions": [
                    {
                        "Type": "fixed-response",
                        "FixedResponseConfig": {
                            "StatusCode": "403",
                            "ContentType": "text/plain",
                            "MessageBody": "Forbidden",
                        },
                    }
                ],
            },
        },
        # /api/other with the secret header matches rule 10 too, which comes first.
        "Later": {
            "Type": "AWS::ElasticLoadBalancingV2::ListenerRule",
            "Properties": {
                "ListenerArn": {"Ref": "Listener"},
                "Priority": 20,
                "Conditions": [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/api/other"]}}],
                "Actions": [
                    {
                        "Type": "fixed-response",
                        "FixedResponseConfig": {
                            "StatusCode": "410",
                            "ContentType": "text/plain",
                            "MessageBody": "gone",
                        },
                    }
                ],
            },
        },
        "Moved": {
            "Type": "AWS::ElasticLoadBalancingV2::ListenerRule",
            "Properties": {
                "ListenerArn": {"Ref": "Listener"},
                "Priority": 5,
                "Conditions": [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/old/*"]}}],
                "Actions": [
                    {
                        "Type": "redirect",
                        "RedirectConfig": {"Path": "/api/#{path}", "Query": "from=old", "StatusCode": "HTTP_301"},
                    }
                ],
            },
        },
        "Rule": {
            "Type": "AWS::ElasticLoadBalancingV2::ListenerRule",
            "Properties": {
                "ListenerArn": {"Ref": "Listener"},
                "Priority": 10,
                "Conditions": [
                    {
                        "Field": "http-header",
                        "HttpHeaderConfig": {"HttpHeaderName": "X-Origin-Verify", "Values": [SECRET]},
                    }
                ],
                "Actions": [{"Type": "forward", "TargetGroupArn": {"Ref": "Tg"}}],
            },
        },
        "Lt": {
            "Type": "AWS::EC2::LaunchTemplate",
            "Properties": {
                "LaunchTemplateData": {
                    "ImageId": "ami-12c6146b",
                    "InstanceType": "t3.micro",
                    "UserData": {"Fn::Base64": {"Fn::Sub": USER_DATA}},
                }
            },
        },
        "Group": {
            "Type": "AWS::AutoScaling::AutoScalingGroup",
            "Properties": {
                "MinSize": "1",
                "MaxSize": "2",
                "DesiredCapacity": "1",
                "VPCZoneIdentifier": [{"Ref": "A"}, {"Ref": "B"}],
                "LaunchTemplate": {
                    "LaunchTemplateId": {"Ref": "Lt"},
                    "Version": {"Fn::GetAtt": ["Lt", "LatestVersionNumber"]},
                },
                "TargetGroupARNs": [{"Ref": "Tg"}],
                "HealthCheckType": "ELB",
                "HealthCheckGracePeriod": 0,
            },
        },
        "Cdn": {
            "Type": "AWS::CloudFront::Distribution",
            "Properties": {
                "DistributionConfig": {
                    "Enabled": True,
                    "Origins": [
                        {
                            "Id": "alb",
                            "DomainName": {"Fn::GetAtt": ["Lb", "DNSName"]},
                            "CustomOriginConfig": {"OriginProtocolPolicy": "http-only", "HTTPPort": 80},
                            "OriginCustomHeaders": [{"HeaderName": "X-Origin-Verify", "HeaderValue": SECRET}],
                        }
                    ],
                    "DefaultCacheBehavior": {
                        "TargetOriginId": "alb",
                        "ViewerProtocolPolicy": "redirect-to-https",
                        "CachePolicyId": CACHING_DISABLED,
                        "OriginRequestPolicyId": ALL_VIEWER_EXCEPT_HOST,
                        "AllowedMethods": ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"],
                    },
                }
            },
        },
    }


CLOUDFRONT_ONLY = {
    "IpProtocol": "tcp",
    "FromPort": 80,
    "ToPort": 80,
    "SourcePrefixListId": CLOUDFRONT_ORIGIN_FACING_PREFIX_LISTS["us-east-1"],
}
ANYWHERE = {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "0.0.0.0/0"}


def _wait(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("condition not reached in time")


def _open(url, *, method="GET", headers=None):
    req = urllib.request.Request(url, method=method, headers=headers or {}, data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


@pytest.fixture
def web(deploy, aws):
    """deploy(ingress) -> the stack; deleted afterwards so that its instances stop."""
    made = []

    def _web(ingress):
        made.append(deploy(web_tier(ingress=ingress)))
        return made[-1]

    yield _web
    for stack in made:
        aws("cloudformation").delete_stack(StackName=stack.name)


@pytest.fixture
def plane(emulator):
    started = DataPlane(ACCOUNT, app_command=APP_COMMAND, time_scale=0.05, reconcile_seconds=0.1).start()
    yield started
    started.stop()


def _listener_url(plane, aws, stack):
    dns = _dns_name(aws, stack)
    return _wait(lambda: next((e["url"] for e in plane.describe()["listeners"] if e["dns_name"] == dns), None))


def _edge_url(plane, stack):
    return _wait(
        lambda: next((d["url"] for d in plane.describe()["distributions"] if d["id"] == stack.resources["Cdn"]), None)
    )


def _targets(plane, stack):
    return [t for t in plane.describe()["targets"] if stack.resources["Tg"] in t["target_groups"]]


def _healthy(plane, stack):
    return _wait(lambda: [t for t in _targets(plane, stack) if t["state"] == "healthy"])


def _dns_name(aws, stack):
    return aws("elbv2").describe_load_balancers(LoadBalancerArns=[stack.resources["Lb"]])["LoadBalancers"][0]["DNSName"]


def test_through_the_edge_the_secret_header_reaches_a_healthy_target(web, plane, aws):
    stack = web(CLOUDFRONT_ONLY)
    plane.reconcile()
    (target,) = _healthy(plane, stack)
    status, headers, body = _open(_edge_url(plane, stack) + "api/echo?x=1", headers={"X-Viewer": "v"})
    assert status == 200, body
    seen = json.loads(body)
    assert seen["instance"] == target["instance_id"]
    assert seen["path"] == "/api/echo?x=1"
    received = {k.lower(): v for k, v in seen["headers"].items()}
    assert received["x-origin-verify"] == SECRET
    assert received["x-viewer"] == "v"  # AllViewerExceptHostHeader forwards viewer headers...
    assert received["host"] == _dns_name(aws, stack)  # ...but Host is the ALB's own name
    assert headers["X-Cache"] == "Miss from cloudfront"


def test_a_target_boots_with_its_launch_template_user_data_in_a_folder_of_its_own(web, plane, aws):
    stack = web(CLOUDFRONT_ONLY)
    plane.reconcile()
    (target,) = _healthy(plane, stack)
    seen = json.loads(_open(_edge_url(plane, stack) + "api/echo")[2])
    # What EC2 hands the instance: the template's UserData, base64-decoded, references resolved.
    assert seen["user_data"] == f"#!/bin/bash\necho 'boot of {stack.name}'\n"
    assert seen["cwd"] == seen["workdir"] == target["workdir"]
    aws("cloudformation").delete_stack(StackName=stack.name)
    plane.reconcile()  # the instance is gone, and its folder with it
    assert not Path(target["workdir"]).exists()


def test_listener_default_action_is_403_without_the_header(web, plane, aws):
    stack = web(ANYWHERE)
    plane.reconcile()
    _healthy(plane, stack)
    listener = _listener_url(plane, aws, stack)
    assert _open(listener + "api/echo")[::2] == (403, b"Forbidden")
    assert _open(listener + "api/echo", headers={"X-Origin-Verify": "wrong"})[0] == 403
    assert _open(listener + "api/echo", headers={"X-Origin-Verify": SECRET})[0] == 200
    # /api/other with the header matches rules 10 and 20: the lower priority number wins.
    assert _open(listener + "api/other", headers={"X-Origin-Verify": SECRET})[0] == 200
    assert _open(listener + "api/other")[::2] == (410, b"gone")


def test_redirect_rule_keeps_host_port_and_path(web, plane, aws):
    stack = web(ANYWHERE)
    plane.reconcile()
    listener = _listener_url(plane, aws, stack)
    conn = http.client.HTTPConnection("127.0.0.1", int(listener.rsplit(":", 1)[1].strip("/")), timeout=5)
    conn.request("GET", "/old/page?x=1", headers={"Host": "www.example.com"})
    answer = conn.getresponse()
    assert (answer.status, answer.getheader("Location")) == (301, "http://www.example.com/api/old/page?from=old")


def test_security_group_with_only_the_cloudfront_prefix_list_refuses_direct_clients(web, plane, aws):
    stack = web(CLOUDFRONT_ONLY)
    plane.reconcile()
    listener = _listener_url(plane, aws, stack)
    with pytest.raises((urllib.error.URLError, ConnectionError, http.client.HTTPException)):
        urllib.request.urlopen(
            urllib.request.Request(listener + "api/echo", headers={"X-Origin-Verify": SECRET}), timeout=5
        )


def test_unhealthy_target_is_replaced_by_the_group_and_metrics_reach_cloudwatch(web, plane, aws):
    stack = web(CLOUDFRONT_ONLY)
    plane.reconcile()
    (first,) = _healthy(plane, stack)
    edge = _edge_url(plane, stack)
    assert json.loads(_open(edge + "api/fail-health", method="POST")[2])["healthy"] is False
    # Two failed checks (interval 5 s x 0.05): unhealthy, terminated, and a new instance launched.
    replacement = _wait(
        lambda: [t for t in _targets(plane, stack) if t["instance_id"] != first["instance_id"]], timeout=30
    )
    group = aws("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[stack.resources["Group"]])
    in_service = [i["InstanceId"] for i in group["AutoScalingGroups"][0]["Instances"]]
    assert in_service == [replacement[0]["instance_id"]]
    state = aws("ec2").describe_instances(InstanceIds=[first["instance_id"]])["Reservations"][0]["Instances"][0]
    assert state["State"]["Name"] == "terminated"
    _healthy(plane, stack)
    assert json.loads(_open(edge + "api/echo")[2])["instance"] == replacement[0]["instance_id"]
    stats = aws("cloudwatch").get_metric_statistics(
        Namespace="AWS/ApplicationELB",
        MetricName="UnHealthyHostCount",
        Dimensions=[
            {"Name": "TargetGroup", "Value": "targetgroup/" + stack.resources["Tg"].split(":targetgroup/")[1]},
            {"Name": "LoadBalancer", "Value": stack.resources["Lb"].split(":loadbalancer/")[1]},
        ],
        StartTime=time.time() - 600,
        EndTime=time.time() + 60,
        Period=60,
        Statistics=["Maximum"],
    )
    assert max(p["Maximum"] for p in stats["Datapoints"]) == 1.0
