"""``AWS::CloudFront::Function`` and ``AWS::CloudFront::CloudFrontOriginAccessIdentity``
(providers/cloudfront_extra.py), referenced by a distribution."""

from __future__ import annotations

import json

from moto.cloudfront.models import cloudfront_backends

CODE = "function handler(event) { return event.request; }"
MANAGED_CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"


def _template(name, code=CODE, auto_publish=True, comment="site"):
    return {
        "B": {"Type": "AWS::S3::Bucket"},
        "Oai": {
            "Type": "AWS::CloudFront::CloudFrontOriginAccessIdentity",
            "Properties": {"CloudFrontOriginAccessIdentityConfig": {"Comment": comment}},
        },
        "ReadByOai": {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {
                "Bucket": {"Ref": "B"},
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"CanonicalUser": {"Fn::GetAtt": ["Oai", "S3CanonicalUserId"]}},
                            "Action": "s3:GetObject",
                            "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": ["B", "Arn"]}, "/*"]]},
                        }
                    ],
                },
            },
        },
        "Fn": {
            "Type": "AWS::CloudFront::Function",
            "Properties": {
                "Name": name,
                "AutoPublish": auto_publish,
                "FunctionCode": code,
                "FunctionConfig": {"Comment": "rewrite", "Runtime": "cloudfront-js-2.0"},
            },
        },
        "D": {
            "Type": "AWS::CloudFront::Distribution",
            "Properties": {
                "DistributionConfig": {
                    "Enabled": True,
                    "Origins": [
                        {
                            "Id": "s3",
                            "DomainName": {"Fn::GetAtt": ["B", "RegionalDomainName"]},
                            "S3OriginConfig": {
                                "OriginAccessIdentity": {
                                    "Fn::Join": ["", ["origin-access-identity/cloudfront/", {"Ref": "Oai"}]]
                                }
                            },
                        }
                    ],
                    "DefaultCacheBehavior": {
                        "TargetOriginId": "s3",
                        "ViewerProtocolPolicy": "redirect-to-https",
                        "CachePolicyId": MANAGED_CACHING_OPTIMIZED,
                        "FunctionAssociations": [
                            {"EventType": "viewer-request", "FunctionARN": {"Fn::GetAtt": ["Fn", "FunctionARN"]}}
                        ],
                    },
                }
            },
        },
    }


OUTPUTS = {
    "FnRef": {"Ref": "Fn"},
    "FnArn": {"Fn::GetAtt": ["Fn", "FunctionARN"]},
    "FnMetaArn": {"Fn::GetAtt": ["Fn", "FunctionMetadata.FunctionARN"]},
    "Stage": {"Fn::GetAtt": ["Fn", "Stage"]},
    "OaiRef": {"Ref": "Oai"},
    "OaiId": {"Fn::GetAtt": ["Oai", "Id"]},
    "Canonical": {"Fn::GetAtt": ["Oai", "S3CanonicalUserId"]},
}


def test_function_and_oai_behind_a_distribution(deploy, aws):
    stack = deploy(_template("cf-fn-a"), OUTPUTS)
    cf = aws("cloudfront")
    out = stack.outputs
    described = cf.describe_function(Name="cf-fn-a")["FunctionSummary"]
    assert described["FunctionMetadata"]["FunctionARN"] == out["FnRef"] == out["FnArn"] == out["FnMetaArn"]
    assert described["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    assert out["Stage"] == "LIVE"
    assert cf.get_function(Name="cf-fn-a")["FunctionCode"].read().decode() == CODE
    assert out["OaiRef"] == out["OaiId"] and out["OaiId"].startswith("E") and len(out["OaiId"]) == 14
    assert len(out["Canonical"]) == 64
    # moto's GetDistributionConfig response leaves S3OriginConfig out, so the
    # origin's identity is read from the backend the distribution was created in
    dist, _ = cloudfront_backends["123456789012"]["aws"].get_distribution(stack.resources["D"])
    origin = dist.distribution_config.Origins["Items"][0]
    assert origin.s3_access_identity == f"origin-access-identity/cloudfront/{out['OaiId']}"
    policy = json.loads(aws("s3").get_bucket_policy(Bucket=stack.resources["B"])["Policy"])
    assert policy["Statement"][0]["Principal"] == {"CanonicalUser": out["Canonical"]}

    stack = deploy(_template("cf-fn-a", code=CODE + "\n// v2", comment="site v2"), OUTPUTS, update_of=stack)
    assert stack.outputs["OaiId"] == out["OaiId"] and stack.outputs["FnArn"] == out["FnArn"]
    assert cf.get_function(Name="cf-fn-a")["FunctionCode"].read().decode().endswith("// v2")

    aws("cloudformation").delete_stack(StackName=stack.name)
    assert "cf-fn-a" not in [f["Name"] for f in cf.list_functions()["FunctionList"].get("Items", [])]


def test_function_without_auto_publish_stays_in_development(deploy, aws):
    resources = {"Fn": _template("cf-fn-dev", auto_publish=False)["Fn"]}
    stack = deploy(resources, {"Stage": {"Fn::GetAtt": ["Fn", "Stage"]}})
    assert stack.outputs["Stage"] == "DEVELOPMENT"
    # AutoPublish turned on by an update publishes it
    stack = deploy({"Fn": _template("cf-fn-dev")["Fn"]}, {"Stage": {"Fn::GetAtt": ["Fn", "Stage"]}}, update_of=stack)
    assert stack.outputs["Stage"] == "LIVE"


def test_function_name_change_replaces_it(deploy, aws):
    stack = deploy({"Fn": _template("cf-fn-old")["Fn"]}, {"Arn": {"Ref": "Fn"}})
    stack = deploy({"Fn": _template("cf-fn-new")["Fn"]}, {"Arn": {"Ref": "Fn"}}, update_of=stack)
    assert stack.outputs["Arn"].endswith(":function/cf-fn-new")
    names = [f["Name"] for f in aws("cloudfront").list_functions()["FunctionList"].get("Items", [])]
    assert "cf-fn-new" in names and "cf-fn-old" not in names
