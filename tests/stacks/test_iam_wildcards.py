"""Every IAM wildcard the stacks grant is on a reviewed list, with the reason it cannot be narrower.

Reads every identity statement of every stack of every environment: the
``AWS::IAM::Policy`` and ``AWS::IAM::ManagedPolicy`` documents, the roles'
inline ``Policies``, and AWS managed policies attached by ARN (their content
is AWS's, so the attachment itself is what gets reviewed). An ``Allow`` whose
action or resource holds a ``*`` -- after a log group's ``Fn::GetAtt Arn``
is written out as CloudFormation returns it, ``...:log-group:NAME:*`` -- must
match an entry of :data:`REVIEWED`, keyed by stack, role (logical id without
its hash), action and resource. An entry that no environment needs any more
fails too: the list says what is granted, not what once was.

Resource-based policies (key, bucket, topic policies, Lambda permissions) are
not identity statements: a key policy's ``"Resource": "*"`` means that key.
They are tested where they are written (tests/stacks/test_keys.py, ...).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import ENVIRONMENT_NAMES
from tests.synth import Synthesized
from webstack_pitfalls.template import as_list, render

MANAGED = "managed-policy"


@dataclass(frozen=True)
class Reviewed:
    stack: str
    role: str
    actions: tuple[str, ...]
    resource: str
    reason: str


_SITE_DEPLOYER = "CustomCDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C512MiBServiceRole"
_ASSETS_BUCKET = "arn:aws:s3:::cdk-hnb659fds-assets-${AWS::AccountId}-us-west-2"
_S3_READ = ("s3:GetBucket*", "s3:GetObject*", "s3:List*")
_S3_RW = ("s3:Abort*", "s3:DeleteObject*", *_S3_READ)
_S3_PUT = (
    "s3:PutObject",
    "s3:PutObjectLegalHold",
    "s3:PutObjectRetention",
    "s3:PutObjectTagging",
    "s3:PutObjectVersionTagging",
)

REVIEWED: tuple[Reviewed, ...] = (
    Reviewed(
        "web",
        "WebTierInstanceRole",
        (
            "ssm:UpdateInstanceInformation",
            "ssmmessages:CreateControlChannel",
            "ssmmessages:CreateDataChannel",
            "ssmmessages:OpenControlChannel",
            "ssmmessages:OpenDataChannel",
        ),
        "*",
        "Session Manager's minimal instance permissions "
        "(systems-manager/latest/userguide/getting-started-create-iam-instance-profile.html); the Service "
        "Authorization Reference lists no resource type for these actions, so IAM takes them on '*' only",
    ),
    Reviewed(
        "web",
        "WebTierInstanceRole",
        (
            "ec2messages:AcknowledgeMessage",
            "ec2messages:DeleteMessage",
            "ec2messages:FailMessage",
            "ec2messages:GetEndpoint",
            "ec2messages:GetMessages",
            "ec2messages:SendReply",
        ),
        "*",
        "SSM Agent's message delivery (ec2messages, as in AmazonSSMManagedInstanceCore); the actions have no "
        "resource type",
    ),
    Reviewed(
        "web",
        "WebTierInstanceRole",
        ("elasticloadbalancing:DescribeTargetHealth",),
        "*",
        "the instance reads its own target health before signalling the group's CreationPolicy; "
        "DescribeTargetHealth has no resource-level permissions, so IAM takes it on '*' only",
    ),
    Reviewed(
        "web",
        "WebTierInstanceRole",
        ("cloudwatch:PutMetricData",),
        "*",
        "PutMetricData has no resource type; the statement's cloudwatch:namespace condition holds it to the "
        "environment's namespace",
    ),
    Reviewed(
        "web",
        "WebTierInstanceRole",
        ("logs:CreateLogStream", "logs:PutLogEvents"),
        "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${WebTierServerAccessLogs}:*",
        "the CloudWatch agent's streams in the tier's own access-log group (the app's JSON lines; one stream "
        "per instance, named at boot)",
    ),
    Reviewed(
        "web",
        "WebTierInstanceRole",
        ("logs:CreateLogStream", "logs:PutLogEvents"),
        "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${WebTierServerErrorLogs}:*",
        "the CloudWatch agent's streams in the tier's own error-log group",
    ),
    Reviewed(
        "web",
        "WebTierInstanceRole",
        ("s3:GetObject",),
        "${StorageContent.Arn}/*",
        "the instances read the content bucket's objects, whose keys are not known at deploy time",
    ),
    Reviewed(
        "web",
        "SecretsRotationRole",
        ("secretsmanager:GetRandomPassword",),
        "*",
        "GetRandomPassword has no resource type; it reads nothing and returns a random string",
    ),
    Reviewed(
        "web",
        "SecretsRotationRole",
        ("logs:CreateLogStream", "logs:PutLogEvents"),
        "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${SecretsRotationLogs}:*",
        "the rotation function's streams in its own log group (Lambda names one per execution environment)",
    ),
    Reviewed(
        "web",
        "OriginVerifyRotationRole",
        ("secretsmanager:GetRandomPassword",),
        "*",
        "GetRandomPassword has no resource type; it reads nothing and returns a random string",
    ),
    Reviewed(
        "web",
        "OriginVerifyRotationRole",
        ("elasticloadbalancing:DescribeRules",),
        "*",
        "ELB's Describe* actions have no resource type (IAM matches them with '*' only); it reads rule "
        "conditions and changes nothing -- ModifyRule is scoped to the one listener rule",
    ),
    Reviewed(
        "web",
        "OriginVerifyRotationRole",
        ("logs:CreateLogStream", "logs:PutLogEvents"),
        "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${OriginVerifyRotationLogs}:*",
        "the rotation function's streams in its own log group (Lambda names one per execution environment)",
    ),
    Reviewed(
        "web",
        "NetworkVpcAllIAMRole",
        ("logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"),
        "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${NetworkFlowLogs}:*",
        "VPC Flow Logs' delivery role (CDK's FlowLog): streams of the flow-log group only, one per network interface",
    ),
    Reviewed(
        "web",
        "CustomVpcRestrictDefaultSGCustomResourceProviderRole",
        (MANAGED,),
        "AWSLambdaBasicExecutionRole",
        "CDK's singleton handler that strips the default security group's rules (CDK's custom resource "
        "provider, not configurable): the managed policy's logs:CreateLogGroup/CreateLogStream/PutLogEvents "
        "on '*' is how Lambda writes /aws/lambda/<function>, creating that group at its first run",
    ),
    # CDK's BucketDeployment handler (site_deployment.py): its role and grants are CDK's.
    *(
        Reviewed("web", _SITE_DEPLOYER, actions, resource, reason)
        for actions, resource, reason in (
            (
                _S3_RW,
                "${StorageContent.Arn}",
                "BucketDeployment's grant on the content bucket (bucket.grantReadWrite in aws-cdk-lib): "
                "the handler lists, syncs and prunes the site's objects; CDK writes the action groups",
            ),
            (
                (*_S3_RW, *_S3_PUT),
                "${StorageContent.Arn}/*",
                "BucketDeployment's grant on the content bucket's objects: the handler writes, replaces and "
                "prunes every site object (bucket.grantReadWrite's action groups)",
            ),
            (
                _S3_READ,
                _ASSETS_BUCKET,
                "BucketDeployment reads the site's zip from the CDK bootstrap assets bucket "
                "(sourceBucket.grantRead in aws-cdk-lib, written on the bucket and its objects)",
            ),
            (
                _S3_READ,
                f"{_ASSETS_BUCKET}/*",
                "BucketDeployment reads the site's zip from the CDK bootstrap assets bucket (the zip's "
                "key changes with every build, so CDK grants the bucket's objects)",
            ),
            (
                ("cloudfront:CreateInvalidation", "cloudfront:GetInvalidation"),
                "*",
                "BucketDeployment invalidates the changed pages on the distribution and waits for it; "
                "aws-cdk-lib 2.275 writes this grant on '*' in its handler role",
            ),
            (
                ("kms:GenerateDataKey*", "kms:ReEncrypt*"),
                "${KeysDataKey.Arn}",
                "the content bucket is SSE-KMS with the data key: writing objects needs data keys "
                "(bucket.grantReadWrite adds the key's encrypt actions)",
            ),
            (
                (MANAGED,),
                "AWSLambdaBasicExecutionRole",
                "CDK's BucketDeployment handler role: Lambda's log permissions as for the other CDK handlers",
            ),
        )
    ),
    Reviewed(
        "web",
        "CustomS3AutoDeleteObjectsCustomResourceProviderRole",
        (MANAGED,),
        "AWSLambdaBasicExecutionRole",
        "CDK's auto-delete-objects handler (disposable environments only, retain_data: false): the same "
        "Lambda log permissions as above; its S3 access is granted by the buckets' own policies",
    ),
)


@dataclass(frozen=True)
class Wildcard:
    stack: str
    role: str
    action: str
    resource: str

    def __str__(self) -> str:
        return f"{self.stack}: {self.role} may {self.action} on {self.resource}"


_HASH = re.compile(r"^(?P<name>[A-Za-z0-9]+?)[0-9A-F]{8}$")
_REF = re.compile(r"\$\{(?P<lid>[A-Za-z0-9]+?)(?P<attr>\.[A-Za-z.]+)?\}")


def _unhashed(logical_id: str) -> str:
    match = _HASH.match(logical_id)
    return match.group("name") if match else logical_id


def _log_group_arns_spelled_out(value: Any, resources: dict[str, Any]) -> Any:
    """``Fn::GetAtt [LogGroup, Arn]`` as CloudFormation returns it: ``...:log-group:NAME:*``
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-logs-loggroup.html#aws-resource-logs-loggroup-return-values)."""
    if isinstance(value, list):
        return [_log_group_arns_spelled_out(v, resources) for v in value]
    if not isinstance(value, dict):
        return value
    att = value.get("Fn::GetAtt")
    if isinstance(att, list) and att[1:] == ["Arn"] and resources.get(att[0], {}).get("Type") == "AWS::Logs::LogGroup":
        prefix = "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:"
        return {"Fn::Join": ["", [prefix, {"Ref": att[0]}, ":*"]]}
    return {k: _log_group_arns_spelled_out(v, resources) for k, v in value.items()}


