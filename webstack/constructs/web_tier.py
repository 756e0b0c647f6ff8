"""Application tier: internet-facing ALB in front of an Auto Scaling Group.

Instances run Amazon Linux 2023 (D11) from a launch template (launch
configurations can no longer be created in new accounts), with IMDSv2
required, CMK-encrypted gp3 root volumes (D1 is handled by the key policy in
:mod:`webstack.constructs.keys`), no key pair (access through SSM Session
Manager) and a role that reads only what it is granted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from aws_cdk import (
    Annotations,
    Duration,
)
from aws_cdk import (
    aws_autoscaling as autoscaling,
)
from aws_cdk import (
    aws_certificatemanager as acm,
)
from aws_cdk import (
    aws_ec2 as ec2,
)
from aws_cdk import (
    aws_elasticloadbalancingv2 as elbv2,
)
from aws_cdk import (
    aws_iam as iam,
)
from aws_cdk import (
    aws_kms as kms,
)
from aws_cdk import (
    aws_s3 as s3,
)
from aws_cdk import (
    aws_sns as sns,
)
from constructs import Construct

from webstack.config import Capacity, LoadBalancing, Scaling
from webstack.constructs.acknowledge import acknowledge

# What the origin application (app/) answers for the target group's health check.
HEALTH_PATH = "/api/health"
APP_PORT = 80


@dataclass(frozen=True, kw_only=True)
class OriginGuard:
    """Only CloudFront reaches the ALB: its prefix list in the security group,
    and a secret header on every request, checked by the listener rules."""

    prefix_list_id: str
    header_name: str
    header_value: str  # a Secrets Manager dynamic reference, never a literal


class WebTier(Construct):
    """ALB + ASG. Attributes: ``load_balancer``, ``auto_scaling_group``, ``role``, ``target_group``,
    ``launch_template``, ``listener`` (the serving one), ``redirect_listener`` (or None).

    :param vpc: the ASG goes into its private subnets, the ALB into its public ones.
    :param volume_key: customer-managed key for the instances' EBS volumes (its policy must admit
        the Auto Scaling service-linked role, pitfalls D1).
    :param access_log_bucket: SSE-S3 bucket for ALB access logs (D7, D19).
    :param instance_type: primary instance type; Graviton types select the arm64 AMI.
    :param capacity: min / desired / max of the group.
    :param scaling: target tracking, warm-up, rolling floor, extra types, schedules.
    :param load_balancing: idle timeout, deregistration delay, slow start.
    :param deletion_protection: ALB deletion protection.
    :param origin_guard: admit only CloudFront (prefix list + secret header); None = public ALB.
    :param certificate: ALB certificate; with one, HTTPS serves and HTTP redirects. Default None.
    :param alert_topic: receives the group's launch/terminate errors. Default None.
    :param events_topic: receives every scaling event. Default None.
    :param waf_on_alb: a REGIONAL web ACL is attached by the caller (only changes an acknowledgement).
    :param user_data: what the instances run at boot: the origin application's installer
        (:class:`webstack.constructs.origin_app.OriginApp`), listening on ``APP_PORT`` and answering
        ``HEALTH_PATH``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        volume_key: kms.IKey,
        access_log_bucket: s3.IBucket,
        instance_type: str,
        capacity: Capacity,
        scaling: Scaling,
        load_balancing: LoadBalancing,
        deletion_protection: bool,
        origin_guard: OriginGuard | None = None,
        certificate: acm.ICertificate | None = None,
        alert_topic: sns.ITopic | None = None,
        events_topic: sns.ITopic | None = None,
        waf_on_alb: bool = False,
        user_data: ec2.UserData,
    ) -> None:
        super().__init__(scope, construct_id)
        self.role = self._instance_role()
        instance_sg = ec2.SecurityGroup(
            self, "InstanceSecurityGroup", vpc=vpc, description="webstack instances: HTTP from the ALB only"
        )
        alb_sg = ec2.SecurityGroup(
            self,
            "AlbSecurityGroup",
            vpc=vpc,
            description="webstack ALB",
            # Egress is opened by CDK to the targets only (listener.add_targets).
            allow_all_outbound=False,
        )
        self.launch_template = self._launch_template(instance_type, instance_sg, volume_key, user_data)
        self.auto_scaling_group = self._auto_scaling_group(
            vpc,
            instance_type,
            capacity,
            scaling,
            [(alert_topic, autoscaling.ScalingEvents.ERRORS), (events_topic, autoscaling.ScalingEvents.ALL)],
        )
        self.load_balancer = self._load_balancer(
            vpc,
            alb_sg,
            access_log_bucket,
            load_balancing,
            deletion_protection=deletion_protection,
            waf_on_alb=waf_on_alb,
        )
        public = origin_guard is None
        if public:
            acknowledge(
                alb_sg,
                "AwsSolutions-EC23",
                "origin protection is off in this configuration (origin_protection.enabled: false): the ALB "
                "is deliberately public; turn it on to admit CloudFront only",
            )
        self.listener, self.redirect_listener = self._listeners(certificate, public=public)
        routing: dict[str, Any] = {}
        if origin_guard is not None:
            self._admit_cloudfront_only(vpc, alb_sg, origin_guard, serving_port=443 if certificate else 80)
            routing = self._require_origin_header(origin_guard)
        self.target_group = self.listener.add_targets(
            "App",
            port=APP_PORT,
            protocol=elbv2.ApplicationProtocol.HTTP,
            targets=[self.auto_scaling_group],
            deregistration_delay=Duration.seconds(load_balancing.deregistration_delay_seconds),
            slow_start=Duration.seconds(load_balancing.slow_start_seconds)
            if load_balancing.slow_start_seconds
            else None,
            health_check=elbv2.HealthCheck(
                path=HEALTH_PATH,
                healthy_http_codes="200",
                interval=Duration.seconds(15),
                timeout=Duration.seconds(5),
                healthy_threshold_count=2,
                unhealthy_threshold_count=3,
            ),
            **routing,
        )
        # Scale on CPU *and* on load (F8): CPU catches expensive requests,
        # request count catches many cheap ones before CPU moves.
        self.auto_scaling_group.scale_on_cpu_utilization(
            "CpuTracking", target_utilization_percent=scaling.cpu_target_percent
        )
        self.auto_scaling_group.scale_on_request_count(
            "RequestTracking", target_requests_per_minute=scaling.requests_per_target
        )

    def _instance_role(self) -> iam.Role:
        # Nothing else assumes this role: it exists for the instances alone (F7).
        role = iam.Role(
            self,
            "InstanceRole",
            assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"),
            description="webstack web instances: SSM Session Manager, CloudWatch agent, granted reads",
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name("AmazonSSMManagedInstanceCore"),
                iam.ManagedPolicy.from_aws_managed_policy_name("CloudWatchAgentServerPolicy"),
            ],
        )
        for policy in ("AmazonSSMManagedInstanceCore", "CloudWatchAgentServerPolicy"):
            acknowledge(
                role,
                f"AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/{policy}]",
                f"{policy} is the AWS-maintained minimum for the SSM / CloudWatch agent; AWS updates it "
                "when the agent's API calls change, which a copy would not",
            )
        acknowledge(
            role,
            "NIST.800.53.R5-IAMNoInlinePolicy",
            "CDK's grant policy (content read, secret read, key decrypt), attached to this role only",
        )
        return role

    def _launch_template(
        self,
        instance_type_name: str,
        security_group: ec2.ISecurityGroup,
        volume_key: kms.IKey,
        user_data: ec2.UserData,
    ) -> ec2.LaunchTemplate:
        instance_type = ec2.InstanceType(instance_type_name)
        return ec2.LaunchTemplate(
            self,
            "LaunchTemplate",
            machine_image=ec2.MachineImage.latest_amazon_linux2023(
                cpu_type=(
                    ec2.AmazonLinuxCpuType.ARM_64
                    if instance_type.architecture == ec2.InstanceArchitecture.ARM_64
                    else ec2.AmazonLinuxCpuType.X86_64
                )
            ),
            instance_type=instance_type,
            role=self.role,
            security_group=security_group,
            user_data=user_data,
            require_imdsv2=True,
            http_put_response_hop_limit=1,
            detailed_monitoring=True,
            block_devices=[
                ec2.BlockDevice(
                    device_name="/dev/xvda",
                    volume=ec2.BlockDeviceVolume.ebs(
                        16,
                        encrypted=True,
                        kms_key=volume_key,
                        volume_type=ec2.EbsDeviceVolumeType.GP3,
                        delete_on_termination=True,
                    ),
                )
            ],
        )

    def _fleet(self, instance_type: str, extra_instance_types: tuple[str, ...]) -> dict[str, Any]:
        """The launch template alone, or a mixed-instances policy over several types."""
        if not extra_instance_types:
            return {"launch_template": self.launch_template}
        # Several types of one architecture (one AMI): more capacity pools to launch from.
        return {
            "mixed_instances_policy": autoscaling.MixedInstancesPolicy(
                launch_template=self.launch_template,
                launch_template_overrides=[
                    autoscaling.LaunchTemplateOverrides(instance_type=ec2.InstanceType(t))
                    for t in (instance_type, *extra_instance_types)
                ],
                instances_distribution=autoscaling.InstancesDistribution(
                    on_demand_percentage_above_base_capacity=100,
                    on_demand_allocation_strategy=autoscaling.OnDemandAllocationStrategy.PRIORITIZED,
                ),
            )
        }

    def _auto_scaling_group(
        self,
        vpc: ec2.IVpc,
        instance_type: str,
        capacity: Capacity,
        scaling: Scaling,
        notify: list[tuple[sns.ITopic | None, autoscaling.ScalingEvents]],
    ) -> autoscaling.AutoScalingGroup:
        # Replace instances one at a time, keeping min_healthy_percent of the
        # floor in service: CloudFormation's rolling update is the stack-native
        # instance refresh, triggered by any launch template change.
        keep_in_service = min(capacity.max - 1, -(-capacity.min * scaling.min_healthy_percent // 100))
        group = autoscaling.AutoScalingGroup(
            self,
            "Asg",
            vpc=vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            min_capacity=capacity.min,
            desired_capacity=capacity.desired,
            max_capacity=capacity.max,
            health_checks=autoscaling.HealthChecks.with_additional_checks(
                additional_types=[autoscaling.AdditionalHealthCheckType.ELB],
                grace_period=Duration.minutes(5),
            ),
            default_instance_warmup=Duration.seconds(scaling.instance_warmup_seconds),
            group_metrics=[autoscaling.GroupMetrics.all()],
            notifications=[
                autoscaling.NotificationConfiguration(topic=topic, scaling_events=events)
                for topic, events in notify
                if topic is not None
            ]
            or None,
            update_policy=autoscaling.UpdatePolicy.rolling_update(
                max_batch_size=1,
                min_instances_in_service=max(0, keep_in_service),
                pause_time=Duration.minutes(5),
            ),
            **self._fleet(instance_type, scaling.extra_instance_types),
        )
        if scaling.extra_instance_types:
            self._acknowledge_mixed_fleet(group)
        for schedule in scaling.schedules:
            group.scale_on_schedule(
                schedule.name,
                schedule=autoscaling.Schedule.expression(schedule.cron),
                min_capacity=schedule.min,
                max_capacity=schedule.max,
                time_zone="UTC",
            )
        # desiredCapacity resets the group's size on each deploy; config sets it
        # deliberately to the floor the environment starts from, and target
        # tracking moves it from there.
        Annotations.of(group).acknowledge_warning(
            "@aws-cdk/aws-autoscaling:desiredCapacitySet",
            "desired capacity comes from validated config (min <= desired <= max) on purpose",
        )
        return group

    def _acknowledge_mixed_fleet(self, group: autoscaling.AutoScalingGroup) -> None:
        """Two cdk-nag 3.0.2 rules read only the group's top-level LaunchTemplate.

        A group that launches several instance types names its launch template
        inside MixedInstancesPolicy instead (the API takes one of the two:
        https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_CreateAutoScalingGroup.html),
        so EC2EBSVolumeEncrypted dereferences an undefined LaunchTemplate and
        throws, and EC2IMDSv2Enabled finds no template and reports the group.
        The template they would check is ``self.launch_template``, the only one
        the policy names: encrypted root volume, IMDSv2 required
        (tests/constructs/test_web_tier.py asserts both for a mixed group).
        """
        resource = cast(autoscaling.CfnAutoScalingGroup, group.node.default_child)
        acknowledge(
            resource,
            "AwsSolutions-EC26",
            "the rule throws on a MixedInstancesPolicy group (it reads only the top-level LaunchTemplate); the "
            "policy's launch template is this construct's, whose one EBS volume is KMS-encrypted",
        )
        acknowledge(
            resource,
            "NIST.800.53.R5-EC2IMDSv2Enabled",
            "the rule ignores MixedInstancesPolicy and sees no launch template; the policy's launch template is "
            "this construct's, which requires IMDSv2 (HttpTokens required, hop limit 1)",
        )

    def _load_balancer(
        self,
        vpc: ec2.IVpc,
        security_group: ec2.ISecurityGroup,
        access_log_bucket: s3.IBucket,
        load_balancing: LoadBalancing,
        *,
        deletion_protection: bool,
        waf_on_alb: bool,
    ) -> elbv2.ApplicationLoadBalancer:
        alb = elbv2.ApplicationLoadBalancer(
            self,
            "Alb",
            vpc=vpc,
            internet_facing=True,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC),
            security_group=security_group,
            drop_invalid_header_fields=True,
            deletion_protection=deletion_protection,
            http2_enabled=True,
            idle_timeout=Duration.seconds(load_balancing.idle_timeout_seconds),
        )
        alb.log_access_logs(access_log_bucket, prefix="alb")
        if not deletion_protection:
            acknowledge(
                alb,
                "NIST.800.53.R5-ELBDeletionProtectionEnabled",
                "this environment is disposable by config (deletion_protection: false)",
            )
        if not waf_on_alb:
            acknowledge(
                alb,
                "NIST.800.53.R5-ALBWAFEnabled",
                "config leaves the regional web ACL off: CloudFront's web ACL (when on) filters first and the "
                "ALB admits only CloudFront (origin protection); set waf.protect_alb for defence in depth",
            )
        return alb

    def _listeners(
        self, certificate: acm.ICertificate | None, *, public: bool
    ) -> tuple[elbv2.ApplicationListener, elbv2.ApplicationListener | None]:
        """The serving listener, and the HTTP listener that only redirects (with a certificate)."""
        if certificate is None:
            serving = self.load_balancer.add_listener(
                "Http", port=80, protocol=elbv2.ApplicationProtocol.HTTP, open=public
            )
            no_certificate = (
                "no domain.origin_name configured, so ACM cannot issue the ALB a certificate; CloudFront "
                "terminates TLS for viewers. Set domain.origin_name for HTTPS end to end"
            )
            acknowledge(serving, "NIST.800.53.R5-ELBv2ACMCertificateRequired", no_certificate)
            acknowledge(serving, "NIST.800.53.R5-ALBHttpToHttpsRedirection", no_certificate)
            return serving, None
        serving = self.load_balancer.add_listener(
            "Https",
            port=443,
            protocol=elbv2.ApplicationProtocol.HTTPS,
            certificates=[certificate],
            # TLS 1.3 and 1.2 only (ELBSecurityPolicy-TLS13-1-2-2021-06).
            ssl_policy=elbv2.SslPolicy.RECOMMENDED_TLS,
            open=public,
        )
        redirect = self.load_balancer.add_listener(
            "Http",
            port=80,
            protocol=elbv2.ApplicationProtocol.HTTP,
            open=public,
            default_action=elbv2.ListenerAction.redirect(protocol="HTTPS", port="443", permanent=True),
        )
        acknowledge(
            redirect,
            "NIST.800.53.R5-ELBv2ACMCertificateRequired",
            "this listener only answers 301 to HTTPS; it serves no content",
        )
        return serving, redirect

    def _require_origin_header(self, guard: OriginGuard) -> dict[str, Any]:
        """403 by default; the target rule forwards only requests with CloudFront's secret header."""
        self.listener.add_action(
            "Deny",
            action=elbv2.ListenerAction.fixed_response(403, content_type="text/plain", message_body="Forbidden"),
        )
        return {
            "priority": 10,
            "conditions": [elbv2.ListenerCondition.http_header(guard.header_name, [guard.header_value])],
        }

    def _admit_cloudfront_only(
        self, vpc: ec2.IVpc, alb_sg: ec2.SecurityGroup, guard: OriginGuard, *, serving_port: int
    ) -> None:
        """CloudFront's origin-facing prefix list, one port per security group.

        The managed list counts ~55 entries against the 60-rules-per-group
        quota, so a second port needs a second group (D9).
        """
        cloudfront = ec2.Peer.prefix_list(guard.prefix_list_id)
        alb_sg.add_ingress_rule(cloudfront, ec2.Port.tcp(serving_port), "CloudFront origin-facing only")
        if self.redirect_listener is not None:
            redirect_sg = ec2.SecurityGroup(
                self,
                "AlbRedirectSecurityGroup",
                vpc=vpc,
                description="webstack ALB: HTTP (redirect) from CloudFront only",
                allow_all_outbound=False,
            )
            redirect_sg.add_ingress_rule(cloudfront, ec2.Port.tcp(80), "CloudFront origin-facing only")
            self.load_balancer.add_security_group(redirect_sg)
