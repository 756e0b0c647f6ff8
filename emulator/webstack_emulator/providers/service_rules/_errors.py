"""How a service rule refuses a request: with AWS's error code and message.

The engine reports a failed resource as ``"<error code>: <text>"``
(``engine.failures.reason_of``); each refusal is an instance of a subclass
named after AWS's error code, whose ``code`` is that name: the stack event reads
``MalformedPolicyDocumentException: The new key policy will not allow you to
update the key policy in the future.``, as the CloudFormation console shows
the service's answer.
"""

from __future__ import annotations

import functools
from typing import ClassVar, cast

from .._base import ProviderError


class ServiceRuleError(ProviderError):
    """A request AWS itself refuses; :attr:`code` is AWS's error code."""

    code: ClassVar[str] = ""


@functools.cache
def _error_class(code: str) -> type[ServiceRuleError]:
    return cast(type[ServiceRuleError], type(code, (ServiceRuleError,), {"code": code, "__module__": __name__}))


def refuse(code: str, message: str) -> ServiceRuleError:
    """The exception to raise for AWS error ``code`` with AWS's ``message``."""
    return _error_class(code)(message)
