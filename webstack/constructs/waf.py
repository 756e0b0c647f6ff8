"""AWS WAF web ACL: managed rule groups, per-IP rate limit, IP allow/block lists.

The same construct serves both scopes:

* ``CLOUDFRONT``: must be created in us-east-1 (D3) — the edge stack does.
* ``REGIONAL``: optional, attached to the ALB in the app region.

Every rule publishes CloudWatch metrics and sampled requests.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import ArnFormat, Fn, RemovalPolicy, Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from webstack.config import ManagedRuleGroup
from webstack.constructs.acknowledge import acknowledge
from webstack.constructs.retention import log_retention


def web_acl_metric_name(env_name: str, scope_label: str) -> str:
    """The web ACL's metric name, which is also its CloudWatch ``WebACL`` dimension."""
    return f"webstack-{env_name}-{scope_label}"


def _visibility(metric: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=True
    )


class WebAcl(Construct):
    """Attributes: ``web_acl``, ``arn``, ``metric_prefix``, ``rule_metrics``, ``log_group``."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        scope_name: str,
        metric_prefix: str,
        managed_rule_groups: Sequence[ManagedRuleGroup],
        rate_limit: int,
        allow_ips: Sequence[str] = (),
        block_ips: Sequence[str] = (),
        logging: bool = True,
        log_key: kms.IKey | None = None,
        log_retention_days: int = 30,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
    ) -> None:
        super().__init__(scope, construct_id)
        self.metric_prefix = metric_prefix
        rules: list[wafv2.CfnWebACL.RuleProperty] = []
        priority = 0

        def ip_set(name: str, cidrs: Sequence[str]) -> list[wafv2.CfnIPSet]:
            v4 = [c for c in cidrs if ":" not in c]
            v6 = [c for c in cidrs if ":" in c]
            sets = []
            for version, addresses in (("IPV4", v4), ("IPV6", v6)):
                if addresses:
                    sets.append(
                        wafv2.CfnIPSet(
                            self,
                            f"{name}{version.title()}",
                            scope=scope_name,
                            ip_address_version=version,
                            addresses=addresses,
                        )
                    )
            return sets

        for kind, cidrs, action in (
            ("Allow", allow_ips, wafv2.CfnWebACL.RuleActionProperty(allow={})),
            ("Block", block_ips, wafv2.CfnWebACL.RuleActionProperty(block={})),
        ):
            for ip in ip_set(f"{kind}List", cidrs):
                name = f"{kind}List{ip.ip_address_version.title()}"
                rules.append(
                    wafv2.CfnWebACL.RuleProperty(
                        name=name,
                        priority=priority,
                        action=action,
                        statement=wafv2.CfnWebACL.StatementProperty(
                            ip_set_reference_statement=wafv2.CfnWebACL.IPSetReferenceStatementProperty(arn=ip.attr_arn)
                        ),
                        visibility_config=_visibility(f"{metric_prefix}-{name}"),
                    )
                )
                priority += 1

        # Rate limit before the managed groups: a flood is dropped cheaply.
        rules.append(
            wafv2.CfnWebACL.RuleProperty(
                name="RateLimitPerIp",
                priority=priority,
                action=wafv2.CfnWebACL.RuleActionProperty(block={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                        aggregate_key_type="IP", limit=rate_limit, evaluation_window_sec=300
                    )
                ),
                visibility_config=_visibility(f"{metric_prefix}-RateLimitPerIp"),
            )
        )
        priority += 1
        for group in managed_rule_groups:
            rules.append(
                wafv2.CfnWebACL.RuleProperty(
                    name=group.name,
                    priority=priority,
                    override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                    statement=wafv2.CfnWebACL.StatementProperty(
                        managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                            vendor_name=group.vendor,
                            name=group.name,
                            rule_action_overrides=[
                                wafv2.CfnWebACL.RuleActionOverrideProperty(
                                    name=rule, action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={})
                                )
                                for rule in group.count_rules
                            ]
                            or None,
                        )
                    ),
                    visibility_config=_visibility(f"{metric_prefix}-{group.name}"),
                )
            )
            priority += 1

        self.rule_metrics = [f"{metric_prefix}-{rule.name}" for rule in rules]
        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            scope=scope_name,
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            rules=rules,
            visibility_config=_visibility(metric_prefix),
        )
        self.arn = self.web_acl.attr_arn

        self.log_group = None
        if not logging:
            acknowledge(
                self.web_acl,
                "NIST.800.53.R5-WAFv2LoggingEnabled",
                "request logging is off by config (waf.logging: false); every rule still publishes CloudWatch "
                "metrics and sampled requests of the last three hours (visibility config). Set waf.logging: true "
                "for full request logs",
            )
        if logging:
            # WAF only logs to groups named "aws-waf-logs-*": the one hand-made
            # physical name in webstack. The stack id's UUID makes it unique per
            # stack instance, so a retained group never blocks a redeploy after
            # a destroy (D8's lesson, for log groups).
            # https://docs.aws.amazon.com/waf/latest/developerguide/logging-cw-logs.html
            stack = Stack.of(self)
            stack_uuid = Fn.select(2, Fn.split("/", stack.stack_id))
            name = f"aws-waf-logs-{stack.stack_name}-{scope_name.lower()}-{stack_uuid}"
            self.log_group = logs.LogGroup(
                self,
                "Logs",
                log_group_name=name,
                encryption_key=log_key,
                retention=log_retention(log_retention_days),
                removal_policy=removal_policy,
            )
            # WAF wants the log group ARN without the ":*" CDK's log_group_arn carries.
            destination = Stack.of(self).format_arn(
                service="logs", resource="log-group", resource_name=name, arn_format=ArnFormat.COLON_RESOURCE_NAME
            )
            logging_config = wafv2.CfnLoggingConfiguration(
                self, "Logging", resource_arn=self.web_acl.attr_arn, log_destination_configs=[destination]
            )
            logging_config.node.add_dependency(self.log_group)
