"""The emulator's policy evaluator against the examples of AWS's documentation.

Each case names the page its policy and expected outcome come from:

* EVAL  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
        (and ..._policy-eval-denyallow.html, ..._policy-eval-basics.html)
* XACCT https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
* COND  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
* MULTI https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
* KMS   https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html and
        https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html
* SNS   https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html
* CWSNS https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger
"""

from __future__ import annotations

from typing import Any

import pytest
from moto.iam.access_control import IAMPolicyStatement, PermissionResult

from webstack_emulator.policy import (
    Decision,
    Principal,
    Request,
    autoscaling_service_linked_role,
    aws_managed_sns_key_policy,
    evaluate_key_access,
    evaluate_policy,
    evaluate_resource_access,
    key_holds,
)

ACCOUNT = "123456789012"
OTHER = "111122223333"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
CARLOS = f"arn:aws:iam::{ACCOUNT}:user/carlossalazar"
TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts"
QUEUE = f"arn:aws:sqs:us-east-1:{ACCOUNT}:queue"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ALARM = f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:high-cpu"
CLOUDWATCH = Principal.service("cloudwatch.amazonaws.com")


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def user(arn: str = CARLOS, *policies: dict[str, Any]) -> Principal:
    return Principal(kind="AWS", arn=arn, identity_policies=tuple(policies))


# -- Evaluation logic -------------------------------------------------------------


def test_eval_implicit_deny_when_nothing_allows():
    # EVAL: "By default, all requests are implicitly denied".
    request = Request(user(), "s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/key")
    assert evaluate_resource_access(None, request) is Decision.IMPLICIT_DENY


def test_eval_explicit_deny_overrides_allow():
    # EVAL: "An explicit deny in any policy overrides any allows."
    allow = doc({"Effect": "Allow", "Principal": {"AWS": CARLOS}, "Action": "sns:Publish", "Resource": TOPIC})
    deny = doc({"Effect": "Deny", "Action": "sns:*", "Resource": "*"})
    request = Request(user(CARLOS, deny), "sns:Publish", TOPIC)
    assert evaluate_resource_access(allow, request) is Decision.EXPLICIT_DENY


def test_eval_same_account_identity_policy_alone_allows():
    # EVAL (policy-eval-basics, Carlos saving to his logs bucket): "If either
    # the identity-based policy or the resource-based policy within the same
    # account allows the request and the other doesn't, the request is still allowed."
    identity = doc({"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": "arn:aws:s3:::amzn-s3-demo-bucket-*/*"})
    bucket = "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar-logs/file"
    request = Request(user(CARLOS, identity), "s3:PutObject", bucket, resource_account=ACCOUNT)
    assert evaluate_resource_access(doc(), request) is Decision.ALLOW


def test_eval_same_account_resource_policy_alone_allows():
    # EVAL: same rule, the other way round (the bucket policy names Carlos).
    bucket_policy = doc({"Effect": "Allow", "Principal": {"AWS": CARLOS}, "Action": "s3:*", "Resource": "*"})
    request = Request(user(), "s3:GetObject", "arn:aws:s3:::bucket/key", resource_account=ACCOUNT)
    assert evaluate_resource_access(bucket_policy, request) is Decision.ALLOW


def test_xacct_both_sides_must_allow():
    # XACCT: "the identity-based policy in the trusted account AND the
    # resource-based policy in the trusting account must both allow".
    resource_policy = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"},
            "Action": "sns:Publish",
            "Resource": TOPIC,
        }
    )
    outsider = f"arn:aws:iam::{OTHER}:role/publisher"
    silent = Request(user(outsider), "sns:Publish", TOPIC)
    granted = Request(
        user(outsider, doc({"Effect": "Allow", "Action": "sns:Publish", "Resource": TOPIC})), "sns:Publish", TOPIC
    )
    assert evaluate_resource_access(resource_policy, silent) is Decision.IMPLICIT_DENY
    assert evaluate_resource_access(resource_policy, granted) is Decision.ALLOW


