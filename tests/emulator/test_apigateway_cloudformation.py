"""``AWS::ApiGateway::RestApi``, ``Resource``, ``Method``, ``Deployment``,
``Stage`` and ``Account`` (providers/apigateway.py)."""

from __future__ import annotations

import json

import pytest

ACCOUNT = "123456789012"
REGION = "us-east-1"


def _role(service):
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
            }
        },
    }


POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "*"}],
}


def _api(description="v1", deployment="Deployment1", variables=None, name="Orders"):
    """A REST API as CDK's RestApi renders it: root MOCK method, /orders with an
    AWS (SQS) integration, a deployment that depends on the methods, a stage."""
    return {
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {}},
        "ApiRole": _role("apigateway.amazonaws.com"),
        "Api": {
            "Type": "AWS::ApiGateway::RestApi",
            "Properties": {
                "Name": name,
                "Description": description,
                "Policy": POLICY,
                "BinaryMediaTypes": ["image/png"],
                "EndpointConfiguration": {"Types": ["REGIONAL"]},
                "Tags": [{"Key": "team", "Value": "web"}],
            },
        },
        "RootAny": {
            "Type": "AWS::ApiGateway::Method",
            "Properties": {
                "RestApiId": {"Ref": "Api"},
                "ResourceId": {"Fn::GetAtt": ["Api", "RootResourceId"]},
                "HttpMethod": "ANY",
                "AuthorizationType": "NONE",
                "Integration": {"Type": "MOCK"},
            },
        },
        "Orders": {
            "Type": "AWS::ApiGateway::Resource",
            "Properties": {
                "RestApiId": {"Ref": "Api"},
                "ParentId": {"Fn::GetAtt": ["Api", "RootResourceId"]},
                "PathPart": "orders",
            },
        },
        "OrdersPost": {
            "Type": "AWS::ApiGateway::Method",
            "Properties": {
                "RestApiId": {"Ref": "Api"},
                "ResourceId": {"Ref": "Orders"},
                "HttpMethod": "POST",
                "AuthorizationType": "NONE",
                "Integration": {
                    "Type": "AWS",
                    "IntegrationHttpMethod": "POST",
                    "Uri": {
                        "Fn::Sub": "arn:aws:apigateway:${AWS::Region}:sqs:path/${AWS::AccountId}/${Queue.QueueName}"
                    },
                    "Credentials": {"Fn::GetAtt": ["ApiRole", "Arn"]},
                    "PassthroughBehavior": "NEVER",
                    "RequestParameters": {
                        "integration.request.header.Content-Type": "'application/x-www-form-urlencoded'"
                    },
                    "RequestTemplates": {"application/json": "Action=SendMessage&MessageBody=$input.body"},
                    "IntegrationResponses": [{"StatusCode": "200", "ResponseTemplates": {"application/json": ""}}],
                },
                "MethodResponses": [{"StatusCode": "200"}],
            },
        },
        deployment: {
            "Type": "AWS::ApiGateway::Deployment",
            "Properties": {"RestApiId": {"Ref": "Api"}, "Description": f"deployment {deployment}"},
            "DependsOn": ["RootAny", "OrdersPost"],
        },
        "Prod": {
            "Type": "AWS::ApiGateway::Stage",
            "Properties": {
                "RestApiId": {"Ref": "Api"},
                "StageName": "prod",
                "DeploymentId": {"Ref": deployment},
                "Variables": variables or {"color": "blue"},
                "TracingEnabled": True,
                "MethodSettings": [{"ResourcePath": "/*", "HttpMethod": "*", "MetricsEnabled": True}],
            },
        },
    }


def _outputs(deployment="Deployment1"):
    return {
        "ApiId": {"Ref": "Api"},
        "ApiIdAttr": {"Fn::GetAtt": ["Api", "RestApiId"]},
        "Root": {"Fn::GetAtt": ["Api", "RootResourceId"]},
        "OrdersId": {"Ref": "Orders"},
        "OrdersIdAttr": {"Fn::GetAtt": ["Orders", "ResourceId"]},
        "DeploymentId": {"Ref": deployment},
        "DeploymentIdAttr": {"Fn::GetAtt": [deployment, "DeploymentId"]},
        "Stage": {"Ref": "Prod"},
        "QueueName": {"Fn::GetAtt": ["Queue", "QueueName"]},
        "RoleArn": {"Fn::GetAtt": ["ApiRole", "Arn"]},
    }


