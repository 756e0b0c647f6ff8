"""Pinned stateful logical ids (pitfall D14): the data the StatefulLogicalIdPinned rule checks against.

A rule sees one synthesized stack and nothing else (no product code, no test
data), so a stack that wants its stateful logical ids checked declares them
in its own template, under the stack-level ``Metadata`` key
:data:`~webstack_pitfalls.aws.PINNED_STATEFUL_IDS_METADATA_KEY`::

    from webstack_pitfalls import pin_stateful_ids

    pin_stateful_ids(stack, {"AWS::S3::Bucket": ["StorageContent05955A69"], ...})

The rule then faults every resource of a stateful type (:data:`STATEFUL_TYPES`,
plus any type the declaration names) whose logical id is not declared: a
renamed construct gives its bucket or key a new logical id, and
CloudFormation replaces the resource (a new, empty one; the old one deleted
or orphaned). A stack that declares nothing is not checked.

The declaration is a superset across configurations: an id pinned for a
resource a configuration does not create is not a finding.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import aws_cdk as cdk

from .aws import PINNED_STATEFUL_IDS_METADATA_KEY

# Resources whose replacement loses data or an address people use (the same
# list webstack's `make plan` refuses to replace or delete).
STATEFUL_TYPES = frozenset(
    {
        "AWS::S3::Bucket",
        "AWS::KMS::Key",
        "AWS::SecretsManager::Secret",
        "AWS::Logs::LogGroup",
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "AWS::RDS::DBInstance",
        "AWS::RDS::DBCluster",
        "AWS::DynamoDB::Table",
    }
)


def pin_stateful_ids(stack: cdk.Stack, pinned: Mapping[str, Iterable[str]]) -> None:
    """Declare ``pinned`` (resource type -> logical ids) in ``stack``'s template Metadata."""
    stack.add_metadata(PINNED_STATEFUL_IDS_METADATA_KEY, {t: sorted(ids) for t, ids in sorted(pinned.items())})
