"""What AWS refuses at create time (providers/service_rules/): each rule fails a
small template with AWS's error code and text, and a passing control shows the
fix; the stack rolls back with that reason, as CloudFormation's would."""

from __future__ import annotations

import datetime
import inspect
import json
import uuid

import pytest

from webstack_emulator.providers import cloudfront as cloudfront_provider
from webstack_emulator.providers import kms as kms_provider
from webstack_emulator.providers.service_rules import ServiceRuleError
from webstack_emulator.providers.service_rules import cloudfront as cloudfront_rules
from webstack_emulator.providers.service_rules import kms as kms_rules
from webstack_emulator.providers.service_rules import lambda_ as lambda_rules
from webstack_emulator.providers.service_rules import s3 as s3_rules

ACCOUNT = "123456789012"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
ROOT_ADMIN = {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"}


def _policy(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _unique(prefix):
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def assert_refused(stack, logical_id, code, text):
    """The stack rolled back because ``logical_id`` failed with AWS's ``code`` and ``text``."""
    assert stack.status == "ROLLBACK_COMPLETE", stack.failures()
    reasons = [f for f in stack.failures() if f.startswith(f"{logical_id}: ")]
    assert any(code in reason and text in reason for reason in reasons), stack.failures()


def _wire(monkeypatch, provider_class, rule, call):
    """The KMS key and distribution providers call their rule from create and
    update (``service_rules.kms.check_key_policy``,
    ``service_rules.cloudfront.check_distribution``); where a provider does not
    make that call itself, the test puts the same call in front of it."""
    if rule in inspect.getsource(provider_class):
        return
    for name in ("create", "update"):
        original = getattr(provider_class, name)

        def hooked(self, *args, _original=original, _name=name):
            call(self, args[-1])
            return _original(self, *args)

        monkeypatch.setattr(provider_class, name, hooked)


@pytest.fixture
def key_policy_rule(monkeypatch):
    _wire(monkeypatch, kms_provider.Key, "check_key_policy", kms_rules.check_key_policy)


@pytest.fixture
def distribution_rule(monkeypatch):
    _wire(
        monkeypatch,
        cloudfront_provider.Distribution,
        "check_distribution",
        lambda self, props: cloudfront_rules.check_distribution(self.account_id, props["DistributionConfig"]),
    )


# -- KMS (pitfall D17) ----------------------------------------------------------
def test_key_policy_that_locks_the_account_out_is_refused(deploy, key_policy_rule):
    use_only = {
        "Effect": "Allow",
        "Principal": {"AWS": ROOT},
        "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"],
        "Resource": "*",
    }
    stack = deploy({"K": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": _policy(use_only)}}}, expect_ok=False)
    assert_refused(stack, "K", "MalformedPolicyDocumentException", kms_rules.LOCKOUT_MESSAGE)


def test_key_policy_lockout_check_can_be_bypassed_and_root_admin_passes(deploy, key_policy_rule):
    use_only = {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:Decrypt", "Resource": "*"}
    deploy(
        {
            "Bypassed": {
                "Type": "AWS::KMS::Key",
                "Properties": {"KeyPolicy": _policy(use_only), "BypassPolicyLockoutSafetyCheck": True},
            },
            "Managed": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": _policy(ROOT_ADMIN)}},
        }
    )


def test_key_policy_naming_a_role_that_does_not_exist_is_refused(deploy, key_policy_rule):
    ghost = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/{_unique('ghost')}"},
        "Action": "kms:Decrypt",
        "Resource": "*",
    }
    stack = deploy(
        {"K": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": _policy(ROOT_ADMIN, ghost)}}}, expect_ok=False
    )
    assert_refused(stack, "K", "MalformedPolicyDocumentException", kms_rules.INVALID_PRINCIPALS_MESSAGE)


def test_key_policy_naming_an_existing_role_or_a_service_passes(deploy, key_policy_rule):
    user = {
        "Effect": "Allow",
        "Principal": {"AWS": {"Fn::GetAtt": ["R", "Arn"]}, "Service": "logs.us-east-1.amazonaws.com"},
        "Action": "kms:Decrypt",
        "Resource": "*",
    }
    trust = _policy({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})
    deploy(
        {
            "R": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": trust}},
            "K": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": _policy(ROOT_ADMIN, user)}},
        }
    )


def test_duplicate_kms_alias_is_refused(deploy):
    name = f"alias/{_unique('rules-')}"

    def template():
        return {
            "K": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": _policy(ROOT_ADMIN)}},
            "A": {"Type": "AWS::KMS::Alias", "Properties": {"AliasName": name, "TargetKeyId": {"Ref": "K"}}},
        }

    deploy(template())  # the control: the first alias of that name
    second = deploy(template(), expect_ok=False)
    assert_refused(
        second,
        "A",
        "AlreadyExistsException",
        f"An alias with the name arn:aws:kms:us-east-1:{ACCOUNT}:{name} already exists",
    )


# -- CloudWatch Logs (pitfall D18) -----------------------------------------------
LOGS_MAY_USE_KEY = {
    "Effect": "Allow",
    "Principal": {"Service": "logs.us-east-1.amazonaws.com"},
    "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
    "Resource": "*",
    "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:us-east-1:{ACCOUNT}:*"}},
}


def _log_group_stack(key_properties, group_name=None):
    group = {"KmsKeyId": {"Fn::GetAtt": ["K", "Arn"]}}
    if group_name:
        group["LogGroupName"] = group_name
    return {
        "K": {"Type": "AWS::KMS::Key", "Properties": key_properties},
        "L": {"Type": "AWS::Logs::LogGroup", "Properties": group},
    }


def test_log_group_key_that_does_not_admit_logs_is_refused(deploy):
    stack = deploy(_log_group_stack({"KeyPolicy": _policy(ROOT_ADMIN)}), expect_ok=False)
    assert_refused(
        stack,
        "L",
        "AccessDeniedException",
        "The specified KMS key does not exist or is not allowed to be used with Arn",
    )


def test_log_group_key_scoped_to_another_log_group_is_refused(deploy):
    other = dict(LOGS_MAY_USE_KEY)
    other["Condition"] = {
        "ArnEquals": {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:other"}
    }
    name = _unique("/rules/logs-")
    stack = deploy(_log_group_stack({"KeyPolicy": _policy(ROOT_ADMIN, other)}, name), expect_ok=False)
    assert_refused(
        stack,
        "L",
        "AccessDeniedException",
        f"is not allowed to be used with Arn 'arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{name}'",
    )


def test_log_group_key_that_is_disabled_is_refused(deploy):
    key = {"KeyPolicy": _policy(ROOT_ADMIN, LOGS_MAY_USE_KEY), "Enabled": False}
    stack = deploy(_log_group_stack(key), expect_ok=False)
    assert_refused(stack, "L", "InvalidParameterException", "does not exist or is disabled")


def test_log_group_key_that_admits_logs_passes(deploy, aws):
    name = _unique("/rules/logs-")
    exact = dict(LOGS_MAY_USE_KEY)
    exact["Condition"] = {
        "ArnEquals": {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{name}"}
    }
    for statement, group_name in ((LOGS_MAY_USE_KEY, None), (exact, name)):
        stack = deploy(_log_group_stack({"KeyPolicy": _policy(ROOT_ADMIN, statement)}, group_name))
        group = aws("logs").describe_log_groups(logGroupNamePrefix=stack.resources["L"])["logGroups"][0]
        assert group["kmsKeyId"].endswith(stack.resources["K"])


# -- CloudFront (pitfalls D6, D4) ------------------------------------------------
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"  # AWS-managed cache policy


def _distribution_stack(log_bucket_properties=None, viewer_certificate=None):
    config = {
        "Enabled": True,
        "Origins": [
            {
                "Id": "s3",
                "DomainName": {"Fn::GetAtt": ["Content", "RegionalDomainName"]},
                "S3OriginConfig": {"OriginAccessIdentity": ""},
            }
        ],
        "DefaultCacheBehavior": {
            "TargetOriginId": "s3",
            "ViewerProtocolPolicy": "redirect-to-https",
            "CachePolicyId": CACHING_OPTIMIZED,
        },
    }
    resources = {"Content": {"Type": "AWS::S3::Bucket"}}
    if log_bucket_properties is not None:
        resources["Logs"] = {"Type": "AWS::S3::Bucket", "Properties": log_bucket_properties}
        config["Logging"] = {"Bucket": {"Fn::GetAtt": ["Logs", "RegionalDomainName"]}, "Prefix": "cdn/"}
    if viewer_certificate is not None:
        config["ViewerCertificate"] = viewer_certificate
    resources["D"] = {"Type": "AWS::CloudFront::Distribution", "Properties": {"DistributionConfig": config}}
    return resources


def _ownership(value):
    return {"OwnershipControls": {"Rules": [{"ObjectOwnership": value}]}}


@pytest.mark.parametrize("log_bucket", [_ownership("BucketOwnerEnforced"), {}], ids=["enforced", "default"])
def test_cloudfront_log_bucket_without_acls_is_refused(deploy, distribution_rule, log_bucket):
    stack = deploy(_distribution_stack(log_bucket), expect_ok=False)
    assert_refused(
        stack, "D", "InvalidArgument", "The S3 bucket that you specified for CloudFront logs does not enable ACL access"
    )


@pytest.mark.parametrize("ownership", ["ObjectWriter", "BucketOwnerPreferred"])
def test_cloudfront_log_bucket_with_acls_passes(deploy, distribution_rule, ownership):
    deploy(_distribution_stack(_ownership(ownership)))


def test_cloudfront_certificate_that_is_not_issued_is_refused(deploy, aws, distribution_rule):
    pending = aws("acm").request_certificate(DomainName="pending.rules.test", ValidationMethod="DNS")["CertificateArn"]
    viewer = {"AcmCertificateArn": pending, "SslSupportMethod": "sni-only", "MinimumProtocolVersion": "TLSv1.2_2021"}
    stack = deploy(_distribution_stack(viewer_certificate=viewer), expect_ok=False)
    assert_refused(stack, "D", "InvalidViewerCertificate", "The specified SSL certificate doesn't exist")


def test_cloudfront_certificate_that_is_issued_passes(deploy, distribution_rule):
    zone = _unique("cdn") + ".test"
    resources = _distribution_stack(
        viewer_certificate={"AcmCertificateArn": {"Ref": "C"}, "SslSupportMethod": "sni-only"}
    )
    resources["Z"] = {"Type": "AWS::Route53::HostedZone", "Properties": {"Name": zone}}
    resources["C"] = _issued_certificate(f"www.{zone}")
    deploy(resources)


def _issued_certificate(domain):
    return {
        "Type": "AWS::CertificateManager::Certificate",
        "Properties": {
            "DomainName": domain,
            "ValidationMethod": "DNS",
            "DomainValidationOptions": [{"DomainName": domain, "HostedZoneId": {"Ref": "Z"}}],
        },
    }


# -- ELBv2 access logs and listeners (pitfalls D7, D19, D4) ------------------------
ELB_ACCOUNT_US_EAST_1 = "127311923021"


def _network(cidr="10.9"):
    return {
        "V": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": f"{cidr}.0.0/16"}},
        "S1": {
            "Type": "AWS::EC2::Subnet",
            "Properties": {"VpcId": {"Ref": "V"}, "CidrBlock": f"{cidr}.0.0/24", "AvailabilityZone": "us-east-1a"},
        },
        "S2": {
            "Type": "AWS::EC2::Subnet",
            "Properties": {"VpcId": {"Ref": "V"}, "CidrBlock": f"{cidr}.1.0/24", "AvailabilityZone": "us-east-1b"},
        },
    }


def _log_delivery_grant(principal):
    return {
        "Effect": "Allow",
        "Principal": principal,
        "Action": "s3:PutObject",
        "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": ["Logs", "Arn"]}, f"/alb/AWSLogs/{ACCOUNT}/*"]]},
    }


