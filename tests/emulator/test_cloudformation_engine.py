"""Engine fixes (webstack_emulator/engine): Fn::GetStackOutput (CDK's
cross-region references), dynamic references, exports, failure handling,
deletion (DeletionPolicy, dependency order, VPC cleanup), updates, change
sets, termination protection, and the moto version guard."""

from __future__ import annotations

import json
from typing import Any

import botocore.exceptions
import pytest

from tests.emulator.templates import KEY_POLICY, distribution
from webstack_emulator import engine
from webstack_emulator.engine import _guard

ALARM = {
    "Namespace": "AWS/CloudFront",
    "MetricName": "4xxErrorRate",
    "Statistic": "Average",
    "Period": 300,
    "EvaluationPeriods": 1,
    "Threshold": 5,
    "ComparisonOperator": "GreaterThanThreshold",
}


def _get_output(stack_name, output, region="us-west-2"):
    return {"Fn::GetStackOutput": {"StackName": stack_name, "OutputName": output, "Region": region}}


def test_get_stack_output_across_regions_in_nested_positions(deploy, aws):
    producer = deploy(
        {"T": {"Type": "AWS::SNS::Topic"}}, region="us-west-2", outputs={"TopicArn": {"Ref": "T"}, "Plain": "dist-123"}
    )
    consumer = deploy(
        {
            "A": {
                "Type": "AWS::CloudWatch::Alarm",
                "Properties": dict(
                    ALARM,
                    Dimensions=[
                        {"Name": "DistributionId", "Value": _get_output(producer.name, "Plain")},
                        {"Name": "Region", "Value": "Global"},
                    ],
                ),
            },
            "P": {
                "Type": "AWS::SSM::Parameter",
                "Properties": {
                    "Type": "String",
                    "Value": {"Fn::Join": ["/", [_get_output(producer.name, "TopicArn"), "x"]]},
                },
            },
        },
        outputs={"Seen": _get_output(producer.name, "Plain")},
    )
    alarm = aws("cloudwatch").describe_alarms(AlarmNames=[consumer.resources["A"]])["MetricAlarms"][0]
    assert alarm["Dimensions"][0] == {"Name": "DistributionId", "Value": "dist-123"}
    value = aws("ssm").get_parameter(Name=consumer.resources["P"])["Parameter"]["Value"]
    assert value == producer.outputs["TopicArn"] + "/x"
    assert consumer.outputs["Seen"] == "dist-123"


def test_get_stack_output_feeds_distribution_acl_and_certificate(deploy, aws):
    edge = deploy(
        {
            "Z": {"Type": "AWS::Route53::HostedZone", "Properties": {"Name": "gso.test"}},
            "C": {
                "Type": "AWS::CertificateManager::Certificate",
                "Properties": {
                    "DomainName": "www.gso.test",
                    "ValidationMethod": "DNS",
                    "DomainValidationOptions": [{"DomainName": "www.gso.test", "HostedZoneId": {"Ref": "Z"}}],
                },
            },
            "W": {
                "Type": "AWS::WAFv2::WebACL",
                "Properties": {
                    "Scope": "CLOUDFRONT",
                    "DefaultAction": {"Allow": {}},
                    "VisibilityConfig": {
                        "SampledRequestsEnabled": True,
                        "CloudWatchMetricsEnabled": True,
                        "MetricName": "gso",
                    },
                },
            },
        },
        outputs={"Acl": {"Fn::GetAtt": ["W", "Arn"]}, "Cert": {"Ref": "C"}},
    )
    web = deploy(
        distribution(
            90,
            {
                "Aliases": ["www.gso.test"],
                "WebACLId": _get_output(edge.name, "Acl", "us-east-1"),
                "ViewerCertificate": {
                    "AcmCertificateArn": _get_output(edge.name, "Cert", "us-east-1"),
                    "SslSupportMethod": "sni-only",
                    "MinimumProtocolVersion": "TLSv1.2_2021",
                },
            },
        ),
        region="us-west-2",
    )
    cfg = aws("cloudfront").get_distribution_config(Id=web.resources["D"])["DistributionConfig"]
    assert cfg["WebACLId"] == edge.outputs["Acl"]
    assert cfg["ViewerCertificate"]["ACMCertificateArn"] == edge.resources["C"]


def test_get_stack_output_missing_stack_or_output_fails_the_deploy(deploy):
    producer = deploy({"T": {"Type": "AWS::SNS::Topic"}}, outputs={"TopicArn": {"Ref": "T"}})
    no_stack = deploy(
        {
            "P": {
                "Type": "AWS::SSM::Parameter",
                "Properties": {"Type": "String", "Value": _get_output("no-such-stack", "X")},
            }
        },
        expect_ok=False,
    )
    assert no_stack.status == "ROLLBACK_COMPLETE"
    assert "stack no-such-stack does not exist" in " ".join(no_stack.failures())
    wrong_region = deploy(
        {
            "P": {
                "Type": "AWS::SSM::Parameter",
                "Properties": {"Type": "String", "Value": _get_output(producer.name, "TopicArn", "us-west-2")},
            }
        },
        expect_ok=False,
    )
    assert "does not exist in 123456789012/us-west-2" in " ".join(wrong_region.failures())
    no_output = deploy(
        {
            "P": {
                "Type": "AWS::SSM::Parameter",
                "Properties": {"Type": "String", "Value": _get_output(producer.name, "Nope", "us-east-1")},
            }
        },
        expect_ok=False,
    )
    assert f"{producer.name} (us-east-1) has no output Nope" in " ".join(no_output.failures())


