"""Launch template, Auto Scaling Group, ALB, listener, security groups."""

from __future__ import annotations

import json

from aws_cdk.assertions import Match, Template

from tests.synth import config_of, make_app, only, ref_id
from webstack.constructs.instance_role import AGENT_CONFIG_PATH, MESSAGE_DELIVERY_ACTIONS, SESSION_MANAGER_ACTIONS
from webstack.stacks import add_environment
from webstack_pitfalls.template import render


def _launch_template(synth):
    return only(synth.web.find_resources("AWS::EC2::LaunchTemplate"))[1]["Properties"]["LaunchTemplateData"]


def test_launch_template_imdsv2_encrypted_gp3_no_ssh(each_env):
    data = _launch_template(each_env)
    assert data["MetadataOptions"]["HttpTokens"] == "required"
    assert data["MetadataOptions"]["HttpPutResponseHopLimit"] == 1
    ebs = data["BlockDeviceMappings"][0]["Ebs"]
    assert ebs["Encrypted"] is True and ebs["VolumeType"] == "gp3"
    assert ebs["KmsKeyId"]["Fn::GetAtt"][0].startswith("KeysDataKey")
    assert data["Monitoring"] == {"Enabled": True}
    assert "KeyName" not in data
    assert data["InstanceType"] == each_env.config.instance_type


def test_amazon_linux_2023_image_resolved_at_deploy_time(each_env):
    data = _launch_template(each_env)
    param = data["ImageId"]["Ref"]
    parameter = each_env.web.to_json()["Parameters"][param]
    assert parameter["Type"] == "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>"
    assert "al2023-ami" in parameter["Default"]
    assert "amzn2-ami" not in parameter["Default"]


def _user_data(synth) -> str:
    # CloudFormation base64-encodes the script; the template holds it as text,
    # joined with the Refs of the log groups the agent writes to.
    return render(_launch_template(synth)["UserData"]["Fn::Base64"])


def _agent_config(user_data: str) -> dict:
    start = user_data.index(f"cat > {AGENT_CONFIG_PATH} <<'AGENT'\n") + len(f"cat > {AGENT_CONFIG_PATH} <<'AGENT'\n")
    return json.loads(user_data[start : user_data.index("\nAGENT\n", start)])


def test_cloudwatch_agent_ships_the_apps_logs_to_the_tiers_own_groups(each_env):
    user_data = _user_data(each_env)
    assert "dnf install -y amazon-cloudwatch-agent" in user_data
    assert f"amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:{AGENT_CONFIG_PATH}" in user_data
    config = _agent_config(user_data)
    files = {f["file_path"]: f["log_group_name"] for f in config["logs"]["logs_collected"]["files"]["collect_list"]}
    assert set(files) == {"/var/log/webstack-app/access.log", "/var/log/webstack-app/error.log"}
    # ... the files systemd appends the app's stdout and stderr to (origin_app's user data)
    assert "StandardOutput=append:/var/log/webstack-app/access.log" in user_data
    assert "StandardError=append:/var/log/webstack-app/error.log" in user_data
    groups = each_env.web.find_resources("AWS::Logs::LogGroup")
    for group in files.values():
        logical_id = group.removeprefix("${").removesuffix("}")
        assert logical_id.startswith("WebTierServer") and logical_id in groups, group
        props = groups[logical_id]["Properties"]
        assert props["RetentionInDays"] == each_env.config.log_retention_days
        assert props["KmsKeyId"]["Fn::GetAtt"][0].startswith("KeysTelemetryKey")
    # The stack owns retention: an agent with retention_in_days would call PutRetentionPolicy.
    assert "retention_in_days" not in json.dumps(config)
    assert config["metrics"]["namespace"] == f"webstack/{each_env.config.name}"
    # Only instance-metadata dimensions: tag dimensions would need ec2:DescribeTags on "*".
    assert config["metrics"]["append_dimensions"] == {"InstanceId": "${aws:InstanceId}"}


def test_no_launch_configuration(each_env):
    each_env.web.resource_count_is("AWS::AutoScaling::LaunchConfiguration", 0)


