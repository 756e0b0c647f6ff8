"""One small template per provider; assertions through the services' APIs."""

from __future__ import annotations

import json

import pytest

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"}
    ],
}


def test_kms_key_with_tags_rotation_policy_and_in_place_update(deploy, aws):
    key = {
        "Type": "AWS::KMS::Key",
        "Properties": {
            "KeyPolicy": POLICY,
            "EnableKeyRotation": True,
            "Tags": [{"Key": "app", "Value": "web"}],
            "PendingWindowInDays": 7,
        },
    }
    stack = deploy({"K": key}, outputs={"Arn": {"Fn::GetAtt": ["K", "Arn"]}})
    kms = aws("kms")
    key_id = stack.resources["K"]
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is True
    assert json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]) == POLICY
    assert kms.list_resource_tags(KeyId=key_id)["Tags"] == [{"TagKey": "app", "TagValue": "web"}]
    key["Properties"] = dict(key["Properties"], Description="changed", EnableKeyRotation=False)
    deploy({"K": key}, update_of=stack)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["Description"] == "changed"  # same key id
    aws("cloudformation").delete_stack(StackName=stack.name)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingDeletion"


def test_log_group_keeps_kms_key_and_retention(deploy, aws):
    stack = deploy(
        {
            "K": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": POLICY}},
            "L": {
                "Type": "AWS::Logs::LogGroup",
                "Properties": {"RetentionInDays": 30, "KmsKeyId": {"Fn::GetAtt": ["K", "Arn"]}},
            },
        },
        outputs={"Arn": {"Fn::GetAtt": ["L", "Arn"]}},
    )
    group = aws("logs").describe_log_groups(logGroupNamePrefix=stack.resources["L"])["logGroups"][0]
    assert group["retentionInDays"] == 30 and group["kmsKeyId"].endswith(stack.resources["K"])
    assert stack.outputs["Arn"].endswith(f":log-group:{stack.resources['L']}:*")


def test_security_group_rules_with_prefix_list_and_egress_to_group(deploy, aws):
    stack = deploy(
        {
            "V": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.1.0.0/16"}},
            "A": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "alb", "VpcId": {"Ref": "V"}}},
            "B": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "app", "VpcId": {"Ref": "V"}}},
            "In": {
                "Type": "AWS::EC2::SecurityGroupIngress",
                "Properties": {
                    "GroupId": {"Fn::GetAtt": ["A", "GroupId"]},
                    "IpProtocol": "tcp",
                    "FromPort": 443,
                    "ToPort": 443,
                    "SourcePrefixListId": "pl-3b927c52",
                },
            },
            "Out": {
                "Type": "AWS::EC2::SecurityGroupEgress",
                "Properties": {
                    "GroupId": {"Fn::GetAtt": ["A", "GroupId"]},
                    "IpProtocol": "tcp",
                    "FromPort": 80,
                    "ToPort": 80,
                    "DestinationSecurityGroupId": {"Fn::GetAtt": ["B", "GroupId"]},
                },
            },
        }
    )
    group = aws("ec2").describe_security_groups(GroupIds=[stack.resources["A"]])["SecurityGroups"][0]
    assert group["IpPermissions"][0]["PrefixListIds"] == [{"PrefixListId": "pl-3b927c52"}]
    assert any(
        p.get("UserIdGroupPairs", [{}])[0].get("GroupId") == stack.resources["B"]
        for p in group["IpPermissionsEgress"]
        if p.get("UserIdGroupPairs")
    )