def test_rest_api_methods_deployment_and_stage_as_the_api_shows_them(deploy, aws):
    stack = deploy(_api(), _outputs())
    apigw, out = aws("apigateway"), stack.outputs
    api_id = out["ApiId"]
    assert out["ApiIdAttr"] == api_id and out["OrdersIdAttr"] == out["OrdersId"]
    api = apigw.get_rest_api(restApiId=api_id)
    assert (api["name"], api["description"], api["binaryMediaTypes"]) == ("Orders", "v1", ["image/png"])
    assert json.loads(api["policy"]) == POLICY
    assert (api["endpointConfiguration"]["types"], api["tags"]) == (["REGIONAL"], {"team": "web"})
    assert api["rootResourceId"] == out["Root"]

    paths = {r["path"]: r["id"] for r in apigw.get_resources(restApiId=api_id)["items"]}
    assert paths == {"/": out["Root"], "/orders": out["OrdersId"]}
    assert apigw.get_integration(restApiId=api_id, resourceId=out["Root"], httpMethod="ANY")["type"] == "MOCK"
    post = apigw.get_method(restApiId=api_id, resourceId=out["OrdersId"], httpMethod="POST")
    integration = post["methodIntegration"]
    assert integration["uri"] == f"arn:aws:apigateway:{REGION}:sqs:path/{ACCOUNT}/{out['QueueName']}"
    assert (integration["credentials"], integration["passthroughBehavior"]) == (out["RoleArn"], "NEVER")
    assert integration["requestTemplates"] == {"application/json": "Action=SendMessage&MessageBody=$input.body"}
    assert integration["requestParameters"] == {
        "integration.request.header.Content-Type": "'application/x-www-form-urlencoded'"
    }
    assert set(integration["integrationResponses"]["200"]["responseTemplates"]) == {"application/json"}
    assert set(post["methodResponses"]) == {"200"}

    assert out["DeploymentId"] == out["DeploymentIdAttr"]
    [deployment] = apigw.get_deployments(restApiId=api_id)["items"]
    assert (deployment["id"], deployment["description"]) == (out["DeploymentId"], "deployment Deployment1")
    stage = apigw.get_stage(restApiId=api_id, stageName=out["Stage"])
    assert (out["Stage"], stage["deploymentId"], stage["variables"]) == ("prod", out["DeploymentId"], {"color": "blue"})
    assert stage["tracingEnabled"] is True
    assert stage["methodSettings"] == {"*/*": {"metricsEnabled": True}}


def test_redeploy_moves_the_stage_and_stack_delete_removes_the_api(deploy, aws):
    """CDK gives the deployment a new logical id when the API changes: the new
    deployment is created, the stage moves to it in place, the old one is deleted."""
    stack = deploy(_api(), _outputs())
    apigw, api_id, first = aws("apigateway"), stack.outputs["ApiId"], stack.outputs["DeploymentId"]
    updated = deploy(
        _api(description="v2", deployment="Deployment2", variables={"color": "green"}),
        _outputs("Deployment2"),
        update_of=stack,
    )
    second = updated.outputs["DeploymentId"]
    assert updated.outputs["ApiId"] == api_id and second != first
    assert apigw.get_rest_api(restApiId=api_id)["description"] == "v2"
    assert [d["id"] for d in apigw.get_deployments(restApiId=api_id)["items"]] == [second]
    stage = apigw.get_stage(restApiId=api_id, stageName="prod")
    assert (stage["deploymentId"], stage["variables"]) == (second, {"color": "green"})

    stack.cfn.delete_stack(StackName=stack.name)
    with pytest.raises(apigw.exceptions.NotFoundException):
        apigw.get_rest_api(restApiId=api_id)


def _minimal(extra):
    return {
        "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "Minimal"}},
        "Root": {
            "Type": "AWS::ApiGateway::Method",
            "Properties": {
                "RestApiId": {"Ref": "Api"},
                "ResourceId": {"Fn::GetAtt": ["Api", "RootResourceId"]},
                "HttpMethod": "GET",
                "AuthorizationType": "NONE",
                "Integration": {"Type": "MOCK"},
            },
        },
        **extra,
    }


def test_deployment_stage_name_creates_the_stage_and_its_delete_removes_it(deploy, aws):
    stack = deploy(
        _minimal(
            {
                "Deployment": {
                    "Type": "AWS::ApiGateway::Deployment",
                    "Properties": {"RestApiId": {"Ref": "Api"}, "StageName": "dev"},
                    "DependsOn": ["Root"],
                },
                # keeps the API when the deployment goes (the update below)
                "Keep": {"Type": "AWS::SQS::Queue", "Properties": {}},
            }
        ),
        {"ApiId": {"Ref": "Api"}, "DeploymentId": {"Ref": "Deployment"}},
    )
    apigw, api_id = aws("apigateway"), stack.outputs["ApiId"]
    assert apigw.get_stage(restApiId=api_id, stageName="dev")["deploymentId"] == stack.outputs["DeploymentId"]
    deploy(
        _minimal({"Keep": {"Type": "AWS::SQS::Queue", "Properties": {}}}), {"ApiId": {"Ref": "Api"}}, update_of=stack
    )
    assert apigw.get_stages(restApiId=api_id)["item"] == []
    assert apigw.get_deployments(restApiId=api_id)["items"] == []


