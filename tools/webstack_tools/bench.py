"""Benchmark harness: how long synth, the test suites and a local deploy take here.

    python -m webstack_tools bench                 # 5 synth samples, suites and deploys once
    python -m webstack_tools bench --runs 3        # 3 synth samples
    python -m webstack_tools bench --quick         # 1 sample each, no suites (a smoke run)

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
* ``up.dev`` / ``up.dev_gated`` -- ``python -m webstack_tools up --env dev``
  from nothing (a new emulator each sample, stopped after it): synthesis
  side by side with the emulator's start and bootstrap, deploy, verification;
  ``_gated`` adds the compliance gate alongside, which is what ``make up`` runs.

Timing goals (the table's "target" column) live here and in the printed
table only; the tests never assert on time. Results go to
``bench/results.json`` (gitignored).
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

from webstack_tools import local_pager
from webstack_tools.assembly import CloudAssembly
from webstack_tools.cdk import cdk_cli_env, synth
from webstack_tools.project import project_root

ENVS = ("dev", "staging", "prod")
RESULTS = Path("bench") / "results.json"  # under the project root
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
COMPLIANCE = "import sys; from webstack_tools.compliance import ENVIRONMENTS, run; sys.exit(run(list(ENVIRONMENTS)))"

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
    "up.dev": "up dev, fresh emulator (no gate)",
    "up.dev_gated": "make up dev, fresh emulator (gate alongside)",
}
ORDER = list(LABELS)


@dataclass(frozen=True)
class TimingGoal:
    """How fast a measurement should be: ``value <= limit`` (or ``<`` when strict).

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