def _load_balancer_stack(encryption="AES256", grant=None):
    resources = _network()
    by_default = {"SSEAlgorithm": encryption}
    resources["Logs"] = {
        "Type": "AWS::S3::Bucket",
        "Properties": {
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": by_default}]}
        },
    }
    depends = []
    if grant is not None:
        resources["LogsPolicy"] = {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {"Bucket": {"Ref": "Logs"}, "PolicyDocument": _policy(grant)},
        }
        depends = ["LogsPolicy"]
    resources["Lb"] = {
        "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "DependsOn": depends,
        "Properties": {
            "Subnets": [{"Ref": "S1"}, {"Ref": "S2"}],
            "Type": "application",
            "LoadBalancerAttributes": [
                {"Key": "access_logs.s3.enabled", "Value": "true"},
                {"Key": "access_logs.s3.bucket", "Value": {"Ref": "Logs"}},
                {"Key": "access_logs.s3.prefix", "Value": "alb"},
            ],
        },
    }
    return resources


def test_alb_access_logs_to_a_bucket_without_elb_grant_are_refused(deploy, aws):
    stack = deploy(_load_balancer_stack(), expect_ok=False)
    assert_refused(stack, "Lb", "InvalidConfigurationRequest", "Please check S3bucket permission")
    assert "Access Denied for bucket: " in " ".join(stack.failures())
    # the failed create leaves no load balancer behind
    names = [lb["LoadBalancerName"] for lb in aws("elbv2").describe_load_balancers()["LoadBalancers"]]
    assert not [name for name in names if name.startswith(stack.name)]


