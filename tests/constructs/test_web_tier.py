"""WebTier alone: one fresh stack per option (certificate, origin guard, mixed types, schedules, Graviton)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_sns as sns

from tests.constructs.conftest import (
    acknowledged_ids,
    bucket_in,
    fresh_stack,
    key_in,
    only_one,
    props_of,
    resources,
    template,
    vpc_in,
)
from webstack.config import Capacity, LoadBalancing, Scaling, ScheduledScaling
from webstack.constructs.web_tier import HEALTH_PATH, SIGNAL_TIMEOUT_SECONDS, OriginGuard, WebTier

PREFIX_LIST = "pl-82a045eb"
GUARD = OriginGuard(prefix_list_id=PREFIX_LIST, header_name="X-Origin-Verify", header_value="{{resolve:test}}")
NAMESPACE = "webstack/test"
CERT_ARN = "arn:aws:acm:us-west-2:111111111111:certificate/0b5b8b8e-1111-2222-3333-444455556666"


def _app_installer() -> ec2.UserData:
    """Stands for the origin application's installer (origin_app.OriginApp.user_data)."""
    user_data = ec2.UserData.for_linux()
    user_data.add_commands("systemctl enable --now webstack-app.service")
    return user_data


def web_tier(stack: Stack, **options: Any) -> WebTier:
    defaults: dict[str, Any] = {
        "instance_type": "t3.small",
        "capacity": Capacity(min=2, desired=2, max=4),
        "scaling": Scaling(),
        "load_balancing": LoadBalancing(),
        "deletion_protection": False,
        "log_retention_days": 14,
        "removal_policy": RemovalPolicy.DESTROY,
        "metrics_namespace": NAMESPACE,
        "user_data": _app_installer(),
    }
    return WebTier(
        stack,
        "WebTier",
        vpc=vpc_in(stack),
        volume_key=key_in(stack),
        log_key=key_in(stack, "LogKey"),
        access_log_bucket=bucket_in(stack, "AlbLogs"),
        **{**defaults, **options},
    )


def certificate(stack: Stack) -> acm.ICertificate:
    return acm.Certificate.from_certificate_arn(stack, "Cert", CERT_ARN)


def listeners(stack: Stack) -> dict[int, dict[str, Any]]:
    return {p["Port"]: p for p in props_of(resources(stack, "AWS::ElasticLoadBalancingV2::Listener"))}


def ingress(stack: Stack) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = []
    for props in props_of(resources(stack, "AWS::EC2::SecurityGroup")):
        rules += props.get("SecurityGroupIngress", [])
    rules += list(props_of(resources(stack, "AWS::EC2::SecurityGroupIngress")))
    return rules


def test_launch_template_is_hardened(stack):
    web_tier(stack)
    data = only_one(resources(stack, "AWS::EC2::LaunchTemplate"))["Properties"]["LaunchTemplateData"]
    assert data["MetadataOptions"] == {"HttpPutResponseHopLimit": 1, "HttpTokens": "required"}
    assert "KeyName" not in data, "no SSH key pair: access is through SSM Session Manager"
    (device,) = data["BlockDeviceMappings"]
    assert device["Ebs"]["Encrypted"] is True
    assert device["Ebs"]["VolumeType"] == "gp3"
    assert "KmsKeyId" in device["Ebs"], "EBS uses the customer-managed key, not the AWS default"
    assert data["Monitoring"] == {"Enabled": True}


def test_without_certificate_http_serves_and_is_open_without_guard(stack):
    tier = web_tier(stack)
    assert tier.redirect_listener is None
    assert set(listeners(stack)) == {80}
    assert any(r.get("CidrIp") == "0.0.0.0/0" and r.get("FromPort") == 80 for r in ingress(stack))