def _rendered(value: Any, resources: dict[str, Any]) -> str:
    text = render(_log_group_arns_spelled_out(value, resources))
    return _REF.sub(lambda m: "${" + _unhashed(m.group("lid")) + (m.group("attr") or "") + "}", text)


def _documents(resources: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(owner logical id, policy document) of every identity policy of a template."""
    for lid, resource in resources.items():
        props = resource.get("Properties") or {}
        kind = resource.get("Type")
        if kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            owners = [r.get("Ref") for key in ("Roles", "Users", "Groups") for r in as_list(props.get(key))]
            for owner in owners or [lid]:
                yield owner, props.get("PolicyDocument")
        elif kind in ("AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"):
            for inline in as_list(props.get("Policies")):
                yield lid, inline.get("PolicyDocument")


def _statement_wildcards(stack: str, role: str, statement: dict, resources: dict[str, Any]) -> Iterator[Wildcard]:
    targets = [_rendered(r, resources) for r in as_list(statement.get("Resource"))]
    targets += [f"NotResource:{_rendered(r, resources)}" for r in as_list(statement.get("NotResource"))]
    actions = [str(a) for a in as_list(statement.get("Action"))]
    actions += [f"NotAction:{a}" for a in as_list(statement.get("NotAction"))]
    for action in actions:
        for target in targets:
            if "*" in action or "*" in target or target.startswith("NotResource:") or action.startswith("NotAction:"):
                yield Wildcard(stack, role, action, target)


def wildcards(stack: str, template: dict[str, Any]) -> Iterator[Wildcard]:
    resources = template.get("Resources") or {}
    for owner, document in _documents(resources):
        for statement in as_list((document or {}).get("Statement")):
            if statement.get("Effect") == "Allow":
                yield from _statement_wildcards(stack, _unhashed(owner), statement, resources)
    for lid, resource in resources.items():
        if resource.get("Type") != "AWS::IAM::Role":
            continue
        for arn in as_list((resource.get("Properties") or {}).get("ManagedPolicyArns")):
            text = render(arn)
            if ":iam::aws:policy/" in text:
                yield Wildcard(stack, _unhashed(lid), MANAGED, text.rsplit("/", 1)[-1])


def _reviewing(found: Wildcard) -> Reviewed | None:
    return next(
        (
            r
            for r in REVIEWED
            if (r.stack, r.role, r.resource) == (found.stack, found.role, found.resource) and found.action in r.actions
        ),
        None,
    )


def environment_wildcards(synth: Synthesized) -> set[Wildcard]:
    return {w for stack, t in synth.templates().items() for w in wildcards(stack, t.to_json())}


def test_every_wildcard_is_reviewed(each_env):
    unreviewed = sorted(str(w) for w in environment_wildcards(each_env) if _reviewing(w) is None)
    assert not unreviewed, "IAM wildcards not on the reviewed list (narrow them, or add them with a reason):\n" + (
        "\n".join(unreviewed)
    )


def test_no_reviewed_wildcard_is_stale(synth):
    found = {w for name in ENVIRONMENT_NAMES for w in environment_wildcards(synth(name))}
    stale = [
        f"{r.stack}: {r.role} {action} on {r.resource}"
        for r in REVIEWED
        for action in r.actions
        if Wildcard(r.stack, r.role, action, r.resource) not in found
    ]
    assert not stale, "reviewed wildcards no environment grants any more (remove them):\n" + "\n".join(stale)


def test_every_entry_gives_a_reason():
    for entry in REVIEWED:
        assert len(entry.reason) > 40, entry


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/k"}, []),
        ({"Effect": "Deny", "Action": "*", "Resource": "*"}, []),
        ({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}, [("s3:GetObject", "*")]),
        ({"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::b/k"}, [("s3:Get*", "arn:aws:s3:::b/k")]),
        (
            {"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": {"Fn::GetAtt": ["LogsAB12CD34", "Arn"]}},
            [
                (
                    "logs:PutLogEvents",
                    "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${Logs}:*",
                )
            ],
        ),
        (
            {"Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:aws:s3:::b"},
            [("NotAction:iam:*", "arn:aws:s3:::b")],
        ),
    ],
)
def test_what_counts_as_a_wildcard(statement, expected):
    """The detector itself: an Allow's '*' in action or resource (a log group's Arn included), NotAction."""
    template = {
        "Resources": {
            "LogsAB12CD34": {"Type": "AWS::Logs::LogGroup"},
            "RoleAB12CD34": {"Type": "AWS::IAM::Role", "Properties": {"Policies": [{"PolicyDocument": {}}]}},
            "PolicyAB12CD34": {
                "Type": "AWS::IAM::Policy",
                "Properties": {"Roles": [{"Ref": "RoleAB12CD34"}], "PolicyDocument": {"Statement": [statement]}},
            },
        }
    }
    assert [(w.action, w.resource) for w in wildcards("s", template)] == expected
    assert {w.role for w in wildcards("s", template)} <= {"Role"}
