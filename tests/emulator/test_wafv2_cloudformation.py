"""WAFv2 web ACLs and IP sets (providers/wafv2.py)."""

from __future__ import annotations


def test_wafv2_cloudfront_scope_only_in_us_east_1(deploy, aws):
    acl = {
        "Type": "AWS::WAFv2::WebACL",
        "Properties": {
            "Scope": "CLOUDFRONT",
            "DefaultAction": {"Allow": {}},
            "VisibilityConfig": {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": "acl"},
            "Rules": [
                {
                    "Name": "common",
                    "Priority": 0,
                    "OverrideAction": {"None": {}},
                    "Statement": {
                        "ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": "AWSManagedRulesCommonRuleSet"}
                    },
                    "VisibilityConfig": {
                        "SampledRequestsEnabled": True,
                        "CloudWatchMetricsEnabled": True,
                        "MetricName": "common",
                    },
                }
            ],
        },
    }
    ok = deploy({"W": acl}, outputs={"Arn": {"Fn::GetAtt": ["W", "Arn"]}})
    name, acl_id, scope = ok.resources["W"].split("|")
    got = aws("wafv2").get_web_acl(Name=name, Id=acl_id, Scope=scope)["WebACL"]
    assert got["Rules"][0]["Name"] == "common" and ":global/webacl/" in ok.outputs["Arn"]
    logged = deploy(
        {
            "W": acl,
            "L": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "aws-waf-logs-t"}},
            "C": {
                "Type": "AWS::WAFv2::LoggingConfiguration",
                "DependsOn": ["L"],
                "Properties": {
                    "ResourceArn": {"Fn::GetAtt": ["W", "Arn"]},
                    "LogDestinationConfigs": ["arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs-t"],
                },
            },
        },
        outputs={"Arn": {"Fn::GetAtt": ["W", "Arn"]}},
    )
    config = aws("wafv2").get_logging_configuration(ResourceArn=logged.outputs["Arn"])["LoggingConfiguration"]
    assert config["LogDestinationConfigs"] == ["arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs-t"]
    aws("cloudformation").delete_stack(StackName=logged.name)
    assert logged.outputs["Arn"] not in [a["ARN"] for a in aws("wafv2").list_web_acls(Scope="CLOUDFRONT")["WebACLs"]]
    bad = deploy({"W": acl}, region="us-west-2", expect_ok=False)
    assert bad.status == "ROLLBACK_COMPLETE" and "scope is not valid" in " ".join(bad.failures())


def test_wafv2_ip_set_referenced_by_a_web_acl_rule(deploy, aws):
    vis = {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True}
    stack = deploy(
        {
            "Block": {
                "Type": "AWS::WAFv2::IPSet",
                "Properties": {"Scope": "CLOUDFRONT", "IPAddressVersion": "IPV4", "Addresses": ["198.51.100.0/24"]},
            },
            "W": {
                "Type": "AWS::WAFv2::WebACL",
                "Properties": {
                    "Scope": "CLOUDFRONT",
                    "DefaultAction": {"Allow": {}},
                    "VisibilityConfig": {**vis, "MetricName": "acl"},
                    "Rules": [
                        {
                            "Name": "BlockList",
                            "Priority": 0,
                            "Action": {"Block": {}},
                            "Statement": {"IPSetReferenceStatement": {"Arn": {"Fn::GetAtt": ["Block", "Arn"]}}},
                            "VisibilityConfig": {**vis, "MetricName": "block"},
                        }
                    ],
                },
            },
        },
        outputs={"IpSetArn": {"Fn::GetAtt": ["Block", "Arn"]}},
    )
    name, set_id, scope = stack.resources["Block"].split("|")
    got = aws("wafv2").get_ip_set(Name=name, Id=set_id, Scope=scope)["IPSet"]
    assert got["Addresses"] == ["198.51.100.0/24"] and got["ARN"] == stack.outputs["IpSetArn"]
    acl_name, acl_id, _ = stack.resources["W"].split("|")
    rule = aws("wafv2").get_web_acl(Name=acl_name, Id=acl_id, Scope="CLOUDFRONT")["WebACL"]["Rules"][0]
    assert rule["Statement"]["IPSetReferenceStatement"]["ARN"] == got["ARN"]
    aws("cloudformation").delete_stack(StackName=stack.name)
    assert not aws("wafv2").list_ip_sets(Scope="CLOUDFRONT")["IPSets"]