def test_load_balancer_attributes_and_target_group_attributes(deploy, aws):
    stack = deploy(
        {
            "V": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.2.0.0/16"}},
            "S1": {
                "Type": "AWS::EC2::Subnet",
                "Properties": {"VpcId": {"Ref": "V"}, "CidrBlock": "10.2.0.0/24", "AvailabilityZone": "us-east-1a"},
            },
            "S2": {
                "Type": "AWS::EC2::Subnet",
                "Properties": {"VpcId": {"Ref": "V"}, "CidrBlock": "10.2.1.0/24", "AvailabilityZone": "us-east-1b"},
            },
            "Lb": {
                "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
                "Properties": {
                    "Subnets": [{"Ref": "S1"}, {"Ref": "S2"}],
                    "Type": "application",
                    "LoadBalancerAttributes": [
                        {"Key": "deletion_protection.enabled", "Value": "true"},
                        {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
                    ],
                },
            },
            "Tg": {
                "Type": "AWS::ElasticLoadBalancingV2::TargetGroup",
                "Properties": {
                    "VpcId": {"Ref": "V"},
                    "Port": 80,
                    "Protocol": "HTTP",
                    "HealthCheckPath": "/health",
                    "TargetGroupAttributes": [{"Key": "deregistration_delay.timeout_seconds", "Value": "30"}],
                },
            },
        },
        outputs={
            "Full": {"Fn::GetAtt": ["Lb", "LoadBalancerFullName"]},
            "Zone": {"Fn::GetAtt": ["Lb", "CanonicalHostedZoneID"]},
            "TgFull": {"Fn::GetAtt": ["Tg", "TargetGroupFullName"]},
        },
    )
    elb = aws("elbv2")
    attrs = {
        a["Key"]: a["Value"]
        for a in elb.describe_load_balancer_attributes(LoadBalancerArn=stack.resources["Lb"])["Attributes"]
    }
    assert attrs["deletion_protection.enabled"] == "true"
    assert attrs["routing.http.drop_invalid_header_fields.enabled"] == "true"
    tg_attrs = {
        a["Key"]: a["Value"]
        for a in elb.describe_target_group_attributes(TargetGroupArn=stack.resources["Tg"])["Attributes"]
    }
    assert tg_attrs["deregistration_delay.timeout_seconds"] == "30"
    assert stack.outputs["Full"].startswith("app/") and stack.outputs["TgFull"].startswith("targetgroup/")
    assert stack.outputs["Zone"] == "Z35SXDOTRQ7X7K"  # us-east-1 ALB alias zone, as in AWS
    assert (
        elb.describe_load_balancers(LoadBalancerArns=[stack.resources["Lb"]])["LoadBalancers"][0][
            "CanonicalHostedZoneId"
        ]
        == "Z35SXDOTRQ7X7K"
    )
    # deletion protection is honoured, as in AWS: the stack cannot go until it is turned off
    cfn = aws("cloudformation")
    cfn.delete_stack(StackName=stack.name)
    failed = cfn.describe_stacks(StackName=stack.name)["Stacks"][0]
    assert failed["StackStatus"] == "DELETE_FAILED" and "deletion protection is enabled" in failed["StackStatusReason"]
    elb.modify_load_balancer_attributes(
        LoadBalancerArn=stack.resources["Lb"], Attributes=[{"Key": "deletion_protection.enabled", "Value": "false"}]
    )
    cfn.delete_stack(StackName=stack.name)
    with pytest.raises(elb.exceptions.LoadBalancerNotFoundException):
        elb.describe_load_balancers(LoadBalancerArns=[stack.resources["Lb"]])


def test_ssm_parameter_without_name_and_ami_parameter_type(deploy, aws):
    stack = deploy(
        {"P": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": {"Ref": "Ami"}}}},
        parameters={
            "Ami": {
                "Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
                "Default": "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
            }
        },
    )
    name = stack.resources["P"]
    assert name.startswith("CFN-P-")
    assert aws("ssm").get_parameter(Name=name)["Parameter"]["Value"].startswith("ami-")


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


def test_sns_topic_policy_and_subscription(deploy, aws):
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": {"Ref": "T"},
            }
        ],
    }
    stack = deploy(
        {
            "T": {"Type": "AWS::SNS::Topic"},
            "P": {"Type": "AWS::SNS::TopicPolicy", "Properties": {"Topics": [{"Ref": "T"}], "PolicyDocument": policy}},
            "S": {
                "Type": "AWS::SNS::Subscription",
                "Properties": {"TopicArn": {"Ref": "T"}, "Protocol": "email", "Endpoint": "ops@corp.test"},
            },
        }
    )
    sns = aws("sns")
    stored = json.loads(sns.get_topic_attributes(TopicArn=stack.resources["T"])["Attributes"]["Policy"])
    assert stored["Statement"][0]["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    subs = sns.list_subscriptions_by_topic(TopicArn=stack.resources["T"])["Subscriptions"]
    assert [s["SubscriptionArn"] for s in subs] == [stack.resources["S"]]


def test_scaling_policy_target_tracking(deploy, aws):
    stack = deploy(
        {
            "Lt": {
                "Type": "AWS::EC2::LaunchTemplate",
                "Properties": {"LaunchTemplateData": {"ImageId": "ami-12345678", "InstanceType": "t3.micro"}},
            },
            "G": {
                "Type": "AWS::AutoScaling::AutoScalingGroup",
                "Properties": {
                    "MinSize": "1",
                    "MaxSize": "2",
                    "AvailabilityZones": ["us-east-1a"],
                    "LaunchTemplate": {
                        "LaunchTemplateId": {"Ref": "Lt"},
                        "Version": {"Fn::GetAtt": ["Lt", "LatestVersionNumber"]},
                    },
                },
            },
            "P": {
                "Type": "AWS::AutoScaling::ScalingPolicy",
                "Properties": {
                    "AutoScalingGroupName": {"Ref": "G"},
                    "PolicyType": "TargetTrackingScaling",
                    "TargetTrackingConfiguration": {
                        "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
                        "TargetValue": 50,
                    },
                },
            },
        }
    )
    policy = aws("autoscaling").describe_policies(AutoScalingGroupName=stack.resources["G"])["ScalingPolicies"][0]
    assert policy["PolicyARN"] == stack.resources["P"]
    assert policy["TargetTrackingConfiguration"]["TargetValue"] == 50


def test_auto_scaling_group_updates_in_place(deploy, aws):
    lt = {
        "Type": "AWS::EC2::LaunchTemplate",
        "Properties": {"LaunchTemplateData": {"ImageId": "ami-12345678", "InstanceType": "t3.micro"}},
    }
    group = {
        "Type": "AWS::AutoScaling::AutoScalingGroup",
        "Properties": {
            "MinSize": "1",
            "MaxSize": "2",
            "AvailabilityZones": ["us-east-1a"],
            "LaunchTemplate": {
                "LaunchTemplateId": {"Ref": "Lt"},
                "Version": {"Fn::GetAtt": ["Lt", "LatestVersionNumber"]},
            },
        },
    }
    sched = {
        "Type": "AWS::AutoScaling::ScheduledAction",
        "Properties": {"AutoScalingGroupName": {"Ref": "G"}, "MinSize": 1, "MaxSize": 2, "Recurrence": "0 7 * * *"},
    }
    stack = deploy({"Lt": lt, "G": group, "S": sched})
    asg = aws("autoscaling")
    before = asg.describe_auto_scaling_groups(AutoScalingGroupNames=[stack.resources["G"]])["AutoScalingGroups"][0]
    lt["Properties"]["LaunchTemplateData"]["InstanceType"] = "t3.small"
    group["Properties"].update(MaxSize="3", DesiredCapacity="2")
    updated = deploy({"Lt": lt, "G": group, "S": sched}, update_of=stack)
    assert updated.resources["G"] == stack.resources["G"]  # same group, as in CloudFormation
    after = asg.describe_auto_scaling_groups(AutoScalingGroupNames=[stack.resources["G"]])["AutoScalingGroups"][0]
    assert (after["MaxSize"], after["DesiredCapacity"], after["LaunchTemplate"]["Version"]) == (3, 2, "2")
    assert before["Instances"][0]["InstanceId"] in [i["InstanceId"] for i in after["Instances"]]
    assert asg.describe_scheduled_actions(AutoScalingGroupName=stack.resources["G"])["ScheduledUpdateGroupActions"]
    aws("cloudformation").delete_stack(StackName=stack.name)
    assert stack.resources["S"] not in [
        a["ScheduledActionName"] for a in asg.describe_scheduled_actions()["ScheduledUpdateGroupActions"]
    ]


def test_secret_generation_rotation_and_resource_policy(deploy, aws):
    stack = deploy(
        {
            "S": {
                "Type": "AWS::SecretsManager::Secret",
                "Properties": {
                    "GenerateSecretString": {
                        "SecretStringTemplate": '{"username":"app"}',
                        "GenerateStringKey": "password",
                        "PasswordLength": 24,
                        "ExcludePunctuation": True,
                    }
                },
            },
            "R": {
                "Type": "AWS::SecretsManager::RotationSchedule",
                "Properties": {
                    "SecretId": {"Ref": "S"},
                    "RotationLambdaARN": "arn:aws:lambda:us-east-1:123456789012:function:rot",
                    "RotationRules": {"ScheduleExpression": "rate(30 days)"},
                },
            },
            "P": {
                "Type": "AWS::SecretsManager::ResourcePolicy",
                "Properties": {
                    "SecretId": {"Ref": "S"},
                    "ResourcePolicy": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Deny",
                                "Principal": "*",
                                "Action": "secretsmanager:DeleteSecret",
                                "Resource": "*",
                            }
                        ],
                    },
                },
            },
        }
    )
    sm = aws("secretsmanager")
    value = json.loads(sm.get_secret_value(SecretId=stack.resources["S"])["SecretString"])
    assert value["username"] == "app" and len(value["password"]) == 24 and value["password"].isalnum()
    described = sm.describe_secret(SecretId=stack.resources["S"])
    assert described["RotationEnabled"] and described["RotationRules"]["AutomaticallyAfterDays"] == 30
    assert "DeleteSecret" in sm.get_resource_policy(SecretId=stack.resources["S"])["ResourcePolicy"]


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


