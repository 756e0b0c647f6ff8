"""Launch template, Auto Scaling Group, ALB, listener, security groups."""

from __future__ import annotations

import json

from aws_cdk.assertions import Match

from tests.synth import only, ref_id


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


def test_no_launch_configuration(each_env):
    each_env.web.resource_count_is("AWS::AutoScaling::LaunchConfiguration", 0)


def test_asg_private_subnets_capacity_and_elb_health(each_env):
    cfg = each_env.config
    _, asg = only(each_env.web.find_resources("AWS::AutoScaling::AutoScalingGroup"))
    props = asg["Properties"]
    assert (int(props["MinSize"]), int(props["DesiredCapacity"]), int(props["MaxSize"])) == (
        cfg.capacity.min,
        cfg.capacity.desired,
        cfg.capacity.max,
    )
    assert props["HealthCheckType"] == "ELB"
    assert props["DefaultInstanceWarmup"] == cfg.scaling.instance_warmup_seconds
    subnets = each_env.web.to_json()["Resources"]
    for subnet in props["VPCZoneIdentifier"]:
        assert subnets[ref_id(subnet)]["Properties"]["MapPublicIpOnLaunch"] is False
        assert "AppSubnet" in ref_id(subnet)
    assert "AutoScalingRollingUpdate" in asg["UpdatePolicy"]


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


def test_alb_internet_facing_hardened_and_logged(each_env):
    _, alb = only(each_env.web.find_resources("AWS::ElasticLoadBalancingV2::LoadBalancer"))
    props = alb["Properties"]
    assert props["Scheme"] == "internet-facing"
    assert props["Type"] == "application"
    attrs = {a["Key"]: a["Value"] for a in props["LoadBalancerAttributes"]}
    assert attrs["routing.http.drop_invalid_header_fields.enabled"] == "true"
    assert attrs["access_logs.s3.enabled"] == "true"
    assert ref_id(attrs["access_logs.s3.bucket"]).startswith("StorageAlbLogs")
    assert attrs["deletion_protection.enabled"] == str(each_env.config.deletion_protection).lower()
    for subnet in props["Subnets"]:
        assert "PublicSubnet" in ref_id(subnet)


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


def test_instance_role_least_privilege(dev):
    roles = dev.web.find_resources("AWS::IAM::Role")
    role_id = next(k for k in roles if k.startswith("WebTierInstanceRole"))
    role = roles[role_id]["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}
    managed = json.dumps(role["ManagedPolicyArns"])
    assert "AmazonSSMManagedInstanceCore" in managed and "CloudWatchAgentServerPolicy" in managed
    assert "FullAccess" not in managed
    policies = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in dev.web.find_resources("AWS::IAM::Policy").values()
        if any(ref_id(r) == role_id for r in p["Properties"]["Roles"])
    ]
    statements = [s for doc in policies for s in doc]
    text = json.dumps(statements)
    assert "s3:GetObject*" in text and "secretsmanager:GetSecretValue" in text
    for statement in statements:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert not any(a.endswith(":*") or a == "*" for a in actions), statement
        assert not any(a.startswith(("s3:Put", "s3:Delete", "secretsmanager:Put")) for a in actions), statement
    dev.web.has_resource_properties("AWS::IAM::InstanceProfile", {"Roles": [{"Ref": role_id}]})
    dev.web.has_resource_properties(
        "AWS::EC2::LaunchTemplate",
        {"LaunchTemplateData": {"IamInstanceProfile": {"Arn": Match.any_value()}}},
    )


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


def test_rolling_replacement_keeps_the_healthy_floor(each_env):
    cap = each_env.config.capacity
    _, asg = only(each_env.web.find_resources("AWS::AutoScaling::AutoScalingGroup"))
    update = asg["UpdatePolicy"]["AutoScalingRollingUpdate"]
    assert update["MaxBatchSize"] == 1
    assert update["MinInstancesInService"] == min(cap.max - 1, cap.min)


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
