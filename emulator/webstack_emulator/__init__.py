"""Local AWS emulator: moto 5.2.5 plus our CloudFormation
resource providers, so that ``cdk bootstrap`` and ``cdk deploy --all`` of the
synthesized app run on this machine and boto3 then sees what the templates
asked for. See README.md in this directory; the fixes to moto's
CloudFormation engine are in :mod:`webstack_emulator.engine`, one module each.

Public API::

    from webstack_emulator import start, stop, status, reset, endpoint_env
    info = start(state_dir, port=0)      # detached server (0: any free port); server.json/server.log in state_dir
    os.environ.update(endpoint_env(info.endpoint, "us-west-2"))
    ...
    reset(info.endpoint)                 # drop every resource
    stop(state_dir)                      # no process left behind

CLI: ``python -m webstack_emulator {start,stop,status,reset,env,types}``.
"""

from .server import (
    ACCOUNT_ID,
    DataPlaneOptions,
    EmulatorInfo,
    InProcessServer,
    dataplane_info,
    endpoint_env,
    reset,
    start,
    status,
    stop,
    wait_ready,
)

__all__ = [
    "ACCOUNT_ID",
    "DataPlaneOptions",
    "EmulatorInfo",
    "InProcessServer",
    "dataplane_info",
    "endpoint_env",
    "reset",
    "start",
    "status",
    "stop",
    "type_registry",
    "wait_ready",
]


def type_registry() -> dict[str, str]:
    """``{CloudFormation type: "webstack" | "moto"}`` -- who serves what."""
    from .providers import type_registry as _registry

    return _registry()