def test_termination_protection_blocks_delete_until_disabled(deploy, aws):
    import pytest

    stack = deploy({"T": {"Type": "AWS::SNS::Topic"}})
    cfn = aws("cloudformation")
    cfn.update_termination_protection(StackName=stack.name, EnableTerminationProtection=True)
    assert cfn.describe_stacks(StackName=stack.name)["Stacks"][0]["EnableTerminationProtection"] is True
    with pytest.raises(botocore.exceptions.ClientError, match="cannot be deleted while TerminationProtection"):
        cfn.delete_stack(StackName=stack.name)
    assert cfn.describe_stacks(StackName=stack.name)["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    cfn.update_termination_protection(StackName=stack.name, EnableTerminationProtection=False)
    cfn.delete_stack(StackName=stack.name)
    assert stack.resources["T"] not in [t["TopicArn"] for t in aws("sns").list_topics()["Topics"]]


def _vpc_stack(cidr: str, az: str = "us-east-1a") -> dict:
    """A CDK-shaped VPC: public subnet with IGW route, NAT gateway with EIP,
    private subnet routed through it, S3 gateway endpoint, flow log, an ASG
    and an ALB (which owns ENIs) -- the dependents that blocked deletion."""
    net = cidr.rsplit(".", 2)[0]
    return {
        "V": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": cidr}},
        "Igw": {"Type": "AWS::EC2::InternetGateway"},
        "Att": {
            "Type": "AWS::EC2::VPCGatewayAttachment",
            "Properties": {"VpcId": {"Ref": "V"}, "InternetGatewayId": {"Ref": "Igw"}},
        },
        "Pub": {
            "Type": "AWS::EC2::Subnet",
            "Properties": {"VpcId": {"Ref": "V"}, "CidrBlock": f"{net}.0.0/24", "AvailabilityZone": az},
        },
        "Pub2": {
            "Type": "AWS::EC2::Subnet",
            "Properties": {"VpcId": {"Ref": "V"}, "CidrBlock": f"{net}.2.0/24", "AvailabilityZone": az[:-1] + "b"},
        },
        "PubRt": {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": {"Ref": "V"}}},
        "PubAssoc": {
            "Type": "AWS::EC2::SubnetRouteTableAssociation",
            "Properties": {"RouteTableId": {"Ref": "PubRt"}, "SubnetId": {"Ref": "Pub"}},
        },
        "PubAssoc2": {
            "Type": "AWS::EC2::SubnetRouteTableAssociation",
            "Properties": {"RouteTableId": {"Ref": "PubRt"}, "SubnetId": {"Ref": "Pub2"}},
        },
        "PubRoute": {
            "Type": "AWS::EC2::Route",
            "DependsOn": ["Att"],
            "Properties": {
                "RouteTableId": {"Ref": "PubRt"},
                "DestinationCidrBlock": "0.0.0.0/0",
                "GatewayId": {"Ref": "Igw"},
            },
        },
        "Eip": {"Type": "AWS::EC2::EIP", "Properties": {"Domain": "vpc"}},
        "Nat": {
            "Type": "AWS::EC2::NatGateway",
            "DependsOn": ["PubRoute", "PubAssoc"],
            "Properties": {"SubnetId": {"Ref": "Pub"}, "AllocationId": {"Fn::GetAtt": ["Eip", "AllocationId"]}},
        },
        "Priv": {
            "Type": "AWS::EC2::Subnet",
            "Properties": {"VpcId": {"Ref": "V"}, "CidrBlock": f"{net}.1.0/24", "AvailabilityZone": az},
        },
        "PrivRt": {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": {"Ref": "V"}}},
        "PrivAssoc": {
            "Type": "AWS::EC2::SubnetRouteTableAssociation",
            "Properties": {"RouteTableId": {"Ref": "PrivRt"}, "SubnetId": {"Ref": "Priv"}},
        },
        "PrivRoute": {
            "Type": "AWS::EC2::Route",
            "Properties": {
                "RouteTableId": {"Ref": "PrivRt"},
                "DestinationCidrBlock": "0.0.0.0/0",
                "NatGatewayId": {"Ref": "Nat"},
            },
        },
        "S3": {
            "Type": "AWS::EC2::VPCEndpoint",
            "Properties": {
                "VpcId": {"Ref": "V"},
                "ServiceName": "com.amazonaws.us-east-1.s3",
                "VpcEndpointType": "Gateway",
                "RouteTableIds": [{"Ref": "PrivRt"}, {"Ref": "PubRt"}],
            },
        },
        "Lg": {"Type": "AWS::Logs::LogGroup"},
        "Fl": {
            "Type": "AWS::EC2::FlowLog",
            "Properties": {
                "ResourceId": {"Ref": "V"},
                "ResourceType": "VPC",
                "TrafficType": "ALL",
                "LogGroupName": {"Ref": "Lg"},
                "DeliverLogsPermissionArn": "arn:aws:iam::123456789012:role/fl",
            },
        },
        "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "app", "VpcId": {"Ref": "V"}}},
        "Lt": {
            "Type": "AWS::EC2::LaunchTemplate",
            "Properties": {
                "LaunchTemplateData": {
                    "ImageId": "ami-12345678",
                    "InstanceType": "t3.micro",
                    "SecurityGroupIds": [{"Fn::GetAtt": ["Sg", "GroupId"]}],
                }
            },
        },
        "Asg": {
            "Type": "AWS::AutoScaling::AutoScalingGroup",
            "DependsOn": ["PrivRoute", "PrivAssoc"],
            "Properties": {
                "MinSize": "1",
                "MaxSize": "2",
                "VPCZoneIdentifier": [{"Ref": "Priv"}],
                "LaunchTemplate": {
                    "LaunchTemplateId": {"Ref": "Lt"},
                    "Version": {"Fn::GetAtt": ["Lt", "LatestVersionNumber"]},
                },
            },
        },
        "Lb": {
            "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
            "DependsOn": ["PubRoute"],
            "Properties": {
                "Subnets": [{"Ref": "Pub"}, {"Ref": "Pub2"}],
                "SecurityGroups": [{"Fn::GetAtt": ["Sg", "GroupId"]}],
            },
        },
        "Tg": {
            "Type": "AWS::ElasticLoadBalancingV2::TargetGroup",
            "Properties": {"VpcId": {"Ref": "V"}, "Port": 80, "Protocol": "HTTP"},
        },
        "L": {
            "Type": "AWS::ElasticLoadBalancingV2::Listener",
            "Properties": {
                "LoadBalancerArn": {"Ref": "Lb"},
                "Port": 80,
                "Protocol": "HTTP",
                "DefaultActions": [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "403"}}],
            },
        },
        "R": {
            "Type": "AWS::ElasticLoadBalancingV2::ListenerRule",
            "Properties": {
                "ListenerArn": {"Ref": "L"},
                "Priority": 10,
                "Actions": [{"Type": "forward", "TargetGroupArn": {"Ref": "Tg"}}],
                "Conditions": [
                    {"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": "X-Origin-Verify", "Values": ["s"]}}
                ],
            },
        },
    }


