"""``AWS::Logs::LogGroup`` (overrides moto's).

moto passes the CloudFormation properties to ``create_log_group`` as they
are, but the backend reads the API's ``kmsKeyId``, so ``KmsKeyId`` is
silently dropped (``describe_log_groups`` shows no key). Here the group is
created with its key, retention and tags; update changes retention and key
(``put_retention_policy`` / ``associate_kms_key``). Ref = name; GetAtt Arn
(``...:log-group:NAME:*``, as CloudFormation returns it).

As CloudWatch Logs does, a ``KmsKeyId`` that does not exist, is disabled, or
whose policy does not admit the regional Logs service fails the create or
update (``service_rules.logs``, pitfall D18).
"""

from __future__ import annotations

import contextlib
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.logs.models import logs_backends

from ._base import Provider
from .service_rules import kms as kms_rules
from .service_rules.logs import check_log_group_key


class LogGroup(Provider, CloudFormationModel):
    TYPE = "AWS::Logs::LogGroup"
    NAME_PROPERTY = "LogGroupName"
    ATTRIBUTES = ("Arn",)

    def _backend(self) -> Any:
        return logs_backends[self.account_id][self.region_name]

    def create(self, props: dict[str, Any]) -> str:
        name = props.get("LogGroupName") or self.resource_name
        kwargs: dict[str, Any] = {}
        if props.get("KmsKeyId"):
            check_log_group_key(self, name, props["KmsKeyId"])
            kwargs["kmsKeyId"] = props["KmsKeyId"]
        if props.get("RetentionInDays") is not None:
            kwargs["RetentionInDays"] = int(props["RetentionInDays"])
        tags = {t["Key"]: t["Value"] for t in props.get("Tags") or []}
        self._backend().create_log_group(name, tags, **kwargs)
        self.attributes = {"Arn": f"arn:aws:logs:{self.region_name}:{self.account_id}:log-group:{name}:*"}
        return name

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        if new.get("LogGroupName") and new["LogGroupName"] != self.physical_id:
            self.delete_resource()
            self.physical_id = self.create(new)
            return
        if new.get("KmsKeyId") and new.get("KmsKeyId") != old.get("KmsKeyId"):
            # AssociateKmsKey checks the key as CreateLogGroup does
            check_log_group_key(self, self.physical_id, new["KmsKeyId"])
        backend = self._backend()
        if new.get("RetentionInDays") is not None:
            backend.put_retention_policy(self.physical_id, int(new["RetentionInDays"]))
        elif old.get("RetentionInDays") is not None:
            backend.delete_retention_policy(self.physical_id)
        backend.groups[self.physical_id].kms_key_id = new.get("KmsKeyId")

    def delete_resource(self) -> None:
        with contextlib.suppress(Exception):
            self._backend().delete_log_group(self.physical_id)


def install() -> None:
    # moto serves AWS::KMS::Alias itself; the KMS rule for it (a name already
    # in use) is installed with the provider that depends on KMS keys.
    kms_rules.install()
