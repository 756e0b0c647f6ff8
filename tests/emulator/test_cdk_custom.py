"""Native emulation of CDK's Lambda-backed custom resources, and the engine
fixes they rely on (dynamic references, exports, failure handling)."""

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
                        "imports": {name: "{{resolve:ssm:%s}}" % name},
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


def test_change_set_outputs_and_exports_feed_import_value(deploy):
    producer = deploy({"B": {"Type": "AWS::S3::Bucket"}}, outputs={"Name": {"Ref": "B"}})
    producer.cfn.update_stack  # noqa: B018 - same client
    exporting = deploy({"Q": {"Type": "AWS::SQS::Queue"}}, outputs={"QueueArn": {"Fn::GetAtt": ["Q", "Arn"]}})
    # give the output an export by redeploying with Export
    import json

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
