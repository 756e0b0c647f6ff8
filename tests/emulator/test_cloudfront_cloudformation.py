"""CloudFront distributions, OAC and policies (providers/cloudfront.py)."""

from __future__ import annotations

from tests.emulator.templates import distribution


def test_cloudfront_distribution_with_oac_and_policies(deploy, aws):
    stack = deploy(distribution(1), outputs={"Domain": {"Fn::GetAtt": ["D", "DomainName"]}})
    cf = aws("cloudfront")
    cfg = cf.get_distribution_config(Id=stack.resources["D"])["DistributionConfig"]
    assert cfg["Origins"]["Items"][0]["OriginAccessControlId"] == stack.resources["Oac"]
    assert cfg["DefaultCacheBehavior"]["CachePolicyId"] == stack.resources["Cp"]
    assert cfg["DefaultCacheBehavior"]["ResponseHeadersPolicyId"] == stack.resources["Rh"]
    assert (cfg["HttpVersion"], cfg["PriceClass"]) == ("http2and3", "PriceClass_100")
    assert (
        cf.get_origin_access_control(Id=stack.resources["Oac"])["OriginAccessControl"]["OriginAccessControlConfig"][
            "SigningBehavior"
        ]
        == "always"
    )
    assert stack.outputs["Domain"].endswith(".cloudfront.net")


def test_cloudfront_rejects_certificate_outside_us_east_1(deploy):
    bad = deploy(
        distribution(
            2,
            {
                "ViewerCertificate": {
                    "AcmCertificateArn": "arn:aws:acm:us-west-2:123456789012:certificate/x",
                    "SslSupportMethod": "sni-only",
                }
            },
        ),
        expect_ok=False,
    )
    assert bad.status == "ROLLBACK_COMPLETE" and "us-east-1" in " ".join(bad.failures())
