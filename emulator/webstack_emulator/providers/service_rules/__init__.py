"""What AWS services refuse at create/update time, and moto accepts.

Templates that synthesize and that moto deploys can still fail in AWS, with
the service's own error, when the request breaks one of the service's rules
(docs/pitfalls.md D6, D7, D9, D17-D20, D24-D27). One module per service; each
rule cites the AWS documentation (or the public issue) with the error code
and text it returns, and raises :class:`ServiceRuleError` -- a
``ProviderError`` named after AWS's error code -- so that the resource fails
and the stack rolls back with that reason (engine/failures.py).

=================  ===================================================  ==============================
module             rule                                                 called from
=================  ===================================================  ==============================
``kms``            key policy locks the caller out; principal missing   kms.py Key create/update
                   duplicate alias                                      moto's AWS::KMS::Alias (install)
``logs``           log-group key disabled, missing, or not for Logs     logs.py LogGroup create/update
``cloudfront``     standard-log bucket without ACLs; certificate not    cloudfront.py Distribution
                   ISSUED                                               create/update
``elbv2``          access-log bucket SSE-KMS or without ELB's grant     elbv2.py LoadBalancer attributes
                   listener certificate not ISSUED                      moto's Listener (install)
``secretsmanager`` rotation Lambda that Secrets Manager may not invoke  secretsmanager.py RotationSchedule
``lambda_``        deprecated runtime                                   moto's AWS::Lambda::Function (install)
``s3``             public bucket policy under BlockPublicPolicy         s3.py BucketPolicy create/update
``ec2``            more than 60 rules (prefix lists by weight)          moto's EC2 backend (install)
=================  ===================================================  ==============================

The ``install`` functions patch moto through the engine's guard (pinned
moto, names that must exist) and are idempotent.
"""

from __future__ import annotations

from ._errors import ServiceRuleError, refuse

__all__ = ["ServiceRuleError", "refuse"]
