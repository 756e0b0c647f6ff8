"""Changes that let more callers do more: IAM and resource policies, security-group ingress.

**Policies** (identity policies of ``AWS::IAM::Policy``/``ManagedPolicy``,
inline policies and the trust policy of roles, users and groups, bucket,
topic, queue, secret and KMS key policies): a new ``Allow`` statement is a
broadening unless an old ``Allow`` already covers it, i.e. grants every one of
its actions and resources (IAM wildcards ``*`` and ``?``, actions
case-insensitive) to every one of its principals under no more conditions
(each old condition still there, accepting no more values). An old ``Deny``
is a broadening when no new ``Deny`` covers it in the same sense
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html:
an explicit deny overrides any allow). Statements with ``NotAction``,
``NotResource``, ``NotPrincipal`` or intrinsic functions in their structure
are compared as text: any change to one is reported as a broadening. A newly
attached managed policy (``ManagedPolicyArns``) is one too.

**Ingress** (inline ``SecurityGroupIngress`` and ``AWS::EC2::SecurityGroupIngress``
resources, gathered per group): a new rule is a broadening unless an old rule
of the same group allows the same protocol (or all), a port range at least as
wide and a source that contains it (a CIDR within the old CIDR, or the same
prefix list or group).

The old templates are read in the new logical ids of renamed resources
(:attr:`.StackDiff.renamed`), so a renamed bucket does not make its grants
look new.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from webstack_tools.plan.diff import StackDiff
from webstack_tools.plan.model import Change, Kind
from webstack_tools.plan.refs import canonical, references, rename, show

_DOCUMENTS: dict[str, tuple[str, ...]] = {
    "AWS::IAM::Policy": ("PolicyDocument",),
    "AWS::IAM::ManagedPolicy": ("PolicyDocument",),
    "AWS::IAM::Role": ("AssumeRolePolicyDocument",),
    "AWS::S3::BucketPolicy": ("PolicyDocument",),
    "AWS::SNS::TopicPolicy": ("PolicyDocument",),
    "AWS::SQS::QueuePolicy": ("PolicyDocument",),
    "AWS::SecretsManager::ResourcePolicy": ("ResourcePolicy",),
    "AWS::KMS::Key": ("KeyPolicy",),
}
_INLINE_POLICIES = frozenset({"AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"})
_NOT_KEYS = ("NotAction", "NotResource", "NotPrincipal")
_ACCOUNT = re.compile(r"^\d{12}$")
_PROTOCOLS = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", "all": "-1"}
_INGRESS = "AWS::EC2::SecurityGroupIngress"
_GROUP = "AWS::EC2::SecurityGroup"
_SHOWN = 4  # items named per difference; the rest are counted


# ---------------------------------------------------------------------------
# policy statements


@dataclass(frozen=True)
class Statement:
    effect: str
    sid: str
    actions: frozenset[str]
    resources: frozenset[str]
    principals: frozenset[tuple[str, str]]
    conditions: frozenset[tuple[str, str, frozenset[str]]]
    text: str
    opaque: bool = False
    """Not a plain statement (Not* elements, intrinsic functions): compared as text."""


def _items(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _principals(value: Any) -> frozenset[tuple[str, str]] | None:
    if value is None:
        return frozenset()
    if value == "*":
        return frozenset({("*", "*")})
    if not isinstance(value, Mapping):
        return None
    found = set()
    for kind, names in value.items():
        for name in _items(names):
            text = show(name)
            found.add((kind, f"arn:aws:iam::{text}:root" if kind == "AWS" and _ACCOUNT.match(text) else text))
    return frozenset(found)


def _conditions(value: Any) -> frozenset[tuple[str, str, frozenset[str]]] | None:
    if value is None:
        return frozenset()
    if not isinstance(value, Mapping) or any(k.startswith("Fn::") for k in value):
        return None
    found = set()
    for operator, pairs in value.items():
        if not isinstance(pairs, Mapping):
            return None
        for key, values in pairs.items():
            found.add((operator, key, frozenset(show(v) for v in _items(values))))
    return frozenset(found)


def statement(raw: Any) -> Statement:
    text = canonical(raw)
    if not isinstance(raw, Mapping) or any(k.startswith("Fn::") for k in raw) or any(k in raw for k in _NOT_KEYS):
        return Statement("?", "", frozenset(), frozenset(), frozenset(), frozenset(), text, opaque=True)
    principals, conditions = _principals(raw.get("Principal")), _conditions(raw.get("Condition"))
    if principals is None or conditions is None:
        return Statement(str(raw.get("Effect")), "", frozenset(), frozenset(), frozenset(), frozenset(), text, True)
    return Statement(
        effect=str(raw.get("Effect")),
        sid=str(raw.get("Sid") or ""),
        actions=frozenset(show(a) for a in _items(raw.get("Action"))),
        resources=frozenset(show(r) for r in _items(raw.get("Resource", "*"))),
        principals=principals,
        conditions=conditions,
        text=text,
    )


def statements(document: Any) -> list[Statement] | None:
    """The statements of a policy document; None when the document is not literal JSON structure."""
    if document is None:
        return []
    if not isinstance(document, Mapping) or "Statement" not in document:
        return None
    return [statement(s) for s in _items(document["Statement"])]


@cache
def _wildcard(pattern: str, fold: bool) -> re.Pattern[str]:
    text = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(text, re.DOTALL | (re.IGNORECASE if fold else 0))


def _uncovered(wide: Iterable[str], narrow: Iterable[str], fold: bool = False) -> list[str]:
    """The items of ``narrow`` that no wildcard pattern of ``wide`` matches (``fold``: ignoring case, as
    IAM does for actions and condition keys)."""
    patterns = [_wildcard(w, fold) for w in wide]
    return sorted(n for n in narrow if not any(p.fullmatch(n) for p in patterns))


def _uncovered_principals(wide: frozenset[tuple[str, str]], narrow: frozenset[tuple[str, str]]) -> list[str]:
    if ("*", "*") in wide or wide == narrow:
        return []
    if not narrow:
        return ["(none)"]
    return sorted(f"{k}:{v}" for k, v in narrow if (k, v) not in wide and (k, "*") not in wide)


def _condition_gaps(wide: Statement, narrow: Statement) -> tuple[list[str], list[str]]:
    """(conditions of ``wide`` that ``narrow`` lacks, conditions ``narrow`` accepts more values of)."""
    narrow_by = {(op, key.lower()): values for op, key, values in narrow.conditions}
    missing, wider = [], []
    for op, key, values in sorted(wide.conditions, key=lambda c: (c[0], c[1])):
        if (op, key.lower()) not in narrow_by:
            missing.append(f"{op} {key}")
        elif extra := sorted(narrow_by[(op, key.lower())] - values):
            wider.append(f"{op} {key} +{_listed(extra)}")
    return missing, wider


@dataclass(frozen=True)
class Gap:
    """What ``narrow`` reaches that ``wide`` does not."""

    actions: list[str]
    resources: list[str]
    principals: list[str]
    missing_conditions: list[str]
    wider_conditions: list[str]

    def __bool__(self) -> bool:
        return any((self.actions, self.resources, self.principals, self.missing_conditions, self.wider_conditions))

    @property
    def size(self) -> int:
        return sum(map(len, (self.actions, self.resources, self.principals, self.missing_conditions)))


def gap(wide: Statement, narrow: Statement) -> Gap | None:
    """None when ``wide`` covers ``narrow``; otherwise what it misses (opaque statements: all or nothing)."""
    if wide.opaque or narrow.opaque or wide.effect != narrow.effect:
        return None if wide.text == narrow.text else Gap(["(statement changed)"], [], [], [], [])
    missing, wider = _condition_gaps(wide, narrow)
    found = Gap(
        _uncovered(wide.actions, narrow.actions, fold=True),
        _uncovered(wide.resources, narrow.resources),
        _uncovered_principals(wide.principals, narrow.principals),
        missing,
        wider,
    )
    return found or None


def _listed(items: list[str]) -> str:
    shown = ", ".join(items[:_SHOWN])
    return shown if len(items) <= _SHOWN else f"{shown} (+{len(items) - _SHOWN} more)"


def _describe(s: Statement) -> str:
    if s.opaque:
        return s.text[:120]
    to = f" to {_listed(sorted(f'{k}:{v}' for k, v in s.principals))}" if s.principals else ""
    when = f" when {_listed(sorted(f'{op} {key}' for op, key, _ in s.conditions))}" if s.conditions else ""
    return f"{s.effect} {_listed(sorted(s.actions))} on {_listed(sorted(s.resources))}{to}{when}"


def _sid(s: Statement) -> str:
    return f" {s.sid}" if s.sid else ""


def _describe_gap(found: Gap, allow: bool) -> str:
    sign = "+" if allow else "no longer denied: "
    parts = [
        f"{sign}{label} {_listed(items)}"
        for label, items in (
            ("actions", found.actions),
            ("resources", found.resources),
            ("principals", found.principals),
        )
        if items
    ]
    conditions = found.missing_conditions
    if conditions:
        parts.append(f"{'condition removed' if allow else 'condition added'}: {_listed(conditions)}")
    if found.wider_conditions:
        parts.append(f"condition accepts more: {_listed(found.wider_conditions)}")
    return "; ".join(parts)


def _closest(candidates: list[Statement], s: Statement) -> tuple[Statement, Gap] | None:
    """The candidate nearest ``s`` (same Sid, else the smallest gap) with what it misses of ``s``."""
    scored = []
    for c in candidates:
        found = gap(c, s)
        if found is not None:
            scored.append((c.sid != s.sid or not s.sid, found.size, c.text, c, found))
    if not scored:
        return None
    best = min(scored, key=lambda t: t[:3])
    return best[3], best[4]


def _related(old: Statement, new: Statement) -> bool:
    """Whether ``new`` reads as a change of ``old`` (same Sid, or a shared action) rather than a new grant."""
    if old.opaque or new.opaque:
        return False
    return bool(new.sid and old.sid == new.sid) or bool(
        {a.lower() for a in old.actions} & {a.lower() for a in new.actions}
    )


def _widened(old_allows: list[Statement], s: Statement) -> str:
    closest = _closest(old_allows, s)
    if closest is not None and _related(closest[0], s):
        return f"Allow{_sid(s)} widened: {_describe_gap(closest[1], True)}"
    return f"new statement{_sid(s)}: {_describe(s)}"


def _narrowed(new_denies: list[Statement], s: Statement) -> str:
    closest = _closest(new_denies, s)
    if closest is not None and _related(closest[0], s):
        return f"Deny{_sid(s)} narrowed: {_describe_gap(closest[1], False)}"
    return f"statement{_sid(s)} removed: {_describe(s)}"


def _statement_broadenings(before: list[Statement], after: list[Statement]) -> Iterator[str]:
    """New allows no old allow covers, old denies no new deny covers (a statement whose effect is not
    literal counts on both sides)."""
    old_allows = [s for s in before if s.effect != "Deny"]
    for s in after:
        if s.effect != "Deny" and not any(gap(o, s) is None for o in old_allows):
            yield _widened(old_allows, s)
    new_denies = [s for s in after if s.effect != "Allow"]
    for s in before:
        if s.effect != "Allow" and not any(gap(n, s) is None for n in new_denies):
            yield _narrowed(new_denies, s)


def document_broadenings(location: str, old: Any, new: Any) -> list[str]:
    """How ``new`` grants more than ``old`` (both policy documents, either may be None)."""
    before, after = statements(old), statements(new)
    if before is None or after is None:
        changed = canonical(old) != canonical(new)
        return [f"{location}: not a literal policy document, changed: treated as broadening"] if changed else []
    return [f"{location}: {line}" for line in _statement_broadenings(before, after)]


def documents(resource: Mapping[str, Any] | None) -> dict[str, Any]:
    """Location (``KeyPolicy``, ``Policies[Name]``...) -> policy document of ``resource``."""
    if resource is None:
        return {}
    rtype, props = resource.get("Type"), resource.get("Properties") or {}
    found = {name: props[name] for name in _DOCUMENTS.get(str(rtype), ()) if name in props}
    if rtype in _INLINE_POLICIES:
        for policy in props.get("Policies") or []:
            if isinstance(policy, Mapping):
                found[f"Policies[{show(policy.get('PolicyName'))}]"] = policy.get("PolicyDocument")
    return found


def _managed_policies(resource: Mapping[str, Any] | None) -> set[str]:
    if resource is None or resource.get("Type") not in _INLINE_POLICIES:
        return set()
    return {show(arn) for arn in (resource.get("Properties") or {}).get("ManagedPolicyArns") or []}


def resource_broadenings(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> list[str]:
    """Policy broadenings of one resource (``new`` with references already mapped to old ids)."""
    before, after = documents(old), documents(new)
    found = [
        line
        for loc in (*after, *(k for k in before if k not in after))
        for line in document_broadenings(loc, before.get(loc), after.get(loc))
    ]
    attached = sorted(_managed_policies(new) - _managed_policies(old))
    if attached:
        found.append(f"ManagedPolicyArns: attaches {_listed(attached)}")
    return found


# ---------------------------------------------------------------------------
# security-group ingress


@dataclass(frozen=True)
class Ingress:
    owner: str
    """The logical id that carries the rule (the group, or an ingress resource)."""
    group: str
    protocol: str
    ports: tuple[int, int] | None
    """None: every port."""
    source: tuple[str, str]

    def __str__(self) -> str:
        ports = "all ports" if self.ports is None else "-".join(dict.fromkeys(map(str, self.ports)))
        internet = " (the whole internet)" if self.source[1] in ("0.0.0.0/0", "::/0") else ""
        protocol = "all traffic" if self.protocol == "-1" else f"{self.protocol} {ports}"
        return f"{protocol} from {self.source[1]}{internet}"


def _ports(rule: Mapping[str, Any], protocol: str) -> tuple[int, int] | None:
    low, high = rule.get("FromPort"), rule.get("ToPort")
    if protocol == "-1" or not isinstance(low, int) or not isinstance(high, int) or low < 0 or high < 0:
        return None
    return low, high


def _target(value: Any) -> str:
    found = next(references(value), None)
    return found.target if found is not None and found.via in ("ref", "getatt") else show(value)


def _source(rule: Mapping[str, Any]) -> tuple[str, str]:
    for key, kind in (("CidrIp", "cidr"), ("CidrIpv6", "cidr"), ("SourcePrefixListId", "prefix list")):
        if key in rule:
            return kind, show(rule[key])
    for key in ("SourceSecurityGroupId", "SourceSecurityGroupName"):
        if key in rule:
            return "group", _target(rule[key])
    return "?", canonical(rule)


def _rule(owner: str, group: str, rule: Mapping[str, Any]) -> Ingress:
    protocol = str(show(rule.get("IpProtocol", "-1"))).lower()
    protocol = _PROTOCOLS.get(protocol, protocol)
    return Ingress(owner, group, protocol, _ports(rule, protocol), _source(rule))


def ingress_rules(resources: Mapping[str, Mapping[str, Any]]) -> Iterator[Ingress]:
    for lid, res in resources.items():
        props = res.get("Properties") or {}
        if res.get("Type") == _GROUP:
            for rule in props.get("SecurityGroupIngress") or []:
                if isinstance(rule, Mapping):
                    yield _rule(lid, lid, rule)
        elif res.get("Type") == _INGRESS:
            yield _rule(lid, _target(props.get("GroupId", props.get("GroupName"))), props)


def _contains(wide: tuple[str, str], narrow: tuple[str, str]) -> bool:
    if wide == narrow:
        return True
    if wide[0] != "cidr" or narrow[0] != "cidr":
        return False
    try:
        outer, inner = ipaddress.ip_network(wide[1], strict=False), ipaddress.ip_network(narrow[1], strict=False)
    except ValueError:
        return False
    return outer.version == inner.version and inner.subnet_of(outer)  # type: ignore[arg-type]


def covers(old: Ingress, new: Ingress) -> bool:
    if old.group != new.group or old.protocol not in ("-1", new.protocol):
        return False
    if old.ports is not None and (
        new.ports is None or not old.ports[0] <= new.ports[0] <= new.ports[1] <= old.ports[1]
    ):
        return False
    return _contains(old.source, new.source)


def _was(old: Ingress, new: Ingress) -> bool:
    """Whether ``new`` reads as a change of ``old``: the same ingress resource, or the same group and
    protocol with the same ports or the same source."""
    if old.owner == new.owner != new.group:
        return True
    return (old.group, old.protocol) == (new.group, new.protocol) and (
        old.ports == new.ports or old.source == new.source
    )


def ingress_broadenings(old: list[Ingress], new: list[Ingress]) -> Iterator[tuple[str, str]]:
    """(owner, what) for each new rule no old rule covers."""
    for rule in new:
        if any(covers(o, rule) for o in old):
            continue
        was = [o for o in old if _was(o, rule)]
        if was:
            yield rule.owner, f"ingress to {rule.group} widened: {rule} (was {', '.join(map(str, was))})"
        else:
            yield rule.owner, f"new ingress to {rule.group}: {rule}"


# ---------------------------------------------------------------------------
# per stack


def broadenings(diff: StackDiff) -> list[Change]:
    """The broadenings of one stack, one :class:`Change` per resource."""
    back = diff.renamed  # new id -> old id
    forward = {old: new for new, old in back.items()}
    # The old side in the new ids: a renamed resource's grants compare equal, and details read in today's ids.
    old_res = {forward.get(lid, lid): rename(res, forward) for lid, res in diff.old_res.items()}
    found: dict[str, list[str]] = {}
    for lid in (*diff.new_res, *(k for k in old_res if k not in diff.new_res)):
        if lines := resource_broadenings(old_res.get(lid), diff.new_res.get(lid)):
            found.setdefault(lid, []).extend(lines)
    for owner, line in ingress_broadenings(list(ingress_rules(old_res)), list(ingress_rules(diff.new_res))):
        found.setdefault(owner, []).append(line)
    types = {lid: res.get("Type") for lid, res in (*old_res.items(), *diff.new_res.items())}
    return [Change(diff.name, lid, str(types[lid]), Kind.BROADEN, tuple(lines)) for lid, lines in found.items()]
