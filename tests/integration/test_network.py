"""VPC flow logs."""

from __future__ import annotations

from .helpers import key_arn


def test_vpc_flow_logs_to_encrypted_log_group(aws, outputs):
    logs = aws("ec2").describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [outputs["VpcId"]]}])["FlowLogs"]
    assert logs, f"no flow logs for {outputs['VpcId']}"
    to_cloudwatch = [f for f in logs if f.get("LogDestinationType", "cloud-watch-logs") == "cloud-watch-logs"]
    assert to_cloudwatch, logs
    flow = to_cloudwatch[0]
    assert flow["TrafficType"] == "ALL"
    assert flow.get("FlowLogStatus", "ACTIVE") == "ACTIVE"
    groups = aws("logs").describe_log_groups(logGroupNamePrefix=flow["LogGroupName"])["logGroups"]
    group = next(g for g in groups if g["logGroupName"] == flow["LogGroupName"])
    assert group.get("kmsKeyId"), "flow log group is not encrypted with a CMK"
    assert key_arn(aws, group["kmsKeyId"]) == outputs["TelemetryKeyArn"]
    assert group.get("retentionInDays"), "flow logs are kept forever"
