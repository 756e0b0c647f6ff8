"""webstack's CloudFormation resource providers for moto.

:func:`install` must run in the process that serves requests, before the
first stack is created (``server.InProcessServer`` and ``serve`` call it).
:func:`type_registry` says which CloudFormation types our providers serve
and which moto serves itself.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable

# One module per service; each defines provider classes at import time.
PROVIDER_MODULES = (
    "acm",
    "apigateway",
    "autoscaling",
    "cdk_custom",
    "cfn_custom",
    "cloudfront",
    "cloudfront_extra",
    "cloudfront_vpc_origin",
    "cloudwatch",
    "ec2",
    "ec2_extra",
    "elbv2",
    "iam",
    "kms",
    "lambda_extra",
    "logs",
    "logs_filters",
    "route53",
    "s3",
    "secretsmanager",
    "secrets_attachments",
    "sns",
    "sqs",
    "ssm",
    "wafv2",
)

_RESET_HOOKS: list[Callable[[], None]] = []


def on_reset(hook: Callable[[], None]) -> Callable[[], None]:
    """Register state of ours that moto's /moto-api/reset must clear too."""
    _RESET_HOOKS.append(hook)
    return hook


def _modules() -> list[object]:
    return [importlib.import_module(f"{__name__}.{m}") for m in PROVIDER_MODULES]


def _our_classes() -> dict[str, type]:
    from moto.core.common_models import CloudFormationModel

    from ..engine.registry import CUSTOM_TYPES

    found: dict[str, type] = {}
    for cls in CloudFormationModel.__subclasses__():
        if cls.__module__.startswith(__name__ + "."):
            found[cls.cloudformation_type()] = cls
    found.update(CUSTOM_TYPES)
    return found


@functools.cache
def install() -> None:
    """Register our providers with moto and apply the engine fixes (once per
    process: later calls do nothing)."""
    from moto.cloudformation import parsing
    from moto.moto_api._internal.models import MotoAPIBackend

    from .. import engine

    for module in _modules():
        # modules that patch moto itself (no CloudFormation types) say so
        getattr(module, "install", lambda: None)()
    engine.install()
    # moto caches the type map on first use; rebuild it with our classes.
    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()
    model_map = parsing.get_model_map()
    for cfn_type, cls in _our_classes().items():
        if cfn_type.startswith("Custom::"):
            continue
        if model_map.get(cfn_type) is not cls:
            raise RuntimeError(f"provider for {cfn_type} did not register with moto")

    original_reset = MotoAPIBackend.reset

    def reset(self: MotoAPIBackend) -> None:
        original_reset(self)
        for hook in _RESET_HOOKS:
            hook()

    engine.replace(MotoAPIBackend, "reset", reset)


def type_registry() -> dict[str, str]:
    """``{CloudFormation type: "webstack" | "moto"}`` for every type the
    emulator can deploy (``Custom::*`` types ours; others would need Docker)."""
    from moto.cloudformation import parsing

    _modules()
    ours = _our_classes()
    registry = {
        t: "moto"
        for t in (cls.cloudformation_type() for cls in parsing.get_model_list())
        if t.startswith("AWS::") and t != "AWS::SERVICE::RESOURCE"
    }
    registry.update({t: "webstack" for t in ours})
    return registry
