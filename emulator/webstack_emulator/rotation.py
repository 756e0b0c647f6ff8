"""Secrets Manager rotating a secret with its Lambda function, and the
function's calls back to Secrets Manager authorized as its execution role.

RotateSecret (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotateSecret.html):

1. Secrets Manager must be allowed to invoke the function: its resource
   policy (the template's ``AWS::Lambda::Permission``) has to let
   ``secretsmanager.amazonaws.com`` call ``lambda:InvokeFunction``, scoped by
   ``aws:SourceAccount`` / ``aws:SourceArn`` (the secret) where it says so
   (https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets-required-permissions-function.html,
   troubleshoot_rotation.html "access denied"). Otherwise RotateSecret fails
   with ``AccessDeniedException`` -- the text is the one the create-time rule
   uses (providers/service_rules/secretsmanager.py: the documentation only
   paraphrases it), pitfall D20.
2. It adds an ``AWSPENDING`` version and invokes the function once per step
   (``createSecret``, ``setSecret``, ``testSecret``, ``finishSecret``;
   rotate-secrets_lambda-functions.html). The *function* moves ``AWSCURRENT``
   in finishSecret; moto moved it itself after invoking (and needs Docker to
   invoke at all), so here moto's bookkeeping runs with both switched off and
   the steps run afterwards. A failing step stops the rotation and leaves
   ``AWSPENDING`` where it is, as AWS does ("If rotation fails, ... the
   AWSPENDING staging label remains", troubleshoot_rotation.html).

The emulator runs no function code of its own. A function is run in-process
when a test registers a handler for its ARN (:func:`register_handler`); the
handler gets a context whose ``credentials`` are a session of the function's
execution role and whose ``environment`` holds its configured variables, as
Lambda gives a function its role's credentials
(https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html).
Without a handler the steps are recorded as ``not-run`` in :data:`ROTATIONS`
and the pending version waits for whoever plays the function (a test in
another process reads the token from DescribeSecret).

Calls signed with an assumed role's credentials are authorized as that role
(:func:`authorize`): the role's identity policies and the secret's resource
policy (policy.evaluate_resource_access), then, for calls that read or write
the secret value, the secret's KMS key policy for the call Secrets Manager
makes to KMS on the caller's behalf (``kms:Decrypt`` / ``kms:GenerateDataKey``
with ``kms:ViaService`` ``secretsmanager.<region>.amazonaws.com`` and the
encryption context ``SecretARN``;
https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html).
AWS's texts: "User: <session ARN> is not authorized to perform:
secretsmanager:<Action> on resource: <ARN> because no identity-based policy
allows the secretsmanager:<Action> action" / "... with an explicit deny in a
resource-based policy" (e.g. mongodb/awscdk-resources-mongodbatlas#207,
infrahouse/terraform-aws-secret#27), and "Access to KMS is not allowed" when
the key refuses (andresriancho/aws-backup#5). Calls signed with any other
credentials (the deployer's) are not restricted, as before.
"""

from __future__ import annotations

import contextlib
import functools
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.iam.access_control import PermissionResult

from .policy import Decision, Principal, Request, evaluate_key_access, evaluate_policy, evaluate_resource_access
from .policy.aws_managed import aws_managed_secretsmanager_key_policy
from .policy.identities import RoleSession, assumed_role_session

SECRETS_MANAGER = "secretsmanager.amazonaws.com"
CANNOT_INVOKE = (
    "Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants access "
    f"to the principal {SECRETS_MANAGER}."
)
KMS_NOT_ALLOWED = "Access to KMS is not allowed"
STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")
# The KMS call Secrets Manager makes for the caller, per API action.
KEY_CALLS = {
    "GetSecretValue": "kms:Decrypt",
    "BatchGetSecretValue": "kms:Decrypt",
    "PutSecretValue": "kms:GenerateDataKey",
}
_VALUE_PARAMETERS = ("SecretString", "SecretBinary")

Handler = Callable[[dict[str, Any], Any], Any]
HANDLERS: dict[str, Handler] = {}


