"""``AWS::SecretsManager::SecretTargetAttachment`` (missing in moto's
CloudFormation).

CloudFormation completes a database credential secret with the target's
connection details
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-secretsmanager-secrettargetattachment.html;
the keys are those of
https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_secret_json_structure.html):
``engine``, ``host``, ``port`` and ``dbInstanceIdentifier`` (an
``AWS::RDS::DBInstance``) or ``dbClusterIdentifier`` (an
``AWS::RDS::DBCluster``), read from moto's RDS backend and written as a new
``AWSCURRENT`` version with ``put_secret_value`` -- ``get_secret_value``
shows them next to the username and password. Ref and GetAtt ``Id`` = the
secret's ARN. All three properties update in place (the secret is completed
again for the new target). Delete leaves the secret as it is: AWS does not
document removing the keys. Other target types (RDS proxies, Redshift,
DocumentDB) are not emulated and fail loudly.
"""

from __future__ import annotations

import json
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.moto_api._internal import mock_random
from moto.rds.models import rds_backends
from moto.secretsmanager.models import secretsmanager_backends

from ._base import Provider, ProviderError


def _instance_details(rds: Any, target_id: str) -> dict[str, Any]:
    found = rds.databases.get(target_id)
    if found is None:
        # RDS's error for an unknown instance
        # (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBInstances.html#API_DescribeDBInstances_Errors).
        raise ProviderError(f"DBInstanceNotFound: DBInstance {target_id} not found.")
    return {
        "engine": found.engine,
        "host": found.address,
        "port": int(found.port),
        "dbInstanceIdentifier": found.db_instance_identifier,
    }


def _cluster_details(rds: Any, target_id: str) -> dict[str, Any]:
    found = rds.clusters.get(target_id)
    if found is None:
        # (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBClusters.html#API_DescribeDBClusters_Errors)
        raise ProviderError(f"DBClusterNotFoundFault: DBCluster {target_id} not found.")
    return {
        "engine": found.engine,
        "host": found.endpoint,
        "port": int(found.port),
        "dbClusterIdentifier": found.db_cluster_identifier,
    }


_TARGETS = {
    "AWS::RDS::DBInstance": _instance_details,
    "AWS::RDS::DBCluster": _cluster_details,
}


class SecretTargetAttachment(Provider, CloudFormationModel):
    TYPE = "AWS::SecretsManager::SecretTargetAttachment"
    ATTRIBUTES = ("Id",)

    def _details(self, props: dict[str, Any]) -> dict[str, Any]:
        reader = _TARGETS.get(props["TargetType"])
        if reader is None:
            raise ProviderError(
                f"not emulated: SecretTargetAttachment TargetType {props['TargetType']} "
                f"(the emulator completes {', '.join(sorted(_TARGETS))})"
            )
        return reader(rds_backends[self.account_id][self.region_name], str(props["TargetId"]))

    def _attach(self, props: dict[str, Any]) -> str:
        backend: Any = secretsmanager_backends[self.account_id][self.region_name]
        secret_id = str(props["SecretId"])
        try:
            secret = backend.describe_secret(secret_id)
            current = backend.get_secret_value(secret_id, None, "AWSCURRENT")
        except Exception as exc:
            raise ProviderError(
                "ResourceNotFoundException: Secrets Manager can't find the specified secret." + f" ({secret_id})"
            ) from exc
        try:
            doc = json.loads(current.get("SecretString") or "")
        except ValueError as exc:
            # What AWS answers for a secret that is not JSON is not documented.
            raise ProviderError(f"secret {secret_id} is not a JSON object; cannot attach a target") from exc
        doc.update(self._details(props))
        backend.put_secret_value(secret.name, json.dumps(doc), None, str(mock_random.uuid4()), ["AWSCURRENT"])
        return str(secret.arn)

    def create(self, props: dict[str, Any]) -> str:
        arn = self._attach(props)
        self.attributes = {"Id": arn}
        return arn

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        self.physical_id = self._attach(new)
        self.attributes = {"Id": self.physical_id}

    def delete_resource(self) -> None:
        return None
