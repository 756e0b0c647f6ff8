"""Rotation of the origin-verify header value: CloudFront's origin header and the ALB rule, without downtime.

The function (``assets/rotate-origin-verify``) first makes the listener rule
accept both the current and the pending value, then switches CloudFront's
origin custom header to the pending value, and narrows the rule to the new
value once the distribution is ``Deployed`` (the module docstring of the
function says why, step by step).

No dependency cycle: the distribution and the listener rule reference the
secret (``{{resolve:secretsmanager:...}}``); this construct references the
distribution (its id, in an environment variable and an ARN built from it)
and the rule (its ARN); nothing references this construct. The secret never
depends on the function, so CloudFormation orders secret -> rule and
distribution -> role policy and function -> permission -> schedule.

CloudFormation and the rotation stay consistent: a dynamic reference is
resolved only when the resource that carries it is created or updated
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references-secretsmanager.html,
"Updating a secret in Secrets Manager doesn't automatically update the secret
in CloudFormation"), so a deploy that leaves the distribution and the rule
alone leaves the rotated values in place, and a deploy that updates either
resolves the versionless reference to AWSCURRENT -- the value the finished
rotation already put on both sides. A deploy *during* a rotation (between
setSecret and finishSecret) may write the old AWSCURRENT back to one side:
docs/runbook.md, "Origin-verify rotation", says how to recover.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from webstack.constructs.acknowledge import acknowledge, skip_checkov
from webstack.constructs.retention import log_retention
from webstack.constructs.secrets import ORIGIN_VERIFY_LENGTH

_CODE = Path(__file__).resolve().parent / "assets" / "rotate-origin-verify"


class OriginVerifyRotation(Construct):
    """Attributes: ``function``, ``role``, ``log_group``, ``schedule``."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        secret: secretsmanager.Secret,
        key: kms.IKey,
        log_key: kms.IKey,
        log_retention_days: int,
        removal_policy: RemovalPolicy,
        distribution_id: str,
        listener_rule_arn: str,
        header_name: str,
        rotation_days: int,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        # Built from the id: no reference to the distribution construct beyond its Ref.
        distribution_arn = stack.format_arn(
            service="cloudfront", region="", resource="distribution", resource_name=distribution_id
        )
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            encryption_key=log_key,
            retention=log_retention(log_retention_days),
            removal_policy=removal_policy,
        )
        self.role = self._role(secret, key, distribution_arn, listener_rule_arn)
        self.function = lambda_.Function(
            self,
            "Function",
            description="Rotates the webstack origin-verify header value (ALB rule, then CloudFront)",
            runtime=lambda_.Runtime.PYTHON_3_14,
            architecture=lambda_.Architecture.ARM_64,
            handler="index.handler",
            code=lambda_.Code.from_asset(str(_CODE)),
            role=self.role,
            log_group=self.log_group,
            # UpdateDistribution answers in seconds; the rest are single API calls.
            timeout=Duration.seconds(60),
            memory_size=128,
            # Rotation steps run one after another; two leaves room for a retry.
            reserved_concurrent_executions=2,
            environment={
                "DISTRIBUTION_ID": distribution_id,
                "LISTENER_RULE_ARN": listener_rule_arn,
                "HEADER_NAME": header_name,
                "VALUE_LENGTH": str(ORIGIN_VERIFY_LENGTH),
            },
        )
        skip_checkov(
            self.function,
            "CKV_AWS_173",
            "its variables (distribution id, listener rule ARN, header name, value length) hold no secret",
        )
        acknowledge(
            self.function,
            "NIST.800.53.R5-LambdaDLQ",
            "Secrets Manager invokes rotation synchronously; a DLQ only receives failed asynchronous events",
            checkov=("CKV_AWS_116",),
        )
        acknowledge(
            self.function,
            "NIST.800.53.R5-LambdaInsideVPC",
            "the function talks only to the Secrets Manager, ELB and CloudFront APIs; a VPC would add ENIs "
            "and a NAT dependency without removing any network path",
            checkov=("CKV_AWS_117",),
        )
        self.schedule = self._schedule(secret, rotation_days)

    def _role(self, secret: secretsmanager.Secret, key: kms.IKey, distribution_arn: str, rule_arn: str) -> iam.Role:
        """The four steps' calls, each on its one resource.

        Secrets Manager: as the API-key rotation (webstack/constructs/secrets.py,
        ``_rotation_role``). ELB: ``ModifyRule`` on the listener rule;
        ``DescribeRules`` supports no resource-level permission (Describe*
        actions of ELB take ``*``:
        https://docs.aws.amazon.com/service-authorization/latest/reference/list_awselasticloadbalancingv2.html).
        CloudFront: GetDistribution, GetDistributionConfig and UpdateDistribution
        on the distribution
        (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudfront.html).
        """
        role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="webstack origin-verify rotation function",
        )
        self.log_group.grant_write(role)
        statements = [
            iam.PolicyStatement(
                sid="RotationSteps",
                actions=[
                    "secretsmanager:DescribeSecret",
                    "secretsmanager:GetSecretValue",
                    "secretsmanager:PutSecretValue",
                    "secretsmanager:UpdateSecretVersionStage",
                ],
                resources=[secret.secret_arn],
            ),
            iam.PolicyStatement(
                sid="SecretKeyViaSecretsManager",
                actions=["kms:Decrypt", "kms:GenerateDataKey"],
                resources=[key.key_arn],
                conditions={
                    "StringEquals": {
                        "kms:ViaService": f"secretsmanager.{Stack.of(self).region}.amazonaws.com",
                        "kms:EncryptionContext:SecretARN": secret.secret_arn,
                    }
                },
            ),
            # GetRandomPassword has no resource: IAM requires "*" for it.
            iam.PolicyStatement(sid="NewValue", actions=["secretsmanager:GetRandomPassword"], resources=["*"]),
            iam.PolicyStatement(
                sid="AcceptBothValues", actions=["elasticloadbalancing:ModifyRule"], resources=[rule_arn]
            ),
            # DescribeRules has no resource type: "*" is the only resource IAM matches it with.
            iam.PolicyStatement(sid="ReadRule", actions=["elasticloadbalancing:DescribeRules"], resources=["*"]),
            iam.PolicyStatement(
                sid="SwitchOriginHeader",
                actions=[
                    "cloudfront:GetDistribution",
                    "cloudfront:GetDistributionConfig",
                    "cloudfront:UpdateDistribution",
                ],
                resources=[distribution_arn],
            ),
        ]
        for statement in statements:
            role.add_to_principal_policy(statement)
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::*]",
            "secretsmanager:GetRandomPassword and elasticloadbalancing:DescribeRules support no resource-level "
            "permission; every other action names its one resource",
        )
        acknowledge(
            role,
            "NIST.800.53.R5-IAMNoInlinePolicy",
            "the role's one policy (the rotation steps on the origin-verify secret, its key via Secrets Manager, "
            "the listener rule, the distribution, its log group), attached to this one role and reviewed in code",
        )
        return role

    def _schedule(self, secret: secretsmanager.Secret, rotation_days: int) -> secretsmanager.CfnRotationSchedule:
        """The schedule, and Secrets Manager's permission to invoke the function for this secret only (D20)."""
        self.function.add_permission(
            "SecretsManagerInvoke",
            principal=iam.ServicePrincipal("secretsmanager.amazonaws.com"),
            action="lambda:InvokeFunction",
            source_account=Stack.of(self).account,
            source_arn=secret.secret_arn,
        )
        schedule = secretsmanager.CfnRotationSchedule(
            Construct(secret, "Rotation"),
            "Resource",
            secret_id=secret.secret_arn,
            rotation_lambda_arn=self.function.function_arn,
            rotation_rules=secretsmanager.CfnRotationSchedule.RotationRulesProperty(
                schedule_expression=events.Schedule.rate(Duration.days(rotation_days)).expression_string
            ),
        )
        # As the L2 schedule does: no principal of the account deletes a secret under rotation.
        secret.deny_account_root_delete()
        # D20: RotateSecret runs at create; Secrets Manager must already be allowed to invoke,
        # and the function's role must already carry its policy.
        schedule.node.add_dependency(self.function.node.find_child("SecretsManagerInvoke"))
        schedule.node.add_dependency(self.role)
        return schedule
