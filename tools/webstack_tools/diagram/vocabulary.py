"""What the diagram knows about CloudFormation: resource types, property names, logical ids.

Everything is keyed on types and property names, never on webstack's logical
ids, so a new stack or resource type shows up without changes here.
"""

from __future__ import annotations

import re

# Not drawn: wiring that a reader does not need to see the architecture. They
# are still read (routes decide subnet tiers, listeners the ALB's targets...)
# and counted in a note per stack.
PLUMBING_TYPES = frozenset(
    {
        "AWS::CDK::Metadata",
        "AWS::EC2::EIP",
        "AWS::EC2::Route",
        "AWS::EC2::RouteTable",
        "AWS::EC2::SecurityGroup",
        "AWS::EC2::SecurityGroupEgress",
        "AWS::EC2::SecurityGroupIngress",
        "AWS::EC2::SubnetRouteTableAssociation",
        "AWS::EC2::SubnetNetworkAclAssociation",
        "AWS::EC2::VPCGatewayAttachment",
        "AWS::EC2::Subnet",  # drawn as its tier's cluster
        "AWS::EC2::VPC",  # drawn as a cluster
        "AWS::ElasticLoadBalancingV2::Listener",  # drawn as the ALB -> target group edge
        "AWS::ElasticLoadBalancingV2::ListenerRule",
        "AWS::ElasticLoadBalancingV2::ListenerCertificate",
        "AWS::AutoScaling::ScalingPolicy",  # folded into the group's label
        "AWS::SecretsManager::RotationSchedule",  # drawn as function -> secret edge
        "AWS::SecretsManager::ResourcePolicy",
        "AWS::IAM::InstanceProfile",
        "AWS::IAM::ManagedPolicy",
        "AWS::IAM::Policy",
        "AWS::IAM::Role",
        "AWS::KMS::Alias",
        "AWS::Lambda::Permission",
        "AWS::Lambda::LayerVersion",  # the AWS CLI layer CDK gives its BucketDeployment handler
        "AWS::Logs::ResourcePolicy",
        "AWS::S3::BucketPolicy",
        "AWS::SNS::TopicPolicy",
        "AWS::SQS::QueuePolicy",
        "AWS::CloudFront::OriginAccessControl",  # drawn as "via OAC" on the origin edge
        "AWS::CloudFront::VpcOrigin",  # drawn as "via VPC origin" on the origin edge
        "AWS::CloudFront::CachePolicy",
        "AWS::CloudFront::OriginRequestPolicy",
        "AWS::CloudFront::ResponseHeadersPolicy",
        "AWS::WAFv2::WebACLAssociation",  # drawn as web ACL -> resource edge
        "AWS::WAFv2::LoggingConfiguration",  # drawn as web ACL -> log destination edge
    }
)
# Drawn as clusters and counted apart from plumbing.
STRUCTURE_TYPES = ("AWS::EC2::VPC", "AWS::EC2::Subnet")

CUSTOM_RESOURCE_TYPES = ("AWS::CloudFormation::CustomResource",)

DISTRIBUTION = "AWS::CloudFront::Distribution"
LOAD_BALANCER = "AWS::ElasticLoadBalancingV2::LoadBalancer"
TARGET_GROUP = "AWS::ElasticLoadBalancingV2::TargetGroup"
AUTO_SCALING_GROUP = "AWS::AutoScaling::AutoScalingGroup"
LAUNCHED_TYPES = ("AWS::EC2::LaunchTemplate", "AWS::AutoScaling::LaunchConfiguration")
ALARM_TYPES = ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm")
KMS_KEY = "AWS::KMS::Key"

KEY_PROPERTIES = frozenset(
    {"KmsKeyId", "KMSMasterKeyID", "KmsMasterKeyId", "EncryptionKey", "KmsKeyArn", "KMSKeyArn", "KmsKeyIdentifier"}
)
ALARM_ACTION_PROPERTIES = frozenset({"AlarmActions", "OKActions", "InsufficientDataActions"})
ALARM_METRIC_PROPERTIES = frozenset({"Dimensions", "Metrics", "AlarmRule"})
LOG_TARGET_TYPES = frozenset(
    {"AWS::S3::Bucket", "AWS::Logs::LogGroup", "AWS::Logs::LogStream", "AWS::KinesisFirehose::DeliveryStream"}
)
GATEWAY_PROPERTIES = ("NatGatewayId", "GatewayId", "TransitGatewayId", "VpcPeeringConnectionId")
GLOBAL_SERVICES = ("AWS::CloudFront::", "AWS::Route53::", "AWS::GlobalAccelerator::")

