"""EC2: security-group rules, AWS-strict deletes and instance ENIs, the
published CloudFront prefix-list id (providers/ec2.py)."""

from __future__ import annotations

import botocore.exceptions
import pytest


def test_security_group_rules_with_prefix_list_and_egress_to_group(deploy, aws):
    stack = deploy(
        {
            "V": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.1.0.0/16"}},
            "A": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "alb", "VpcId": {"Ref": "V"}}},
            "B": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "app", "VpcId": {"Ref": "V"}}},
            "In": {
                "Type": "AWS::EC2::SecurityGroupIngress",
                "Properties": {
                    "GroupId": {"Fn::GetAtt": ["A", "GroupId"]},
                    "IpProtocol": "tcp",
                    "FromPort": 443,
                    "ToPort": 443,
                    "SourcePrefixListId": "pl-3b927c52",
                },
            },
            "Out": {
                "Type": "AWS::EC2::SecurityGroupEgress",
                "Properties": {
                    "GroupId": {"Fn::GetAtt": ["A", "GroupId"]},
                    "IpProtocol": "tcp",
                    "FromPort": 80,
                    "ToPort": 80,
                    "DestinationSecurityGroupId": {"Fn::GetAtt": ["B", "GroupId"]},
                },
            },
        }
    )
    group = aws("ec2").describe_security_groups(GroupIds=[stack.resources["A"]])["SecurityGroups"][0]
    assert group["IpPermissions"][0]["PrefixListIds"] == [{"PrefixListId": "pl-3b927c52"}]
    assert any(
        p.get("UserIdGroupPairs", [{}])[0].get("GroupId") == stack.resources["B"]
        for p in group["IpPermissionsEgress"]
        if p.get("UserIdGroupPairs")
    )


def test_cloudfront_origin_facing_prefix_list_has_the_published_id(aws):
    ec2 = aws("ec2", "us-west-2")
    lists = ec2.describe_managed_prefix_lists(
        Filters=[{"Name": "prefix-list-name", "Values": ["com.amazonaws.global.cloudfront.origin-facing"]}]
    )["PrefixLists"]
    assert [pl["PrefixListId"] for pl in lists] == ["pl-82a045eb"]
    assert lists[0]["OwnerId"] == "AWS"
    assert ec2.describe_managed_prefix_lists(PrefixListIds=["pl-82a045eb"])["PrefixLists"]


def test_delete_vpc_and_subnet_refuse_while_dependents_exist(aws):

    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.60.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.60.0.0/24")["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    group = ec2.create_security_group(GroupName="used", Description="used", VpcId=vpc)["GroupId"]
    eni = ec2.create_network_interface(SubnetId=subnet, Groups=[group])["NetworkInterface"]["NetworkInterfaceId"]
    with pytest.raises(botocore.exceptions.ClientError, match="DependencyViolation"):
        ec2.delete_subnet(SubnetId=subnet)
    with pytest.raises(botocore.exceptions.ClientError, match="has a dependent object"):
        ec2.delete_security_group(GroupId=group)
    ec2.delete_network_interface(NetworkInterfaceId=eni)
    ec2.delete_security_group(GroupId=group)
    ec2.delete_subnet(SubnetId=subnet)
    with pytest.raises(botocore.exceptions.ClientError, match=f"has dependencies.*internet gateway {igw}"):
        ec2.delete_vpc(VpcId=vpc)
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    ec2.delete_vpc(VpcId=vpc)


def test_terminated_instance_takes_its_primary_network_interface(aws):
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.61.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.61.0.0/24")["Subnet"]["SubnetId"]
    instance = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=subnet)["Instances"][0]
    assert instance["NetworkInterfaces"][0]["Attachment"]["DeleteOnTermination"] is True
    ec2.terminate_instances(InstanceIds=[instance["InstanceId"]])
    assert (
        ec2.describe_network_interfaces(Filters=[{"Name": "subnet-id", "Values": [subnet]}])["NetworkInterfaces"] == []
    )


