"""What the resource providers register with the engine.

* :data:`CUSTOM_TYPES`: ``Custom::Name`` -> provider class, served natively
  instead of by moto's Lambda-backed ``CustomModel`` (fix 03; filled by
  ``providers.cdk_custom``).
* :data:`DELETERS`: ``AWS::Type`` -> ``fn(moto resource, account_id,
  region_name)`` for moto types that cannot delete themselves (fixes 05, 07
  and 08 use them; filled with :func:`deleter` by the service modules).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Deleter = Callable[[Any, str, str], None]

CUSTOM_TYPES: dict[str, type] = {}
DELETERS: dict[str, Deleter] = {}


def deleter(cfn_type: str) -> Callable[[Deleter], Deleter]:
    """Register the decorated function as the delete of ``cfn_type``."""

    def register(fn: Deleter) -> Deleter:
        DELETERS[cfn_type] = fn
        return fn

    return register
