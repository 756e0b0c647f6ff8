"""Acknowledging a compliance finding: narrowest construct, narrowest id, a reason.

Every call names the AWS-side fact that makes the finding acceptable; a
finding that can be fixed is fixed instead. ``make check`` lists them all,
and fails on one that no longer matches a finding (a stale acknowledgement).

Two scanners read these: the cdk-nag packs and the webstack pitfall rules
(:func:`acknowledge`, construct metadata), and checkov, an independent
CloudFormation scanner run by the compliance gate (:func:`skip_checkov`,
``Metadata.checkov.skip`` of the resource in the template, the form checkov
itself honours: https://www.checkov.io/2.Basics/Suppressing%20and%20Skipping%20Policies.html).
"""

from __future__ import annotations

from collections.abc import Iterable

from aws_cdk import Acknowledgment, CfnElement, CfnResource, Stack, Validations
from constructs import IConstruct

UNAPPLIED_CONTEXT = "webstack:acknowledgements-unapplied"
"""Context key the compliance gate sets on its app: :func:`acknowledge` then records the
acknowledgement (metadata :data:`RECORDED_METADATA_KEY`) without applying it, so the packs
report every finding and the gate can tell which acknowledgement matches which (and which
matches none). Never set for a deployment."""

RECORDED_METADATA_KEY = "webstack:acknowledged-rule"


def acknowledge(scope: IConstruct, rule_id: str, reason: str, *, checkov: Iterable[str] = ()) -> None:
    """Acknowledge ``rule_id`` (``Rule`` or ``Rule[Finding]``) on ``scope`` and below.

    ``checkov``: ids of checkov checks the same reason answers on ``scope``'s own
    CloudFormation resource (:func:`skip_checkov`).
    """
    if scope.node.try_get_context(UNAPPLIED_CONTEXT):
        scope.node.add_metadata(RECORDED_METADATA_KEY, {"rule_id": rule_id, "reason": reason})
    else:
        Validations.of(scope).acknowledge(Acknowledgment(id=rule_id, reason=reason))
    for check_id in checkov:
        skip_checkov(scope, check_id, reason)


def skip_checkov(resource: IConstruct, check_id: str, reason: str) -> None:
    """Skip checkov check ``check_id`` (``CKV_AWS_18``) on ``resource``'s CloudFormation resource.

    Written as ``Metadata.checkov.skip: [{id, comment}]`` of that one resource:
    a skip never covers a resource's children, unlike :func:`acknowledge`.
    """
    element = _cfn_resource(resource)
    current = element.get_metadata("checkov") or {}
    skips = [s for s in current.get("skip", []) if s.get("id") != check_id]
    element.add_metadata("checkov", {**current, "skip": [*skips, {"id": check_id, "comment": reason}]})


def skip_checkov_on_grant_policy(role: IConstruct, check_id: str, reason: str) -> None:
    """:func:`skip_checkov` on ``role``'s ``DefaultPolicy`` (the policy CDK's grants write);
    a role without one fails synthesis: the skip would name nothing."""
    policy = role.node.try_find_child("DefaultPolicy")
    if policy is None:
        raise LookupError(f"{role.node.path} has no DefaultPolicy: the checkov skip names nothing")
    skip_checkov(policy, check_id, reason)


def skip_checkov_on_child(scope: IConstruct, child_path: str, checks: dict[str, str]) -> None:
    """:func:`skip_checkov` on the construct at ``child_path`` below ``scope`` (``A/B``).

    For resources CDK creates on a construct's behalf, such as the singleton
    handlers of its custom-resource providers, which sit at the stack's root.
    A missing child fails synthesis: a skip that names nothing is a mistake.
    """
    node: IConstruct = scope
    for part in child_path.split("/"):
        child = node.node.try_find_child(part)
        if child is None:
            raise LookupError(f"{scope.node.path} has no {child_path}: the checkov skip names nothing")
        node = child
    for check_id, reason in checks.items():
        skip_checkov(node, check_id, reason)


_CDK_HANDLER_SKIPS = {
    "CKV_AWS_115": (
        "CDK's {what} handler runs only while CloudFormation creates, updates or deletes its custom "
        "resource; reserved concurrency would take capacity from the account's pool for nothing"
    ),
    "CKV_AWS_116": (
        "CDK's {what} handler answers CloudFormation through the response URL; a failed run fails the "
        "stack operation, which reports it, and nothing would read a dead-letter queue"
    ),
    "CKV_AWS_117": (
        "CDK's {what} handler calls only public AWS APIs; a VPC would add network interfaces and a NAT "
        "dependency without removing a network path"
    ),
}


def skip_checkov_on_cdk_handler(scope: IConstruct, provider_id: str, what: str) -> None:
    """Skip checkov's Lambda checks on the handler of CDK's singleton provider ``provider_id``
    (``Custom::S3AutoDeleteObjectsCustomResourceProvider``), which CDK creates at the stack's
    root for ``scope``'s constructs. Call it right after the construct that makes CDK add the
    provider: only that exact function is skipped, and only while it exists."""
    checks = {check_id: reason.format(what=what) for check_id, reason in _CDK_HANDLER_SKIPS.items()}
    skip_checkov_on_child(Stack.of(scope), f"{provider_id}/Handler", checks)


def _cfn_resource(resource: IConstruct) -> CfnResource:
    if CfnResource.is_cfn_resource(resource):
        return resource  # type: ignore[return-value]
    element = resource.node.default_child
    if element is None or not CfnResource.is_cfn_resource(element):
        raise TypeError(f"{resource.node.path} has no CloudFormation resource of its own")
    return element  # type: ignore[return-value]


def logical_id_of(resource: IConstruct) -> str:
    """The logical id CDK gives ``resource``'s CloudFormation resource, for finding ids that name it.

    Derived, never typed: a hashed id written into an acknowledgement goes
    stale silently when the construct path changes.
    """
    element = resource.node.default_child
    if not isinstance(element, CfnElement):
        raise TypeError(f"{resource.node.path} has no CloudFormation resource of its own")
    return Stack.of(element).get_logical_id(element)
