"""ELBv2 load balancers and target groups (override moto's).

moto's ``AWS::ElasticLoadBalancingV2::LoadBalancer`` ignores
``LoadBalancerAttributes`` (deletion protection, access logs, drop invalid
headers...), ``Type``, ``IpAddressType`` and ``Tags``, and its GetAtt fails
for ``CanonicalHostedZoneID``, ``LoadBalancerFullName`` and
``SecurityGroups`` -- CDK uses the first for Route 53 alias records and the
second for every ALB metric. Its ``TargetGroup`` ignores
``TargetGroupAttributes``, ``HealthCheckEnabled`` and ``Tags`` and supports
no GetAtt at all (CDK's target-group metrics need ``TargetGroupFullName``).
Both are created here through moto's ELBv2 backend; listeners and listener
rules remain moto's (they already keep redirect / fixed-response actions
and http-header conditions), with deleters (moto's have none).

Like AWS, a load balancer owns one requester-managed network interface per
subnet ("ELB app/NAME/ID", in its security groups), removed with it, so a
subnet or VPC cannot be deleted while the load balancer exists.

As ELB does, enabling access logs to a bucket that is SSE-KMS encrypted or
whose policy does not let ELB write there fails with
``InvalidConfigurationRequest`` (pitfalls D7, D19), and an HTTPS listener
whose ACM certificate is not ``ISSUED`` fails with ``CertificateNotFound``
(``service_rules.elbv2``).
"""

from __future__ import annotations

import contextlib
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.ec2.models import ec2_backends
from moto.elbv2.models import elbv2_backends

from ..engine import replace, require_pinned_moto
from ..engine.registry import deleter
from ..facts import ALB_HOSTED_ZONES, NLB_HOSTED_ZONES
from ._base import Provider, tags_list
from .service_rules import ServiceRuleError
from .service_rules import elbv2 as elbv2_rules


def _backend(p: Provider) -> Any:
    return elbv2_backends[p.account_id][p.region_name]


class LoadBalancer(Provider, CloudFormationModel):
    TYPE = "AWS::ElasticLoadBalancingV2::LoadBalancer"
    NAME_PROPERTY = "Name"
    ATTRIBUTES = (
        "CanonicalHostedZoneID",
        "DNSName",
        "LoadBalancerArn",
        "LoadBalancerFullName",
        "LoadBalancerName",
        "SecurityGroups",
    )

    def create(self, props: dict[str, Any]) -> str:
        name = props.get("Name") or self.resource_name
        lb = _backend(self).create_load_balancer(
            name=name,
            security_groups=props.get("SecurityGroups") or [],
            subnet_ids=props.get("Subnets") or [],
            subnet_mappings=props.get("SubnetMappings"),
            scheme=props.get("Scheme", "internet-facing"),
            loadbalancer_type=props.get("Type", "application"),
            ip_address_type=props.get("IpAddressType", "ipv4"),
            tags=tags_list(props),
        )
        try:
            self._apply_attributes({}, props, lb.arn)
        except ServiceRuleError:
            # the create fails: nothing of it may stay behind
            _backend(self).delete_load_balancer(lb.arn)
            raise
        zones = NLB_HOSTED_ZONES if props.get("Type") == "network" else ALB_HOSTED_ZONES
        lb.canonical_hosted_zone_id = zones.get(self.region_name, lb.canonical_hosted_zone_id)
        full_name = lb.arn.split(":loadbalancer/", 1)[1]
        self._create_enis(lb, full_name)
        self.attributes = {
            "CanonicalHostedZoneID": lb.canonical_hosted_zone_id,
            "DNSName": lb.dns_name,
            "LoadBalancerArn": lb.arn,
            "LoadBalancerFullName": full_name,
            "LoadBalancerName": lb.name,
            "SecurityGroups": list(lb.security_groups or []),
        }
        return lb.arn

    def _apply_attributes(self, old: dict[str, Any], new: dict[str, Any], arn: str) -> None:
        attrs = {a["Key"]: str(a["Value"]) for a in new.get("LoadBalancerAttributes") or []}
        if attrs:
            current = dict(getattr(_backend(self).load_balancers.get(arn), "attrs", None) or {})
            elbv2_rules.check_access_logs(self, {**current, **attrs}, arn)
            _backend(self).modify_load_balancer_attributes(arn, attrs)

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        replace_keys = ("Name", "Scheme", "Type")
        if any(old.get(k) != new.get(k) for k in replace_keys):
            self.delete_resource()
            self.physical_id = self.create(new)
            return
        backend = _backend(self)
        lb = backend.load_balancers[self.physical_id]
        if old.get("SecurityGroups") != new.get("SecurityGroups"):
            backend.set_security_groups(self.physical_id, new.get("SecurityGroups") or [])
            self.attributes["SecurityGroups"] = list(new.get("SecurityGroups") or [])
        if old.get("Subnets") != new.get("Subnets") and new.get("Subnets"):
            backend.set_subnets(self.physical_id, new["Subnets"], [])
            self._delete_enis()
            self._create_enis(lb, self.attributes["LoadBalancerFullName"])
        if old.get("Tags") != new.get("Tags"):
            backend.add_tags([lb.arn], tags_list(new))
        self._apply_attributes(old, new, lb.arn)

    def _create_enis(self, lb: Any, full_name: str) -> None:
        ec2: Any = ec2_backends[self.account_id][self.region_name]
        self.eni_ids = []
        for subnet in lb.subnets:
            eni = ec2.create_network_interface(
                subnet, None, group_ids=list(lb.security_groups or []), description=f"ELB {full_name}"
            )
            self.eni_ids.append(eni.id)

    def _delete_enis(self) -> None:
        ec2 = ec2_backends[self.account_id][self.region_name]
        for eni_id in getattr(self, "eni_ids", []):
            eni = ec2.enis.get(eni_id)
            if eni is not None:
                eni.delete()
        self.eni_ids = []

    def delete_resource(self) -> None:
        _backend(self).delete_load_balancer(self.physical_id)
        self._delete_enis()


