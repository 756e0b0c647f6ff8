"""Public CDK sample apps (aws-samples/aws-cdk-examples, pinned in
``sample_apps/pins.json``) deploy and destroy in the emulator -- or fail with
the error AWS gives them.

Each app is synthesized from its unchanged upstream files as ``cdk synth``
does, its assets are published to the bootstrap bucket and its stack is
deployed through a change set (``cdk_apps``), then checked through the
services' APIs for what the app is for, deleted, and checked again: what AWS
deletes is gone, what AWS keeps (``DeletionPolicy: Retain``, CDK's log
retention) is still there. The upstream code is read from the checkout named
by ``WEBSTACK_CDK_EXAMPLES``; without it the module is skipped with that
reason.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import pytest

from tests.emulator import cdk_apps
from webstack_emulator import ACCOUNT_ID

REGION = "us-east-1"
HERE = Path(__file__).resolve().parent

# the apps create Lambda functions, which moto reports badly in data.json: see conftest
pytestmark = pytest.mark.usefixtures("forget_dashboard_models")


@pytest.fixture(scope="module")
def assemblies(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    sources = tmp_path_factory.mktemp("sample-apps")
    app_dirs = [cdk_apps.sample_sources(app, sources) for app in cdk_apps.PINS["apps"]]
    return cdk_apps.synthesize(app_dirs, tmp_path_factory.mktemp("cdk-out"))


@pytest.fixture(scope="module")
def clients(aws: Callable[..., Any]) -> cdk_apps.Clients:
    cdk_apps.bootstrap(aws("cloudformation", REGION))
    return lambda service: aws(service, REGION)


@dataclass
class DeployedApp:
    stack: cdk_apps.StackArtifact
    stack_id: str
    status: str
    outputs: dict[str, str]
    physical: dict[str, str]  # logical id -> physical id

    def only(self, resource_type: str) -> str:
        """The physical id of the app's one resource of ``resource_type``."""
        found = [k for k, r in self.stack.template["Resources"].items() if r["Type"] == resource_type]
        assert len(found) == 1, f"expected one {resource_type}, found {found}"
        return self.physical[found[0]]

    def logical(self, resource_type: str, startswith: str = "") -> str:
        found = [
            k
            for k, r in self.stack.template["Resources"].items()
            if r["Type"] == resource_type and k.startswith(startswith)
        ]
        assert len(found) == 1, f"expected one {resource_type} {startswith}*, found {found}"
        return found[0]


def _deploy(clients: cdk_apps.Clients, assembly: Path) -> DeployedApp:
    [stack] = cdk_apps.stacks_of(assembly)
    # every type must have a way to tell that the delete removed it (no silent pass)
    assert cdk_apps.unprobed_types(stack.template) == []
    assert cdk_apps.publish_assets(clients("s3"), stack, REGION)
    cfn = clients("cloudformation")
    described = cdk_apps.deploy_stack(cfn, stack.name, json.dumps(stack.template))
    stack_id = described["StackId"]
    physical = {
        r["LogicalResourceId"]: r.get("PhysicalResourceId", "")
        for r in cfn.describe_stack_resources(StackName=stack_id)["StackResources"]
    }
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
    return DeployedApp(stack, stack_id, described["StackStatus"], outputs, physical)


def _deployed(clients: cdk_apps.Clients, assembly: Path) -> DeployedApp:
    app = _deploy(clients, assembly)
    assert app.status == "CREATE_COMPLETE", cdk_apps.failures(clients("cloudformation"), app.stack_id)
    return app


def _destroy(clients: cdk_apps.Clients, app: DeployedApp) -> dict[str, list[str]]:
    """Delete the stack; AWS's outcome for every probed resource, or fail naming what differs."""
    status = cdk_apps.delete_stack(clients("cloudformation"), app.stack_id)
    assert status == "DELETE_COMPLETE", cdk_apps.failures(clients("cloudformation"), app.stack_id)
    outcome = cdk_apps.left_behind(clients, app.stack.template, app.physical)
    assert outcome["wrong"] == []
    return outcome


