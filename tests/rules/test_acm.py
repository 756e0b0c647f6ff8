"""The rules of webstack_pitfalls/rules/acm.py: CloudFrontCertificateInUsEast1DnsValidated (D4)."""

from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_route53 as route53

from .conftest import CaseBook, ack, module_results

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


def test_d4_us_east_1_certificate_validated_in_zone_is_compliant(fired):
    assert fired("D4Good", D4) == set()


def test_d4_cloudfront_certificate_outside_us_east_1_fires(fired):
    assert fired("D4BadRegion", D4) == {f"{D4}[Region]"}


def test_d4_dns_validation_without_hosted_zone_fires(fired):
    assert fired("D4BadDnsValidation", D4) == {f"{D4}[DnsValidation]"}


def test_d4_email_validation_fires(fired):
    assert fired("D4BadEmailValidation", D4) == {f"{D4}[EmailValidation]"}


def test_d4_acknowledged(fired):
    assert fired("D4Acked", D4) == set()


def test_compliant_cases_are_clean_for_every_rule(fired):
    assert fired.dirty_compliant_cases() == {}
