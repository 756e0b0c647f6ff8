"""Auto Scaling launches instances with CMK-encrypted EBS volumes only if the
key policy admits its service-linked role (pitfall D1; webstack_emulator/ebs_launch.py)."""

from __future__ import annotations

from webstack_emulator import ebs_launch

from .templates import RECIPE, ROOT, SLR_USE

ACCOUNT = "123456789012"
POLICY_DENIED = (
    "Received 0 SUCCESS signal(s) out of 1. Unable to satisfy 100% MinSuccessfulInstancesPercent requirement"
)


def _resources(key_statements=RECIPE, *, creation_policy=False, key_enabled=True):
    group = {
        "Type": "AWS::AutoScaling::AutoScalingGroup",
        "Properties": {
            "MinSize": "1",
            "MaxSize": "3",
            "DesiredCapacity": "1",
            "AvailabilityZones": ["us-east-1a"],
            "LaunchTemplate": {
                "LaunchTemplateId": {"Ref": "Lt"},
                "Version": {"Fn::GetAtt": ["Lt", "LatestVersionNumber"]},
            },
        },
    }
    if creation_policy:
        group["CreationPolicy"] = {"ResourceSignal": {"Count": 1, "Timeout": "PT5M"}}
    return {
        "Key": {
            "Type": "AWS::KMS::Key",
            "Properties": {
                "Enabled": key_enabled,
                "KeyPolicy": {"Version": "2012-10-17", "Statement": list(key_statements)},
            },
        },
        "Lt": {
            "Type": "AWS::EC2::LaunchTemplate",
            "Properties": {
                "LaunchTemplateData": {
                    "ImageId": "ami-12345678",
                    "InstanceType": "t3.micro",
                    "BlockDeviceMappings": [
                        {
                            "DeviceName": "/dev/xvda",
                            "Ebs": {
                                "Encrypted": True,
                                "KmsKeyId": {"Fn::GetAtt": ["Key", "Arn"]},
                                "VolumeType": "gp3",
                                "VolumeSize": 8,
                            },
                        }
                    ],
                }
            },
        },
        "Group": group,
    }


def _activities(aws, group_name):
    return aws("autoscaling").describe_scaling_activities(AutoScalingGroupName=group_name)["Activities"]


def _instances(aws, group_name):
    (group,) = aws("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[group_name])["AutoScalingGroups"]
    return group["Instances"]


def test_key_policy_admitting_the_service_linked_role_launches_and_scales_out(deploy, aws):
    stack = deploy(_resources())
    name = stack.resources["Group"]
    assert len(_instances(aws, name)) == 1
    aws("autoscaling").set_desired_capacity(AutoScalingGroupName=name, DesiredCapacity=2)
    assert len(_instances(aws, name)) == 2
    activities = _activities(aws, name)
    assert [a["StatusCode"] for a in activities] == ["Successful", "Successful"]
    assert all(a["Description"].startswith("Launching a new EC2 instance: i-") for a in activities)


def test_key_policy_without_the_service_linked_role_fails_every_launch(deploy, aws):
    # No CreationPolicy: CloudFormation does not wait for instances, the stack
    # is CREATE_COMPLETE with a group that has none -- as in AWS.
    stack = deploy(_resources((ROOT,)))
    name = stack.resources["Group"]
    assert _instances(aws, name) == []
    (failed,) = _activities(aws, name)
    assert (failed["StatusCode"], failed["StatusMessage"]) == ("Failed", "Client.InternalError: Client error on launch")
    aws("autoscaling").set_desired_capacity(AutoScalingGroupName=name, DesiredCapacity=2)
    assert _instances(aws, name) == []
    assert [a["StatusCode"] for a in _activities(aws, name)] == ["Failed"] * 3
    assert (
        aws("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"][0][
            "DesiredCapacity"
        ]
        == 2
    )


def test_the_create_grant_statement_is_needed_too(deploy, aws):
    stack = deploy(_resources((ROOT, SLR_USE)))
    assert _instances(aws, stack.resources["Group"]) == []
    assert [a["StatusCode"] for a in _activities(aws, stack.resources["Group"])] == ["Failed"]


def test_refused_launch_fails_a_group_with_a_creation_policy_and_rolls_back(deploy):
    stack = deploy(_resources((ROOT,), creation_policy=True), expect_ok=False)
    assert stack.status == "ROLLBACK_COMPLETE", stack.failures()
    assert any(f.startswith("Group: ") and POLICY_DENIED in f for f in stack.failures()), stack.failures()


def test_creation_policy_with_a_usable_key_completes(deploy):
    deploy(_resources(creation_policy=True))


def test_disabled_key_fails_the_launch_with_invalid_state(deploy, aws):
    stack = deploy(_resources(key_enabled=False))
    (failed,) = _activities(aws, stack.resources["Group"])
    assert failed["StatusMessage"] == ebs_launch.KEY_INVALID_STATE


def test_launch_refusal_names_the_refused_call(deploy, aws):
    from moto.autoscaling.models import autoscaling_backends

    stack = deploy(_resources((ROOT, SLR_USE)))
    group = autoscaling_backends[ACCOUNT]["us-east-1"].autoscaling_groups[stack.resources["Group"]]
    refusal = ebs_launch.launch_refusal(group)
    assert refusal is not None and refusal.refused == "kms:CreateGrant"
