"""Native emulation of CDK's Lambda-backed custom resources (providers/cdk_custom.py)."""

from __future__ import annotations

TOKEN = "arn:aws:lambda:us-east-1:123456789012:function:never-invoked"


def test_auto_delete_objects_empties_tagged_bucket_on_stack_delete(deploy, aws):
    stack = deploy(
        {
            "B": {
                "Type": "AWS::S3::Bucket",
                "Properties": {"Tags": [{"Key": "aws-cdk:auto-delete-objects", "Value": "true"}]},
            },
            "Ad": {
                "Type": "Custom::S3AutoDeleteObjects",
                "DependsOn": ["B"],
                "Properties": {"ServiceToken": TOKEN, "BucketName": {"Ref": "B"}},
            },
        }
    )
    s3 = aws("s3")
    bucket = stack.resources["B"]
    s3.put_object(Bucket=bucket, Key="a", Body=b"1")
    aws("cloudformation").delete_stack(StackName=stack.name)
    assert bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_auto_delete_objects_leaves_untagged_bucket_alone(deploy, aws):
    from webstack_emulator.providers.cdk_custom import empty_bucket

    stack = deploy({"B": {"Type": "AWS::S3::Bucket"}})
    aws("s3").put_object(Bucket=stack.resources["B"], Key="a", Body=b"1")
    assert empty_bucket("123456789012", stack.resources["B"]) == 0


def test_restrict_default_security_group_and_restore_on_delete(deploy, aws):
    stack = deploy(
        {
            "V": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.9.0.0/16"}},
            "R": {
                "Type": "Custom::VpcRestrictDefaultSG",
                "Properties": {
                    "ServiceToken": TOKEN,
                    "DefaultSecurityGroupId": {"Fn::GetAtt": ["V", "DefaultSecurityGroup"]},
                    "Account": "123456789012",
                },
            },
        }
    )
    ec2 = aws("ec2")
    group_id = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [stack.resources["V"]]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"][0]["GroupId"]
    group = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
    assert group["IpPermissions"] == [] and group["IpPermissionsEgress"] == []


def test_cross_region_writer_and_reader(deploy, aws):
    name = "/cdk/exports/Consumer/ProducerBucketArn"
    producer = deploy(
        {
            "B": {"Type": "AWS::S3::Bucket"},
            "W": {
                "Type": "Custom::CrossRegionExportWriter",
                "Properties": {
                    "ServiceToken": TOKEN,
                    "WriterProps": {"region": "us-west-2", "exports": {name: {"Fn::GetAtt": ["B", "Arn"]}}},
                },
            },
        }
    )
    ssm_west = aws("ssm", "us-west-2")
    arn = f"arn:aws:s3:::{producer.resources['B']}"
    assert ssm_west.get_parameter(Name=name)["Parameter"]["Value"] == arn
    consumer = deploy(
        {
            "R": {
                "Type": "Custom::CrossRegionExportReader",
                "Properties": {
                    "ServiceToken": TOKEN,
                    "ReaderProps": {
                        "region": "us-west-2",
                        "prefix": "Consumer",
                        "imports": {name: "{{resolve:ssm:" + name + "}}"},
                    },
                },
            },
            "P": {
                "Type": "AWS::SSM::Parameter",
                "Properties": {"Type": "String", "Value": {"Fn::GetAtt": ["R", name]}},
            },
        },
        region="us-west-2",
        outputs={"Imported": {"Fn::GetAtt": ["R", name]}},
    )
    assert ssm_west.get_parameter(Name=consumer.resources["P"])["Parameter"]["Value"] == arn
    tags = ssm_west.list_tags_for_resource(ResourceType="Parameter", ResourceId=name)["TagList"]
    assert {"Key": "aws-cdk:strong-ref:Consumer", "Value": "true"} in tags
    # removing the export deletes the parameter
    deploy(
        {
            "B": {"Type": "AWS::S3::Bucket"},
            "W": {
                "Type": "Custom::CrossRegionExportWriter",
                "Properties": {"ServiceToken": TOKEN, "WriterProps": {"region": "us-west-2", "exports": {}}},
            },
        },
        update_of=producer,
    )
    assert ssm_west.get_parameters(Names=[name])["InvalidParameters"] == [name]
