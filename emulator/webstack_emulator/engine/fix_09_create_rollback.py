"""Fix 09: a failed ``CreateStack`` rolls back.

moto: ``Stack.create_resources`` lets a resource's exception escape (an
HTTP 500); the resources created so far stay, and so does a stack in
``CREATE_IN_PROGRESS``.

AWS: a failed create rolls back by default: the resources created so far
are deleted and the stack ends in ``ROLLBACK_COMPLETE``, with a
``CREATE_FAILED`` event naming the resource and the reason
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stack-failure-options.html).

Fix: ``Stack.create_resources`` catches the failure and runs
:func:`failures.rollback_create` (fix 10 does the same for a change set of
type CREATE, which is what the CDK CLI uses).
"""

from __future__ import annotations

import functools
from typing import Any

from moto.cloudformation import models as cfn_models

from ._guard import replace, require_pinned_moto
from .failures import rollback_create


def _safe_create_resources(original: Any) -> Any:
    @functools.wraps(original)
    def create_resources(self: Any) -> None:
        try:
            original(self)
        except Exception as exc:
            rollback_create(self, exc)

    return create_resources


def install() -> None:
    require_pinned_moto(__name__)
    replace(cfn_models.Stack, "create_resources", _safe_create_resources(cfn_models.Stack.create_resources))
