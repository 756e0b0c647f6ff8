"""ACM certificates and DNS validation (providers/acm.py)."""

from __future__ import annotations


def test_acm_dns_validation_with_hosted_zone_issues_certificate(deploy, aws):
    stack = deploy(
        {
            "Z": {"Type": "AWS::Route53::HostedZone", "Properties": {"Name": "corp.test"}},
            "C": {
                "Type": "AWS::CertificateManager::Certificate",
                "Properties": {
                    "DomainName": "www.corp.test",
                    "ValidationMethod": "DNS",
                    "DomainValidationOptions": [{"DomainName": "www.corp.test", "HostedZoneId": {"Ref": "Z"}}],
                },
            },
        }
    )
    cert = aws("acm").describe_certificate(CertificateArn=stack.resources["C"])["Certificate"]
    assert cert["Status"] == "ISSUED" and cert["DomainName"] == "www.corp.test"
    records = aws("route53").list_resource_record_sets(HostedZoneId=stack.resources["Z"])["ResourceRecordSets"]
    assert any(r["Type"] == "CNAME" for r in records)
    hanging = deploy(
        {
            "C": {
                "Type": "AWS::CertificateManager::Certificate",
                "Properties": {"DomainName": "www.corp.test", "ValidationMethod": "DNS"},
            }
        },
        expect_ok=False,
    )
    assert hanging.status == "ROLLBACK_COMPLETE" and "D4" in " ".join(hanging.failures())
