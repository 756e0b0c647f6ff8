"""Settings and fixtures shared by every test layer."""

import os

import pytest

# jsii's banners about the machine's Node.js are noise in test output.
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

# Session fixtures: each environment is synthesized at most once per test
# session, whichever layer asks first (stacks, compliance, tools). The import
# is lazy so that layers without CDK (the emulator's) do not pay for it.
ENVIRONMENT_NAMES = ("dev", "staging", "prod")


@pytest.fixture(scope="session")
def synth():
    """synth("prod") -> the prod environment, synthesized at most once per session."""
    from tests.synth import cached_synth

    return cached_synth


@pytest.fixture(scope="session", params=ENVIRONMENT_NAMES)
def each_env(request, synth):
    return synth(request.param)


@pytest.fixture(scope="session")
def dev(synth):
    return synth("dev")


@pytest.fixture(scope="session")
def prod(synth):
    return synth("prod")
