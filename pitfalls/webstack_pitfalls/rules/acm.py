"""ACM certificates: the region CloudFront takes them from and a validation that completes (D4)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..aws import CLOUDFRONT_REGION
from ..template import TemplateView, as_list
from .base import Hit, Rule, aws_cdk_issue
from .cloudfront import cross_region, distributions

CERTIFICATE = "AWS::CertificateManager::Certificate"
_ARN_REGION = re.compile(r"^arn:[^:]+:acm:([a-z0-9-]+):")


def _viewer_certificate_hit(view: TemplateView, dist: str, arn: Any) -> Hit | None:
    """Why the distribution's certificate (``arn``) is not a us-east-1 one it may keep using."""
    if cross_region(view, arn):
        return Hit(dist, "CrossRegionReference", "Properties/DistributionConfig/ViewerCertificate")
    cert = view.target(arn, CERTIFICATE)
    if cert is not None:
        region_finding = view.region_finding()
        return Hit(cert, region_finding, "Properties") if region_finding else None
    match = _ARN_REGION.match(view.render(arn).replace("${AWS::Partition}", "aws"))
    if match and match.group(1) != CLOUDFRONT_REGION:
        return Hit(dist, "Region", "Properties/DistributionConfig/ViewerCertificate")
    return None


def _validation_name(domain: str) -> str:
    """The name ACM validates ``domain`` under: ``*.example.com`` shares ``example.com``'s record.

    ACM drops the wildcard label when it generates the validation CNAME, so a
    wildcard and its base domain have one record
    (https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html), and
    CDK lists only the base domain in DomainValidationOptions when both are
    requested, because CloudFormation fails on the duplicate record (aws/aws-cdk#9291).
    """
    return domain[2:] if domain.startswith("*.") else domain


def _validation_hit(view: TemplateView, lid: str, props: dict[str, Any]) -> Hit | None:
    """Why the certificate's validation would not complete on its own."""
    if props.get("ValidationMethod") == "EMAIL":
        # acm.Certificate's default: the stack waits until someone clicks a mail.
        return Hit(lid, "EmailValidation", "Properties/ValidationMethod")
    names = [props.get("DomainName"), *as_list(props.get("SubjectAlternativeNames"))]
    domains = {_validation_name(view.render(d)) for d in names if d}
    covered = {
        _validation_name(view.render(o.get("DomainName")))
        for o in as_list(props.get("DomainValidationOptions"))
        if isinstance(o, dict) and o.get("HostedZoneId")
    }
    if not domains <= covered:
        return Hit(lid, "DnsValidation", "Properties/DomainValidationOptions")
    return None


def check_cloudfront_certificate_in_us_east_1_dns_validated(view: TemplateView) -> Iterator[Hit]:
    for dist, config in distributions(view):
        arn = (config.get("ViewerCertificate") or {}).get("AcmCertificateArn")
        hit = _viewer_certificate_hit(view, dist, arn) if arn is not None else None
        if hit is not None:
            yield hit
    for lid, props in view.of_type(CERTIFICATE):
        hit = _validation_hit(view, lid, props)
        if hit is not None:
            yield hit


CLOUDFRONT_CERTIFICATE_IN_US_EAST_1_DNS_VALIDATED = Rule(
    name="CloudFrontCertificateInUsEast1DnsValidated",
    pitfall="D4",
    info="An ACM certificate for CloudFront is outside us-east-1 ([Region]/[RegionUnknown]) or uses DNS validation "
    "without a Route 53 hosted zone for every name ([DnsValidation]) or by e-mail ([EmailValidation]) and hangs "
    "in CREATE_IN_PROGRESS; or reaches the distribution through a cross-region strong reference "
    "([CrossRegionReference]).",
    explanation="Create the certificate in a us-east-1 stack and validate it with "
    "CertificateValidation.from_dns(hosted_zone) for a zone delegated to Route 53; never request a certificate "
    "for a placeholder domain.",
    link=aws_cdk_issue(14616),
    check=check_cloudfront_certificate_in_us_east_1_dns_validated,
)