def test_eval_account_principal_delegates_to_identity_policies():
    # EVAL (Principal element): naming the account in a resource policy
    # delegates to that account's IAM policies; it grants nothing itself.
    resource_policy = doc(
        {"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "sns:Publish", "Resource": TOPIC}
    )
    result = evaluate_policy(resource_policy, Request(user(), "sns:Publish", TOPIC))
    assert result.result is PermissionResult.NEUTRAL and result.delegated
    assert evaluate_resource_access(resource_policy, Request(user(), "sns:Publish", TOPIC)) is Decision.IMPLICIT_DENY


def test_eval_not_principal_deny_spares_the_named_principal():
    # EVAL (NotPrincipal element): Deny with NotPrincipal applies to everyone else.
    policy = doc(
        {"Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": TOPIC},
        {"Effect": "Deny", "NotPrincipal": {"AWS": CARLOS}, "Action": "sns:Publish", "Resource": TOPIC},
    )
    assert evaluate_resource_access(policy, Request(user(), "sns:Publish", TOPIC)) is Decision.ALLOW
    other = user(f"arn:aws:iam::{ACCOUNT}:user/mary")
    assert evaluate_resource_access(policy, Request(other, "sns:Publish", TOPIC)) is Decision.EXPLICIT_DENY


def test_eval_action_names_are_case_insensitive_and_wildcarded():
    # reference_policies_elements_action.html: "SQS:SendMessage" matches
    # sqs:SendMessage; "?" matches one character, "." is literal.
    policy = doc(
        {"Effect": "Allow", "Principal": "*", "Action": ["SQS:SendMessage", "kms:GenerateDataKey*"], "Resource": "*"}
    )
    assert evaluate_policy(policy, Request(user(), "sqs:sendmessage", QUEUE)).result is PermissionResult.PERMITTED
    assert evaluate_policy(policy, Request(user(), "kms:GenerateDataKeyWithoutPlaintext", KEY)).result is (
        PermissionResult.PERMITTED
    )
    dotted = doc({"Effect": "Allow", "Principal": "*", "Action": "s3:Get?bject", "Resource": "arn:aws:s3:::a.b/*"})
    assert evaluate_policy(dotted, Request(user(), "s3:GetObject", "arn:aws:s3:::a.b/k")).result is (
        PermissionResult.PERMITTED
    )
    assert evaluate_policy(dotted, Request(user(), "s3:GetObject", "arn:aws:s3:::aXb/k")).result is (
        PermissionResult.NEUTRAL
    )


# -- Condition operators ------------------------------------------------------------


def test_cond_missing_key_is_false_for_positive_operators():
    # COND: "If the key that you specify in a policy condition is not present
    # in the request context, the values do not match and the condition is false."
    assert key_holds("StringEquals", "aws:PrincipalTag/job-category", "iamuser-admin", {}) is False
    assert key_holds("ArnLike", "aws:SourceArn", "arn:aws:sns:*:*:*", {}) is False


def test_cond_missing_key_is_true_for_negated_operators():
    # COND: "If the policy condition requires that the key is not matched,
    # such as StringNotLike or ArnNotLike, and the right key is not present,
    # the condition is true."
    assert key_holds("StringNotLike", "aws:PrincipalTag/job-category", "admin*", {}) is True
    assert key_holds("ArnNotEquals", "aws:SourceArn", ALARM, {}) is True


def test_cond_string_equals_is_case_sensitive_and_keys_are_not():
    # COND (String condition operators): StringEquals "Exact matching, case
    # sensitive"; condition key names are case-insensitive.
    context = {"AWS:PrincipalTag/job-category": "iamuser-admin"}
    assert key_holds("StringEquals", "aws:PrincipalTag/job-category", "iamuser-admin", context)
    assert not key_holds("StringEquals", "aws:PrincipalTag/job-category", "IAMUser-Admin", context)
    assert key_holds("StringEqualsIgnoreCase", "aws:PrincipalTag/job-category", "IAMUser-Admin", context)


def test_cond_string_like_wildcards():
    # COND: StringLike "Case-sensitive matching. The values can include
    # multi-character match wildcards (*) and single-character match wildcards (?)".
    assert key_holds("StringLike", "s3:prefix", ["", "home/*"], {"s3:prefix": "home/carlos/"})
    assert not key_holds("StringLike", "s3:prefix", ["home/?"], {"s3:prefix": "home/ab"})


def test_cond_arn_like_sns_topic_to_sqs_queue():
    # COND (ARN condition operators) example: a queue policy that admits
    # messages only from one SNS topic (ArnEquals aws:SourceArn).
    policy = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": ACCOUNT},
            "Action": "SQS:SendMessage",
            "Resource": QUEUE,
            "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:TOPIC-ID"}},
        }
    )
    right = Request(user(), "sqs:SendMessage", QUEUE, {"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:TOPIC-ID"})
    wrong = Request(user(), "sqs:SendMessage", QUEUE, {"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:OTHER"})
    assert evaluate_policy(policy, right).delegated
    assert not evaluate_policy(policy, wrong).delegated


