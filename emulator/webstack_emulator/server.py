"""Lifecycle of the local AWS emulator: a moto server with our providers.

The server always binds the loopback interface and is addressed as
``http://localhost:PORT``. It answers only requests whose Host header is a
loopback name with its own port (``localhost``, ``127.0.0.1``, ``[::1]``):
a web page the user visits could otherwise reach it through a DNS name that
resolves to 127.0.0.1 (DNS rebinding). boto3 and the CDK CLI address S3 in
path style at a custom endpoint (``localhost:PORT/bucket``), so no
``<bucket>.localhost`` form is needed. It sends no CORS headers (moto adds
``Access-Control-Allow-Origin`` for any origin), so no page can read its
answers. Its state file is 0600 in a 0700 directory.

Two ways to run it:

* :func:`start` spawns ``python -m webstack_emulator serve`` as a detached
  process (own session, output to a log file) and records ``pid`` and
  ``port`` in a JSON state file, so that any later process (``cdk``, pytest,
  another shell) can find it with :func:`status` and end it with
  :func:`stop`.
* :class:`InProcessServer` runs the same server on a thread of the current
  process (tests use it: no process to leak, no start-up cost).

Either way :func:`webstack_emulator.providers.install` runs before the first
request, so our CloudFormation providers are registered with moto before it
creates any stack.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

HOST = "localhost"
BIND_ADDRESS = "127.0.0.1"
ACCOUNT_ID = "123456789012"  # moto's default account
DEFAULT_REGION = "us-east-1"
STATE_FILE_NAME = "server.json"
LOG_FILE_NAME = "server.log"


@dataclass(frozen=True)
class EmulatorInfo:
    """Where a running emulator listens."""

    pid: int
    port: int
    host: str = HOST

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"


def endpoint_env(endpoint: str, region: str = DEFAULT_REGION) -> dict[str, str]:
    """Environment variables that point boto3, the AWS CLI and the CDK CLI at
    the emulator. Credentials are moto's well-known fakes, never real ones."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        "CDK_DEFAULT_ACCOUNT": ACCOUNT_ID,
        "CDK_DEFAULT_REGION": region,
        # Keep the CDK CLI and SDK from looking for real profiles/IMDS.
        "AWS_EC2_METADATA_DISABLED": "true",
    }


# --------------------------------------------------------------------------
# state file
# --------------------------------------------------------------------------
def _state_file(state_dir: Path) -> Path:
    return Path(state_dir) / STATE_FILE_NAME


def private_state_dir(state_dir: Path) -> Path:
    """``state_dir``, created 0700 (or made so); RuntimeError for a directory others share."""
    path = Path(state_dir)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = path.stat()
    if info.st_mode & 0o077:
        # Never chmod a shared directory such as /tmp (sticky) or someone else's.
        if info.st_mode & stat.S_ISVTX or info.st_uid != os.getuid():
            raise RuntimeError(
                f"emulator state directory {path} is shared (mode {oct(info.st_mode & 0o777)}); use one of its own"
            )
        path.chmod(0o700)
    return path


def _write_state(state_dir: Path, info: EmulatorInfo) -> None:
    path = _state_file(private_state_dir(state_dir))
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        os.fchmod(fh.fileno(), 0o600)  # also when an older .tmp was there
        fh.write(json.dumps(asdict(info)))
    tmp.replace(path)  # atomic: readers never see half a file


def _read_state(state_dir: Path) -> EmulatorInfo | None:
    try:
        data = json.loads(_state_file(state_dir).read_text())
        return EmulatorInfo(pid=int(data["pid"]), port=int(data["port"]))
    except (OSError, ValueError, KeyError):
        return None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (our own exited child not yet reaped) is not alive.
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ", 1)[1][:1] != "Z"
    except OSError:
        return True


def is_ready(endpoint: str, timeout: float = 1.0) -> bool:
    """True when the server answers moto's management API."""
    try:
        with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=timeout):
            return True
    except (urllib.error.URLError, OSError):
        return False


