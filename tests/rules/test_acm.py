"""The rules of webstack_pitfalls/rules/acm.py: CloudFrontCertificateInUsEast1DnsValidated (D4)."""

from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_route53 as route53

from .conftest import CaseBook, ack, distribution_in_sibling_stack, module_results

D4 = "Webstack-CloudFrontCertificateInUsEast1DnsValidated"

book = CaseBook()
fired = module_results(book)

US_EAST_1 = "us-east-1"


# -- D4 ACM certificate for CloudFront ----------------------------------------

DOMAIN = "shop.webstack.dev"


def _site(stack, *, validation="zone"):
    zone = route53.HostedZone(stack, "Zone", zone_name="webstack.dev")
    validation = {
        "zone": acm.CertificateValidation.from_dns(zone),
        "dns": acm.CertificateValidation.from_dns(),
        "default": None,  # acm.Certificate defaults to EMAIL validation
    }[validation]
    cert = acm.Certificate(stack, "Cert", domain_name=DOMAIN, validation=validation)
    cloudfront.Distribution(
        stack,
        "Cdn",
        default_behavior=cloudfront.BehaviorOptions(origin=origins.HttpOrigin("origin.webstack.dev")),
        domain_names=[DOMAIN],
        certificate=cert,
    )
    return cert


@book.case("D4Good", region=US_EAST_1)
def _(stack):
    _site(stack)


def _apex_and_wildcard_site(stack, *, zones_for=None):
    """A certificate for the zone apex and its wildcard; ``zones_for``: only these names get the zone."""
    zone = route53.HostedZone(stack, "Zone", zone_name="webstack.dev")
    names = ["webstack.dev", "*.webstack.dev", "*.api.webstack.dev"]
    validation = (
        acm.CertificateValidation.from_dns(zone)
        if zones_for is None
        else acm.CertificateValidation.from_dns_multi_zone({name: zone for name in zones_for})
    )
    cert = acm.Certificate(
        stack, "Cert", domain_name=names[0], subject_alternative_names=names[1:], validation=validation
    )
    cloudfront.Distribution(
        stack,
        "Cdn",
        default_behavior=cloudfront.BehaviorOptions(origin=origins.HttpOrigin("origin.webstack.dev")),
        domain_names=names[:2],
        certificate=cert,
    )
    return cert


@book.case("D4GoodApexAndWildcard", region=US_EAST_1)
def _(stack):
    # CDK lists only the apex in DomainValidationOptions: *.webstack.dev shares its record.
    _apex_and_wildcard_site(stack)


@book.case("D4BadWildcardWithoutZone", region=US_EAST_1)
def _(stack):
    # *.api.webstack.dev validates under api.webstack.dev, which no option covers.
    _apex_and_wildcard_site(stack, zones_for=["webstack.dev"])


@book.case("D4BadRegion")
def _(stack):
    _site(stack)


@book.case("D4BadDnsValidation", region=US_EAST_1)
def _(stack):
    _site(stack, validation="dns")


@book.case("D4BadEmailValidation", region=US_EAST_1)
def _(stack):
    _site(stack, validation="default")


@book.case("D4Acked")
def _(stack):
    ack(_site(stack), f"{D4}[Region]")


@book.case("D4BadRegionUnknown", region=None)
def _(stack):
    _site(stack)


def _cross_region_certificate(stack):
    zone = route53.HostedZone(stack, "Zone", zone_name="webstack.dev")
    cert = acm.Certificate(stack, "Cert", domain_name=DOMAIN, validation=acm.CertificateValidation.from_dns(zone))
    return distribution_in_sibling_stack(stack, domain_names=[DOMAIN], certificate=cert)


@book.case("D4BadCrossRegion", region=US_EAST_1)
def _(stack):
    _cross_region_certificate(stack)


@book.case("D4AckedRegionUnknown", region=None)
def _(stack):
    ack(_site(stack), f"{D4}[RegionUnknown]")


@book.case("D4AckedDnsValidation", region=US_EAST_1)
def _(stack):
    ack(_site(stack, validation="dns"), f"{D4}[DnsValidation]")


@book.case("D4AckedEmailValidation", region=US_EAST_1)
def _(stack):
    ack(_site(stack, validation="default"), f"{D4}[EmailValidation]")


@book.case("D4AckedCrossRegion", region=US_EAST_1)
def _(stack):
    ack(_cross_region_certificate(stack), f"{D4}[CrossRegionReference]")


def test_d4_us_east_1_certificate_validated_in_zone_is_compliant(fired):
    assert fired("D4Good", D4) == set()


def test_d4_apex_and_wildcard_share_one_validation_record(fired):
    assert fired("D4GoodApexAndWildcard", D4) == set()


def test_d4_wildcard_whose_base_has_no_hosted_zone_fires(fired):
    assert fired("D4BadWildcardWithoutZone", D4) == {f"{D4}[DnsValidation]"}


def test_d4_cloudfront_certificate_outside_us_east_1_fires(fired):
    assert fired("D4BadRegion", D4) == {f"{D4}[Region]"}


def test_d4_dns_validation_without_hosted_zone_fires(fired):
    assert fired("D4BadDnsValidation", D4) == {f"{D4}[DnsValidation]"}


def test_d4_email_validation_fires(fired):
    assert fired("D4BadEmailValidation", D4) == {f"{D4}[EmailValidation]"}


def test_d4_acknowledged(fired):
    assert fired("D4Acked", D4) == set()


def test_d4_certificate_in_env_agnostic_stack_fires(fired):
    assert fired("D4BadRegionUnknown", D4) == {f"{D4}[RegionUnknown]"}


def test_d4_cross_region_strong_reference_fires(fired):
    (finding,) = fired.findings_by_stack["D4BadCrossRegionWeb"]
    assert (finding.rule_id, finding.path) == (f"{D4}[CrossRegionReference]", "D4BadCrossRegionWeb/Cdn/Resource")


def test_d4_each_finding_acknowledged(fired):
    for case in ("D4AckedRegionUnknown", "D4AckedDnsValidation", "D4AckedEmailValidation"):
        assert fired(case, D4) == set(), case
    assert fired.findings_by_stack.get("D4AckedCrossRegionWeb", []) == []


def test_compliant_cases_are_clean_for_every_rule(fired):
    assert fired.dirty_compliant_cases() == {}


def test_every_finding_has_an_acknowledged_case(fired):
    for rule in (D4,):
        assert fired.without_acknowledged_case(rule) == set()