@dataclass(frozen=True)
class LambdaContext:
    """What a registered handler receives besides its event."""

    function_name: str
    invoked_function_arn: str
    region: str
    credentials: dict[str, str]
    # The function's configured environment variables, as Lambda sets them for its code
    # (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html).
    environment: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StepOutcome:
    secret_arn: str
    function_arn: str
    step: str
    token: str
    status: str  # "succeeded" | "failed" | "not-run"
    error: str = ""


@dataclass
class RotationLog:
    outcomes: list[StepOutcome] = field(default_factory=list)

    def of(self, secret_arn: str) -> list[StepOutcome]:
        return [o for o in self.outcomes if o.secret_arn == secret_arn]

    def clear(self) -> None:
        self.outcomes.clear()


ROTATIONS = RotationLog()


def register_handler(function_arn: str, handler: Handler) -> None:
    """Run ``handler(event, context)`` in-process when Secrets Manager invokes ``function_arn``."""
    HANDLERS[function_arn] = handler


def unregister_handler(function_arn: str) -> None:
    HANDLERS.pop(function_arn, None)


def reset() -> None:
    HANDLERS.clear()
    ROTATIONS.clear()


# -- 1. may Secrets Manager invoke the function? ------------------------------------


def _function(account_id: str, region: str, lambda_arn: str) -> Any:
    from moto.awslambda.utils import get_backend

    parts = lambda_arn.split(":")
    if lambda_arn.startswith("arn:") and len(parts) >= 7:
        region, account_id = parts[3], parts[4]
    try:
        return get_backend(account_id, region).get_function(lambda_arn)
    except Exception:
        return None


def _function_policy(function: Any) -> Any:
    try:
        return json.loads(function.policy.wire_format())["Policy"]
    except Exception:
        return None  # moto raises when a function has no permission at all


def invoke_permitted(account_id: str, secret_arn: str, function: Any) -> bool:
    """Whether the function's resource policy lets Secrets Manager invoke it for ``secret_arn``."""
    if function is None:
        return False
    request = Request(
        Principal.service(SECRETS_MANAGER),
        "lambda:InvokeFunction",
        function.function_arn,
        {"aws:SourceAccount": account_id, "aws:SourceArn": secret_arn},
    )
    return evaluate_policy(_function_policy(function), request).result is PermissionResult.PERMITTED


# -- 2. the rotation ----------------------------------------------------------------

_CAPTURE = threading.local()


@contextlib.contextmanager
def _capturing(secret: Any) -> Iterator[list[dict[str, Any]]]:
    """Record the step events moto would invoke, and keep moto from moving
    AWSCURRENT itself (the function does that in finishSecret)."""
    events: list[dict[str, Any]] = []
    _CAPTURE.events = events
    secret.set_default_version_id = lambda version_id: None
    try:
        yield events
    finally:
        _CAPTURE.events = None
        del secret.set_default_version_id


def _context(function: Any, region: str) -> LambdaContext:
    from moto.sts.models import sts_backends

    account = function.function_arn.split(":")[4]
    session = sts_backends[account]["aws"].assume_role(
        region_name=region,
        role_session_name=function.function_name,
        role_arn=function.role,
        policy="",
        duration=900,
        external_id="",
    )
    credentials = {
        "AccessKeyId": session.access_key_id,
        "SecretAccessKey": session.secret_access_key,
        "SessionToken": session.session_token,
    }
    environment = {str(k): str(v) for k, v in (getattr(function, "environment_vars", None) or {}).items()}
    return LambdaContext(function.function_name, function.function_arn, region, credentials, environment)


def _run_steps(secret: Any, function: Any, region: str, events: list[dict[str, Any]]) -> None:
    handler = HANDLERS.get(function.function_arn)
    context = _context(function, region) if handler is not None else None
    for event in events:
        token, step = str(event.get("ClientRequestToken")), str(event.get("Step"))
        if handler is None:
            ROTATIONS.outcomes.append(StepOutcome(secret.arn, function.function_arn, step, token, "not-run"))
            continue
        try:
            # AWS's event names the secret by its ARN (moto's by its name).
            handler({**event, "SecretId": secret.arn}, context)
        except Exception as error:
            ROTATIONS.outcomes.append(
                StepOutcome(
                    secret.arn, function.function_arn, step, token, "failed", f"{type(error).__name__}: {error}"
                )
            )
            return
        ROTATIONS.outcomes.append(StepOutcome(secret.arn, function.function_arn, step, token, "succeeded"))


