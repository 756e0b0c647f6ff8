"""The rules of webstack_pitfalls/rules/kms.py: AsgEbsKeyUsableByAutoScaling (D1), KeyPolicyKeepsAccountRoot (D17)."""

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms

from .conftest import CaseBook, ack, module_results

D1 = "Webstack-AsgEbsKeyUsableByAutoScaling"
D17 = "Webstack-KeyPolicyKeepsAccountRoot"

book = CaseBook()
fired = module_results(book)


# -- D1 KMS key on Auto Scaling EBS volumes -----------------------------------


def _encrypted_launch_template(stack, key):
    return ec2.LaunchTemplate(
        stack,
        "LaunchTemplate",
        machine_image=ec2.MachineImage.latest_amazon_linux2023(),
        instance_type=ec2.InstanceType("t3.micro"),
        block_devices=[
            ec2.BlockDevice(
                device_name="/dev/xvda",
                volume=ec2.BlockDeviceVolume.ebs(20, encrypted=True, kms_key=key),
            )
        ],
    )


def _grant_asg_slr(key, *, by_condition: bool):
    slr = cdk.Stack.of(key).format_arn(
        service="iam",
        region="",
        resource="role",
        resource_name="aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
    )
    principals: list[iam.IPrincipal]
    if by_condition:
        # Principal * scoped by aws:PrincipalArn: valid even before the role exists.
        principals = [iam.AnyPrincipal()]
        scope = {"ArnEquals": {"aws:PrincipalArn": slr}}
    else:
        principals = [iam.ArnPrincipal(slr)]
        scope = {}
    key.add_to_resource_policy(
        iam.PolicyStatement(
            principals=principals,
            actions=["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
            resources=["*"],
            conditions=scope or None,
        )
    )
    key.add_to_resource_policy(
        iam.PolicyStatement(
            principals=principals,
            actions=["kms:CreateGrant"],
            resources=["*"],
            conditions={**scope, "Bool": {"kms:GrantIsForAWSResource": True}},
        )
    )


@book.case("D1Good")
def _(stack):
    key = kms.Key(stack, "VolumeKey", enable_key_rotation=True)
    _grant_asg_slr(key, by_condition=True)
    _encrypted_launch_template(stack, key)


@book.case("D1BadSlrPrincipal")
def _(stack):
    key = kms.Key(stack, "VolumeKey", enable_key_rotation=True)
    _grant_asg_slr(key, by_condition=False)
    _encrypted_launch_template(stack, key)


@book.case("D1Bad")
def _(stack):
    _encrypted_launch_template(stack, kms.Key(stack, "VolumeKey", enable_key_rotation=True))


@book.case("D1Acked")
def _(stack):
    key = kms.Key(stack, "VolumeKey", enable_key_rotation=True)
    _encrypted_launch_template(stack, key)
    ack(key, f"{D1}[KeyPolicy]")


@book.case("D1AckedSlrPrincipal")
def _(stack):
    key = kms.Key(stack, "VolumeKey", enable_key_rotation=True)
    _grant_asg_slr(key, by_condition=False)
    _encrypted_launch_template(stack, key)
    ack(key, f"{D1}[SlrPrincipal]")


def test_d1_key_policy_for_asg_service_linked_role_is_compliant(fired):
    assert fired("D1Good", D1) == set()


def test_d1_default_key_policy_fires(fired):
    assert fired("D1Bad", D1) == {f"{D1}[KeyPolicy]"}


def test_d1_service_linked_role_as_direct_principal_fires(fired):
    # Permissions are complete, but the policy is rejected while the role does not exist.
    assert fired("D1BadSlrPrincipal", D1) == {f"{D1}[SlrPrincipal]"}


def test_d1_acknowledged(fired):
    assert fired("D1Acked", D1) == set()


def test_d1_service_linked_role_as_direct_principal_acknowledged(fired):
    assert fired("D1AckedSlrPrincipal", D1) == set()


# -- D17 key policy keeps the account root -------------------------------------

_SERVICE_USE_ONLY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "logs.eu-west-1.amazonaws.com"},
            "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:GenerateDataKey*"],
            "Resource": "*",
        }
    ],
}


def d17_key_without_account_root(stack):
    """A replaced key policy that only lets a service use the key (no one may manage it)."""
    return kms.CfnKey(stack, "Key", key_policy=_SERVICE_USE_ONLY, enable_key_rotation=True)


def d17_root_scoped_to_use(stack):
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{stack.account}:root"},
                "Action": ["kms:Decrypt", "kms:Encrypt"],
                "Resource": "*",
            }
        ],
    }
    return kms.CfnKey(stack, "Key", key_policy=policy, enable_key_rotation=True)


@book.case("D17Good")
def d17_good(stack):
    kms.Key(stack, "Key", enable_key_rotation=True)


@book.case("D17Bad")
def _(stack):
    d17_key_without_account_root(stack)


@book.case("D17BadRootUseOnly")
def _(stack):
    d17_root_scoped_to_use(stack)


@book.case("D17Acked")
def _(stack):
    ack(d17_key_without_account_root(stack), f"{D17}[NoAccountRoot]")


def test_d17_default_key_policy_is_compliant(fired):
    assert fired("D17Good", D17) == set()


def test_d17_policy_without_account_root_fires(fired):
    assert fired("D17Bad", D17) == {f"{D17}[NoAccountRoot]"}


def test_d17_account_root_that_cannot_manage_the_key_fires(fired):
    assert fired("D17BadRootUseOnly", D17) == {f"{D17}[NoAccountRoot]"}


def test_d17_acknowledged(fired):
    assert fired("D17Acked", D17) == set()


def test_compliant_cases_are_clean_for_every_rule(fired):
    assert fired.dirty_compliant_cases() == {}


def test_every_finding_has_an_acknowledged_case(fired):
    for rule in (D1, D17):
        assert fired.without_acknowledged_case(rule) == set()