def _distribution(suffix, extra_cfg=None):
    cfg = {
        "Enabled": True,
        "HttpVersion": "http2and3",
        "PriceClass": "PriceClass_100",
        "Origins": [
            {
                "Id": "s3",
                "DomainName": {"Fn::GetAtt": ["B", "RegionalDomainName"]},
                "S3OriginConfig": {"OriginAccessIdentity": ""},
                "OriginAccessControlId": {"Fn::GetAtt": ["Oac", "Id"]},
            }
        ],
        "DefaultCacheBehavior": {
            "TargetOriginId": "s3",
            "ViewerProtocolPolicy": "redirect-to-https",
            "CachePolicyId": {"Ref": "Cp"},
            "ResponseHeadersPolicyId": {"Ref": "Rh"},
            "Compress": True,
        },
    }
    cfg.update(extra_cfg or {})
    return {
        "B": {"Type": "AWS::S3::Bucket"},
        "Oac": {
            "Type": "AWS::CloudFront::OriginAccessControl",
            "Properties": {
                "OriginAccessControlConfig": {
                    "Name": f"oac{suffix}",
                    "OriginAccessControlOriginType": "s3",
                    "SigningBehavior": "always",
                    "SigningProtocol": "sigv4",
                }
            },
        },
        "Cp": {
            "Type": "AWS::CloudFront::CachePolicy",
            "Properties": {
                "CachePolicyConfig": {
                    "Name": f"cp{suffix}",
                    "MinTTL": 0,
                    "DefaultTTL": 60,
                    "MaxTTL": 300,
                    "ParametersInCacheKeyAndForwardedToOrigin": {},
                }
            },
        },
        "Rh": {
            "Type": "AWS::CloudFront::ResponseHeadersPolicy",
            "Properties": {"ResponseHeadersPolicyConfig": {"Name": f"rh{suffix}"}},
        },
        "D": {"Type": "AWS::CloudFront::Distribution", "Properties": {"DistributionConfig": cfg}},
    }


