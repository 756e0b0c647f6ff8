"""us-east-1 stack for what CloudFront accepts only from us-east-1 (D3, D4).

Holds the CLOUDFRONT-scope web ACL and the site certificate, when configured.
The web stack reads their ARNs through CDK cross-region references, which CDK
renders as ``Fn::GetStackOutput``: a weak reference resolved when the web stack
deploys. Unlike ``Fn::ImportValue`` or CDK's older SSM-writer mechanism, it
never blocks an update of this stack ("Exports cannot be updated",
aws/aws-cdk#22842): a new certificate (say, after a change of site names)
reaches the distribution on the next deploy of the web stack, which
``cdk deploy --all`` runs right after this one.
"""

from __future__ import annotations

from aws_cdk import CfnOutput
from aws_cdk import aws_kms as kms
from constructs import Construct

from webstack.config import EnvironmentConfig
from webstack.constructs.dns import dns_validated_certificate, hosted_zone
from webstack.constructs.keys import allow_cloudwatch_logs
from webstack.constructs.retention import removal_policy
from webstack.constructs.waf import WebAcl, web_acl_metric_name
from webstack.stacks.base import EnvironmentStack


class EdgeStack(EnvironmentStack):
    """Attributes: ``web_acl`` (or None), ``certificate`` (or None)."""

    def __init__(self, scope: Construct, construct_id: str, *, config: EnvironmentConfig) -> None:
        super().__init__(
            scope,
            construct_id,
            config=config,
            region=config.edge_region,
            purpose="CloudFront web ACL and certificate (us-east-1)",
        )
        removal = removal_policy(config.retain_data)
        self.web_acl: WebAcl | None = None
        self.certificate = None

        if config.waf.enabled:
            log_key = None
            if config.waf.logging:
                log_key = kms.Key(
                    self,
                    "LogKey",
                    description="webstack edge: WAF logs",
                    enable_key_rotation=True,
                    removal_policy=removal,
                )
                allow_cloudwatch_logs(log_key)
            waf = config.waf
            self.web_acl = WebAcl(
                self,
                "Waf",
                scope_name="CLOUDFRONT",
                metric_prefix=web_acl_metric_name(config.name, "cdn"),
                managed_rule_groups=waf.managed_rule_groups,
                rate_limit=waf.rate_limit,
                allow_ips=waf.allow_ips,
                block_ips=waf.block_ips,
                logging=waf.logging,
                log_key=log_key,
                log_retention_days=config.log_retention_days,
                removal_policy=removal,
            )
            CfnOutput(self, "CloudFrontWebAclArn", value=self.web_acl.arn)

        if config.domain is not None:
            zone = hosted_zone(self, "Zone", zone_id=config.domain.hosted_zone_id, zone_name=config.domain.zone_name)
            self.certificate = dns_validated_certificate(
                self, "SiteCertificate", zone=zone, names=config.domain.site_names
            )
            CfnOutput(self, "SiteCertificateArn", value=self.certificate.certificate_arn)