def test_asg_private_subnets_capacity_and_elb_health(each_env):
    cfg = each_env.config
    _, asg = only(each_env.web.find_resources("AWS::AutoScaling::AutoScalingGroup"))
    props = asg["Properties"]
    # No DesiredCapacity: the group starts at MinSize (= capacity.desired) and scaling owns it afterwards.
    assert "DesiredCapacity" not in props
    assert (int(props["MinSize"]), int(props["MaxSize"])) == (cfg.capacity.min, cfg.capacity.max)
    assert cfg.capacity.desired == cfg.capacity.min
    assert props["HealthCheckType"] == "ELB"
    assert props["DefaultInstanceWarmup"] == cfg.scaling.instance_warmup_seconds
    subnets = each_env.web.to_json()["Resources"]
    for subnet in props["VPCZoneIdentifier"]:
        assert subnets[ref_id(subnet)]["Properties"]["MapPublicIpOnLaunch"] is False
        assert "AppSubnet" in ref_id(subnet)
    assert "AutoScalingRollingUpdate" not in asg["UpdatePolicy"]
    assert asg["UpdatePolicy"]["AutoScalingInstanceRefresh"]["Strategy"] == "Rolling"


def test_prod_group_refreshes_instances_and_rolls_back_on_deploy_alarms(prod):
    """A launch template change in prod replaces instances by an instance refresh
    that the rollback alarms can fail (and CloudFormation then rolls back)."""
    cfg = prod.config.scaling
    _, asg = only(prod.web.find_resources("AWS::AutoScaling::AutoScalingGroup"))
    assert "DesiredCapacity" not in asg["Properties"]
    prefs = asg["UpdatePolicy"]["AutoScalingInstanceRefresh"]["Preferences"]
    assert prefs["MinHealthyPercentage"] == cfg.min_healthy_percent
    assert prefs["MaxHealthyPercentage"] == cfg.max_healthy_percent
    assert prefs["CheckpointPercentages"] == list(cfg.checkpoint_percentages)
    assert prefs["CheckpointDelay"] == cfg.checkpoint_delay_seconds
    assert prefs["BakeTime"] == cfg.bake_time_seconds
    assert prefs["SkipMatching"] is True
    alarms = prod.web.find_resources("AWS::CloudWatch::Alarm")
    watched = [ref_id(a) for a in prefs["AlarmSpecification"]["Alarms"]]
    assert sorted(watched) == sorted(k for k in alarms if k.startswith("WebTierRollbackAlarms"))
    assert len(watched) == 3
    topics = prod.web.find_resources("AWS::SNS::Topic")
    events = next(k for k in topics if k.startswith("AlertsEventsTopic"))
    for logical_id in watched:
        actions = alarms[logical_id]["Properties"]["AlarmActions"]
        assert [ref_id(a) for a in actions] == [events]  # never the paging topic
    assert asg["CreationPolicy"]["ResourceSignal"]["Count"] == prod.config.capacity.min


def test_scaling_on_cpu_and_on_load(each_env):
    policies = each_env.web.find_resources("AWS::AutoScaling::ScalingPolicy")
    kinds = {
        p["Properties"]["TargetTrackingConfiguration"]["PredefinedMetricSpecification"]["PredefinedMetricType"]: p
        for p in policies.values()
    }
    assert set(kinds) == {"ASGAverageCPUUtilization", "ALBRequestCountPerTarget"}
    cpu = kinds["ASGAverageCPUUtilization"]["Properties"]["TargetTrackingConfiguration"]["TargetValue"]
    assert cpu == each_env.config.scaling.cpu_target_percent
    requests = kinds["ALBRequestCountPerTarget"]["Properties"]["TargetTrackingConfiguration"]["TargetValue"]
    assert requests == each_env.config.scaling.requests_per_target


def test_alb_hardened_and_logged_internal_only_behind_a_vpc_origin(each_env):
    _, alb = only(each_env.web.find_resources("AWS::ElasticLoadBalancingV2::LoadBalancer"))
    props = alb["Properties"]
    private = each_env.config.origin.private
    assert props["Scheme"] == ("internal" if private else "internet-facing")
    each_env.web.resource_count_is("AWS::CloudFront::VpcOrigin", 1 if private else 0)
    assert props["Type"] == "application"
    attrs = {a["Key"]: a["Value"] for a in props["LoadBalancerAttributes"]}
    assert attrs["routing.http.drop_invalid_header_fields.enabled"] == "true"
    assert attrs["access_logs.s3.enabled"] == "true"
    assert ref_id(attrs["access_logs.s3.bucket"]).startswith("StorageAlbLogs")
    assert attrs["deletion_protection.enabled"] == str(each_env.config.deletion_protection).lower()
    for subnet in props["Subnets"]:
        assert ("AppSubnet" if private else "PublicSubnet") in ref_id(subnet)