def test_cloudfront_distribution_with_oac_and_policies(deploy, aws):
    stack = deploy(_distribution(1), outputs={"Domain": {"Fn::GetAtt": ["D", "DomainName"]}})
    cf = aws("cloudfront")
    cfg = cf.get_distribution_config(Id=stack.resources["D"])["DistributionConfig"]
    assert cfg["Origins"]["Items"][0]["OriginAccessControlId"] == stack.resources["Oac"]
    assert cfg["DefaultCacheBehavior"]["CachePolicyId"] == stack.resources["Cp"]
    assert cfg["DefaultCacheBehavior"]["ResponseHeadersPolicyId"] == stack.resources["Rh"]
    assert (cfg["HttpVersion"], cfg["PriceClass"]) == ("http2and3", "PriceClass_100")
    assert (
        cf.get_origin_access_control(Id=stack.resources["Oac"])["OriginAccessControl"]["OriginAccessControlConfig"][
            "SigningBehavior"
        ]
        == "always"
    )
    assert stack.outputs["Domain"].endswith(".cloudfront.net")


def test_cloudfront_rejects_certificate_outside_us_east_1(deploy):
    bad = deploy(
        _distribution(
            2,
            {
                "ViewerCertificate": {
                    "AcmCertificateArn": "arn:aws:acm:us-west-2:123456789012:certificate/x",
                    "SslSupportMethod": "sni-only",
                }
            },
        ),
        expect_ok=False,
    )
    assert bad.status == "ROLLBACK_COMPLETE" and "us-east-1" in " ".join(bad.failures())


