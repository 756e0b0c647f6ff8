"""CloudFront VPC origins (``AWS::CloudFront::VpcOrigin``; moto 5.2.5 has no VPC-origin API at all).

A VPC origin lets a distribution reach a load balancer or instance in a VPC's
private subnets (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-vpc-origins.html).
The origins live in :data:`VPC_ORIGINS`; boto3's ``get_vpc_origin`` is *not*
served (known gap, like the cache policies). Ref and GetAtt ``Id`` = the id
(``vo_`` + 22 letters and digits, the form of the API reference's examples),
GetAtt ``Arn`` (``arn:aws:cloudfront::<account>:vpcorigin/<id>``), ``Status``
(``Deployed``), ``CreatedTime``, ``LastModifiedTime``
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudfront-vpcorigin.html).

What AWS refuses or does, as emulated (pitfalls D22):

* **In use, no update.** While a distribution names the origin in an
  origin's ``VpcOriginConfig``, an update (any property, tags included) and a
  delete fail with CloudFront's 409: "The specified VPC origin is currently
  associated with one or more distributions. Please disassociate the VPC
  origin from all distributions before updating or deleting" (the
  CloudFormation event text of aws/aws-cdk#35765 and #34629; the API's error
  code is ``CannotUpdateEntityWhileInUse``,
  https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_UpdateVpcOrigin.html).
* **The managed security group.** CloudFront creates a security group named
  ``CloudFront-VPCOrigins-Service-SG`` in the origin's VPC (aws-cdk-lib's
  aws_cloudfront_origins README, "The VPC origin service security group"; the
  service-linked role's policy AWSCloudFrontVPCOriginServiceRolePolicy creates
  security groups tagged ``aws.cloudfront.vpcorigin``). Here it is created in
  moto's EC2 backend with the first VPC origin of a VPC and deleted with the
  last, so deleting the VPC fails with ``DependencyViolation`` while a VPC
  origin exists (the reason ekristen/aws-nuke#615 removes VPC origins first).
  How long AWS keeps the group after the last origin is gone is not
  documented; the emulator deletes it at once.
* **An internet gateway.** The origin's VPC must have an internet gateway
  attached (a prerequisite on the VPC-origins page above; aws/aws-cdk#34069
  adds one to a VPC of private subnets only for that reason). The emulator
  refuses the create without one. The exact error code and text AWS answers
  are unknown (not documented, no public report found): the message below is
  the emulator's own and says so.
* **Internet-facing targets.** Whether AWS refuses a VPC origin whose ALB is
  internet-facing is unknown (the page speaks of private subnets; aws-cdk-lib's
  README says only that the ALB "is not needed to be publicly accessible"):
  not refused here.
* **A missing target.** An ``Arn`` that names no load balancer of the
  account: the create fails; AWS's text for it is unknown, the message says so.
"""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.core.utils import utcnow
from moto.moto_api._internal import mock_random

from . import on_reset
from ._base import Provider, ProviderError

MANAGED_SECURITY_GROUP = "CloudFront-VPCOrigins-Service-SG"
VPC_ORIGINS_PAGE = "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-vpc-origins.html"
IN_USE = (
    "Invalid request provided: AWS::CloudFront::VpcOrigin: The specified VPC origin is currently associated with "
    "one or more distributions. Please disassociate the VPC origin from all distributions before updating or "
    "deleting (Service: CloudFront, Status Code: 409, Error Code: CannotUpdateEntityWhileInUse)"
)
_ID_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

# id -> {"Config": VpcOriginEndpointConfig, "Region", "VpcId", "Arn", "Account"}
VPC_ORIGINS: dict[str, dict[str, Any]] = {}


@on_reset
def _reset_vpc_origins() -> None:
    VPC_ORIGINS.clear()


def _load_balancer(account_id: str, arn: str) -> tuple[str, Any] | None:
    """(region, moto load balancer) that ``arn`` names, or None."""
    from moto.elbv2.models import elbv2_backends

    for region, backend in list(elbv2_backends[account_id].items()):
        lb = backend.load_balancers.get(arn)
        if lb is not None:
            return region, lb
    return None


def _ec2(account_id: str, region: str) -> Any:
    from moto.ec2.models import ec2_backends

    return ec2_backends[account_id][region]


def _has_internet_gateway(ec2: Any, vpc_id: str) -> bool:
    return any(g.vpc is not None and g.vpc.id == vpc_id for g in ec2.internet_gateways.values())


def managed_security_group(account_id: str, region: str, vpc_id: str) -> Any:
    """The ``CloudFront-VPCOrigins-Service-SG`` group of ``vpc_id``, or None."""
    groups = _ec2(account_id, region).groups.get(vpc_id, {})
    return next((g for g in groups.values() if g.name == MANAGED_SECURITY_GROUP), None)


