"""The request-path benchmark: requests per second and p50/p99 latency through
the local data plane, per path a request takes.

    python -m webstack_tools bench-requests [--requests N] [--concurrency C] [--reuse]

Cases (each ``N`` requests, ``C`` client threads with a keep-alive connection
each, after a short warm-up that is not counted):

* ``edge -> ALB -> target``: ``GET /api/health`` through the edge (the API
  behaviour caches nothing), the ALB's listener rules (the secret origin
  header) and a target process running the origin application;
* ``edge -> S3, cache hit``: a hashed asset the edge already holds;
* ``edge -> S3, cache miss``: ``N`` fresh pages written to the content bucket
  for the run (and deleted after it), each requested once: the edge asks the
  bucket through the OAC every time (policy evaluation, KMS, S3 read).

A request counts as an error when it fails, is not 200 or, for the static
cases, does not carry the ``X-Cache`` the case is about. Dev is deployed into
an emulator of the benchmark's own (stopped at the end), or, with
``--reuse``, the figures come from what ``make up`` runs. The table is
printed and written to ``reports/bench-requests.md`` (and ``.json``, with the
machine and its load average: the machine may be shared).
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import math
import os
import platform
import re
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from webstack_tools.project import emulator_state_dir, outputs_dir, project_root

REPORT = Path("reports") / "bench-requests.md"  # under the project root; .json beside it
WARMUP = 20
ENV = "dev"


@dataclass
class Case:
    """One kind of request: ``path(i)`` the i-th request's path, ``x_cache`` the one it must carry."""

    name: str
    path: Callable[[int], str]
    x_cache: str | None = None


@dataclass
class Result:
    name: str
    requests: int
    concurrency: int
    seconds: float
    latencies: list[float] = field(default_factory=list, repr=False)
    errors: int = 0
    first_error: str | None = None

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    def row(self) -> dict[str, Any]:
        return {
            "case": self.name,
            "requests": self.requests,
            "concurrency": self.concurrency,
            "errors": self.errors,
            "rps": round(self.rps, 1),
            "p50_ms": round(percentile(self.latencies, 50) * 1000, 2),
            "p99_ms": round(percentile(self.latencies, 99) * 1000, 2),
            "first_error": self.first_error,
        }


def percentile(samples: Sequence[float], pct: float) -> float:
    """The nearest-rank percentile (the smallest sample with ``pct`` % of the samples at or below it)."""
    if not samples:
        raise ValueError("percentile of no samples")
    ordered = sorted(samples)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


class _Client:
    """One keep-alive connection; reconnects when the server closed it."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.conn: http.client.HTTPConnection | None = None

    def get(self, path: str) -> tuple[int, str | None]:
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            try:
                self.conn.request("GET", path, headers={"Accept-Encoding": "identity"})
                answer = self.conn.getresponse()
                answer.read()
                if (answer.getheader("Connection") or "").lower() == "close":
                    self.close()
                return answer.status, answer.getheader("X-Cache")
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def load(base_url: str, case: Case, requests: int, concurrency: int, *, offset: int = 0) -> Result:
    """``requests`` GETs of ``case`` from ``concurrency`` threads; wall time from the first to the last."""
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    turns = itertools.count()
    lock = threading.Lock()
    result = Result(case.name, requests, concurrency, 0.0)

    def worker() -> None:
        client = _Client(host, port)
        try:
            while (i := next(turns)) < requests:
                started = time.perf_counter()
                try:
                    status, x_cache = client.get(case.path(offset + i))
                    problem = None if status == 200 else f"status {status}"
                    if problem is None and case.x_cache and x_cache != case.x_cache:
                        problem = f"X-Cache {x_cache!r}, not {case.x_cache!r}"
                except (OSError, http.client.HTTPException) as err:
                    problem = f"{type(err).__name__}: {err}"
                elapsed = time.perf_counter() - started
                with lock:
                    result.latencies.append(elapsed)
                    if problem:
                        result.errors += 1
                        result.first_error = result.first_error or f"{case.path(offset + i)}: {problem}"
        finally:
            client.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    return result


# --------------------------------------------------------------------------
# the deployment under load
# --------------------------------------------------------------------------
@dataclass
class Site:
    endpoint: str  # the emulator's API
    url: str  # the local edge of the distribution
    outputs: dict[str, str]


def _site(endpoint: str, outputs: dict[str, str]) -> Site:
    from webstack_emulator import dataplane_info

    described = dataplane_info(endpoint) or {}
    urls = [d["url"] for d in described.get("distributions", []) if d["id"] == outputs["CloudFrontDistributionId"]]
    if not urls:
        raise BenchError(f"the emulator at {endpoint} serves no local edge for {outputs['CloudFrontDistributionId']}")
    return Site(endpoint, str(urls[0]), outputs)


class BenchError(Exception):
    """What stops the benchmark (one line with the fix)."""


@contextmanager
def private_deployment(workdir: Path) -> Iterator[Site]:
    """Dev synthesized and deployed into an emulator of the benchmark's own, with the data plane."""
    from webstack_emulator import DataPlaneOptions, start, stop
    from webstack_tools.assembly import CloudAssembly
    from webstack_tools.cdk import synth
    from webstack_tools.deploy import DeployError, bootstrap, deploy, emulator_target
    from webstack_tools.project import app_command

    out = workdir / "cdk.out"
    say(f"synthesizing {ENV}")
    if synth(ENV, out) != 0:
        raise BenchError(f"synth of {ENV} failed (see above)")
    state = workdir / "emulator"
    say("starting a local emulator of the benchmark's own, with its data plane")
    info = start(state, data_plane=DataPlaneOptions(app_command=app_command()))
    try:
        target = emulator_target(info.endpoint)
        assembly = CloudAssembly.read(out)
        try:
            bootstrap(target, assembly)
            outputs = deploy(target, assembly, state / "cfn-outputs")
        except DeployError as err:
            raise BenchError(f"deploying {ENV}: {err}") from err
        yield _site(info.endpoint, outputs)
    finally:
        stop(state)
        say("emulator stopped")


