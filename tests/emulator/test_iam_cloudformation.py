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


TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def _role(managed=(), inline=None):
    props = {"AssumeRolePolicyDocument": TRUST, "ManagedPolicyArns": list(managed)}
    if inline is not None:
        props["Policies"] = [
            {
                "PolicyName": name,
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}],
                },
            }
            for name, action in inline.items()
        ]
    return {"Role": {"Type": "AWS::IAM::Role", "Properties": props}}


def _attached(aws, stack):
    listed = aws("iam").list_attached_role_policies(RoleName=stack.resources["Role"])["AttachedPolicies"]
    return sorted(p["PolicyArn"] for p in listed)


def _inline(aws, stack):
    return sorted(aws("iam").list_role_policies(RoleName=stack.resources["Role"])["PolicyNames"])


def test_a_role_gets_its_managed_policies_and_loses_them_on_update_and_delete(deploy, aws):
    """ManagedPolicyArns attach AWS managed policies with AWS's documents (moto
    ignored the property: the role had no managed policy at all); an update
    attaches and detaches (AWS::IAM::Role: "Update requires: No interruption");
    deleting the stack detaches before it deletes the role."""
    stack = deploy(_role([BASIC]))
    assert _attached(aws, stack) == [BASIC]
    version = aws("iam").get_policy_version(PolicyArn=BASIC, VersionId="v1")["PolicyVersion"]
    assert version["Document"]["Statement"][0]["Action"] == [
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    ]
    updated = deploy(_role([READ_ONLY]), update_of=stack)
    assert _attached(aws, updated) == [READ_ONLY]
    role_name = stack.resources["Role"]
    aws("cloudformation").delete_stack(StackName=stack.name)
    assert role_name not in [r["RoleName"] for r in aws("iam").list_roles()["Roles"]]


def test_an_unknown_managed_policy_fails_the_role_as_iam_does(deploy):
    """IAM's AttachRolePolicy: NoSuchEntity "Policy ... does not exist or is not attachable"
    (https://docs.aws.amazon.com/IAM/latest/APIReference/API_AttachRolePolicy.html#API_AttachRolePolicy_Errors)."""
    stack = deploy(_role(["arn:aws:iam::aws:policy/NoSuchPolicyWebstack"]), expect_ok=False)
    assert stack.status in ("CREATE_FAILED", "ROLLBACK_COMPLETE", "ROLLBACK_FAILED")
    assert any("does not exist or is not attachable" in f for f in stack.failures()), stack.failures()


def test_an_update_of_inline_policies_and_trust_takes_effect(deploy, aws):
    """moto's update of AWS::IAM::Role kept the old inline policies and trust policy:
    a deploy that narrows a role would have been authorized as before."""
    stack = deploy(_role(inline={"Reads": "s3:GetObject", "Writes": "s3:PutObject"}))
    assert _inline(aws, stack) == ["Reads", "Writes"]
    narrower = _role(inline={"Reads": "s3:GetObject"})
    trust = {**TRUST, "Statement": [{**TRUST["Statement"][0], "Principal": {"Service": "ec2.amazonaws.com"}}]}
    narrower["Role"]["Properties"]["AssumeRolePolicyDocument"] = trust
    updated = deploy(narrower, update_of=stack)
    assert _inline(aws, updated) == ["Reads"]
    role = aws("iam").get_role(RoleName=updated.resources["Role"])["Role"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}
