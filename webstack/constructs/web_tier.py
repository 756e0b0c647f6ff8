"""Application tier: an ALB (internet-facing, or internal behind a CloudFront VPC origin) in front of an
Auto Scaling Group.

Instances run Amazon Linux 2023 (D11) from a launch template (launch
configurations can no longer be created in new accounts), with IMDSv2
required, CMK-encrypted gp3 root volumes (D1 is handled by the key policy in
:mod:`webstack.constructs.keys`), no key pair (access through SSM Session
Manager), a CloudWatch agent shipping the origin app's logs to the tier's own log
groups, and a role that reads only what it is granted
(:mod:`webstack.constructs.instance_role`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from aws_cdk import (
    Annotations,
    Aws,
    Duration,
    RemovalPolicy,
    Stack,
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
    aws_logs as logs,
)
from aws_cdk import (
    aws_s3 as s3,
)
from aws_cdk import (
    aws_sns as sns,
)
from constructs import Construct

from webstack.config import Alarms as AlarmThresholds
from webstack.config import Capacity, LoadBalancing, Scaling
from webstack.constructs.acknowledge import acknowledge, skip_checkov_on_grant_policy
from webstack.constructs.instance_role import LogIntegrity, agent_commands, allow_cloudwatch_agent, instance_role
from webstack.constructs.observability import RollbackAlarms
from webstack.constructs.retention import log_retention

# What the origin application (app/) answers for the target group's health check.
HEALTH_PATH = "/api/health"
APP_PORT = 80
# The origin application's logs: systemd appends its stdout (JSON access lines) and
# stderr there (origin_app's user data); the CloudWatch agent ships them.
SERVER_LOGS = {
    "ServerAccessLogs": "/var/log/webstack-app/access.log",
    "ServerErrorLogs": "/var/log/webstack-app/error.log",
}
_SIGNAL = Path(__file__).parent / "assets" / "signal_when_healthy.sh"

# Target group health check, and the budgets derived from it.
HEALTH_INTERVAL_SECONDS = 15
HEALTHY_THRESHOLD = 2
UNHEALTHY_THRESHOLD = 3
# Boot and install before the first health check counts (HealthCheckGracePeriod).
HEALTH_GRACE_SECONDS = 300
# An instance must be healthy in its target group within the grace period plus
# the checks that prove it (healthy threshold x interval); user data polls
# that long, then signals FAILURE.
READY_WITHIN_SECONDS = HEALTH_GRACE_SECONDS + HEALTHY_THRESHOLD * HEALTH_INTERVAL_SECONDS
# CloudFormation waits for the signals that long plus one minute for the call
# itself (cfn-signal retries, clock skew).
SIGNAL_TIMEOUT_SECONDS = READY_WITHIN_SECONDS + 60


@dataclass(frozen=True, kw_only=True)
class OriginGuard:
    """Only CloudFront reaches the ALB: its prefix list in the security group,
    and a secret header on every request, checked by the listener rules."""

    prefix_list_id: str
    header_name: str
    header_value: str  # a Secrets Manager dynamic reference, never a literal


class WebTier(Construct):
    """ALB + ASG. Attributes: ``load_balancer``, ``auto_scaling_group``, ``role``, ``target_group``,
    ``launch_template``, ``listener`` (the serving one), ``redirect_listener`` (or None),
    ``log_groups`` (the instances' own, by construct id),
    ``rollback_alarms`` (the alarms whose ALARM state rolls a deploy back),
    ``origin_rule`` (the listener rule that requires the origin-verify header, or None).

    Safe change: the group's instances are replaced by an instance refresh
    (``UpdatePolicy.AutoScalingInstanceRefresh``) whenever the launch template
    changes, in batches that keep ``scaling.min_healthy_percent`` of the
    desired capacity healthy, pausing at checkpoints and baking at the end;
    any rollback alarm in ALARM fails the refresh and rolls the stack update
    back. Creation waits for each first instance to be healthy in the target
    group (CreationPolicy, signalled by the instance itself).

    :param vpc: the ASG goes into its private subnets, the ALB into its public ones (or its private
        ones with ``internal``).
    :param volume_key: customer-managed key for the instances' EBS volumes (its policy must admit
        the Auto Scaling service-linked role, pitfalls D1).
    :param access_log_bucket: SSE-S3 bucket for ALB access logs (D7, D19).
    :param instance_type: primary instance type; Graviton types select the arm64 AMI.
    :param capacity: min / max of the group (it starts at min; scaling owns the desired capacity).
    :param scaling: target tracking, warm-up, instance refresh (healthy floor and ceiling,
        checkpoints, bake time), extra types, schedules.
    :param alarm_thresholds: thresholds of the alarms that roll a deploy back. Default: config defaults.
    :param load_balancing: idle timeout, deregistration delay, slow start.
    :param deletion_protection: ALB deletion protection.
    :param log_key: customer-managed key of the instances' log groups (its policy must admit CloudWatch Logs, D18).
    :param log_retention_days: retention of those log groups.
    :param removal_policy: what deleting the stack does to those log groups.
    :param metrics_namespace: the one CloudWatch namespace the instances may publish metrics to.
    :param origin_guard: admit only CloudFront (prefix list + secret header); None = public ALB.
    :param internal: an internal ALB in the private subnets, for a CloudFront VPC origin (pitfalls D22);
        needs ``origin_guard`` (its prefix list admits the VPC origin). Default False (internet-facing).
    :param certificate: ALB certificate; with one, HTTPS serves and HTTP redirects. Default None.
    :param alert_topic: receives the group's launch/terminate errors. Default None.
    :param events_topic: receives every scaling event and the rollback alarms' state changes. Default None.
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
        log_key: kms.IKey,
        log_retention_days: int,
        removal_policy: RemovalPolicy,
        metrics_namespace: str,
        origin_guard: OriginGuard | None = None,
        certificate: acm.ICertificate | None = None,
        alert_topic: sns.ITopic | None = None,
        events_topic: sns.ITopic | None = None,
        waf_on_alb: bool = False,
        alarm_thresholds: AlarmThresholds | None = None,
        user_data: ec2.UserData,
        internal: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        if internal and origin_guard is None:
            raise ValueError("WebTier: an internal ALB needs origin_guard (its prefix list admits the VPC origin)")
        self.log_groups = {
            construct: logs.LogGroup(
                self,
                construct,
                encryption_key=log_key,
                retention=log_retention(log_retention_days),
                removal_policy=removal_policy,
            )
            for construct in SERVER_LOGS
        }
        self.role = self._instance_role(metrics_namespace)
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
        self._user_data = user_data
        self.launch_template = self._launch_template(instance_type, instance_sg, volume_key, metrics_namespace)
        self.load_balancer = self._load_balancer(
            vpc,
            alb_sg,
            access_log_bucket,
            load_balancing,
            deletion_protection=deletion_protection,
            waf_on_alb=waf_on_alb,
            internal=internal,
        )
        public = origin_guard is None
        if public:
            acknowledge(
                alb_sg,
                "AwsSolutions-EC23",
                "origin protection is off in this configuration (origin_protection.enabled: false): the ALB "
                "is deliberately public; turn it on to admit CloudFront only",
                checkov=("CKV_AWS_260",),
            )
        self.listener, self.redirect_listener = self._listeners(certificate, public=public)
        routing: dict[str, Any] = {}
        if origin_guard is not None:
            self._admit_cloudfront_only(vpc, alb_sg, origin_guard, serving_port=443 if certificate else 80)
            routing = self._require_origin_header(origin_guard)
        # The target group exists before the group so that the rollback alarms
        # (on its metrics) can be named in the group's update policy; the ids
        # are the ones listener.add_targets("App") gives (AppGroup, AppRule).
        self.target_group = elbv2.ApplicationTargetGroup(
            self.listener,
            "AppGroup",
            vpc=vpc,
            port=APP_PORT,
            protocol=elbv2.ApplicationProtocol.HTTP,
            deregistration_delay=Duration.seconds(load_balancing.deregistration_delay_seconds),
            slow_start=Duration.seconds(load_balancing.slow_start_seconds)
            if load_balancing.slow_start_seconds
            else None,
            health_check=elbv2.HealthCheck(
                path=HEALTH_PATH,
                healthy_http_codes="200",
                interval=Duration.seconds(HEALTH_INTERVAL_SECONDS),
                timeout=Duration.seconds(5),
                healthy_threshold_count=HEALTHY_THRESHOLD,
                unhealthy_threshold_count=UNHEALTHY_THRESHOLD,
            ),
        )
        self.listener.add_target_groups("App", target_groups=[self.target_group], **routing)
        # The rule whose http-header condition the origin-verify rotation edits (None: public ALB).
        self.origin_rule: elbv2.ApplicationListenerRule | None = (
            self.listener.node.find_child("AppRule") if origin_guard is not None else None  # type: ignore[assignment]
        )
        self.rollback_alarms = RollbackAlarms(
            self,
            "RollbackAlarms",
            target_group=self.target_group,
            thresholds=alarm_thresholds or AlarmThresholds(),
            events_topic=events_topic,
        ).alarms
        self.auto_scaling_group = self._auto_scaling_group(
            vpc,
            instance_type,
            capacity,
            scaling,
            [(alert_topic, autoscaling.ScalingEvents.ERRORS), (events_topic, autoscaling.ScalingEvents.ALL)],
        )
        self.target_group.add_target(self.auto_scaling_group)
        self._signal_when_healthy(capacity)
        # Scale on CPU *and* on load (F8): CPU catches expensive requests,
        # request count catches many cheap ones before CPU moves.
        self.auto_scaling_group.scale_on_cpu_utilization(
            "CpuTracking", target_utilization_percent=scaling.cpu_target_percent
        )
        self.auto_scaling_group.scale_on_request_count(
            "RequestTracking", target_requests_per_minute=scaling.requests_per_target
        )

    def _instance_role(self, metrics_namespace: str) -> iam.Role:
        # Nothing else assumes this role: it exists for the instances alone (F7).
        role = instance_role(self, "InstanceRole")
        allow_cloudwatch_agent(role, list(self.log_groups.values()), metrics_namespace)
        self._log_integrity = LogIntegrity(role)
        self._log_integrity.protect(*self.log_groups.values())
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::*]",
            "only actions without a resource type: ssm:UpdateInstanceInformation and the ssmmessages / "
            "ec2messages actions of Session Manager and SSM Agent, cloudwatch:PutMetricData, which is "
            "held to the stack's namespace by the cloudwatch:namespace condition, and (when the group waits "
            "for signals) elasticloadbalancing:DescribeTargetHealth, read before the instance signals its stack",
        )
        acknowledge(
            role,
            "NIST.800.53.R5-IAMNoInlinePolicy",
            "the role's one policy (Session Manager, agent logs and metrics, the log-integrity Deny, granted "
            "reads), attached to this role only and reviewed in code",
        )
        skip_checkov_on_grant_policy(
            role,
            "CKV_AWS_111",
            "the writes on '*' are the actions IAM offers no resource type for: ssm:UpdateInstanceInformation and "
            "the ssmmessages/ec2messages calls of Session Manager and SSM Agent, and cloudwatch:PutMetricData, "
            "held to the stack's namespace by its cloudwatch:namespace condition (tests/stacks/test_iam_wildcards.py)",
        )
        return role

    def protect_log_groups(self, *groups: logs.ILogGroup) -> None:
        """Add ``groups`` (the stack's other log groups) to the role's explicit Deny of
        deleting them or changing their retention. The tier's own groups are in it already."""
        self._log_integrity.protect(*groups)

    def _launch_template(
        self,
        instance_type_name: str,
        security_group: ec2.ISecurityGroup,
        volume_key: kms.IKey,
        metrics_namespace: str,
    ) -> ec2.LaunchTemplate:
        files = {path: self.log_groups[construct] for construct, path in SERVER_LOGS.items()}
        self._user_data.add_commands(agent_commands(metrics_namespace, files))
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
            user_data=self._user_data,
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
        group = autoscaling.AutoScalingGroup(
            self,
            "Asg",
            vpc=vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            # No desired capacity (pitfalls D21): CloudFormation creates the group
            # at MinSize and a later update leaves the current size alone, so a
            # deploy never undoes a scale-out (Capacity's docstring cites AWS).
            min_capacity=capacity.min,
            max_capacity=capacity.max,
            health_checks=autoscaling.HealthChecks.with_additional_checks(
                additional_types=[autoscaling.AdditionalHealthCheckType.ELB],
                grace_period=Duration.seconds(HEALTH_GRACE_SECONDS),
            ),
            default_instance_warmup=Duration.seconds(scaling.instance_warmup_seconds),
            group_metrics=[autoscaling.GroupMetrics.all()],
            notifications=[
                autoscaling.NotificationConfiguration(topic=topic, scaling_events=events)
                for topic, events in notify
                if topic is not None
            ]
            or None,
            signals=(
                autoscaling.Signals.wait_for_min_capacity(timeout=Duration.seconds(SIGNAL_TIMEOUT_SECONDS))
                if capacity.min
                else None
            ),
            update_policy=self._instance_refresh(scaling),
            **self._fleet(instance_type, scaling.extra_instance_types),
        )
        if capacity.min:
            # Signals gate creation only (CreationPolicy): an instance refresh
            # does not wait for cfn-signal and judges readiness by the group's
            # health checks after the instance warm-up instead
            # (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-updatepolicy.html#cfn-attributes-updatepolicy-instancerefresh-readiness).
            Annotations.of(group).acknowledge_warning(
                "@aws-cdk/aws-autoscaling:signalsNotUsedByInstanceRefresh",
                "signals gate the group's creation only; during a refresh the ELB health check, the warm-up and "
                "the rollback alarms decide",
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
        return group

    def _instance_refresh(self, scaling: Scaling) -> autoscaling.UpdatePolicy:
        """Replace instances by an instance refresh on every launch template change.

        Batches keep ``min_healthy_percent`` of the desired capacity healthy
        and may add up to ``max_healthy_percent`` (launch before terminate);
        the refresh pauses at each checkpoint and bakes at the end while the
        rollback alarms watch; one of them in ALARM fails the refresh and
        CloudFormation rolls the update back to the previous launch template
        version
        (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-updatepolicy.html#cfn-attributes-updatepolicy-instancerefresh,
        https://docs.aws.amazon.com/autoscaling/ec2/userguide/instance-refresh-rollback.html).
        Skip matching leaves instances that already run the wanted
        configuration alone (a retried deploy replaces only what is left).
        """
        checkpoints = list(scaling.checkpoint_percentages)
        return autoscaling.UpdatePolicy.instance_refresh(
            strategy=autoscaling.InstanceRefreshStrategy.ROLLING,
            min_healthy_percentage=scaling.min_healthy_percent,
            max_healthy_percentage=scaling.max_healthy_percent,
            checkpoint_percentages=checkpoints or None,
            checkpoint_delay=Duration.seconds(scaling.checkpoint_delay_seconds) if checkpoints else None,
            bake_time=Duration.seconds(scaling.bake_time_seconds),
            skip_matching=True,
            alarms=self.rollback_alarms,
        )

    def _signal_when_healthy(self, capacity: Capacity) -> None:
        """User data signals the group's CreationPolicy once the instance is healthy in its target group.

        The role may read target health (DescribeTargetHealth has no
        resource-level permissions, so ``*``:
        https://docs.aws.amazon.com/service-authorization/latest/reference/list_awselasticloadbalancingv2.html)
        and signal this stack only (CDK adds ``cloudformation:SignalResource``
        on the stack's id with ``signals``). Instances launched later (scaling,
        refresh) run the same script; nothing awaits their signal and the
        call's refusal is logged, not fatal.
        """
        if not capacity.min:
            return
        group = cast(autoscaling.CfnAutoScalingGroup, self.auto_scaling_group.node.default_child)
        script = (
            _SIGNAL.read_text()
            .replace("__TARGET_GROUP_ARN__", self.target_group.target_group_arn)
            .replace("__STACK_NAME__", Aws.STACK_NAME)
            .replace("__RESOURCE__", Stack.of(self).get_logical_id(group))
            .replace("__REGION__", Aws.REGION)
            .replace("__READY_WITHIN__", str(READY_WITHIN_SECONDS))
            .replace("__INTERVAL__", str(HEALTH_INTERVAL_SECONDS))
        )
        self._user_data.add_commands(script)
        # Resource * acknowledged with the role's other actions without a resource type (_instance_role).
        self.role.add_to_policy(
            iam.PolicyStatement(actions=["elasticloadbalancing:DescribeTargetHealth"], resources=["*"])
        )

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
        internal: bool,
    ) -> elbv2.ApplicationLoadBalancer:
        # Internal: no public address at all; CloudFront's VPC origin reaches it from ENIs it places in
        # the VPC (the VPC still needs an internet gateway attached, pitfalls D22).
        alb = elbv2.ApplicationLoadBalancer(
            self,
            "Alb",
            vpc=vpc,
            internet_facing=not internal,
            vpc_subnets=ec2.SubnetSelection(
                subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS if internal else ec2.SubnetType.PUBLIC
            ),
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
            acknowledge(serving, "NIST.800.53.R5-ELBv2ACMCertificateRequired", no_certificate, checkov=("CKV_AWS_103",))
            acknowledge(serving, "NIST.800.53.R5-ALBHttpToHttpsRedirection", no_certificate, checkov=("CKV_AWS_2",))
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

        An internal ALB (CloudFront VPC origin) keeps the same rule. AWS documents two ways to admit a VPC
        origin's traffic: this prefix list, or the security group CloudFront creates in the VPC,
        ``CloudFront-VPCOrigins-Service-SG``
        (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-vpc-origins.html,
        and aws-cdk-lib's aws_cloudfront_origins README, "Restrict traffic coming to the VPC origin").
        The managed group is the narrower source (only CloudFront's ENIs in this VPC), but CloudFormation
        does not return its id: referencing it needs a custom resource calling ec2:DescribeSecurityGroups
        on ``*`` after the VPC origin exists (a Lambda, a wildcard, and a rule pointing at a group the
        stack does not own, one more thing in the way of deleting the VPC, D22). The prefix list is what
        this tier already uses, so the internal ALB admits CloudFront's origin-facing addresses only;
        nothing on the internet can route to an internal ALB at all, and no other address inside the VPC
        is in the list. Trade-off: another distribution of this account could also use a VPC origin to this
        ALB; the origin-verify header (kept as defence in depth) is what refuses it.
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
