"""Route 53 records and the regional certificate for a custom domain."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as targets
from constructs import Construct


def hosted_zone(scope: Construct, construct_id: str, *, zone_id: str, zone_name: str) -> route53.IHostedZone:
    """The configured public zone, referenced by id (no lookup at synth)."""
    return route53.HostedZone.from_hosted_zone_attributes(
        scope, construct_id, hosted_zone_id=zone_id, zone_name=zone_name
    )


def dns_validated_certificate(
    scope: Construct, construct_id: str, *, zone: route53.IHostedZone, names: Sequence[str]
) -> acm.Certificate:
    """ACM certificate validated through records in ``zone`` (D4: never a placeholder domain)."""
    return acm.Certificate(
        scope,
        construct_id,
        domain_name=names[0],
        subject_alternative_names=list(names[1:]) or None,
        validation=acm.CertificateValidation.from_dns(zone),
    )


class SiteRecords(Construct):
    """A and AAAA aliases for the site names (CloudFront) and an A alias for the ALB origin name."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        zone: route53.IHostedZone,
        site_names: Sequence[str],
        distribution: cloudfront.IDistribution,
        origin_name: str | None = None,
        load_balancer: elbv2.IApplicationLoadBalancer | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        to_cdn = route53.RecordTarget.from_alias(targets.CloudFrontTarget(distribution))
        for i, name in enumerate(site_names):
            route53.ARecord(self, f"Site{i}A", zone=zone, record_name=name, target=to_cdn)
            route53.AaaaRecord(self, f"Site{i}Aaaa", zone=zone, record_name=name, target=to_cdn)
        if origin_name and load_balancer is not None:
            route53.ARecord(
                self,
                "OriginA",
                zone=zone,
                record_name=origin_name,
                target=route53.RecordTarget.from_alias(targets.LoadBalancerTarget(load_balancer)),
            )
