"""Customer-managed KMS keys and the key-policy statements that make them usable.

Two keys, split by who must be able to use them:

* ``data``: content bucket objects, EBS volumes, secrets. Auto Scaling's
  service-linked role (D1) and CloudFront's Origin Access Control (D2) are
  granted use of it here.
* ``telemetry``: CloudWatch Logs log groups and the alert SNS topics.
  CloudWatch Logs, CloudWatch alarms (D10) and the Auto Scaling
  service-linked role, which sends the group's notifications (D16), are
  granted use of it here.

Keys are never deleted in an environment that retains data (F4): the
removal policy is a decision of the caller.
"""

from __future__ import annotations

from aws_cdk import Aws, Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from webstack.constructs.acknowledge import skip_checkov

# The Auto Scaling service-linked role. It may not exist yet in a fresh
# account, and a key policy naming a missing principal is rejected with
# MalformedPolicyDocumentException (D1; aws/aws-cdk#34491). So the statement
# uses Principal "*" narrowed by aws:PrincipalArn + kms:CallerAccount, which is
# valid whether or not the role exists yet and grants nothing to anyone else.
AUTOSCALING_SLR_PATH = "role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"

_CONDITIONED_STAR = (
    "every Principal '*' statement of this key policy is narrowed by aws:PrincipalArn to the Auto Scaling "
    "service-linked role and by kms:CallerAccount to this account; naming the role as principal is refused "
    "while the role does not exist yet (pitfalls D1, D16)"
)

_EBS_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]


def autoscaling_service_linked_role_arn() -> str:
    return f"arn:{Aws.PARTITION}:iam::{Aws.ACCOUNT_ID}:{AUTOSCALING_SLR_PATH}"


class Keys(Construct):
    """The platform's customer-managed keys (rotation on)."""

    def __init__(self, scope: Construct, construct_id: str, *, removal_policy: RemovalPolicy) -> None:
        super().__init__(scope, construct_id)

        self.data = self._key("DataKey", "webstack data: content objects, EBS volumes, secrets", "data", removal_policy)
        self._allow_autoscaling_ebs(self.data)

        self.telemetry = self._key(
            "TelemetryKey", "webstack telemetry: log groups and the alert topic", "telemetry", removal_policy
        )
        allow_cloudwatch_logs(self.telemetry)
        allow_cloudwatch_alarms(self.telemetry)
        allow_autoscaling_notifications(self.telemetry)

    def _key(self, construct_id: str, description: str, alias: str, removal_policy: RemovalPolicy) -> kms.Key:
        key = kms.Key(
            self,
            construct_id,
            description=description,
            enable_key_rotation=True,
            removal_policy=removal_policy,
            # A scheduled deletion can be cancelled during this window.
            pending_window=Duration.days(7 if removal_policy == RemovalPolicy.DESTROY else 30),
        )
        key.add_alias(f"alias/{_alias_prefix(self)}/{alias}")
        return key

    @staticmethod
    def _allow_autoscaling_ebs(key: kms.IKey) -> None:
        """D1: instances with CMK-encrypted EBS only launch if Auto Scaling can use the key."""
        conditions = {
            "ArnEquals": {"aws:PrincipalArn": autoscaling_service_linked_role_arn()},
            "StringEquals": {"kms:CallerAccount": Aws.ACCOUNT_ID},
        }
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowAutoScalingServiceLinkedRoleUseOfTheKey",
                principals=[iam.AnyPrincipal()],
                actions=_EBS_ACTIONS,
                resources=["*"],
                conditions=conditions,
            )
        )
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowAutoScalingServiceLinkedRoleAttachmentOfPersistentResources",
                principals=[iam.AnyPrincipal()],
                actions=["kms:CreateGrant"],
                resources=["*"],
                conditions={**conditions, "Bool": {"kms:GrantIsForAWSResource": "true"}},
            )
        )
        skip_checkov(key, "CKV_AWS_33", _CONDITIONED_STAR)


def allow_cloudwatch_logs(key: kms.IKey) -> None:
    """CloudWatch Logs encrypts log groups with a CMK only if the key policy says so.

    https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
    """
    key.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AllowCloudWatchLogsOfThisAccount",
            principals=[iam.ServicePrincipal(f"logs.{Aws.REGION}.amazonaws.com")],
            actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            resources=["*"],
            conditions={
                "ArnLike": {
                    "kms:EncryptionContext:aws:logs:arn": f"arn:{Aws.PARTITION}:logs:{Aws.REGION}:{Aws.ACCOUNT_ID}:*"
                }
            },
        )
    )


def allow_cloudwatch_alarms(key: kms.IKey) -> None:
    """D10: alarms publish to a CMK-encrypted topic only if CloudWatch may use the key.

    With the AWS-managed aws/sns key, notifications are dropped silently
    (aws/aws-cdk#11121).
    """
    key.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AllowCloudWatchAlarmsToPublishToEncryptedTopics",
            principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
            actions=["kms:Decrypt", "kms:GenerateDataKey*"],
            resources=["*"],
            conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
        )
    )


def allow_autoscaling_notifications(key: kms.IKey) -> None:
    """D16: Auto Scaling notifies an encrypted topic only if the topic's key
    admits its service-linked role -- the role, not a service principal
    ("Some Amazon SNS event sources require you to provide an IAM role (rather
    than the service principal) in the AWS KMS key policy: Amazon EC2 Auto
    Scaling, ...", https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html).
    Same Principal "*" + aws:PrincipalArn form as D1 (the role may not exist
    yet), narrowed to use through SNS in this region."""
    key.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AllowAutoScalingServiceLinkedRoleToPublishToEncryptedTopics",
            principals=[iam.AnyPrincipal()],
            actions=["kms:Decrypt", "kms:GenerateDataKey*"],
            resources=["*"],
            conditions={
                "ArnEquals": {"aws:PrincipalArn": autoscaling_service_linked_role_arn()},
                "StringEquals": {
                    "kms:CallerAccount": Aws.ACCOUNT_ID,
                    "kms:ViaService": f"sns.{Aws.REGION}.amazonaws.com",
                },
            },
        )
    )
    skip_checkov(key, "CKV_AWS_33", _CONDITIONED_STAR)


def _alias_prefix(scope: Construct) -> str:
    from aws_cdk import Stack

    # Stack names are ours and stable ("webstack-dev-web"); aliases are unique
    # per account and region, so the stack name keeps environments apart.
    return Stack.of(scope).stack_name
