"""``AWS::SSM::Parameter`` (providers/ssm.py)."""

from __future__ import annotations


def test_ssm_parameter_without_name_and_ami_parameter_type(deploy, aws):
    stack = deploy(
        {"P": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": {"Ref": "Ami"}}}},
        parameters={
            "Ami": {
                "Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
                "Default": "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
            }
        },
    )
    name = stack.resources["P"]
    assert name.startswith("CFN-P-")
    assert aws("ssm").get_parameter(Name=name)["Parameter"]["Value"].startswith("ami-")
