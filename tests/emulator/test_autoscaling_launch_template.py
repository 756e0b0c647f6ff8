"""Instances an Auto Scaling group launches get their launch template
version's settings, as RunInstances gives them
(webstack_emulator/template_launch.py)."""

from __future__ import annotations

import base64

import pytest
from botocore.exceptions import ClientError

from .templates import RECIPE

AL2023 = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-x86_64"
AL2 = "/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2"
USER_DATA = "#!/bin/bash\necho webstack\n"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def _parameters(ami_path=AL2023):
    return {"Ami": {"Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>", "Default": ami_path}}


def _template_data(**changes):
    """The launch template data webstack's WebTier renders (IMDSv2, profile,
    CMK-encrypted gp3 root volume, tags, user data, one security group)."""
    data = {
        "ImageId": {"Ref": "Ami"},
        "InstanceType": "t3.micro",
        "IamInstanceProfile": {"Arn": {"Fn::GetAtt": ["Profile", "Arn"]}},
        "MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 1},
        "Monitoring": {"Enabled": True},
        "SecurityGroupIds": [{"Fn::GetAtt": ["Sg", "GroupId"]}],
        "UserData": {"Fn::Base64": USER_DATA},
        "TagSpecifications": [
            {"ResourceType": "instance", "Tags": [{"Key": "Role", "Value": "web"}]},
            {"ResourceType": "volume", "Tags": [{"Key": "Role", "Value": "web-volume"}]},
        ],
        "BlockDeviceMappings": [
            {
                "DeviceName": "/dev/xvda",
                "Ebs": {
                    "DeleteOnTermination": True,
                    "Encrypted": True,
                    "KmsKeyId": {"Fn::GetAtt": ["Key", "Arn"]},
                    "VolumeSize": 16,
                    "VolumeType": "gp3",
                },
            }
        ],
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _resources(data=None, *, desired="1", group_extra=None):
    group = {
        "Type": "AWS::AutoScaling::AutoScalingGroup",
        "Properties": {
            "MinSize": "0",
            "MaxSize": "3",
            "DesiredCapacity": desired,
            "AvailabilityZones": ["us-east-1a"],
            "LaunchTemplate": {
                "LaunchTemplateId": {"Ref": "Lt"},
                "Version": {"Fn::GetAtt": ["Lt", "LatestVersionNumber"]},
            },
            **(group_extra or {}),
        },
    }
    return {
        "Key": {
            "Type": "AWS::KMS::Key",
            "Properties": {"KeyPolicy": {"Version": "2012-10-17", "Statement": list(RECIPE)}},
        },
        "KeyAlias": {
            "Type": "AWS::KMS::Alias",
            "Properties": {"AliasName": {"Fn::Sub": "alias/web-${AWS::StackName}"}, "TargetKeyId": {"Ref": "Key"}},
        },
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": TRUST}},
        "Profile": {"Type": "AWS::IAM::InstanceProfile", "Properties": {"Roles": [{"Ref": "Role"}]}},
        "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "web instances"}},
        "Lt": {"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": data or _template_data()}},
        "Group": group,
    }