def test_vpc_stack_deletes_completely_in_dependency_order(deploy, aws):
    stack = deploy(_vpc_stack("10.50.0.0/16"))
    ec2 = aws("ec2")
    vpc = [{"Name": "vpc-id", "Values": [stack.resources["V"]]}]
    tables = ec2.describe_route_tables(RouteTableIds=[stack.resources["PrivRt"]])["RouteTables"]
    assert [(a["SubnetId"], a["RouteTableAssociationId"]) for a in tables[0]["Associations"]] == [
        (stack.resources["Priv"], stack.resources["PrivAssoc"])
    ]
    enis = ec2.describe_network_interfaces(Filters=vpc)["NetworkInterfaces"]
    assert sorted({(e.get("Description") or "")[:7] for e in enis}) == [
        "",
        "ELB app",
        "Primary",
    ]  # NAT, ALB x2, instance
    cfn = aws("cloudformation")
    stack_id = cfn.describe_stacks(StackName=stack.name)["Stacks"][0]["StackId"]
    cfn.delete_stack(StackName=stack.name)
    assert cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"] == "DELETE_COMPLETE"
    assert stack.resources["V"] not in [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]]
    assert ec2.describe_network_interfaces(Filters=vpc)["NetworkInterfaces"] == []
    assert stack.resources["Eip"] not in [a["PublicIp"] for a in ec2.describe_addresses()["Addresses"]]
    assert stack.resources["Igw"] not in [
        g["InternetGatewayId"] for g in ec2.describe_internet_gateways()["InternetGateways"]
    ]
    assert [n["State"] for n in ec2.describe_nat_gateways(NatGatewayIds=[stack.resources["Nat"]])["NatGateways"]] == [
        "deleted"
    ]
    assert stack.resources["Fl"] not in [f["FlowLogId"] for f in ec2.describe_flow_logs()["FlowLogs"]]
    assert ec2.describe_vpc_endpoints(Filters=vpc)["VpcEndpoints"] == []


