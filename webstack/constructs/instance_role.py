"""The web instances' role: Session Manager, the CloudWatch agent, and nothing by default.

No AWS managed policy. ``AmazonSSMManagedInstanceCore`` reads every SSM
parameter of the account (``ssm:GetParameter(s)`` on ``*``) and drives State
Manager, Patch Manager and inventory, none of which webstack uses;
``CloudWatchAgentServerPolicy`` lets the holder create any log group and
change the retention of every log group (``logs:CreateLogGroup``,
``logs:PutRetentionPolicy`` on ``*``). What the instances need instead:

* **Session Manager** -- the statement of AWS's "minimal Session Manager
  permissions" instance profile,
  https://docs.aws.amazon.com/systems-manager/latest/userguide/getting-started-create-iam-instance-profile.html:
  ``ssm:UpdateInstanceInformation`` and the four ``ssmmessages`` channel
  actions. Its ``s3:GetEncryptionConfiguration`` and ``kms:Decrypt``
  statements serve session logging to S3 and KMS-encrypted sessions, which
  webstack does not configure, so they are left out.
* **SSM Agent's message delivery** -- the six ``ec2messages`` actions of
  ``AmazonSSMManagedInstanceCore``
  (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonSSMManagedInstanceCore.html):
  "SSM Agent then sends status and execution information back to the
  Systems Manager service by using the Amazon Message Delivery Service
  (service prefix: ec2messages)"
  (https://docs.aws.amazon.com/systems-manager/latest/userguide/ssm-agent.html).
* **CloudWatch agent** -- writes to the web tier's own log groups, which the
  stack creates with its retention and key, so the agent never needs
  ``logs:CreateLogGroup`` or ``logs:PutRetentionPolicy``: it calls
  ``CreateLogStream`` + ``PutLogEvents``, ``CreateLogGroup`` only when the
  stream's group is missing, and ``DescribeLogGroups`` / ``PutRetentionPolicy``
  only for a ``retention_in_days`` in its configuration, which this one does
  not set (aws/amazon-cloudwatch-agent,
  plugins/outputs/cloudwatchlogs/internal/pusher/target.go). Metrics go to the
  stack's namespace only (``cloudwatch:namespace``), with the ``InstanceId``
  dimension read from instance metadata: tag or volume dimensions would need
  ``ec2:DescribeTags`` / ``ec2:DescribeVolumes`` on ``*``
  (plugins/processors/ec2tagger/README.md), which this role does not have.
* **Log integrity** -- an explicit Deny of deleting the stack's log groups
  and streams and of changing their retention, whatever else the role is
  granted later.

No SSM parameter is read: the agent's configuration is written by the user
data, not fetched from Parameter Store, so the role has no
``ssm:GetParameter`` at all.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from constructs import Construct

SESSION_MANAGER_ACTIONS = [
    "ssm:UpdateInstanceInformation",
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
]
MESSAGE_DELIVERY_ACTIONS = [
    "ec2messages:AcknowledgeMessage",
    "ec2messages:DeleteMessage",
    "ec2messages:FailMessage",
    "ec2messages:GetEndpoint",
    "ec2messages:GetMessages",
    "ec2messages:SendReply",
]
LOG_TAMPERING_ACTIONS = [
    "logs:DeleteLogGroup",
    "logs:DeleteLogStream",
    "logs:PutRetentionPolicy",
    "logs:DeleteRetentionPolicy",
]
AGENT_CONFIG_PATH = "/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json"


def instance_role(scope: Construct, construct_id: str) -> iam.Role:
    """A role for EC2 with what Session Manager and SSM Agent need, and nothing else yet.

    None of these actions has a resource type to scope it to: the Service
    Authorization Reference lists no resource for ``ssm:UpdateInstanceInformation``,
    the ``ssmmessages`` or the ``ec2messages`` actions, so IAM takes them on
    ``*`` only (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssystemsmanager.html,
    list_amazonmessagegatewayservice.html, list_amazonmessagedeliveryservice.html).
    """
    role = iam.Role(
        scope,
        construct_id,
        assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"),
        description="webstack web instances: Session Manager, CloudWatch agent to its own log groups, granted reads",
    )
    role.add_to_principal_policy(
        iam.PolicyStatement(sid="SessionManager", actions=SESSION_MANAGER_ACTIONS, resources=["*"])
    )
    role.add_to_principal_policy(
        iam.PolicyStatement(sid="SsmAgentMessageDelivery", actions=MESSAGE_DELIVERY_ACTIONS, resources=["*"])
    )
    return role


def allow_cloudwatch_agent(role: iam.IRole, log_groups: Sequence[logs.ILogGroup], namespace: str) -> None:
    """Streams in ``log_groups`` and metrics in ``namespace``, nothing else of CloudWatch."""
    for group in log_groups:
        group.grant_write(role)  # logs:CreateLogStream, logs:PutLogEvents on the group's streams
    # PutMetricData has no resource type; the namespace condition is its only scope.
    # https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/iam-cw-condition-keys-namespace.html
    role.add_to_principal_policy(
        iam.PolicyStatement(
            sid="AgentMetricsInOwnNamespace",
            actions=["cloudwatch:PutMetricData"],
            resources=["*"],
            conditions={"StringEquals": {"cloudwatch:namespace": namespace}},
        )
    )


class LogIntegrity:
    """One explicit Deny on ``role``: no deleting, no retention change of the log groups it is given.

    Both ARN forms are named: the ``log-group`` resource type's
    ``...:log-group:NAME`` and ``Fn::GetAtt Arn``, which ends in ``:*`` and so
    also covers the ``log-stream`` resource type, ``...:log-group:NAME:log-stream:STREAM``
    (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html).
    """

    def __init__(self, role: iam.IRole) -> None:
        self.statement = iam.PolicyStatement(
            sid="DenyLogTampering", effect=iam.Effect.DENY, actions=LOG_TAMPERING_ACTIONS
        )
        self._role = role
        self._attached = False

    def protect(self, *groups: logs.ILogGroup) -> None:
        for group in groups:
            bare = Stack.of(group).format_arn(
                service="logs",
                resource="log-group",
                resource_name=group.log_group_name,
                arn_format=ArnFormat.COLON_RESOURCE_NAME,
            )
            self.statement.add_resources(group.log_group_arn, bare)
        if not self._attached:
            self._role.add_to_principal_policy(self.statement)
            self._attached = True


def agent_config(namespace: str, files: Mapping[str, logs.ILogGroup]) -> dict[str, Any]:
    """The CloudWatch agent configuration: each file to its log group, memory to ``namespace``.

    https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch-Agent-Configuration-File-Details.html
    No ``retention_in_days`` (the stack owns retention) and no tag dimensions
    (they would need ``ec2:DescribeTags``).
    """
    return {
        "logs": {
            "logs_collected": {
                "files": {
                    "collect_list": [
                        {"file_path": path, "log_group_name": group.log_group_name, "log_stream_name": "{instance_id}"}
                        for path, group in files.items()
                    ]
                }
            }
        },
        "metrics": {
            "namespace": namespace,
            "append_dimensions": {"InstanceId": "${aws:InstanceId}"},
            "metrics_collected": {"mem": {"measurement": ["mem_used_percent"]}},
        },
    }


def agent_commands(namespace: str, files: Mapping[str, logs.ILogGroup]) -> str:
    """Shell lines that install the agent, write its configuration and start it."""
    config = json.dumps(agent_config(namespace, files), indent=1)
    return "\n".join(
        [
            "dnf install -y amazon-cloudwatch-agent",
            f"cat > {AGENT_CONFIG_PATH} <<'AGENT'",
            config,
            "AGENT",
            "/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s "
            f"-c file:{AGENT_CONFIG_PATH}",
        ]
    )
