"""EC2 security-group rules as standalone resources.

``AWS::EC2::SecurityGroupIngress`` (overrides moto's): moto's version asserts
that a source is a CIDR or a group, so ``SourcePrefixListId`` (an ALB open
only to CloudFront's origin-facing prefix list) fails with AssertionError;
it also never revokes the rule on delete.

``AWS::EC2::SecurityGroupEgress`` (missing in moto): CDK emits it whenever a
group with ``allow_all_outbound=False`` (every ALB) gets a rule from
``connections.allow_to(...)``.

Both map onto ``authorize_/revoke_security_group_{ingress,egress}`` of moto's
EC2 backend, so ``describe_security_groups`` shows the rule. Ref returns the
rule id (``sgr-...``), as CloudFormation does.
"""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.ec2.models import ec2_backends

from ._base import Provider, ProviderError


class _RuleBase(Provider):
    DIRECTION = "ingress"

    def _backend(self) -> Any:
        return ec2_backends[self.account_id][self.region_name]

    def _rule_args(self, props: dict[str, Any]) -> dict[str, Any]:
        peer = "Source" if self.DIRECTION == "ingress" else "Destination"
        ip_ranges: list[dict[str, Any]] = []
        if props.get("CidrIp"):
            ip_ranges.append({"CidrIp": props["CidrIp"], "Description": props.get("Description")})
        if props.get("CidrIpv6"):
            ip_ranges.append({"CidrIpv6": props["CidrIpv6"], "Description": props.get("Description")})
        groups = []
        group_ref = props.get(f"{peer}SecurityGroupId")
        if group_ref:
            entry = {"GroupId": group_ref}
            if props.get("Description"):
                entry["Description"] = props["Description"]
            groups.append(entry)
        if props.get("SourceSecurityGroupName"):
            groups.append({"GroupName": props["SourceSecurityGroupName"]})
        prefix_lists = []
        if props.get(f"{peer}PrefixListId"):
            entry = {"PrefixListId": props[f"{peer}PrefixListId"]}
            if props.get("Description"):
                entry["Description"] = props["Description"]
            prefix_lists.append(entry)
        if not (ip_ranges or groups or prefix_lists):
            raise ProviderError(f"{self.TYPE} needs a CIDR, a security group or a prefix list")
        protocol = str(props.get("IpProtocol", ""))
        if not protocol:
            raise ProviderError("IpProtocol is required")
        group_id = props.get("GroupId") or props.get("GroupName")
        if not group_id:
            raise ProviderError("GroupId is required")
        all_ports = protocol in ("-1", "all")
        return {
            "group_name_or_id": group_id,
            "ip_protocol": protocol,
            "from_port": None if all_ports else props.get("FromPort"),
            "to_port": None if all_ports else props.get("ToPort"),
            "ip_ranges": ip_ranges,
            "source_groups": groups,
            "prefix_list_ids": prefix_lists,
        }

    def create(self, props: dict[str, Any]) -> str:
        args = self._rule_args(props)
        authorize = getattr(self._backend(), f"authorize_security_group_{self.DIRECTION}")
        rules, _group = authorize(**args)
        self._args = args
        return rules[0].id if rules else self.generated_name()

    def delete_resource(self) -> None:
        revoke = getattr(self._backend(), f"revoke_security_group_{self.DIRECTION}")
        try:
            revoke(**self._args)
        except Exception:  # noqa: BLE001 - group already gone (deleted first)
            pass


class SecurityGroupIngress(_RuleBase, CloudFormationModel):
    TYPE = "AWS::EC2::SecurityGroupIngress"
    ATTRIBUTES = ("Id",)
    DIRECTION = "ingress"

    def create(self, props: dict[str, Any]) -> str:
        rule_id = super().create(props)
        self.attributes = {"Id": rule_id}
        return rule_id


class SecurityGroupEgress(_RuleBase, CloudFormationModel):
    TYPE = "AWS::EC2::SecurityGroupEgress"
    ATTRIBUTES = ("Id",)
    DIRECTION = "egress"

    def create(self, props: dict[str, Any]) -> str:
        rule_id = super().create(props)
        self.attributes = {"Id": rule_id}
        return rule_id
