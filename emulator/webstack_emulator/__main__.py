"""``python -m webstack_emulator {start,stop,status,reset,env,types,serve}``."""

from __future__ import annotations

import argparse
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
    sub.add_parser("stop", help="stop the emulator; leaves no process behind")
    sub.add_parser("status", help="print endpoint and pid; exit 1 if not running")
    sub.add_parser("reset", help="drop every resource (moto /moto-api/reset)")
    p_env = sub.add_parser("env", help="print `export` lines for the running emulator")
    p_env.add_argument("--region", default=server.DEFAULT_REGION)
    sub.add_parser("types", help="list CloudFormation types and who serves them")
    p_serve = sub.add_parser("serve", help="run in the foreground (used by start)")
    p_serve.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)

    if args.command == "serve":
        server.serve(args.port, args.state_dir)
        return 0
    if args.command == "start":
        started = server.start(args.state_dir, port=args.port)
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
    elif args.command == "env":
        for key, value in server.endpoint_env(info.endpoint, args.region).items():
            print(f"export {key}={shlex.quote(value)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
