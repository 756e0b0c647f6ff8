"""Secrets Manager: a rotation function that Secrets Manager may invoke (D20)."""

from __future__ import annotations

from collections.abc import Iterator

from ..template import TemplateView
from .base import Hit, Rule

LAMBDA_FUNCTION = "AWS::Lambda::Function"
_SECRETS_MANAGER = "secretsmanager.amazonaws.com"


def _invokable(view: TemplateView, function: str) -> bool:
    for _, props in view.of_type("AWS::Lambda::Permission"):
        action = str(props.get("Action", "")).lower()
        if (
            view.target(props.get("FunctionName"), LAMBDA_FUNCTION) == function
            and view.render(props.get("Principal")) == _SECRETS_MANAGER
            and action in ("lambda:invokefunction", "lambda:*")
        ):
            return True
    return False


def check_rotation_function_invokable_by_secrets_manager(view: TemplateView) -> Iterator[Hit]:
    for lid, props in view.of_type("AWS::SecretsManager::RotationSchedule"):
        function = view.target(props.get("RotationLambdaARN"), LAMBDA_FUNCTION)
        if function is not None and not _invokable(view, function):
            yield Hit(lid, "NoPermission", "Properties/RotationLambdaARN")


ROTATION_FUNCTION_INVOKABLE_BY_SECRETS_MANAGER = Rule(
    name="RotationFunctionInvokableBySecretsManager",
    pitfall="D20",
    info="A rotation schedule names a Lambda function of the stack that has no AWS::Lambda::Permission for "
    "secretsmanager.amazonaws.com to lambda:InvokeFunction ([NoPermission]): the rotation schedule (and every "
    "RotateSecret) fails with AccessDeniedException 'Secrets Manager cannot invoke the specified Lambda function'.",
    explanation="Grant the function to secretsmanager.amazonaws.com (secret.add_rotation_schedule(rotation_lambda=fn) "
    "adds the permission; with L1 resources add a CfnPermission with SourceAccount) and make the schedule depend "
    "on it.",
    link="https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets-required-permissions-function.html",
    check=check_rotation_function_invokable_by_secrets_manager,
)
