"""``AWS::CertificateManager::Certificate`` (missing in moto's CloudFormation).

Requests the certificate from moto's ACM backend and completes DNS
validation the way CloudFormation does when ``DomainValidationOptions``
names a ``HostedZoneId`` for every domain: the validation CNAME is written
into that Route 53 hosted zone and the certificate becomes ``ISSUED``
(``describe_certificate``). Without a hosted zone AWS leaves the stack in
CREATE_IN_PROGRESS until someone adds the record by hand (pitfall D4); the
emulator fails the resource instead, naming the domain. EMAIL validation is
likewise never completed automatically and fails. Ref = certificate ARN.
"""

from __future__ import annotations

import contextlib
from typing import Any

from moto.acm.models import acm_backends
from moto.core.common_models import CloudFormationModel
from moto.route53.models import route53_backends

from ._base import PARTITION, Provider, ProviderError, tags_list


class Certificate(Provider, CloudFormationModel):
    TYPE = "AWS::CertificateManager::Certificate"

    def _backend(self) -> Any:
        return acm_backends[self.account_id][self.region_name]

    def create(self, props: dict[str, Any]) -> str:
        domain = props["DomainName"]
        sans = list(props.get("SubjectAlternativeNames") or [])
        method = props.get("ValidationMethod", "DNS")
        if props.get("CertificateAuthorityArn") is None:
            zones = {o["DomainName"]: o.get("HostedZoneId") for o in props.get("DomainValidationOptions") or []}
            if method != "DNS":
                raise ProviderError(f"{method} validation of {domain} never completes without a person")
            missing = [d for d in [domain, *sans] if not self._zone_for(d, zones)]
            if missing:
                raise ProviderError(
                    f"DNS validation for {', '.join(missing)} has no HostedZoneId in DomainValidationOptions; "
                    "CloudFormation would wait for a record nobody creates (pitfall D4)"
                )
        arn = self._backend().request_certificate(
            domain_name=domain,
            idempotency_token=None,
            subject_alt_names=sans or [domain],
            tags=tags_list(props),
            cert_authority_arn=props.get("CertificateAuthorityArn"),
            cert_options=(
                {"CertificateTransparencyLoggingPreference": props["CertificateTransparencyLoggingPreference"]}
                if props.get("CertificateTransparencyLoggingPreference")
                else None
            ),
        )
        cert = self._backend().get_certificate(arn)
        if props.get("CertificateAuthorityArn") is None:
            self._write_validation_records(cert, zones)
        cert.status = "ISSUED"
        return arn

    @staticmethod
    def _zone_for(domain: str, zones: dict[str, str | None]) -> str | None:
        bare = domain[2:] if domain.startswith("*.") else domain
        if zones.get(domain) or zones.get(bare):
            return zones.get(domain) or zones.get(bare)
        # CloudFormation also accepts the zone of a parent domain listed in
        # DomainValidationOptions for a SAN under it.
        for name, zone in zones.items():
            if zone and bare.endswith("." + name):
                return zone
        return None

    def _write_validation_records(self, cert: Any, zones: dict[str, str | None]) -> None:
        r53: Any = route53_backends[self.account_id][PARTITION]
        for option in cert.describe()["Certificate"]["DomainValidationOptions"]:
            zone = self._zone_for(option["DomainName"], zones)
            record = option["ResourceRecord"]
            try:
                r53.change_resource_record_sets(
                    zone,
                    [
                        {
                            "Action": "UPSERT",
                            "ResourceRecordSet": {
                                "Name": record["Name"],
                                "Type": "CNAME",
                                "TTL": 60,
                                "ResourceRecords": [{"Value": record["Value"]}],
                            },
                        }
                    ],
                )
            except Exception as exc:
                raise ProviderError(f"cannot write the validation record into hosted zone {zone}: {exc}") from exc

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        # Every property but Tags requires replacement in CloudFormation.
        if {k: v for k, v in old.items() if k != "Tags"} != {k: v for k, v in new.items() if k != "Tags"}:
            replacement = self.create(new)
            self.delete_resource()
            self.physical_id = replacement
        else:
            cert = self._backend().get_certificate(self.physical_id)
            cert.tags.add(tags_list(new))

    def delete_resource(self) -> None:
        with contextlib.suppress(Exception):
            self._backend().delete_certificate(self.physical_id)