def _instance_ids(aws, group_name):
    (group,) = aws("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[group_name])["AutoScalingGroups"]
    return [i["InstanceId"] for i in group["Instances"]]


def _instances(aws, group_name):
    ids = _instance_ids(aws, group_name)
    if not ids:
        return []
    reservations = aws("ec2").describe_instances(InstanceIds=ids)["Reservations"]
    return [i for r in reservations for i in r["Instances"]]


def _volumes(aws, instance):
    ids = [m["Ebs"]["VolumeId"] for m in instance.get("BlockDeviceMappings", [])]
    return aws("ec2").describe_volumes(VolumeIds=ids)["Volumes"] if ids else []


def _tags(resource):
    return {t["Key"]: t["Value"] for t in resource.get("Tags", [])}


def _key_arn(aws, stack):
    return aws("kms").describe_key(KeyId=stack.resources["Key"])["KeyMetadata"]["Arn"]


def _ami(aws, path):
    return aws("ssm").get_parameter(Name=path)["Parameter"]["Value"]


def test_instances_get_the_versions_imdsv2_profile_and_one_encrypted_gp3_volume(deploy, aws):
    stack = deploy(_resources(desired="2"), parameters=_parameters())
    instances = _instances(aws, stack.resources["Group"])
    assert len(instances) == 2
    profile_arn = aws("iam").get_instance_profile(InstanceProfileName=stack.resources["Profile"])["InstanceProfile"][
        "Arn"
    ]
    group_id = stack.resources["Sg"]
    for instance in instances:
        assert instance["MetadataOptions"]["HttpTokens"] == "required"
        assert instance["MetadataOptions"]["HttpPutResponseHopLimit"] == 1
        assert instance["MetadataOptions"]["HttpEndpoint"] == "enabled"
        assert instance["IamInstanceProfile"]["Arn"] == profile_arn
        assert (instance["ImageId"], instance["InstanceType"]) == (_ami(aws, AL2023), "t3.micro")
        assert [g["GroupId"] for g in instance["SecurityGroups"]] == [group_id]
        assert instance["Monitoring"]["State"] == "enabled"
        assert "KeyName" not in instance
        assert _tags(instance)["Role"] == "web"
        assert _tags(instance)["aws:ec2launchtemplate:version"] == "1"
        user_data = aws("ec2").describe_instance_attribute(InstanceId=instance["InstanceId"], Attribute="userData")
        assert base64.b64decode(user_data["UserData"]["Value"]).decode() == USER_DATA
        # Exactly the template's one mapping, at the AMI's root device: no moto default volume beside it.
        assert (
            [m["DeviceName"] for m in instance["BlockDeviceMappings"]] == ["/dev/xvda"] == [instance["RootDeviceName"]]
        )
        (volume,) = _volumes(aws, instance)
        assert (volume["Encrypted"], volume["KmsKeyId"]) == (True, _key_arn(aws, stack))
        assert (volume["VolumeType"], volume["Size"]) == ("gp3", 16)
        assert instance["BlockDeviceMappings"][0]["Ebs"]["DeleteOnTermination"] is True
        assert _tags(volume)["Role"] == "web-volume"


def test_scale_out_after_a_new_version_launches_the_new_versions_settings(deploy, aws):
    stack = deploy(_resources(), parameters=_parameters())
    name = stack.resources["Group"]
    (first,) = _instances(aws, name)
    new_version = _template_data(
        InstanceType="t3.small",
        MetadataOptions={"HttpTokens": "required", "HttpPutResponseHopLimit": 2},
        BlockDeviceMappings=[
            {
                "DeviceName": "/dev/xvda",
                "Ebs": {"Encrypted": True, "KmsKeyId": {"Ref": "KeyAlias"}, "VolumeSize": 24, "VolumeType": "gp3"},
            }
        ],
    )
    deploy(_resources(new_version), parameters=_parameters(), update_of=stack)
    # Running instances keep their version (API_LaunchTemplate.html); the next launch uses the new one.
    assert _instance_ids(aws, name) == [first["InstanceId"]]
    aws("autoscaling").set_desired_capacity(AutoScalingGroupName=name, DesiredCapacity=2)
    by_id = {i["InstanceId"]: i for i in _instances(aws, name)}
    old, new = by_id.pop(first["InstanceId"]), next(iter(by_id.values()))
    assert (old["InstanceType"], old["MetadataOptions"]["HttpPutResponseHopLimit"]) == ("t3.micro", 1)
    assert (new["InstanceType"], new["MetadataOptions"]["HttpPutResponseHopLimit"]) == ("t3.small", 2)
    assert _tags(new)["aws:ec2launchtemplate:version"] == "2"
    (volume,) = _volumes(aws, new)
    # The alias in the template, the key's ARN on the volume (as DescribeVolumes reports it).
    assert (volume["Size"], volume["KmsKeyId"]) == (24, _key_arn(aws, stack))
    # Not set in the new mapping, which replaces the AMI's root settings field by field: the AMI's value.
    (image,) = aws("ec2").describe_images(ImageIds=[new["ImageId"]])["Images"]
    ami_default = image["BlockDeviceMappings"][0]["Ebs"]["DeleteOnTermination"]
    assert new["BlockDeviceMappings"][0]["Ebs"]["DeleteOnTermination"] is ami_default


@pytest.mark.parametrize(
    ("ami_path", "tokens", "hops"),
    [
        # No ImdsSupport on the AMI, no account default: "optional", hop limit 1
        # (API_InstanceMetadataOptionsRequest.html).
        (AL2, "optional", 1),
        # AL2023 AMIs have ImdsSupport v2.0: "required", hop limit 2
        # (https://docs.aws.amazon.com/linux/al2023/ug/imdsv2.html).
        (AL2023, "required", 2),
    ],
)
def test_template_without_metadata_options_gets_the_amis_default(deploy, aws, ami_path, tokens, hops):
    stack = deploy(_resources(_template_data(MetadataOptions=None)), parameters=_parameters(ami_path))
    (instance,) = _instances(aws, stack.resources["Group"])
    assert instance["MetadataOptions"]["HttpTokens"] == tokens
    assert instance["MetadataOptions"]["HttpPutResponseHopLimit"] == hops


def test_template_without_mappings_gets_the_amis_root_volume_only(deploy, aws):
    stack = deploy(_resources(_template_data(BlockDeviceMappings=None)), parameters=_parameters(AL2))
    (instance,) = _instances(aws, stack.resources["Group"])
    (image,) = aws("ec2").describe_images(ImageIds=[_ami(aws, AL2)])["Images"]
    (root,) = image["BlockDeviceMappings"]
    assert [m["DeviceName"] for m in instance["BlockDeviceMappings"]] == [root["DeviceName"]]
    (volume,) = _volumes(aws, instance)
    assert (volume["SnapshotId"], volume["Size"]) == (root["Ebs"]["SnapshotId"], root["Ebs"]["VolumeSize"])
    assert volume["Encrypted"] is False


def test_mappings_merge_with_the_amis_and_add_devices(deploy, aws):
    mappings = [
        {"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 20, "VolumeType": "gp3", "DeleteOnTermination": True}},
        {"DeviceName": "/dev/sdf", "Ebs": {"VolumeSize": 50, "Encrypted": True, "KmsKeyId": {"Ref": "Key"}}},
        {"DeviceName": "/dev/sdg", "Ebs": {"VolumeSize": 10, "Encrypted": True}},
    ]
    stack = deploy(_resources(_template_data(BlockDeviceMappings=mappings)), parameters=_parameters(AL2))
    (instance,) = _instances(aws, stack.resources["Group"])
    by_device = {m["DeviceName"]: m["Ebs"]["VolumeId"] for m in instance["BlockDeviceMappings"]}
    assert sorted(by_device) == ["/dev/sdf", "/dev/sdg", "/dev/xvda"]
    volumes = {v["VolumeId"]: v for v in _volumes(aws, instance)}
    root, data, other = (volumes[by_device[d]] for d in ("/dev/xvda", "/dev/sdf", "/dev/sdg"))
    assert (root["Size"], root["VolumeType"], root["Encrypted"]) == (20, "gp3", False)
    # The key id in the template, the key's ARN on the volume.
    assert (data["Size"], data["Encrypted"], data["KmsKeyId"]) == (50, True, _key_arn(aws, stack))
    # Encrypted without a key: the account's default EBS key, the AWS managed aws/ebs.
    assert (other["Encrypted"], other["KmsKeyId"]) == (True, _key_arn_of(aws, "alias/aws/ebs"))


def _key_arn_of(aws, key_ref):
    return aws("kms").describe_key(KeyId=key_ref)["KeyMetadata"]["Arn"]


def test_scale_in_deletes_volumes_marked_delete_on_termination(deploy, aws):
    stack = deploy(_resources(), parameters=_parameters())
    (instance,) = _instances(aws, stack.resources["Group"])
    (volume,) = _volumes(aws, instance)
    aws("autoscaling").set_desired_capacity(AutoScalingGroupName=stack.resources["Group"], DesiredCapacity=0)
    with pytest.raises(ClientError, match=r"InvalidVolume\.NotFound"):
        aws("ec2").describe_volumes(VolumeIds=[volume["VolumeId"]])


def _api_template(aws, name, versions):
    ec2 = aws("ec2")
    image = _ami(aws, AL2023)
    first = ec2.create_launch_template(LaunchTemplateName=name, LaunchTemplateData={"ImageId": image, **versions[0]})
    template_id = first["LaunchTemplate"]["LaunchTemplateId"]
    for data in versions[1:]:
        ec2.create_launch_template_version(LaunchTemplateId=template_id, LaunchTemplateData={"ImageId": image, **data})
    return template_id


def _api_group(aws, name, template_id, version, desired=1):
    aws("autoscaling").create_auto_scaling_group(
        AutoScalingGroupName=name,
        LaunchTemplate={"LaunchTemplateId": template_id, "Version": version},
        MinSize=0,
        MaxSize=3,
        DesiredCapacity=desired,
        AvailabilityZones=["us-east-1a"],
    )


def test_default_and_latest_versions_are_resolved_at_each_launch(aws):
    v1 = {"InstanceType": "t3.micro", "MetadataOptions": {"HttpTokens": "optional", "HttpPutResponseHopLimit": 1}}
    v2 = {"InstanceType": "t3.small", "MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 3}}
    template_id = _api_template(aws, "versions-lt", [v1, v2])
    _api_group(aws, "versions-default", template_id, "$Default")
    _api_group(aws, "versions-latest", template_id, "$Latest")
    (on_default,) = _instances(aws, "versions-default")
    (on_latest,) = _instances(aws, "versions-latest")
    assert (on_default["InstanceType"], on_default["MetadataOptions"]["HttpTokens"]) == ("t3.micro", "optional")
    assert (on_latest["InstanceType"], on_latest["MetadataOptions"]["HttpPutResponseHopLimit"]) == ("t3.small", 3)
    aws("ec2").modify_launch_template(LaunchTemplateId=template_id, DefaultVersion="2")
    aws("autoscaling").set_desired_capacity(AutoScalingGroupName="versions-default", DesiredCapacity=2)
    types = sorted(i["InstanceType"] for i in _instances(aws, "versions-default"))
    assert types == ["t3.micro", "t3.small"]


def test_missing_instance_profile_fails_with_awss_validation_error(aws):
    arn = "arn:aws:iam::123456789012:instance-profile/does-not-exist"
    template_id = _api_template(
        aws, "no-profile-lt", [{"InstanceType": "t3.micro", "IamInstanceProfile": {"Arn": arn}}]
    )
    with pytest.raises(ClientError) as refused:
        _api_group(aws, "no-profile", template_id, "$Latest")
    assert refused.value.response["Error"]["Code"] == "ValidationError"
    assert refused.value.response["Error"]["Message"] == (
        "You must use a valid fully-formed launch template. Value "
        f"({arn}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN"
    )


def _mixed_instances(on_demand_percentage=100):
    """What WebTier renders with extra instance types: the template in a
    MixedInstancesPolicy, the primary type first, all On-Demand."""
    policy = {
        "MixedInstancesPolicy": {
            "LaunchTemplate": {
                "LaunchTemplateSpecification": {
                    "LaunchTemplateId": {"Ref": "Lt"},
                    "Version": {"Fn::GetAtt": ["Lt", "LatestVersionNumber"]},
                },
                "Overrides": [{"InstanceType": "m5.large"}, {"InstanceType": "t3.micro"}],
            },
            "InstancesDistribution": {
                "OnDemandPercentageAboveBaseCapacity": on_demand_percentage,
                "OnDemandAllocationStrategy": "prioritized",
            },
        }
    }
    resources = _resources(group_extra=policy)
    del resources["Group"]["Properties"]["LaunchTemplate"]
    return resources


def test_mixed_instances_group_launches_its_first_override_type(deploy, aws):
    stack = deploy(_mixed_instances(), parameters=_parameters())
    (instance,) = _instances(aws, stack.resources["Group"])
    assert instance["InstanceType"] == "m5.large"
    assert instance["MetadataOptions"]["HttpTokens"] == "required"
    assert len(instance["BlockDeviceMappings"]) == 1


def test_mixed_instances_group_with_spot_capacity_fails_loudly(deploy):
    stack = deploy(_mixed_instances(on_demand_percentage=0), parameters=_parameters(), expect_ok=False)
    (failure,) = [f for f in stack.failures() if f.startswith("Group: ")]
    assert "not emulated" in failure and "OnDemandPercentageAboveBaseCapacity 0 (Spot Instances)" in failure


TWO_ENIS = [
    {"DeviceIndex": 0, "Groups": [{"Fn::GetAtt": ["Sg", "GroupId"]}]},
    {"DeviceIndex": 1, "Groups": [{"Fn::GetAtt": ["Sg", "GroupId"]}]},
]


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"NetworkInterfaces": TWO_ENIS, "SecurityGroupIds": None}, "NetworkInterfaces"),
        ({"InstanceRequirements": {"VCpuCount": {"Min": 2}, "MemoryMiB": {"Min": 4096}}}, "InstanceRequirements"),
        (
            {"CapacityReservationSpecification": {"CapacityReservationPreference": "none"}},
            "CapacityReservationSpecification",
        ),
        (
            {"BlockDeviceMappings": [{"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"}]},
            "BlockDeviceMappings /dev/sdb VirtualName ephemeral0",
        ),
    ],
)
def test_unsupported_template_setting_fails_the_launch_loudly(deploy, aws, changes, named):
    stack = deploy(_resources(_template_data(**changes)), parameters=_parameters(), expect_ok=False)
    assert stack.status == "ROLLBACK_COMPLETE"
    (failure,) = [f for f in stack.failures() if f.startswith("Group: ")]
    assert "not emulated: launch template lt-" in failure
    assert f"sets {named}" in failure


def test_unsupported_setting_fails_an_api_scale_out_with_a_validation_error(aws):
    template_id = _api_template(
        aws,
        "unsupported-lt",
        [{"InstanceType": "t3.micro"}, {"InstanceType": "t3.micro", "CpuOptions": {"CoreCount": 1}}],
    )
    _api_group(aws, "unsupported", template_id, "1")
    aws("autoscaling").update_auto_scaling_group(
        AutoScalingGroupName="unsupported", LaunchTemplate={"LaunchTemplateId": template_id, "Version": "2"}
    )
    with pytest.raises(ClientError) as refused:
        aws("autoscaling").set_desired_capacity(AutoScalingGroupName="unsupported", DesiredCapacity=2)
    error = refused.value.response["Error"]
    assert error["Code"] == "ValidationError"
    assert error["Message"].startswith(f"not emulated: launch template {template_id} version 2 ")
    assert "sets CpuOptions" in error["Message"]
    assert len(_instance_ids(aws, "unsupported")) == 1
