"""Put a rule in front of one of moto's own CloudFormation models."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Any

# check(properties, account_id, region_name); raises to refuse
Check = Callable[[Mapping[str, Any], str, str], None]


def checked_first(original: Any, check: Check) -> Any:
    """``original``: a model's ``create_from_cloudformation_json`` or
    ``update_from_cloudformation_json`` classmethod object (from ``vars(model)``).
    Returns a classmethod that runs ``check`` on the template's properties
    first. The arguments are bound by moto's own signature, so the rule sees
    the same values whether moto passes them by position or by name."""
    func = original.__func__
    signature = inspect.signature(func)

    @functools.wraps(func)
    def hooked(cls: Any, *args: Any, **kwargs: Any) -> Any:
        arguments = signature.bind(cls, *args, **kwargs).arguments
        template = arguments.get("cloudformation_json") or {}
        check(template.get("Properties") or {}, arguments["account_id"], arguments["region_name"])
        return func(cls, *args, **kwargs)

    return classmethod(hooked)


def install_checks(model: Any, create: Check | None = None, update: Check | None = None) -> None:
    from ...engine import replace

    for name, check in (("create_from_cloudformation_json", create), ("update_from_cloudformation_json", update)):
        if check is not None:
            replace(model, name, checked_first(vars(model)[name], check))
