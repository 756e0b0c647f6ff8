"""CloudWatch alarms and dashboards (providers/cloudwatch.py)."""

from __future__ import annotations


def test_alarm_and_composite_alarm(deploy, aws):
    stack = deploy(
        {
            "T": {"Type": "AWS::SNS::Topic"},
            "A": {
                "Type": "AWS::CloudWatch::Alarm",
                "Properties": {
                    "Namespace": "AWS/EC2",
                    "MetricName": "CPUUtilization",
                    "Statistic": "Average",
                    "Period": 300,
                    "EvaluationPeriods": 2,
                    "Threshold": 80,
                    "ComparisonOperator": "GreaterThanThreshold",
                    "Dimensions": [{"Name": "AutoScalingGroupName", "Value": "asg"}],
                    "AlarmActions": [{"Ref": "T"}],
                    "TreatMissingData": "notBreaching",
                },
            },
            "M": {
                "Type": "AWS::CloudWatch::Alarm",
                "Properties": {
                    "EvaluationPeriods": 1,
                    "Threshold": 1,
                    "ComparisonOperator": "GreaterThanThreshold",
                    "Metrics": [
                        {"Id": "e", "Expression": "m/2", "ReturnData": True},
                        {
                            "Id": "m",
                            "ReturnData": False,
                            "MetricStat": {
                                "Metric": {"Namespace": "AWS/ApplicationELB", "MetricName": "HTTPCode_ELB_5XX_Count"},
                                "Period": 60,
                                "Stat": "Sum",
                            },
                        },
                    ],
                },
            },
            "C": {
                "Type": "AWS::CloudWatch::CompositeAlarm",
                "Properties": {"AlarmRule": {"Fn::Join": ["", ['ALARM("', {"Ref": "A"}, '")']]}},
            },
        },
        outputs={"Arn": {"Fn::GetAtt": ["A", "Arn"]}},
    )
    cw = aws("cloudwatch")
    alarm = cw.describe_alarms(AlarmNames=[stack.resources["A"]])["MetricAlarms"][0]
    assert (alarm["Threshold"], alarm["EvaluationPeriods"], alarm["TreatMissingData"]) == (80.0, 2, "notBreaching")
    assert alarm["Dimensions"] == [{"Name": "AutoScalingGroupName", "Value": "asg"}]
    assert alarm["AlarmActions"] == [stack.resources["T"]] and stack.outputs["Arn"] == alarm["AlarmArn"]
    math = cw.describe_alarms(AlarmNames=[stack.resources["M"]])["MetricAlarms"][0]
    assert [m["Id"] for m in math["Metrics"]] == ["e", "m"]
    composite = cw.describe_alarms(AlarmNames=[stack.resources["C"]], AlarmTypes=["CompositeAlarm"])["CompositeAlarms"][
        0
    ]
    assert composite["AlarmRule"] == f'ALARM("{stack.resources["A"]}")'


def test_dashboard_body_update_keeps_the_dashboard(deploy, aws):
    dash = {"Type": "AWS::CloudWatch::Dashboard", "Properties": {"DashboardBody": '{"widgets": []}'}}
    stack = deploy({"D": dash})
    dash["Properties"]["DashboardBody"] = '{"widgets": [{"type": "text", "properties": {"markdown": "x"}}]}'
    updated = deploy({"D": dash}, update_of=stack)
    assert updated.resources["D"] == stack.resources["D"]
    assert "markdown" in aws("cloudwatch").get_dashboard(DashboardName=stack.resources["D"])["DashboardBody"]
    # Like CloudFormation: an unnamed dashboard is named after stack and logical id.
    assert stack.resources["D"].startswith(f"{stack.name}-D-")