def test_alb_access_logs_to_an_sse_kms_bucket_are_refused(deploy):
    grant = _log_delivery_grant({"AWS": f"arn:aws:iam::{ELB_ACCOUNT_US_EAST_1}:root"})
    stack = deploy(_load_balancer_stack("aws:kms", grant), expect_ok=False)
    assert_refused(stack, "Lb", "InvalidConfigurationRequest", "Please check S3bucket permission")


@pytest.mark.parametrize(
    "principal",
    [
        {"AWS": f"arn:aws:iam::{ELB_ACCOUNT_US_EAST_1}:root"},
        {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"},
    ],
    ids=["elb-account", "log-delivery-service"],
)
def test_alb_access_logs_to_an_sse_s3_bucket_with_elb_grant_pass(deploy, aws, principal):
    stack = deploy(_load_balancer_stack("AES256", _log_delivery_grant(principal)))
    attrs = aws("elbv2").describe_load_balancer_attributes(LoadBalancerArn=stack.resources["Lb"])["Attributes"]
    assert {"Key": "access_logs.s3.enabled", "Value": "true"} in attrs


def _listener_stack(certificate_arn):
    resources = _network("10.8")
    resources["Lb"] = {
        "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "Properties": {"Subnets": [{"Ref": "S1"}, {"Ref": "S2"}], "Type": "application"},
    }
    resources["Https"] = {
        "Type": "AWS::ElasticLoadBalancingV2::Listener",
        "Properties": {
            "LoadBalancerArn": {"Ref": "Lb"},
            "Port": 443,
            "Protocol": "HTTPS",
            "Certificates": [{"CertificateArn": certificate_arn}],
            "DefaultActions": [
                {"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404", "ContentType": "text/plain"}}
            ],
        },
    }
    return resources


