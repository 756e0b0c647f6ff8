"""The rules of webstack_pitfalls/rules/wafv2.py: CloudFrontWebAclInUsEast1 (D3)."""

from aws_cdk import aws_wafv2 as wafv2

from .conftest import CaseBook, ack, distribution_in_sibling_stack, module_results

D3 = "Webstack-CloudFrontWebAclInUsEast1"

book = CaseBook()
fired = module_results(book)

US_EAST_1 = "us-east-1"


# -- D3 WAF web ACL for CloudFront --------------------------------------------


def _web_acl(stack, scope="CLOUDFRONT"):
    return wafv2.CfnWebACL(
        stack,
        "WebAcl",
        scope=scope,
        default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
        visibility_config=wafv2.CfnWebACL.VisibilityConfigProperty(
            cloud_watch_metrics_enabled=True, metric_name="webacl", sampled_requests_enabled=True
        ),
    )


@book.case("D3Good", region=US_EAST_1)
def _(stack):
    _web_acl(stack)


@book.case("D3GoodRegional")
def _(stack):
    _web_acl(stack, scope="REGIONAL")


@book.case("D3Bad")
def _(stack):
    _web_acl(stack)


@book.case("D3BadAgnostic", region=None)
def _(stack):
    _web_acl(stack)


@book.case("D3Acked")
def _(stack):
    ack(_web_acl(stack), f"{D3}[Region]")


@book.case("D3BadCrossRegion", region=US_EAST_1)
def _(stack):
    acl = _web_acl(stack)
    distribution_in_sibling_stack(stack, web_acl_id=acl.attr_arn)


@book.case("D3AckedCrossRegion", region=US_EAST_1)
def _(stack):
    acl = _web_acl(stack)
    ack(distribution_in_sibling_stack(stack, web_acl_id=acl.attr_arn), f"{D3}[CrossRegionReference]")


@book.case("D3AckedAgnostic", region=None)
def _(stack):
    ack(_web_acl(stack), f"{D3}[RegionUnknown]")


def test_d3_cross_region_strong_reference_fires(fired):
    (finding,) = fired.findings_by_stack["D3BadCrossRegionWeb"]
    assert (finding.rule_id, finding.path) == (f"{D3}[CrossRegionReference]", "D3BadCrossRegionWeb/Cdn/Resource")


def test_d3_cross_region_strong_reference_acknowledged(fired):
    assert fired.findings_by_stack.get("D3AckedCrossRegionWeb", []) == []


def test_d3_cloudfront_acl_in_us_east_1_is_compliant(fired):
    assert fired("D3Good", D3) == set()
    assert fired("D3GoodRegional", D3) == set()


def test_d3_cloudfront_acl_elsewhere_fires(fired):
    assert fired("D3Bad", D3) == {f"{D3}[Region]"}


def test_d3_cloudfront_acl_in_env_agnostic_stack_fires(fired):
    assert fired("D3BadAgnostic", D3) == {f"{D3}[RegionUnknown]"}


def test_d3_acknowledged(fired):
    assert fired("D3Acked", D3) == set()


def test_d3_env_agnostic_acknowledged(fired):
    assert fired("D3AckedAgnostic", D3) == set()


def test_compliant_cases_are_clean_for_every_rule(fired):
    assert fired.dirty_compliant_cases() == {}


def test_every_finding_has_an_acknowledged_case(fired):
    for rule in (D3,):
        assert fired.without_acknowledged_case(rule) == set()
