"""``python3 -m webstack_app [--host H] [--port P]``: serve until SIGTERM (systemd stop) or Ctrl-C."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from datetime import datetime, timezone

from webstack_app import __version__
from webstack_app.metadata import DEFAULT_ENDPOINT, InstanceIdentity
from webstack_app.server import App, WebstackServer


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="webstack_app", description="webstack's origin application")
    parser.add_argument("--host", default=os.environ.get("WEBSTACK_APP_HOST", "0.0.0.0"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("WEBSTACK_APP_PORT", "80")))
    parser.add_argument(
        "--build",
        default=os.environ.get("WEBSTACK_APP_BUILD"),
        help="the build /api/hello reports (the user data sets the deployed bundle's content hash)",
    )
    parser.add_argument("--imds", default=os.environ.get("WEBSTACK_IMDS_ENDPOINT", DEFAULT_ENDPOINT))
    args = parser.parse_args(argv)
    if not 0 < args.port < 65536:
        parser.error(f"--port {args.port} is not a TCP port; use 1 to 65535")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    app = App(
        version=__version__,
        build=args.build,
        identity=InstanceIdentity(args.imds),
        now=lambda: datetime.now(timezone.utc),
    )
    try:
        server = WebstackServer((args.host, args.port), app)
    except OSError as err:
        print(f"webstack_app: cannot listen on {args.host}:{args.port}: {err.strerror}", file=sys.stderr)
        return 1

    def stop(signum: int, frame: object) -> None:
        # shutdown() waits for serve_forever to return: call it off the main thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    server.write_log({"level": "info", "message": "listening", "host": args.host, "port": server.server_port})
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    server.write_log({"level": "info", "message": "stopped"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
