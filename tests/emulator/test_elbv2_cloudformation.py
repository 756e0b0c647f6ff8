"""ELBv2 load balancers and target groups (providers/elbv2.py)."""

from __future__ import annotations

import pytest


def test_load_balancer_attributes_and_target_group_attributes(deploy, aws):
    stack = deploy(
        {
            "V": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.2.0.0/16"}},
            "S1": {
                "Type": "AWS::EC2::Subnet",
                "Properties": {"VpcId": {"Ref": "V"}, "CidrBlock": "10.2.0.0/24", "AvailabilityZone": "us-east-1a"},
            },
            "S2": {
                "Type": "AWS::EC2::Subnet",
                "Properties": {"VpcId": {"Ref": "V"}, "CidrBlock": "10.2.1.0/24", "AvailabilityZone": "us-east-1b"},
            },
            "Lb": {
                "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
                "Properties": {
                    "Subnets": [{"Ref": "S1"}, {"Ref": "S2"}],
                    "Type": "application",
                    "LoadBalancerAttributes": [
                        {"Key": "deletion_protection.enabled", "Value": "true"},
                        {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
                    ],
                },
            },
            "Tg": {
                "Type": "AWS::ElasticLoadBalancingV2::TargetGroup",
                "Properties": {
                    "VpcId": {"Ref": "V"},
                    "Port": 80,
                    "Protocol": "HTTP",
                    "HealthCheckPath": "/health",
                    "TargetGroupAttributes": [{"Key": "deregistration_delay.timeout_seconds", "Value": "30"}],
                },
            },
        },
        outputs={
            "Full": {"Fn::GetAtt": ["Lb", "LoadBalancerFullName"]},
            "Zone": {"Fn::GetAtt": ["Lb", "CanonicalHostedZoneID"]},
            "TgFull": {"Fn::GetAtt": ["Tg", "TargetGroupFullName"]},
        },
    )
    elb = aws("elbv2")
    attrs = {
        a["Key"]: a["Value"]
        for a in elb.describe_load_balancer_attributes(LoadBalancerArn=stack.resources["Lb"])["Attributes"]
    }
    assert attrs["deletion_protection.enabled"] == "true"
    assert attrs["routing.http.drop_invalid_header_fields.enabled"] == "true"
    tg_attrs = {
        a["Key"]: a["Value"]
        for a in elb.describe_target_group_attributes(TargetGroupArn=stack.resources["Tg"])["Attributes"]
    }
    assert tg_attrs["deregistration_delay.timeout_seconds"] == "30"
    assert stack.outputs["Full"].startswith("app/") and stack.outputs["TgFull"].startswith("targetgroup/")
    assert stack.outputs["Zone"] == "Z35SXDOTRQ7X7K"  # us-east-1 ALB alias zone, as in AWS
    assert (
        elb.describe_load_balancers(LoadBalancerArns=[stack.resources["Lb"]])["LoadBalancers"][0][
            "CanonicalHostedZoneId"
        ]
        == "Z35SXDOTRQ7X7K"
    )
    # deletion protection is honoured, as in AWS: the stack cannot go until it is turned off
    cfn = aws("cloudformation")
    cfn.delete_stack(StackName=stack.name)
    failed = cfn.describe_stacks(StackName=stack.name)["Stacks"][0]
    assert failed["StackStatus"] == "DELETE_FAILED" and "deletion protection is enabled" in failed["StackStatusReason"]
    elb.modify_load_balancer_attributes(
        LoadBalancerArn=stack.resources["Lb"], Attributes=[{"Key": "deletion_protection.enabled", "Value": "false"}]
    )
    cfn.delete_stack(StackName=stack.name)
    with pytest.raises(elb.exceptions.LoadBalancerNotFoundException):
        elb.describe_load_balancers(LoadBalancerArns=[stack.resources["Lb"]])