def test_https_listener_with_a_certificate_pending_validation_is_refused(deploy, aws):
    pending = aws("acm").request_certificate(DomainName="alb.rules.test", ValidationMethod="DNS")["CertificateArn"]
    stack = deploy(_listener_stack(pending), expect_ok=False)
    assert_refused(stack, "Https", "CertificateNotFound", f"Certificate '{pending}' not found")


def test_https_listener_with_an_issued_certificate_passes(deploy):
    zone = _unique("alb") + ".test"
    resources = _listener_stack({"Ref": "C"})
    resources["Z"] = {"Type": "AWS::Route53::HostedZone", "Properties": {"Name": zone}}
    resources["C"] = _issued_certificate(f"www.{zone}")
    deploy(resources)


# -- Secrets Manager rotation and Lambda (pitfall D20, runtimes) -----------------------
LAMBDA_ROLE = {
    "Type": "AWS::IAM::Role",
    "Properties": {
        "AssumeRolePolicyDocument": _policy(
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        )
    },
}


def _function(runtime="python3.13"):
    return {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "Runtime": runtime,
            "Handler": "index.handler",
            "Role": {"Fn::GetAtt": ["FnRole", "Arn"]},
            "Code": {"ZipFile": "def handler(event, context):\n    return None\n"},
        },
    }