def wait_ready(endpoint: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if is_ready(endpoint):
            return
        time.sleep(0.1)
    raise TimeoutError(f"local AWS emulator at {endpoint} not ready after {timeout}s")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((BIND_ADDRESS, 0))
        return int(s.getsockname()[1])


# --------------------------------------------------------------------------
# public lifecycle API
# --------------------------------------------------------------------------
def status(state_dir: Path) -> EmulatorInfo | None:
    """The running emulator recorded in the state file, or None.

    A stale state file (process gone) is removed."""
    info = _read_state(state_dir)
    if info is None:
        return None
    if not _pid_alive(info.pid):
        _state_file(state_dir).unlink(missing_ok=True)
        return None
    return info


@dataclass(frozen=True)
class DataPlaneOptions:
    """The local data plane started with the server (:mod:`webstack_emulator.dataplane`):
    ``edge_port`` for the first distribution (0: any free port), ``app_command``
    the targets' command template (None: targets are not run)."""

    edge_port: int = 0
    app_command: str | None = None

    def argv(self) -> list[str]:
        args = ["--data-plane", "--edge-port", str(self.edge_port)]
        return args + (["--app-command", self.app_command] if self.app_command else [])


def start(
    state_dir: Path,
    port: int = 0,
    timeout: float = 60.0,
    data_plane: DataPlaneOptions | None = None,
) -> EmulatorInfo:
    """Start the emulator as a detached background process (idempotent).

    ``port=0`` picks a free port. Returns once the server answers requests.
    The process outlives the caller; end it with :func:`stop`. With
    ``data_plane`` the local data plane runs in the same process (same
    lifetime: :func:`stop` ends both)."""
    running = status(state_dir)
    if running is not None:
        if port and running.port != port:
            raise RuntimeError(f"an emulator already runs on port {running.port} (pid {running.pid})")
        wait_ready(running.endpoint, timeout)
        return running

    # Absolute: the child runs in the state directory (cwd below), where a
    # relative path would name a directory inside it.
    sdir = private_state_dir(state_dir).resolve()
    _state_file(sdir).unlink(missing_ok=True)
    port = port or free_port()
    with open(sdir / LOG_FILE_NAME, "ab") as log:  # the child keeps its own descriptor
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "webstack_emulator",
                "--state-dir",
                str(sdir),
                "serve",
                "--port",
                str(port),
                *(data_plane.argv() if data_plane else []),
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # survives the CLI and its terminal
            cwd=str(sdir),
            close_fds=True,
        )

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"emulator exited with {proc.returncode}; see {sdir / LOG_FILE_NAME}")
        info = _read_state(sdir)
        if info is not None and info.pid == proc.pid and is_ready(info.endpoint):
            return info
        time.sleep(0.1)
    proc.kill()
    proc.wait()
    raise TimeoutError(f"emulator not ready after {timeout}s; see {sdir / LOG_FILE_NAME}")