def test_prod_reaches_its_internal_alb_through_a_vpc_origin_and_dev_stays_public(prod, dev):
    ((vpc_origin_id, vpc_origin),) = prod.web.find_resources("AWS::CloudFront::VpcOrigin").items()
    endpoint = vpc_origin["Properties"]["VpcOriginEndpointConfig"]
    assert ref_id(endpoint["Arn"]).startswith("WebTierAlb")
    # No domain in prod's defaults: no ALB certificate, so HTTP -- inside the VPC only.
    assert endpoint["OriginProtocolPolicy"] == "http-only"
    assert any(d.startswith("NetworkVpcVPCGW") for d in vpc_origin["DependsOn"]), "after the IGW attachment (D22)"
    _, dist = only(prod.web.find_resources("AWS::CloudFront::Distribution"))
    (api_origin,) = [o for o in dist["Properties"]["DistributionConfig"]["Origins"] if "VpcOriginConfig" in o]
    assert api_origin["VpcOriginConfig"]["VpcOriginId"] == {"Fn::GetAtt": [vpc_origin_id, "Id"]}
    assert api_origin["OriginCustomHeaders"][0]["HeaderName"] == "X-Origin-Verify"  # defence in depth
    dev.web.resource_count_is("AWS::CloudFront::VpcOrigin", 0)
    _, dev_dist = only(dev.web.find_resources("AWS::CloudFront::Distribution"))
    assert not [o for o in dev_dist["Properties"]["DistributionConfig"]["Origins"] if "VpcOriginConfig" in o]


def test_listener_forwards_only_requests_from_cloudfront(dev):
    listener_id, listener = only(dev.web.find_resources("AWS::ElasticLoadBalancingV2::Listener"))
    assert listener["Properties"]["Port"] == 80
    # Origin protection: no origin-verify header, no service.
    (default,) = listener["Properties"]["DefaultActions"]
    assert default["Type"] == "fixed-response"
    assert default["FixedResponseConfig"]["StatusCode"] == "403"
    _, rule = only(dev.web.find_resources("AWS::ElasticLoadBalancingV2::ListenerRule"))
    assert ref_id(rule["Properties"]["ListenerArn"]) == listener_id
    (condition,) = rule["Properties"]["Conditions"]
    assert condition["HttpHeaderConfig"]["HttpHeaderName"] == "X-Origin-Verify"
    value = json.dumps(condition["HttpHeaderConfig"]["Values"])
    assert "{{resolve:secretsmanager:" in value and "SecretsOriginVerify" in value
    assert rule["Properties"]["Actions"][0]["Type"] == "forward"
    _, tg = only(dev.web.find_resources("AWS::ElasticLoadBalancingV2::TargetGroup"))
    props = tg["Properties"]
    assert props["HealthCheckPath"] == "/api/health"  # what the origin application answers (app/)
    assert props["Matcher"] == {"HttpCode": "200"}
    assert props["TargetType"] == "instance"


def test_alb_admits_cloudfront_prefix_list_only(each_env):
    groups = each_env.web.find_resources("AWS::EC2::SecurityGroup")
    alb_sg = next(k for k in groups if k.startswith("WebTierAlbSecurityGroup"))
    assert "SecurityGroupIngress" not in groups[alb_sg]["Properties"]
    ingress = [
        r["Properties"]
        for r in each_env.web.find_resources("AWS::EC2::SecurityGroupIngress").values()
        if ref_id(r["Properties"]["GroupId"]) == alb_sg
    ]
    assert [(i["SourcePrefixListId"], i["FromPort"], i["ToPort"]) for i in ingress] == [("pl-82a045eb", 80, 80)]
    assert "0.0.0.0/0" not in json.dumps(each_env.web.find_resources("AWS::EC2::SecurityGroupIngress"))


def test_instances_admit_http_from_the_alb_only_without_duplicates(each_env):
    groups = each_env.web.find_resources("AWS::EC2::SecurityGroup")
    instance_sg = next(k for k in groups if k.startswith("WebTierInstanceSecurityGroup"))
    alb_sg = next(k for k in groups if k.startswith("WebTierAlbSecurityGroup"))
    assert "SecurityGroupIngress" not in groups[instance_sg]["Properties"]
    ingress = [
        r["Properties"]
        for r in each_env.web.find_resources("AWS::EC2::SecurityGroupIngress").values()
        if ref_id(r["Properties"]["GroupId"]) == instance_sg
    ]
    assert len(ingress) == 1
    assert ref_id(ingress[0]["SourceSecurityGroupId"]) == alb_sg
    assert ingress[0]["FromPort"] == ingress[0]["ToPort"] == 80
    # D12: no rule appears twice, inline or standalone.
    all_rules = [
        json.dumps(r["Properties"], sort_keys=True)
        for r in each_env.web.find_resources("AWS::EC2::SecurityGroupIngress").values()
    ]
    assert len(all_rules) == len(set(all_rules))
    # ALB egress only to the instances, none to the internet.
    assert "0.0.0.0/0" not in json.dumps(groups[alb_sg]["Properties"].get("SecurityGroupEgress", []))
    egress = [
        r["Properties"]
        for r in each_env.web.find_resources("AWS::EC2::SecurityGroupEgress").values()
        if ref_id(r["Properties"]["GroupId"]) == alb_sg
    ]
    assert [ref_id(e["DestinationSecurityGroupId"]) for e in egress] == [instance_sg]


