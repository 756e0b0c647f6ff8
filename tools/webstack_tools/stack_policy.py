"""The stack policy every deploy leaves on each stack, and the one-deploy override.

A stack policy is CloudFormation's fail-safe against an update that replaces
or deletes a resource by accident: "all update actions are allowed on all
resources" until one is set, after which an update the policy does not allow
fails and rolls back
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/protect-stack-resources.html).
After each deploy, every stack gets a policy that allows every update but
``Update:Replace`` and ``Update:Delete`` of its stateful resources: the
resource types ``make plan`` guards (:data:`webstack_tools.plan.STATEFUL_TYPES`:
buckets, keys, secrets, log groups, the load balancer), read from the
synthesized template by type.

The CDK CLI has no stack-policy option (``cdk deploy --help``), so the policy
is set with ``SetStackPolicy`` once the stack exists (it cannot be set before
the first create; the first deploy is unprotected until it finishes).

An intended replacement (``make up ALLOW_REPLACE=LogicalId[,...]``):
CloudFormation's temporary override, ``StackPolicyDuringUpdateBody``, exists
only on ``UpdateStack``; ``ExecuteChangeSet``, which the CDK CLI uses, has
none. So the deploy sets a policy without those ids for this one deploy and,
whatever the outcome, the protecting policy again after it (from the new
template on success, from the resources still deployed on failure). A deploy
killed in between leaves the looser policy until the next ``make up``.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from webstack_tools.assembly import CloudAssembly, SynthesizedStack

_PROTECTED_ACTIONS = ["Update:Replace", "Update:Delete"]


def stateful_ids(resources: Iterable[tuple[str, str]]) -> list[str]:
    """The logical ids of ``(logical id, type)`` pairs whose type is stateful, sorted."""
    # Imported here: the plan package imports the deploy module, which imports this one.
    from webstack_tools.plan import STATEFUL_TYPES

    return sorted(lid for lid, resource_type in resources if resource_type in STATEFUL_TYPES)


def template_stateful_ids(stack: SynthesizedStack) -> list[str]:
    return stateful_ids((lid, str(r.get("Type"))) for lid, r in stack.resources.items())


def policy_document(protected: Iterable[str]) -> dict[str, Any]:
    """Allow every update; deny replacing or deleting the ``protected`` logical ids."""
    statements: list[dict[str, Any]] = [{"Effect": "Allow", "Action": "Update:*", "Principal": "*", "Resource": "*"}]
    resources = [f"LogicalResourceId/{lid}" for lid in sorted(protected)]
    if resources:
        statements.append({"Effect": "Deny", "Action": _PROTECTED_ACTIONS, "Principal": "*", "Resource": resources})
    return {"Statement": statements}


def deployed_stateful_ids(target: Any, stacks: Iterable[SynthesizedStack]) -> dict[str, list[str]]:
    """The stateful logical ids each of the deployed ``stacks`` has now, by stack name."""
    return {s.name: _deployed_stateful_ids(target.client("cloudformation", s.region), s.name) for s in stacks}


def unknown_allowances(assembly: CloudAssembly, deployed: Mapping[str, list[str]], allow: Collection[str]) -> list[str]:
    """The ids of ``allow`` that are no stateful resource of ``assembly`` nor of what is deployed
    (a stateful resource the new templates drop is deleted: it can be allowed too)."""
    known = {lid for stack in assembly for lid in template_stateful_ids(stack)}
    known |= {lid for ids in deployed.values() for lid in ids}
    return sorted(set(allow) - known)


def _set(cfn: Any, stack_name: str, protected: Iterable[str]) -> None:
    cfn.set_stack_policy(StackName=stack_name, StackPolicyBody=json.dumps(policy_document(protected)))


def _deployed_stateful_ids(cfn: Any, stack_name: str) -> list[str]:
    resources = cfn.describe_stack_resources(StackName=stack_name)["StackResources"]
    return stateful_ids((r["LogicalResourceId"], r["ResourceType"]) for r in resources)


def loosen(
    target: Any, stacks: Iterable[SynthesizedStack], deployed: Mapping[str, list[str]], allow: Collection[str]
) -> list[SynthesizedStack]:
    """For this deploy only: the deployed ``stacks`` that hold an id of ``allow`` protect all their
    stateful resources but those. Returns the stacks loosened (for :func:`restore`)."""
    loosened = []
    for stack in stacks:
        ids = set(deployed.get(stack.name, []))
        if ids & set(allow):
            _set(target.client("cloudformation", stack.region), stack.name, ids - set(allow))
            loosened.append(stack)
    return loosened


def restore(target: Any, stacks: Iterable[SynthesizedStack]) -> None:
    """After a failed deploy: protect every stateful resource the ``stacks`` still have."""
    for stack in stacks:
        cfn = target.client("cloudformation", stack.region)
        _set(cfn, stack.name, _deployed_stateful_ids(cfn, stack.name))


def protect(target: Any, assembly: CloudAssembly) -> None:
    """After a deploy: every stack of ``assembly`` denies replacing or deleting its stateful resources."""
    for stack in assembly:
        _set(target.client("cloudformation", stack.region), stack.name, template_stateful_ids(stack))