def stop(state_dir: Path, timeout: float = 10.0) -> bool:
    """Stop the emulator recorded in the state file. True if one was running."""
    info = status(state_dir)
    if info is None:
        return False
    with contextlib.suppress(ProcessLookupError):
        os.kill(info.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _pid_alive(info.pid):
        _reap(info.pid)
        time.sleep(0.05)
    if _pid_alive(info.pid):
        os.kill(info.pid, signal.SIGKILL)
        while _pid_alive(info.pid):
            _reap(info.pid)
            time.sleep(0.05)
    _reap(info.pid)
    _state_file(state_dir).unlink(missing_ok=True)
    return True


def _reap(pid: int) -> None:
    """Collect the exit status if the server is our own child (tests)."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def reset(endpoint: str) -> None:
    """Drop every resource in the emulator (moto's /moto-api/reset).

    Also clears our providers' own state (see providers.install), e.g. the
    half-executed change sets that otherwise make the next ``cdk deploy``
    fail with "Stack with id cdk-deploy-change-set does not exist"."""
    req = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST", data=b"")
    with urllib.request.urlopen(req, timeout=30) as resp:
        resp.read()


# --------------------------------------------------------------------------
# the server itself
# --------------------------------------------------------------------------
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "[::1]"})
StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def allowed_host(host: str, port: str) -> bool:
    """True for ``localhost:PORT``, ``127.0.0.1:PORT`` or ``[::1]:PORT`` with the server's own port."""
    name, sep, given_port = host.strip().lower().rpartition(":")
    return bool(sep) and name in LOOPBACK_NAMES and given_port == port


class LocalOnly:
    """WSGI middleware: 403 for a Host header that is not this server on loopback, and no
    ``Access-Control-*`` response headers (moto's flask-cors reflects any origin)."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if not allowed_host(environ.get("HTTP_HOST", ""), str(environ.get("SERVER_PORT", ""))):
            body = b"Forbidden: this local AWS emulator answers only Host localhost, 127.0.0.1 or [::1] with its port\n"
            start_response("403 Forbidden", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
            return [body]

        def without_cors(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            kept = [(k, v) for k, v in headers if not k.lower().startswith("access-control-")]
            return start_response(status, kept, *exc_info)

        if str(environ.get("PATH_INFO", "")).startswith(SERVICE_CALL_PREFIX):
            return service_call(environ, without_cors)
        return self.app(environ, without_cors)


# --------------------------------------------------------------------------
# service-to-service calls over HTTP (behind the same Host check)
# --------------------------------------------------------------------------
SERVICE_CALL_PREFIX = "/webstack-api/"
_CLOUDFRONT_ORIGIN = SERVICE_CALL_PREFIX + "cloudfront/"
_LOGS = SERVICE_CALL_PREFIX + "logs"
_DATA_PLANE = SERVICE_CALL_PREFIX + "dataplane"
# The data plane running in this process (serve --data-plane), under "data_plane".
RUNNING: dict[str, Any] = {}
_REASONS = {
    200: "OK",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    501: "Not Implemented",
    502: "Bad Gateway",
}
_ROUTES = (
    "GET /webstack-api/cloudfront/<distribution id>/<path>, POST /webstack-api/logs/<kind>/<resource>, "
    "GET /webstack-api/logs[/<kind>[/<resource>]], GET /webstack-api/dataplane"
)


def _answer(
    start_response: StartResponse, status: int, body: bytes, content_type: str, *extra: tuple[str, str]
) -> list[bytes]:
    headers = [("Content-Type", content_type), ("Content-Length", str(len(body))), *extra]
    start_response(f"{status} {_REASONS.get(status, 'Error')}", headers)
    return [body]


def _json(start_response: StartResponse, status: int, document: Any) -> list[bytes]:
    return _answer(start_response, status, json.dumps(document).encode(), "application/json")


def service_call(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """The emulator's own routes; no AWS API has them. They let a test in
    another process make one AWS service act on another before a data plane
    exists:

    * ``GET /webstack-api/cloudfront/<distribution id>/<path>``: what the
      distribution receives from its S3 origin for ``<path>``
      (:func:`webstack_emulator.origin_access.fetch`), with S3's status and
      error XML; ``x-webstack-refused-by`` says which policy refused.
    * ``POST /webstack-api/logs/<kind>/<resource>`` (kind ``s3``: a source
      bucket, ``elb``: a load balancer ARN or name, ``cloudfront``: a
      distribution id): deliver one log object now
      (:func:`webstack_emulator.log_delivery.deliver`); 200 with
      ``{delivered, bucket, key}`` or ``{delivered: false, bucket, reason,
      refused_by}`` -- a refused delivery is no error in AWS either, the log
      is just missing. 404/400 with ``{error}`` for a source that does not
      exist or does not log, 501 for a policy the emulator cannot evaluate.
    * ``GET /webstack-api/logs[/<kind>[/<resource>]]``: every delivery
      attempt so far (``{deliveries: [...]}``).
    * ``GET /webstack-api/dataplane``: where the local data plane answers
      (:meth:`webstack_emulator.dataplane.DataPlane.describe`: each
      distribution's edge URL, each ALB listener's, the targets and their
      health); 404 when the server runs without one."""
    path = str(environ.get("PATH_INFO", ""))
    method = environ.get("REQUEST_METHOD")
    if method == "GET" and path.startswith(_CLOUDFRONT_ORIGIN):
        return _cloudfront_origin(path, start_response)
    if path == _LOGS or path.startswith(_LOGS + "/"):
        return _logs(method, path, start_response)
    if method == "GET" and path == _DATA_PLANE:
        plane = RUNNING.get("data_plane")
        if plane is None:
            return _json(start_response, 404, {"error": "no data plane: start the emulator with --data-plane"})
        return _json(start_response, 200, plane.describe())
    return _answer(start_response, 404, f"Not Found: {_ROUTES}\n".encode(), "text/plain")


def _cloudfront_origin(path: str, start_response: StartResponse) -> list[bytes]:
    from urllib.parse import unquote

    from .origin_access import fetch

    distribution_id, _, key = path[len(_CLOUDFRONT_ORIGIN) :].partition("/")
    if not distribution_id:
        return _answer(start_response, 404, f"Not Found: {_ROUTES}\n".encode(), "text/plain")
    result = fetch(ACCOUNT_ID, distribution_id, unquote(key))
    body = result.body if result.allowed else result.error_xml()
    content_type = result.content_type if result.allowed else "application/xml"
    extra = [("x-webstack-refused-by", result.refused_by)] if result.refused_by else []
    return _answer(start_response, result.status, body, content_type, *extra)


def _logs(method: Any, path: str, start_response: StartResponse) -> list[bytes]:
    from urllib.parse import unquote

    from . import log_delivery

    kind, _, resource = path[len(_LOGS) :].lstrip("/").partition("/")
    kind, resource = unquote(kind), unquote(resource)
    if method == "GET":
        found = log_delivery.LOG.of(kind or None, resource or None)
        return _json(start_response, 200, {"deliveries": [d.as_json() for d in found]})
    if method != "POST" or not kind or not resource:
        return _json(start_response, 404, {"error": f"not found: {_ROUTES}"})
    try:
        delivery = log_delivery.deliver(kind, ACCOUNT_ID, resource)
    except log_delivery.LogSourceError as err:
        return _json(start_response, err.status, {"error": str(err)})
    except log_delivery.NotEmulated as err:
        return _json(start_response, 501, {"error": str(err)})
    return _json(start_response, 200, delivery.as_json())


def _local_only_moto_server(port: int) -> Any:
    """moto's ThreadedMotoServer (5.2.5) whose WSGI app is wrapped in :class:`LocalOnly` before it
    serves its first request (its ``_server_entry`` with the one wrapped line)."""
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    class LocalOnlyMotoServer(ThreadedMotoServer):
        def _server_entry(self) -> None:
            app = LocalOnly(DomainDispatcherApplication(create_backend_app))
            self._server = make_server(self._ip_address, self._port, app, True, request_handler=MotoRequestHandler)
            self._server_ready_event.set()
            self._server.serve_forever()

    return LocalOnlyMotoServer(ip_address=BIND_ADDRESS, port=port, verbose=False)


class InProcessServer:
    """The emulator on a thread of this process (for tests and `serve`)."""

    def __init__(self, port: int = 0) -> None:
        from .providers import install

        install()
        self._server = _local_only_moto_server(port)
        self.port = 0

    def start(self) -> InProcessServer:
        self._server.start()
        self.port = int(self._server.get_host_and_port()[1])
        return self

    @property
    def endpoint(self) -> str:
        return f"http://{HOST}:{self.port}"

    def stop(self) -> None:
        self._server.stop()


def dataplane_info(endpoint: str, timeout: float = 10.0) -> dict[str, Any] | None:
    """The running server's data plane (``GET /webstack-api/dataplane``), None without one."""
    try:
        with urllib.request.urlopen(f"{endpoint}{_DATA_PLANE}", timeout=timeout) as resp:
            return dict(json.loads(resp.read()))
    except urllib.error.HTTPError as err:
        if err.code == 404:
            return None
        raise


def serve(port: int, state_dir: Path, data_plane: DataPlaneOptions | None = None) -> None:
    """Run the emulator (and its data plane) in the foreground until SIGTERM/SIGINT."""
    # moto's Lambda-backed custom resources would post back to this address.
    os.environ.setdefault("MOTO_PORT", str(port))
    server = InProcessServer(port).start()
    if data_plane is not None:
        from .dataplane import DataPlane

        plane = DataPlane(
            ACCOUNT_ID,
            edge_port=data_plane.edge_port,
            app_command=data_plane.app_command,
            endpoint=f"http://{HOST}:{server.port}",
        )
        RUNNING["data_plane"] = plane.start()
    info = EmulatorInfo(pid=os.getpid(), port=server.port)
    stopping = False

    def _stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    _write_state(state_dir, info)
    print(f"local AWS emulator listening on {server.endpoint} (pid {info.pid})", flush=True)
    try:
        while not stopping:
            time.sleep(0.2)
    finally:
        running = RUNNING.pop("data_plane", None)
        if running is not None:
            running.stop()
        server.stop()
        current = _read_state(state_dir)
        if current is not None and current.pid == info.pid:
            _state_file(state_dir).unlink(missing_ok=True)