def _rotation_stack(permission=None):
    resources = {
        "FnRole": LAMBDA_ROLE,
        "Fn": _function(),
        "S": {"Type": "AWS::SecretsManager::Secret", "Properties": {"GenerateSecretString": {}}},
        "R": {
            "Type": "AWS::SecretsManager::RotationSchedule",
            "Properties": {
                "SecretId": {"Ref": "S"},
                "RotationLambdaARN": {"Fn::GetAtt": ["Fn", "Arn"]},
                "RotationRules": {"ScheduleExpression": "rate(30 days)"},
            },
        },
    }
    if permission is not None:
        resources["Invoke"] = {"Type": "AWS::Lambda::Permission", "Properties": permission}
        resources["R"]["DependsOn"] = ["Invoke"]
    return resources


def _permission(principal="secretsmanager.amazonaws.com", **scope):
    return {
        "Action": "lambda:InvokeFunction",
        "FunctionName": {"Fn::GetAtt": ["Fn", "Arn"]},
        "Principal": principal,
        **scope,
    }


def test_rotation_with_a_function_secrets_manager_may_not_invoke_is_refused(deploy):
    for permission in (None, _permission("events.amazonaws.com")):
        stack = deploy(_rotation_stack(permission), expect_ok=False)
        assert_refused(
            stack, "R", "AccessDeniedException", "Secrets Manager cannot invoke the specified Lambda function"
        )


def test_rotation_with_a_function_that_does_not_exist_is_refused(deploy):
    resources = _rotation_stack()
    resources["R"]["Properties"]["RotationLambdaARN"] = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{_unique('gone')}"
    stack = deploy(resources, expect_ok=False)
    assert_refused(stack, "R", "AccessDeniedException", "Secrets Manager cannot invoke the specified Lambda function")