def running_deployment() -> Site:
    """What ``make up`` left running: its emulator and ``cfn-outputs/flat-outputs.json``."""
    from webstack_emulator import status
    from webstack_tools.deploy import FLAT_OUTPUTS_FILE

    info = status(emulator_state_dir())
    flat = outputs_dir() / FLAT_OUTPUTS_FILE
    if info is None or not flat.is_file():
        raise BenchError("--reuse needs a running `make up` (no emulator or no cfn-outputs). Fix: run `make up` first")
    return _site(info.endpoint, json.loads(flat.read_text()))


def _get(url: str) -> tuple[int, bytes]:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()
    except OSError:
        return 0, b""


def wait_for_api(site: Site, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _get(site.url + "api/health")[0] == 200:
            return
        time.sleep(0.5)
    raise BenchError(f"{site.url}api/health did not answer 200 within {timeout:.0f} s (no healthy target)")


def hashed_asset(site: Site) -> str:
    status, page = _get(site.url)
    found = re.search(rb'/assets/[^"]+\.js', page)
    if status != 200 or not found:
        raise BenchError(f"{site.url} answers {status} and links no hashed script under /assets/")
    return found.group(0).decode()


@contextmanager
def fresh_pages(site: Site, count: int) -> Iterator[Callable[[int], str]]:
    """``count`` pages in the content bucket, written for this run and deleted after it."""
    import boto3

    from webstack_emulator import endpoint_env

    region = site.outputs["DataKeyArn"].split(":")[3]
    env = endpoint_env(site.endpoint, region)
    s3 = boto3.client(
        "s3",
        region_name=region,
        endpoint_url=site.endpoint,
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=env["AWS_SESSION_TOKEN"],
    )
    bucket, prefix = site.outputs["S3BucketName"], f"bench-{uuid.uuid4().hex[:8]}"
    body = b"<!doctype html><title>bench</title><p>" + b"x" * 2000 + b"</p>\n"
    keys = [f"{prefix}/{i}.html" for i in range(count)]
    say(f"writing {count} pages under s3://{bucket}/{prefix}/ for the cache-miss case")
    try:
        for key in keys:
            s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType="text/html")
        yield lambda i: f"/{keys[i]}"
    finally:
        for start in range(0, len(keys), 1000):
            s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys[start : start + 1000]]})


