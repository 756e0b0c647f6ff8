"""AWS and CDK facts the rules rely on, each defined once for the whole repository.

The product imports these too (webstack ships this package), so the edge
region and CDK's acknowledgement metadata key have one definition.
"""

# CloudFront takes web ACLs (Scope CLOUDFRONT) and ACM certificates only from
# us-east-1, and publishes its metrics only there (pitfalls D3, D4, D5).
# https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cnames-and-https-requirements.html
# https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/monitoring-using-cloudwatch.html
CLOUDFRONT_REGION = "us-east-1"

# Construct metadata type under which `Validations.of(scope).acknowledge(...)`
# (aws-cdk-lib 2.275) records acknowledged rule ids.
ACKNOWLEDGED_RULES_METADATA_KEY = "aws:cdk:acknowledged-rules"

# Stack template Metadata key under which a stack declares the logical ids of
# its stateful resources (:func:`webstack_pitfalls.pin_stateful_ids`), checked
# by the StatefulLogicalIdPinned rule (pitfall D14).
PINNED_STATEFUL_IDS_METADATA_KEY = "WebstackPitfalls::PinnedStatefulIds"