def _rotating(original: Any) -> Any:
    def rotate_secret(
        self: Any,
        secret_id: str,
        *,
        client_request_token: str | None = None,
        rotation_lambda_arn: str | None = None,
        rotation_rules: dict[str, Any] | None = None,
        rotate_immediately: bool = True,
    ) -> Any:
        secret = self.describe_secret(secret_id)
        # Without a RotationLambdaARN in the call, AWS rotates with the
        # function already configured (moto would forget it).
        lambda_arn = rotation_lambda_arn or getattr(secret, "rotation_lambda_arn", "") or None
        if not lambda_arn:
            return original(self, secret_id, client_request_token, None, rotation_rules, rotate_immediately)
        function = _function(self.account_id, self.region_name, lambda_arn)
        if not invoke_permitted(self.account_id, secret.arn, function):
            raise JsonRESTError("AccessDeniedException", CANNOT_INVOKE)
        with _capturing(secret) as events:
            result = original(self, secret_id, client_request_token, lambda_arn, rotation_rules, rotate_immediately)
        _run_steps(secret, function, self.region_name, events)
        return _with_pending_version(result, events)

    return rotate_secret


def _with_pending_version(result: Any, events: list[dict[str, Any]]) -> Any:
    """RotateSecret answers "the ID of the new version of the secret"
    (API_RotateSecret.html); moto answered the current one once its own move
    of AWSCURRENT was switched off."""
    token = next((e.get("ClientRequestToken") for e in events if e.get("ClientRequestToken")), None)
    if token is None or not isinstance(result, str):
        return result
    return json.dumps({**json.loads(result), "VersionId": token})


def _moving_current(original: Any) -> Any:
    def update_secret_version_stage(
        self: Any, secret_id: str, version_stage: str, remove_from_version_id: str, move_to_version_id: str
    ) -> Any:
        answer = original(self, secret_id, version_stage, remove_from_version_id, move_to_version_id)
        if version_stage == "AWSCURRENT" and move_to_version_id:
            # GetSecretValue without a stage returns AWSCURRENT; moto reads it
            # from default_version_id, which moving the label left behind.
            self.secrets[secret_id].default_version_id = move_to_version_id
        return answer

    return update_secret_version_stage


def _capturing_invoke(original: Any) -> Any:
    def invoke(  # noqa: PLR0917 - moto's Lambda API passes all five positionally
        self: Any, function_name: str, qualifier: str | None, body: Any, headers: Any, response_headers: Any
    ) -> Any:
        events = getattr(_CAPTURE, "events", None)
        if events is None:
            return original(self, function_name, qualifier, body, headers, response_headers)
        events.append(json.loads(body) if isinstance(body, (str, bytes)) else dict(body or {}))
        return None

    return invoke


# -- 3. the function's calls, as its role ----------------------------------------------


def _denied(session: RoleSession, action: str, resource: str, why: str) -> JsonRESTError:
    on = f" on resource: {resource}" if resource != "*" else ""
    return JsonRESTError(
        "AccessDeniedException", f"User: {session.arn} is not authorized to perform: {action}{on} {why}"
    )


def _secret(response: Any) -> Any:
    secret_id = response._get_param("SecretId")
    if not secret_id:
        return None
    try:
        return response.backend.describe_secret(secret_id)
    except Exception:
        return None  # moto answers ResourceNotFoundException itself


