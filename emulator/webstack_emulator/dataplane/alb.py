"""Application Load Balancers on loopback: each listener of moto's elbv2
backend gets a ``127.0.0.1`` port and answers as its rules say.

* **Rules**: the listener's rules in priority order (lowest first), then the
  default action; a rule matches when all its conditions match, a condition
  when any of its values does
  (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-rules.html).
  ``http-header`` (name and values case-insensitive, ``*``/``?``),
  ``host-header`` (case-insensitive), ``path-pattern`` (case-sensitive),
  ``http-request-method`` (case-sensitive) and ``query-string`` as
  https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html
  describes; ``source-ip`` is not emulated (501).
* **Actions**: ``fixed-response``, ``forward`` (one target group or a
  weighted ``ForwardConfig``: the first group with a target), ``redirect``
  (``#{protocol}``/``#{host}``/``#{port}``/``#{path}``/``#{query}`` kept);
  ``authenticate-*`` is not emulated (501). With no registered target the
  ALB answers 503, a target that does not answer 502
  (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html).
* **Security groups**: a security group that does not admit a client drops
  its packets. Locally there are two kinds of client: the edge, which
  connects from ``127.0.0.2`` (:data:`.edge.EDGE_SOURCE_ADDRESS`) and stands
  for CloudFront's origin-facing addresses, and anything else on this
  machine, which stands for an arbitrary internet address. An ingress rule
  for the listener's port admits the edge when it names the region's
  CloudFront origin-facing prefix list (:mod:`webstack_emulator.facts`) or
  ``0.0.0.0/0``/``::/0``, and anything else only for ``0.0.0.0/0``/``::/0``;
  rules naming other CIDRs or security groups admit no local client. A
  refused client's connection is closed before any byte is read (in AWS the
  client would wait for a timeout).
* **Internal load balancers** (``Scheme: internal``) have private addresses
  only: nothing on the internet, CloudFront's origin-facing servers included,
  can route to them. Their one local client is the edge going through a
  CloudFront VPC origin, from ``127.0.0.3``
  (:data:`.edge.VPC_ORIGIN_SOURCE_ADDRESS`, CloudFront's ENIs in the VPC),
  admitted by a rule naming the origin-facing prefix list, the VPC's
  ``CloudFront-VPCOrigins-Service-SG`` or ``0.0.0.0/0``; AWS documents the
  first two as the ways to admit a VPC origin
  (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-vpc-origins.html).
  An internet-facing load balancer admits VPC-origin traffic by the same rules.
"""

from __future__ import annotations

import fnmatch
import http.client
import threading
from typing import Any
from urllib.parse import parse_qsl

from ..facts import CLOUDFRONT_ORIGIN_FACING_PREFIX_LISTS
from .edge import EDGE_SOURCE_ADDRESS, VPC_ORIGIN_SOURCE_ADDRESS
from .http import HOP_BY_HOP, LoopbackServer, Request, Response, text
from .policies import NotEmulated
from .targets import Targets

OPEN_CIDRS = frozenset({"0.0.0.0/0", "::/0"})


def _elb_page(status: int, reason: str) -> Response:
    body = (
        f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
        f"<center><h1>{status} {reason}</h1></center>\r\n</body>\r\n</html>\r\n"
    )
    return text(status, body, ("Server", "awselb/2.0"), content_type="text/html")


def _data(action: Any) -> dict[str, Any]:
    return dict(getattr(action, "data", None) or action)


def _values(condition: dict[str, Any], config_key: str) -> list[str]:
    values = (condition.get(config_key) or {}).get("Values") or condition.get("Values") or []
    return [str(v) for v in values]


def _wild(value: str, patterns: list[str], *, case_sensitive: bool) -> bool:
    if not case_sensitive:
        value, patterns = value.lower(), [p.lower() for p in patterns]
    return any(fnmatch.fnmatchcase(value, p.replace("[", "[[]")) for p in patterns)


def _query_matches(condition: dict[str, Any], request: Request) -> bool:
    pairs = [(k.lower(), v.lower()) for k, v in parse_qsl(request.query, keep_blank_values=True)]
    for wanted in (condition.get("QueryStringConfig") or {}).get("Values") or []:
        key, value = str(wanted.get("Key") or "").lower(), str(wanted.get("Value") or "").lower()
        if any((not key or fnmatch.fnmatchcase(k, key)) and fnmatch.fnmatchcase(v, value) for k, v in pairs):
            return True
    return False