def test_deletion_policy_retain_keeps_resources_and_data(deploy, aws):
    stack = deploy(
        {
            "K": {
                "Type": "AWS::KMS::Key",
                "DeletionPolicy": "Retain",
                "UpdateReplacePolicy": "Retain",
                "Properties": {"KeyPolicy": KEY_POLICY},
            },
            "B": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain"},
            "L": {"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "RetainExceptOnCreate"},
            "S": {
                "Type": "AWS::SecretsManager::Secret",
                "DeletionPolicy": "Retain",
                "Properties": {"SecretString": "x"},
            },
            "T": {"Type": "AWS::SNS::Topic"},
            "Gone": {"Type": "AWS::S3::Bucket"},
        }
    )
    aws("s3").put_object(Bucket=stack.resources["B"], Key="keep.txt", Body=b"data")
    aws("cloudformation").delete_stack(StackName=stack.name)
    assert aws("kms").describe_key(KeyId=stack.resources["K"])["KeyMetadata"]["KeyState"] == "Enabled"
    assert aws("s3").get_object(Bucket=stack.resources["B"], Key="keep.txt")["Body"].read() == b"data"
    assert aws("logs").describe_log_groups(logGroupNamePrefix=stack.resources["L"])["logGroups"]
    assert aws("secretsmanager").get_secret_value(SecretId=stack.resources["S"])["SecretString"] == "x"
    assert stack.resources["T"] not in [t["TopicArn"] for t in aws("sns").list_topics()["Topics"]]
    assert stack.resources["Gone"] not in [b["Name"] for b in aws("s3").list_buckets()["Buckets"]]


def test_retain_except_on_create_is_deleted_by_a_create_rollback(deploy, aws):
    failed = deploy(
        {
            "L": {
                "Type": "AWS::Logs::LogGroup",
                "DeletionPolicy": "RetainExceptOnCreate",
                "Properties": {"LogGroupName": "reoc-rollback"},
            },
            "P": {
                "Type": "AWS::SSM::Parameter",
                "DependsOn": ["L"],
                "Properties": {"Type": "String", "Value": "{{resolve:ssm:/missing}}"},
            },
        },
        expect_ok=False,
    )
    assert failed.status == "ROLLBACK_COMPLETE"
    assert aws("logs").describe_log_groups(logGroupNamePrefix="reoc-rollback")["logGroups"] == []


def test_update_removing_a_retained_resource_keeps_it(deploy, aws):
    stack = deploy({"B": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain"}, "T": {"Type": "AWS::SNS::Topic"}})
    deploy({"T": {"Type": "AWS::SNS::Topic"}}, update_of=stack)
    assert stack.resources["B"] in [b["Name"] for b in aws("s3").list_buckets()["Buckets"]]


def test_delete_change_set_by_name_succeeds_while_the_stack_exists(deploy, aws):
    import pytest

    stack = deploy({"T": {"Type": "AWS::SNS::Topic"}})
    cfn = aws("cloudformation")
    cfn.delete_change_set(ChangeSetName="cdk-deploy-change-set", StackName=stack.name)  # what `cdk deploy` does first
    with pytest.raises(cfn.exceptions.ChangeSetNotFoundException):  # ... then waits for this
        cfn.describe_change_set(ChangeSetName="cdk-deploy-change-set", StackName=stack.name)
    with pytest.raises(botocore.exceptions.ClientError, match="does not exist"):
        cfn.delete_change_set(ChangeSetName="cdk-deploy-change-set", StackName="no-such-stack")


def test_update_with_previous_value_of_an_ssm_typed_parameter(aws):
    """What `cdk deploy` sends for MachineImage.latest_amazon_linux2023()."""

    cfn, ssm = aws("cloudformation"), aws("ssm")
    ssm.put_parameter(Name="/test/ami", Value="ami-11111111", Type="String")
    params = {"Ami": {"Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>", "Default": "/test/ami"}}

    def change(kind, value, parameters):
        body = json.dumps(
            {
                "Parameters": params,
                "Resources": {
                    "P": {
                        "Type": "AWS::SSM::Parameter",
                        "Properties": {"Type": "String", "Value": {"Fn::Join": ["", [value, {"Ref": "Ami"}]]}},
                    }
                },
            }
        )
        cs = cfn.create_change_set(
            StackName="ssm-prev",
            ChangeSetName=f"c{kind}{value}",
            TemplateBody=body,
            ChangeSetType=kind,
            Parameters=parameters,
        )
        cfn.execute_change_set(ChangeSetName=cs["Id"])
        return cfn.describe_stacks(StackName="ssm-prev")["Stacks"][0]

    change("CREATE", "a-", [{"ParameterKey": "Ami", "ParameterValue": "/test/ami"}])
    ssm.put_parameter(Name="/test/ami", Value="ami-22222222", Type="String", Overwrite=True)
    stack = change("UPDATE", "b-", [{"ParameterKey": "Ami", "UsePreviousValue": True}])
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert stack["Parameters"] == [
        {"ParameterKey": "Ami", "ParameterValue": "/test/ami", "ResolvedValue": "ami-22222222"}
    ]
    name = cfn.describe_stack_resources(StackName="ssm-prev")["StackResources"][0]["PhysicalResourceId"]
    assert ssm.get_parameter(Name=name)["Parameter"]["Value"] == "b-ami-22222222"  # re-resolved, as in AWS
    body = cfn.get_template(StackName="ssm-prev")["TemplateBody"]
    same = cfn.create_change_set(
        StackName="ssm-prev",
        ChangeSetName="same",
        ChangeSetType="UPDATE",
        TemplateBody=json.dumps(body) if isinstance(body, dict) else body,
        Parameters=[{"ParameterKey": "Ami", "UsePreviousValue": True}],
    )
    described = cfn.describe_change_set(ChangeSetName=same["Id"])
    assert described["Status"] == "FAILED" and "didn't contain changes" in described["StatusReason"]
    ssm.put_parameter(Name="/test/ami", Value="ami-33333333", Type="String", Overwrite=True)
    newer = cfn.create_change_set(
        StackName="ssm-prev",
        ChangeSetName="newer",
        ChangeSetType="UPDATE",
        TemplateBody=json.dumps(body) if isinstance(body, dict) else body,
        Parameters=[{"ParameterKey": "Ami", "UsePreviousValue": True}],
    )
    assert cfn.describe_change_set(ChangeSetName=newer["Id"])["Status"] == "CREATE_COMPLETE"


def test_describing_a_deleted_stack_does_not_recreate_its_resources(deploy, aws):
    stack = deploy({"B": {"Type": "AWS::S3::Bucket"}, "T": {"Type": "AWS::SNS::Topic"}})
    cfn = aws("cloudformation")
    stack_id = cfn.describe_stacks(StackName=stack.name)["Stacks"][0]["StackId"]
    cfn.delete_stack(StackName=stack.name)
    assert cfn.describe_stack_resources(StackName=stack_id)["StackResources"] == []
    assert stack.resources["B"] not in [b["Name"] for b in aws("s3").list_buckets()["Buckets"]]
    assert stack.resources["T"] not in [t["TopicArn"] for t in aws("sns").list_topics()["Topics"]]


def test_delete_failed_stack_can_be_deleted_again_after_the_cause_is_fixed(deploy, aws):
    stack = deploy({"B": {"Type": "AWS::S3::Bucket"}, "T": {"Type": "AWS::SNS::Topic", "DependsOn": ["B"]}})
    cfn, s3 = aws("cloudformation"), aws("s3")
    s3.put_object(Bucket=stack.resources["B"], Key="k", Body=b"1")
    cfn.delete_stack(StackName=stack.name)
    described = cfn.describe_stacks(StackName=stack.name)["Stacks"][0]
    assert described["StackStatus"] == "DELETE_FAILED" and "BucketNotEmpty" in described["StackStatusReason"]
    remaining = {r["LogicalResourceId"] for r in cfn.describe_stack_resources(StackName=stack.name)["StackResources"]}
    assert remaining == {"B"}  # the topic went first and stays gone
    assert stack.resources["T"] not in [t["TopicArn"] for t in aws("sns").list_topics()["Topics"]]
    s3.delete_object(Bucket=stack.resources["B"], Key="k")
    stack_id = described["StackId"]
    cfn.delete_stack(StackName=stack.name)
    assert cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"] == "DELETE_COMPLETE"


def test_get_stack_output_is_resolved_again_when_the_consumer_is_updated(deploy, aws):
    producer = deploy({"T": {"Type": "AWS::SNS::Topic"}}, region="us-west-2", outputs={"V": "one"})
    consumer = deploy(
        {
            "P": {
                "Type": "AWS::SSM::Parameter",
                "Properties": {"Type": "String", "Value": _get_output(producer.name, "V"), "Description": "a"},
            }
        }
    )
    deploy({"T": {"Type": "AWS::SNS::Topic"}}, region="us-west-2", outputs={"V": "two"}, update_of=producer)
    ssm = aws("ssm")
    assert ssm.get_parameter(Name=consumer.resources["P"])["Parameter"]["Value"] == "one"  # weak: no push
    updated = deploy(
        {
            "P": {
                "Type": "AWS::SSM::Parameter",
                "Properties": {"Type": "String", "Value": _get_output(producer.name, "V"), "Description": "b"},
            }
        },
        update_of=consumer,
    )
    assert ssm.get_parameter(Name=updated.resources["P"])["Parameter"]["Value"] == "two"


def test_change_sets_are_per_stack_and_go_away_once_executed(aws):
    """Two stacks of a region, both deployed with the CLI's fixed change-set name."""

    cfn = aws("cloudformation")
    body = json.dumps({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}})
    for name in ("cs-a", "cs-b"):
        cs = cfn.create_change_set(
            StackName=name, ChangeSetName="cdk-deploy-change-set", TemplateBody=body, ChangeSetType="CREATE"
        )
        cfn.execute_change_set(ChangeSetName=cs["Id"])
    assert cfn.list_change_sets(StackName="cs-a")["Summaries"] == []  # removed after execution
    body2 = json.dumps({"Resources": {"T": {"Type": "AWS::SNS::Topic"}, "U": {"Type": "AWS::SNS::Topic"}}})
    cfn.create_change_set(
        StackName="cs-b", ChangeSetName="cdk-deploy-change-set", TemplateBody=body2, ChangeSetType="UPDATE"
    )
    assert [s["StackName"] for s in cfn.list_change_sets(StackName="cs-b")["Summaries"]] == ["cs-b"]
    assert cfn.list_change_sets(StackName="cs-a")["Summaries"] == []
    cfn.delete_change_set(ChangeSetName="cdk-deploy-change-set", StackName="cs-a")
    with pytest.raises(cfn.exceptions.ChangeSetNotFoundException):
        cfn.describe_change_set(ChangeSetName="cdk-deploy-change-set", StackName="cs-a")
    assert cfn.describe_change_set(ChangeSetName="cdk-deploy-change-set", StackName="cs-b")["StackName"] == "cs-b"


def test_change_set_outputs_and_exports_feed_import_value(deploy):
    producer = deploy({"B": {"Type": "AWS::S3::Bucket"}}, outputs={"Name": {"Ref": "B"}})
    producer.cfn.update_stack  # noqa: B018 - same client
    exporting = deploy({"Q": {"Type": "AWS::SQS::Queue"}}, outputs={"QueueArn": {"Fn::GetAtt": ["Q", "Arn"]}})
    # give the output an export by redeploying with Export

    template = {
        "Resources": {"Q": {"Type": "AWS::SQS::Queue"}},
        "Outputs": {"QueueArn": {"Value": {"Fn::GetAtt": ["Q", "Arn"]}, "Export": {"Name": "shared-queue-arn"}}},
    }
    cs = exporting.cfn.create_change_set(
        StackName=exporting.name, ChangeSetName="exp", ChangeSetType="UPDATE", TemplateBody=json.dumps(template)
    )
    exporting.cfn.execute_change_set(ChangeSetName=cs["Id"])
    importer = deploy(
        {
            "P": {
                "Type": "AWS::SSM::Parameter",
                "Properties": {"Type": "String", "Value": {"Fn::ImportValue": "shared-queue-arn"}},
            }
        },
        outputs={"V": {"Fn::ImportValue": "shared-queue-arn"}},
    )
    assert producer.outputs["Name"] == producer.resources["B"]
    assert importer.outputs["V"].startswith("arn:aws:sqs:")


def test_failed_create_rolls_back_and_redeploy_works(deploy, aws):
    bad = deploy(
        {
            "B": {"Type": "AWS::S3::Bucket"},
            "X": {"Type": "AWS::CertificateManager::Certificate", "Properties": {"DomainName": "x.corp.test"}},
        },
        expect_ok=False,
    )
    assert bad.status == "ROLLBACK_COMPLETE" and bad.resources == {}
    assert any(f.startswith("X:") for f in bad.failures())
    cfn = aws("cloudformation")
    cfn.delete_stack(StackName=bad.name)
    again = deploy({"B": {"Type": "AWS::S3::Bucket"}})
    assert again.status == "CREATE_COMPLETE"


def test_depends_on_orders_creation(deploy):
    from webstack_emulator.engine.dependencies import dependency_order

    resources = {"A": {"DependsOn": "C"}, "B": {"Properties": {"X": {"Ref": "A"}}}, "C": {}}
    assert dependency_order(resources, ["B", "A", "C"]) == ["C", "A", "B"]


@pytest.mark.parametrize("fix", engine.FIXES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_every_fix_refuses_a_moto_other_than_the_pinned_one(fix, monkeypatch):
    from moto.cloudformation import models, parsing, responses

    def moto_state():
        return [
            vars(owner).get(name)
            for owner in (parsing, parsing.ResourceMap, models.Stack, models.CloudFormationBackend)
            for name in sorted(vars(owner))
        ] + [vars(responses.CloudFormationResponse).get("update_termination_protection")]

    before = moto_state()
    monkeypatch.setattr(_guard, "installed_moto_version", lambda: "5.3.0")
    with pytest.raises(engine.MotoVersionMismatch) as refused:
        fix.install()
    message = str(refused.value)
    assert fix.__name__ in message
    assert f"verified against moto {engine.PINNED_MOTO_VERSION}" in message
    assert "re-verify this fix against moto 5.3.0" in message
    assert moto_state() == before  # refused before patching anything


def test_the_guard_accepts_the_pinned_moto_and_install_is_idempotent():
    from moto.cloudformation import parsing

    assert _guard.installed_moto_version() == engine.PINNED_MOTO_VERSION == "5.2.5"
    _guard.require_pinned_moto("any fix")
    engine.install()
    patched = (parsing.clean_json, parsing.ResourceMap.delete)
    engine.install()
    assert (parsing.clean_json, parsing.ResourceMap.delete) == patched
    moto_clean_json = parsing.clean_json.__wrapped__.__wrapped__  # fix 02 around fix 01 around moto's
    assert not hasattr(moto_clean_json, "__wrapped__")


def test_provider_patches_are_guarded_too(monkeypatch):
    from webstack_emulator.providers import autoscaling, cloudwatch, ec2, elbv2, route53, s3

    monkeypatch.setattr(_guard, "installed_moto_version", lambda: "6.0.0")
    for module in (autoscaling, cloudwatch, ec2, elbv2, route53, s3):
        with pytest.raises(engine.MotoVersionMismatch, match=module.__name__):
            module.install()


def _function_with_versions(code: str, versions: list[str]) -> dict:
    role = {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
                ],
            }
        },
    }
    resources = {
        "FnRole": role,
        "Fn": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Runtime": "python3.12",
                "Handler": "index.handler",
                "Role": {"Fn::GetAtt": ["FnRole", "Arn"]},
                "Description": code,
                "Code": {"ZipFile": f"def handler(event, context):\n    return {code!r}\n"},
            },
        },
    }
    for name in versions:
        # CDK's currentVersion: a new logical id whenever the code changes
        resources[name] = {"Type": "AWS::Lambda::Version", "Properties": {"FunctionName": {"Ref": "Fn"}}}
    return resources


