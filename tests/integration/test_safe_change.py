"""What the deploy path leaves on the deployed stacks to guard the next change:
a stack policy on the web stack that denies replacing or deleting each of its
stateful resources (the types ``make plan`` guards), read back with
GetStackPolicy and compared with CloudFormation's own list of the stack's
resources."""

from __future__ import annotations

import json

from webstack_tools.plan import STATEFUL_TYPES


def test_the_web_stack_policy_denies_replacing_or_deleting_every_stateful_resource(deployed, aws, web_resources):
    stateful = {r["LogicalResourceId"]: r["ResourceType"] for r in web_resources if r["ResourceType"] in STATEFUL_TYPES}
    # The resources people's data and addresses live in are among them.
    assert {"AWS::S3::Bucket", "AWS::KMS::Key", "AWS::SecretsManager::Secret", "AWS::Logs::LogGroup"} <= set(
        stateful.values()
    )
    assert "AWS::ElasticLoadBalancingV2::LoadBalancer" in stateful.values()

    body = aws("cloudformation").get_stack_policy(StackName=deployed.web_stack).get("StackPolicyBody")
    assert body, f"{deployed.web_stack} has no stack policy"
    statements = json.loads(body)["Statement"]
    denied = [s for s in statements if s["Effect"] == "Deny"]
    assert [sorted(s["Action"]) for s in denied] == [["Update:Delete", "Update:Replace"]]
    assert sorted(denied[0]["Resource"]) == sorted(f"LogicalResourceId/{lid}" for lid in stateful)
    # Everything else may be updated (a policy without an Allow refuses every update).
    assert {"Effect": "Allow", "Action": "Update:*", "Principal": "*", "Resource": "*"} in statements
