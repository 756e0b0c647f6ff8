"""Secrets Manager: a rotation schedule's Lambda must admit Secrets Manager, pitfall D20.

"When you add a Lambda rotation function Amazon Resource Name (ARN) to your
secret, Secrets Manager checks the permissions of the function. The role
policy for the function must grant the Secrets Manager service principal
secretsmanager.amazonaws.com permission to invoke the function
(lambda:InvokeFunction)." -- "I get 'access denied' when trying to configure
rotation for my secret"
(https://docs.aws.amazon.com/secretsmanager/latest/userguide/troubleshoot_rotation.html;
the function's resource policy: rotating-secrets-required-permissions-function.html).
The error code is ``AccessDeniedException``; the message below is Secrets
Manager's answer as we know it -- the stored documentation only paraphrases
it ("access denied"), so it is the closest wording, not a verified quote.

The function's resource policy is what the template's ``AWS::Lambda::Permission``
resources put there (moto's model); the request is Secrets Manager's
``lambda:InvokeFunction`` with ``aws:SourceAccount`` / ``aws:SourceArn`` of
the secret, the keys AWS recommends scoping that permission by. A function
that does not exist cannot be invoked either.
"""

from __future__ import annotations

import json

from moto.awslambda.utils import get_backend
from moto.iam.access_control import PermissionResult

from ...policy import Principal, Request, UnsupportedCondition, evaluate_policy
from .._base import Provider
from ._errors import refuse

SECRETS_MANAGER = "secretsmanager.amazonaws.com"
CANNOT_INVOKE = (
    "Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants access "
    f"to the principal {SECRETS_MANAGER}."
)


def _function_policy(lambda_arn: str) -> tuple[str, str | None]:
    """(function ARN, its resource policy or None); raises when there is no such function."""
    parts = lambda_arn.split(":")
    if len(parts) < 7 or parts[2] != "lambda":
        raise LookupError(lambda_arn)
    region, account, name = parts[3], parts[4], parts[6]
    function = get_backend(account, region).get_function(name)
    try:
        policy = json.loads(function.policy.wire_format())["Policy"]
    except Exception:
        policy = None  # moto raises when a function has no permission at all
    return function.function_arn, policy


def check_rotation_function(provider: Provider, secret_arn: str, lambda_arn: str) -> None:
    """Refuse ``RotationLambdaARN`` when Secrets Manager may not invoke it."""
    try:
        function_arn, policy = _function_policy(lambda_arn)
    except Exception:
        raise refuse("AccessDeniedException", CANNOT_INVOKE) from None
    request = Request(
        Principal.service(SECRETS_MANAGER),
        "lambda:InvokeFunction",
        function_arn,
        {"aws:SourceAccount": provider.account_id, "aws:SourceArn": secret_arn},
    )
    try:
        result = evaluate_policy(policy, request).result
    except UnsupportedCondition:
        # A condition the evaluator cannot decide: do not refuse on a guess.
        return
    if result is not PermissionResult.PERMITTED:
        raise refuse("AccessDeniedException", CANNOT_INVOKE)
