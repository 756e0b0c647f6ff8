"""Acknowledging a compliance finding: narrowest construct, narrowest id, a reason.

Every call names the AWS-side fact that makes the finding acceptable; a
finding that can be fixed is fixed instead. ``make check`` lists them all.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, CfnElement, Stack, Validations
from constructs import IConstruct


def acknowledge(scope: IConstruct, rule_id: str, reason: str) -> None:
    """Acknowledge ``rule_id`` (``Rule`` or ``Rule[Finding]``) on ``scope`` and below."""
    Validations.of(scope).acknowledge(Acknowledgment(id=rule_id, reason=reason))


def logical_id_of(resource: IConstruct) -> str:
    """The logical id CDK gives ``resource``'s CloudFormation resource, for finding ids that name it.

    Derived, never typed: a hashed id written into an acknowledgement goes
    stale silently when the construct path changes.
    """
    element = resource.node.default_child
    if not isinstance(element, CfnElement):
        raise TypeError(f"{resource.node.path} has no CloudFormation resource of its own")
    return Stack.of(element).get_logical_id(element)
