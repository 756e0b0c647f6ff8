"""Benchmark harness: how long synth, the test suites and a local deploy take here.

    python -m webstack_tools.bench                 # 5 synth samples, suites and deploys once
    python -m webstack_tools.bench --runs 3        # 3 synth samples
    python -m webstack_tools.bench --quick         # 1 sample each, no suites (a smoke run)

Every number is the median of its samples, measured in this one run on this
machine, so the ratios compare like with like:

* ``synth.empty`` -- ``python empty_app.py`` with ``App(); Stack(app, "Empty");
  app.synth()``: the jsii start-up floor every synth pays.
* ``synth.<env>`` -- ``python app.py`` for one environment, exactly what the
  CDK CLI runs (``app.py`` attaches every rule pack: AwsSolutions, NIST 800-53
  r5, webstack pitfalls), so ``synth.prod`` is the full prod set with all
  packs on; ``synth.prod_nopacks`` is the same app without the packs.
* ``suite.unit`` / ``suite.integration`` / ``suite.compliance`` -- wall time
  of ``pytest tests --ignore=tests/integration``, ``pytest tests/integration`` (against
  an emulator of its own) and the compliance gate (``make check`` without the
  report files); their sum is the proxy for ``make test``.
* ``deploy.<env>`` -- ``cdk bootstrap`` + ``cdk deploy --all`` of one
  environment into a freshly reset local emulator of the bench's own (own
  state dir and port; stopped at the end).

Targets live here and in the printed table only; the tests never assert on
time. Results go to ``bench/results.json`` (gitignored).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from webstack_tools.cli import ROOT, tool_env

ENVS = ("dev", "staging", "prod")
RESULTS = ROOT / "bench" / "results.json"
SCHEMA_VERSION = 1

EMPTY_APP = """\
from aws_cdk import App, Stack

app = App()
Stack(app, "Empty")
app.synth()
"""

# app.py minus the Validations line: the same stacks, no rule packs.
NOPACKS_APP = """\
from aws_cdk import App

from pathlib import Path

from webstack.app import build_app, cdk_json_context

