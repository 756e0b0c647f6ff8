"""KMS: the key policy and alias checks KMS makes at CreateKey / PutKeyPolicy / CreateAlias.

Key policy (``AWS::KMS::Key``; call :func:`check_key_policy` from the
provider's create and update). Two ``MalformedPolicyDocumentException``\\ s,
pitfall D17:

* lockout: "the key policy must allow the calling principal to make a
  subsequent PutKeyPolicy request on the KMS key" unless
  ``BypassPolicyLockoutSafetyCheck`` is true
  (https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html,
  https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#prevent-unmanageable-key).
  AWS's text, as CloudFormation reports it: "The new key policy will not
  allow you to update the key policy in the future."
  (e.g. trussworks/terraform-aws-cloudtrail#178,
  aws-solutions/innovation-sandbox-on-aws#31).
* principals: "The principals in the key policy must exist and be visible to
  KMS" (same API reference); AWS's text: "Policy contains a statement with
  one or more invalid principals." (e.g. GoogleCloudPlatform/anthos-samples#357,
  a key naming the Auto Scaling service-linked role before it exists -- D1).

Alias (``AWS::KMS::Alias``, moto's model; :func:`install`): CreateAlias
fails with ``AlreadyExistsException`` "An alias with the name
arn:aws:kms:REGION:ACCOUNT:alias/NAME already exists"
(https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html;
text as in cloudbees-oss/terraform-aws-cloudbees-ci-eks-addon#66). moto's
CloudFormation model silently re-points the alias instead.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from typing import Any

from moto.cloudformation.models import cloudformation_backends
from moto.iam.models import iam_backends
from moto.kms.models import kms_backends

from ...engine import require_pinned_moto
from ...policy import Principal, Request, UnsupportedCondition, evaluate_key_access
from ...policy.evaluator import load
from .._base import PARTITION, Provider, as_bool
from ._errors import refuse
from ._hooks import install_checks

LOCKOUT_MESSAGE = "The new key policy will not allow you to update the key policy in the future."
INVALID_PRINCIPALS_MESSAGE = "Policy contains a statement with one or more invalid principals."

# The deploying identity's IAM permissions are not modelled (moto signs
# nothing it issued); it is taken to be an administrator of its account, so
# the lockout check turns on what AWS's turns on: whether the key policy
# admits the caller directly or delegates to the account (its root).
_ADMINISTRATOR = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def calling_principal(account_id: str, region_name: str, stack_id: str) -> str:
    """Who CloudFormation calls KMS as: the stack's service role if it has one
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-iam-servicerole.html),
    else the deployer -- moto's identity for credentials it did not issue."""
    stack = cloudformation_backends[account_id][region_name].stacks.get(stack_id)
    role_arn = getattr(stack, "role_arn", None)
    return role_arn or f"arn:{PARTITION}:iam::{account_id}:user/moto"


def _aws_principals(policy: Mapping[str, Any]) -> Iterator[str]:
    for statement in _as_list(policy.get("Statement")):
        if not isinstance(statement, Mapping):
            continue
        for element in ("Principal", "NotPrincipal"):
            block = statement.get(element)
            if isinstance(block, Mapping):
                yield from (str(entry) for entry in _as_list(block.get("AWS")))


def _principal_exists(entry: str, account_id: str) -> bool:
    """IAM roles and users of the key's own account must exist; account
    principals, ``*`` and other accounts' ARNs (which the emulator cannot
    see) pass."""
    parts = entry.split(":", 5)
    if len(parts) != 6 or parts[4] != account_id:
        return True
    service, resource = parts[2], parts[5]
    iam = iam_backends[account_id][PARTITION]
    if service == "iam" and resource.startswith("role/"):
        return any(role.arn == entry for role in iam.roles.values())
    if service == "iam" and resource.startswith("user/"):
        return any(user.arn == entry for user in iam.users.values())
    if service == "sts" and resource.startswith("assumed-role/"):
        role_name = resource.split("/")[1] if resource.count("/") >= 1 else ""
        return any(role.name == role_name for role in iam.roles.values())
    return True


def _key_arn(provider: Provider) -> str:
    # On create the key has no id yet; key policies name their key as "*".
    key_id = getattr(provider, "physical_id", "") or "00000000-0000-0000-0000-000000000000"
    return f"arn:{PARTITION}:kms:{provider.region_name}:{provider.account_id}:key/{key_id}"


def _check_no_lockout(policy: Mapping[str, Any], provider: Provider) -> None:
    caller = calling_principal(provider.account_id, provider.region_name, provider.stack_id)
    request = Request(
        principal=Principal.role(caller, _ADMINISTRATOR),
        action="kms:PutKeyPolicy",
        resource=_key_arn(provider),
        context={"aws:PrincipalArn": caller, "aws:PrincipalAccount": provider.account_id},
    )
    try:
        decision = evaluate_key_access(policy, request)
    except UnsupportedCondition:
        # A condition the evaluator cannot decide: do not refuse on a guess.
        return
    if not decision.allowed:
        raise refuse("MalformedPolicyDocumentException", LOCKOUT_MESSAGE)


def check_key_policy(provider: Provider, props: Mapping[str, Any]) -> None:
    """Refuse a key policy KMS refuses (see the module docstring)."""
    policy = load(props.get("KeyPolicy"))
    if policy is None:
        # KMS applies its default key policy (the account root may kms:*).
        return
    if not all(_principal_exists(entry, provider.account_id) for entry in _aws_principals(policy)):
        raise refuse("MalformedPolicyDocumentException", INVALID_PRINCIPALS_MESSAGE)
    if not as_bool(props.get("BypassPolicyLockoutSafetyCheck")):
        _check_no_lockout(policy, provider)


def check_alias_is_free(account_id: str, region_name: str, alias_name: str) -> None:
    if kms_backends[account_id][region_name].alias_exists(alias_name):
        raise refuse(
            "AlreadyExistsException",
            f"An alias with the name arn:{PARTITION}:kms:{region_name}:{account_id}:{alias_name} already exists",
        )


@functools.cache
def install() -> None:
    """Make moto's ``AWS::KMS::Alias`` refuse a name already in use (once per process)."""
    require_pinned_moto(__name__)
    from moto.kms.models import Alias

    install_checks(
        Alias, create=lambda props, account, region: check_alias_is_free(account, region, props["AliasName"])
    )
