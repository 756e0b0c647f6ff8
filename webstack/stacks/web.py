"""The regional stack: everything of the web platform that lives in the app region."""

from __future__ import annotations

from aws_cdk import CfnOutput, Duration, RemovalPolicy
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from webstack.config import Domain, EnvironmentConfig
from webstack.constructs.acknowledge import acknowledge, logical_id_of
from webstack.constructs.cdn import Cdn
from webstack.constructs.dns import SiteRecords, dns_validated_certificate, hosted_zone
from webstack.constructs.keys import Keys
from webstack.constructs.network import Network
from webstack.constructs.observability import AlertTopic, Dashboard, RegionalAlarms, Topics
from webstack.constructs.origin_app import OriginApp
from webstack.constructs.origin_verify_rotation import OriginVerifyRotation
from webstack.constructs.retention import removal_policy
from webstack.constructs.secrets import Secrets
from webstack.constructs.site_deployment import SiteDeployment
from webstack.constructs.storage import Storage
from webstack.constructs.waf import WebAcl, web_acl_metric_name
from webstack.constructs.web_tier import APP_PORT, HEALTH_PATH, OriginGuard, WebTier
from webstack.stacks.base import EnvironmentStack


class WebStack(EnvironmentStack):
    """Keys, network, buckets, secrets, ALB + ASG, the distribution, regional alarms.

    :param web_acl_arn: the CLOUDFRONT web ACL from the edge stack, or None.
    :param web_acl_metric_name: that web ACL's CloudWatch metric name (for the dashboard), or None.
    :param certificate_arn: the us-east-1 site certificate from the edge stack, or None.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        web_acl_arn: str | None = None,
        web_acl_metric_name: str | None = None,
        certificate_arn: str | None = None,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            config=config,
            region=config.region,
            purpose="web platform (network, data, web tier, CDN, alarms)",
        )
        removal = removal_policy(config.retain_data)
        keys = Keys(self, "Keys", removal_policy=removal)
        network = Network(
            self,
            "Network",
            cidr=config.vpc_cidr,
            availability_zones=config.availability_zones,
            nat_gateways=config.nat_gateways,
            flow_log_key=keys.telemetry,
            log_retention_days=config.log_retention_days,
            removal_policy=removal,
        )
        storage = Storage(
            self,
            "Storage",
            content_key=keys.data,
            removal_policy=removal,
            noncurrent_version_expiration_days=config.noncurrent_version_expiration_days,
            log_expiration_days=config.log_bucket_expiration_days,
            log_noncurrent_version_days=config.log_bucket_noncurrent_version_days,
            log_object_lock_days=config.log_bucket_object_lock_days,
        )
        secrets = Secrets(
            self,
            "Secrets",
            key=keys.data,
            log_key=keys.telemetry,
            log_retention_days=config.log_retention_days,
            removal_policy=removal,
            origin_verify=config.origin_protection.enabled,
        )
        alerts = AlertTopic(
            self,
            "Alerts",
            emails=config.alarms.emails,
            subscribers=config.alarms.subscribers,
            removal_policy=removal,
            key=keys.telemetry,
        )
        zone, origin_certificate = self._domain(config.domain)
        guard = (
            OriginGuard(
                prefix_list_id=config.cloudfront_prefix_list_id,
                header_name=config.origin_protection.header_name,
                header_value=secrets.origin_verify_value(),
            )
            if config.origin_protection.enabled
            else None
        )
        origin_app = OriginApp(self, "App", folder=config.app.folder, port=APP_PORT, health_path=HEALTH_PATH)
        web = WebTier(
            self,
            "WebTier",
            vpc=network.vpc,
            volume_key=keys.data,
            access_log_bucket=storage.alb_logs,
            instance_type=config.instance_type,
            capacity=config.capacity,
            scaling=config.scaling,
            load_balancing=config.load_balancing,
            deletion_protection=config.deletion_protection,
            log_key=keys.telemetry,
            log_retention_days=config.log_retention_days,
            removal_policy=removal,
            metrics_namespace=f"webstack/{config.name}",
            origin_guard=guard,
            certificate=origin_certificate,
            alert_topic=alerts.topic,
            events_topic=alerts.events_topic,
            waf_on_alb=config.waf.protect_alb,
            alarm_thresholds=config.alarms,
            user_data=origin_app.user_data,
            internal=config.origin.private,
        )
        alb_waf_logs = (
            self._regional_web_acl(config, web, log_key=keys.telemetry, removal=removal)
            if config.waf.protect_alb
            else None
        )
        self._grant_instance_reads(web, storage, secrets)
        # Log integrity: the instances may neither delete the stack's log groups nor shorten their retention.
        web.protect_log_groups(
            network.flow_log_group, secrets.rotation_logs, *([alb_waf_logs] if alb_waf_logs is not None else [])
        )
        origin_app.grant_read(web.role)

        domain = config.domain
        cdn = Cdn(
            self,
            "Cdn",
            content_bucket=storage.content,
            load_balancer=web.load_balancer,
            log_bucket=storage.cdn_logs,
            price_class=config.price_class,
            origin_headers={guard.header_name: guard.header_value} if guard else None,
            alb_origin_name=domain.origin_name if domain else None,
            web_acl_arn=web_acl_arn,
            certificate_arn=certificate_arn,
            domain_names=domain.site_names if domain else (),
            geo_allowlist=config.geo_allowlist,
            tuning=config.cdn,
            origin_region=config.region,
            vpc_origin=config.origin.private,
        )
        if secrets.origin_verify is not None and web.origin_rule is not None:
            # After the distribution and the rule: the function names both (no cycle, see the construct).
            rotation = OriginVerifyRotation(
                self,
                "OriginVerifyRotation",
                secret=secrets.origin_verify,
                key=keys.data,
                log_key=keys.telemetry,
                log_retention_days=config.log_retention_days,
                removal_policy=removal,
                distribution_id=cdn.distribution.distribution_id,
                listener_rule_arn=web.origin_rule.listener_rule_arn,
                header_name=config.origin_protection.header_name,
                rotation_days=config.origin_protection.rotation_days,
            )
            web.protect_log_groups(rotation.log_group)
        site = SiteDeployment(
            self,
            "Site",
            folder=config.site.folder,
            bucket=storage.content,
            distribution=cdn.distribution,
            tuning=config.cdn,
            memory_limit_mib=config.site.deployment_memory_mb,
            log_key=keys.telemetry,
            log_retention_days=config.log_retention_days,
            removal_policy=removal,
        )
        web.protect_log_groups(site.log_group)
        if zone is not None and domain is not None:
            SiteRecords(
                self,
                "Dns",
                zone=zone,
                site_names=domain.site_names,
                distribution=cdn.distribution,
                origin_name=domain.origin_name,
                load_balancer=web.load_balancer,
            )

        alarms = RegionalAlarms(
            self,
            "Alarms",
            topics=Topics(page=alerts.topic, events=alerts.events_topic),
            thresholds=config.alarms,
            auto_scaling_group=web.auto_scaling_group,
            min_capacity=config.capacity.min,
            load_balancer=web.load_balancer,
            target_group=web.target_group,
        )
        dashboard = Dashboard(
            self,
            "Dashboard",
            env_name=config.name,
            load_balancer=web.load_balancer,
            target_group=web.target_group,
            auto_scaling_group=web.auto_scaling_group,
            distribution_id=cdn.distribution.distribution_id,
            alarms=[alarms.service_degraded, *alarms.alarms.values()],
            period=Duration.seconds(config.alarms.period_seconds),
            web_acl_metric_name=web_acl_metric_name,
        )

        # Attributes other stacks and tests use.
        self.distribution = cdn.distribution
        self.content_bucket = storage.content
        self.load_balancer = web.load_balancer

        site_host = domain.site_names[0] if domain else cdn.distribution.distribution_domain_name
        # Non-secret outputs only (F6): no secret ARN or value leaves the stack.
        for key, value, description in (
            ("S3BucketName", storage.content.bucket_name, "Static content bucket"),
            ("CloudFrontDomainName", cdn.distribution.distribution_domain_name, "Site domain"),
            ("CloudFrontDistributionId", cdn.distribution.distribution_id, None),
            ("SiteUrl", f"https://{site_host}", "Open this in a browser"),
            ("LoadBalancerDNS", web.load_balancer.load_balancer_dns_name, "ALB (origin)"),
            ("AutoScalingGroupName", web.auto_scaling_group.auto_scaling_group_name, None),
            ("VpcId", network.vpc.vpc_id, None),
            ("AlertTopicArn", alerts.topic.topic_arn, None),
            ("DashboardName", dashboard.dashboard.dashboard_name, None),
            ("AccessLogBucketName", storage.access_logs.bucket_name, None),
            ("AlbLogBucketName", storage.alb_logs.bucket_name, None),
            ("CdnLogBucketName", storage.cdn_logs.bucket_name, None),
            ("DataKeyArn", keys.data.key_arn, None),
            ("TelemetryKeyArn", keys.telemetry.key_arn, None),
        ):
            CfnOutput(self, key, value=value, description=description)

    def _domain(self, domain: Domain | None) -> tuple[route53.IHostedZone | None, acm.ICertificate | None]:
        """The hosted zone, and the ALB's own certificate when an origin name is configured."""
        if domain is None:
            return None, None
        zone = hosted_zone(self, "Zone", zone_id=domain.hosted_zone_id, zone_name=domain.zone_name)
        if not domain.origin_name:
            return zone, None
        return zone, dns_validated_certificate(self, "OriginCertificate", zone=zone, names=[domain.origin_name])

    def _regional_web_acl(
        self, config: EnvironmentConfig, web: WebTier, *, log_key: kms.IKey, removal: RemovalPolicy
    ) -> logs.ILogGroup | None:
        """A REGIONAL web ACL on the ALB, with the same rules as CloudFront's (defence in depth); its log group."""
        alb_acl = WebAcl(
            self,
            "AlbWaf",
            scope_name="REGIONAL",
            metric_prefix=web_acl_metric_name(config.name, "alb"),
            managed_rule_groups=config.waf.managed_rule_groups,
            rate_limit=config.waf.rate_limit,
            allow_ips=config.waf.allow_ips,
            block_ips=config.waf.block_ips,
            logging=config.waf.logging,
            log_key=log_key,
            log_retention_days=config.log_retention_days,
            removal_policy=removal,
        )
        wafv2.CfnWebACLAssociation(
            self, "AlbWafAssociation", resource_arn=web.load_balancer.load_balancer_arn, web_acl_arn=alb_acl.arn
        )
        return alb_acl.log_group

    def _grant_instance_reads(self, web: WebTier, storage: Storage, secrets: Secrets) -> None:
        """The instances read the content bucket and their secrets, nothing more.

        The bucket read is written out rather than ``grant_read``: that grant's
        key statement (``kms:Decrypt``, ``kms:DescribeKey``) has no
        ``kms:ViaService``, so the role could decrypt with the data key outside
        S3 -- anything else that key encrypts. Here the key serves S3 reads only
        (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service),
        and the actions are the two a read needs, not the ``s3:GetObject*`` /
        ``s3:List*`` groups. The secrets' key use is CDK's key-policy statement,
        already ``kms:ViaService`` Secrets Manager.
        """
        content = storage.content
        iam.Grant.add_to_principal(grantee=web.role, actions=["s3:ListBucket"], resource_arns=[content.bucket_arn])
        iam.Grant.add_to_principal(
            grantee=web.role, actions=["s3:GetObject"], resource_arns=[content.arn_for_objects("*")]
        )
        key = content.encryption_key
        assert key is not None, "the content bucket is KMS-encrypted (Storage)"
        web.role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="ContentKeyViaS3Only",
                actions=["kms:Decrypt"],
                resources=[key.key_arn],
                conditions={"StringEquals": {"kms:ViaService": f"s3.{self.region}.amazonaws.com"}},
            )
        )
        acknowledge(
            web.role,
            f"AwsSolutions-IAM5[Resource::<{logical_id_of(content)}.Arn>/*]",
            "s3:GetObject on every object of the content bucket is the point; objects are unknown at deploy time",
        )
        secrets.database.grant_read(web.role)
        secrets.api_key.grant_read(web.role)
