"""AWS's evaluation logic for resource-based policies and key policies.

"Policy evaluation logic"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)
and its "How AWS enforcement code logic evaluates requests"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html):

1. an explicit ``Deny`` in any applicable policy decides (explicit deny);
2. otherwise an ``Allow`` is needed: within one account, an Allow in the
   resource-based policy *or* in the caller's identity-based policies is
   enough; across accounts both must allow
   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html);
3. otherwise the request is implicitly denied.

A resource policy that names an *account* (``"AWS": "111122223333"`` or
``arn:aws:iam::111122223333:root``) grants nothing by itself: it delegates
to the identity policies of that account's principals. Service principals
(``cloudwatch.amazonaws.com``) have no identity policies, so only the
resource policy can allow them.

KMS differs (https://docs.aws.amazon.com/kms/latest/developerguide/control-access.html,
"Determining access to an AWS KMS key"): the key policy is always required.
It either allows the caller directly, or allows the account root principal,
which is what lets IAM policies grant access to the key; without either, an
identity policy allowing ``kms:*`` is not enough.

Why not moto's ``moto.iam.access_control.IAMPolicyStatement`` (moto 5.2.5):
it returns DENIED for an *Allow* statement whose condition does not hold
and for any statement whose Principal does not match (an inapplicable
statement must be neutral); a ``{"Service": ...}`` principal fails with a
TypeError (it reads only ``Principal["AWS"]``); only ``StringEquals`` is
evaluated -- other operators, ``IfExists`` and missing keys count as
satisfied -- and its wildcard match is an unescaped regex. The TLS-only
Deny (``Bool aws:SecureTransport false``) would thus deny every HTTPS call.
Its :class:`~moto.iam.access_control.PermissionResult` is the right
vocabulary, so the per-policy results here are expressed in it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from moto.iam.access_control import PermissionResult

from .conditions import Context, conditions_hold, wildcard_match

PolicyDocument = Mapping[str, Any]


@dataclass(frozen=True)
class Principal:
    """Who makes the request.

    ``kind`` is ``"AWS"`` (an IAM role/user or role session; ``arn`` is the
    role or user ARN, which is also what ``aws:PrincipalArn`` holds),
    ``"Service"`` (``name`` is the service principal, e.g.
    ``cloudwatch.amazonaws.com``) or ``"Anonymous"``."""

    kind: str
    arn: str = ""
    name: str = ""
    identity_policies: tuple[PolicyDocument, ...] = ()

    @property
    def account(self) -> str | None:
        parts = self.arn.split(":")
        return parts[4] if self.kind == "AWS" and len(parts) > 4 else None

    @classmethod
    def service(cls, name: str) -> Principal:
        return cls(kind="Service", name=name)

    @classmethod
    def role(cls, arn: str, *identity_policies: PolicyDocument) -> Principal:
        return cls(kind="AWS", arn=arn, identity_policies=tuple(identity_policies))


@dataclass(frozen=True)
class Request:
    """``resource_account``: the owner of the resource when its ARN does not
    say (S3 bucket ARNs have no account field)."""

    principal: Principal
    action: str
    resource: str
    context: Context = field(default_factory=dict)
    resource_account: str | None = None

    @property
    def owner(self) -> str | None:
        if self.resource_account:
            return self.resource_account
        parts = self.resource.split(":")
        return parts[4] if len(parts) > 4 and parts[4] else None


class Decision(Enum):
    ALLOW = "Allow"
    EXPLICIT_DENY = "ExplicitDeny"
    IMPLICIT_DENY = "ImplicitDeny"

    @property
    def allowed(self) -> bool:
        return self is Decision.ALLOW


class _Match(Enum):
    NO = 0
    DIRECT = 1  # the principal itself (or "*")
    ACCOUNT = 2  # the principal's account: delegation to its IAM policies


def load(policy: str | bytes | PolicyDocument | None) -> PolicyDocument | None:
    if policy is None or policy == "":
        return None
    if isinstance(policy, (str, bytes)):
        loaded: PolicyDocument = json.loads(policy)
        return loaded
    return policy


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _statements(doc: PolicyDocument | None) -> list[Mapping[str, Any]]:
    return [s for s in _as_list((doc or {}).get("Statement")) if isinstance(s, Mapping)]


def _account_of(principal_value: str) -> str | None:
    """The account a principal entry names as a whole, if it does."""
    if principal_value.isdigit() and len(principal_value) == 12:
        return principal_value
    parts = principal_value.split(":")
    if len(parts) == 6 and parts[2] == "iam" and parts[5] == "root":
        return parts[4]
    return None


def _aws_entry_matches(entry: str, principal: Principal) -> _Match:
    if entry == "*":
        return _Match.DIRECT
    if principal.kind != "AWS":
        return _Match.NO
    account = _account_of(entry)
    if account is not None:
        return _Match.ACCOUNT if account == principal.account else _Match.NO
    # Role ARNs match the role and its sessions; wildcards are not allowed in
    # a principal ARN (reference_policies_elements_principal.html).
    return _Match.DIRECT if entry == principal.arn else _Match.NO


def _principal_block_matches(block: Any, principal: Principal) -> _Match:
    if block == "*":
        return _Match.DIRECT
    if not isinstance(block, Mapping):
        return _Match.NO
    best = _Match.NO
    for entry in _as_list(block.get("AWS")):
        found = _aws_entry_matches(str(entry), principal)
        if found is _Match.DIRECT:
            return found
        best = found if found is not _Match.NO else best
    if principal.kind == "Service" and principal.name in (str(s) for s in _as_list(block.get("Service"))):
        return _Match.DIRECT
    return best


def _principal_matches(statement: Mapping[str, Any], principal: Principal | None) -> _Match:
    if principal is None:  # identity policies have no Principal element
        return _Match.DIRECT
    if "NotPrincipal" in statement:
        excluded = _principal_block_matches(statement["NotPrincipal"], principal)
        return _Match.NO if excluded is not _Match.NO else _Match.DIRECT
    if "Principal" not in statement:
        return _Match.NO
    return _principal_block_matches(statement["Principal"], principal)


def _element_matches(statement: Mapping[str, Any], name: str, value: str, *, ignore_case: bool) -> bool:
    positive, negative = statement.get(name), statement.get(f"Not{name}")
    if positive is not None:
        return any(wildcard_match(str(p), value, ignore_case=ignore_case) for p in _as_list(positive))
    if negative is not None:
        return not any(wildcard_match(str(p), value, ignore_case=ignore_case) for p in _as_list(negative))
    return False


def _applies(statement: Mapping[str, Any], request: Request, principal: Principal | None) -> _Match:
    """Whether a statement applies to the request, and through which principal match."""
    match = _principal_matches(statement, principal)
    if match is _Match.NO:
        return match
    # Action names are case-insensitive, resource ARNs are not
    # (reference_policies_elements_action.html, _resource.html).
    if not _element_matches(statement, "Action", request.action, ignore_case=True):
        return _Match.NO
    if not _element_matches(statement, "Resource", request.resource, ignore_case=False):
        return _Match.NO
    if not conditions_hold(statement.get("Condition"), request.context):
        return _Match.NO
    return match


@dataclass(frozen=True)
class PolicyResult:
    """One policy's verdict: DENIED (an applicable Deny), PERMITTED (an
    applicable Allow naming the caller), NEUTRAL; ``delegated``: an
    applicable Allow names the caller's account (root) only."""

    result: PermissionResult
    delegated: bool = False


