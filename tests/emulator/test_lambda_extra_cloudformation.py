"""``AWS::Lambda::Version``, ``AWS::Lambda::Alias`` and ``AWS::Lambda::Url``
(providers/lambda_extra.py)."""

from __future__ import annotations

import pytest

# moto reports this module's Lambda/RDS models badly in data.json: see conftest.
pytestmark = pytest.mark.usefixtures("forget_dashboard_models")


LAMBDA_ROLE = {
    "Type": "AWS::IAM::Role",
    "Properties": {
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    },
}


def _template(description="v1", auth="NONE", cors_origins=("*",), alias_version="V1", weights=None):
    alias_props = {"FunctionName": {"Ref": "Fn"}, "FunctionVersion": {"Fn::GetAtt": [alias_version, "Version"]}}
    alias_props["Name"] = "live"
    if weights:
        alias_props["RoutingConfig"] = {"AdditionalVersionWeights": weights}
    return {
        "FnRole": LAMBDA_ROLE,
        "Fn": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Runtime": "python3.12",
                "Handler": "index.handler",
                "Role": {"Fn::GetAtt": ["FnRole", "Arn"]},
                "Description": description,
                "Code": {"ZipFile": "def handler(event, context):\n    return {'statusCode': 200}\n"},
            },
        },
        "V1": {"Type": "AWS::Lambda::Version", "Properties": {"FunctionName": {"Ref": "Fn"}, "Description": "first"}},
        "Alias": {"Type": "AWS::Lambda::Alias", "Properties": alias_props},
        "Url": {
            "Type": "AWS::Lambda::Url",
            "Properties": {
                "TargetFunctionArn": {"Fn::GetAtt": ["Fn", "Arn"]},
                "AuthType": auth,
                "Cors": {"AllowOrigins": list(cors_origins)},
            },
        },
        # the URL reaches another resource the way CDK wires it (an SSM parameter here)
        "UrlParam": {
            "Type": "AWS::SSM::Parameter",
            "Properties": {"Type": "String", "Value": {"Fn::GetAtt": ["Url", "FunctionUrl"]}},
        },
    }


OUTPUTS = {
    "VersionRef": {"Ref": "V1"},
    "Version": {"Fn::GetAtt": ["V1", "Version"]},
    "AliasRef": {"Ref": "Alias"},
    "AliasArn": {"Fn::GetAtt": ["Alias", "AliasArn"]},
    "UrlRef": {"Ref": "Url"},
    "Url": {"Fn::GetAtt": ["Url", "FunctionUrl"]},
    "UrlFunctionArn": {"Fn::GetAtt": ["Url", "FunctionArn"]},
}


def test_version_alias_and_url(deploy, aws):
    stack = deploy(_template(), OUTPUTS)
    lam = aws("lambda")
    out = stack.outputs
    fn = stack.resources["Fn"]
    fn_arn = lam.get_function(FunctionName=fn)["Configuration"]["FunctionArn"]
    assert out["Version"] == "1" and out["VersionRef"] == f"{fn_arn}:1"
    assert [v["Version"] for v in lam.list_versions_by_function(FunctionName=fn)["Versions"]] == ["$LATEST", "1"]
    assert out["AliasRef"] == out["AliasArn"] == f"{fn_arn}:live"
    alias = lam.get_alias(FunctionName=fn, Name="live")
    assert alias["FunctionVersion"] == "1"
    url = lam.get_function_url_config(FunctionName=fn)
    assert url["FunctionUrl"] == out["Url"] and url["AuthType"] == "NONE"
    assert url["Cors"]["AllowOrigins"] == ["*"]
    assert out["UrlRef"] == out["UrlFunctionArn"] == fn_arn
    assert aws("ssm").get_parameter(Name=stack.resources["UrlParam"])["Parameter"]["Value"] == out["Url"]


def test_updates_publish_a_new_version_and_move_the_alias(deploy, aws):
    stack = deploy(_template(), OUTPUTS)
    lam = aws("lambda")
    fn = stack.resources["Fn"]
    # the function changes (an inline ZipFile function updates in place) ...
    changed = dict(description="v2", auth="AWS_IAM", cors_origins=("https://example.com",))
    stack = deploy(_template(**changed), OUTPUTS, update_of=stack)
    assert lam.get_function(FunctionName=fn)["Configuration"]["Description"] == "v2"
    # ... then a new Version resource publishes it and the alias moves to it
    template = _template(**changed, alias_version="V2")
    template["V2"] = {"Type": "AWS::Lambda::Version", "Properties": {"FunctionName": {"Ref": "Fn"}}}
    stack = deploy(template, {**OUTPUTS, "V2": {"Fn::GetAtt": ["V2", "Version"]}}, update_of=stack)
    assert stack.outputs["V2"] == "2"
    assert lam.get_alias(FunctionName=fn, Name="live")["FunctionVersion"] == "2"
    url = lam.get_function_url_config(FunctionName=fn)
    assert url["AuthType"] == "AWS_IAM" and url["Cors"]["AllowOrigins"] == ["https://example.com"]

    # weighted routing between two versions
    template["Alias"]["Properties"]["RoutingConfig"] = {
        "AdditionalVersionWeights": [{"FunctionVersion": "1", "FunctionWeight": 0.25}]
    }
    stack = deploy(template, OUTPUTS, update_of=stack)
    routing = lam.get_alias(FunctionName=fn, Name="live")["RoutingConfig"]
    assert routing == {"AdditionalVersionWeights": {"1": 0.25}}

    aws("cloudformation").delete_stack(StackName=stack.name)
    assert fn not in [f["FunctionName"] for f in lam.list_functions()["Functions"]]