def _create_stack(aws, resources, outputs):
    """Create a stack and return its status and outputs. (moto's
    AWS::Lambda::Permission has no physical id, so DescribeStackResources --
    which the ``deploy`` fixture reads -- cannot list a stack holding one.)"""
    cfn = aws("cloudformation")
    name = _unique("rules-")
    template = {"Resources": resources, "Outputs": {k: {"Value": v} for k, v in outputs.items()}}
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template), Capabilities=["CAPABILITY_IAM"])
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    return stack["StackStatus"], {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def test_rotation_with_a_permission_for_secrets_manager_passes(aws):
    for permission in (_permission(), _permission(SourceAccount={"Ref": "AWS::AccountId"})):
        outputs = {"Secret": {"Ref": "S"}, "Fn": {"Fn::GetAtt": ["Fn", "Arn"]}}
        status, values = _create_stack(aws, _rotation_stack(permission), outputs)
        assert status == "CREATE_COMPLETE"
        described = aws("secretsmanager").describe_secret(SecretId=values["Secret"])
        assert described["RotationEnabled"] and described["RotationLambdaARN"] == values["Fn"]


def test_lambda_function_with_a_deprecated_runtime_is_refused(deploy):
    stack = deploy({"FnRole": LAMBDA_ROLE, "Fn": _function("python3.7")}, expect_ok=False)
    assert_refused(
        stack,
        "Fn",
        "InvalidParameterValueException",
        "The runtime parameter of python3.7 is no longer supported for creating or updating AWS Lambda functions.",
    )


def test_lambda_function_with_a_supported_runtime_passes(deploy):
    deploy({"FnRole": LAMBDA_ROLE, "Fn": _function("nodejs24.x")})


def test_runtime_block_dates_separate_create_from_update():
    # nodejs14.x: creates blocked from 2024-07-09, updates from 2025-11-01
    between = datetime.date(2025, 1, 1)
    with pytest.raises(ServiceRuleError) as refused:
        lambda_rules.check_runtime("nodejs14.x", update=False, today=between)
    assert refused.value.code == "InvalidParameterValueException"
    lambda_rules.check_runtime("nodejs14.x", update=True, today=between)
    lambda_rules.check_runtime("nodejs14.x", update=False, today=datetime.date(2024, 7, 8))
    lambda_rules.check_runtime("python3.14", update=False)


# -- S3 Block Public Access --------------------------------------------------------
def _public_policy_stack(block_public_policy, condition=None):
    statement = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": ["B", "Arn"]}, "/*"]]},
    }
    if condition:
        statement["Condition"] = condition
    return {
        "B": {
            "Type": "AWS::S3::Bucket",
            "Properties": {
                "PublicAccessBlockConfiguration": {
                    "BlockPublicAcls": True,
                    "BlockPublicPolicy": block_public_policy,
                    "IgnorePublicAcls": True,
                    "RestrictPublicBuckets": block_public_policy,
                }
            },
        },
        "P": {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {"Bucket": {"Ref": "B"}, "PolicyDocument": _policy(statement)},
        },
    }


def test_public_bucket_policy_under_block_public_policy_is_refused(deploy):
    stack = deploy(_public_policy_stack(True), expect_ok=False)
    assert_refused(stack, "P", "AccessDenied", "Access Denied")


@pytest.mark.parametrize(
    ("block", "condition"),
    [
        (True, {"StringEquals": {"aws:SourceAccount": ACCOUNT}}),
        (True, {"IpAddress": {"aws:SourceIp": "198.51.100.0/24"}}),
        (False, None),
    ],
    ids=["fixed-source-account", "source-ip-range", "public-policies-allowed"],
)
def test_non_public_or_allowed_bucket_policy_passes(deploy, block, condition):
    deploy(_public_policy_stack(block, condition))


def test_what_s3_counts_as_a_public_policy():
    star = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject", "Resource": "*"}
    assert s3_rules.policy_is_public(_policy(star))
    assert s3_rules.policy_is_public(_policy(dict(star, Condition={"StringLike": {"aws:SourceArn": "arn:aws:*"}})))
    assert s3_rules.policy_is_public(_policy(dict(star, Condition={"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}})))
    assert not s3_rules.policy_is_public(_policy(dict(star, Effect="Deny")))
    assert not s3_rules.policy_is_public(_policy(dict(star, Principal={"Service": "cloudfront.amazonaws.com"})))


# -- EC2 rules per security group (pitfall D9) ----------------------------------------
CLOUDFRONT_ORIGIN_FACING_US_EAST_1 = "pl-3b927c52"  # weight 55


def _group_stack(ports):
    resources = {
        "V": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.7.0.0/16"}},
        "G": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "alb", "VpcId": {"Ref": "V"}}},
    }
    for port in ports:
        resources[f"In{port}"] = {
            "Type": "AWS::EC2::SecurityGroupIngress",
            "Properties": {
                "GroupId": {"Fn::GetAtt": ["G", "GroupId"]},
                "IpProtocol": "tcp",
                "FromPort": port,
                "ToPort": port,
                "SourcePrefixListId": CLOUDFRONT_ORIGIN_FACING_US_EAST_1,
            },
        }
    return resources


def test_security_group_over_the_rule_quota_by_prefix_list_weight_is_refused(deploy):
    resources = _group_stack([80, 443])
    resources["In443"]["DependsOn"] = ["In80"]
    stack = deploy(resources, expect_ok=False)
    assert_refused(
        stack,
        "In443",
        "RulesPerSecurityGroupLimitExceeded",
        "The maximum number of rules per security group has been reached.",
    )


def test_security_group_with_one_port_for_cloudfront_passes(deploy, aws):
    stack = deploy(_group_stack([443]))
    group = aws("ec2").describe_security_groups(GroupIds=[stack.resources["G"]])["SecurityGroups"][0]
    assert group["IpPermissions"][0]["PrefixListIds"][0]["PrefixListId"] == CLOUDFRONT_ORIGIN_FACING_US_EAST_1