def test_cond_arn_operators_compare_each_component():
    # COND: "Each of the six colon-delimited components of the ARN is checked
    # separately"; a value that is not an ARN does not match.
    pattern = f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:*"
    assert key_holds("ArnLike", "aws:SourceArn", pattern, {"aws:SourceArn": ALARM})
    assert not key_holds("ArnLike", "aws:SourceArn", pattern, {"aws:SourceArn": "alarm:high-cpu"})
    assert not key_holds("ArnLike", "aws:SourceArn", pattern, {"aws:SourceArn": ALARM.replace(ACCOUNT, OTHER)})
    assert key_holds("ArnNotLike", "aws:SourceArn", pattern, {"aws:SourceArn": ALARM.replace(ACCOUNT, OTHER)})


def test_cond_bool_secure_transport_deny():
    # COND (Boolean condition operators) example: deny requests not sent over TLS.
    deny = doc(
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "sns:Publish",
            "Resource": TOPIC,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    )
    https = Request(CLOUDWATCH, "sns:Publish", TOPIC, {"aws:SecureTransport": "true"})
    http = Request(CLOUDWATCH, "sns:Publish", TOPIC, {"aws:SecureTransport": "false"})
    assert evaluate_policy(deny, https).result is PermissionResult.NEUTRAL
    assert evaluate_policy(deny, http).result is PermissionResult.DENIED


def test_cond_if_exists_passes_when_key_absent():
    # COND (...IfExists) example: StringLikeIfExists ec2:InstanceType allows a
    # request that has no instance type, and checks one that has.
    condition = {"StringLikeIfExists": {"ec2:InstanceType": ["t1.*", "t2.*", "m3.*"]}}
    policy = doc({"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*", "Condition": condition})
    subnet = "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-1"
    for context, expected in (
        ({}, True),
        ({"ec2:InstanceType": "t2.micro"}, True),
        ({"ec2:InstanceType": "c5.large"}, False),
    ):
        result = evaluate_policy(policy, Request(user(), "ec2:RunInstances", subnet, context), resource_policy=False)
        assert (result.result is PermissionResult.PERMITTED) is expected, context


def test_cond_null_checks_presence():
    # COND (Condition operator to check existence of condition keys): Null
    # "true" holds when the key is absent (e.g. aws:TokenIssueTime for long-term keys).
    assert key_holds("Null", "aws:TokenIssueTime", "true", {})
    assert not key_holds("Null", "aws:TokenIssueTime", "true", {"aws:TokenIssueTime": "2024-01-01T00:00:00Z"})
    assert key_holds("Null", "aws:TokenIssueTime", "false", {"aws:TokenIssueTime": "2024-01-01T00:00:00Z"})


