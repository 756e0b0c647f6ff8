"""Who may call whom: AWS's policy evaluation for resource-based policies
and KMS key policies, used when one emulated service calls another (an
alarm publishing to a topic, SNS asking KMS for a data key on a publisher's
behalf). See :mod:`.evaluator` for the logic and why moto's own evaluator is
not used for it, :mod:`.conditions` for the condition operators."""

from __future__ import annotations

from .aws_managed import (
    AUTOSCALING_SERVICE_ROLE_POLICY,
    AUTOSCALING_SLR_PATH,
    autoscaling_service_linked_role,
    aws_managed_sns_key_policy,
)
from .conditions import UnsupportedCondition, conditions_hold, key_holds, wildcard_match
from .evaluator import (
    Decision,
    PolicyResult,
    Principal,
    Request,
    evaluate_key_access,
    evaluate_policy,
    evaluate_resource_access,
)

__all__ = [
    "AUTOSCALING_SERVICE_ROLE_POLICY",
    "AUTOSCALING_SLR_PATH",
    "Decision",
    "PolicyResult",
    "Principal",
    "Request",
    "UnsupportedCondition",
    "autoscaling_service_linked_role",
    "aws_managed_sns_key_policy",
    "conditions_hold",
    "evaluate_key_access",
    "evaluate_policy",
    "evaluate_resource_access",
    "key_holds",
    "wildcard_match",
]