def test_version_of_a_missing_function_fails(deploy):
    stack = deploy(
        {"V": {"Type": "AWS::Lambda::Version", "Properties": {"FunctionName": "no-such-function"}}}, expect_ok=False
    )
    assert stack.status == "ROLLBACK_COMPLETE"
    assert any("Function not found: no-such-function" in f for f in stack.failures())


def test_url_with_a_qualifier_is_not_emulated(deploy):
    template = _template()
    template["Url"]["Properties"]["Qualifier"] = "live"
    template["Url"]["DependsOn"] = ["Alias"]
    stack = deploy(template, expect_ok=False)
    assert any("not emulated: AWS::Lambda::Url with Qualifier live" in f for f in stack.failures())


def _queue_feeding_a_function(max_receives=1):
    return {
        "FnRole": LAMBDA_ROLE,
        "Fn": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Runtime": "python3.12",
                "Handler": "index.handler",
                "Role": {"Fn::GetAtt": ["FnRole", "Arn"]},
                "Code": {"ZipFile": "def handler(event, context):\n    return None\n"},
            },
        },
        "Dlq": {"Type": "AWS::SQS::Queue", "Properties": {}},
        "Queue": {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "RedrivePolicy": {
                    "deadLetterTargetArn": {"Fn::GetAtt": ["Dlq", "Arn"]},
                    "maxReceiveCount": max_receives,
                }
            },
        },
        "Mapping": {
            "Type": "AWS::Lambda::EventSourceMapping",
            "Properties": {"EventSourceArn": {"Fn::GetAtt": ["Queue", "Arn"]}, "FunctionName": {"Ref": "Fn"}},
        },
    }


def test_sqs_event_source_mapping_leaves_messages_for_the_unrun_function(deploy, aws):
    """The mapping is there (Enabled, from the queue to the function) and goes
    with the stack; messages sent to the queue are not consumed by a function
    the emulator cannot run, and are not counted as failed receives either: one
    receive later the message is still in the queue, not in the dead-letter
    queue its ``maxReceiveCount: 1`` would send it to."""
    stack = deploy(_queue_feeding_a_function(), {"QueueArn": {"Fn::GetAtt": ["Queue", "Arn"]}})
    lam, sqs = aws("lambda"), aws("sqs")
    [mapping] = lam.list_event_source_mappings(FunctionName=stack.resources["Fn"])["EventSourceMappings"]
    assert (mapping["EventSourceArn"], mapping["State"]) == (stack.outputs["QueueArn"], "Enabled")
    assert mapping["UUID"] == stack.resources["Mapping"]

    queue_url, dlq_url = stack.resources["Queue"], stack.resources["Dlq"]
    sqs.send_message(QueueUrl=queue_url, MessageBody="order 1")
    [message] = sqs.receive_message(QueueUrl=queue_url, AttributeNames=["ApproximateReceiveCount"])["Messages"]
    assert (message["Body"], message["Attributes"]["ApproximateReceiveCount"]) == ("order 1", "1")
    assert "Messages" not in sqs.receive_message(QueueUrl=dlq_url)

    stack.cfn.delete_stack(StackName=stack.name)
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_event_source_mapping(UUID=mapping["UUID"])


def _function_with_layer(aws, memory):
    s3 = aws("s3")
    s3.create_bucket(Bucket="webstack-layer-probe")
    import io
    import zipfile

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("python/helper.py", "VALUE = 1\n")
    s3.put_object(Bucket="webstack-layer-probe", Key="layer.zip", Body=archive.getvalue())
    return {
        "FnRole": LAMBDA_ROLE,
        "Layer": {
            "Type": "AWS::Lambda::LayerVersion",
            "Properties": {"Content": {"S3Bucket": "webstack-layer-probe", "S3Key": "layer.zip"}},
        },
        "Fn": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Runtime": "python3.12",
                "Handler": "index.handler",
                "Role": {"Fn::GetAtt": ["FnRole", "Arn"]},
                "MemorySize": memory,
                "Layers": [{"Ref": "Layer"}],
                "Code": {"ZipFile": "def handler(event, context):\n    return 1\n"},
            },
        },
    }


def test_a_function_with_a_layer_updates(deploy, aws):
    """A function whose Layers name a LayerVersion of the stack: an update (here its
    memory; CDK's BucketDeployment handler on a config tag change) failed with the
    emulator's AttributeError ('LayerVersion' object has no attribute 'replace'):
    moto handed the layer's model, not its ARN (the LayerVersion's Ref), to its update."""
    stack = deploy(_function_with_layer(aws, 128))
    updated = deploy(_function_with_layer(aws, 256), update_of=stack)
    config = aws("lambda").get_function_configuration(FunctionName=updated.resources["Fn"])
    assert config["MemorySize"] == 256
    assert [layer["Arn"] for layer in config["Layers"]] == [stack.resources["Layer"]]
    aws("cloudformation").delete_stack(StackName=stack.name)
