"""Who signed a request, and the identity policies AWS evaluates for them.

moto issues credentials for ``sts:AssumeRole`` (access key ids ``ASIA...``)
and remembers which role each belongs to, but never evaluates the role's
policies unless its global IAM authorization is switched on -- which would
refuse every unsigned deployer call as well. Here only the credentials of an
assumed role are resolved, so a service that wants to authorize a call as
the role (a rotation function calling Secrets Manager) can, and the
deployer's calls (moto's fake ``testing`` keys) stay unrestricted.

A role's identity policies are its inline policies and the default version
of each attached managed policy
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#access_policies-identity);
a session policy passed to AssumeRole further limits the session and is
evaluated with them (an Allow must be in both: "the resulting session's
permissions are the intersection", reference_policies_evaluation-logic.html).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from .evaluator import PolicyDocument, Principal

PARTITION = "aws"


@dataclass(frozen=True)
class RoleSession:
    """An assumed-role session: ``arn`` is the session ARN AWS names in its
    errors (``arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION``), ``principal``
    the role with its identity policies."""

    arn: str
    principal: Principal
    session_policy: PolicyDocument | None = None

    @property
    def account(self) -> str:
        return self.arn.split(":")[4]


def _document(text: Any) -> PolicyDocument | None:
    if isinstance(text, dict):
        return text
    if not text:
        return None
    raw = str(text)
    try:
        loaded: PolicyDocument = json.loads(raw)
    except ValueError:
        loaded = json.loads(unquote(raw))  # IAM returns documents URL-encoded
    return loaded


def _managed_documents(role: Any) -> Iterator[PolicyDocument]:
    for policy in (getattr(role, "managed_policies", None) or {}).values():
        default = next((v for v in policy.versions if v.is_default), None)
        doc = _document(getattr(default, "document", None))
        if doc is not None:
            yield doc


def role_policies(account_id: str, role_arn: str) -> tuple[PolicyDocument, ...]:
    """The inline and attached managed policies of ``role_arn`` (none if the role is gone)."""
    from moto.iam.models import iam_backends

    try:
        role = iam_backends[account_id][PARTITION].get_role_by_arn(role_arn)
    except Exception:
        return ()
    inline = [d for d in (_document(t) for t in (role.policies or {}).values()) if d is not None]
    return (*inline, *_managed_documents(role))


def assumed_role_session(access_key_id: str) -> RoleSession | None:
    """The role session ``access_key_id`` was issued for by AssumeRole, if any."""
    from moto.sts.models import sts_backends

    for account_id, by_partition in list(sts_backends.items()):
        backend = by_partition.get(PARTITION) if hasattr(by_partition, "get") else None
        found = backend.get_assumed_role_from_access_key(access_key_id) if backend is not None else None
        if found is not None:
            principal = Principal.role(found.role_arn, *role_policies(account_id, found.role_arn))
            return RoleSession(found.arn, principal, _document(found.policy))
    return None
