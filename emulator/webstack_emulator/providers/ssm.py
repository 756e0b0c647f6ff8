"""``AWS::SSM::Parameter`` without a ``Name`` (overrides moto's).

moto passes ``Properties.Name`` straight to ``put_parameter`` and fails with
AttributeError when it is absent -- the normal case for CDK's
``StringParameter`` without ``parameter_name``. CloudFormation then names the
parameter ``CFN-<LogicalId>-<suffix>``; here too, after which moto's own
implementation does the rest (create, update, delete, Ref = name).
"""

from __future__ import annotations

import copy
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.moto_api._internal import mock_random
from moto.ssm.models import Parameter as MotoParameter


class SsmParameter(CloudFormationModel):
    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::SSM::Parameter"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ("Type", "Value")

    @staticmethod
    def _named(resource_name: str, cloudformation_json: dict[str, Any], logical_id: str) -> dict[str, Any]:
        cfn = copy.deepcopy(cloudformation_json)
        props = cfn.setdefault("Properties", {})
        if not props.get("Name"):
            suffix = "".join(mock_random.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(12))
            props["Name"] = f"CFN-{logical_id}-{suffix}"
        return cfn

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> Any:
        cfn = cls._named(resource_name, cloudformation_json, kwargs.get("LogicalId", "Parameter"))
        return MotoParameter.create_from_cloudformation_json(
            cfn["Properties"]["Name"], cfn, account_id, region_name, **kwargs
        )

    @classmethod
    def update_from_cloudformation_json(
        cls, original_resource: Any, new_resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
    ) -> Any:
        cfn = copy.deepcopy(cloudformation_json)
        props = cfn.setdefault("Properties", {})
        if not props.get("Name"):
            props["Name"] = original_resource.name  # a generated name is kept
        return MotoParameter.update_from_cloudformation_json(
            original_resource, props["Name"], cfn, account_id, region_name
        )

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
    ) -> None:
        MotoParameter.delete_from_cloudformation_json(resource_name, cloudformation_json, account_id, region_name)

    def is_created(self) -> bool:
        return True