def evaluate_policy(
    policy: str | bytes | PolicyDocument | None, request: Request, *, resource_policy: bool = True
) -> PolicyResult:
    """One policy document against one request (``resource_policy=False``:
    an identity policy, whose statements have no Principal)."""
    principal = request.principal if resource_policy else None
    permitted = delegated = False
    for statement in _statements(load(policy)):
        match = _applies(statement, request, principal)
        if match is _Match.NO:
            continue
        if statement.get("Effect") == "Deny":
            return PolicyResult(PermissionResult.DENIED)
        if match is _Match.ACCOUNT:
            delegated = True
        else:
            permitted = True
    if permitted:
        return PolicyResult(PermissionResult.PERMITTED, delegated)
    return PolicyResult(PermissionResult.NEUTRAL, delegated)


def _identity(request: Request) -> Iterable[PermissionResult]:
    for doc in request.principal.identity_policies:
        yield evaluate_policy(doc, request, resource_policy=False).result


def _combine_identity(results: Sequence[PermissionResult]) -> PermissionResult:
    if PermissionResult.DENIED in results:
        return PermissionResult.DENIED
    return PermissionResult.PERMITTED if PermissionResult.PERMITTED in results else PermissionResult.NEUTRAL


def evaluate_resource_access(policy: str | bytes | PolicyDocument | None, request: Request) -> Decision:
    """A request against a resource-based policy (SNS topic policy, S3
    bucket policy, ...) and the caller's identity policies."""
    resource = evaluate_policy(policy, request)
    identity = _combine_identity(list(_identity(request)))
    if PermissionResult.DENIED in (resource.result, identity):
        return Decision.EXPLICIT_DENY
    same_account = request.principal.account is not None and request.principal.account == request.owner
    resource_allows = resource.result is PermissionResult.PERMITTED
    identity_allows = identity is PermissionResult.PERMITTED
    if request.principal.kind == "AWS" and not same_account:
        # Cross-account: the resource policy must name the caller (or its
        # account) and the caller's own policies must allow too.
        trusted = resource_allows or resource.delegated
        return Decision.ALLOW if trusted and identity_allows else Decision.IMPLICIT_DENY
    return Decision.ALLOW if resource_allows or identity_allows else Decision.IMPLICIT_DENY


def evaluate_key_access(key_policy: str | bytes | PolicyDocument | None, request: Request) -> Decision:
    """A request against a KMS key policy; identity policies count only when
    the key policy allows the caller's account root (KMS's "enable IAM
    policies" statement)."""
    key = evaluate_policy(key_policy, request)
    identity = _combine_identity(list(_identity(request)))
    if PermissionResult.DENIED in (key.result, identity):
        return Decision.EXPLICIT_DENY
    identity_allows = identity is PermissionResult.PERMITTED
    principal = request.principal
    if principal.kind == "AWS" and principal.account != request.owner:
        # Cross-account use of a key: the key policy must name the other
        # account (or its principal) and that account's IAM policies must allow.
        trusted = key.result is PermissionResult.PERMITTED or key.delegated
        return Decision.ALLOW if trusted and identity_allows else Decision.IMPLICIT_DENY
    if key.result is PermissionResult.PERMITTED:
        return Decision.ALLOW
    if key.delegated and identity_allows:
        return Decision.ALLOW
    return Decision.IMPLICIT_DENY
