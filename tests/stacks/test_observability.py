"""Alert topics, alarms (what, threshold, where, who hears), composite paging, dashboard."""

from __future__ import annotations

import json

import pytest

from tests.synth import only, ref_id, synthesize

REGIONAL = {
    "AsgCpuHigh": ("AWS/EC2", "CPUUtilization", "Average", "GreaterThanThreshold", "notBreaching"),
    "InServiceBelowMin": ("AWS/AutoScaling", "GroupInServiceInstances", "Minimum", "LessThanThreshold", "breaching"),
    "UnhealthyHosts": ("AWS/ApplicationELB", "UnHealthyHostCount", "Maximum", "GreaterThanThreshold", "notBreaching"),
    "LatencyP99": ("AWS/ApplicationELB", "TargetResponseTime", "p99", "GreaterThanThreshold", "notBreaching"),
    "Alb5xx": ("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "Sum", "GreaterThanThreshold", "notBreaching"),
}


def _alarms(template) -> dict[str, dict]:
    """Regional alarms keyed by their construct role (AlarmsAsgCpuHigh1234 -> AsgCpuHigh); the web
    tier's deploy-gate alarms (WebTierRollbackAlarms*) are tests/stacks/test_web_tier.py's."""
    out = {}
    for logical_id, alarm in template.find_resources("AWS::CloudWatch::Alarm").items():
        if logical_id.startswith("WebTierRollbackAlarms"):
            continue
        role = logical_id.removeprefix("Alarms")[:-8]
        out[role] = alarm["Properties"]
    return out


def _topic_ids(template):
    topics = template.find_resources("AWS::SNS::Topic")
    page = next(k for k in topics if k.startswith("AlertsTopic"))
    events = next(k for k in topics if k.startswith("AlertsEventsTopic"))
    return page, events


def test_alert_topics_use_customer_managed_keys(each_env):
    for template in each_env.alerting_templates().values():
        for topic in template.find_resources("AWS::SNS::Topic").values():
            key = topic["Properties"]["KmsMasterKeyId"]
            assert "alias/aws/sns" not in json.dumps(key)
            assert template.to_json()["Resources"][ref_id(key)]["Type"] == "AWS::KMS::Key"


def test_d15_topic_policies_let_the_accounts_alarms_publish(each_env):
    # The TLS Deny replaces SNS's default policy; each topic also needs an
    # Allow for cloudwatch.amazonaws.com, scoped to this account's alarms.
    for template in each_env.alerting_templates().values():
        topics = set(template.find_resources("AWS::SNS::Topic"))
        covered = set()
        for policy in template.find_resources("AWS::SNS::TopicPolicy").values():
            statements = {s["Sid"]: s for s in policy["Properties"]["PolicyDocument"]["Statement"]}
            assert statements["AllowPublishThroughSSLOnly"]["Effect"] == "Deny"
            allow = statements["AllowCloudWatchAlarmsOfThisAccountToPublish"]
            assert (allow["Effect"], allow["Principal"], allow["Action"]) == (
                "Allow",
                {"Service": "cloudwatch.amazonaws.com"},
                "sns:Publish",
            )
            assert allow["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
            source = json.dumps(allow["Condition"]["ArnLike"]["aws:SourceArn"])
            assert ":cloudwatch:" in source and ":alarm:*" in source
            covered |= {ref_id(t) for t in policy["Properties"]["Topics"]}
        assert covered == topics


def test_regional_alarm_metrics_thresholds_and_missing_data(each_env):
    alarms = _alarms(each_env.web)
    t = each_env.config.alarms
    thresholds = {
        "AsgCpuHigh": t.cpu_high_percent,
        "InServiceBelowMin": each_env.config.capacity.min,
        "UnhealthyHosts": 0,
        "LatencyP99": t.p99_latency_seconds,
        "Alb5xx": t.alb_5xx_count,
    }
    assert set(alarms) == set(REGIONAL) | {"Target5xxRate"}
    for role, (namespace, metric, statistic, comparison, missing) in REGIONAL.items():
        props = alarms[role]
        assert props["Namespace"] == namespace, role
        assert props["MetricName"] == metric, role
        assert props.get("Statistic", props.get("ExtendedStatistic")) == statistic, role
        assert props["ComparisonOperator"] == comparison, role
        assert props["TreatMissingData"] == missing, role
        assert props["Threshold"] == thresholds[role], role
        assert props["EvaluationPeriods"] == t.evaluation_periods
        assert props["Period"] == t.period_seconds
    rate = alarms["Target5xxRate"]
    assert rate["Threshold"] == t.target_5xx_rate_percent
    (expression,) = [m for m in rate["Metrics"] if "Expression" in m]
    assert expression["Expression"] == "100 * FILL(errors, 0) / FILL(requests, 1)"
    used = {m["Id"]: m["MetricStat"]["Metric"]["MetricName"] for m in rate["Metrics"] if "MetricStat" in m}
    assert used == {"errors": "HTTPCode_Target_5XX_Count", "requests": "RequestCount"}
    # D5: nothing in the app region watches CloudFront.
    assert "AWS/CloudFront" not in json.dumps(alarms)


def test_every_alarm_has_a_description_with_a_runbook_link(each_env):
    for template in each_env.alerting_templates().values():
        for rtype in ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"):
            for logical_id, alarm in template.find_resources(rtype).items():
                description = alarm["Properties"]["AlarmDescription"]
                assert "First check" in description or "pages" in description, logical_id
                assert "docs/runbook.md#" in description, logical_id


def test_individual_alarms_report_to_events_and_composite_pages(each_env):
    for name, template in each_env.alerting_templates().items():
        page, events = _topic_ids(template)
        for logical_id, alarm in template.find_resources("AWS::CloudWatch::Alarm").items():
            assert [ref_id(a) for a in alarm["Properties"]["AlarmActions"]] == [events], logical_id
            assert [ref_id(a) for a in alarm["Properties"]["OKActions"]] == [events], logical_id
        _, composite = only(template.find_resources("AWS::CloudWatch::CompositeAlarm"))
        props = composite["Properties"]
        assert [ref_id(a) for a in props["AlarmActions"]] == [page]
        assert [ref_id(a) for a in props["OKActions"]] == [page]
        rule = json.dumps(props["AlarmRule"])
        alarms = template.find_resources("AWS::CloudWatch::Alarm")
        # Deploy-gate alarms roll a deploy back and never page: not in the composite.
        members = [k for k in alarms if not k.startswith("WebTierRollbackAlarms")]
        for logical_id in alarms:
            if logical_id in members:
                assert logical_id in rule, f"{name}: {logical_id} missing from the composite rule"
            else:
                assert logical_id not in rule, f"{name}: deploy-gate alarm {logical_id} would page"
        assert rule.count("ALARM(") == len(members)
        assert " OR " in rule


def test_cloudfront_alarms_live_in_us_east_1(each_env):
    assert each_env.stacks.edge_monitoring.region == "us-east-1"
    alarms = _alarms(each_env.edge_monitoring)
    expected = {"CloudFront4xxRate", "CloudFront5xxRate"} | (
        {"WafBlockedSpike"} if each_env.config.waf.enabled else set()
    )
    assert set(alarms) == expected
    t = each_env.config.alarms
    for role, metric, threshold in (
        ("CloudFront4xxRate", "4xxErrorRate", t.cloudfront_4xx_rate_percent),
        ("CloudFront5xxRate", "5xxErrorRate", t.cloudfront_5xx_rate_percent),
    ):
        props = alarms[role]
        assert (props["Namespace"], props["MetricName"], props["Threshold"]) == ("AWS/CloudFront", metric, threshold)
        dims = {d["Name"]: d["Value"] for d in props["Dimensions"]}
        assert dims["Region"] == "Global"
        assert dims["DistributionId"]["Fn::GetStackOutput"]["StackName"] == each_env.stacks.web.stack_name
    if each_env.config.waf.enabled:
        waf = alarms["WafBlockedSpike"]
        assert (waf["Namespace"], waf["MetricName"], waf["Threshold"]) == (
            "AWS/WAFV2",
            "BlockedRequests",
            t.waf_blocked_requests,
        )
        dims = {d["Name"]: d["Value"] for d in waf["Dimensions"]}
        assert dims == {"WebACL": f"webstack-{each_env.config.name}-cdn", "Rule": "ALL"}
        # The dimension is the edge stack's web ACL metric name.
        _, acl = only(each_env.edge.find_resources("AWS::WAFv2::WebACL"))
        assert acl["Properties"]["VisibilityConfig"]["MetricName"] == dims["WebACL"]


def test_email_subscriptions_only_on_the_paging_topic():
    configured = synthesize("dev", {"alarms": {"emails": ["oncall@webstack-test.net", "sre@webstack-test.net"]}})
    for template in configured.alerting_templates().values():
        page, _ = _topic_ids(template)
        subscriptions = template.find_resources("AWS::SNS::Subscription")
        assert sorted(s["Properties"]["Endpoint"] for s in subscriptions.values()) == [
            "oncall@webstack-test.net",
            "sre@webstack-test.net",
        ]
        assert {ref_id(s["Properties"]["TopicArn"]) for s in subscriptions.values()} == {page}


def test_no_placeholder_subscriber_by_default(dev):
    dev.web.resource_count_is("AWS::SNS::Subscription", 0)


def _widgets(template) -> list[dict]:
    _, dashboard = only(template.find_resources("AWS::CloudWatch::Dashboard"))
    body = dashboard["Properties"]["DashboardBody"]
    # The body is a Fn::Join of literal JSON and tokens; tokens become strings.
    parts = body["Fn::Join"][1] if isinstance(body, dict) else [body]
    text = "".join(p if isinstance(p, str) else "TOKEN" for p in parts)
    return json.loads(text)["widgets"]


@pytest.mark.parametrize("env_name", ["dev", "prod"])
def test_dashboard_widgets_metrics_and_regions(synth, env_name):
    env = synth(env_name)
    widgets = _widgets(env.web)
    titles = [w["properties"].get("title", "") for w in widgets]
    text = next(w for w in widgets if w["type"] == "text")
    assert "docs/runbook.md" in text["properties"]["markdown"]
    assert "Alarms" in titles
    metric_regions: dict[str, set[str]] = {}
    for w in widgets:
        for metric in w["properties"].get("metrics", []):
            namespace, name = metric[0], metric[1]
            options = metric[-1] if isinstance(metric[-1], dict) else {}
            metric_regions.setdefault(f"{namespace}:{name}", set()).add(
                options.get("region", w["properties"].get("region", ""))
            )
    for expected in (
        "AWS/ApplicationELB:RequestCount",
        "AWS/ApplicationELB:TargetResponseTime",
        "AWS/ApplicationELB:HTTPCode_ELB_4XX_Count",
        "AWS/ApplicationELB:HTTPCode_Target_4XX_Count",
        "AWS/ApplicationELB:HTTPCode_ELB_5XX_Count",
        "AWS/ApplicationELB:HTTPCode_Target_5XX_Count",
        "AWS/ApplicationELB:HealthyHostCount",
        "AWS/ApplicationELB:UnHealthyHostCount",
        "AWS/AutoScaling:GroupDesiredCapacity",
        "AWS/AutoScaling:GroupInServiceInstances",
        "AWS/EC2:CPUUtilization",
        "AWS/CloudFront:Requests",
        "AWS/CloudFront:CacheHitRate",
        "AWS/CloudFront:4xxErrorRate",
        "AWS/CloudFront:5xxErrorRate",
    ):
        assert expected in metric_regions, expected
    for key, regions in metric_regions.items():
        if key.startswith(("AWS/CloudFront", "AWS/WAFV2")):
            assert regions == {"us-east-1"}, key
    latency = next(w for w in widgets if "p50 / p90 / p99" in w["properties"].get("title", ""))
    stats = [m[-1]["stat"] for m in latency["properties"]["metrics"]]
    assert stats == ["p50", "p90", "p99"]
    assert ("AWS/WAFV2:BlockedRequests" in metric_regions) == env.config.waf.enabled


def test_every_runbook_link_has_a_section(prod):
    import re
    from pathlib import Path

    runbook = (Path(__file__).resolve().parents[2] / "docs" / "runbook.md").read_text()
    sections = set(re.findall(r"^## ([a-z0-9-]+)$", runbook, flags=re.M))
    linked = set()
    for template in prod.alerting_templates().values():
        linked |= set(re.findall(r"runbook\.md#([a-z0-9-]+)", json.dumps(template.to_json())))
    assert linked, "no alarm links the runbook"
    assert linked <= sections, f"missing runbook sections: {sorted(linked - sections)}"
    assert sections <= linked, f"runbook sections no alarm links: {sorted(sections - linked)}"
