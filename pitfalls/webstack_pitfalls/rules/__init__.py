"""The webstack pitfall rules, one module per AWS service, assembled into :data:`RULES`.

A rule is named by what a compliant stack does, and lives in the module of
the resource its name ends on (``...Key...`` -> ``kms``, ``...Bucket...`` ->
``s3``); ``general`` holds the rules that look at every resource, ``outputs``
the one on stack outputs:

========================  ==============================================  =======
module                    rule                                            pitfall
========================  ==============================================  =======
``kms``                   ``AsgEbsKeyUsableByAutoScaling``                D1
``cloudfront``            ``OacForKmsEncryptedOrigin``                    D2
``cloudfront``            ``OacBucketPolicyScopedToDistribution``         D2
``wafv2``                 ``CloudFrontWebAclInUsEast1``                   D3
``acm``                   ``CloudFrontCertificateInUsEast1DnsValidated``  D4
``cloudwatch``            ``CloudFrontAlarmInUsEast1``                    D5
``s3``                    ``CloudFrontLogBucketAclsEnabled``              D6
``s3``                    ``AlbLogBucketSseS3``                           D7
``s3``                    ``BucketNameGenerated``                         D8
``ec2``                   ``PrefixListSecurityGroupOnePortNotOpen``       D9
``sns``                   ``AlarmTopicEncryptedForCloudWatch``            D10
``ec2``                   ``LaunchTemplateWithAmazonLinux2023``           D11
``ec2``                   ``SecurityGroupIngressUnique``                  D12
``general``               ``StatefulLogicalIdPinned``                     D14
``sns``                   ``NotifiedTopicPolicyAllowsPublisher``          D15
``sns``                   ``NotifiedTopicKeyUsableByAutoScaling``         D16
``kms``                   ``KeyPolicyKeepsAccountRoot``                   D17
``logs``                  ``LogGroupKeyAdmitsCloudWatchLogs``             D18
``s3``                    ``AlbLogBucketAllowsElbDelivery``               D19
``secretsmanager``        ``RotationFunctionInvokableBySecretsManager``   D20
``cloudfront``            ``InternetGatewayAttachedForVpcOrigin``         D22
``s3``                    ``AccessLogBucketWithoutObjectLock``            D28
``general``               ``NoPlaceholderOrLiteralSecret``                F2
``general``               ``ContextResolvedAtSynth``                      F5
``outputs``               ``OutputsWithoutSecrets``                       F6
``iam``                   ``RolesScopedAndAssumed``                       F7
========================  ==============================================  =======

The rule id is ``Webstack-<name>`` and a finding's id ``Webstack-<name>[<finding>]``
(see :mod:`.base`); the pitfall id stays on the rule as ``Rule.pitfall``.
"""

from __future__ import annotations

from . import acm, cloudfront, cloudwatch, ec2, general, iam, kms, logs, outputs, s3, secretsmanager, sns, wafv2
from .base import RULE_PREFIX, Hit, Rule

# In pitfall-list order: the report, the catalogue and the README table follow it.
RULES: tuple[Rule, ...] = (
    kms.ASG_EBS_KEY_USABLE_BY_AUTO_SCALING,
    cloudfront.OAC_FOR_KMS_ENCRYPTED_ORIGIN,
    cloudfront.OAC_BUCKET_POLICY_SCOPED_TO_DISTRIBUTION,
    wafv2.CLOUDFRONT_WEB_ACL_IN_US_EAST_1,
    acm.CLOUDFRONT_CERTIFICATE_IN_US_EAST_1_DNS_VALIDATED,
    cloudwatch.CLOUDFRONT_ALARM_IN_US_EAST_1,
    s3.CLOUDFRONT_LOG_BUCKET_ACLS_ENABLED,
    s3.ALB_LOG_BUCKET_SSE_S3,
    s3.BUCKET_NAME_GENERATED,
    ec2.PREFIX_LIST_SECURITY_GROUP_ONE_PORT_NOT_OPEN,
    sns.ALARM_TOPIC_ENCRYPTED_FOR_CLOUDWATCH,
    ec2.LAUNCH_TEMPLATE_WITH_AMAZON_LINUX_2023,
    ec2.SECURITY_GROUP_INGRESS_UNIQUE,
    general.STATEFUL_LOGICAL_ID_PINNED,
    sns.NOTIFIED_TOPIC_POLICY_ALLOWS_PUBLISHER,
    sns.NOTIFIED_TOPIC_KEY_USABLE_BY_AUTO_SCALING,
    kms.KEY_POLICY_KEEPS_ACCOUNT_ROOT,
    logs.LOG_GROUP_KEY_ADMITS_CLOUDWATCH_LOGS,
    s3.ALB_LOG_BUCKET_ALLOWS_ELB_DELIVERY,
    secretsmanager.ROTATION_FUNCTION_INVOKABLE_BY_SECRETS_MANAGER,
    cloudfront.INTERNET_GATEWAY_ATTACHED_FOR_VPC_ORIGIN,
    s3.ACCESS_LOG_BUCKET_WITHOUT_OBJECT_LOCK,
    general.NO_PLACEHOLDER_OR_LITERAL_SECRET,
    general.CONTEXT_RESOLVED_AT_SYNTH,
    outputs.OUTPUTS_WITHOUT_SECRETS,
    iam.ROLES_SCOPED_AND_ASSUMED,
)

__all__ = ["RULES", "RULE_PREFIX", "Hit", "Rule"]
