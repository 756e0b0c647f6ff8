"""The mutation corpus: small realistic templates, each broken in one way
CloudFormation refuses (with the text AWS gives), and benign controls that
use intrinsic functions, conditions and parameters and must still deploy.

Each case names its expected outcome:

* :class:`Deploys` -- the stack reaches CREATE_COMPLETE;
* :class:`Accepted` -- validation lets it through (see the class);
* :class:`Refused` -- CreateChangeSet answers ``ValidationError`` (HTTP 400)
  whose message contains the text, and no stack is created;
* :class:`Fails` -- the change set is created, the named resource fails
  (``CREATE_FAILED`` with a reason containing the text) and the stack rolls
  back to ROLLBACK_COMPLETE.

Mutations of the real dev template are in :data:`DEV_MUTATIONS`: functions
of the synthesized template (tests/synth.py), refused at CreateChangeSet.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Template = dict[str, Any]


@dataclass(frozen=True)
class Deploys:
    pass


@dataclass(frozen=True)
class Accepted:
    """Validation lets it through: CreateChangeSet accepts it and no
    resource fails validation. What executing it does is its provider's
    business (a Lambda-backed custom resource: the emulator runs no Lambda
    code, providers/ decide how that ends)."""


@dataclass(frozen=True)
class Refused:
    message: str


@dataclass(frozen=True)
class Fails:
    resource: str
    reason: str


Outcome = Deploys | Accepted | Refused | Fails


@dataclass(frozen=True)
class Case:
    name: str
    template: Template
    expect: Outcome
    parameters: dict[str, str] = field(default_factory=dict)


# --- realistic building blocks ----------------------------------------------


def _network(second_zone: int = 1) -> dict[str, Any]:
    def subnet(index: int, zone: int) -> dict[str, Any]:
        return {
            "Type": "AWS::EC2::Subnet",
            "Properties": {
                "VpcId": {"Ref": "Vpc"},
                "CidrBlock": f"10.20.{index}.0/24",
                "AvailabilityZone": {"Fn::Select": [zone, {"Fn::GetAZs": ""}]},
            },
        }

    return {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.20.0.0/16"}},
        "SubnetA": subnet(0, 0),
        "SubnetB": subnet(1, second_zone),
        "AlbSg": {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {
                "GroupDescription": "ALB",
                "VpcId": {"Ref": "Vpc"},
                "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"}],
            },
        },
    }


def _web(subnets: list[str] | None = None, second_zone: int = 1) -> Template:
    resources = _network(second_zone)
    resources.update(
        {
            "Alb": {
                "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
                "Properties": {
                    "Type": "application",
                    "Scheme": "internet-facing",
                    "Subnets": [{"Ref": s} for s in (subnets or ["SubnetA", "SubnetB"])],
                    "SecurityGroups": [{"Fn::GetAtt": ["AlbSg", "GroupId"]}],
                },
            },
            "Tg": {
                "Type": "AWS::ElasticLoadBalancingV2::TargetGroup",
                "Properties": {"VpcId": {"Ref": "Vpc"}, "Port": 80, "Protocol": "HTTP", "HealthCheckPath": "/health"},
            },
            "Listener": {
                "Type": "AWS::ElasticLoadBalancingV2::Listener",
                "Properties": {
                    "LoadBalancerArn": {"Ref": "Alb"},
                    "Port": 80,
                    "Protocol": "HTTP",
                    "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "Tg"}}],
                },
            },
        }
    )
    return {"Resources": resources, "Outputs": {"Dns": {"Value": {"Fn::GetAtt": ["Alb", "DNSName"]}}}}


def _web_target_group(**properties: Any) -> Template:
    template = _web()
    template["Resources"]["Tg"]["Properties"].update(properties)
    return template


def _fleet(min_size: str = "1", max_size: str = "3", desired: str | None = "2") -> Template:
    group: dict[str, Any] = {
        "MinSize": min_size,
        "MaxSize": max_size,
        "AvailabilityZones": [{"Fn::Select": [0, {"Fn::GetAZs": ""}]}],
        "LaunchTemplate": {
            "LaunchTemplateId": {"Ref": "Lt"},
            "Version": {"Fn::GetAtt": ["Lt", "LatestVersionNumber"]},
        },
    }
    if desired is not None:
        group["DesiredCapacity"] = desired
    return {
        "Resources": {
            "Lt": {
                "Type": "AWS::EC2::LaunchTemplate",
                "Properties": {"LaunchTemplateData": {"ImageId": "ami-12345678", "InstanceType": "t3.micro"}},
            },
            "Asg": {"Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": group},
        }
    }


def _logs(**properties: Any) -> Template:
    return {
        "Resources": {
            "AppLogs": {
                "Type": "AWS::Logs::LogGroup",
                "Properties": {"RetentionInDays": 30, **properties},
            }
        }
    }


def _alarm(**properties: Any) -> Template:
    base: dict[str, Any] = {
        "AlarmDescription": "5xx from the load balancer",
        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "EvaluationPeriods": 3,
        "Threshold": 5,
        "TreatMissingData": "notBreaching",
        "Namespace": "AWS/ApplicationELB",
        "MetricName": "HTTPCode_ELB_5XX_Count",
        "Statistic": "Sum",
        "Period": 60,
    }
    base.update(properties)
    return {
        "Resources": {
            "Topic": {"Type": "AWS::SNS::Topic"},
            "Errors": {
                "Type": "AWS::CloudWatch::Alarm",
                "Properties": {**{k: v for k, v in base.items() if v is not None}, "AlarmActions": [{"Ref": "Topic"}]},
            },
        }
    }


_METRIC_MATH = [
    {"Id": "errors", "Expression": "m1 * 100", "Label": "5xx %"},
    {
        "Id": "m1",
        "ReturnData": False,
        "MetricStat": {
            "Metric": {"Namespace": "AWS/ApplicationELB", "MetricName": "HTTPCode_ELB_5XX_Count"},
            "Period": 60,
            "Stat": "Sum",
        },
    },
]


def _bucket(**properties: Any) -> Template:
    return {"Resources": {"Site": {"Type": "AWS::S3::Bucket", "Properties": properties}}}


def _with(template: Template, **resources: Any) -> Template:
    result = copy.deepcopy(template)
    result["Resources"].update(resources)
    return result


def _topics(**extra: Any) -> Template:
    return {"Resources": {"A": {"Type": "AWS::SNS::Topic", **extra}, "B": {"Type": "AWS::SNS::Topic"}}}


def _sg(name: str, source: str) -> dict[str, Any]:
    return {
        "Type": "AWS::EC2::SecurityGroup",
        "Properties": {
            "GroupDescription": name,
            "VpcId": {"Ref": "Vpc"},
            "SecurityGroupIngress": [
                {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "SourceSecurityGroupId": {"Ref": source}}
            ],
        },
    }


_VPC = {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.30.0.0/16"}}}

_RETENTION_PARAMETER = {"Retention": {"Type": "Number", "Default": "30"}}

# --- CloudFormation errors ----------------------------------------------------

UNRECOGNIZED = "Template format error: Unrecognized resource types: "
UNRESOLVED = "Template format error: Unresolved resource dependencies "
ENUM = "failed validation constraint for keyword [enum]"

ERRORS: list[Case] = [
    # Template format: refused by CreateChangeSet.
    Case("unknown-type", _with(_logs(), Extra={"Type": "AWS::Foo::Bar"}), Refused(UNRECOGNIZED + "[AWS::Foo::Bar]")),
    Case(
        "misspelt-type",
        {"Resources": {"Site": {"Type": "AWS::S3::Buckets"}}},
        Refused(UNRECOGNIZED + "[AWS::S3::Buckets]"),
    ),
    Case(
        "two-unknown-types",
        {"Resources": {"A": {"Type": "AWS::Foo::Bar"}, "B": {"Type": "AWS::Foo::Baz"}, "C": {"Type": "AWS::Foo::Bar"}}},
        Refused(UNRECOGNIZED + "[AWS::Foo::Bar, AWS::Foo::Baz]"),
    ),
    Case(
        "third-party-type-not-registered",
        {"Resources": {"A": {"Type": "MyOrg::Service::Thing"}}},
        Refused(UNRECOGNIZED + "[MyOrg::Service::Thing]"),
    ),
    Case(
        "real-type-not-emulated",
        _with(_logs(), Service={"Type": "AWS::AppRunner::Service", "Properties": {"SourceConfiguration": {}}}),
        Refused("not emulated by the local emulator: AWS::AppRunner::Service"),
    ),
    Case(
        "ref-undefined-resource",
        _with(_logs(), Stream={"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Ref": "MissingTopic"}}}),
        Refused(UNRESOLVED + "[MissingTopic] in the Resources block of the template"),
    ),
    Case(
        "sub-undefined-variable",
        _logs(LogGroupName={"Fn::Sub": "/app/${EnvName}/web"}),
        Refused(UNRESOLVED + "[EnvName] in the Resources block of the template"),
    ),
    Case(
        "sub-undefined-resource-attribute",
        _logs(LogGroupName={"Fn::Sub": "/app/${Cluster.Arn}"}),
        Refused(UNRESOLVED + "[Cluster] in the Resources block of the template"),
    ),
    Case("depends-on-undefined", _topics(DependsOn="Ghost"), Refused(UNRESOLVED + "[Ghost]")),
    Case(
        "depends-on-parameter",
        {**_topics(DependsOn="Stage"), "Parameters": {"Stage": {"Type": "String", "Default": "dev"}}},
        Refused(UNRESOLVED + "[Stage] in the Resources block of the template"),
    ),
    Case(
        "output-ref-undefined",
        {**_logs(), "Outputs": {"Name": {"Value": {"Ref": "Logs"}}}},
        Refused(UNRESOLVED + "[Logs] in the Outputs block of the template"),
    ),
    Case(
        "getatt-undefined-resource",
        _with(_logs(), T={"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Fn::GetAtt": ["Ghost", "Arn"]}}}),
        Refused("Template error: instance of Fn::GetAtt references undefined resource Ghost"),
    ),
    Case(
        "getatt-unsupported-attribute",
        {**_bucket(), "Outputs": {"Url": {"Value": {"Fn::GetAtt": ["Site", "Url"]}}}},
        Refused("Template error: resource Site does not support attribute type Url in Fn::GetAtt"),
    ),
    Case(
        "getatt-short-form-unsupported",
        _with(_logs(), T={"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Fn::GetAtt": "AppLogs.Name"}}}),
        Refused("Template error: resource AppLogs does not support attribute type Name in Fn::GetAtt"),
    ),
    Case(
        "cycle-depends-on",
        {
            "Resources": {
                "A": {"Type": "AWS::SNS::Topic", "DependsOn": "B"},
                "B": {"Type": "AWS::SNS::Topic", "DependsOn": "A"},
            }
        },
        Refused("Circular dependency between resources: [A, B]"),
    ),
    Case(
        "cycle-security-groups",
        {"Resources": {**_VPC, "Web": _sg("web", "App"), "App": _sg("app", "Db"), "Db": _sg("db", "Web")}},
        Refused("Circular dependency between resources: [Web, App, Db]"),
    ),
    Case(
        "cycle-self",
        {
            "Resources": {
                "A": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::GetAtt": ["A", "TopicArn"]}}}
            }
        },
        Refused("Circular dependency between resources: [A]"),
    ),
    # Schema violations: the resource fails when CloudFormation creates it.
    Case("log-retention-8-days", _logs(RetentionInDays=8), Fails("AppLogs", "#/RetentionInDays: " + ENUM)),
    Case(
        "log-retention-8-days-via-parameter",
        {**_logs(RetentionInDays={"Ref": "Retention"}), "Parameters": _RETENTION_PARAMETER},
        Fails("AppLogs", "Properties validation failed for resource AppLogs with message: #/RetentionInDays: " + ENUM),
        parameters={"Retention": "8"},
    ),
    Case(
        "log-retention-chosen-by-condition",
        {
            **_logs(RetentionInDays={"Fn::If": ["Long", 400000, 30]}),
            "Conditions": {"Long": {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}},
        },
        Fails("AppLogs", "#/RetentionInDays: " + ENUM),
    ),
    Case(
        "log-group-misspelt-property",
        _logs(RetentionDays=7),
        Fails("AppLogs", "#: extraneous key [RetentionDays] is not permitted"),
    ),
    Case("log-group-class-enum", _logs(LogGroupClass="COLD"), Fails("AppLogs", "#/LogGroupClass: " + ENUM)),
    Case(
        "security-group-without-description",
        {"Resources": {**_VPC, "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"VpcId": {"Ref": "Vpc"}}}}},
        Fails("Sg", "#: required key [GroupDescription] not found"),
    ),
    Case(
        "target-group-port-out-of-range",
        _web_target_group(Port=70000),
        Fails("Tg", "#/Port: failed validation constraint for keyword [maximum]"),
    ),
    Case(
        "target-group-protocol-enum",
        _web_target_group(Protocol="HTTPX"),
        Fails("Tg", "#/Protocol: " + ENUM),
    ),
    Case(
        "listener-without-actions",
        _with(
            _web(),
            Listener={
                "Type": "AWS::ElasticLoadBalancingV2::Listener",
                "Properties": {"LoadBalancerArn": {"Ref": "Alb"}, "Port": 80, "Protocol": "HTTP"},
            },
        ),
        Fails("Listener", "#: required key [DefaultActions] not found"),
    ),
    Case(
        "bucket-name-pattern",
        _bucket(BucketName="My_Site"),
        Fails("Site", "#/BucketName: failed validation constraint for keyword [pattern]"),
    ),
    Case(
        "bucket-versioning-enum",
        _bucket(VersioningConfiguration={"Status": "On"}),
        Fails("Site", "#/VersioningConfiguration/Status: " + ENUM),
    ),
    Case(
        "bucket-lifecycle-wrong-type",
        _bucket(LifecycleConfiguration={"Rules": {"Status": "Enabled"}}),
        Fails("Site", "#/LifecycleConfiguration/Rules: expected type: JSONArray, found: JSONObject"),
    ),
    Case(
        "topic-name-too-long",
        {"Resources": {"T": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "t" * 300}}}},
        Fails("T", "#/TopicName: expected maxLength: 256, actual: 300"),
    ),
    Case("alarm-operator-enum", _alarm(ComparisonOperator="Above"), Fails("Errors", "#/ComparisonOperator: " + ENUM)),
    Case(
        "alarm-periods-not-a-number",
        _alarm(EvaluationPeriods="three"),
        Fails("Errors", "#/EvaluationPeriods: expected type: Integer, found: String"),
    ),
    Case(
        "kms-key-spec-enum",
        {"Resources": {"K": {"Type": "AWS::KMS::Key", "Properties": {"KeySpec": "RSA_1024"}}}},
        Fails("K", "#/KeySpec: " + ENUM),
    ),
    # Handler rules: the resource fails with the service's text.
    Case(
        "alarm-metrics-and-metric-name",
        _alarm(Namespace=None, Statistic=None, Period=None, Metrics=_METRIC_MATH),
        Fails("Errors", "MetricName should not be set if list of Metrics is set."),
    ),
    Case(
        "alb-one-subnet",
        _web(subnets=["SubnetA"]),
        Fails("Alb", "At least two subnets in two different Availability Zones must be specified"),
    ),
    Case(
        "alb-two-subnets-one-zone",
        _web(second_zone=0),
        Fails("Alb", "At least two subnets in two different Availability Zones must be specified"),
    ),
    Case(
        "asg-min-above-max",
        _fleet(min_size="3", max_size="2", desired=None),
        Fails("Asg", "Max bound, 2, must be greater than or equal to min bound, 3"),
    ),
    Case(
        "asg-desired-above-max",
        _fleet(desired="5"),
        Fails("Asg", "Desired capacity:5 must be between the specified min size:1 and max size:3"),
    ),
]

# --- benign controls: must still deploy ----------------------------------------

CONTROLS: list[Case] = [
    Case(
        "retention-from-parameter",
        {**_logs(RetentionInDays={"Ref": "Retention"}), "Parameters": _RETENTION_PARAMETER},
        Deploys(),
        parameters={"Retention": "14"},
    ),
    Case(
        "if-novalue-drops-property",
        {
            **_logs(RetentionInDays={"Fn::If": ["Keep", 30, {"Ref": "AWS::NoValue"}]}),
            "Conditions": {"Keep": {"Fn::Equals": [{"Ref": "AWS::Region"}, "eu-west-1"]}},
        },
        Deploys(),
    ),
    Case(
        "if-invalid-branch-not-taken",
        {
            **_logs(RetentionInDays={"Fn::If": ["Odd", 8, 7]}),
            "Conditions": {"Odd": {"Fn::Equals": ["a", "b"]}},
        },
        Deploys(),
    ),
    Case(
        "resource-with-false-condition-not-validated",
        {
            "Conditions": {"Never": {"Fn::Equals": ["a", "b"]}},
            "Resources": {
                "Kept": {"Type": "AWS::SNS::Topic"},
                "Skipped": {"Type": "AWS::Logs::LogGroup", "Condition": "Never", "Properties": {"RetentionInDays": 8}},
            },
        },
        Deploys(),
    ),
    Case(
        "sub-pseudo-parameters-and-escapes",
        _logs(LogGroupName={"Fn::Sub": "/app/${AWS::StackName}/${AWS::Region}/${!literal}"}),
        Deploys(),
    ),
    Case("web-tier-two-zones", _web(), Deploys()),
    Case("fleet-within-bounds", _fleet(), Deploys()),
    Case(
        "alarm-on-metric-math",
        _alarm(Namespace=None, Statistic=None, Period=None, MetricName=None, Metrics=_METRIC_MATH),
        Deploys(),
    ),
    Case(
        "lambda-backed-custom-resource",
        {
            "Resources": {
                "Role": {
                    "Type": "AWS::IAM::Role",
                    "Properties": {
                        "AssumeRolePolicyDocument": {
                            "Version": "2012-10-17",
                            "Statement": [
                                {
                                    "Effect": "Allow",
                                    "Principal": {"Service": "lambda.amazonaws.com"},
                                    "Action": "sts:AssumeRole",
                                }
                            ],
                        }
                    },
                },
                "Handler": {
                    "Type": "AWS::Lambda::Function",
                    "Properties": {
                        "Runtime": "python3.12",
                        "Handler": "index.handler",
                        "Role": {"Fn::GetAtt": ["Role", "Arn"]},
                        "Code": {"ZipFile": "def handler(event, context):\n    pass\n"},
                    },
                },
                "Thing": {
                    "Type": "Custom::Thing",
                    "Properties": {"ServiceToken": {"Fn::GetAtt": ["Handler", "Arn"]}, "Size": 3},
                },
            }
        },
        Accepted(),
    ),
    Case(
        "cdk-custom-resource-served-natively",
        {
            "Resources": {
                "Site": {"Type": "AWS::S3::Bucket"},
                "AutoDelete": {
                    "Type": "Custom::S3AutoDeleteObjects",
                    "Properties": {
                        "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:cdk-handler",
                        "BucketName": {"Ref": "Site"},
                    },
                },
            }
        },
        Deploys(),
    ),
    Case(
        "cdk-metadata-is-accepted",
        {
            "Resources": {
                "T": {"Type": "AWS::SNS::Topic"},
                "CDKMetadata": {"Type": "AWS::CDK::Metadata", "Properties": {"Analytics": "v2:deflate64:H4sI"}},
            }
        },
        Deploys(),
    ),
    Case(
        "getatt-documented-attributes",
        {
            **_bucket(),
            "Outputs": {
                "Arn": {"Value": {"Fn::GetAtt": ["Site", "Arn"]}},
                # the list form: moto 5.2.5 answers HTTP 500 for the "Site.Attr" string form
                "Domain": {"Value": {"Fn::GetAtt": ["Site", "RegionalDomainName"]}},
                "Website": {"Value": {"Fn::GetAtt": ["Site", "WebsiteURL"]}},
            },
        },
        Deploys(),
    ),
]


# --- mutations of the real dev template (refused at CreateChangeSet) ------------


def _first_of_type(template: Template, resource_type: str) -> str:
    return next(k for k, v in template["Resources"].items() if v["Type"] == resource_type)


def _add_unknown(template: Template) -> Template:
    template["Resources"]["Cache"] = {"Type": "AWS::ElastiCachee::CacheCluster"}
    return template


def _dangling_ref(template: Template) -> Template:
    name = _first_of_type(template, "AWS::EC2::Subnet")
    template["Resources"][name]["Properties"]["VpcId"] = {"Ref": "RemovedVpc"}
    return template


def _cycle(template: Template) -> Template:
    vpc = _first_of_type(template, "AWS::EC2::VPC")
    subnet = _first_of_type(template, "AWS::EC2::Subnet")
    template["Resources"][vpc]["DependsOn"] = subnet
    return template


def _bad_attribute(template: Template) -> Template:
    vpc = _first_of_type(template, "AWS::EC2::VPC")
    template.setdefault("Outputs", {})["Broken"] = {"Value": {"Fn::GetAtt": [vpc, "CidrBlockSize"]}}
    return template


@dataclass(frozen=True)
class DevMutation:
    name: str
    mutate: Callable[[Template], Template]
    message: Callable[[Template], str]


DEV_MUTATIONS: list[DevMutation] = [
    DevMutation("dev-unknown-type", _add_unknown, lambda _t: UNRECOGNIZED + "[AWS::ElastiCachee::CacheCluster]"),
    DevMutation(
        "dev-dangling-ref", _dangling_ref, lambda _t: UNRESOLVED + "[RemovedVpc] in the Resources block of the template"
    ),
    DevMutation("dev-vpc-depends-on-its-subnet", _cycle, lambda _t: "Circular dependency between resources: ["),
    DevMutation(
        "dev-vpc-unsupported-attribute",
        _bad_attribute,
        lambda t: (
            f"Template error: resource {_first_of_type(t, 'AWS::EC2::VPC')} does not support attribute type "
            "CidrBlockSize in Fn::GetAtt"
        ),
    ),
]