def _ensure_managed_group(account_id: str, region: str, vpc_id: str) -> None:
    if managed_security_group(account_id, region, vpc_id) is None:
        _ec2(account_id, region).create_security_group(
            MANAGED_SECURITY_GROUP,
            "CloudFront VPC origins service security group (created by CloudFront)",
            vpc_id=vpc_id,
            tags={"aws.cloudfront.vpcorigin": "enabled"},
        )


def _release_managed_group(account_id: str, region: str, vpc_id: str) -> None:
    """Delete the managed group once no VPC origin of the account uses the VPC."""
    if any(o["VpcId"] == vpc_id and o["Account"] == account_id for o in VPC_ORIGINS.values()):
        return
    group = managed_security_group(account_id, region, vpc_id)
    if group is not None:
        _ec2(account_id, region).delete_security_group(group_id=group.id)


def distributions_using(account_id: str, vpc_origin_id: str) -> list[str]:
    """Ids of the distributions with an origin whose ``VpcOriginConfig`` names ``vpc_origin_id``."""
    from moto.cloudfront.models import cloudfront_backends

    found = []
    for dist_id, dist in cloudfront_backends[account_id]["aws"].distributions.items():
        for origin in dist.distribution_config.Origins["Items"]:  # type: ignore[attr-defined]
            if getattr(origin, "vpc_origin_id", None) == vpc_origin_id:
                found.append(dist_id)
                break
    return found


def endpoint_of(vpc_origin_id: str) -> dict[str, Any] | None:
    """What the data plane needs of a VPC origin: its region, target ARN and protocol settings."""
    return VPC_ORIGINS.get(vpc_origin_id)


class VpcOrigin(Provider, CloudFormationModel):
    TYPE = "AWS::CloudFront::VpcOrigin"
    ATTRIBUTES = ("Arn", "Id", "Status", "CreatedTime", "LastModifiedTime")

    def _target(self, config: dict[str, Any]) -> tuple[str, str]:
        """(region, VPC id) of the load balancer ``config`` names; refuses what AWS refuses."""
        arn = str(config.get("Arn") or "")
        found = _load_balancer(self.account_id, arn)
        if found is None:
            raise ProviderError(
                f"VpcOriginEndpointConfig.Arn {arn!r} names no load balancer of this account "
                "(the emulator's text: AWS's error for this case is not documented)"
            )
        region, lb = found
        if not _has_internet_gateway(_ec2(self.account_id, region), lb.vpc_id):
            raise ProviderError(
                f"the VPC {lb.vpc_id} of {lb.name} has no internet gateway attached; a VPC origin's VPC must have "
                f"one ({VPC_ORIGINS_PAGE}; the emulator's text: AWS's error code and message for this case are "
                "not documented)"
            )
        return region, lb.vpc_id

    def create(self, props: dict[str, Any]) -> str:
        config = dict(props["VpcOriginEndpointConfig"])
        region, vpc_id = self._target(config)
        origin_id = "vo_" + "".join(mock_random.choice(_ID_LETTERS) for _ in range(22))
        now = utcnow().isoformat()
        arn = f"arn:aws:cloudfront::{self.account_id}:vpcorigin/{origin_id}"
        _ensure_managed_group(self.account_id, region, vpc_id)
        VPC_ORIGINS[origin_id] = {
            "Config": config,
            "Region": region,
            "VpcId": vpc_id,
            "Arn": arn,
            "Account": self.account_id,
        }
        self.attributes = {
            "Arn": arn,
            "Id": origin_id,
            "Status": "Deployed",
            "CreatedTime": now,
            "LastModifiedTime": now,
        }
        return origin_id

    def _refuse_in_use(self) -> None:
        users = distributions_using(self.account_id, self.physical_id)
        if users:
            raise ProviderError(f"{IN_USE} (used by {', '.join(sorted(users))})")

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        if old == new:
            return
        self._refuse_in_use()
        config = dict(new["VpcOriginEndpointConfig"])
        region, vpc_id = self._target(config)
        entry = VPC_ORIGINS[self.physical_id]
        previous = (entry["Region"], entry["VpcId"])
        _ensure_managed_group(self.account_id, region, vpc_id)
        entry.update(Config=config, Region=region, VpcId=vpc_id)
        if previous != (region, vpc_id):
            _release_managed_group(self.account_id, *previous)
        self.attributes["LastModifiedTime"] = utcnow().isoformat()

    def delete_resource(self) -> None:
        entry = VPC_ORIGINS.get(self.physical_id)
        if entry is None:
            return
        self._refuse_in_use()
        del VPC_ORIGINS[self.physical_id]
        _release_managed_group(self.account_id, entry["Region"], entry["VpcId"])
