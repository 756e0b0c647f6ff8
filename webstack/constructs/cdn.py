"""CloudFront in front of the content bucket (static) and the ALB (dynamic).

* Default behaviour: the content bucket through Origin Access Control. OAC,
  unlike the legacy OAI, can read SSE-KMS objects (D2); CDK adds the bucket
  policy and the key-policy statement for ``cloudfront.amazonaws.com``.
* ``/api/*``: the ALB, caching disabled, all viewer headers but Host; with
  ``vpc_origin``, through a CloudFront VPC origin to an internal ALB (pitfalls D22).
* Every response carries the security-headers policy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aws_cdk import (
    Annotations,
    Duration,
)
from aws_cdk import (
    aws_certificatemanager as acm,
)
from aws_cdk import (
    aws_cloudfront as cloudfront,
)
from aws_cdk import (
    aws_cloudfront_origins as origins,
)
from aws_cdk import (
    aws_ec2 as ec2,
)
from aws_cdk import (
    aws_elasticloadbalancingv2 as elbv2,
)
from aws_cdk import (
    aws_s3 as s3,
)
from constructs import Construct

from webstack.config import CdnTuning
from webstack.constructs.acknowledge import acknowledge

API_PATH = "/api/*"

_PRICE_CLASSES = {
    "PriceClass_100": cloudfront.PriceClass.PRICE_CLASS_100,
    "PriceClass_200": cloudfront.PriceClass.PRICE_CLASS_200,
    "PriceClass_All": cloudfront.PriceClass.PRICE_CLASS_ALL,
}

# Directives for a site whose pages, scripts and styles come from itself.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'; "
    "upgrade-insecure-requests"
)


class Cdn(Construct):
    """Attribute: ``distribution``."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        content_bucket: s3.IBucket,
        load_balancer: elbv2.IApplicationLoadBalancer,
        log_bucket: s3.IBucket,
        price_class: str,
        origin_headers: Mapping[str, str] | None = None,
        alb_origin_name: str | None = None,
        web_acl_arn: str | None = None,
        certificate_arn: str | None = None,
        domain_names: Sequence[str] = (),
        geo_allowlist: Sequence[str] = (),
        tuning: CdnTuning,
        origin_region: str | None = None,
        vpc_origin: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)

        # D2: the key-policy grant for cloudfront.amazonaws.com cannot name this
        # distribution's ARN (key -> distribution -> bucket -> key would be a
        # cycle), so CDK scopes it to this account's distributions through
        # AWS:SourceArn; the bucket policy *is* scoped to this distribution, and
        # S3 checks both. aws/aws-cdk#21771, #31227.
        content_key = content_bucket.encryption_key
        if content_key is None or content_key.node.scope is None:
            raise ValueError(
                "Cdn: the content bucket must be SSE-KMS encrypted with a customer-managed key (pitfalls D2)"
            )
        Annotations.of(content_key.node.scope).acknowledge_warning(
            "@aws-cdk/aws-cloudfront-origins:wildcardKeyPolicyForOac",
            "bucket policy pins the distribution; the key grant is account-scoped to break the cycle",
        )

        security = cloudfront.ResponseSecurityHeadersBehavior(
            strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                access_control_max_age=Duration.days(730), include_subdomains=True, preload=True, override=True
            ),
            content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
            frame_options=cloudfront.ResponseHeadersFrameOptions(
                frame_option=cloudfront.HeadersFrameOption.DENY, override=True
            ),
            referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override=True
            ),
            content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                content_security_policy=CONTENT_SECURITY_POLICY, override=True
            ),
            xss_protection=cloudfront.ResponseHeadersXSSProtection(protection=True, mode_block=True, override=True),
        )
        headers = cloudfront.ResponseHeadersPolicy(
            self, "SecurityHeaders", comment="webstack security headers", security_headers_behavior=security
        )
        # Content-hashed files never change under a name: browsers may keep them a year.
        immutable_headers = cloudfront.ResponseHeadersPolicy(
            self,
            "ImmutableHeaders",
            comment="webstack security headers + immutable caching",
            security_headers_behavior=security,
            custom_headers_behavior=cloudfront.ResponseCustomHeadersBehavior(
                custom_headers=[
                    cloudfront.ResponseCustomHeader(
                        header="Cache-Control",
                        value=f"public, max-age={tuning.immutable_ttl_days * 86400}, immutable",
                        override=True,
                    )
                ]
            ),
        )
        html_cache = cloudfront.CachePolicy(
            self,
            "HtmlCache",
            comment="webstack pages: short TTL so a deploy shows within a minute",
            default_ttl=Duration.seconds(tuning.html_ttl_seconds),
            min_ttl=Duration.seconds(0),
            max_ttl=Duration.seconds(max(1, tuning.html_ttl_seconds * 10)),
            enable_accept_encoding_gzip=True,
            enable_accept_encoding_brotli=True,
        )
        immutable_ttl = Duration.days(tuning.immutable_ttl_days)
        immutable_cache = cloudfront.CachePolicy(
            self,
            "ImmutableCache",
            comment="webstack content-hashed assets: a year, whatever the origin says",
            default_ttl=immutable_ttl,
            min_ttl=immutable_ttl,
            max_ttl=immutable_ttl,
            enable_accept_encoding_gzip=True,
            enable_accept_encoding_brotli=True,
        )
        shield: dict[str, Any] = (
            {"origin_shield_enabled": True, "origin_shield_region": origin_region}
            if tuning.origin_shield and origin_region
            else {}
        )
        content_origin = origins.S3BucketOrigin.with_origin_access_control(content_bucket, **shield)

        headers_to_origin = dict(origin_headers or {})
        alb_origin: cloudfront.IOrigin
        if vpc_origin:
            alb_origin = self._vpc_origin(load_balancer, alb_origin_name, headers_to_origin, shield)
        elif alb_origin_name:
            # The ALB has its own certificate for this name: CloudFront talks
            # HTTPS to it and verifies the certificate against the name.
            alb_origin = origins.HttpOrigin(
                alb_origin_name,
                protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
                origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
                custom_headers=headers_to_origin,
                **shield,
            )
        else:
            alb_origin = origins.LoadBalancerV2Origin(
                load_balancer,
                protocol_policy=cloudfront.OriginProtocolPolicy.HTTP_ONLY,
                custom_headers=headers_to_origin,
                **shield,
            )
        tls: dict[str, Any] = {}
        if certificate_arn:
            tls = dict(
                certificate=acm.Certificate.from_certificate_arn(self, "SiteCertificate", certificate_arn),
                domain_names=list(domain_names),
                minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            )

        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="webstack",
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=content_origin,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=html_cache,
                response_headers_policy=headers,
                compress=True,
            ),
            # CloudFront evaluates behaviours in order and takes the first match:
            # /api/* comes first, so no static pattern (say *.js) can catch an API path.
            # https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/distribution-web-values-specify.html#DownloadDistValuesPathPattern
            additional_behaviors={
                API_PATH: cloudfront.BehaviorOptions(
                    origin=alb_origin,
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                    cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                    origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                    allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                    response_headers_policy=headers,
                    compress=True,
                ),
                **{
                    path: cloudfront.BehaviorOptions(
                        origin=content_origin,
                        viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                        cache_policy=immutable_cache,
                        response_headers_policy=immutable_headers,
                        compress=True,
                    )
                    for path in tuning.immutable_paths
                },
            },
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            enable_ipv6=True,
            enable_logging=True,
            log_bucket=log_bucket,
            log_file_prefix="cloudfront/",
            price_class=_PRICE_CLASSES[price_class],
            web_acl_id=web_acl_arn,
            geo_restriction=cloudfront.GeoRestriction.allowlist(*geo_allowlist) if geo_allowlist else None,
            # Remember "not found" briefly; retry origin errors quickly. 403 is
            # left alone: it is also the origin-protection answer.
            error_responses=[
                cloudfront.ErrorResponse(http_status=404, ttl=Duration.seconds(tuning.error_caching_seconds)),
                *[
                    cloudfront.ErrorResponse(
                        http_status=code, ttl=Duration.seconds(min(5, tuning.error_caching_seconds))
                    )
                    for code in (500, 502, 503, 504)
                ],
            ],
            **tls,
        )
        if vpc_origin:
            self._after_internet_gateway(load_balancer)
        self._acknowledge(
            geo=bool(geo_allowlist),
            waf=bool(web_acl_arn),
            certificate=bool(certificate_arn),
            https_origin=bool(alb_origin_name),
            vpc_origin=vpc_origin,
        )

    @staticmethod
    def _vpc_origin(
        load_balancer: elbv2.IApplicationLoadBalancer,
        alb_origin_name: str | None,
        headers: Mapping[str, str],
        shield: Mapping[str, Any],
    ) -> cloudfront.IOrigin:
        """The internal ALB through an ``AWS::CloudFront::VpcOrigin``.

        HTTPS when the ALB has a certificate (``alb_origin_name``: CloudFront checks it against that
        name), HTTP otherwise -- inside the VPC, from CloudFront's ENIs to the ALB, never over the
        internet. The origin-verify header stays (defence in depth: the prefix list on the ALB admits
        any CloudFront VPC origin). A VPC origin cannot be updated while the distribution uses it
        (409, pitfalls D22): its properties are fixed here, so only a change of the ALB or of the
        protocol touches it.
        """
        if alb_origin_name:
            return origins.VpcOrigin.with_application_load_balancer(
                load_balancer,
                domain_name=alb_origin_name,
                protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
                origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
                custom_headers=dict(headers),
                **shield,
            )
        return origins.VpcOrigin.with_application_load_balancer(
            load_balancer,
            protocol_policy=cloudfront.OriginProtocolPolicy.HTTP_ONLY,
            custom_headers=dict(headers),
            **shield,
        )

    def _after_internet_gateway(self, load_balancer: elbv2.IApplicationLoadBalancer) -> None:
        """The VPC origin is created after the VPC's internet gateway is attached (and deleted before it).

        A VPC origin's VPC must have an internet gateway attached
        (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-vpc-origins.html,
        pitfalls D22). CDK makes an *internet-facing* load balancer wait for the attachment, not an
        internal one, and the VPC origin references only the load balancer: without this dependency
        CloudFormation may create the origin while the gateway is still being attached. CDK's
        ``internet_connectivity_established`` names the gateway, not its attachment, hence the
        attachment itself.
        """
        vpc = load_balancer.vpc
        if vpc is None:
            raise ValueError("Cdn: a VPC origin needs a load balancer that knows its VPC")
        attachments = [c for c in vpc.node.find_all() if isinstance(c, ec2.CfnVPCGatewayAttachment)]
        if not attachments:
            raise ValueError("Cdn: a VPC origin's VPC must have an internet gateway attached (pitfalls D22)")
        for child in self.distribution.node.find_all():
            if isinstance(child, cloudfront.CfnVpcOrigin):
                child.node.add_dependency(*attachments)

    def _acknowledge(self, *, geo: bool, waf: bool, certificate: bool, https_origin: bool, vpc_origin: bool) -> None:
        """Findings that follow from configuration choices, with the choice that removes them."""
        dist = self.distribution
        if not geo:
            acknowledge(
                dist, "AwsSolutions-CFR1", "served worldwide by design; set geo_allowlist to restrict countries"
            )
        if not waf:
            acknowledge(
                dist,
                "AwsSolutions-CFR2",
                "WAF is off in this environment's config (waf.enabled); prod turns it on",
                checkov=("CKV_AWS_68",),
            )
        if not certificate:
            acknowledge(
                dist,
                "AwsSolutions-CFR4",
                "no custom domain: the default *.cloudfront.net certificate's TLS policy is fixed by CloudFront; "
                "configure domain for TLSv1.2_2021",
                checkov=("CKV_AWS_174",),
            )
        # A VPC origin over HTTP (no domain.origin_name) draws no CFR5: cdk-nag reads only
        # CustomOriginConfig, and the HTTP hop stays inside the VPC anyway.
        if not https_origin and not vpc_origin:
            acknowledge(
                dist,
                "AwsSolutions-CFR5",
                "the ALB origin has no certificate without domain.origin_name, so CloudFront uses HTTP to it; "
                "origin protection keeps everyone else out. Set domain.origin_name for HTTPS to the origin",
            )