def condition_matches(condition: dict[str, Any], request: Request) -> bool:
    field = condition.get("Field")
    if field == "http-header":
        cfg = condition.get("HttpHeaderConfig") or {}
        value = request.header(str(cfg.get("HttpHeaderName") or ""))
        return value is not None and _wild(value, _values(condition, "HttpHeaderConfig"), case_sensitive=False)
    if field == "host-header":
        host = (request.header("Host") or "").rsplit(":", 1)[0]
        return _wild(host, _values(condition, "HostHeaderConfig"), case_sensitive=False)
    if field == "path-pattern":
        return _wild(request.path, _values(condition, "PathPatternConfig"), case_sensitive=True)
    if field == "http-request-method":
        return request.method in _values(condition, "HttpRequestMethodConfig")
    if field == "query-string":
        return _query_matches(condition, request)
    raise NotEmulated(f"not emulated: listener rule condition {field}")


def _ordered_rules(listener: Any) -> list[Any]:
    rules = [r for r in listener.rules.values() if not r.is_default]
    rules.sort(key=lambda r: int(r.priority))
    return rules + [r for r in listener.rules.values() if r.is_default]


def _redirect(cfg: dict[str, Any], request: Request, listener_port: int) -> Response:
    protocol = str(cfg.get("Protocol") or "#{protocol}").replace("#{protocol}", "HTTP").lower()
    host = str(cfg.get("Host") or "#{host}").replace("#{host}", (request.header("Host") or "").rsplit(":", 1)[0])
    port = str(cfg.get("Port") or "#{port}").replace("#{port}", str(listener_port))
    path = str(cfg.get("Path") or "/#{path}").replace("#{path}", request.path.lstrip("/"))
    query = str(cfg.get("Query") or "#{query}").replace("#{query}", request.query)
    default_port = {"http": "80", "https": "443"}.get(protocol)
    location = f"{protocol}://{host}{'' if port == default_port else ':' + port}{path}"
    if query:
        location += f"?{query}"
    status = 301 if str(cfg.get("StatusCode")) == "HTTP_301" else 302
    return Response(status, [("Location", location), ("Content-Type", "text/html")], b"")