def run_cases(site: Site, requests: int, concurrency: int) -> list[Result]:
    wait_for_api(site)
    asset = hashed_asset(site)
    results = []
    cases = [
        Case("edge -> ALB -> target (GET /api/health)", lambda i: "/api/health", None),
        Case(f"edge -> S3, cache hit (GET {asset})", lambda i: asset, "Hit from cloudfront"),
    ]
    for case in cases:
        load(site.url, case, WARMUP, concurrency)
        results.append(load(site.url, case, requests, concurrency))
        say(_one_line(results[-1]))
    with fresh_pages(site, WARMUP + requests) as page:
        miss = Case("edge -> S3, cache miss (GET /bench-*/N.html, each once)", page, "Miss from cloudfront")
        load(site.url, miss, WARMUP, concurrency)
        results.append(load(site.url, miss, requests, concurrency, offset=WARMUP))
        say(_one_line(results[-1]))
    return results


# --------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------
COLUMNS = (("case", "case"), ("requests", "n"), ("concurrency", "conc."), ("errors", "errors"))
FIGURES = (("rps", "req/s"), ("p50_ms", "p50 ms"), ("p99_ms", "p99 ms"))


def format_table(rows: Sequence[dict[str, Any]]) -> str:
    heads = [h for _, h in COLUMNS + FIGURES]
    cells = [
        [str(r[k]) for k, _ in COLUMNS] + [f"{r[k]:.1f}" if k == "rps" else f"{r[k]:.2f}" for k, _ in FIGURES]
        for r in rows
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(heads)]
    right = [False] + [True] * (len(heads) - 1)

    def line(values: Sequence[str]) -> str:
        return (
            "| "
            + " | ".join(v.rjust(w) if r else v.ljust(w) for v, w, r in zip(values, widths, right, strict=True))
            + " |"
        )

    rule = (
        "|"
        + "|".join(("-" * (w + 1) + ":") if r else ("-" * (w + 2)) for w, r in zip(widths, right, strict=True))
        + "|"
    )
    return "\n".join([line(heads), rule, *(line(c) for c in cells)])


def machine_line(machine: dict[str, Any]) -> str:
    start, end = machine["loadavg_start"], machine["loadavg_end"]
    return (
        f"{machine['cpu_count']} CPUs, Python {machine['python']}, {machine['date']}, "
        f"load average {start[0]:.2f} at the start, {end[0]:.2f} at the end (1-minute; the machine may be shared)"
    )


def write_report(path: Path, rows: list[dict[str, Any]], machine: dict[str, Any], source: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = f"# Request-path benchmark ({source})\n\n{format_table(rows)}\n\n{machine_line(machine)}\n"
    path.write_text(text)
    doc = {"schema_version": 1, "source": source, "machine": machine, "cases": rows}
    path.with_suffix(".json").write_text(json.dumps(doc, indent=2) + "\n")


def _one_line(result: Result) -> str:
    row = result.row()
    return f"{row['case']}: {row['rps']} req/s, p50 {row['p50_ms']} ms, p99 {row['p99_ms']} ms, {row['errors']} errors"


def say(message: str) -> None:
    print(f"bench-requests: {message}", file=sys.stderr, flush=True)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m webstack_tools bench-requests", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--requests", type=int, default=2000, help="requests per case (default 2000)")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads (default 8)")
    parser.add_argument("--reuse", action="store_true", help="measure what `make up` runs instead of a private deploy")
    parser.add_argument("--out", type=Path, default=None, help=f"report (default {REPORT}; .json beside it)")
    args = parser.parse_args(argv)
    if args.requests < 1 or args.concurrency < 1:
        parser.error("--requests and --concurrency must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    out: Path = args.out or project_root() / REPORT
    machine: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "loadavg_start": list(os.getloadavg()),
        "loadavg_end": None,
    }
    try:
        if args.reuse:
            source = "the running `make up` emulator"
            results = run_cases(running_deployment(), args.requests, args.concurrency)
        else:
            source = f"{ENV} in a private emulator"
            with (
                tempfile.TemporaryDirectory(prefix="webstack-bench-requests.") as tmp,
                private_deployment(Path(tmp)) as site,
            ):
                results = run_cases(site, args.requests, args.concurrency)
    except BenchError as err:
        print(f"webstack_tools bench-requests: {err}", file=sys.stderr)
        return 1
    machine["loadavg_end"] = list(os.getloadavg())
    rows = [r.row() for r in results]
    write_report(out, rows, machine, source)
    print(format_table(rows))
    print(f"\n{machine_line(machine)}; report in {out}")
    failed = [r for r in results if r.errors]
    for result in failed:
        print(
            f"webstack_tools bench-requests: {result.name}: {result.errors} errors, first: {result.first_error}",
            file=sys.stderr,
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