def test_lambda_cron_schedules_its_function_and_destroys(assemblies, clients):
    """python/lambda-cron: an EventBridge rule runs an inline Python function at
    18:00 UTC on weekdays; the rule may invoke the function."""
    app = _deployed(clients, assemblies["lambda-cron"])
    function = clients("lambda").get_function(FunctionName=app.only("AWS::Lambda::Function"))["Configuration"]
    assert (function["Runtime"], function["Handler"], function["Timeout"]) == ("python3.12", "index.main", 300)

    events = clients("events")
    rule = events.describe_rule(Name=app.only("AWS::Events::Rule"))
    assert (rule["ScheduleExpression"], rule["State"]) == ("cron(0 18 ? * MON-FRI *)", "ENABLED")
    [target] = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
    assert target["Arn"] == function["FunctionArn"]
    [grant] = json.loads(clients("lambda").get_policy(FunctionName=function["FunctionName"])["Policy"])["Statement"]
    assert grant["Principal"] == {"Service": "events.amazonaws.com"}
    assert grant["Action"] == "lambda:InvokeFunction"
    assert grant["Condition"]["ArnLike"]["AWS:SourceArn"] == rule["Arn"]

    outcome = _destroy(clients, app)
    assert outcome["kept"] == []


def _upload_events(sqs: Any, queue_url: str) -> list[dict[str, Any]]:
    """Every S3 record delivered to the queue (raw delivery: the body is S3's event itself).
    Keys in S3 events are URL-encoded; consumers decode them with unquote_plus
    (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html)."""
    records: list[dict[str, Any]] = []
    while messages := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages"):
        for message in messages:
            body = json.loads(message["Body"])
            assert body.get("Type") != "Notification", "SNS envelope: raw message delivery was not applied"
            records.extend(body.get("Records", []))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return records


def test_s3_sns_sqs_lambda_chain_delivers_matching_uploads_and_destroys(assemblies, clients):
    """python/s3-sns-sqs-lambda-chain: a PUT of ``uploads*.csv`` in the bucket goes
    through the SNS topic to the queue, raw, and the queue feeds the function.
    Runtime python3.9 is deprecated, but AWS blocks creating functions with it
    only from 2027-02-01 (the synth's own validation says so: cfn-lint W2531),
    so AWS deploys it today. The function's code is not run by the emulator;
    the messages stay in the queue for the test to read."""
    app = _deployed(clients, assemblies["s3-sns-sqs-lambda-chain"])
    s3, sqs = clients("s3"), clients("sqs")
    bucket = app.only("AWS::S3::Bucket")
    queue_url = app.outputs["UploadSqsQueueUrl"]
    for key in ("uploads/report.csv", "uploads/report.json", "other/report.csv"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"a,b\n1,2\n")

    records = _upload_events(sqs, queue_url)
    assert [(r["eventName"], r["s3"]["bucket"]["name"], unquote_plus(r["s3"]["object"]["key"])) for r in records] == [
        ("ObjectCreated:Put", bucket, "uploads/report.csv")
    ]
    function_name = app.outputs["LambdaFunctionName"]
    [mapping] = clients("lambda").list_event_source_mappings(FunctionName=function_name)["EventSourceMappings"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn", "RedrivePolicy"])
    assert (mapping["EventSourceArn"], mapping["State"]) == (queue_arn["Attributes"]["QueueArn"], "Enabled")
    dead_letters = json.loads(queue_arn["Attributes"]["RedrivePolicy"])["deadLetterTargetArn"]
    dlq_url = sqs.get_queue_url(QueueName=dead_letters.split(":")[-1])["QueueUrl"]
    assert (
        sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"][
            "ApproximateNumberOfMessages"
        ]
        == "0"
    )

    outcome = _destroy(clients, app)
    # the bucket is Retain (CDK's default for buckets); CDK's notifications
    # handler removed the stack's notification from it; the log group stays
    assert sorted(outcome["kept"]) == sorted([app.logical("AWS::S3::Bucket"), app.logical("Custom::LogRetention")])
    assert "TopicConfigurations" not in s3.get_bucket_notification_configuration(Bucket=bucket)


