"""EC2: the rules-per-security-group quota, counting a prefix list by its size (pitfall D9).

"You can have 60 inbound and 60 outbound rules per security group ... This
quota is enforced separately for IPv4 rules and IPv6 rules ... A rule that
references a security group or prefix list ID counts as one rule for IPv4
and one rule for IPv6" -- but "When you reference a prefix list in a
security group rule, the maximum number of entries for the prefix lists
counts as the same number of rules for the security group"
(https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html#vpc-limits-security-groups,
https://docs.aws.amazon.com/vpc/latest/userguide/managed-prefix-lists.html).
AWS-managed lists count by their published weight
(https://docs.aws.amazon.com/vpc/latest/userguide/working-with-aws-managed-prefix-lists.html#aws-managed-prefix-list-weights):
CloudFront's origin-facing list counts 55, so a group admitting it on two
ports already has 110 rules.

Over the quota AuthorizeSecurityGroupIngress/Egress fails with
``RulesPerSecurityGroupLimitExceeded`` "The maximum number of rules per
security group has been reached." (aws/res#27: a prefix-list rule in
CloudFormation; the text is moto's error too). moto counts CIDRs and group
references only, IPv4 and IPv6 together, and prefix lists not at all; this
check runs before moto's in ``authorize_security_group_{ingress,egress}``,
which every path (inline rules of ``AWS::EC2::SecurityGroup``, standalone
``SecurityGroupIngress``/``Egress``, the API) goes through.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ...engine import replace, require_pinned_moto

# The default quota ("Inbound or outbound rules per security group").
RULES_PER_SECURITY_GROUP = 60

# Published weights of AWS-managed prefix lists (REGION in the name is any region).
AWS_MANAGED_PREFIX_LIST_WEIGHTS: tuple[tuple[re.Pattern[str], int], ...] = tuple(
    (re.compile(pattern), weight)
    for pattern, weight in (
        (r"^com\.amazonaws\.global\.(ipv6\.)?cloudfront\.origin-facing$", 55),
        (r"^com\.amazonaws\.[a-z0-9-]+\.dynamodb$", 1),
        (r"^com\.amazonaws\.[a-z0-9-]+\.(ipv6\.)?ec2-instance-connect$", 2),
        (r"^com\.amazonaws\.global\.groundstation$", 5),
        (r"^com\.amazonaws\.[a-z0-9-]+\.(ipv6\.)?route53-healthchecks$", 25),
        (r"^com\.amazonaws\.[a-z0-9-]+\.s3$", 1),
        (r"^com\.amazonaws\.[a-z0-9-]+\.s3express$", 6),
        (r"^com\.amazonaws\.[a-z0-9-]+\.(ipv6\.)?vpc-lattice$", 10),
    )
)


def prefix_list_weight(prefix_list: Any) -> int:
    """How many rules a reference to ``prefix_list`` (moto's) counts as."""
    if prefix_list is None:
        return 1
    if getattr(prefix_list, "max_entries", None):
        return int(prefix_list.max_entries)
    name = str(getattr(prefix_list, "prefix_list_name", "") or "")
    for pattern, weight in AWS_MANAGED_PREFIX_LIST_WEIGHTS:
        if pattern.match(name):
            return weight
    # An AWS-managed list with no published weight: counted as one rule.
    return 1


def _family_of_list(prefix_list: Any) -> str:
    return "IPv6" if str(getattr(prefix_list, "address_family", "IPv4")).lower() == "ipv6" else "IPv4"


def _add(counts: dict[str, int], family: str, n: int = 1) -> None:
    counts[family] = counts.get(family, 0) + n


def _count_entry(
    counts: dict[str, int], backend: Any, ip_range: Mapping[str, Any], group: Any, prefix_list_id: str | None
) -> None:
    if ip_range.get("CidrIp"):
        _add(counts, "IPv4")
    if ip_range.get("CidrIpv6"):
        _add(counts, "IPv6")
    if group:
        _add(counts, "IPv4")
        _add(counts, "IPv6")
    if prefix_list_id:
        prefix_list = backend.managed_prefix_lists.get(prefix_list_id)
        _add(counts, _family_of_list(prefix_list), prefix_list_weight(prefix_list))


def _existing(backend: Any, rules: Iterable[Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for rule in rules:
        _count_entry(counts, backend, rule.ip_range or {}, rule.source_group, rule.prefix_list_id)
    return counts


def _as_ip_ranges(ip_ranges: Any) -> list[Mapping[str, Any]]:
    if isinstance(ip_ranges, str):
        return [{"CidrIp": ip_ranges}]
    return [r if isinstance(r, Mapping) else {"CidrIp": str(r)} for r in ip_ranges or []]


def check_rule_quota(backend: Any, group: Any, egress: bool, kwargs: Mapping[str, Any]) -> None:
    """Refuse new rules that take ``group`` over the quota, per address family."""
    from moto.ec2.exceptions import RulesPerSecurityGroupLimitExceededError

    counts = _existing(backend, group.egress_rules if egress else group.ingress_rules)
    for ip_range in _as_ip_ranges(kwargs.get("ip_ranges")):
        _count_entry(counts, backend, ip_range, None, None)
    for source_group in kwargs.get("source_groups") or []:
        _count_entry(counts, backend, {}, source_group, None)
    for prefix_list in kwargs.get("prefix_list_ids") or []:
        _count_entry(counts, backend, {}, None, prefix_list.get("PrefixListId"))
    if getattr(group, "vpc_id", None) and max(counts.values(), default=0) > RULES_PER_SECURITY_GROUP:
        raise RulesPerSecurityGroupLimitExceededError()


def _quota_checked(original: Any, egress: bool) -> Any:
    # moto 5.2.5's parameter order, the same for ingress and egress
    names = (
        "group_name_or_id",
        "ip_protocol",
        "from_port",
        "to_port",
        "ip_ranges",
        "sgrule_tags",
        "source_groups",
        "prefix_list_ids",
        "security_rule_ids",
        "vpc_id",
    )

    @functools.wraps(original)
    def authorize(self: Any, *args: Any, **kwargs: Any) -> Any:
        arguments = dict(zip(names, args, strict=False), **kwargs)
        group = self.get_security_group_by_name_or_id(arguments.get("group_name_or_id"), arguments.get("vpc_id"))
        if group is not None:
            check_rule_quota(self, group, egress, arguments)
        return original(self, *args, **kwargs)

    return authorize


@functools.cache
def install() -> None:
    """Count rules as AWS does before moto authorizes them (once per process)."""
    require_pinned_moto(__name__)
    from moto.ec2.models import EC2Backend

    for name, egress in (("authorize_security_group_ingress", False), ("authorize_security_group_egress", True)):
        replace(EC2Backend, name, _quota_checked(getattr(EC2Backend, name), egress))