GOALS: dict[str, TimingGoal] = {
    "synth.prod": TimingGoal(2.5, on="ratio"),
    "suite.unit": TimingGoal(90, strict=True),
    MAKE_TEST_PROXY: TimingGoal(360, strict=True),
    "deploy.dev": TimingGoal(60, strict=True),
    "up.dev_gated": TimingGoal(12, strict=True),
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
    goal: str  # the timing goal, described ("<= 2.5x floor"); "" when there is none
    met: bool | None  # None: no goal, or nothing measured
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


def _notes_with_proxy(notes: dict[str, str] | None) -> dict[str, str]:
    """The notes, plus one on the ``make test`` proxy when a part of it ran with failures."""
    notes = dict(notes or {})
    if MAKE_TEST_PROXY not in notes and any(p in notes for p in MAKE_TEST_PARTS):
        notes[MAKE_TEST_PROXY] = "a part ran with failures"
    return notes


def _medians_with_proxy(samples: dict[str, list[float]]) -> dict[str, float]:
    """Median of every measured key, plus the ``make test`` proxy (the sum of its parts) when all were measured."""
    medians = {k: median(v) for k, v in samples.items() if v}
    if all(p in medians for p in MAKE_TEST_PARTS):
        medians[MAKE_TEST_PROXY] = sum(medians[p] for p in MAKE_TEST_PARTS)
    return medians


def _row_keys(medians: dict[str, float], samples: dict[str, list[float]], errors: dict[str, str]) -> list[str]:
    """Table order first, then any other key alphabetically."""
    keys = [k for k in ORDER if k in medians or k in errors or k in samples]
    return keys + sorted(k for k in {*samples, *errors} if k not in ORDER)


def summarize(
    samples: dict[str, list[float]],
    errors: dict[str, str] | None = None,
    cpu: dict[str, list[float]] | None = None,
    notes: dict[str, str] | None = None,
) -> list[Row]:
    """Medians, ratios to the floor (synths only), the derived ``make test``
    proxy and goal verdicts, in table order. ``cpu``: CPU seconds per
    sample where known (not for deploys, whose work is split with the emulator)."""
    errors = dict(errors or {})
    cpu = dict(cpu or {})
    cpu_medians = {k: median(v) for k, v in cpu.items() if v}
    notes = _notes_with_proxy(notes)
    medians = _medians_with_proxy(samples)
    floor = medians.get(FLOOR)
    rows = []
    for key in _row_keys(medians, samples, errors):
        m = medians.get(key)
        synth = key.startswith("synth.")
        r = ratio(m, floor) if synth else None
        goal = GOALS.get(key)
        rows.append(
            Row(
                key=key,
                median=m,
                ratio=r,
                goal=goal.describe() if goal else "",
                met=goal.met(m, r) if goal else None,
                samples=list(samples.get(key, [])),
                error=errors.get(key),
                cpu_samples=list(cpu.get(key, [])),
                cpu_ratio=ratio(cpu_medians.get(key), cpu_medians.get(FLOOR)) if synth else None,
                note=notes.get(key) if key in medians else None,
            )
        )
    return rows


def _verdict(row: Row) -> str:
    if row.error:
        return "FAILED"
    if not row.goal:
        return ""
    if row.met is None:
        return "not measured"
    return ("yes" if row.met else "NO") + ("*" if row.note else "")


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _cells(row: Row) -> list[str]:
    """One table line's cells, in the header's order."""
    count = str(len(row.samples)) if row.samples else ("sum" if row.key == MAKE_TEST_PROXY else "0")
    return [
        row.label,
        _seconds(row.median),
        _seconds(row.ratio),
        _seconds(row.cpu_median),
        count,
        row.goal or "-",
        _verdict(row) or "-",
    ]


def format_table(rows: Sequence[Row]) -> str:
    """A Markdown table (prints well and pastes into bench/README.md)."""
    header = ["measurement", "median s", "x floor", "cpu s", "n", "target", "met"]
    body = [_cells(row) for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in body)) if body else len(h) for i, h in enumerate(header)]
    right = {1, 2, 3, 4}

    def line(cells: Sequence[str]) -> str:
        out = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))]
        return "| " + " | ".join(out) + " |"

    sep = "|" + "|".join(("-" * (w + 1) + ":") if i in right else ("-" * (w + 2)) for i, w in enumerate(widths)) + "|"
    notes = [f"{'*' if row.goal else '-'} {row.label}: {row.note}" for row in rows if row.note]
    return "\n".join([line(header), sep, *(line(r) for r in body), *(["", *notes] if notes else [])])


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def results_document(rows: Sequence[Row], machine: dict[str, Any], runs: dict[str, int]) -> dict[str, Any]:
    """``bench/results.json``; a measurement's ``target`` is its timing goal, described."""
    return {
        "schema": SCHEMA_VERSION,
        "machine": machine,
        "runs": dict(runs),
        "measurements": {
            row.key: {
                "label": row.label,
                "samples": [round(s, 3) for s in row.samples],
                "median": _rounded(row.median),
                "min": _rounded(min(row.samples)) if row.samples else None,
                "cpu_samples": [round(s, 3) for s in row.cpu_samples],
                "cpu_median": _rounded(row.cpu_median),
                "cpu_ratio_to_floor": _rounded(row.cpu_ratio),
                "ratio_to_floor": _rounded(row.ratio),
                "target": row.goal or None,
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


def _measurement_problems(key: str, m: dict[str, Any]) -> list[str]:
    missing = [k for k in MEASUREMENT_KEYS if k not in m]
    if missing:
        return [f"measurements.{key}: missing {', '.join(missing)}"]
    problems = []
    if not all(isinstance(s, (int, float)) for s in m["samples"]):
        problems.append(f"measurements.{key}.samples: not numbers")
    if m["samples"] and m["median"] != round(median(m["samples"]), 3):
        problems.append(f"measurements.{key}.median: not the median of its samples")
    if m["median"] is None and m["error"] is None:
        problems.append(f"measurements.{key}: neither a median nor an error")
    return problems


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
        return [*problems, "measurements: missing"]
    for key, m in measurements.items():
        problems += _measurement_problems(key, m)
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
    returncode, output = _run_for_output(cmd, cwd=cwd, env=env, log=log, timeout=timeout)
    seconds = time.perf_counter() - started
    cpu = _children_cpu() - cpu_before
    if returncode not in ok:
        raise MeasurementError(f"{' '.join(cmd)} exited {returncode}:\n{_tail(output)}")
    if returncode != 0:
        raise RanWithFailures(seconds, cpu, returncode, output)
    return seconds, cpu


def _run_for_output(
    cmd: Sequence[str], *, cwd: Path, env: dict[str, str], log: Path | None, timeout: float | None
) -> tuple[int, str]:
    """(exit code, stdout + stderr) of one command; the output goes through ``log`` when given."""
    if log is None:
        result = subprocess.run(
            list(cmd), check=False, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
        )
        return result.returncode, (result.stdout or "") + (result.stderr or "")
    with open(log, "w") as fh:
        logged = subprocess.run(
            list(cmd), check=False, cwd=cwd, env=env, stdout=fh, stderr=subprocess.STDOUT, timeout=timeout
        )
    return logged.returncode, log.read_text(errors="replace")


def synth_env(outdir: Path, context: dict[str, Any] | None = None) -> dict[str, str]:
    env = cdk_cli_env()
    env["CDK_OUTDIR"] = str(outdir)
    env.pop("CDK_CONTEXT_JSON", None)
    if context is not None:
        env["CDK_CONTEXT_JSON"] = json.dumps(context)
    return env


@dataclass
class Measurements:
    """What one bench run collected, by measurement key."""

    samples: dict[str, list[float]] = field(default_factory=dict)  # wall seconds
    cpu: dict[str, list[float]] = field(default_factory=dict)  # CPU seconds, where known
    errors: dict[str, str] = field(default_factory=dict)  # a failed measurement stops being sampled
    notes: dict[str, str] = field(default_factory=dict)

    def add(self, key: str, seconds: float, cpu_seconds: float | None = None) -> None:
        self.samples.setdefault(key, []).append(seconds)
        if cpu_seconds is not None:
            self.cpu.setdefault(key, []).append(cpu_seconds)


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
    workdir: Path, root: Path, python: str = sys.executable
) -> dict[str, tuple[list[str], Path, dict[str, Any] | None]]:
    """key -> (command, cwd, CDK_CONTEXT_JSON) of every synth measurement (apps of the project at ``root``)."""
    (workdir / "empty_app.py").write_text(EMPTY_APP)
    (workdir / "prod_nopacks_app.py").write_text(NOPACKS_APP)
    cmds: dict[str, tuple[list[str], Path, dict[str, Any] | None]] = {
        "synth.empty": ([python, str(workdir / "empty_app.py")], workdir, None),
    }
    for env in ENVS:
        cmds[f"synth.{env}"] = ([python, "app.py"], root, _synth_context(env))
    cmds["synth.prod_nopacks"] = ([python, str(workdir / "prod_nopacks_app.py")], root, _synth_context("prod"))
    return cmds


def _synth_context(env: str) -> dict[str, Any]:
    """``env``, plus the local pager where the environment would page no one (a protected one
    refuses that configuration), as the gate and the tests synthesize it."""
    context: dict[str, Any] = {"env": env}
    overrides = local_pager.completed(env, None)
    if overrides:
        context["config"] = overrides
    return context


def measure_synths(workdir: Path, root: Path, runs: int, m: Measurements) -> None:
    """Interleaved: run i of every synth before run i+1 of any, so drift in
    machine load spreads over all measurements instead of biasing one."""
    cmds = synth_commands(workdir, root)
    for i in range(runs):
        for key, (cmd, cwd, context) in cmds.items():
            if key in m.errors:
                continue
            out = Path(tempfile.mkdtemp(prefix=f"out-{key}.", dir=workdir))
            try:
                seconds, cpu_seconds = timed_run(cmd, cwd=cwd, env=synth_env(out, context))
                m.add(key, seconds, cpu_seconds)
                say(f"{key:<20} run {i + 1}/{runs}: {seconds:6.2f} s (cpu {cpu_seconds:.2f} s)")
            except MeasurementError as err:
                m.errors[key] = str(err)
                say(f"{key:<20} FAILED: {_tail(str(err), 300)}")
            finally:
                shutil.rmtree(out, ignore_errors=True)


def _suite_env() -> dict[str, str]:
    """The suites run as a developer runs them: this environment, venv first, jsii quiet."""
    env = dict(os.environ)
    env.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
    env.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def suite_commands(workdir: Path) -> dict[str, tuple[list[str], dict[str, str]]]:
    """key -> (command, environment) of every suite measurement."""
    py = sys.executable
    env = _suite_env()
    # The integration suite gets an emulator (and outputs) of its own, which it
    # starts and stops itself: a cold run, like `make test` on a fresh machine.
    integ_env = {**env, "WEBSTACK_LOCAL_STATE_DIR": str(workdir / "integration-state")}
    return {
        "suite.unit": (
            [py, "-m", "pytest", "tests", "--ignore=tests/integration", "-q", "-p", "no:cacheprovider"],
            env,
        ),
        "suite.integration": ([py, "-m", "pytest", "tests/integration", "-q", "-p", "no:cacheprovider"], integ_env),
        "suite.compliance": ([py, "-c", COMPLIANCE], env),
    }


def _time_suite(key: str, cmd: list[str], *, env: dict[str, str], root: Path, log: Path, m: Measurements) -> float:
    """Wall seconds of one suite run (recorded in ``m``); pytest exit 1 (some tests failed)
    still counts, with a note: the suite ran to the end."""
    try:
        seconds, cpu_seconds = timed_run(cmd, cwd=root, env=env, log=log, ok=(0, 1))
    except RanWithFailures as ran:
        seconds, cpu_seconds = ran.seconds, ran.cpu
        m.notes[key] = ran.note
        say(f"{key:<20} ran with failures ({ran.note}); timed anyway")
    m.add(key, seconds, cpu_seconds)
    return seconds


def measure_suites(workdir: Path, root: Path, runs: int, m: Measurements) -> None:
    suites = suite_commands(workdir)
    for i in range(runs):
        for key, (cmd, run_env) in suites.items():
            if key in m.errors:
                continue
            try:
                seconds = _time_suite(key, cmd, env=run_env, root=root, log=workdir / f"{key}.log", m=m)
                say(f"{key:<20} run {i + 1}/{runs}: {seconds:6.1f} s (cpu {m.cpu[key][-1]:.1f} s)")
            except MeasurementError as err:
                m.errors[key] = str(err)
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


def _synthesize_all(workdir: Path, log: Path, m: Measurements) -> dict[str, CloudAssembly]:
    """Each environment's assembly to deploy; a failed synth is the deploy measurement's error."""
    assemblies = {}
    for env in ENVS:
        out = workdir / f"cdk.out.{env}"
        with output_to(log), local_pager.config_file(env, None) as with_pager:  # as `make up` deploys it
            rc = synth(env, out, with_pager)
        if rc != 0:
            m.errors[f"deploy.{env}"] = f"synth of {env} failed (exit {rc}):\n{_tail(log.read_text(errors='replace'))}"
            continue
        assemblies[env] = CloudAssembly.read(out)
    return assemblies


def measure_deploys(workdir: Path, runs: int, m: Measurements) -> None:
    """bootstrap + deploy of each environment into a freshly reset emulator of our own."""
    from webstack_emulator import reset, start, stop
    from webstack_tools.deploy import DeployError, bootstrap, deploy, emulator_target

    state = workdir / "emulator"
    outputs = state / "cfn-outputs"  # never the repo's cfn-outputs/: that one belongs to `make up`
    log = workdir / "deploy.log"
    assemblies = _synthesize_all(workdir, log, m)
    if not assemblies:
        return
    say("starting a local emulator of the bench's own")
    info = start(state)
    try:
        target = emulator_target(info.endpoint)
        for i in range(runs):
            for env, assembly in assemblies.items():
                key = f"deploy.{env}"
                if key in m.errors:
                    continue
                reset(info.endpoint)
                started = time.perf_counter()
                try:
                    with output_to(log):
                        region = local_pager.application_region(env, None)  # the paging topics' queue
                        local_pager.create_queue(target.client("sqs", region), env, region)
                        bootstrap(target, assembly)
                        bootstrapped = time.perf_counter()
                        deploy(target, assembly, outputs)
                except DeployError as err:
                    m.errors[key] = f"{err}\n--- CDK output (tail) ---\n{_tail(log.read_text(errors='replace'))}"
                    say(f"{key:<20} FAILED: {_tail(str(err), 600)}")
                    continue
                seconds = time.perf_counter() - started
                m.add(key, seconds)
                say(
                    f"{key:<20} run {i + 1}/{runs}: {seconds:6.1f} s "
                    f"(bootstrap {bootstrapped - started:.1f} s, deploy {seconds - (bootstrapped - started):.1f} s)"
                )
    finally:
        stop(state)
        say("emulator stopped")


UP_COMMANDS = {"up.dev": ("up", "--env", "dev"), "up.dev_gated": ("up", "--env", "dev", "--gate")}


def measure_ups(workdir: Path, root: Path, runs: int, m: Measurements) -> None:
    """``python -m webstack_tools up --env dev`` (and with the gate) from nothing: a new emulator
    of the bench's own per sample (its state dir, outputs and assembly under ``workdir``)."""
    from webstack_emulator import stop

    log = workdir / "up.log"
    for i in range(runs):
        for key, args in UP_COMMANDS.items():
            if key in m.errors:
                continue
            place = workdir / f"{key}.{i}"
            cmd = [sys.executable, "-m", "webstack_tools", *args, "--state-dir", str(place / "emulator")]
            cmd += ["--outputs", str(place / "cfn-outputs"), "--out", str(place / "cdk.out")]
            try:
                seconds, cpu = timed_run(cmd, cwd=root, env=_suite_env(), log=log, timeout=600)
            except (MeasurementError, RanWithFailures, subprocess.TimeoutExpired) as err:
                m.errors[key] = f"{err}\n--- output (tail) ---\n{_tail(log.read_text(errors='replace'))}"
                say(f"{key:<20} FAILED: {_tail(str(err), 300)}")
                continue
            finally:
                stop(place / "emulator")
            m.add(key, seconds)
            say(f"{key:<20} run {i + 1}/{runs}: {seconds:6.1f} s ({cpu:.1f} CPU s in this process's children)")


# --------------------------------------------------------------------------
# machine facts
# --------------------------------------------------------------------------
def _version(cmd: Sequence[str]) -> str | None:
    try:
        result = subprocess.run(list(cmd), capture_output=True, text=True, timeout=30, cwd=project_root(), check=False)
        return result.stdout.strip() or None
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
def _parse(argv: list[str] | None) -> tuple[argparse.Namespace, dict[str, int]]:
    """The options and the number of samples per kind of measurement (0: skipped)."""
    parser = argparse.ArgumentParser(
        prog="python -m webstack_tools bench", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--runs", type=int, default=5, help="samples per synth measurement (default 5)")
    parser.add_argument("--slow-runs", type=int, default=1, help="samples per suite and deploy (default 1)")
    parser.add_argument("--quick", action="store_true", help="1 sample each and no test suites")
    parser.add_argument("--no-suites", action="store_true", help="skip the test suites")
    parser.add_argument("--no-deploys", action="store_true", help="skip the local deploys")
    parser.add_argument("--out", type=Path, default=None, help=f"results file (default {RESULTS})")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.slow_runs < 1:
        parser.error("--runs and --slow-runs must be at least 1")
    runs = {"synth": 1 if args.quick else args.runs, "suite": 0 if (args.quick or args.no_suites) else args.slow_runs}
    runs["deploy"] = 0 if args.no_deploys else (1 if args.quick else args.slow_runs)
    return args, runs


def main(argv: list[str] | None = None) -> int:
    args, runs = _parse(argv)
    root = project_root()
    out: Path = args.out or root / RESULTS
    machine = machine_facts()
    m = Measurements()
    with tempfile.TemporaryDirectory(prefix="webstack-bench.") as tmp:
        work = Path(tmp)
        measure_synths(work, root, runs["synth"], m)
        if runs["suite"]:
            measure_suites(work, root, runs["suite"], m)
        if runs["deploy"]:
            measure_deploys(work, runs["deploy"], m)
            measure_ups(work, root, runs["deploy"], m)
    machine["loadavg_end"] = list(os.getloadavg())

    rows = summarize(m.samples, m.errors, m.cpu, m.notes)
    doc = results_document(rows, machine, runs)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=2) + "\n")
    print(format_table(rows))
    if any(r.key == MAKE_TEST_PROXY for r in rows):
        print(
            "\n`make test` is estimated as unit + integration suite + compliance gate, each timed once "
            "(a proxy, not `make test` itself)."
        )
    print(
        f"\n{machine['cpu_count']} CPUs, Python {machine['python']}, Node {machine['node']}, "
        f"load average {machine['loadavg_start'][0]:.2f} -> {machine['loadavg_end'][0]:.2f}; results in {out}"
    )
    for key, err in m.errors.items():
        print(f"\nwebstack_tools bench: {key} failed:\n{_tail(err, 800)}", file=sys.stderr)
    return 1 if m.errors else 0