def test_cond_numeric_and_ip():
    # COND: NumericLessThanEquals s3:max-keys 10; IpAddress aws:SourceIp 203.0.113.0/24.
    assert key_holds("NumericLessThanEquals", "s3:max-keys", "10", {"s3:max-keys": "10"})
    assert not key_holds("NumericLessThanEquals", "s3:max-keys", "10", {"s3:max-keys": "11"})
    assert key_holds("IpAddress", "aws:SourceIp", "203.0.113.0/24", {"aws:SourceIp": "203.0.113.7"})
    assert key_holds("NotIpAddress", "aws:SourceIp", "203.0.113.0/24", {"aws:SourceIp": "198.51.100.1"})


def test_multi_for_all_values():
    # MULTI: ForAllValues "returns true if every key value in the request
    # matches at least one value in the policy", and true when the key is missing.
    allowed = ["environment", "cost-center"]
    assert key_holds("ForAllValues:StringEquals", "aws:TagKeys", allowed, {"aws:TagKeys": ["environment"]})
    assert not key_holds("ForAllValues:StringEquals", "aws:TagKeys", allowed, {"aws:TagKeys": ["environment", "dept"]})
    assert key_holds("ForAllValues:StringEquals", "aws:TagKeys", allowed, {})


def test_multi_for_any_value():
    # MULTI: ForAnyValue "returns true if any one of the key values in the
    # request matches any one of the condition values"; false when missing.
    assert key_holds("ForAnyValue:StringEquals", "aws:TagKeys", ["dept"], {"aws:TagKeys": ["environment", "dept"]})
    assert not key_holds("ForAnyValue:StringEquals", "aws:TagKeys", ["dept"], {"aws:TagKeys": ["environment"]})
    assert not key_holds("ForAnyValue:StringEquals", "aws:TagKeys", ["dept"], {})


def test_cond_all_operators_and_keys_must_hold():
    # COND: several keys in a block are ANDed, several values for one key ORed.
    block = {"StringEquals": {"aws:SourceAccount": ACCOUNT}, "ArnLike": {"aws:SourceArn": [ALARM, "arn:aws:x:*:*:*"]}}
    policy = doc(
        {
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": "sns:Publish",
            "Resource": TOPIC,
            "Condition": block,
        }
    )
    both = {"aws:SourceAccount": ACCOUNT, "aws:SourceArn": ALARM}
    assert evaluate_policy(policy, Request(CLOUDWATCH, "sns:Publish", TOPIC, both)).result is PermissionResult.PERMITTED
    one = {"aws:SourceAccount": OTHER, "aws:SourceArn": ALARM}
    assert evaluate_policy(policy, Request(CLOUDWATCH, "sns:Publish", TOPIC, one)).result is PermissionResult.NEUTRAL


# -- Service principals: SNS and CloudWatch ------------------------------------------


