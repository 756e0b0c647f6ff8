"""Target groups' instances as local processes, health-checked as the target
group says, replaced by their Auto Scaling group when unhealthy.

* Each instance registered in a target group (moto's elbv2 backend; an Auto
  Scaling group registers its in-service instances) runs the *app command*
  on its own ``127.0.0.1`` port: a template with ``{port}``, ``{instance_id}``,
  ``{python}`` (this interpreter), ``{user_data}`` (a file holding the
  instance's user data, decoded from the base64 its launch template or
  ``RunInstances`` gave, empty without any) and ``{workdir}`` (a fresh folder
  of the instance's own, its "disk", removed when the instance ends), also
  given as ``PORT``, ``INSTANCE_ID``, ``USER_DATA`` and ``WORKDIR`` in the
  environment, with ``AWS_ENDPOINT_URL`` naming this emulator when the data
  plane knows its endpoint: an instance's AWS is the emulator. The emulator
  knows nothing of the product and runs no user data itself (no shell, no
  systemd, no root): whoever starts it names the command that does what the
  user data does, from what the user data says. The process's stdout and
  stderr go to ``console.log`` in the work folder (the instance's console
  output). One process serves an instance in every group it is in (the
  target port is not modelled).
* **Health checks** are real HTTP requests: ``HealthCheckPath`` every
  ``HealthCheckIntervalSeconds`` with ``HealthCheckTimeoutSeconds``, the
  ``Matcher`` codes (``200``, ``200,202``, ``200-299``); a new target is
  ``initial`` until ``HealthyThresholdCount`` consecutive successes,
  ``unhealthy`` after ``UnhealthyThresholdCount`` consecutive failures
  (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html).
  Requests go to healthy targets in turn; with none healthy the group fails
  open and uses all of them (same page, "If a target group contains only
  unhealthy registered targets, the load balancer routes requests to all
  those targets"). ``time_scale`` multiplies every interval (tests use a
  small one).
* After each round ``HealthyHostCount`` and ``UnHealthyHostCount``
  (``AWS/ApplicationELB``, dimensions ``TargetGroup`` and ``LoadBalancer``)
  go into moto's CloudWatch through ``put_metric_data``
  (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html).
  Alarms are not evaluated against them here.
* An unhealthy instance of an Auto Scaling group whose ``HealthCheckType`` is
  ``ELB`` is replaced once its ``HealthCheckGracePeriod`` is over: terminated
  (its process stopped, deregistered) and a new instance launched and
  registered (https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-health-checks.html,
  https://docs.aws.amazon.com/autoscaling/ec2/userguide/replace-unhealthy-instance.html).
  With the ``EC2`` type the instance stays (EC2 status checks see no
  failure).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import http.client
import itertools
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .http import BIND_ADDRESS


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((BIND_ADDRESS, 0))
        return int(sock.getsockname()[1])


def matcher_codes(spec: str) -> set[int]:
    codes: set[int] = set()
    for part in str(spec or "200").split(","):
        low, _, high = part.strip().partition("-")
        codes.update(range(int(low), int(high or low) + 1))
    return codes


@dataclass
class Target:
    instance_id: str
    region: str
    port: int
    process: subprocess.Popen[bytes]
    started: float
    workdir: Path
    state: str = "initial"
    successes: int = 0
    failures: int = 0
    groups: set[str] = field(default_factory=set)

    def as_json(self) -> dict[str, Any]:
        return {
            "instance_id": self.instance_id,
            "port": self.port,
            "state": self.state,
            "pid": self.process.pid,
            "workdir": str(self.workdir),
            "target_groups": sorted(self.groups),
        }


class Targets:
    def __init__(
        self, account_id: str, *, app_command: str | None, time_scale: float = 1.0, endpoint: str | None = None
    ) -> None:
        self.account_id = account_id
        self.app_command = app_command
        self.time_scale = time_scale
        self.endpoint = endpoint
        self._root: Path | None = None  # the instances' work folders, made at the first launch
        self._targets: dict[str, Target] = {}
        self._checkers: dict[str, threading.Thread] = {}
        self._turn = itertools.count()
        self._lock = threading.RLock()
        self._stopping = threading.Event()

    # -- what moto says is registered --------------------------------------
    def _groups(self) -> dict[str, tuple[str, Any]]:
        from moto.elbv2.models import elbv2_backends

        return {
            arn: (region, tg)
            for region, backend in list(elbv2_backends[self.account_id].items())
            for arn, tg in list(backend.target_groups.items())
            if tg.target_type == "instance"
        }

    def reconcile(self) -> None:
        if not self.app_command:
            return
        groups = self._groups()
        wanted: dict[str, tuple[str, set[str]]] = {}
        for arn, (region, tg) in groups.items():
            for instance_id in list(tg.targets):
                wanted.setdefault(instance_id, (region, set()))[1].add(arn)
        with self._lock:
            for gone in set(self._targets) - set(wanted):
                self._end(self._targets.pop(gone))
            for instance_id, (region, arns) in wanted.items():
                target = self._targets.get(instance_id) or self._launch(instance_id, region)
                target.groups = arns
            for arn in groups:
                if arn not in self._checkers or not self._checkers[arn].is_alive():
                    checker = threading.Thread(target=self._check_loop, args=(arn,), daemon=True, name=f"health:{arn}")
                    self._checkers[arn] = checker
                    checker.start()

    def user_data(self, instance_id: str, region: str) -> bytes:
        """The instance's user data as it would boot with it: moto keeps the base64 text
        of ``RunInstances`` (or of the launch template version the group launched from);
        EC2 hands the decoded bytes to the instance
        (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/user-data.html)."""
        from moto.ec2.models import ec2_backends

        instance = ec2_backends[self.account_id][region].get_instance_by_id(instance_id)
        encoded = getattr(instance, "user_data", None) if instance is not None else None
        if encoded is None:
            return b""
        # moto's Base64EncodedString (moto/core/types.py) or the plain text of older models
        raw = encoded.as_bytes() if hasattr(encoded, "as_bytes") else str(encoded).encode()
        try:
            return base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            return raw  # moto stores what it was given; EC2 itself only accepts base64 here

    def _launch(self, instance_id: str, region: str) -> Target:
        assert self.app_command
        if self._root is None:
            self._root = Path(tempfile.mkdtemp(prefix="webstack-targets-"))
        workdir = Path(tempfile.mkdtemp(prefix=f"{instance_id}-", dir=self._root))
        user_data = workdir / "user-data"
        user_data.write_bytes(self.user_data(instance_id, region))
        port = free_port()
        values = {
            "port": port,
            "instance_id": instance_id,
            "python": sys.executable,
            "user_data": str(user_data),
            "workdir": str(workdir),
        }
        argv = [part.format(**values) for part in shlex.split(self.app_command)]
        env = {
            **os.environ,
            "PORT": str(port),
            "INSTANCE_ID": instance_id,
            "USER_DATA": str(user_data),
            "WORKDIR": str(workdir),
        }
        if self.endpoint:
            env["AWS_ENDPOINT_URL"] = self.endpoint
        with open(workdir / "console.log", "ab") as console:  # the child keeps its own descriptor
            process = subprocess.Popen(
                argv,
                env=env,
                cwd=str(workdir),
                stdin=subprocess.DEVNULL,
                stdout=console,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        target = Target(instance_id, region, port, process, time.monotonic(), workdir)
        self._targets[instance_id] = target
        return target

    @staticmethod
    def _end(target: Target) -> None:
        target.process.terminate()
        try:
            target.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            target.process.kill()
            target.process.wait()
        shutil.rmtree(target.workdir, ignore_errors=True)

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            for target in self._targets.values():
                self._end(target)
            self._targets.clear()
            if self._root is not None:
                shutil.rmtree(self._root, ignore_errors=True)
                self._root = None

    def describe(self) -> list[dict[str, Any]]:
        with self._lock:
            return [t.as_json() for t in sorted(self._targets.values(), key=lambda t: t.instance_id)]

    def state(self, instance_id: str) -> str | None:
        with self._lock:
            target = self._targets.get(instance_id)
            return target.state if target else None

    # -- routing -------------------------------------------------------------
    def pick(self, region: str, group_arn: str) -> int | None:
        with self._lock:
            members = [t for t in self._targets.values() if group_arn in t.groups and t.region == region]
            healthy = [t for t in members if t.state == "healthy"]
            pool = healthy or members  # fail open
            if not pool:
                return None
            return pool[next(self._turn) % len(pool)].port

    # -- health checks -------------------------------------------------------
    def _check_loop(self, group_arn: str) -> None:
        interval = 30.0
        while not self._stopping.is_set():
            try:  # moto's state changes under us while a deploy runs: read it again next round
                entry = self._groups().get(group_arn)
                if entry is None:
                    self._checkers.pop(group_arn, None)
                    return
                region, tg = entry
                interval = float(tg.health_check_interval_seconds or 30) * self.time_scale
                self.check_once(region, tg)
            except Exception as exc:
                print(f"data plane: health check of {group_arn} failed: {type(exc).__name__}: {exc}", flush=True)
            if self._stopping.wait(interval):
                return

    def check_once(self, region: str, tg: Any) -> None:
        with self._lock:
            members = [t for t in self._targets.values() if tg.arn in t.groups]
        codes = matcher_codes((tg.matcher or {}).get("HttpCode", "200"))
        timeout = float(tg.health_check_timeout_seconds or 5) * max(self.time_scale, 0.2)
        for target in members:
            ok = _probe(target.port, str(tg.health_check_path or "/"), timeout) in codes
            self._record(target, ok, int(tg.healthy_threshold_count), int(tg.unhealthy_threshold_count))
        self._publish(region, tg, members)
        for target in members:
            if target.state == "unhealthy":
                self._replace(region, tg, target)

    @staticmethod
    def _record(target: Target, ok: bool, healthy_after: int, unhealthy_after: int) -> None:
        if ok:
            target.successes, target.failures = target.successes + 1, 0
            if target.successes >= healthy_after:
                target.state = "healthy"
        else:
            target.successes, target.failures = 0, target.failures + 1
            if target.failures >= unhealthy_after:
                target.state = "unhealthy"

    def _publish(self, region: str, tg: Any, members: list[Target]) -> None:
        from moto.cloudwatch.models import cloudwatch_backends

        healthy = sum(1 for t in members if t.state == "healthy")
        unhealthy = sum(1 for t in members if t.state == "unhealthy")
        tg_dim = "targetgroup/" + tg.arn.split(":targetgroup/", 1)[1]
        data = []
        for lb_arn in tg.load_balancer_arns or [None]:
            dims = [{"Name": "TargetGroup", "Value": tg_dim}]
            if lb_arn:
                dims.append({"Name": "LoadBalancer", "Value": lb_arn.split(":loadbalancer/", 1)[1]})
            data += [
                {"MetricName": "HealthyHostCount", "Value": float(healthy), "Unit": "Count", "Dimensions": dims},
                {"MetricName": "UnHealthyHostCount", "Value": float(unhealthy), "Unit": "Count", "Dimensions": dims},
            ]
        cloudwatch_backends[self.account_id][region].put_metric_data("AWS/ApplicationELB", data)

    def _replace(self, region: str, tg: Any, target: Target) -> None:
        from moto.autoscaling.models import autoscaling_backends

        backend = autoscaling_backends[self.account_id][region]
        group = next(
            (
                g
                for g in list(backend.autoscaling_groups.values())
                if any(s.instance.id == target.instance_id for s in g.instance_states)
            ),
            None,
        )
        if group is None or group.health_check_type != "ELB":
            return
        grace = float(group.health_check_grace_period or 0) * self.time_scale
        if time.monotonic() - target.started < grace:
            return
        with contextlib.suppress(Exception):
            tg.deregister([{"Id": target.instance_id}])
        backend.terminate_instance(target.instance_id, should_decrement=False)
        backend.update_attached_target_groups(group.name)
        with self._lock:
            gone = self._targets.pop(target.instance_id, None)
        if gone is not None:
            self._end(gone)
        self.reconcile()


def _probe(port: int, path: str, timeout: float) -> int:
    conn = http.client.HTTPConnection(BIND_ADDRESS, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"User-Agent": "ELB-HealthChecker/2.0"})
        answer = conn.getresponse()
        answer.read()
        return int(answer.status)
    except (OSError, http.client.HTTPException):
        return 0
    finally:
        conn.close()
