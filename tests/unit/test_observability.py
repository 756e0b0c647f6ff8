"""Alert topics, alarms (and where they live), dashboard."""

from __future__ import annotations

import json

from tests.unit.conftest import alert_topic, only, ref_id


def _alarms(template):
    return template.find_resources("AWS::CloudWatch::Alarm")


def test_alert_topics_use_customer_managed_keys(each_env):
    for template in each_env.alerting_templates().values():
        _, topic = alert_topic(template)
        key = topic["Properties"]["KmsMasterKeyId"]
        assert "alias/aws/sns" not in json.dumps(key)
        assert template.to_json()["Resources"][ref_id(key)]["Type"] == "AWS::KMS::Key"


def test_every_alarm_notifies_its_own_regions_topic_on_alarm_and_ok(each_env):
    for template in each_env.alerting_templates().values():
        topic_id, _ = alert_topic(template)
        for logical_id, alarm in _alarms(template).items():
            props = alarm["Properties"]
            assert [ref_id(a) for a in props["AlarmActions"]] == [topic_id], logical_id
            assert [ref_id(a) for a in props["OKActions"]] == [topic_id], logical_id
            assert props["AlarmDescription"], logical_id
            assert props["TreatMissingData"] in {"notBreaching", "breaching", "missing", "ignore"}


def test_regional_alarms(each_env):
    alarms = {a["Properties"]["MetricName"]: a["Properties"] for a in _alarms(each_env.web).values()}
    assert set(alarms) == {"CPUUtilization", "HTTPCode_ELB_5XX_Count"}
    cpu = alarms["CPUUtilization"]
    assert cpu["Namespace"] == "AWS/EC2"
    assert cpu["Threshold"] == each_env.config.alarms.cpu_high_percent
    assert ref_id(cpu["Dimensions"][0]["Value"]).startswith("WebTierAsg")
    assert alarms["HTTPCode_ELB_5XX_Count"]["Statistic"] == "Sum"
    assert alarms["HTTPCode_ELB_5XX_Count"]["Threshold"] == each_env.config.alarms.alb_5xx_count
    # D5: nothing in the app region watches CloudFront.
    assert "AWS/CloudFront" not in json.dumps(each_env.web.find_resources("AWS::CloudWatch::Alarm"))


def test_cloudfront_alarms_live_in_us_east_1(each_env):
    assert each_env.stacks.edge_monitoring.region == "us-east-1"
    _, alarm = only(_alarms(each_env.edge_monitoring))
    props = alarm["Properties"]
    assert props["Namespace"] == "AWS/CloudFront"
    assert props["MetricName"] == "4xxErrorRate"
    assert props["Threshold"] == each_env.config.alarms.cloudfront_4xx_rate_percent
    dims = {d["Name"]: d["Value"] for d in props["Dimensions"]}
    assert dims["Region"] == "Global"
    assert dims["DistributionId"]["Fn::GetStackOutput"]["StackName"] == each_env.stacks.web.stack_name


def test_email_subscriptions_from_config(synth):
    from tests.unit.conftest import synthesize

    configured = synthesize("dev", {"alarms": {"emails": ["oncall@yourcompany.io", "sre@yourcompany.io"]}})
    for template in configured.alerting_templates().values():
        subscriptions = template.find_resources("AWS::SNS::Subscription")
        assert sorted(s["Properties"]["Endpoint"] for s in subscriptions.values()) == [
            "oncall@yourcompany.io",
            "sre@yourcompany.io",
        ]
    # None configured, none created: no placeholder subscriber (F2).
    synth("dev").web.resource_count_is("AWS::SNS::Subscription", 0)


def test_dashboard_shows_alb_asg_and_cloudfront_from_us_east_1(dev):
    _, dashboard = only(dev.web.find_resources("AWS::CloudWatch::Dashboard"))
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    for metric in ("RequestCount", "HTTPCode_ELB_5XX_Count", "HTTPCode_Target_5XX_Count", "CPUUtilization", "4xxErrorRate", "5xxErrorRate"):
        assert metric in body, metric
    assert '\\"region\\":\\"us-east-1\\"' in body.replace(" ", "")