def test_api_sqs_lambda_serves_its_stage_and_destroys(assemblies, clients):
    """python/api-sqs-lambda: REST API ``TestAPI`` with stage ``prod``; POST
    /example sends the body to the queue through an AWS integration with a
    role API Gateway assumes; the queue feeds the function. Invoking the API is
    not emulated, so the test reads what API Gateway would run. (The role's
    ``ManagedPolicyArns`` -- AmazonSQSFullAccess -- are not asserted: moto's
    ``AWS::IAM::Role`` drops them, an emulator gap.)"""
    app = _deployed(clients, assemblies["api-sqs-lambda"])
    apigw, iam = clients("apigateway"), clients("iam")
    api_id = app.only("AWS::ApiGateway::RestApi")
    assert apigw.get_rest_api(restApiId=api_id)["name"] == "TestAPI"
    stage = apigw.get_stage(restApiId=api_id, stageName="prod")
    assert stage["deploymentId"] == app.only("AWS::ApiGateway::Deployment")
    assert app.outputs[next(iter(app.outputs))] == f"https://{api_id}.execute-api.{REGION}.amazonaws.com/prod/"

    paths = {r["path"]: r for r in apigw.get_resources(restApiId=api_id)["items"]}
    assert set(paths) == {"/", "/example"}
    root_any = apigw.get_method(restApiId=api_id, resourceId=paths["/"]["id"], httpMethod="ANY")
    assert root_any["methodIntegration"]["type"] == "MOCK"
    post = apigw.get_method(restApiId=api_id, resourceId=paths["/example"]["id"], httpMethod="POST")
    integration = post["methodIntegration"]
    queue_url = app.only("AWS::SQS::Queue")
    assert integration["uri"] == f"arn:aws:apigateway:{REGION}:sqs:path/{ACCOUNT_ID}/{queue_url.split('/')[-1]}"
    assert integration["requestTemplates"] == {"application/json": "Action=SendMessage&MessageBody=$input.body"}
    assert integration["passthroughBehavior"] == "NEVER"
    assert set(integration["integrationResponses"]) == set(post["methodResponses"]) == {"200"}
    role = iam.get_role(RoleName=app.physical[app.logical("AWS::IAM::Role", "RestAPIRole")])["Role"]
    assert integration["credentials"] == role["Arn"]
    [trust] = role["AssumeRolePolicyDocument"]["Statement"]
    assert (trust["Principal"], trust["Action"]) == ({"Service": "apigateway.amazonaws.com"}, "sts:AssumeRole")

    cloudwatch_role = app.physical[app.logical("AWS::IAM::Role", "ApiGWCloudWatchRole")]
    assert apigw.get_account()["cloudwatchRoleArn"] == iam.get_role(RoleName=cloudwatch_role)["Role"]["Arn"]
    function = app.only("AWS::Lambda::Function")
    [mapping] = clients("lambda").list_event_source_mappings(FunctionName=function)["EventSourceMappings"]
    assert mapping["EventSourceArn"].endswith(":" + queue_url.split("/")[-1])

    outcome = _destroy(clients, app)
    # CDK retains the CloudWatch role and the Account setting (aws/aws-cdk#26827); the API is gone
    assert outcome["kept"] == [app.logical("AWS::IAM::Role", "ApiGWCloudWatchRole")]
    assert apigw.get_account()["cloudwatchRoleArn"].endswith("/" + cloudwatch_role)


def test_api_cors_lambda_is_refused_for_its_python37_runtime(assemblies, clients):
    """python/api-cors-lambda uses runtime python3.7, for which Lambda has refused
    new functions since 2024-01-09 ("Block function create" in
    https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html#runtimes-deprecated;
    the synth's own validation reports it too: cfn-lint E2531 "Creation was
    disabled on '2024-01-09'"). AWS answers CreateFunction with
    InvalidParameterValueException "The runtime parameter of python3.7 is no
    longer supported for creating or updating AWS Lambda functions. We
    recommend you use a supported runtime while creating or updating
    functions." (vittorio-nardone/disposable_app#3), so the stack fails and
    rolls back; it can then be deleted."""
    assembly = assemblies["api-cors-lambda"]
    report = json.loads((assembly / "validation-report.json").read_text())
    rules = {v["ruleName"] for plugin in report["pluginReports"] for v in plugin["violations"]}
    assert "E2531" in rules

    app = _deploy(clients, assembly)
    assert app.status == "ROLLBACK_COMPLETE"
    function = app.logical("AWS::Lambda::Function")
    assert cdk_apps.failures(clients("cloudformation"), app.stack_id) == [
        f"{function}: InvalidParameterValueException: The runtime parameter of python3.7 is no longer supported "
        "for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating "
        "or updating functions."
    ]
    names = [api["name"] for api in clients("apigateway").get_rest_apis()["items"]]
    assert "ApiGatewayWithCors" not in names  # the rollback removed what was created
    assert cdk_apps.delete_stack(clients("cloudformation"), app.stack_id) == "DELETE_COMPLETE"


def test_every_pinned_app_has_its_source_note():
    """Each app's SOURCE.md names the repository, path, commit and licence the pins use."""
    for app, pin in cdk_apps.PINS["apps"].items():
        note = (HERE / "sample_apps" / app / "SOURCE.md").read_text()
        for fact in (cdk_apps.PINS["repository"], pin["path"], cdk_apps.PINS["commit"], cdk_apps.PINS["license"]):
            assert fact in note, f"{app}/SOURCE.md does not name {fact}"
