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

``AWS::EC2::SecurityGroup`` (moto's, completed by :func:`install`): inline
``SecurityGroupIngress``/``SecurityGroupEgress`` rules are authorized as the
standalone ones are (moto took only CIDR and group sources of inline ingress,
as a string, and ignored inline egress; a template's egress list replaces the
default allow-all rule, as in EC2-VPC); an update that changes no create-only
property (``GroupDescription``, ``GroupName``, ``VpcId``: the type's schema)
sets tags and inline rules in place, as CloudFormation does ("No
interruption"). moto deleted and re-created the group on every update, which
failed for a group in use (DependencyViolation) -- a config tag change failed
dev's deploy.

Every rule, inline or standalone, counts against the 60-rule quota as AWS
counts it -- a prefix list by its size -- and the rule over it fails with
``RulesPerSecurityGroupLimitExceeded`` (pitfall D9; ``service_rules.ec2``).
"""

from __future__ import annotations

import contextlib
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.ec2.models import ec2_backends

from ..engine import replace, require_pinned_moto
from ..engine.registry import deleter
from ..facts import CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST_NAME, CLOUDFRONT_ORIGIN_FACING_PREFIX_LISTS
from ._base import Provider, ProviderError
from .service_rules import ec2 as ec2_rules


def rule_args(direction: str, resource_type: str, props: dict[str, Any]) -> dict[str, Any]:
    """moto's authorize_/revoke_security_group_<direction> arguments for one CloudFormation rule."""
    peer = "Source" if direction == "ingress" else "Destination"
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
        raise ProviderError(f"{resource_type} needs a CIDR, a security group or a prefix list")
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


class _RuleBase(Provider):
    DIRECTION = "ingress"

    def _backend(self) -> Any:
        return ec2_backends[self.account_id][self.region_name]

    def _rule_args(self, props: dict[str, Any]) -> dict[str, Any]:
        return rule_args(self.DIRECTION, self.TYPE, props)

    def create(self, props: dict[str, Any]) -> str:
        args = self._rule_args(props)
        authorize = getattr(self._backend(), f"authorize_security_group_{self.DIRECTION}")
        rules, _group = authorize(**args)
        self._args = args
        return rules[0].id if rules else self.generated_name()

    def delete_resource(self) -> None:
        revoke = getattr(self._backend(), f"revoke_security_group_{self.DIRECTION}")
        with contextlib.suppress(Exception):
            revoke(**self._args)


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


# -- deletion: what moto's EC2 models cannot do themselves -------------------
#
# moto's Route, SubnetRouteTableAssociation, RouteTable, VPCGatewayAttachment,
# InternetGateway, EIP, NatGateway, VPCEndpoint and FlowLog models have no
# CloudFormation delete (the resources silently stayed, and the VPC could not
# be deleted). These deleters do what CloudFormation's handlers do; a
# resource that is already gone counts as deleted. ``install`` also makes
# DeleteVpc/DeleteSubnet/DeleteSecurityGroup refuse like AWS while
# dependents (attached gateways, ENIs, groups, endpoints) exist, and gives
# an instance's implicit primary network interface DeleteOnTermination=true
# (AWS's default; moto left the ENIs of terminated ASG instances behind).


def _ec2(account_id: str, region_name: str) -> Any:
    return ec2_backends[account_id][region_name]


def _gone(exc: BaseException) -> bool:
    text = f"{type(exc).__name__} {getattr(exc, 'code', '')} {exc}"
    return "NotFound" in text or "does not exist" in text


def _tolerant(fn: Any) -> Any:
    def run(resource: Any, account_id: str, region_name: str) -> None:
        try:
            fn(resource, account_id, region_name)
        except Exception as exc:
            if not _gone(exc):
                raise

    run.__name__ = fn.__name__
    return run


@deleter("AWS::EC2::Route")
@_tolerant
def _delete_route(route: Any, account_id: str, region_name: str) -> None:
    prefix_list = getattr(route, "destination_prefix_list", None)
    _ec2(account_id, region_name).delete_route(
        route.route_table.id,
        route.destination_cidr_block,
        destination_ipv6_cidr_block=route.destination_ipv6_cidr_block,
        destination_prefix_list_id=getattr(prefix_list, "id", prefix_list),
    )


@deleter("AWS::EC2::SubnetRouteTableAssociation")
@_tolerant
def _delete_association(assoc: Any, account_id: str, region_name: str) -> None:
    ec2 = _ec2(account_id, region_name)
    ec2.subnet_associations.pop(f"{assoc.route_table_id}:{assoc.subnet_id}", None)
    table = ec2.route_tables.get(assoc.route_table_id)
    if table is None:
        return
    for association_id, subnet_id in list(table._associations.items()):
        if subnet_id == assoc.subnet_id:
            ec2.disassociate_route_table(association_id)


def _associate_for_real(original: Any) -> Any:
    """moto's AWS::EC2::SubnetRouteTableAssociation only records the pair:
    the route table never gets the subnet (DescribeRouteTables shows no
    association, the subnet keeps using the main table). Associate it, and
    make the association id (rtbassoc-...) the physical id, as in AWS."""

    def create_from_cloudformation_json(
        cls: Any, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> Any:
        assoc = original.__func__(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        assoc.association_id = _ec2(account_id, region_name).associate_route_table(
            assoc.route_table_id, subnet_id=assoc.subnet_id
        )
        return assoc

    return classmethod(create_from_cloudformation_json)


@deleter("AWS::EC2::RouteTable")
@_tolerant
def _delete_route_table(table: Any, account_id: str, region_name: str) -> None:
    _ec2(account_id, region_name).delete_route_table(table.id)


@deleter("AWS::EC2::VPCGatewayAttachment")
@_tolerant
def _delete_gateway_attachment(attachment: Any, account_id: str, region_name: str) -> None:
    ec2 = _ec2(account_id, region_name)
    if attachment.gateway_id.startswith("vgw-"):
        ec2.detach_vpn_gateway(attachment.gateway_id, attachment.vpc_id)
    else:
        igw = ec2.internet_gateways.get(attachment.gateway_id)
        if igw is not None and igw.vpc is not None and igw.vpc.id == attachment.vpc_id:
            ec2.detach_internet_gateway(attachment.gateway_id, attachment.vpc_id)


@deleter("AWS::EC2::InternetGateway")
@_tolerant
def _delete_internet_gateway(igw: Any, account_id: str, region_name: str) -> None:
    _ec2(account_id, region_name).delete_internet_gateway(igw.id)


@deleter("AWS::EC2::EIP")
@_tolerant
def _delete_eip(eip: Any, account_id: str, region_name: str) -> None:
    ec2 = _ec2(account_id, region_name)
    if eip.association_id:
        # AWS: "InvalidIPAddress.InUse" unless the NAT gateway/instance went first
        raise ProviderError(f"Elastic IP {eip.allocation_id} is still associated ({eip.association_id})")
    ec2.release_address(allocation_id=eip.allocation_id)


@deleter("AWS::EC2::NatGateway")
@_tolerant
def _delete_nat_gateway(nat: Any, account_id: str, region_name: str) -> None:
    ec2 = _ec2(account_id, region_name)
    eni = getattr(nat, "_eni", None)
    if eni is not None:
        for eip in list(ec2.addresses):
            if eip.eni is eni and eip.association_id:
                ec2.disassociate_address(association_id=eip.association_id)
        if eni.id in ec2.enis:
            eni.delete()
    ec2.delete_nat_gateway(nat.id)  # stays visible as "deleted", as in AWS


@deleter("AWS::EC2::VPCEndpoint")
@_tolerant
def _delete_vpc_endpoint(endpoint: Any, account_id: str, region_name: str) -> None:
    ec2 = _ec2(account_id, region_name)
    ec2.delete_vpc_endpoints([endpoint.id])
    ec2.vpc_end_points.pop(endpoint.id, None)


@deleter("AWS::EC2::FlowLog")
@_tolerant
def _delete_flow_log(flow_log: Any, account_id: str, region_name: str) -> None:
    _ec2(account_id, region_name).delete_flow_logs([flow_log.id])


def _vpc_dependents(ec2: Any, vpc_id: str) -> list[str]:
    found = []
    found += [
        f"internet gateway {g.id}" for g in ec2.internet_gateways.values() if g.vpc is not None and g.vpc.id == vpc_id
    ]
    found += [f"network interface {e.id}" for e in ec2.enis.values() if getattr(e.subnet, "vpc_id", None) == vpc_id]
    found += [f"security group {g.id}" for g in ec2.groups.get(vpc_id, {}).values() if g.name != "default"]
    found += [
        f"VPC endpoint {e.id}" for e in ec2.vpc_end_points.values() if e.vpc_id == vpc_id and e.state != "deleted"
    ]
    found += [f"NAT gateway {n.id}" for n in ec2.nat_gateways.values() if n.vpc_id == vpc_id and n.state != "deleted"]
    return found


SECURITY_GROUP = "AWS::EC2::SecurityGroup"
GROUP_CREATE_ONLY = ("GroupDescription", "GroupName", "VpcId")
ALL_OUTBOUND = {"group_name_or_id": "", "ip_protocol": "-1", "from_port": None, "to_port": None}
INLINE = {"SecurityGroupIngress": "ingress", "SecurityGroupEgress": "egress"}


def _inline_rules(backend: Any, group: Any, props: dict[str, Any], *, revoke: bool = False) -> None:
    for key, direction in INLINE.items():
        verb = "revoke" if revoke else "authorize"
        call = getattr(backend, f"{verb}_security_group_{direction}")
        for rule in props.get(key) or []:
            call(**rule_args(direction, SECURITY_GROUP, {**rule, "GroupId": group.id}), vpc_id=group.vpc_id)


def _set_tags(backend: Any, group: Any, old: dict[str, Any], new: dict[str, Any]) -> None:
    before = {t["Key"]: t["Value"] for t in old.get("Tags") or []}
    after = {t["Key"]: t["Value"] for t in new.get("Tags") or []}
    if gone := {k: v for k, v in before.items() if k not in after}:
        backend.delete_tags([group.id], gone)
    if after:
        backend.create_tags([group.id], after)


def _install_security_group_rules_and_updates() -> None:
    import copy

    from moto.ec2.models.security_groups import SecurityGroup

    create = vars(SecurityGroup)["create_from_cloudformation_json"].__func__
    update = vars(SecurityGroup)["update_from_cloudformation_json"].__func__
    remembered = "_webstack_properties"

    def create_group(
        cls: Any, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kw: Any
    ) -> Any:
        props = cloudformation_json["Properties"]
        bare = {**cloudformation_json, "Properties": {k: v for k, v in props.items() if k not in INLINE}}
        group = create(cls, resource_name, bare, account_id, region_name, **kw)
        backend = ec2_backends[account_id][region_name]
        if props.get("SecurityGroupEgress") and group.vpc_id:
            backend.revoke_security_group_egress(
                **{**ALL_OUTBOUND, "group_name_or_id": group.id},
                ip_ranges=[{"CidrIp": "0.0.0.0/0"}],
                vpc_id=group.vpc_id,
            )
        _inline_rules(backend, group, props)
        setattr(group, remembered, copy.deepcopy(props))
        return group

    def update_group(
        cls: Any,
        *,
        original_resource: Any,
        new_resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
    ) -> Any:
        old, new = getattr(original_resource, remembered, None), cloudformation_json["Properties"]
        if old is None or any(old.get(k) != new.get(k) for k in GROUP_CREATE_ONLY):
            # Replacement (moto deletes the old group first; AWS creates the new one first).
            return update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name)
        backend = ec2_backends[account_id][region_name]
        _set_tags(backend, original_resource, old, new)
        _inline_rules(backend, original_resource, old, revoke=True)
        _inline_rules(backend, original_resource, new)
        setattr(original_resource, remembered, copy.deepcopy(new))
        return original_resource

    replace(SecurityGroup, "create_from_cloudformation_json", classmethod(create_group))
    replace(SecurityGroup, "update_from_cloudformation_json", classmethod(update_group))


def install() -> None:
    """Make EC2 deletions as strict (and instance ENIs as tidy) as AWS."""
    require_pinned_moto(__name__)
    _install_security_group_rules_and_updates()
    from moto.ec2.exceptions import DependencyViolationError
    from moto.ec2.models import EC2Backend
    from moto.ec2.models.instances import Instance

    original_delete_vpc = EC2Backend.delete_vpc
    original_delete_subnet = EC2Backend.delete_subnet
    original_prep_nics = Instance.prep_nics

    def delete_vpc(self: Any, vpc_id: str) -> Any:
        dependents = _vpc_dependents(self, vpc_id)
        if dependents:
            raise DependencyViolationError(
                f"The vpc '{vpc_id}' has dependencies and cannot be deleted. ({', '.join(sorted(dependents))})"
            )
        return original_delete_vpc(self, vpc_id)

    def delete_subnet(self: Any, subnet_id: str) -> Any:
        enis = sorted(e.id for e in self.enis.values() if getattr(e.subnet, "id", None) == subnet_id)
        if enis:
            raise DependencyViolationError(
                f"The subnet '{subnet_id}' has dependencies and cannot be deleted."
                f" (network interfaces {', '.join(enis)})"
            )
        return original_delete_subnet(self, subnet_id)

    def prep_nics(self: Any, nic_spec: Any, *args: Any, **kwargs: Any) -> Any:
        explicit = {int(n.get("DeviceIndex", 0)): n for n in (nic_spec or [])}
        before = set(self.ec2_backend.enis)
        result = original_prep_nics(self, nic_spec, *args, **kwargs)
        for index, nic in self.nics.items():
            spec = explicit.get(index, {})
            if nic.id not in before and spec.get("DeleteOnTermination") is None:
                nic.delete_on_termination = True
        return result

    original_delete_group = EC2Backend._delete_security_group

    def _delete_security_group(self: Any, vpc_id: str | None, group_id: str) -> Any:
        users = sorted(e.id for e in self.enis.values() if group_id in {g.id for g in e.group_set})
        if users:
            raise DependencyViolationError(
                f"resource {group_id} has a dependent object (network interfaces {', '.join(users)})"
            )
        return original_delete_group(self, vpc_id, group_id)

    replace(EC2Backend, "_delete_security_group", _delete_security_group)
    from moto.ec2.models.subnets import SubnetRouteTableAssociation

    replace(
        SubnetRouteTableAssociation,
        "create_from_cloudformation_json",
        _associate_for_real(vars(SubnetRouteTableAssociation)["create_from_cloudformation_json"]),
    )
    replace(
        SubnetRouteTableAssociation,
        "physical_resource_id",
        property(lambda self: getattr(self, "association_id", None) or self.route_table_id),
    )
    replace(EC2Backend, "delete_vpc", delete_vpc)
    replace(EC2Backend, "delete_subnet", delete_subnet)
    replace(Instance, "prep_nics", prep_nics)
    _install_published_prefix_list_ids()
    ec2_rules.install()


def _install_published_prefix_list_ids() -> None:
    """moto gives AWS-managed prefix lists random ids; AWS publishes a fixed id
    per region for CloudFront's origin-facing list, and templates reference it
    (security groups that admit CloudFront only). Use the published ids."""
    from moto.ec2.models.managed_prefixes import ManagedPrefixListBackend

    original = ManagedPrefixListBackend._create_aws_managed_prefix_list

    def create(self: Any, name: str, address_family: str, entries: list[dict[str, str]]) -> None:
        original(self, name, address_family, entries)
        published = CLOUDFRONT_ORIGIN_FACING_PREFIX_LISTS.get(getattr(self, "region_name", ""))
        if name != CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST_NAME or not published:
            return
        for list_id, prefix_list in list(self.managed_prefix_lists.items()):
            if prefix_list.prefix_list_name == CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST_NAME and list_id != published:
                del self.managed_prefix_lists[list_id]
                prefix_list.id = published
                self.managed_prefix_lists[published] = prefix_list

    replace(ManagedPrefixListBackend, "_create_aws_managed_prefix_list", create)
