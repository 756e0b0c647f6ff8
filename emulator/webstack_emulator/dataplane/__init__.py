"""The local data plane: what answers HTTP once a stack is deployed.

* an **edge** per CloudFront distribution (:mod:`.edge`) on its own
  ``127.0.0.1`` port, so a browser can open ``http://127.0.0.1:PORT/``
  directly; any edge port also serves another distribution when the request's
  ``Host`` is that distribution's domain name or alias;
* a listener per Application Load Balancer listener (:mod:`.alb`), with its
  rules and security groups;
* the Auto Scaling groups' instances as local processes behind their target
  groups, health-checked (:mod:`.targets`).

:class:`DataPlane` follows moto's backends: a reconcile loop starts what a
deployment created and stops what was deleted. It runs inside the emulator
process (``serve --data-plane``) and is described by
``GET /webstack-api/dataplane``.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from .edge import Edge
from .http import BIND_ADDRESS, LoopbackServer

ACCOUNT_ID = "123456789012"


class DataPlane:
    def __init__(
        self,
        account_id: str = ACCOUNT_ID,
        *,
        edge_port: int = 0,
        app_command: str | None = None,
        time_scale: float = 1.0,
        reconcile_seconds: float = 0.5,
        endpoint: str | None = None,
    ) -> None:
        from .alb import LoadBalancers

        self.account_id = account_id
        self.edge_port = edge_port
        self.load_balancers = LoadBalancers(
            account_id, app_command=app_command, time_scale=time_scale, endpoint=endpoint
        )
        self.edge = Edge(account_id, self.load_balancers.origin_port)
        self._edges: dict[str, LoopbackServer] = {}
        self._reconcile_seconds = reconcile_seconds
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # -- lifecycle ---------------------------------------------------------
    def start(self) -> DataPlane:
        self.reconcile()
        self._thread = threading.Thread(target=self._loop, name="dataplane-reconcile", daemon=True)
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stopping.wait(self._reconcile_seconds):
            with contextlib.suppress(Exception):  # a half-created stack is read again next round
                self.reconcile()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._lock:
            for server in self._edges.values():
                server.stop()
            self._edges.clear()
        self.load_balancers.stop()

    def reconcile(self) -> None:
        with self._lock:
            self._reconcile_edges()
        self.load_balancers.reconcile()

    def _reconcile_edges(self) -> None:
        current = self.edge.distributions()
        for gone in set(self._edges) - set(current):
            self._edges.pop(gone).stop()
        for dist_id in sorted(set(current) - set(self._edges)):
            port = self.edge_port if self.edge_port and self.edge_port not in self.ports() else 0
            self._edges[dist_id] = LoopbackServer(self._edge_app(dist_id), port).start()

    def _edge_app(self, dist_id: str) -> Any:
        return lambda request: self.edge.handle(dist_id, request)

    def ports(self) -> set[int]:
        return {s.port for s in self._edges.values()}

    # -- description -------------------------------------------------------
    def edge_url(self, distribution_id: str) -> str | None:
        server = self._edges.get(distribution_id)
        return f"http://{BIND_ADDRESS}:{server.port}/" if server else None

    def describe(self) -> dict[str, Any]:
        dists = self.edge.distributions()
        with self._lock:
            edges = [
                {"id": d, "domain_name": dists[d].domain_name, "url": f"http://{BIND_ADDRESS}:{s.port}/"}
                for d, s in sorted(self._edges.items())
                if d in dists
            ]
        return {"distributions": edges, **self.load_balancers.describe()}
