"""The rules of webstack_pitfalls/rules/cloudwatch.py: CloudFrontAlarmInUsEast1 (D5)."""

from aws_cdk import aws_cloudwatch as cloudwatch

from .conftest import CaseBook, ack, module_results

D5 = "Webstack-CloudFrontAlarmInUsEast1"

book = CaseBook()
fired = module_results(book)

US_EAST_1 = "us-east-1"


# -- D5 alarms on CloudFront metrics ------------------------------------------


def _cloudfront_alarm(stack):
    metric = cloudwatch.Metric(
        namespace="AWS/CloudFront",
        metric_name="5xxErrorRate",
        dimensions_map={"DistributionId": "E2EXAMPLE0000", "Region": "Global"},
    )
    return metric.create_alarm(stack, "Errors", threshold=5, evaluation_periods=3)


@book.case("D5Good", region=US_EAST_1)
def _(stack):
    _cloudfront_alarm(stack)


@book.case("D5Bad")
def _(stack):
    _cloudfront_alarm(stack)


@book.case("D5Acked")
def _(stack):
    ack(_cloudfront_alarm(stack), f"{D5}[Region]")


@book.case("D5BadAgnostic", region=None)
def _(stack):
    _cloudfront_alarm(stack)


@book.case("D5AckedAgnostic", region=None)
def _(stack):
    ack(_cloudfront_alarm(stack), f"{D5}[RegionUnknown]")


def test_d5_cloudfront_alarm_in_us_east_1_is_compliant(fired):
    assert fired("D5Good", D5) == set()


def test_d5_cloudfront_alarm_elsewhere_fires(fired):
    assert fired("D5Bad", D5) == {f"{D5}[Region]"}


def test_d5_acknowledged(fired):
    assert fired("D5Acked", D5) == set()


def test_d5_cloudfront_alarm_in_env_agnostic_stack_fires(fired):
    assert fired("D5BadAgnostic", D5) == {f"{D5}[RegionUnknown]"}


def test_d5_env_agnostic_acknowledged(fired):
    assert fired("D5AckedAgnostic", D5) == set()


def test_compliant_cases_are_clean_for_every_rule(fired):
    assert fired.dirty_compliant_cases() == {}


def test_every_finding_has_an_acknowledged_case(fired):
    for rule in (D5,):
        assert fired.without_acknowledged_case(rule) == set()