def test_a_new_resource_is_created_after_the_modified_one_it_depends_on(deploy, aws):
    from moto.core.model_instances import reset_model_data

    try:
        stack = deploy(_function_with_versions("v1", ["VersionA"]))
        fn = stack.resources["Fn"]
        # one change set: the function's code changes and a new Version of it is added
        stack = deploy(_function_with_versions("v2", ["VersionA", "VersionB"]), update_of=stack)
        lam = aws("lambda")
        latest = lam.get_function(FunctionName=fn)["Configuration"]
        first = lam.get_function(FunctionName=fn, Qualifier="1")["Configuration"]
        second = lam.get_function(FunctionName=fn, Qualifier="2")["Configuration"]
        assert latest["Description"] == second["Description"] == "v2"
        assert second["CodeSha256"] == latest["CodeSha256"] != first["CodeSha256"]
        aws("cloudformation").delete_stack(StackName=stack.name)
    finally:
        reset_model_data()  # moto's dashboard dump fails once a Lambda function existed (test_lambda_extra)


def test_update_creates_and_updates_in_one_dependency_order():
    from moto.cloudformation import parsing

    from webstack_emulator.engine import fix_06_ordered_diff

    calls: list[tuple[str, str]] = []

    class Recorder:
        def __init__(self):
            self._resource_json_map = {
                "New": {"Properties": {"X": {"Ref": "Changed"}}},
                "Changed": {"Properties": {"Y": {"Fn::GetAtt": ["Base", "Arn"]}}},
                "Base": {},
                "Later": {"DependsOn": "New"},
            }
            self._parsed_resources = {}
            self._account_id, self._region_name = "123456789012", "us-east-1"

        def __getitem__(self, name):
            calls.append(("create", name))

    def update(logical_id, resource_json, resources_map, account_id, region_name):
        calls.append(("update", logical_id))

    original = parsing.parse_and_update_resource
    parsing.parse_and_update_resource = update
    try:
        fix_06_ordered_diff._apply_in_order(Recorder(), ["Later", "New", "Base"], ["Changed"])
    finally:
        parsing.parse_and_update_resource = original
    assert calls == [("create", "Base"), ("update", "Changed"), ("create", "New"), ("create", "Later")]