def test_sns_topic_policy_with_only_the_tls_deny_admits_no_service():
    # CWSNS / D15: a service principal has no identity policy, so a topic
    # policy without an Allow for it refuses the publish (implicit deny).
    tls_only = doc(
        {
            "Sid": "AllowPublishThroughSSLOnly",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "sns:Publish",
            "Resource": TOPIC,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    )
    context = {"aws:SecureTransport": "true", "aws:SourceArn": ALARM, "aws:SourceAccount": ACCOUNT}
    assert evaluate_resource_access(tls_only, Request(CLOUDWATCH, "sns:Publish", TOPIC, context)) is (
        Decision.IMPLICIT_DENY
    )


def test_sns_cloudwatch_allow_scoped_by_source():
    # CWSNS: "Allow_Publish_Alarms" with ArnLike aws:SourceArn restricts
    # publishing to the named alarms (SNS: aws:SourceAccount likewise).
    policy = doc(
        {
            "Sid": "Allow_Publish_Alarms",
            "Effect": "Allow",
            "Principal": {"Service": ["cloudwatch.amazonaws.com"]},
            "Action": "sns:Publish",
            "Resource": TOPIC,
            "Condition": {
                "ArnLike": {"aws:SourceArn": f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:*"},
                "StringEquals": {"aws:SourceAccount": ACCOUNT},
            },
        }
    )
    ours = {"aws:SourceArn": ALARM, "aws:SourceAccount": ACCOUNT}
    theirs = {"aws:SourceArn": ALARM.replace(ACCOUNT, OTHER), "aws:SourceAccount": OTHER}
    assert evaluate_resource_access(policy, Request(CLOUDWATCH, "sns:Publish", TOPIC, ours)) is Decision.ALLOW
    assert evaluate_resource_access(policy, Request(CLOUDWATCH, "sns:Publish", TOPIC, theirs)) is (
        Decision.IMPLICIT_DENY
    )
    events = Principal.service("events.amazonaws.com")
    assert evaluate_resource_access(policy, Request(events, "sns:Publish", TOPIC, ours)) is Decision.IMPLICIT_DENY


# -- KMS key policies -------------------------------------------------------------------

_DEFAULT_KEY_POLICY = doc(
    {
        "Sid": "Enable IAM User Permissions",
        "Effect": "Allow",
        "Principal": {"AWS": ROOT},
        "Action": "kms:*",
        "Resource": "*",
    }
)


def test_kms_default_key_policy_lets_iam_policies_grant_use():
    # KMS (Default key policy): the root statement "allows the AWS account
    # to use IAM policies to allow access to the KMS key".
    identity = doc({"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": KEY})
    assert evaluate_key_access(_DEFAULT_KEY_POLICY, Request(user(CARLOS, identity), "kms:Decrypt", KEY)) is (
        Decision.ALLOW
    )
    assert evaluate_key_access(_DEFAULT_KEY_POLICY, Request(user(), "kms:Decrypt", KEY)) is Decision.IMPLICIT_DENY


def test_kms_identity_policy_is_not_enough_without_the_root_statement():
    # KMS (control-access): "no AWS principal, including the account root
    # user, has any permissions to a KMS key unless explicitly allowed by the
    # key policy" -- an IAM policy alone does not open the key.
    key_policy = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/admin"},
            "Action": "kms:*",
            "Resource": "*",
        }
    )
    identity = doc({"Effect": "Allow", "Action": "kms:*", "Resource": "*"})
    assert evaluate_key_access(key_policy, Request(user(CARLOS, identity), "kms:Decrypt", KEY)) is (
        Decision.IMPLICIT_DENY
    )


def test_kms_via_service_and_caller_account():
    # KMS (kms:ViaService example): allow use only through one service, by
    # principals of one account.
    key_policy = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
            "Condition": {
                "StringEquals": {"kms:ViaService": "ec2.us-west-2.amazonaws.com", "kms:CallerAccount": ACCOUNT}
            },
        }
    )
    via_ec2 = {"kms:ViaService": "ec2.us-west-2.amazonaws.com", "kms:CallerAccount": ACCOUNT}
    direct = {"kms:CallerAccount": ACCOUNT}
    assert evaluate_key_access(key_policy, Request(user(), "kms:Decrypt", KEY, via_ec2)) is Decision.ALLOW
    assert evaluate_key_access(key_policy, Request(user(), "kms:Decrypt", KEY, direct)) is Decision.IMPLICIT_DENY