app = App(context=cdk_json_context(Path("cdk.json")))
build_app(app)
app.synth()
"""

# The compliance gate (`make check`) without writing reports/: same work.
COMPLIANCE = "import sys; from webstack_tools.compliance import ENVIRONMENTS, run; sys.exit(run(list(ENVIRONMENTS), write=False))"

FLOOR = "synth.empty"
MAKE_TEST_PROXY = "suite.make_test_proxy"
MAKE_TEST_PARTS = ("suite.unit", "suite.integration", "suite.compliance")

LABELS: dict[str, str] = {
    "synth.empty": "synth: empty app (jsii floor)",
    "synth.dev": "synth: dev (all rule packs)",
    "synth.staging": "synth: staging (all rule packs)",
    "synth.prod": "synth: prod (all rule packs)",
    "synth.prod_nopacks": "synth: prod without rule packs",
    "suite.unit": "unit suites (every layer but integration)",
    "suite.integration": "integration suite",
    "suite.compliance": "compliance gate (make check)",
    MAKE_TEST_PROXY: "make test (proxy: unit + integration + gate)",
    "deploy.dev": "local deploy: dev (bootstrap + deploy)",
    "deploy.staging": "local deploy: staging (bootstrap + deploy)",
    "deploy.prod": "local deploy: prod (bootstrap + deploy)",
}
ORDER = list(LABELS)


@dataclass(frozen=True)
class Target:
    """A speed target: ``value <= limit`` (or ``<`` when strict).

    ``on="ratio"`` compares the ratio to the empty-app floor, ``"seconds"``
    the median itself."""

    limit: float
    on: str = "seconds"
    strict: bool = False

    def describe(self) -> str:
        op = "<" if self.strict else "<="
        if self.on == "ratio":
            return f"{op} {self.limit:g}x floor"
        return f"{op} {self.limit:g} s"

    def met(self, seconds: float | None, ratio: float | None) -> bool | None:
        value = ratio if self.on == "ratio" else seconds
        if value is None:
            return None
        return value < self.limit if self.strict else value <= self.limit


TARGETS: dict[str, Target] = {
    "synth.prod": Target(2.5, on="ratio"),
    "suite.unit": Target(90, strict=True),
    MAKE_TEST_PROXY: Target(360, strict=True),
    "deploy.dev": Target(60, strict=True),
}


# --------------------------------------------------------------------------
# pure parts
# --------------------------------------------------------------------------
def median(samples: Sequence[float]) -> float:
    if not samples:
        raise ValueError("median of no samples")
    return float(statistics.median(samples))


def ratio(seconds: float | None, floor: float | None) -> float | None:
    """``seconds / floor``; None when either is unknown or the floor is not positive."""
    if seconds is None or floor is None or floor <= 0:
        return None
    return seconds / floor


@dataclass
class Row:
    key: str
    median: float | None
    ratio: float | None
    target: str
    met: bool | None  # None: no target, or nothing measured
    samples: list[float]
    error: str | None = None
    cpu_samples: list[float] = field(default_factory=list)
    cpu_ratio: float | None = None
    note: str | None = None

    @property
    def cpu_median(self) -> float | None:
        return median(self.cpu_samples) if self.cpu_samples else None

    @property
    def label(self) -> str:
        return LABELS.get(self.key, self.key)


def summarize(
    samples: dict[str, list[float]],
    errors: dict[str, str] | None = None,
    cpu: dict[str, list[float]] | None = None,
    notes: dict[str, str] | None = None,
) -> list[Row]:
    """Medians, ratios to the floor (synths only), the derived ``make test``
    proxy and target verdicts, in table order. ``cpu``: CPU seconds per
    sample where known (not for deploys, whose work is split with the emulator)."""
    errors = dict(errors or {})
    cpu = dict(cpu or {})
    cpu_medians = {k: median(v) for k, v in cpu.items() if v}
    notes = dict(notes or {})
    if MAKE_TEST_PROXY not in notes and any(p in notes for p in MAKE_TEST_PARTS):
        notes[MAKE_TEST_PROXY] = "a part ran with failures"
    medians = {k: median(v) for k, v in samples.items() if v}
    derived: dict[str, list[float]] = {}
    if all(p in medians for p in MAKE_TEST_PARTS):
        medians[MAKE_TEST_PROXY] = sum(medians[p] for p in MAKE_TEST_PARTS)
        derived[MAKE_TEST_PROXY] = []
    floor = medians.get(FLOOR)
    keys = [k for k in ORDER if k in medians or k in errors or k in samples]
    keys += sorted(k for k in {*samples, *errors} if k not in ORDER)
    rows = []
    for key in keys:
        m = medians.get(key)
        r = ratio(m, floor) if key.startswith("synth.") else None
        target = TARGETS.get(key)
        rows.append(
            Row(
                key=key,
                median=m,
                ratio=r,
                target=target.describe() if target else "",
                met=target.met(m, r) if target else None,
                samples=list(samples.get(key, derived.get(key, []))),
                error=errors.get(key),
                cpu_samples=list(cpu.get(key, [])),
                cpu_ratio=ratio(cpu_medians.get(key), cpu_medians.get(FLOOR)) if key.startswith("synth.") else None,
                note=notes.get(key) if key in medians else None,
            )
        )
    return rows


def _verdict(row: Row) -> str:
    if row.error:
        return "FAILED"
    if not row.target:
        return ""
    if row.met is None:
        return "not measured"
    return ("yes" if row.met else "NO") + ("*" if row.note else "")


def format_table(rows: Sequence[Row]) -> str:
    """A Markdown table (prints well and pastes into bench/README.md)."""
    header = ["measurement", "median s", "x floor", "cpu s", "n", "target", "met"]
    body = []
    for row in rows:
        body.append(
            [
                row.label,
                "-" if row.median is None else f"{row.median:.2f}",
                "-" if row.ratio is None else f"{row.ratio:.2f}",
                "-" if row.cpu_median is None else f"{row.cpu_median:.2f}",
                str(len(row.samples)) if row.samples else ("sum" if row.key == MAKE_TEST_PROXY else "0"),
                row.target or "-",
                _verdict(row) or "-",
            ]
        )
    widths = [max(len(h), *(len(r[i]) for r in body)) if body else len(h) for i, h in enumerate(header)]
    right = {1, 2, 3, 4}

    def line(cells: Sequence[str]) -> str:
        out = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))]
        return "| " + " | ".join(out) + " |"

    sep = "|" + "|".join(("-" * (w + 1) + ":") if i in right else ("-" * (w + 2)) for i, w in enumerate(widths)) + "|"
    notes = [f"{'*' if row.target else '-'} {row.label}: {row.note}" for row in rows if row.note]
    return "\n".join([line(header), sep, *(line(r) for r in body), *([""] + notes if notes else [])])


def results_document(rows: Sequence[Row], machine: dict[str, Any], runs: dict[str, int]) -> dict[str, Any]:
    return {
        "schema": SCHEMA_VERSION,
        "machine": machine,
        "runs": dict(runs),
        "measurements": {
            row.key: {
                "label": row.label,
                "samples": [round(s, 3) for s in row.samples],
                "median": None if row.median is None else round(row.median, 3),
                "min": round(min(row.samples), 3) if row.samples else None,
                "cpu_samples": [round(s, 3) for s in row.cpu_samples],
                "cpu_median": None if row.cpu_median is None else round(row.cpu_median, 3),
                "cpu_ratio_to_floor": None if row.cpu_ratio is None else round(row.cpu_ratio, 3),
                "ratio_to_floor": None if row.ratio is None else round(row.ratio, 3),
                "target": row.target or None,
                "met": row.met,
                "error": row.error,
                "note": row.note,
            }
            for row in rows
        },
    }


MACHINE_KEYS = (
    "date",
    "platform",
    "cpu_count",
    "python",
    "node",
    "aws_cdk_lib",
    "jsii",
    "cdk_nag",
    "git_commit",
    "loadavg_start",
    "loadavg_end",
)
MEASUREMENT_KEYS = (
    "label",
    "samples",
    "median",
    "min",
    "cpu_samples",
    "cpu_median",
    "cpu_ratio_to_floor",
    "ratio_to_floor",
    "target",
    "met",
    "error",
    "note",
)


def validate_results(doc: dict[str, Any]) -> list[str]:
    """Problems with a results document (empty list: it fits the schema)."""
    problems = []
    if doc.get("schema") != SCHEMA_VERSION:
        problems.append(f"schema: expected {SCHEMA_VERSION}, got {doc.get('schema')!r}")
    machine = doc.get("machine")
    if not isinstance(machine, dict):
        problems.append("machine: missing")
    else:
        problems += [f"machine.{k}: missing" for k in MACHINE_KEYS if k not in machine]
    if not isinstance(doc.get("runs"), dict):
        problems.append("runs: missing")
    measurements = doc.get("measurements")
    if not isinstance(measurements, dict):
        return problems + ["measurements: missing"]
    for key, m in measurements.items():
        missing = [k for k in MEASUREMENT_KEYS if k not in m]
        if missing:
            problems.append(f"measurements.{key}: missing {', '.join(missing)}")
            continue
        if not all(isinstance(s, (int, float)) for s in m["samples"]):
            problems.append(f"measurements.{key}.samples: not numbers")
        if m["samples"] and m["median"] != round(median(m["samples"]), 3):
            problems.append(f"measurements.{key}.median: not the median of its samples")
        if m["median"] is None and m["error"] is None:
            problems.append(f"measurements.{key}: neither a median nor an error")
    return problems


# --------------------------------------------------------------------------
# measuring
# --------------------------------------------------------------------------
class MeasurementError(RuntimeError):
    pass


class RanWithFailures(Exception):
    """The command ran to the end but reported failures (pytest exit 1):
    its time still counts, with a note."""

    def __init__(self, seconds: float, cpu: float, returncode: int, output: str) -> None:
        super().__init__(f"exit {returncode}")
        self.seconds, self.cpu, self.returncode = seconds, cpu, returncode
        summary = [
            line.strip("= ") for line in output.splitlines() if re.search(r"\d+ (failed|passed|errors?)\b", line)
        ]
        self.note = f"exit {returncode}" + (f": {summary[-1]}" if summary else "")


def _tail(text: str | None, n: int = 1500) -> str:
    return (text or "")[-n:]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_run(
    cmd: Sequence[str],
    *,
    cwd: Path,
    env: dict[str, str],
    log: Path | None = None,
    timeout: float | None = None,
    ok: Sequence[int] = (0,),
) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the command and the children it waited
    for) of one command; raises MeasurementError if it fails.

    CPU time barely moves when other work competes for the cores, wall time
    does: the pair tells a slow machine from a slow program."""
    cpu_before = _children_cpu()
    started = time.perf_counter()
    if log is None:
        result = subprocess.run(list(cmd), cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
        output = (result.stdout or "") + (result.stderr or "")
    else:
        with open(log, "w") as fh:
            result = subprocess.run(list(cmd), cwd=cwd, env=env, stdout=fh, stderr=subprocess.STDOUT, timeout=timeout)
        output = log.read_text(errors="replace")
    seconds = time.perf_counter() - started
    cpu = _children_cpu() - cpu_before
    if result.returncode not in ok:
        raise MeasurementError(f"{' '.join(cmd)} exited {result.returncode}:\n{_tail(output)}")
    if result.returncode != 0:
        raise RanWithFailures(seconds, cpu, result.returncode, output)
    return seconds, cpu


def synth_env(outdir: Path, context: dict[str, Any] | None = None) -> dict[str, str]:
    env = tool_env()
    env["CDK_OUTDIR"] = str(outdir)
    env.pop("CDK_CONTEXT_JSON", None)
    if context is not None:
        env["CDK_CONTEXT_JSON"] = json.dumps(context)
    return env


def measure_empty_floor(workdir: Path, python: str = sys.executable) -> float:
    """One synth of an empty CDK app, run as ``python empty_app.py``."""
    script = workdir / "empty_app.py"
    script.write_text(EMPTY_APP)
    out = Path(tempfile.mkdtemp(prefix="out-empty.", dir=workdir))
    try:
        return timed_run([python, str(script)], cwd=workdir, env=synth_env(out))[0]
    finally:
        shutil.rmtree(out, ignore_errors=True)


def synth_commands(
    workdir: Path, python: str = sys.executable
) -> dict[str, tuple[list[str], Path, dict[str, Any] | None]]:
    """key -> (command, cwd, CDK_CONTEXT_JSON) of every synth measurement."""
    (workdir / "empty_app.py").write_text(EMPTY_APP)
    (workdir / "prod_nopacks_app.py").write_text(NOPACKS_APP)
    cmds: dict[str, tuple[list[str], Path, dict[str, Any] | None]] = {
        "synth.empty": ([python, str(workdir / "empty_app.py")], workdir, None),
    }
    for env in ENVS:
        cmds[f"synth.{env}"] = ([python, "app.py"], ROOT, {"env": env})
    cmds["synth.prod_nopacks"] = ([python, str(workdir / "prod_nopacks_app.py")], ROOT, {"env": "prod"})
    return cmds


def measure_synths(
    workdir: Path, runs: int, samples: dict[str, list[float]], errors: dict[str, str], cpu: dict[str, list[float]]
) -> None:
    """Interleaved: run i of every synth before run i+1 of any, so drift in
    machine load spreads over all measurements instead of biasing one."""
    cmds = synth_commands(workdir)
    for i in range(runs):
        for key, (cmd, cwd, context) in cmds.items():
            if key in errors:
                continue
            out = Path(tempfile.mkdtemp(prefix=f"out-{key}.", dir=workdir))
            try:
                seconds, cpu_seconds = timed_run(cmd, cwd=cwd, env=synth_env(out, context))
                samples.setdefault(key, []).append(seconds)
                cpu.setdefault(key, []).append(cpu_seconds)
                say(f"{key:<20} run {i + 1}/{runs}: {seconds:6.2f} s (cpu {cpu_seconds:.2f} s)")
            except MeasurementError as err:
                errors[key] = str(err)
                say(f"{key:<20} FAILED: {_tail(str(err), 300)}")
            finally:
                shutil.rmtree(out, ignore_errors=True)


def measure_suites(
    workdir: Path,
    runs: int,
    samples: dict[str, list[float]],
    errors: dict[str, str],
    cpu: dict[str, list[float]],
    notes: dict[str, str],
) -> None:
    py = sys.executable
    env = tool_env()
    # The integration suite gets an emulator (and outputs) of its own, which it
    # starts and stops itself: a cold run, like `make test` on a fresh machine.
    integ_env = {**env, "WEBSTACK_LOCAL_STATE_DIR": str(workdir / "integration-state")}
    suites = {
        "suite.unit": (
            [py, "-m", "pytest", "tests", "--ignore=tests/integration", "-q", "-p", "no:cacheprovider"],
            env,
        ),
        "suite.integration": ([py, "-m", "pytest", "tests/integration", "-q", "-p", "no:cacheprovider"], integ_env),
        "suite.compliance": ([py, "-c", COMPLIANCE], env),
    }
    for i in range(runs):
        for key, (cmd, run_env) in suites.items():
            if key in errors:
                continue
            log = workdir / f"{key}.log"
            try:
                try:
                    # pytest exit 1 = some tests failed: the suite ran, its time counts (with a note).
                    seconds, cpu_seconds = timed_run(cmd, cwd=ROOT, env=run_env, log=log, ok=(0, 1))
                except RanWithFailures as ran:
                    seconds, cpu_seconds = ran.seconds, ran.cpu
                    notes[key] = ran.note
                    say(f"{key:<20} ran with failures ({ran.note}); timed anyway")
                samples.setdefault(key, []).append(seconds)
                cpu.setdefault(key, []).append(cpu_seconds)
                say(f"{key:<20} run {i + 1}/{runs}: {seconds:6.1f} s (cpu {cpu_seconds:.1f} s)")
            except MeasurementError as err:
                errors[key] = str(err)
                say(f"{key:<20} FAILED: {_tail(str(err), 600)}")


@contextlib.contextmanager
def output_to(path: Path) -> Iterator[None]:
    """Send this process's fds 1 and 2 (and so the CDK CLI's output) to a file."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = {fd: os.dup(fd) for fd in (1, 2)}
    with open(path, "ab") as fh:
        for fd in saved:
            os.dup2(fh.fileno(), fd)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            for fd, copy in saved.items():
                os.dup2(copy, fd)
                os.close(copy)


def measure_deploys(workdir: Path, runs: int, samples: dict[str, list[float]], errors: dict[str, str]) -> None:
    """bootstrap + deploy of each environment into a freshly reset emulator of our own."""
    import webstack_tools.deploy as deploy_module
    from webstack_emulator import ACCOUNT_ID, endpoint_env, reset, start, stop
    from webstack_tools.cli import load_assembly, synth

    state = workdir / "emulator"
    # deploy() writes its outputs to these module globals: keep ours out of the repo's cfn-outputs/.
    deploy_module.OUTPUTS_DIR = state / "cfn-outputs"
    deploy_module.FLAT_OUTPUTS = deploy_module.OUTPUTS_DIR / "flat-outputs.json"
    log = workdir / "deploy.log"
    assemblies = {}
    for env in ENVS:
        out = workdir / f"cdk.out.{env}"
        with output_to(log):
            rc = synth(env, out)
        if rc != 0:
            errors[f"deploy.{env}"] = f"synth of {env} failed (exit {rc}):\n{_tail(log.read_text(errors='replace'))}"
            continue
        assemblies[env] = (out, load_assembly(out))
    if not assemblies:
        return
    say("starting a local emulator of the bench's own")
    info = start(state_dir=state)
    try:
        target = deploy_module.Target(
            endpoint=info.endpoint, account=ACCOUNT_ID, env={**tool_env(), **endpoint_env(info.endpoint)}
        )
        for i in range(runs):
            for env, (out, stacks) in assemblies.items():
                key = f"deploy.{env}"
                if key in errors:
                    continue
                reset(info.endpoint)
                regions = sorted({s["region"] for s in stacks})
                started = time.perf_counter()
                try:
                    with output_to(log):
                        deploy_module.bootstrap(target, regions)
                        bootstrapped = time.perf_counter()
                        deploy_module.deploy(target, out, stacks)
                except deploy_module.DeployError as err:
                    errors[key] = f"{err}\n--- CDK output (tail) ---\n{_tail(log.read_text(errors='replace'))}"
                    say(f"{key:<20} FAILED: {_tail(str(err), 600)}")
                    continue
                seconds = time.perf_counter() - started
                samples.setdefault(key, []).append(seconds)
                say(
                    f"{key:<20} run {i + 1}/{runs}: {seconds:6.1f} s "
                    f"(bootstrap {bootstrapped - started:.1f} s, deploy {seconds - (bootstrapped - started):.1f} s)"
                )
    finally:
        stop(state_dir=state)
        say("emulator stopped")


# --------------------------------------------------------------------------
# machine facts
# --------------------------------------------------------------------------
def _version(cmd: Sequence[str]) -> str | None:
    try:
        return subprocess.run(list(cmd), capture_output=True, text=True, timeout=30, cwd=ROOT).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def _dist_version(name: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


def machine_facts() -> dict[str, Any]:
    return {
        "date": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "node": _version(["node", "--version"]),
        "aws_cdk_lib": _dist_version("aws-cdk-lib"),
        "jsii": _dist_version("jsii"),
        "cdk_nag": _dist_version("cdk-nag"),
        "git_commit": _version(["git", "rev-parse", "--short", "HEAD"]),
        "loadavg_start": list(os.getloadavg()),
        "loadavg_end": None,
    }


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m webstack_tools.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="samples per synth measurement (default 5)")
    parser.add_argument("--slow-runs", type=int, default=1, help="samples per suite and deploy (default 1)")
    parser.add_argument("--quick", action="store_true", help="1 sample each and no test suites")
    parser.add_argument("--no-suites", action="store_true", help="skip the test suites")
    parser.add_argument("--no-deploys", action="store_true", help="skip the local deploys")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"results file (default {RESULTS.relative_to(ROOT)})")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.slow_runs < 1:
        parser.error("--runs and --slow-runs must be at least 1")
    runs = {"synth": 1 if args.quick else args.runs, "suite": 0 if (args.quick or args.no_suites) else args.slow_runs}
    runs["deploy"] = 0 if args.no_deploys else (1 if args.quick else args.slow_runs)

    machine = machine_facts()
    samples: dict[str, list[float]] = {}
    errors: dict[str, str] = {}
    cpu: dict[str, list[float]] = {}
    notes: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="webstack-bench.") as tmp:
        work = Path(tmp)
        measure_synths(work, runs["synth"], samples, errors, cpu)
        if runs["suite"]:
            measure_suites(work, runs["suite"], samples, errors, cpu, notes)
        if runs["deploy"]:
            measure_deploys(work, runs["deploy"], samples, errors)
    machine["loadavg_end"] = list(os.getloadavg())

    rows = summarize(samples, errors, cpu, notes)
    doc = results_document(rows, machine, runs)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=2) + "\n")
    print(format_table(rows))
    if any(r.key == MAKE_TEST_PROXY for r in rows):
        print(
            "\n`make test` is estimated as unit + integration suite + compliance gate, each timed once (a proxy, not `make test` itself)."
        )
    print(
        f"\n{machine['cpu_count']} CPUs, Python {machine['python']}, Node {machine['node']}, "
        f"load average {machine['loadavg_start'][0]:.2f} -> {machine['loadavg_end'][0]:.2f}; results in {args.out}"
    )
    for key, err in errors.items():
        print(f"\nwebstack_tools.bench: {key} failed:\n{_tail(err, 800)}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
