"""WAFv2 web ACLs for CloudFront: where they may live and how a distribution gets them (D3)."""

from __future__ import annotations

from collections.abc import Iterator

from ..template import TemplateView
from .base import Hit, Rule, aws_cdk_issue
from .cloudfront import cross_region, distributions


def check_cloudfront_web_acl_in_us_east_1(view: TemplateView) -> Iterator[Hit]:
    finding = view.region_finding()
    if finding is not None:
        for lid, props in view.of_type("AWS::WAFv2::WebACL"):
            if props.get("Scope") == "CLOUDFRONT":
                yield Hit(lid, finding, "Properties/Scope")
    for dist, config in distributions(view):
        if cross_region(view, config.get("WebACLId")):
            yield Hit(dist, "CrossRegionReference", "Properties/DistributionConfig/WebACLId")


CLOUDFRONT_WEB_ACL_IN_US_EAST_1 = Rule(
    name="CloudFrontWebAclInUsEast1",
    pitfall="D3",
    info="A WAFv2 web ACL with Scope CLOUDFRONT is in a stack that is not pinned to us-east-1 "
    "([Region]) or has no concrete region ([RegionUnknown]); CloudFormation rejects the scope. Or a "
    "distribution takes its web ACL through a cross-region strong reference ([CrossRegionReference]) "
    "that blocks later updates ('Exports cannot be updated').",
    explanation="Deploy the CLOUDFRONT web ACL in a us-east-1 stack and pass its ARN to the distribution through "
    "config or an SSM parameter (not a cross-region strong reference); document the deploy order.",
    link=aws_cdk_issue(22842),
    check=check_cloudfront_web_acl_in_us_east_1,
)