class TargetGroup(Provider, CloudFormationModel):
    TYPE = "AWS::ElasticLoadBalancingV2::TargetGroup"
    NAME_PROPERTY = "Name"
    ATTRIBUTES = ("LoadBalancerArns", "TargetGroupArn", "TargetGroupFullName", "TargetGroupName")

    def create(self, p: dict[str, Any]) -> str:
        name = p.get("Name") or self.resource_name
        matcher = p.get("Matcher")
        tg = _backend(self).create_target_group(
            name=name,
            vpc_id=p.get("VpcId"),
            protocol=p.get("Protocol"),
            protocol_version=p.get("ProtocolVersion"),
            port=p.get("Port"),
            healthcheck_protocol=p.get("HealthCheckProtocol"),
            healthcheck_port=p.get("HealthCheckPort"),
            healthcheck_path=p.get("HealthCheckPath"),
            healthcheck_interval_seconds=p.get("HealthCheckIntervalSeconds"),
            healthcheck_timeout_seconds=p.get("HealthCheckTimeoutSeconds"),
            healthcheck_enabled=str(p["HealthCheckEnabled"]).lower()
            if p.get("HealthCheckEnabled") is not None
            else None,
            healthy_threshold_count=p.get("HealthyThresholdCount"),
            unhealthy_threshold_count=p.get("UnhealthyThresholdCount"),
            matcher=matcher,
            target_type=p.get("TargetType"),
            ip_address_type=p.get("IpAddressType"),
            tags=tags_list(p),
        )
        attrs = {a["Key"]: str(a["Value"]) for a in p.get("TargetGroupAttributes") or []}
        if attrs:
            _backend(self).modify_target_group_attributes(tg.arn, attrs)
        if p.get("Targets"):
            _backend(self).register_targets(tg.arn, [{"Id": t["Id"], "Port": t.get("Port")} for t in p["Targets"]])
        self._tg = tg
        self.attributes = {
            "TargetGroupArn": tg.arn,
            "TargetGroupFullName": tg.arn.split(":", 5)[5],
            "TargetGroupName": tg.name,
        }
        return tg.arn

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name == "LoadBalancerArns":
            return list(getattr(self._tg, "load_balancer_arns", []) or [])
        return super().get_cfn_attribute(attribute_name)

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        replace_keys = ("Name", "Port", "Protocol", "VpcId", "TargetType", "ProtocolVersion")
        if any(old.get(k) != new.get(k) for k in replace_keys):
            self.delete_resource()
            self.physical_id = self.create(new)
            return
        backend = _backend(self)
        backend.modify_target_group(
            arn=self.physical_id,
            health_check_proto=new.get("HealthCheckProtocol"),
            health_check_port=new.get("HealthCheckPort"),
            health_check_path=new.get("HealthCheckPath"),
            health_check_interval=new.get("HealthCheckIntervalSeconds"),
            health_check_timeout=new.get("HealthCheckTimeoutSeconds"),
            healthy_threshold_count=new.get("HealthyThresholdCount"),
            unhealthy_threshold_count=new.get("UnhealthyThresholdCount"),
            http_codes=(new.get("Matcher") or {}).get("HttpCode"),
            health_check_enabled=new.get("HealthCheckEnabled"),
        )
        attrs = {a["Key"]: str(a["Value"]) for a in new.get("TargetGroupAttributes") or []}
        if attrs:
            backend.modify_target_group_attributes(self.physical_id, attrs)

    def delete_resource(self) -> None:
        with contextlib.suppress(Exception):
            _backend(self).delete_target_group(self.physical_id)


def _tolerant_delete(action: Any, arn: str) -> None:
    try:
        action(arn)
    except Exception as exc:
        if "NotFound" not in f"{type(exc).__name__} {exc}":
            raise


@deleter("AWS::ElasticLoadBalancingV2::Listener")
def _delete_listener(listener: Any, account_id: str, region_name: str) -> None:
    _tolerant_delete(elbv2_backends[account_id][region_name].delete_listener, listener.arn)


@deleter("AWS::ElasticLoadBalancingV2::ListenerRule")
def _delete_listener_rule(rule: Any, account_id: str, region_name: str) -> None:
    _tolerant_delete(elbv2_backends[account_id][region_name].delete_rule, rule.arn)


# -- deletion protection ----------------------------------------------------------
#
# moto deletes a load balancer whatever its ``deletion_protection.enabled``
# says. AWS refuses (OperationNotPermitted), so a stack with a protected ALB
# ends in DELETE_FAILED until an operator turns the attribute off -- which is
# what webstack's deletion_protection=True environments rely on.


def install() -> None:
    require_pinned_moto(__name__)
    from moto.elbv2.exceptions import ELBClientError
    from moto.elbv2.models import ELBv2Backend

    class OperationNotPermitted(ELBClientError):
        code = "OperationNotPermittedException"  # wire code OperationNotPermitted (from the model)

    original = ELBv2Backend.delete_load_balancer

    def delete_load_balancer(self: Any, arn: str) -> None:
        lb = self.load_balancers.get(arn)
        if lb is not None and str(lb.attrs.get("deletion_protection.enabled", "false")).lower() == "true":
            raise OperationNotPermitted(
                f"Load balancer '{arn}' cannot be deleted because deletion protection is enabled"
            )
        return original(self, arn)

    replace(ELBv2Backend, "delete_load_balancer", delete_load_balancer)
    elbv2_rules.install()