def test_kms_encryption_context_and_grant_for_aws_resource():
    # KMS (kms:EncryptionContext:context-key, kms:GrantIsForAWSResource): the
    # CloudWatch Logs statement and the Auto Scaling CreateGrant statement.
    logs = doc(
        {
            "Effect": "Allow",
            "Principal": {"Service": "logs.us-east-1.amazonaws.com"},
            "Action": "kms:GenerateDataKey*",
            "Resource": "*",
            "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:us-east-1:{ACCOUNT}:*"}},
        }
    )
    service = Principal.service("logs.us-east-1.amazonaws.com")
    ours = {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:app"}
    assert evaluate_key_access(logs, Request(service, "kms:GenerateDataKey", KEY, ours)) is Decision.ALLOW
    assert evaluate_key_access(logs, Request(service, "kms:GenerateDataKey", KEY)) is Decision.IMPLICIT_DENY
    grant = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": "kms:CreateGrant",
            "Resource": "*",
            "Condition": {"Bool": {"kms:GrantIsForAWSResource": True}},
        }
    )
    assert evaluate_key_access(
        grant, Request(user(), "kms:CreateGrant", KEY, {"kms:GrantIsForAWSResource": "true"})
    ) is (Decision.ALLOW)
    assert evaluate_key_access(grant, Request(user(), "kms:CreateGrant", KEY)) is Decision.IMPLICIT_DENY


def test_kms_autoscaling_service_linked_role_statement():
    # D1/D16: Principal "*" narrowed by aws:PrincipalArn + kms:CallerAccount
    # (webstack's statement) admits the role and nobody else.
    slr = autoscaling_service_linked_role(ACCOUNT)
    key_policy = doc(
        _DEFAULT_KEY_POLICY["Statement"][0],
        {
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
            "Condition": {"ArnEquals": {"aws:PrincipalArn": slr.arn}, "StringEquals": {"kms:CallerAccount": ACCOUNT}},
        },
    )
    as_slr = {"aws:PrincipalArn": slr.arn, "kms:CallerAccount": ACCOUNT}
    as_carlos = {"aws:PrincipalArn": CARLOS, "kms:CallerAccount": ACCOUNT}
    assert evaluate_key_access(key_policy, Request(slr, "kms:GenerateDataKey", KEY, as_slr)) is Decision.ALLOW
    assert evaluate_key_access(key_policy, Request(user(), "kms:GenerateDataKey", KEY, as_carlos)) is (
        Decision.IMPLICIT_DENY
    )
    # Without the statement the role's own policy (no KMS) cannot use the key.
    assert evaluate_key_access(_DEFAULT_KEY_POLICY, Request(slr, "kms:GenerateDataKey", KEY, as_slr)) is (
        Decision.IMPLICIT_DENY
    )


def test_kms_aws_managed_sns_key_refuses_service_principals():
    # D10: the aws/sns key admits principals of the account via SNS; the
    # CloudWatch service principal has no caller account.
    policy = aws_managed_sns_key_policy(ACCOUNT, "us-east-1")
    via_sns = {"kms:ViaService": "sns.us-east-1.amazonaws.com"}
    assert evaluate_key_access(policy, Request(CLOUDWATCH, "kms:GenerateDataKey", KEY, via_sns)) is (
        Decision.IMPLICIT_DENY
    )
    caller = {**via_sns, "kms:CallerAccount": ACCOUNT}
    assert evaluate_key_access(policy, Request(user(), "kms:GenerateDataKey", KEY, caller)) is Decision.ALLOW


# -- Why not moto's evaluator ---------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        # The TLS-only Deny does not apply to an HTTPS request...
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "sns:Publish",
            "Resource": TOPIC,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        # ...and an Allow whose condition fails is neutral, not a Deny.
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "sns:Publish",
            "Resource": TOPIC,
            "Condition": {"StringEquals": {"aws:SourceAccount": OTHER}},
        },
    ],
)
def test_moto_evaluator_denies_what_aws_does_not(statement):
    context = {"aws:SecureTransport": "true", "aws:SourceAccount": ACCOUNT}
    moto_says = IAMPolicyStatement(statement).is_action_permitted("sns:Publish", TOPIC, None, context)
    ours = evaluate_policy(doc(statement), Request(CLOUDWATCH, "sns:Publish", TOPIC, context))
    assert moto_says is PermissionResult.DENIED  # moto 5.2.5 (see policy/evaluator.py)
    assert ours.result is PermissionResult.NEUTRAL