# Service family -> group inside a stack (outside the VPC), and the row below
# the VPC the group is laid out in (keys and secrets above what they protect).
GROUPS: tuple[tuple[str, str], ...] = (
    ("AWS::KMS::", "Encryption keys"),
    ("AWS::SecretsManager::", "Secrets"),
    ("AWS::SSM::", "Secrets"),
    ("AWS::Lambda::", "Functions"),
    ("AWS::CertificateManager::", "Firewall and certificates"),
    ("AWS::WAFv2::", "Firewall and certificates"),
    ("AWS::S3::", "Buckets"),
    ("AWS::Logs::", "Log groups"),
    ("AWS::KinesisFirehose::", "Log groups"),
    ("AWS::CloudWatch::", "Monitoring and alerting"),
    ("AWS::SNS::", "Monitoring and alerting"),
)
GROUP_ROWS = {
    "Encryption keys": 1,
    "Secrets": 1,
    "Functions": 1,
    "Firewall and certificates": 1,
    "Buckets": 2,
    "Log groups": 2,
    "Monitoring and alerting": 2,
}
GLOBAL_GROUP = "Global (CloudFront edge locations)"
ORIGIN_GROUP = "Origins served by CloudFront"

TIER_ROUTES = {
    "public": " (0.0.0.0/0 → internet gateway)",
    "private with egress": " (0.0.0.0/0 → NAT)",
    "isolated": " (no route out)",
}

VIEWER = "viewer"

SHORT_TYPES = {
    "AWS::AutoScaling::AutoScalingGroup": "Auto Scaling group (instances)",
    "AWS::CertificateManager::Certificate": "ACM certificate",
    "AWS::CloudFront::Distribution": "CloudFront distribution",
    "AWS::CloudFront::Function": "CloudFront function",
    "AWS::CloudWatch::Alarm": "CloudWatch alarm",
    "AWS::CloudWatch::CompositeAlarm": "CloudWatch composite alarm",
    "AWS::CloudWatch::Dashboard": "CloudWatch dashboard",
    "AWS::EC2::FlowLog": "VPC flow log",
    "AWS::EC2::InternetGateway": "Internet gateway",
    "AWS::EC2::LaunchTemplate": "EC2 launch template",
    "AWS::EC2::NatGateway": "NAT gateway",
    "AWS::EC2::VPCEndpoint": "VPC endpoint",
    "AWS::ElasticLoadBalancingV2::LoadBalancer": "Load balancer",
    "AWS::ElasticLoadBalancingV2::TargetGroup": "Target group",
    "AWS::KMS::Key": "KMS key",
    "AWS::Lambda::Function": "Lambda function",
    "AWS::Logs::LogGroup": "Log group",
    "AWS::Route53::RecordSet": "Route 53 record",
    "AWS::S3::Bucket": "S3 bucket",
    "AWS::SecretsManager::Secret": "Secret",
    "AWS::SNS::Subscription": "SNS subscription",
    "AWS::SNS::Topic": "SNS topic",
    "AWS::WAFv2::WebACL": "WAF web ACL",
    "AWS::WAFv2::IPSet": "WAF IP set",
}

_HASH = re.compile(r"^(?P<role>.+?)(?P<hash>[0-9A-F]{8})$")


def short_type(rtype: str) -> str:
    if rtype in SHORT_TYPES:
        return SHORT_TYPES[rtype]
    parts = rtype.split("::")
    return " ".join(parts[1:]) if len(parts) == 3 else rtype


def role_name(logical_id: str) -> str:
    """``StorageContent05955A69`` -> ``StorageContent`` (CDK's 8-hex hash suffix dropped)."""
    m = _HASH.match(logical_id)
    return m.group("role") if m else logical_id


def collapse_key(role: str) -> str:
    """Resources that differ only by a number (one NAT gateway per zone) share a key."""
    return re.sub(r"\d+", "#", role)


def cluster_id(*parts: str) -> str:
    return "cluster_" + "_".join(re.sub(r"[^A-Za-z0-9]+", "_", p).strip("_") for p in parts)
