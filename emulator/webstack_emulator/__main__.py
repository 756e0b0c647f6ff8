"""``python -m webstack_emulator {start,stop,status,reset,env,types,serve}``."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

from . import server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m webstack_emulator",
        description="Local AWS emulator (moto + webstack CloudFormation providers).",
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=Path(".local-aws"),
        help="where server.json/server.log live (default ./.local-aws, relative to the working directory)",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p_start = sub.add_parser("start", help="start a detached emulator (idempotent)")
    p_start.add_argument("--port", type=int, default=0, help="0 = any free port")
    _data_plane_arguments(p_start)
    sub.add_parser("stop", help="stop the emulator; leaves no process behind")
    sub.add_parser("status", help="print endpoint and pid; exit 1 if not running")
    sub.add_parser("reset", help="drop every resource (moto /moto-api/reset)")
    p_env = sub.add_parser("env", help="print `export` lines for the running emulator")
    p_env.add_argument("--region", default=server.DEFAULT_REGION)
    sub.add_parser("types", help="list CloudFormation types and who serves them")
    p_serve = sub.add_parser("serve", help="run in the foreground (used by start)")
    p_serve.add_argument("--port", type=int, default=0)
    _data_plane_arguments(p_serve)
    sub.add_parser("dataplane", help="print where the data plane answers (JSON); exit 1 without one")
    args = parser.parse_args(argv)

    if args.command == "serve":
        server.serve(args.port, args.state_dir, _data_plane_options(args))
        return 0
    if args.command == "start":
        started = server.start(args.state_dir, port=args.port, data_plane=_data_plane_options(args))
        print(f"{started.endpoint} pid={started.pid}")
        return 0
    if args.command == "stop":
        print("stopped" if server.stop(args.state_dir) else "not running")
        return 0
    if args.command == "types":
        from .providers import type_registry

        for cfn_type, owner in sorted(type_registry().items()):
            print(f"{owner:9} {cfn_type}")
        return 0

    info = server.status(args.state_dir)
    if info is None:
        print("local AWS emulator is not running (python -m webstack_emulator start)", file=sys.stderr)
        return 1
    if args.command == "status":
        print(f"{info.endpoint} pid={info.pid}")
    elif args.command == "reset":
        server.reset(info.endpoint)
        print("reset")
    elif args.command == "dataplane":
        described = server.dataplane_info(info.endpoint)
        if described is None:
            print("the emulator runs without a data plane (start --data-plane)", file=sys.stderr)
            return 1
        print(json.dumps(described, indent=2))
    elif args.command == "env":
        for key, value in server.endpoint_env(info.endpoint, args.region).items():
            print(f"export {key}={shlex.quote(value)}")
    return 0


def _data_plane_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-plane", action="store_true", help="also serve HTTP: CloudFront edges, ALBs, targets")
    p.add_argument("--edge-port", type=int, default=0, help="the first distribution's edge port (0 = any free)")
    p.add_argument(
        "--app-command",
        default=None,
        help="targets' command template: {port}, {instance_id}, {python} (without it no target runs)",
    )


def _data_plane_options(args: argparse.Namespace) -> server.DataPlaneOptions | None:
    if not args.data_plane:
        if args.app_command or args.edge_port:
            raise SystemExit("--edge-port and --app-command need --data-plane")
        return None
    return server.DataPlaneOptions(edge_port=args.edge_port, app_command=args.app_command)


if __name__ == "__main__":
    raise SystemExit(main())
