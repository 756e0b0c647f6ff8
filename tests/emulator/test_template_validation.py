"""Template validation (validation/, engine fix 17): what CreateStack,
UpdateStack and CreateChangeSet refuse, what fails when a resource is
created or updated, and the validator's pieces. The mutation corpus
(tests/emulator/mutations/) covers one case per CloudFormation error."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from botocore.exceptions import ClientError

from webstack_emulator import engine
from webstack_emulator.engine import fix_17_template_validation
from webstack_emulator.validation import ResourceContext, RuleContext, check_resource, check_template
from webstack_emulator.validation.cycles import cyclic_resources
from webstack_emulator.validation.errors import InvalidRequest, PropertiesValidationFailed, TemplateInvalid
from webstack_emulator.validation.intrinsics import partially_resolve, references
from webstack_emulator.validation.messages import describe
from webstack_emulator.validation.schemas import violations

LOG_GROUP = {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7}}


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, int, str]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def test_fix_is_installed_after_the_others():
    assert engine.FIXES[-1] is fix_17_template_validation


def test_create_stack_refuses_unknown_type_and_creates_nothing(aws):
    cfn, s3 = aws("cloudformation"), aws("s3")
    buckets = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    template = {"Resources": {"Site": {"Type": "AWS::S3::Bucket"}, "X": {"Type": "AWS::Foo::Bar"}}}
    with pytest.raises(ClientError) as refused:
        cfn.create_stack(StackName="validation-create", TemplateBody=json.dumps(template))
    assert _error(refused) == (
        "ValidationError",
        400,
        "Template format error: Unrecognized resource types: [AWS::Foo::Bar]",
    )
    assert {b["Name"] for b in s3.list_buckets()["Buckets"]} == buckets
    with pytest.raises(ClientError, match="does not exist"):
        cfn.describe_stacks(StackName="validation-create")


def test_yaml_template_with_short_form_tags_is_validated(aws):
    body = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Ref Nothing\n"
    with pytest.raises(ClientError) as refused:
        aws("cloudformation").create_stack(StackName="validation-yaml", TemplateBody=body)
    assert _error(refused)[2] == (
        "Template format error: Unresolved resource dependencies [Nothing] in the Resources block of the template"
    )


def test_update_stack_and_update_change_set_refused_stack_untouched(deploy, aws):
    stack = deploy({"Logs": LOG_GROUP})
    cfn = aws("cloudformation")
    cyclic = {
        "Logs": LOG_GROUP,
        "A": {"Type": "AWS::SNS::Topic", "DependsOn": "B"},
        "B": {"Type": "AWS::SNS::Topic", "DependsOn": "A"},
    }
    with pytest.raises(ClientError) as refused:
        cfn.update_stack(StackName=stack.name, TemplateBody=json.dumps({"Resources": cyclic}))
    assert _error(refused)[2] == "Circular dependency between resources: [A, B]"
    with pytest.raises(ClientError) as refused_change_set:
        cfn.create_change_set(
            StackName=stack.name,
            ChangeSetName="bad",
            ChangeSetType="UPDATE",
            TemplateBody=json.dumps({"Resources": cyclic}),
        )
    assert _error(refused_change_set)[:2] == ("ValidationError", 400)
    assert cfn.describe_stacks(StackName=stack.name)["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    assert cfn.list_change_sets(StackName=stack.name)["Summaries"] == []


def test_update_with_invalid_property_fails_that_resource(deploy, aws):
    stack = deploy({"Logs": LOG_GROUP})
    updated = deploy(
        {"Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 8}}},
        update_of=stack,
        expect_ok=False,
    )
    assert updated.status == "UPDATE_ROLLBACK_COMPLETE"
    assert any(
        "Logs: " in f
        and "Properties validation failed for resource Logs with message: "
        "#/RetentionInDays: failed validation constraint for keyword [enum]"
        in f
        for f in updated.failures()
    )
    group = aws("logs").describe_log_groups(logGroupNamePrefix=stack.resources["Logs"])["logGroups"][0]
    assert group["retentionInDays"] == 7


# --- the validator's pieces ---------------------------------------------------


@pytest.mark.parametrize(
    ("resource_type", "properties", "expected"),
    [
        ("AWS::EC2::SecurityGroup", {}, "#: required key [GroupDescription] not found"),
        ("AWS::Logs::LogGroup", {"Retention": 7}, "#: extraneous key [Retention] is not permitted"),
        ("AWS::SNS::Topic", {"FifoTopic": "yes"}, "#/FifoTopic: expected type: Boolean, found: String"),
        ("AWS::S3::Bucket", {"BucketName": "A_B"}, "#/BucketName: failed validation constraint for keyword [pattern]"),
        ("AWS::SNS::Topic", {"TopicName": "t" * 257}, "#/TopicName: expected maxLength: 256, actual: 257"),
        (
            "AWS::ElasticLoadBalancingV2::TargetGroup",
            {"Port": 0},
            "#/Port: failed validation constraint for keyword [minimum]",
        ),
    ],
)
def test_violation_texts(resource_type, properties, expected):
    assert expected in [text for _, text in violations(resource_type, properties, "us-east-1")]


def test_intrinsic_functions_are_not_validated():
    assert violations("AWS::Logs::LogGroup", {"RetentionInDays": {"Fn::FindInMap": ["M", "k", "v"]}}, "us-east-1") == []
    assert violations("AWS::S3::Bucket", {"BucketName": "{{resolve:ssm:/bucket/name}}"}, "us-east-1") == []


def test_number_given_as_string_is_accepted_like_cloudformation():
    assert violations("AWS::Logs::LogGroup", {"RetentionInDays": "14"}, "us-east-1") == []


def test_root_combinator_text():
    error = SimpleNamespace(validator="oneOf", validator_value=[{}, {}], context=[], instance={})
    assert describe([], error) == "#: 2 subschemas matched instead of one"
    assert describe(["A"], error) == "#/A: #: 2 subschemas matched instead of one"


def test_partial_resolution():
    conditions = {"Yes": True, "No": False}
    value = {
        "A": {"Ref": "P"},
        "B": {"Fn::If": ["Yes", 1, 2]},
        "C": {"Fn::If": ["No", 1, {"Ref": "AWS::NoValue"}]},
        "D": [{"Ref": "AWS::NoValue"}, {"Fn::GetAtt": ["R", "Arn"]}],
        "E": {"Fn::If": ["Unknown", 1, 2]},
    }
    resolved = partially_resolve(value, {"P": "x"}, conditions.get)
    assert resolved == {"A": "x", "B": 1, "D": [{"Fn::GetAtt": ["R", "Arn"]}], "E": {"Fn::If": ["Unknown", 1, 2]}}


def test_references_of_sub():
    found = list(references({"Fn::Sub": ["${A}-${B.Arn}-${!C}-${Local}", {"Local": {"Ref": "D"}}]}))
    assert [(r.kind, r.target, r.attribute) for r in found] == [
        ("Fn::Sub", "A", None),
        ("Fn::Sub", "B", "Arn"),
        ("Ref", "D", None),
    ]


def test_cycles_found_in_template_order():
    edges = {"A": {"B"}, "B": {"C"}, "C": {"A"}, "D": {"A"}, "E": {"E"}, "F": set()}
    assert cyclic_resources(["F", "E", "D", "C", "B", "A"], edges) == ["E", "C", "B", "A"]
    assert cyclic_resources(["A", "B"], {"A": {"B"}, "B": set()}) == []


def test_check_template_leaves_transforms_alone():
    check_template(
        {"Transform": "AWS::Serverless-2016-10-31", "Resources": {"F": {"Type": "AWS::Serverless::Function"}}},
        "us-east-1",
    )
    with pytest.raises(TemplateInvalid, match=r"Unrecognized resource types: \[AWS::Serverless::Function\]"):
        check_template({"Resources": {"F": {"Type": "AWS::Serverless::Function"}}}, "us-east-1")


def _context(zones: dict[str, str] | None = None) -> ResourceContext:
    return ResourceContext(
        region="us-east-1",
        parameters={},
        condition=lambda _name: None,
        rules=RuleContext(resolve=lambda value: value, subnet_zone=(zones or {}).get),
    )


def test_schema_violation_comes_before_handler_rule():
    alarm = {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "ComparisonOperator": "Above",
            "EvaluationPeriods": 1,
            "MetricName": "m",
            "Metrics": [{"Id": "e", "Expression": "1"}],
        },
    }
    with pytest.raises(PropertiesValidationFailed, match=r"#/ComparisonOperator: failed validation"):
        check_resource("Alarm", alarm, _context())
    alarm["Properties"]["ComparisonOperator"] = "GreaterThanThreshold"
    with pytest.raises(InvalidRequest, match=r"MetricName should not be set if list of Metrics is set\.") as refused:
        check_resource("Alarm", alarm, _context())
    assert "HandlerErrorCode: InvalidRequest" in str(refused.value)


def test_alb_rule_reads_subnet_zones_and_ignores_network_load_balancers():
    alb = {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {"Subnets": ["subnet-1", "subnet-2"]}}
    check_resource("Alb", alb, _context({"subnet-1": "us-east-1a", "subnet-2": "us-east-1b"}))
    with pytest.raises(InvalidRequest, match="At least two subnets in two different Availability Zones"):
        check_resource("Alb", alb, _context({"subnet-1": "us-east-1a", "subnet-2": "us-east-1a"}))
    nlb = {
        "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "Properties": {"Type": "network", "Subnets": ["subnet-1"]},
    }
    check_resource("Nlb", nlb, _context({"subnet-1": "us-east-1a"}))


def test_custom_resources_take_any_properties():
    check_resource("C", {"Type": "Custom::Anything", "Properties": {"ServiceToken": "arn", "X": {"Y": 1}}}, _context())
    check_resource("C", {"Type": "AWS::CloudFormation::CustomResource", "Properties": {"Z": 1}}, _context())