def _call_refusal(session: RoleSession, action: str, secret: Any, region: str) -> JsonRESTError | None:
    resource = secret.arn if secret is not None else "*"
    context = {"aws:PrincipalArn": session.principal.arn, "aws:PrincipalAccount": session.account}
    context["aws:SecureTransport"] = "true"  # Secrets Manager endpoints are TLS only
    # An action without a resource (GetRandomPassword) is the caller's own account's.
    owner = secret.arn.split(":")[4] if secret is not None else session.account
    request = Request(session.principal, action, resource, context, resource_account=owner)
    policy = getattr(secret, "policy", None)
    decision = evaluate_resource_access(policy, request)
    if decision is Decision.EXPLICIT_DENY:
        by_resource = evaluate_policy(policy, request).result is PermissionResult.DENIED
        kind = "a resource-based" if by_resource else "an identity-based"
        return _denied(session, action, resource, f"with an explicit deny in {kind} policy")
    session_allows = session.session_policy is None or (
        evaluate_policy(session.session_policy, request, resource_policy=False).result is PermissionResult.PERMITTED
    )
    if decision is not Decision.ALLOW or not session_allows:
        return _denied(session, action, resource, f"because no identity-based policy allows the {action} action")
    return None


def _key_refusal(
    session: RoleSession, api_action: str, secret: Any, region: str, response: Any
) -> JsonRESTError | None:
    key_action = KEY_CALLS.get(api_action)
    if api_action == "UpdateSecret" and any(response._get_param(p) is not None for p in _VALUE_PARAMETERS):
        key_action = "kms:GenerateDataKey"
    if key_action is None or secret is None:
        return None
    from moto.kms.models import kms_backends

    key_ref = getattr(secret, "kms_key_id", None)
    account = session.account
    key_policy: Any
    if key_ref:
        try:
            key = kms_backends[secret.arn.split(":")[4]][region].describe_key(key_ref)
        except Exception:
            return JsonRESTError("AccessDeniedException", KMS_NOT_ALLOWED)
        key_arn, key_policy = key.arn, key.policy
    else:
        key_arn = f"arn:aws:kms:{region}:{account}:alias/aws/secretsmanager"
        key_policy = aws_managed_secretsmanager_key_policy(account, region)
    context = {
        "aws:PrincipalArn": session.principal.arn,
        "aws:PrincipalAccount": account,
        "kms:CallerAccount": account,
        "kms:ViaService": f"secretsmanager.{region}.amazonaws.com",
        "kms:EncryptionContext:SecretARN": secret.arn,
    }
    if evaluate_key_access(key_policy, Request(session.principal, key_action, key_arn, context)) is not Decision.ALLOW:
        return JsonRESTError("AccessDeniedException", KMS_NOT_ALLOWED)
    return None


def authorize(response: Any) -> None:
    """Refuse a Secrets Manager call signed by an assumed role that its policies do not allow."""
    session = assumed_role_session(response.get_access_key())
    if session is None:
        return
    api_action = response._get_action()
    secret = _secret(response)
    region = response.region
    refusal = _call_refusal(session, f"secretsmanager:{api_action}", secret, region) or _key_refusal(
        session, api_action, secret, region, response
    )
    if refusal is not None:
        raise refusal


def _authorizing(original: Any) -> Any:
    def _authenticate_and_authorize_normal_action(self: Any, resource: str = "*") -> None:
        original(self, resource)
        authorize(self)

    return _authenticate_and_authorize_normal_action


@functools.cache
def install() -> None:
    """Patch moto's Secrets Manager (RotateSecret, per-call authorization) and
    Lambda invoke capture, once per process."""
    from moto.awslambda.models import LambdaBackend
    from moto.secretsmanager.models import SecretsManagerBackend
    from moto.secretsmanager.responses import SecretsManagerResponse

    from .engine import replace, require_pinned_moto

    require_pinned_moto(__name__)
    replace(SecretsManagerBackend, "rotate_secret", _rotating(vars(SecretsManagerBackend)["rotate_secret"]))
    replace(
        SecretsManagerBackend,
        "update_secret_version_stage",
        _moving_current(vars(SecretsManagerBackend)["update_secret_version_stage"]),
    )
    replace(LambdaBackend, "invoke", _capturing_invoke(vars(LambdaBackend)["invoke"]))
    replace(
        SecretsManagerResponse,
        "_authenticate_and_authorize_normal_action",
        _authorizing(SecretsManagerResponse._authenticate_and_authorize_normal_action),
    )