def test_service_linked_role(deploy, aws):
    stack = deploy(
        {
            "R": {
                "Type": "AWS::IAM::ServiceLinkedRole",
                "Properties": {"AWSServiceName": "autoscaling.amazonaws.com", "CustomSuffix": "ebs"},
            }
        }
    )
    role = aws("iam").get_role(RoleName=stack.resources["R"])["Role"]
    assert role["Path"] == "/aws-service-role/autoscaling.amazonaws.com/"
    assert role["RoleName"] == "AWSServiceRoleForAutoScaling_ebs"


def test_registry_lists_our_types():
    from webstack_emulator import type_registry

    reg = type_registry()
    for t in (
        "AWS::CloudFront::Distribution",
        "AWS::S3::BucketPolicy",
        "Custom::CrossRegionExportReader",
        "AWS::KMS::Key",
    ):
        assert reg[t] == "webstack"
    assert reg["AWS::EC2::VPC"] == "moto"


def test_hosted_zone_ids_look_like_aws(aws):
    import re

    zone = aws("route53").create_hosted_zone(Name="zid.test", CallerReference="zid")["HostedZone"]
    assert re.fullmatch(r"Z[A-Z0-9]{20}", zone["Id"].split("/")[-1])


def test_cloudfront_origin_facing_prefix_list_has_the_published_id(aws):
    ec2 = aws("ec2", "us-west-2")
    lists = ec2.describe_managed_prefix_lists(
        Filters=[{"Name": "prefix-list-name", "Values": ["com.amazonaws.global.cloudfront.origin-facing"]}]
    )["PrefixLists"]
    assert [pl["PrefixListId"] for pl in lists] == ["pl-82a045eb"]
    assert lists[0]["OwnerId"] == "AWS"
    assert ec2.describe_managed_prefix_lists(PrefixListIds=["pl-82a045eb"])["PrefixLists"]