class LoadBalancers:
    """Every ALB listener of the account, in every region moto has state for."""

    def __init__(
        self, account_id: str, *, app_command: str | None, time_scale: float = 1.0, endpoint: str | None = None
    ) -> None:
        self.account_id = account_id
        self.targets = Targets(account_id, app_command=app_command, time_scale=time_scale, endpoint=endpoint)
        self._servers: dict[str, tuple[LoopbackServer, str, Any]] = {}  # listener ARN -> (server, region, lb)
        self._lock = threading.Lock()

    def _listeners(self) -> dict[str, tuple[str, Any, Any]]:
        from moto.elbv2.models import elbv2_backends

        found: dict[str, tuple[str, Any, Any]] = {}
        for region, backend in list(elbv2_backends[self.account_id].items()):
            for lb in list(backend.load_balancers.values()):
                if lb.type != "application":
                    continue
                for listener in list(lb.listeners.values()):
                    found[listener.arn] = (region, lb, listener)
        return found

    def reconcile(self) -> None:
        current = self._listeners()
        with self._lock:
            for gone in set(self._servers) - set(current):
                self._servers.pop(gone)[0].stop()
            for arn in set(current) - set(self._servers):
                region, lb, _listener = current[arn]
                server = LoopbackServer(self._app(arn), admit=self._admit(arn)).start()
                self._servers[arn] = (server, region, lb)
        self.targets.reconcile()

    def stop(self) -> None:
        with self._lock:
            for server, _, _ in self._servers.values():
                server.stop()
            self._servers.clear()
        self.targets.stop()

    def origin_port(self, domain: str, port: int) -> int | None:
        """The local port standing for ``domain:port`` (an ALB DNS name and listener port)."""
        current = self._listeners()
        with self._lock:
            for arn, (server, _, lb) in self._servers.items():
                listener = current.get(arn)
                if listener and lb.dns_name.lower() == domain.lower() and int(listener[2].port) == port:
                    return server.port
        return None

    def describe(self) -> dict[str, Any]:
        current = self._listeners()
        with self._lock:
            listeners = [
                {
                    "load_balancer": lb.name,
                    "dns_name": lb.dns_name,
                    "port": int(current[arn][2].port),
                    "url": f"http://127.0.0.1:{server.port}/",
                }
                for arn, (server, _, lb) in sorted(self._servers.items())
                if arn in current
            ]
        return {"listeners": listeners, "targets": self.targets.describe()}

    # -- security groups ---------------------------------------------------
    def _admit(self, listener_arn: str) -> Any:
        def admit(client_ip: str) -> bool:
            entry = self._listeners().get(listener_arn)
            if entry is None:
                return False
            region, lb, listener = entry
            if client_ip == VPC_ORIGIN_SOURCE_ADDRESS:
                return self.admits(region, lb, int(listener.port), from_cloudfront=True, through_vpc_origin=True)
            if lb.scheme == "internal":
                return False  # private addresses only: no route from the internet
            return self.admits(region, lb, int(listener.port), client_ip == EDGE_SOURCE_ADDRESS)

        return admit

    def admits(
        self, region: str, lb: Any, port: int, from_cloudfront: bool, *, through_vpc_origin: bool = False
    ) -> bool:
        from moto.ec2.models import ec2_backends

        from ..providers.cloudfront_vpc_origin import managed_security_group

        ec2 = ec2_backends[self.account_id][region]
        cloudfront_list = CLOUDFRONT_ORIGIN_FACING_PREFIX_LISTS.get(region)
        managed = managed_security_group(self.account_id, region, lb.vpc_id) if through_vpc_origin else None
        for group_id in lb.security_groups or []:
            group = ec2.get_security_group_from_id(group_id)
            for rule in getattr(group, "ingress_rules", []):
                if rule.ip_protocol not in ("-1", "tcp", "6") or not _covers(rule, port):
                    continue
                cidr = rule.ip_range.get("CidrIp") or rule.ip_range.get("CidrIpv6")
                if cidr in OPEN_CIDRS:
                    return True
                if from_cloudfront and cloudfront_list and rule.prefix_list_id == cloudfront_list:
                    return True
                if managed is not None and managed.id in _source_groups(rule):
                    return True
        return False

    # -- requests ----------------------------------------------------------
    def _app(self, listener_arn: str) -> Any:
        def app(request: Request) -> Response:
            entry = self._listeners().get(listener_arn)
            if entry is None:
                return _elb_page(503, "Service Temporarily Unavailable")
            try:
                return self.route(entry[0], entry[2], request)
            except NotEmulated as exc:
                return text(501, f"{exc}\n")

        return app

    def route(self, region: str, listener: Any, request: Request) -> Response:
        for rule in _ordered_rules(listener):
            if all(condition_matches(dict(c), request) for c in rule.conditions or []):
                return self._act(region, rule.actions, listener, request)
        return _elb_page(503, "Service Temporarily Unavailable")

    def _act(self, region: str, actions: list[Any], listener: Any, request: Request) -> Response:
        for action in sorted((_data(a) for a in actions), key=lambda a: int(a.get("Order") or 0)):
            kind = action.get("Type")
            if kind == "fixed-response":
                cfg = action.get("FixedResponseConfig") or {}
                return text(
                    int(cfg["StatusCode"]),
                    str(cfg.get("MessageBody") or ""),
                    ("Server", "awselb/2.0"),
                    content_type=str(cfg.get("ContentType") or "text/plain"),
                )
            if kind == "redirect":
                return _redirect(action.get("RedirectConfig") or {}, request, int(listener.port))
            if kind == "forward":
                return self._forward(region, action, listener, request)
            raise NotEmulated(f"not emulated: listener action {kind}")
        return _elb_page(503, "Service Temporarily Unavailable")

    def _forward(self, region: str, action: dict[str, Any], listener: Any, request: Request) -> Response:
        groups = [action["TargetGroupArn"]] if action.get("TargetGroupArn") else []
        groups += [g["TargetGroupArn"] for g in (action.get("ForwardConfig") or {}).get("TargetGroups") or []]
        if not self.targets.app_command:
            raise NotEmulated("not emulated: targets run only with an app command (serve --app-command)")
        port = next((p for p in (self.targets.pick(region, g) for g in groups) if p), None)
        if port is None:
            return _elb_page(503, "Service Temporarily Unavailable")
        headers = [(k, v) for k, v in request.headers if k.lower() not in HOP_BY_HOP | {"content-length"}]
        xff = request.header("X-Forwarded-For")
        headers = [(k, v) for k, v in headers if k.lower() != "x-forwarded-for"]
        headers += [
            ("X-Forwarded-For", f"{xff}, {request.client_ip}" if xff else request.client_ip),
            ("X-Forwarded-Proto", "http"),
            ("X-Forwarded-Port", str(listener.port)),
        ]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            conn.request(request.method, request.target, body=request.body or None, headers=dict(headers))
            answer = conn.getresponse()
            body = answer.read()
            return Response(
                answer.status, [(k, v) for k, v in answer.getheaders() if k.lower() not in HOP_BY_HOP], body
            )
        except (ConnectionError, http.client.HTTPException, OSError):
            return _elb_page(502, "Bad Gateway")
        finally:
            conn.close()


def _source_groups(rule: Any) -> set[str]:
    """Ids of the security groups a rule admits (moto keeps one per rule in ``source_group``)."""
    source = getattr(rule, "source_group", None) or {}
    return {str(source.get("GroupId"))} if source.get("GroupId") else set()


def _covers(rule: Any, port: int) -> bool:
    if rule.from_port is None or rule.to_port is None:
        return True
    return int(rule.from_port) <= port <= int(rule.to_port)
