"""Engine fixes: Fn::GetStackOutput (CDK's cross-region references), deletion
(DeletionPolicy, dependency order, VPC cleanup) and updates."""

from __future__ import annotations

from tests.local.test_providers import _distribution

ALARM = {"Namespace": "AWS/CloudFront", "MetricName": "4xxErrorRate", "Statistic": "Average", "Period": 300,
         "EvaluationPeriods": 1, "Threshold": 5, "ComparisonOperator": "GreaterThanThreshold"}


def _get_output(stack_name, output, region="us-west-2"):
    return {"Fn::GetStackOutput": {"StackName": stack_name, "OutputName": output, "Region": region}}


def test_get_stack_output_across_regions_in_nested_positions(deploy, aws):
    producer = deploy({"T": {"Type": "AWS::SNS::Topic"}}, region="us-west-2",
                      outputs={"TopicArn": {"Ref": "T"}, "Plain": "dist-123"})
    consumer = deploy({
        "A": {"Type": "AWS::CloudWatch::Alarm", "Properties": dict(ALARM, Dimensions=[
            {"Name": "DistributionId", "Value": _get_output(producer.name, "Plain")},
            {"Name": "Region", "Value": "Global"}])},
        "P": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": {
            "Fn::Join": ["/", [_get_output(producer.name, "TopicArn"), "x"]]}}},
    }, outputs={"Seen": _get_output(producer.name, "Plain")})
    alarm = aws("cloudwatch").describe_alarms(AlarmNames=[consumer.resources["A"]])["MetricAlarms"][0]
    assert alarm["Dimensions"][0] == {"Name": "DistributionId", "Value": "dist-123"}
    value = aws("ssm").get_parameter(Name=consumer.resources["P"])["Parameter"]["Value"]
    assert value == producer.outputs["TopicArn"] + "/x"
    assert consumer.outputs["Seen"] == "dist-123"


def test_get_stack_output_feeds_distribution_acl_and_certificate(deploy, aws):
    edge = deploy({
        "Z": {"Type": "AWS::Route53::HostedZone", "Properties": {"Name": "gso.test"}},
        "C": {"Type": "AWS::CertificateManager::Certificate", "Properties": {
            "DomainName": "www.gso.test", "ValidationMethod": "DNS",
            "DomainValidationOptions": [{"DomainName": "www.gso.test", "HostedZoneId": {"Ref": "Z"}}]}},
        "W": {"Type": "AWS::WAFv2::WebACL", "Properties": {
            "Scope": "CLOUDFRONT", "DefaultAction": {"Allow": {}},
            "VisibilityConfig": {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": "gso"}}},
    }, outputs={"Acl": {"Fn::GetAtt": ["W", "Arn"]}, "Cert": {"Ref": "C"}})
    web = deploy(_distribution(90, {
        "Aliases": ["www.gso.test"],
        "WebACLId": _get_output(edge.name, "Acl", "us-east-1"),
        "ViewerCertificate": {"AcmCertificateArn": _get_output(edge.name, "Cert", "us-east-1"),
                              "SslSupportMethod": "sni-only", "MinimumProtocolVersion": "TLSv1.2_2021"}}),
        region="us-west-2")
    cfg = aws("cloudfront").get_distribution_config(Id=web.resources["D"])["DistributionConfig"]
    assert cfg["WebACLId"] == edge.outputs["Acl"]
    assert cfg["ViewerCertificate"]["ACMCertificateArn"] == edge.resources["C"]


def test_get_stack_output_missing_stack_or_output_fails_the_deploy(deploy):
    producer = deploy({"T": {"Type": "AWS::SNS::Topic"}}, outputs={"TopicArn": {"Ref": "T"}})
    no_stack = deploy({"P": {"Type": "AWS::SSM::Parameter", "Properties": {
        "Type": "String", "Value": _get_output("no-such-stack", "X")}}}, expect_ok=False)
    assert no_stack.status == "ROLLBACK_COMPLETE"
    assert "stack no-such-stack does not exist" in " ".join(no_stack.failures())
    wrong_region = deploy({"P": {"Type": "AWS::SSM::Parameter", "Properties": {
        "Type": "String", "Value": _get_output(producer.name, "TopicArn", "us-west-2")}}}, expect_ok=False)
    assert "does not exist in 123456789012/us-west-2" in " ".join(wrong_region.failures())
    no_output = deploy({"P": {"Type": "AWS::SSM::Parameter", "Properties": {
        "Type": "String", "Value": _get_output(producer.name, "Nope", "us-east-1")}}}, expect_ok=False)
    assert f"{producer.name} (us-east-1) has no output Nope" in " ".join(no_output.failures())


def test_termination_protection_blocks_delete_until_disabled(deploy, aws):
    import botocore.exceptions
    import pytest

    stack = deploy({"T": {"Type": "AWS::SNS::Topic"}})
    cfn = aws("cloudformation")
    cfn.update_termination_protection(StackName=stack.name, EnableTerminationProtection=True)
    assert cfn.describe_stacks(StackName=stack.name)["Stacks"][0]["EnableTerminationProtection"] is True
    with pytest.raises(botocore.exceptions.ClientError, match="cannot be deleted while TerminationProtection"):
        cfn.delete_stack(StackName=stack.name)
    assert cfn.describe_stacks(StackName=stack.name)["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    cfn.update_termination_protection(StackName=stack.name, EnableTerminationProtection=False)
    cfn.delete_stack(StackName=stack.name)
    assert stack.resources["T"] not in [t["TopicArn"] for t in aws("sns").list_topics()["Topics"]]
