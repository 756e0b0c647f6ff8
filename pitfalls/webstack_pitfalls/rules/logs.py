"""CloudWatch Logs: a log group's customer-managed key admits the regional Logs service (D18)."""

from __future__ import annotations

from collections.abc import Iterator

from ..template import Statement, TemplateView
from .base import Hit, Rule
from .kms import allow_statements, key_of, service_principals

# What CloudWatch Logs does with a log group's key
# (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).
_LOGS_KEY_USE = ("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey")


def _names_logs(statement: Statement, region: str | None) -> bool:
    wanted = {"logs.${AWS::Region}.amazonaws.com"} | ({f"logs.{region}.amazonaws.com"} if region else set())
    return any(p in wanted for p in service_principals(statement))


def _logs_can_use(view: TemplateView, key_lid: str) -> bool:
    stmts = [s for s in allow_statements(view, key_lid) if _names_logs(s, view.region)]
    return all(any(s.covers(a) for s in stmts) for a in _LOGS_KEY_USE)


def check_log_group_key_admits_cloudwatch_logs(view: TemplateView) -> Iterator[Hit]:
    for lid, props in view.of_type("AWS::Logs::LogGroup"):
        key = key_of(view, props.get("KmsKeyId"))
        if key is not None and not _logs_can_use(view, key):
            yield Hit(lid, "KeyPolicy", "Properties/KmsKeyId")


LOG_GROUP_KEY_ADMITS_CLOUDWATCH_LOGS = Rule(
    name="LogGroupKeyAdmitsCloudWatchLogs",
    pitfall="D18",
    info="A log group is encrypted with a customer-managed key whose policy does not let the regional service "
    "principal logs.<region>.amazonaws.com use it (kms:Encrypt*, kms:Decrypt*, kms:GenerateDataKey*) ([KeyPolicy]): "
    "CreateLogGroup fails with AccessDeniedException 'The specified KMS key does not exist or is not allowed to "
    "be used with Arn ...'.",
    explanation="Add a key-policy statement for Service logs.<region>.amazonaws.com: kms:Encrypt*, kms:Decrypt*, "
    "kms:ReEncrypt*, kms:GenerateDataKey*, kms:Describe*, with ArnLike kms:EncryptionContext:aws:logs:arn "
    "arn:<partition>:logs:<region>:<account>:* (webstack: keys.allow_cloudwatch_logs).",
    link="https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html",
    check=check_log_group_key_admits_cloudwatch_logs,
)
