"""``AWS::IAM::ServiceLinkedRole`` (missing in moto's CloudFormation).

Creates the role AWS would create for ``AWSServiceName`` --
``/aws-service-role/<service>/AWSServiceRoleFor<Name>[_<suffix>]`` trusted by
that service -- through moto's IAM backend (``get_role`` finds it), e.g. the
Auto Scaling role a customer-managed EBS key policy must name (pitfall D1).
If the role already exists (it is per account) creation fails like AWS's
"has been taken in this account", unless it was made by this stack.
Ref = role name.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.iam.models import iam_backends

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
