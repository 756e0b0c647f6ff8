"""Acknowledging a compliance finding: narrowest construct, narrowest id, a reason.

Every call names the AWS-side fact that makes the finding acceptable; a
finding that can be fixed is fixed instead. ``make check`` lists them all.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, Validations
from constructs import IConstruct


def acknowledge(scope: IConstruct, rule_id: str, reason: str) -> None:
    """Acknowledge ``rule_id`` (``Rule`` or ``Rule[Finding]``) on ``scope`` and below."""
    Validations.of(scope).acknowledge(Acknowledgment(id=rule_id, reason=reason))
