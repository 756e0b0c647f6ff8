"""IAM roles: no broad AWS managed policy, no role nothing assumes (F7)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from ..template import TemplateView, as_list, statements
from .base import Hit, Rule

_BROAD_POLICY = re.compile(r"(FullAccess|^AdministratorAccess|^PowerUserAccess)$")
_PERMISSION_ONLY = {"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy"}
# Services whose roles are only usable through a specific resource type.
_SERVICE_CONSUMERS = {
    "ec2.amazonaws.com": {"AWS::IAM::InstanceProfile"},
    "lambda.amazonaws.com": {"AWS::Lambda::Function", "AWS::Lambda::Version", "AWS::Serverless::Function"},
}


def _role_users(view: TemplateView) -> dict[str, set[str]]:
    """Logical id -> types of the resources (or ``Output``) that reference it."""
    users: dict[str, set[str]] = defaultdict(set)
    for lid, res in view.resources.items():
        for target in view.refs(res.get("Properties") or {}):
            if target != lid:
                users[target].add(res.get("Type", ""))
    for output in view.outputs.values():
        for target in view.refs(output.get("Value")):
            users[target].add("Output")
    return users


def _assuming_services(view: TemplateView, props: dict[str, Any]) -> set[str] | None:
    """Service principals allowed to assume the role, or None if anything else may."""
    services: set[str] = set()
    for s in statements(props.get("AssumeRolePolicyDocument"), view.parameters):
        if not s.allows:
            continue
        for kind, values in s.rendered_principals.items():
            if kind != "Service":
                return None
            services.update(values)
    return services


def _used_by_a_consumer(services: set[str], consumers: set[str]) -> bool:
    """Some assuming service can reach the role through the resources that reference it."""
    for service in services:
        wanted = next((v for k, v in _SERVICE_CONSUMERS.items() if service.startswith(k)), None)
        if (wanted is None and consumers) or (wanted is not None and consumers & wanted):
            return True
    return False


def _broad_policies(view: TemplateView, props: dict[str, Any]) -> Iterator[str]:
    for arn in as_list(props.get("ManagedPolicyArns")):
        name = view.render(arn).rsplit("/", 1)[-1]
        if _BROAD_POLICY.search(name):
            yield name


def check_roles_scoped_and_assumed(view: TemplateView) -> Iterator[Hit]:
    users = _role_users(view)
    for lid, props in view.of_type("AWS::IAM::Role"):
        for name in _broad_policies(view, props):
            yield Hit(lid, name, "Properties/ManagedPolicyArns")
        services = _assuming_services(view, props)
        if not services:
            continue
        consumers = users.get(lid, set()) - _PERMISSION_ONLY
        if "Output" not in consumers and not _used_by_a_consumer(services, consumers):
            yield Hit(lid, "Unassumed", "Properties/AssumeRolePolicyDocument")


ROLES_SCOPED_AND_ASSUMED = Rule(
    name="RolesScopedAndAssumed",
    pitfall="F7",
    info="An IAM role has a broad AWS managed policy ([<PolicyName>], *FullAccess/AdministratorAccess) or is "
    "assumed by a service but nothing in the stack uses it ([Unassumed]).",
    explanation="Replace managed policies with grant_* calls or scoped statements; delete roles nothing assumes "
    "(an ec2 role needs an instance profile, a lambda role a function).",
    link="https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
    check=check_roles_scoped_and_assumed,
)
