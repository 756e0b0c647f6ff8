"""ELB and CloudFront calls signed by an assumed role, authorized as that role;
CloudFront's ETag / IfMatch on UpdateDistribution.

The origin-verify rotation function (webstack/constructs/assets/
rotate-origin-verify) edits the ALB listener rule and the distribution with
its execution role's credentials, as Lambda gives them
(https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html).
A call signed with an assumed role's credentials is evaluated against the
role's identity policies (:func:`policy.evaluate_resource_access`, no resource
policy: neither service has one for these resources) with the resource IAM
matches the action with:

* ``elasticloadbalancing:ModifyRule``: the listener rule (``RuleArn``);
  ``elasticloadbalancing:DescribeRules``: ``*`` -- ELB's Describe* actions have
  no resource type
  (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awselasticloadbalancingv2.html).
* ``cloudfront:GetDistribution`` / ``GetDistributionConfig`` /
  ``UpdateDistribution``: ``arn:aws:cloudfront::<account>:distribution/<id>``
  (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudfront.html).

Any other action of these two services signed by an assumed role is refused
as *not emulated* (which resource AWS would evaluate it on is not modelled
here): a loud failure, not an unchecked allow. Calls signed with any other
credentials (the deployer's) are not restricted, as for Secrets Manager
(:mod:`.rotation`). AWS's denial text: "User: <session ARN> is not authorized
to perform: <action> on resource: <ARN> because no identity-based policy
allows the <action> action" (the same form as Secrets Manager's, see
:mod:`.rotation`), error code ``AccessDenied``, HTTP 403.

UpdateDistribution: CloudFront refuses an ``IfMatch`` that is not the
distribution's current ETag with ``PreconditionFailed`` (HTTP 412, "The
precondition in one or more of the request fields evaluated to false." --
the error shape's documentation in CloudFront's API model, botocore
``cloudfront`` 2020-05-31) and answers every accepted update with a new ETag
(https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_UpdateDistribution.html:
GetDistributionConfig returns "the version identifier (ETag)", which the
update passes as IfMatch). moto 5.2.5 accepted any IfMatch and kept the ETag,
so a read-modify-write raced by another writer would have silently
overwritten it. An accepted update puts the distribution back to
``InProgress``: changes "won't take effect until the distribution has
propagated to the AWS edge locations"
(https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/HowToUpdateDistribution.html),
and "When the status is Deployed, the distribution's information is fully
propagated to all CloudFront edge locations" (API_Distribution.html, Status);
moto left it ``Deployed``. It reads ``Deployed`` again as moto's state manager
says for ``cloudfront::distribution`` (at once by default; a test can hold it
with ``/moto-api/state-manager/set-transition``). The local edge itself
switches to a new configuration at once: it has one location.
"""

from __future__ import annotations

import functools
from typing import Any

# moto's XML error (query and rest-xml protocols); its public subclasses all carry fixed texts.
from moto.core.exceptions import _RESTError as RESTError
from moto.iam.access_control import PermissionResult

from .policy import Decision, Request, evaluate_policy, evaluate_resource_access
from .policy.identities import RoleSession, assumed_role_session

PRECONDITION_FAILED = "The precondition in one or more of the request fields evaluated to false."


class AccessDenied(RESTError):
    code = 403

    def __init__(self, message: str, *, rest_xml: bool = False) -> None:
        super().__init__("AccessDenied", message)
        if rest_xml:
            self.description = _rest_xml_error("AccessDenied", message)


class PreconditionFailed(RESTError):
    code = 412

    def __init__(self) -> None:
        super().__init__("PreconditionFailed", PRECONDITION_FAILED)
        self.description = _rest_xml_error("PreconditionFailed", PRECONDITION_FAILED)


def _rest_xml_error(code: str, message: str) -> str:
    """CloudFront's (rest-xml) error body: ``ErrorResponse/Error``, without the query
    protocol's ``Errors`` wrapper moto writes (botocore reads no code from that)."""
    from xml.sax.saxutils import escape

    return (
        '<?xml version="1.0"?><ErrorResponse xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">'
        f"<Error><Type>Sender</Type><Code>{code}</Code><Message>{escape(message)}</Message></Error>"
        "<RequestId></RequestId></ErrorResponse>"
    )