def _group_in_use(tags, ingress):
    return {
        "V": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.62.0.0/16"}},
        "S": {
            "Type": "AWS::EC2::Subnet",
            "Properties": {"VpcId": {"Ref": "V"}, "CidrBlock": "10.62.1.0/24", "AvailabilityZone": "us-east-1a"},
        },
        "G": {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {
                "GroupDescription": "web",
                "VpcId": {"Ref": "V"},
                "Tags": tags,
                "SecurityGroupIngress": ingress,
            },
        },
        "Eni": {
            "Type": "AWS::EC2::NetworkInterface",
            "Properties": {"SubnetId": {"Ref": "S"}, "GroupSet": [{"Fn::GetAtt": ["G", "GroupId"]}]},
        },
    }


def test_a_group_in_use_takes_new_tags_and_inline_rules_in_place(deploy, aws):
    """Tags and SecurityGroupIngress of AWS::EC2::SecurityGroup update with "No
    interruption" (only GroupDescription, GroupName and VpcId are create-only). moto
    deleted and re-created the group on every update, which a group in use refuses:
    a config tag change failed dev's deploy with DependencyViolation."""
    https = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "10.0.0.0/8"}
    http = {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "10.0.0.0/8"}
    stack = deploy(_group_in_use([{"Key": "Team", "Value": "web"}], [https]))
    updated = deploy(_group_in_use([{"Key": "Cost", "Value": "42"}], [http]), update_of=stack)
    group_id = stack.resources["G"]
    assert updated.resources["G"] == group_id
    group = aws("ec2").describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
    assert {t["Key"]: t["Value"] for t in group.get("Tags", [])} == {"Cost": "42"}
    assert [(p["FromPort"], [r["CidrIp"] for r in p["IpRanges"]]) for p in group["IpPermissions"]] == [
        (80, ["10.0.0.0/8"])
    ]
    aws("cloudformation").delete_stack(StackName=stack.name)


def test_a_group_whose_create_only_property_changes_is_replaced(deploy, aws):
    """GroupDescription is create-only: CloudFormation replaces the group, a new id."""
    stack = deploy(_group_in_use([], []))
    changed = _group_in_use([], [])
    changed["G"]["Properties"]["GroupDescription"] = "web tier"
    updated = deploy(changed, update_of=stack)
    assert updated.resources["G"] != stack.resources["G"]
    assert (
        aws("ec2").describe_security_groups(GroupIds=[updated.resources["G"]])["SecurityGroups"][0]["Description"]
        == "web tier"
    )
    aws("cloudformation").delete_stack(StackName=stack.name)


def test_inline_egress_replaces_the_default_rule_and_inline_prefix_lists_count(deploy, aws):
    """A group's SecurityGroupEgress list replaces EC2-VPC's default allow-all
    outbound rule (https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html);
    moto ignored inline egress and dropped an inline ingress from a prefix list."""
    stack = deploy(
        _group_in_use(
            [],
            [{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "SourcePrefixListId": "pl-3b927c52"}],
        )
    )
    group_id = stack.resources["G"]
    ec2 = aws("ec2")
    group = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
    assert [[p["PrefixListId"] for p in r["PrefixListIds"]] for r in group["IpPermissions"]] == [["pl-3b927c52"]]
    assert [r["IpProtocol"] for r in group["IpPermissionsEgress"]] == ["-1"]  # no egress list: the default
    aws("cloudformation").delete_stack(StackName=stack.name)
    with_egress = _group_in_use([], [])
    with_egress["G"]["Properties"]["SecurityGroupEgress"] = [
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "10.62.0.0/16"}
    ]
    stack = deploy(with_egress)
    group = ec2.describe_security_groups(GroupIds=[stack.resources["G"]])["SecurityGroups"][0]
    assert [
        (r["IpProtocol"], r.get("FromPort"), [i["CidrIp"] for i in r["IpRanges"]]) for r in group["IpPermissionsEgress"]
    ] == [("tcp", 443, ["10.62.0.0/16"])]
    aws("cloudformation").delete_stack(StackName=stack.name)
