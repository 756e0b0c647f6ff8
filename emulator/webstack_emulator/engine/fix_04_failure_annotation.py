"""Fix 04: a failed resource is named.

moto: an exception of a resource's create or update escapes as is (an HTTP
500 naming neither the resource nor its type), so nothing can report which
resource failed.

AWS: the stack's events name the failed resource, its type and the reason
(``CREATE_FAILED``/``UPDATE_FAILED``,
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/view-stack-events.html).

Fix: ``parse_and_create_resource`` and ``parse_and_update_resource`` wrap
any failure in :class:`failures.ResourceFailed` (logical id, type, cause),
from which fixes 09, 10 and 12 write those events.
"""

from __future__ import annotations

import functools
from typing import Any

from moto.cloudformation import parsing

from ._guard import replace, require_pinned_moto
from .failures import ResourceFailed


def _annotate_failures(original: Any) -> Any:
    @functools.wraps(original)
    def wrapper(logical_id: str, resource_json: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return original(logical_id, resource_json, *args, **kwargs)
        except ResourceFailed:
            raise
        except Exception as exc:
            raise ResourceFailed(logical_id, resource_json.get("Type", "?"), exc) from exc

    return wrapper


def install() -> None:
    require_pinned_moto(__name__)
    replace(parsing, "parse_and_create_resource", _annotate_failures(parsing.parse_and_create_resource))
    replace(parsing, "parse_and_update_resource", _annotate_failures(parsing.parse_and_update_resource))