def _elb_resource(response: Any, action: str) -> str | None:
    if action == "ModifyRule":
        return str(response._get_param("RuleArn") or "*")
    if action == "DescribeRules":
        return "*"
    return None


def _cloudfront_resource(response: Any, action: str, account: str) -> str | None:
    if action in ("GetDistribution", "GetDistributionConfig", "UpdateDistribution"):
        return f"arn:aws:cloudfront::{account}:distribution/{response._get_param('Id')}"
    return None


def _refusal(session: RoleSession, action: str, resource: str, *, rest_xml: bool) -> AccessDenied | None:
    context = {
        "aws:PrincipalArn": session.principal.arn,
        "aws:PrincipalAccount": session.account,
        "aws:SecureTransport": "true",
    }
    request = Request(session.principal, action, resource, context, resource_account=session.account)
    decision = evaluate_resource_access(None, request)
    session_allows = session.session_policy is None or (
        evaluate_policy(session.session_policy, request, resource_policy=False).result is PermissionResult.PERMITTED
    )
    on = f" on resource: {resource}" if resource != "*" else ""
    if decision is Decision.EXPLICIT_DENY:
        return AccessDenied(
            f"User: {session.arn} is not authorized to perform: {action}{on} with an explicit deny in an "
            "identity-based policy",
            rest_xml=rest_xml,
        )
    if decision is not Decision.ALLOW or not session_allows:
        return AccessDenied(
            f"User: {session.arn} is not authorized to perform: {action}{on} because no identity-based policy "
            f"allows the {action} action",
            rest_xml=rest_xml,
        )
    return None


def authorize(response: Any, service: str) -> None:
    """Refuse an ELB / CloudFront call signed by an assumed role that its policies do not allow."""
    session = assumed_role_session(response.get_access_key())
    if session is None:
        return
    api_action = response._get_action()
    if service == "elasticloadbalancing":
        resource = _elb_resource(response, api_action)
    else:
        resource = _cloudfront_resource(response, api_action, session.account)
    action = f"{service}:{api_action}"
    if resource is None:
        raise AccessDenied(
            f"webstack emulator: authorizing {action} for an assumed role is not emulated "
            "(webstack_emulator/role_calls.py lists the actions it evaluates)",
            rest_xml=service == "cloudfront",
        )
    refusal = _refusal(session, action, resource, rest_xml=service == "cloudfront")
    if refusal is not None:
        raise refusal


def _authorizing(original: Any, service: str) -> Any:
    def _authenticate_and_authorize_normal_action(self: Any, resource: str = "*") -> None:
        original(self, resource)
        authorize(self, service)

    return _authenticate_and_authorize_normal_action


def _checking_if_match(original: Any) -> Any:
    def update_distribution(self: Any, dist_config: dict[str, Any], _id: str, if_match: Any) -> Any:
        from moto.cloudfront.models import random_id

        dist = self.distributions.get(_id)
        if dist is not None and if_match and if_match != dist.etag:
            raise PreconditionFailed()
        original(self, dist_config, _id, if_match)
        dist = self.distributions[_id]
        dist.etag = random_id()
        # Back to InProgress until the change has reached every edge location; how soon it reads
        # Deployed follows moto's state manager (immediate unless a test sets another progression).
        dist.status = "InProgress"
        dist._tick = 0
        return dist, dist.location, dist.etag

    return update_distribution


@functools.cache
def install() -> None:
    """Patch moto's ELBv2 and CloudFront responses (role authorization) and
    CloudFront's UpdateDistribution (IfMatch), once per process."""
    from moto.cloudfront.models import CloudFrontBackend
    from moto.cloudfront.responses import CloudFrontResponse
    from moto.elbv2.responses import ELBV2Response

    from .engine import replace, require_pinned_moto

    require_pinned_moto(__name__)
    for response, service in ((ELBV2Response, "elasticloadbalancing"), (CloudFrontResponse, "cloudfront")):
        replace(
            response,
            "_authenticate_and_authorize_normal_action",
            _authorizing(response._authenticate_and_authorize_normal_action, service),
        )
    replace(
        CloudFrontBackend, "update_distribution", _checking_if_match(vars(CloudFrontBackend)["update_distribution"])
    )