@pytest.mark.parametrize(
    ("resources", "reason"),
    [
        pytest.param(
            {
                "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "Empty"}},
                "Deployment": {"Type": "AWS::ApiGateway::Deployment", "Properties": {"RestApiId": {"Ref": "Api"}}},
            },
            "Deployment: BadRequestException: The REST API doesn't contain any methods",
            id="deployment-without-methods",
        ),
        pytest.param(
            _minimal(
                {
                    "Stage": {
                        "Type": "AWS::ApiGateway::Stage",
                        "Properties": {"RestApiId": {"Ref": "Api"}, "StageName": "x"},
                    }
                }
            ),
            'Stage: Resource handler returned message: "DeploymentId cannot be empty"',
            id="stage-without-deployment",
        ),
        pytest.param(
            _minimal(
                {
                    "Stage": {
                        "Type": "AWS::ApiGateway::Stage",
                        "Properties": {"RestApiId": {"Ref": "Api"}, "StageName": "x", "DeploymentId": "abc123"},
                        "DependsOn": ["Root"],
                    }
                }
            ),
            "Stage: BadRequestException: Deployment id does not exist",
            id="stage-of-unknown-deployment",
        ),
        pytest.param(
            {
                "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "Orphans"}},
                "Child": {
                    "Type": "AWS::ApiGateway::Resource",
                    "Properties": {"RestApiId": {"Ref": "Api"}, "ParentId": "nosuchid", "PathPart": "child"},
                },
            },
            "Child: NotFoundException: Invalid Resource identifier specified",
            id="resource-of-unknown-parent",
        ),
        pytest.param(
            {
                "Api": {
                    "Type": "AWS::ApiGateway::RestApi",
                    "Properties": {"Body": {"openapi": "3.0.1", "info": {"title": "Imported"}, "paths": {}}},
                }
            },
            "Api: not emulated: AWS::ApiGateway::RestApi with Body",
            id="openapi-import",
        ),
    ],
)
def test_what_api_gateway_refuses_fails_the_stack(deploy, aws, resources, reason):
    stack = deploy(resources, expect_ok=False)
    assert stack.status == "ROLLBACK_COMPLETE"
    assert any(f.startswith(reason) for f in stack.failures()), stack.failures()


def test_account_sets_the_cloudwatch_role_and_leaves_it_when_deleted(deploy, aws):
    stack = deploy(
        {
            "LogsRole": _role("apigateway.amazonaws.com"),
            "Account": {
                "Type": "AWS::ApiGateway::Account",
                "Properties": {"CloudWatchRoleArn": {"Fn::GetAtt": ["LogsRole", "Arn"]}},
            },
        },
        {
            "Id": {"Ref": "Account"},
            "IdAttr": {"Fn::GetAtt": ["Account", "Id"]},
            "Role": {"Fn::GetAtt": ["LogsRole", "Arn"]},
        },
    )
    apigw = aws("apigateway")
    assert stack.outputs["Id"] == stack.outputs["IdAttr"]
    assert apigw.get_account()["cloudwatchRoleArn"] == stack.outputs["Role"]
    stack.cfn.delete_stack(StackName=stack.name)
    assert apigw.get_account()["cloudwatchRoleArn"] == stack.outputs["Role"]  # as AWS leaves it


def test_account_refuses_a_role_api_gateway_cannot_assume(deploy, aws):
    before = aws("apigateway").get_account().get("cloudwatchRoleArn")
    stack = deploy(
        {
            "LogsRole": _role("lambda.amazonaws.com"),
            "Account": {
                "Type": "AWS::ApiGateway::Account",
                "Properties": {"CloudWatchRoleArn": {"Fn::GetAtt": ["LogsRole", "Arn"]}},
            },
        },
        expect_ok=False,
    )
    assert stack.status == "ROLLBACK_COMPLETE"
    [failure] = [f for f in stack.failures() if f.startswith("Account:")]
    assert failure.startswith(
        'Account: Resource handler returned message: "The role ARN does not have required '
        "permissions configured. Please grant trust permission for API Gateway and add the required role policy. "
        "(Service: ApiGateway, Status Code: 400, "
    )
    assert failure.endswith("HandlerErrorCode: InvalidRequest)")
    assert aws("apigateway").get_account().get("cloudwatchRoleArn") == before
