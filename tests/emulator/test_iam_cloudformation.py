"""``AWS::IAM::ServiceLinkedRole`` (providers/iam.py)."""

from __future__ import annotations


def test_service_linked_role(deploy, aws):
    stack = deploy(
        {
            "R": {
                "Type": "AWS::IAM::ServiceLinkedRole",
                "Properties": {"AWSServiceName": "autoscaling.amazonaws.com", "CustomSuffix": "ebs"},
            }
        }
    )
    role = aws("iam").get_role(RoleName=stack.resources["R"])["Role"]
    assert role["Path"] == "/aws-service-role/autoscaling.amazonaws.com/"
    assert role["RoleName"] == "AWSServiceRoleForAutoScaling_ebs"