def _dependents_of_a_replaced_queue(generation: str) -> dict:
    def parameter(value):
        return {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": value}}

    return {
        # A new QueueName replaces the queue: a new Arn.
        "A": {
            "Type": "AWS::SQS::Queue",
            "Properties": {"QueueName": {"Fn::Sub": f"fix18-${{AWS::StackName}}-{generation}"}},
        },
        # Unchanged templates referring to A's Arn: updated in place with the new one (fix 18).
        "ArnOfA": parameter({"Fn::GetAtt": ["A", "Arn"]}),
        "Q": {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["A", "Arn"]}, "maxReceiveCount": 3}
            },
        },
        # Depend on Q, whose Arn and name stay: left alone. A key pair can only be
        # replaced, and replacing a custom-named one fails the update.
        "ArnOfQ": parameter({"Fn::GetAtt": ["Q", "Arn"]}),
        "K": {"Type": "AWS::EC2::KeyPair", "Properties": {"KeyName": {"Fn::Sub": "fix18-${Q.QueueName}"}}},
    }


def test_unchanged_resource_follows_a_changed_attribute_it_refers_to(deploy, aws):
    stack = deploy(_dependents_of_a_replaced_queue("one"))
    ssm, sqs, ec2 = aws("ssm"), aws("sqs"), aws("ec2")
    key_id = ec2.describe_key_pairs(KeyNames=[stack.resources["K"]])["KeyPairs"][0]["KeyPairId"]
    updated = deploy(_dependents_of_a_replaced_queue("two"), update_of=stack)
    new_arn = sqs.get_queue_attributes(QueueUrl=updated.resources["A"], AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    assert new_arn.endswith("-two")
    assert ssm.get_parameter(Name=stack.resources["ArnOfA"])["Parameter"]["Value"] == new_arn
    redrive = sqs.get_queue_attributes(QueueUrl=stack.resources["Q"], AttributeNames=["RedrivePolicy"])
    assert json.loads(redrive["Attributes"]["RedrivePolicy"])["deadLetterTargetArn"] == new_arn
    assert ssm.get_parameter(Name=stack.resources["ArnOfQ"])["Parameter"]["Version"] == 1
    assert ec2.describe_key_pairs(KeyNames=[stack.resources["K"]])["KeyPairs"][0]["KeyPairId"] == key_id


def _gateway(tags):
    return {
        "V": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.61.0.0/16"}},
        "Igw": {"Type": "AWS::EC2::InternetGateway", "Properties": {"Tags": tags}},
        "Attach": {
            "Type": "AWS::EC2::VPCGatewayAttachment",
            "Properties": {"VpcId": {"Ref": "V"}, "InternetGatewayId": {"Ref": "Igw"}},
        },
    }


def test_a_tag_change_updates_a_gateway_in_place_instead_of_replacing_it(deploy, aws):
    """AWS::EC2::InternetGateway's Tags update with "No interruption" (its schema has no
    create-only property): the same gateway keeps its attachment. moto has no update
    handler, and fix 05 replaced it: the old, still attached gateway failed to delete and
    leaked, and the stack pointed at a new one attached to nothing."""
    stack = deploy(_gateway([{"Key": "Team", "Value": "web"}]))
    updated = deploy(_gateway([{"Key": "Team", "Value": "platform"}, {"Key": "Cost", "Value": "42"}]), update_of=stack)
    assert updated.resources["Igw"] == stack.resources["Igw"]
    ec2 = aws("ec2")
    gateways = ec2.describe_internet_gateways(
        Filters=[{"Name": "attachment.vpc-id", "Values": [stack.resources["V"]]}]
    )["InternetGateways"]
    assert [g["InternetGatewayId"] for g in gateways] == [stack.resources["Igw"]]
    assert {t["Key"]: t["Value"] for t in gateways[0]["Tags"]} == {"Team": "platform", "Cost": "42"}
    aws("cloudformation").delete_stack(StackName=stack.name)
    assert stack.resources["Igw"] not in [
        g["InternetGatewayId"] for g in ec2.describe_internet_gateways()["InternetGateways"]
    ]


def test_an_in_place_change_the_emulator_cannot_apply_fails_loudly(deploy, aws):
    """A VPC's EnableDnsHostnames is not create-only (AWS updates it in place); moto cannot
    update a VPC, so the emulator says so instead of replacing the VPC under its subnets."""
    stack = deploy(_gateway([]))
    changed = _gateway([])
    changed["V"]["Properties"]["EnableDnsHostnames"] = True
    updated = deploy(changed, update_of=stack, expect_ok=False)
    assert updated.status == "UPDATE_ROLLBACK_COMPLETE"
    assert any("not emulated: in-place update of AWS::EC2::VPC V (EnableDnsHostnames)" in f for f in updated.failures())
    assert updated.resources["V"] == stack.resources["V"]
    aws("cloudformation").delete_stack(StackName=stack.name)


def test_a_parameter_updates_its_resources_only_when_its_effective_value_changes(deploy, aws):
    """Fix 21: created on the Default, then updated with the same value passed
    (UsePreviousValue, or the value itself): nothing that uses it is updated;
    a new value, or a new value behind an SSM-typed parameter's path, is."""
    ssm = aws("ssm")
    ssm.put_parameter(Name="/test/fix21/ami", Value="ami-11111111", Type="String")
    parameters = {
        "Word": {"Type": "String", "Default": "one"},
        "Ami": {"Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>", "Default": "/test/fix21/ami"},
    }

    def resources(description: str) -> dict[str, Any]:
        value = {"Fn::Join": ["-", [{"Ref": "Word"}, {"Ref": "Ami"}]]}
        return {
            "Uses": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": value}},
            "Other": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": description}},
        }

    def update(description: str, values: list[dict[str, Any]]) -> dict[str, Any]:
        done = deploy(resources(description), parameters=parameters, parameter_values=values, update_of=stack)
        assert done.status == "UPDATE_COMPLETE", done.failures()
        parameter: dict[str, Any] = ssm.get_parameter(Name=stack.resources["Uses"])["Parameter"]
        return parameter

    stack = deploy(resources("a"), parameters=parameters)  # created on the defaults, as `cdk deploy` does
    created = ssm.get_parameter(Name=stack.resources["Uses"])["Parameter"]["LastModifiedDate"]
    previous = [{"ParameterKey": k, "UsePreviousValue": True} for k in parameters]
    assert update("b", previous)["LastModifiedDate"] == created  # not updated
    same = [{"ParameterKey": "Word", "ParameterValue": "one"}, {"ParameterKey": "Ami", "UsePreviousValue": True}]
    assert update("c", same)["LastModifiedDate"] == created
    changed = update("d", [{"ParameterKey": "Word", "ParameterValue": "two"}, previous[1]])
    assert changed["Value"] == "two-ami-11111111" and changed["LastModifiedDate"] > created
    ssm.put_parameter(Name="/test/fix21/ami", Value="ami-22222222", Type="String", Overwrite=True)
    assert update("e", previous)["Value"] == "two-ami-22222222"  # the path resolved again, as in AWS
