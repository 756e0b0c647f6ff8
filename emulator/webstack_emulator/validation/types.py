"""Which real AWS resource types the emulator can create."""

from __future__ import annotations

import functools

# moto's parsing.NULL_MODELS: accepted and given no state, as today.
_MOTO_NO_OP_TYPES = frozenset({"AWS::CloudFormation::WaitCondition", "AWS::CloudFormation::WaitConditionHandle"})

# CDK's analytics resource: AWS creates nothing observable for it either
# (https://docs.aws.amazon.com/cdk/v2/guide/cli.html#version-reporting), so
# skipping it loses nothing.
_NO_EFFECT_TYPES = frozenset({"AWS::CDK::Metadata"})


@functools.cache
def emulated_types() -> frozenset[str]:
    """What ``python -m webstack_emulator types`` lists, plus the types that
    create nothing."""
    from ..providers import type_registry

    return frozenset(type_registry()) | _MOTO_NO_OP_TYPES | _NO_EFFECT_TYPES


def unemulated_types(types: list[str]) -> list[str]:
    emulated = emulated_types()
    return [t for t in types if t not in emulated]