def _instance_role(synth) -> tuple[str, dict, list[dict]]:
    """(logical id, properties, every statement of its policies) of the instance role."""
    resources = synth.web.to_json()["Resources"]
    role_id = next(
        k for k, v in resources.items() if k.startswith("WebTierInstanceRole") and v["Type"] == "AWS::IAM::Role"
    )
    statements = [
        s
        for p in synth.web.find_resources("AWS::IAM::Policy").values()
        if any(ref_id(r) == role_id for r in p["Properties"]["Roles"])
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]
    return role_id, resources[role_id]["Properties"], statements


def _actions(statement: dict) -> list[str]:
    return statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]


def _resources(statement: dict) -> list:
    return statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]


def test_instance_role_has_no_managed_policy_and_only_these_actions(each_env):
    role_id, role, statements = _instance_role(each_env)
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}
    # AmazonSSMManagedInstanceCore (ssm:GetParameter* on every parameter) and
    # CloudWatchAgentServerPolicy (CreateLogGroup, PutRetentionPolicy on "*") are gone.
    assert "ManagedPolicyArns" not in role and "Policies" not in role
    allowed = {a for s in statements if s["Effect"] == "Allow" for a in _actions(s)}
    assert allowed == {
        *SESSION_MANAGER_ACTIONS,
        *MESSAGE_DELIVERY_ACTIONS,
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "cloudwatch:PutMetricData",
        "s3:ListBucket",
        "s3:GetObject",
        "kms:Decrypt",
        "secretsmanager:DescribeSecret",
        "secretsmanager:GetSecretValue",
        # Creation gated on health: read its own target health, signal its own stack.
        "elasticloadbalancing:DescribeTargetHealth",
        "cloudformation:SignalResource",
    }
    each_env.web.has_resource_properties("AWS::IAM::InstanceProfile", {"Roles": [{"Ref": role_id}]})
    each_env.web.has_resource_properties(
        "AWS::EC2::LaunchTemplate",
        {"LaunchTemplateData": {"IamInstanceProfile": {"Arn": Match.any_value()}}},
    )


def test_instance_role_writes_only_its_own_log_groups_and_namespace(each_env):
    _, _, statements = _instance_role(each_env)
    allows = [s for s in statements if s["Effect"] == "Allow"]
    (logs_statement,) = [s for s in allows if "logs:PutLogEvents" in _actions(s)]
    assert {ref_id(r) for r in _resources(logs_statement)} == {
        k for k in each_env.web.find_resources("AWS::Logs::LogGroup") if k.startswith("WebTierServer")
    }
    (metrics,) = [s for s in allows if "cloudwatch:PutMetricData" in _actions(s)]
    assert metrics["Condition"] == {"StringEquals": {"cloudwatch:namespace": f"webstack/{each_env.config.name}"}}


def test_instance_role_uses_the_data_key_only_through_s3(each_env):
    _, _, statements = _instance_role(each_env)
    (key_use,) = [s for s in statements if any(a.startswith("kms:") for a in _actions(s))]
    assert _actions(key_use) == ["kms:Decrypt"]
    assert ref_id(key_use["Resource"]).startswith("KeysDataKey")
    assert key_use["Condition"] == {"StringEquals": {"kms:ViaService": f"s3.{each_env.config.region}.amazonaws.com"}}


def test_instances_cannot_delete_or_shorten_any_log_group_of_the_stack(each_env):
    _, _, statements = _instance_role(each_env)
    (deny,) = [s for s in statements if s["Effect"] == "Deny"]
    assert set(_actions(deny)) == {
        "logs:DeleteLogGroup",
        "logs:DeleteLogStream",
        "logs:PutRetentionPolicy",
        "logs:DeleteRetentionPolicy",
    }
    groups = set(each_env.web.find_resources("AWS::Logs::LogGroup"))
    streams = {ref_id(r) for r in _resources(deny) if "Fn::GetAtt" in r}
    bare = {render(r).rsplit(":log-group:", 1)[1].strip("${}") for r in _resources(deny) if "Fn::Join" in r}
    assert streams == groups, "the Deny misses a log group's streams (GetAtt Arn, ...:*)"
    assert bare == groups, "the Deny misses a log group itself (...:log-group:NAME)"


