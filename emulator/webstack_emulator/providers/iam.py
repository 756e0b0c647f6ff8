"""``AWS::IAM::ServiceLinkedRole`` (missing in moto's CloudFormation).

Creates the role AWS would create for ``AWSServiceName`` --
``/aws-service-role/<service>/AWSServiceRoleFor<Name>[_<suffix>]`` trusted by
that service -- through moto's IAM backend (``get_role`` finds it), e.g. the
Auto Scaling role a customer-managed EBS key policy must name (pitfall D1).
If the role already exists (it is per account) creation fails like AWS's
"has been taken in this account", unless it was made by this stack.
Ref = role name.

:func:`install` also completes moto's ``AWS::IAM::Role``, which ignored
``ManagedPolicyArns`` and, on update, kept the old inline policies and trust
policy (it updated the description only): a role now gets its managed
policies (AWS managed ones with the documents moto ships), an update
attaches/detaches and puts/deletes inline policies and replaces the trust
policy (AWS::IAM::Role: these properties update with "No interruption",
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-role.html),
and a delete detaches the managed policies first (IAM refuses DeleteRole with
attached policies: DeleteConflict, API_DeleteRole.html).
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.iam.models import iam_backends

from ..engine import replace
from ._base import PARTITION, Provider

# Role names AWS gives service-linked roles (service principal -> name part).
KNOWN_NAMES = {
    "autoscaling.amazonaws.com": "AutoScaling",
    "elasticloadbalancing.amazonaws.com": "ElasticLoadBalancing",
    "ecs.amazonaws.com": "ECS",
    "rds.amazonaws.com": "RDS",
    "spot.amazonaws.com": "EC2Spot",
}


class ServiceLinkedRole(Provider, CloudFormationModel):
    TYPE = "AWS::IAM::ServiceLinkedRole"
    ATTRIBUTES = ("RoleName",)

    def create(self, props: dict[str, Any]) -> str:
        service = props["AWSServiceName"]
        base = KNOWN_NAMES.get(service) or service.split(".")[0].title()
        name = f"AWSServiceRoleFor{base}" + (f"_{props['CustomSuffix']}" if props.get("CustomSuffix") else "")
        trust = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
        }
        iam_backends[self.account_id][PARTITION].create_role(
            role_name=name,
            assume_role_policy_document=json.dumps(trust),
            path=f"/aws-service-role/{service}/",
            permissions_boundary=None,
            description=props.get("Description") or "",
            tags=[],
            max_session_duration="3600",
            linked_service=service,
        )
        self.attributes = {"RoleName": name}
        return name

    def delete_resource(self) -> None:
        with contextlib.suppress(Exception):
            iam_backends[self.account_id][PARTITION].delete_role(self.physical_id)


def _managed_policy(backend: Any, arn: str) -> Any:
    """The policy ``arn`` names, an AWS managed one loaded on first use (moto
    loads none unless told to load all ~1,600 per account); IAM's error for an
    ARN that names nothing: NoSuchEntity "Policy ... does not exist or is not
    attachable" (https://docs.aws.amazon.com/IAM/latest/APIReference/API_AttachRolePolicy.html)."""
    from moto.iam.aws_managed_policies import aws_managed_policies_data
    from moto.iam.models import AWSManagedPolicy

    if arn in backend.managed_policies:
        return backend.managed_policies[arn]
    prefix = f"arn:{backend.partition}:iam::aws:policy/"
    if arn.startswith(prefix):
        data = json.loads(aws_managed_policies_data).get(arn.rsplit("/", 1)[-1])
        if data is not None:
            policy = AWSManagedPolicy.from_data(arn.rsplit("/", 1)[-1], backend.account_id, backend.region_name, data)
            if policy.arn == arn:  # the path matches too
                backend.managed_policies[arn] = policy
                return policy
    from moto.iam.exceptions import NotFoundException

    raise NotFoundException(f"Policy {arn} does not exist or is not attachable.")


def _sync_managed(backend: Any, role: Any, wanted: list[str]) -> None:
    for arn in wanted:
        if arn not in role.managed_policies:
            _managed_policy(backend, arn).attach_to(role)
    for arn in [a for a in role.managed_policies if a not in wanted]:
        backend.detach_role_policy(arn, role.name)


def _sync_inline(role: Any, policies: list[dict[str, Any]]) -> None:
    wanted = {p["PolicyName"]: p["PolicyDocument"] for p in policies}
    for name, document in wanted.items():
        role.put_policy(name, document if isinstance(document, str) else json.dumps(document))
    for name in [n for n in role.policies if n not in wanted]:
        role.delete_policy(name)


def install() -> None:
    from moto.iam.models import Role
    from moto.utilities.utils import get_partition

    create = Role.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]
    update = Role.update_from_cloudformation_json.__func__  # type: ignore[attr-defined]
    delete = Role.delete_from_cloudformation_json.__func__  # type: ignore[attr-defined]

    def create_role(
        cls: Any, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kw: Any
    ) -> Any:
        role = create(cls, resource_name, cloudformation_json, account_id, region_name, **kw)
        backend = iam_backends[account_id][get_partition(region_name)]
        try:
            _sync_managed(backend, role, list(cloudformation_json["Properties"].get("ManagedPolicyArns") or []))
        except Exception:
            # CloudFormation deletes what it failed to create; so does this.
            delete(cls, role.name, cloudformation_json, account_id, region_name)
            raise
        return role

    def update_role(
        cls: Any,
        *,
        original_resource: Any,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> Any:
        role = update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name)
        props = cloudformation_json["Properties"]
        backend = iam_backends[account_id][get_partition(region_name)]
        trust = props["AssumeRolePolicyDocument"]
        backend.update_assume_role_policy(role.name, trust if isinstance(trust, str) else json.dumps(trust))
        _sync_inline(role, list(props.get("Policies") or []))
        _sync_managed(backend, role, list(props.get("ManagedPolicyArns") or []))
        return role

    def delete_role(
        cls: Any, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        backend = iam_backends[account_id][get_partition(region_name)]
        with contextlib.suppress(Exception):  # a role already gone is moto's to report
            role = next(r for r in backend.roles.values() if r.name == resource_name)
            _sync_managed(backend, role, [])
        delete(cls, resource_name, cloudformation_json, account_id, region_name)

    replace(Role, "create_from_cloudformation_json", classmethod(create_role))
    replace(Role, "update_from_cloudformation_json", classmethod(update_role))
    replace(Role, "delete_from_cloudformation_json", classmethod(delete_role))
