"""Elastic Load Balancing v2: access-log buckets and listener certificates.

Access logs (``access_logs.s3.enabled=true`` in ``LoadBalancerAttributes``;
call :func:`check_access_logs` whenever the attributes are set). ELB writes a
test object ``PREFIX/AWSLogs/ACCOUNT/ELBAccessLogTestFile`` when logging is
enabled; if it cannot, ModifyLoadBalancerAttributes fails with
``InvalidConfigurationRequest`` "Access Denied for bucket: BUCKET. Please
check S3bucket permission" (aws/aws-cdk#5758,
kubernetes-sigs/aws-load-balancer-controller#1956). That happens when

* the bucket policy does not let ELB put objects there: the regional ELB
  account (regions available before August 2022) or the
  ``logdelivery.elasticloadbalancing.amazonaws.com`` service principal
  (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html#attach-bucket-policy),
  pitfall D19;
* the bucket is encrypted with SSE-KMS: "The only server-side encryption
  option that's supported is Amazon S3-managed keys (SSE-S3)" (same page;
  aws/aws-cdk#21947 shows the same "Access Denied" text), pitfall D7.

ELB's test write is evaluated like any request against the bucket policy
(``policy.evaluate_policy``), over TLS, with ``aws:SourceAccount`` and
``aws:SourceArn`` of the load balancer. Whether ELB also sends
``x-amz-acl: bucket-owner-full-control`` is not documented, so a policy that
requires it is not satisfied here. A bucket the emulator does not hold fails
the same way (AWS's text for it was not verified).

Listener certificates (moto's ``AWS::ElasticLoadBalancingV2::Listener``;
:func:`install`): an ACM certificate that does not exist in the listener's
region, or is not ``ISSUED``, fails with ``CertificateNotFound``
"Certificate 'ARN' not found" (aws/aws-cdk#6081: a certificate still pending
validation). moto checks existence only.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from moto.acm.models import acm_backends
from moto.iam.access_control import PermissionResult
from moto.s3.models import s3_backends

from ...engine import require_pinned_moto
from ...facts import ELB_LOG_DELIVERY_ACCOUNTS
from ...policy import Principal, Request, UnsupportedCondition, evaluate_policy
from .._base import PARTITION, Provider
from ..s3 import DEFAULT_REQUEST_CONTEXT
from ._errors import refuse
from ._hooks import install_checks
from .s3 import default_encryption

ELB_LOG_DELIVERY_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com"
TEST_OBJECT = "ELBAccessLogTestFile"


def log_delivery_principals(region_name: str) -> list[Principal]:
    """Who ELB writes access logs as in ``region_name``: the log-delivery
    service principal, and the region's ELB account where it has one."""
    principals = [Principal.service(ELB_LOG_DELIVERY_SERVICE)]
    account = ELB_LOG_DELIVERY_ACCOUNTS.get(region_name)
    if account:
        principals.append(Principal.role(f"arn:{PARTITION}:iam::{account}:root"))
    return principals


def _delivery_allowed(policy: Any, principal: Principal, request: Request) -> bool:
    try:
        result = evaluate_policy(
            policy, Request(principal, request.action, request.resource, request.context, request.resource_account)
        )
    except UnsupportedCondition:
        # A condition the evaluator cannot decide: do not refuse on a guess.
        return True
    if result.result is PermissionResult.DENIED:
        return False
    # An account principal delegates to that account's own policies: ELB's.
    return result.result is PermissionResult.PERMITTED or result.delegated


def check_access_logs(provider: Provider, attributes: Mapping[str, Any], load_balancer_arn: str) -> None:
    """Refuse access logging to a bucket ELB cannot write to (module docstring)."""
    if str(attributes.get("access_logs.s3.enabled", "false")).lower() != "true":
        return
    name = str(attributes.get("access_logs.s3.bucket") or "")
    denied = refuse(
        "InvalidConfigurationRequest", f"Access Denied for bucket: {name}. Please check S3bucket permission"
    )
    bucket = s3_backends[provider.account_id][PARTITION].buckets.get(name)
    if bucket is None or default_encryption(bucket).algorithm.startswith("aws:kms"):
        raise denied
    prefix = str(attributes.get("access_logs.s3.prefix") or "").strip("/")
    key = "/".join(part for part in (prefix, "AWSLogs", provider.account_id, TEST_OBJECT) if part)
    policy = bucket.policy.decode() if isinstance(bucket.policy, bytes) else bucket.policy
    context = dict(
        DEFAULT_REQUEST_CONTEXT, **{"aws:SourceAccount": provider.account_id, "aws:SourceArn": load_balancer_arn}
    )
    request = Request(
        Principal.service(ELB_LOG_DELIVERY_SERVICE),
        "s3:PutObject",
        f"arn:{PARTITION}:s3:::{name}/{key}",
        context,
        resource_account=provider.account_id,
    )
    if not any(_delivery_allowed(policy, p, request) for p in log_delivery_principals(provider.region_name)):
        raise denied


def check_listener_certificates(properties: Mapping[str, Any], account_id: str, region_name: str) -> None:
    """Refuse a listener whose ACM certificate is missing or not ``ISSUED``."""
    for certificate in properties.get("Certificates") or []:
        arn = str(certificate.get("CertificateArn") or "")
        if ":acm:" not in arn:
            continue  # IAM server certificates are not ACM's
        try:
            status = acm_backends[account_id][region_name].get_certificate(arn).status
        except Exception:
            status = None
        if status != "ISSUED":
            raise refuse("CertificateNotFound", f"Certificate '{arn}' not found")


@functools.cache
def install() -> None:
    """Make moto's ``AWS::ElasticLoadBalancingV2::Listener`` check its certificates (once per process)."""
    require_pinned_moto(__name__)
    from moto.elbv2.models import FakeListener

    install_checks(FakeListener, create=check_listener_certificates, update=check_listener_certificates)