def test_asg_notifies_errors_to_alerts_and_everything_to_events(dev):
    _, asg = only(dev.web.find_resources("AWS::AutoScaling::AutoScalingGroup"))
    configs = {
        ref_id(c["TopicARN"]): set(c["NotificationTypes"]) for c in asg["Properties"]["NotificationConfigurations"]
    }
    alerts = next(k for k in configs if k.startswith("AlertsTopic"))
    events = next(k for k in configs if k.startswith("AlertsEventsTopic"))
    assert configs[alerts] == {"autoscaling:EC2_INSTANCE_LAUNCH_ERROR", "autoscaling:EC2_INSTANCE_TERMINATE_ERROR"}
    assert len(configs[events]) == 4


def test_alb_and_target_group_timings(each_env):
    lb = each_env.config.load_balancing
    _, alb = only(each_env.web.find_resources("AWS::ElasticLoadBalancingV2::LoadBalancer"))
    attrs = {a["Key"]: a["Value"] for a in alb["Properties"]["LoadBalancerAttributes"]}
    assert attrs["idle_timeout.timeout_seconds"] == str(lb.idle_timeout_seconds)
    assert attrs["routing.http2.enabled"] == "true"
    _, tg = only(each_env.web.find_resources("AWS::ElasticLoadBalancingV2::TargetGroup"))
    tg_attrs = {a["Key"]: a["Value"] for a in tg["Properties"]["TargetGroupAttributes"]}
    assert tg_attrs["deregistration_delay.timeout_seconds"] == str(lb.deregistration_delay_seconds)
    assert tg_attrs["slow_start.duration_seconds"] == str(lb.slow_start_seconds)


def test_instance_refresh_keeps_the_healthy_floor(each_env):
    scaling = each_env.config.scaling
    _, asg = only(each_env.web.find_resources("AWS::AutoScaling::AutoScalingGroup"))
    prefs = asg["UpdatePolicy"]["AutoScalingInstanceRefresh"]["Preferences"]
    assert (prefs["MinHealthyPercentage"], prefs["MaxHealthyPercentage"]) == (
        scaling.min_healthy_percent,
        scaling.max_healthy_percent,
    )


def test_scheduled_scaling_and_mixed_instance_types():
    from tests.synth import synthesize

    env = synthesize(
        "dev",
        {
            "scaling": {
                "extra_instance_types": ["t3a.micro"],
                "schedules": [{"name": "Morning", "cron": "0 7 * * 1-5", "min": 2, "max": 2}],
            }
        },
    )
    _, asg = only(env.web.find_resources("AWS::AutoScaling::AutoScalingGroup"))
    policy = asg["Properties"]["MixedInstancesPolicy"]
    assert [o["InstanceType"] for o in policy["LaunchTemplate"]["Overrides"]] == ["t3.micro", "t3a.micro"]
    assert "LaunchTemplate" not in asg["Properties"]
    _, action = only(env.web.find_resources("AWS::AutoScaling::ScheduledAction"))
    assert action["Properties"] == {
        "AutoScalingGroupName": {"Ref": next(iter(env.web.find_resources("AWS::AutoScaling::AutoScalingGroup")))},
        "MaxSize": 2,
        "MinSize": 2,
        "Recurrence": "0 7 * * 1-5",
        "TimeZone": "UTC",
    }


def test_graviton_instance_type_selects_the_arm64_image():
    from tests.synth import synthesize

    env = synthesize("dev", {"instance_type": "t4g.small"})
    data = _launch_template(env)
    parameter = env.web.to_json()["Parameters"][data["ImageId"]["Ref"]]
    assert parameter["Default"].endswith("arm64")


def test_config_tags_stay_off_the_vpc_origin():
    """A tag change on a VPC origin in use is refused with 409 (D22): config.tags must not reach it."""
    stacks = add_environment(make_app(), config_of("prod", {"tags": {"CostCenter": "web"}}))
    web = Template.from_stack(stacks.web)
    ((_, vpc_origin),) = web.find_resources("AWS::CloudFront::VpcOrigin").items()
    assert {t["Key"] for t in vpc_origin["Properties"]["Tags"]} == {"Project", "Environment"}
    _, alb = only(web.find_resources("AWS::ElasticLoadBalancingV2::LoadBalancer"))
    assert {"Key": "CostCenter", "Value": "web"} in alb["Properties"]["Tags"]
