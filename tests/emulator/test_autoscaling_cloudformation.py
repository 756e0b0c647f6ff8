"""Auto Scaling policies and in-place group updates (providers/autoscaling.py)."""

from __future__ import annotations


def test_scaling_policy_target_tracking(deploy, aws):
    stack = deploy(
        {
            "Lt": {
                "Type": "AWS::EC2::LaunchTemplate",
                "Properties": {"LaunchTemplateData": {"ImageId": "ami-12345678", "InstanceType": "t3.micro"}},
            },
            "G": {
                "Type": "AWS::AutoScaling::AutoScalingGroup",
                "Properties": {
                    "MinSize": "1",
                    "MaxSize": "2",
                    "AvailabilityZones": ["us-east-1a"],
                    "LaunchTemplate": {
                        "LaunchTemplateId": {"Ref": "Lt"},
                        "Version": {"Fn::GetAtt": ["Lt", "LatestVersionNumber"]},
                    },
                },
            },
            "P": {
                "Type": "AWS::AutoScaling::ScalingPolicy",
                "Properties": {
                    "AutoScalingGroupName": {"Ref": "G"},
                    "PolicyType": "TargetTrackingScaling",
                    "TargetTrackingConfiguration": {
                        "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
                        "TargetValue": 50,
                    },
                },
            },
        }
    )
    policy = aws("autoscaling").describe_policies(AutoScalingGroupName=stack.resources["G"])["ScalingPolicies"][0]
    assert policy["PolicyARN"] == stack.resources["P"]
    assert policy["TargetTrackingConfiguration"]["TargetValue"] == 50


def test_auto_scaling_group_updates_in_place(deploy, aws):
    lt = {
        "Type": "AWS::EC2::LaunchTemplate",
        "Properties": {"LaunchTemplateData": {"ImageId": "ami-12345678", "InstanceType": "t3.micro"}},
    }
    group = {
        "Type": "AWS::AutoScaling::AutoScalingGroup",
        "Properties": {
            "MinSize": "1",
            "MaxSize": "2",
            "AvailabilityZones": ["us-east-1a"],
            "LaunchTemplate": {
                "LaunchTemplateId": {"Ref": "Lt"},
                "Version": {"Fn::GetAtt": ["Lt", "LatestVersionNumber"]},
            },
        },
    }
    sched = {
        "Type": "AWS::AutoScaling::ScheduledAction",
        "Properties": {"AutoScalingGroupName": {"Ref": "G"}, "MinSize": 1, "MaxSize": 2, "Recurrence": "0 7 * * *"},
    }
    stack = deploy({"Lt": lt, "G": group, "S": sched})
    asg = aws("autoscaling")
    before = asg.describe_auto_scaling_groups(AutoScalingGroupNames=[stack.resources["G"]])["AutoScalingGroups"][0]
    lt["Properties"]["LaunchTemplateData"]["InstanceType"] = "t3.small"
    group["Properties"].update(MaxSize="3", DesiredCapacity="2")
    updated = deploy({"Lt": lt, "G": group, "S": sched}, update_of=stack)
    assert updated.resources["G"] == stack.resources["G"]  # same group, as in CloudFormation
    after = asg.describe_auto_scaling_groups(AutoScalingGroupNames=[stack.resources["G"]])["AutoScalingGroups"][0]
    assert (after["MaxSize"], after["DesiredCapacity"], after["LaunchTemplate"]["Version"]) == (3, 2, "2")
    assert before["Instances"][0]["InstanceId"] in [i["InstanceId"] for i in after["Instances"]]
    assert asg.describe_scheduled_actions(AutoScalingGroupName=stack.resources["G"])["ScheduledUpdateGroupActions"]
    aws("cloudformation").delete_stack(StackName=stack.name)
    assert stack.resources["S"] not in [
        a["ScheduledActionName"] for a in asg.describe_scheduled_actions()["ScheduledUpdateGroupActions"]
    ]