def test_with_certificate_https_serves_and_http_only_redirects(stack):
    web_tier(stack, certificate=certificate(stack))
    found = listeners(stack)
    assert set(found) == {80, 443}
    assert found[443]["Protocol"] == "HTTPS"
    assert found[443]["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    (redirect,) = found[80]["DefaultActions"]
    assert redirect["Type"] == "redirect"
    assert redirect["RedirectConfig"] == {"Port": "443", "Protocol": "HTTPS", "StatusCode": "HTTP_301"}


def test_origin_guard_admits_cloudfront_only_and_requires_the_header(stack):
    web_tier(stack, origin_guard=GUARD)
    rules = [r for r in ingress(stack) if r.get("FromPort") in (80, 443)]
    alb_rules = [r for r in rules if "SourceSecurityGroupId" not in r]
    assert alb_rules and all(r.get("SourcePrefixListId") == PREFIX_LIST for r in alb_rules)
    assert not any("CidrIp" in r for r in rules), "no CIDR ingress when only CloudFront may connect"
    (serving,) = listeners(stack).values()
    (deny,) = serving["DefaultActions"]
    assert deny["Type"] == "fixed-response" and deny["FixedResponseConfig"]["StatusCode"] == "403"
    rule = only_one(resources(stack, "AWS::ElasticLoadBalancingV2::ListenerRule"))["Properties"]
    assert rule["Priority"] == 10
    assert rule["Conditions"] == [
        {
            "Field": "http-header",
            "HttpHeaderConfig": {"HttpHeaderName": "X-Origin-Verify", "Values": ["{{resolve:test}}"]},
        }
    ]


def test_origin_guard_with_certificate_uses_one_group_per_port(stack):
    """The prefix list weighs ~55 rules against the 60-rule quota: one port per group (D9)."""
    web_tier(stack, origin_guard=GUARD, certificate=certificate(stack))
    by_group: dict[str, set[int]] = {}
    for lid, sg in resources(stack, "AWS::EC2::SecurityGroup").items():
        for rule in sg["Properties"].get("SecurityGroupIngress", []):
            if "SourcePrefixListId" in rule:
                by_group.setdefault(lid, set()).add(rule["FromPort"])
    for rule in props_of(resources(stack, "AWS::EC2::SecurityGroupIngress")):
        if "SourcePrefixListId" in rule:
            by_group.setdefault(rule["GroupId"]["Fn::GetAtt"][0], set()).add(rule["FromPort"])
    assert sorted(map(sorted, by_group.values())) == [[80], [443]]


def test_one_instance_type_uses_the_launch_template_directly(stack):
    web_tier(stack)
    group = only_one(resources(stack, "AWS::AutoScaling::AutoScalingGroup"))["Properties"]
    assert "LaunchTemplate" in group and "MixedInstancesPolicy" not in group


def test_extra_instance_types_make_a_mixed_instances_policy(stack):
    web_tier(stack, scaling=Scaling(extra_instance_types=("t3a.small", "m5.large")))
    group = only_one(resources(stack, "AWS::AutoScaling::AutoScalingGroup"))["Properties"]
    assert "LaunchTemplate" not in group
    policy = group["MixedInstancesPolicy"]
    assert [o["InstanceType"] for o in policy["LaunchTemplate"]["Overrides"]] == ["t3.small", "t3a.small", "m5.large"]
    assert policy["InstancesDistribution"]["OnDemandPercentageAboveBaseCapacity"] == 100


def test_mixed_instances_policy_launches_from_the_hardened_template(stack):
    """What the mixed group's two cdk-nag acknowledgements rest on: the policy names the one launch
    template, and that template has the encrypted volume and IMDSv2 the rules could not read."""
    web_tier(stack, scaling=Scaling(extra_instance_types=("t3a.small",)))
    ((template_id, launch_template),) = resources(stack, "AWS::EC2::LaunchTemplate").items()
    group = only_one(resources(stack, "AWS::AutoScaling::AutoScalingGroup"))["Properties"]
    spec = group["MixedInstancesPolicy"]["LaunchTemplate"]["LaunchTemplateSpecification"]
    assert spec["LaunchTemplateId"] == {"Ref": template_id}
    data = launch_template["Properties"]["LaunchTemplateData"]
    assert data["MetadataOptions"]["HttpTokens"] == "required"
    assert all(device["Ebs"]["Encrypted"] is True for device in data["BlockDeviceMappings"])


def _acknowledged_on_group(tier: WebTier) -> set[str]:
    resource = tier.auto_scaling_group.node.default_child
    assert resource is not None
    return acknowledged_ids(resource)


def test_only_a_mixed_group_acknowledges_the_rules_that_read_the_top_level_template(stack):
    assert _acknowledged_on_group(web_tier(stack)) == set()
    mixed = web_tier(fresh_stack(), scaling=Scaling(extra_instance_types=("t3a.small",)))
    assert _acknowledged_on_group(mixed) == {"AwsSolutions-EC26", "NIST.800.53.R5-EC2IMDSv2Enabled"}


def test_schedules_become_scheduled_actions_in_utc(stack):
    schedules = (
        ScheduledScaling(name="BusinessHours", cron="0 7 * * 1-5", min=3, max=6),
        ScheduledScaling(name="Night", cron="0 20 * * *", min=1, max=2),
    )
    web_tier(stack, scaling=Scaling(schedules=schedules))
    actions = sorted(props_of(resources(stack, "AWS::AutoScaling::ScheduledAction")), key=lambda p: p["Recurrence"])
    assert [(a["Recurrence"], a["MinSize"], a["MaxSize"], a["TimeZone"]) for a in actions] == [
        ("0 20 * * *", 1, 2, "UTC"),
        ("0 7 * * 1-5", 3, 6, "UTC"),
    ]


def test_no_schedules_no_scheduled_actions(stack):
    web_tier(stack)
    assert resources(stack, "AWS::AutoScaling::ScheduledAction") == {}


def _image_parameter(stack: Stack) -> str:
    for parameter in template(stack).to_json().get("Parameters", {}).values():
        if "al2023" in str(parameter.get("Default", "")):
            return str(parameter["Default"])
    raise AssertionError("no Amazon Linux 2023 image parameter in the template")


def test_x86_instance_type_selects_the_x86_64_image(stack):
    web_tier(stack, instance_type="t3.small")
    assert _image_parameter(stack).endswith("x86_64")


@pytest.mark.parametrize("instance_type", ["t4g.small", "m7g.large", "a1.medium"])
def test_graviton_instance_type_selects_the_arm64_image(stack, instance_type):
    web_tier(stack, instance_type=instance_type)
    assert _image_parameter(stack).endswith("arm64")


def test_scales_on_cpu_and_on_requests(stack):
    web_tier(stack, scaling=Scaling(cpu_target_percent=55, requests_per_target=700))
    tracking = [p["TargetTrackingConfiguration"] for p in props_of(resources(stack, "AWS::AutoScaling::ScalingPolicy"))]
    kinds = {t["PredefinedMetricSpecification"]["PredefinedMetricType"]: t["TargetValue"] for t in tracking}
    assert kinds == {"ASGAverageCPUUtilization": 55, "ALBRequestCountPerTarget": 700}


def _group(stack: Stack) -> dict[str, Any]:
    return only_one(resources(stack, "AWS::AutoScaling::AutoScalingGroup"))


def test_instance_refresh_takes_its_pace_from_config(stack):
    scaling = Scaling(
        min_healthy_percent=90,
        max_healthy_percent=180,
        checkpoint_percentages=(25, 100),
        checkpoint_delay_seconds=60,
        bake_time_seconds=120,
    )
    web_tier(stack, capacity=Capacity(min=3, desired=3, max=6), scaling=scaling)
    policy = _group(stack)["UpdatePolicy"]
    assert "AutoScalingRollingUpdate" not in policy  # mutually exclusive with instance refresh
    refresh = policy["AutoScalingInstanceRefresh"]
    assert refresh["Strategy"] == "Rolling"
    prefs = refresh["Preferences"]
    assert (prefs["MinHealthyPercentage"], prefs["MaxHealthyPercentage"]) == (90, 180)
    assert (prefs["CheckpointPercentages"], prefs["CheckpointDelay"], prefs["BakeTime"]) == ([25, 100], 60, 120)
    assert prefs["SkipMatching"] is True


def test_no_checkpoints_means_no_checkpoint_delay(stack):
    web_tier(stack, scaling=Scaling(checkpoint_percentages=()))
    prefs = _group(stack)["UpdatePolicy"]["AutoScalingInstanceRefresh"]["Preferences"]
    assert "CheckpointPercentages" not in prefs and "CheckpointDelay" not in prefs


def _alarms_by_id(stack: Stack) -> dict[str, dict[str, Any]]:
    return {k: v["Properties"] for k, v in resources(stack, "AWS::CloudWatch::Alarm").items()}


def test_refresh_rolls_back_on_its_own_alarms_which_never_page(stack):
    web_tier(stack, alert_topic=sns.Topic(stack, "Alerts"), events_topic=sns.Topic(stack, "Events"))
    names = _group(stack)["UpdatePolicy"]["AutoScalingInstanceRefresh"]["Preferences"]["AlarmSpecification"]
    alarms = _alarms_by_id(stack)
    watched = [ref["Ref"] for ref in names["Alarms"]]
    assert 1 <= len(watched) <= 10  # AWS's limit
    assert set(watched) == set(alarms)
    metrics = set()
    for logical_id in watched:
        alarm = alarms[logical_id]
        assert "RollbackAlarms" in logical_id
        # Events topic only: the pager (Alerts) never hears of a rolled-back deploy.
        for actions in ("AlarmActions", "OKActions"):
            assert [a["Ref"] for a in alarm[actions]] == [ref_of(stack, "Events")]
        metrics.add(alarm.get("MetricName") or next(m["Expression"] for m in alarm["Metrics"] if "Expression" in m))
    assert metrics == {"UnHealthyHostCount", "TargetResponseTime", "100 * FILL(errors, 0) / FILL(requests, 1)"}


def test_without_an_events_topic_the_rollback_alarms_have_no_action(stack):
    tier = web_tier(stack)
    for alarm in _alarms_by_id(stack).values():
        assert not alarm.get("AlarmActions") and not alarm.get("OKActions")
    assert "NIST.800.53.R5-CloudWatchAlarmAction" in acknowledged_ids(tier.node.find_child("RollbackAlarms"))


def test_scaling_owns_the_desired_capacity(stack):
    web_tier(stack, capacity=Capacity(min=2, desired=2, max=4))
    props = _group(stack)["Properties"]
    assert "DesiredCapacity" not in props  # CloudFormation starts the group at MinSize
    assert (props["MinSize"], props["MaxSize"]) == ("2", "4")


def _user_data(stack: Stack) -> str:
    data = only_one(resources(stack, "AWS::EC2::LaunchTemplate"))["Properties"]["LaunchTemplateData"]
    return json.dumps(data["UserData"])


def test_creation_waits_until_each_first_instance_is_healthy(stack):
    web_tier(stack, capacity=Capacity(min=3, desired=3, max=6))
    group_id = next(iter(resources(stack, "AWS::AutoScaling::AutoScalingGroup")))
    signal = _group(stack)["CreationPolicy"]["ResourceSignal"]
    # One signal per instance the group starts with; the grace period, two
    # healthy checks 15 s apart and a minute for the call.
    assert signal == {"Count": 3, "Timeout": f"PT{SIGNAL_TIMEOUT_SECONDS // 60}M{SIGNAL_TIMEOUT_SECONDS % 60}S"}
    assert SIGNAL_TIMEOUT_SECONDS == 300 + 2 * 15 + 60
    script = _user_data(stack)
    tg_id = next(iter(resources(stack, "AWS::ElasticLoadBalancingV2::TargetGroup")))
    assert "aws elbv2 describe-target-health" in script and tg_id in script
    assert '[ \\"$state\\" = \\"healthy\\" ] && status=SUCCESS' in script
    assert f'--logical-resource-id \\"{group_id}\\"' in script
    assert script.index("systemctl enable --now webstack-app.service") < script.index("signal-resource")


def test_a_group_starting_empty_waits_for_no_signal(stack):
    web_tier(stack, capacity=Capacity(min=0, desired=0, max=2))
    assert "CreationPolicy" not in _group(stack)
    assert "signal-resource" not in _user_data(stack)


def test_instance_role_reads_target_health_and_signals_its_own_stack_only(stack):
    tier = web_tier(stack)
    statements = [
        s
        for p in props_of(resources(stack, "AWS::IAM::Policy"))
        for s in p["PolicyDocument"]["Statement"]
        if any(a.startswith(("elasticloadbalancing:", "cloudformation:")) for a in _list(s["Action"]))
    ]
    by_action = {a: s["Resource"] for s in statements for a in _list(s["Action"])}
    assert by_action == {
        "elasticloadbalancing:DescribeTargetHealth": "*",  # no resource-level permissions (IAM5 acknowledged)
        "cloudformation:SignalResource": {"Ref": "AWS::StackId"},
    }
    # acknowledged_ids keeps what follows the last "::": "[Resource::*]" reads "*]".
    assert "*]" in acknowledged_ids(tier.role)


def _list(value: Any) -> list[str]:
    return value if isinstance(value, list) else [value]


def ref_of(stack: Stack, prefix: str) -> str:
    return next(k for k in template(stack).to_json()["Resources"] if k.startswith(prefix))


def test_no_topics_no_notifications(stack):
    web_tier(stack)
    group = only_one(resources(stack, "AWS::AutoScaling::AutoScalingGroup"))["Properties"]
    assert "NotificationConfigurations" not in group


def test_errors_and_all_events_go_to_their_topics(stack):
    web_tier(stack, alert_topic=sns.Topic(stack, "Alerts"), events_topic=sns.Topic(stack, "Events"))
    group = only_one(resources(stack, "AWS::AutoScaling::AutoScalingGroup"))["Properties"]
    assert len(group["NotificationConfigurations"]) == 2


def test_target_group_health_check_and_timings(stack):
    web_tier(stack, load_balancing=LoadBalancing(deregistration_delay_seconds=45, slow_start_seconds=0))
    group = only_one(resources(stack, "AWS::ElasticLoadBalancingV2::TargetGroup"))["Properties"]
    assert group["HealthCheckPath"] == HEALTH_PATH
    attributes = {a["Key"]: a["Value"] for a in group["TargetGroupAttributes"]}
    assert attributes["deregistration_delay.timeout_seconds"] == "45"
    assert "slow_start.duration_seconds" not in attributes


def test_deletion_protection_follows_the_option(stack):
    web_tier(stack, deletion_protection=True)
    alb = only_one(resources(stack, "AWS::ElasticLoadBalancingV2::LoadBalancer"))["Properties"]
    attributes = {a["Key"]: a["Value"] for a in alb["LoadBalancerAttributes"]}
    assert attributes["deletion_protection.enabled"] == "true"
    assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "true"
    template(stack).has_resource_properties(
        "AWS::ElasticLoadBalancingV2::LoadBalancer", {"Scheme": "internet-facing", "Type": "application"}
    )


def _role_statements(stack: Stack) -> list[dict[str, Any]]:
    return [s for p in props_of(resources(stack, "AWS::IAM::Policy")) for s in p["PolicyDocument"]["Statement"]]


def test_instance_log_groups_take_the_given_key_and_retention(stack):
    web_tier(stack)
    groups = resources(stack, "AWS::Logs::LogGroup")
    assert {k.rstrip("0123456789ABCDEF") for k in groups} == {"WebTierServerAccessLogs", "WebTierServerErrorLogs"}
    for group in groups.values():
        assert group["Properties"]["RetentionInDays"] == 14
        assert group["Properties"]["KmsKeyId"]["Fn::GetAtt"][0].startswith("LogKey")
        assert group["DeletionPolicy"] == "Delete"
    role = only_one(
        {k: v for k, v in resources(stack, "AWS::IAM::Role").items() if k.startswith("WebTierInstanceRole")}
    )
    assert "ManagedPolicyArns" not in role["Properties"]


def test_protect_log_groups_adds_them_to_the_one_deny(stack):
    from aws_cdk import aws_logs as logs

    tier = web_tier(stack)
    other = logs.LogGroup(stack, "Other")
    tier.protect_log_groups(other)
    (deny,) = [s for s in _role_statements(stack) if s["Effect"] == "Deny"]
    denied = {r["Fn::GetAtt"][0].rstrip("0123456789ABCDEF") for r in deny["Resource"] if "Fn::GetAtt" in r}
    assert denied == {"WebTierServerAccessLogs", "WebTierServerErrorLogs", "Other"}
    allowed = {a for s in _role_statements(stack) if s["Effect"] == "Allow" for a in s["Action"]}
    assert not allowed & set(deny["Action"]), "nothing the Deny forbids is allowed"
    metrics = [s for s in _role_statements(stack) if s.get("Sid") == "AgentMetricsInOwnNamespace"]
    assert metrics[0]["Condition"] == {"StringEquals": {"cloudwatch:namespace": NAMESPACE}}


def test_internal_alb_sits_in_the_private_subnets_and_admits_cloudfront_only(stack):
    web_tier(stack, origin_guard=GUARD, internal=True)
    alb = only_one(resources(stack, "AWS::ElasticLoadBalancingV2::LoadBalancer"))["Properties"]
    assert alb["Scheme"] == "internal"
    subnets = {k for k, v in resources(stack, "AWS::EC2::Subnet").items() if k.startswith("Vpcapp")}
    assert {s["Ref"] for s in alb["Subnets"]} == subnets, "an internal ALB belongs in the private subnets"
    rules = [r["Properties"] for r in resources(stack, "AWS::EC2::SecurityGroupIngress").values()]
    alb_rules = [r for r in rules if r["GroupId"]["Fn::GetAtt"][0].startswith("WebTierAlbSecurityGroup")]
    assert [(r.get("SourcePrefixListId"), r["FromPort"]) for r in alb_rules] == [(PREFIX_LIST, 80)]
    sg = only_one({k: v for k, v in resources(stack, "AWS::EC2::SecurityGroup").items() if "Alb" in k})
    assert "SecurityGroupIngress" not in sg["Properties"], "no open listener on an internal ALB either"


def test_internal_alb_without_origin_guard_is_refused(stack):
    with pytest.raises(ValueError, match="internal ALB needs origin_guard"):
        web_tier(stack, internal=True)
