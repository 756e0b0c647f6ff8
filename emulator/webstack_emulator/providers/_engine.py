"""Fixes to moto's CloudFormation engine itself (not to any one type).

Each patch wraps a moto 5.2.5 function by name; ``install`` checks that the
names still exist so that a moto upgrade fails loudly instead of silently.

1. ``Custom::`` routing. moto sends every ``Custom::*`` type to its
   ``CustomModel``, which invokes the ServiceToken Lambda (needs Docker) and
   waits forever for the callback. Types registered in ``CUSTOM_TYPES`` are
   served natively instead; unknown ``Custom::`` types keep moto's behaviour.
2. Failed stack operations. moto executes a change set synchronously and lets
   a provider's exception escape as an HTTP 500, leaving the stack in
   ``REVIEW_IN_PROGRESS`` with a dangling change set ("Stack with id
   cdk-deploy-change-set does not exist" on the next deploy). Here a failure
   becomes what CloudFormation reports: a ``CREATE_FAILED``/``UPDATE_FAILED``
   resource event naming the resource and the reason, and a stack in
   ``ROLLBACK_COMPLETE`` (resources created so far are deleted) or
   ``UPDATE_ROLLBACK_COMPLETE``. The CDK CLI then prints the reason and, on
   the next deploy, deletes and recreates a ROLLBACK_COMPLETE stack itself.
3. Creation order. For a change set of type CREATE moto creates resources in
   template order, resolving Ref/GetAtt lazily but ignoring ``DependsOn``;
   here new resources are created in dependency order (DependsOn, Ref,
   GetAtt, Fn::Sub references).
4. Updates of types without an update handler. moto stores ``None`` for
   them (every later Ref to the resource then resolves to nothing); here
   the resource is replaced (delete + create), as CloudFormation does for
   replacement-only properties.
5. Failed stack deletions end in ``DELETE_FAILED`` with the reason (moto
   answers HTTP 500 and forgets the stack).
6. Dynamic references. ``{{resolve:ssm:...}}`` and
   ``{{resolve:secretsmanager:...}}`` in property values are resolved (CDK's
   cross-region references and ``SecretValue`` rely on them).
7. ``Fn::GetStackOutput`` ``{StackName, OutputName, Region[, RoleArn]}``
   (CDK renders ``cross_region_references`` with it): the value of an
   output of another stack of this emulator, in any region (the account is
   taken from ``RoleArn`` when given). moto does not know the function and
   would pass the object through as a literal value; anywhere in a
   resource's properties or an output it is resolved at create/update time,
   and a missing stack or output fails the resource with the reason.
8. Termination protection. moto stores ``EnableTerminationProtection`` but
   has no ``UpdateTerminationProtection`` (HTTP 500: the CDK CLI calls it
   for ``termination_protection=True`` stacks) and deletes protected
   stacks. Here the action exists and ``DeleteStack`` of a protected stack
   is refused with AWS's ValidationError, leaving the stack untouched.
9. Deletion. moto deletes a stack's resources in arbitrary order, retrying
   what failed, and many of its types have no delete at all (routes, route
   table associations, NAT gateways, EIPs, internet gateways and their
   attachments, VPC endpoints, flow logs, listeners...: they silently stay),
   so a VPC stack ended in DELETE_FAILED (DependencyViolation). Here
   resources are deleted in reverse dependency order (dependents first, as
   CloudFormation does), with type-specific deleters from ``DELETERS`` where
   moto has none, and a second pass only for what still failed. A
   ``DeletionPolicy`` of ``Retain`` (or ``RetainExceptOnCreate``, except when
   rolling back a create) keeps the resource on stack deletion and when it
   is removed from the template by an update; ``UpdateReplacePolicy: Retain``
   keeps the old resource on replacement.
10. ``DeleteChangeSet`` by name. moto ignores ``StackName`` (the name is
    searched across all stacks of the region) and answers HTTP 500 when no
    change set has that name; the CDK CLI deletes ``cdk-deploy-change-set``
    before every update, relying on CloudFormation's rule that the request
    succeeds whenever the stack exists, then polls ``DescribeChangeSet``
    until it answers ``ChangeSetNotFound`` (moto: a ValidationError "Stack
    with id cdk-deploy-change-set does not exist", which fails the deploy).
    ``DescribeChangeSet`` and ``ListChangeSets`` ignored ``StackName`` too:
    with two stacks of a region using the CLI's fixed change-set name, the
    CLI waited forever for the *other* stack's change set to go away.
    Change sets are per stack here, and a successful execution removes the
    stack's change sets. All as in AWS here.
11. ``UsePreviousValue`` for SSM-typed parameters. moto takes the previous
    *resolved* value (``ami-...``, from ``Stack.stack_parameters``) and on
    the update looks it up again as an SSM parameter name ('NoneType' object
    has no attribute 'value': every ``cdk deploy`` update of a stack using
    ``MachineImage.latest_amazon_linux2023()`` failed). Here a stack's
    parameter value is what was passed in (the SSM path; the template's
    Default when nothing was), as CloudFormation's ParameterValue, with the
    resolved value as ResolvedValue (DescribeStacks) and for Ref; NoEcho
    parameters show ``****`` (moto compared values with key names).
12. No-change updates. moto recognises "didn't contain changes" only when
    the change set's parameters equal the dict given at creation, so a
    redeploy with ``UsePreviousValue`` (or defaults) always "changed".
    Here parameters are compared by effective value (given, previous, or
    default), SSM-typed ones also by their current resolved value: an
    unchanged ``cdk deploy`` reports "(no changes)", as against AWS.
    ``CreateChangeSet`` no longer answers UpdateStack's "No updates are to
    be performed." error: it creates the FAILED change set, as AWS does.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

from moto.cloudformation import exceptions as cfn_exceptions
from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing
from moto.cloudformation import responses as cfn_responses

logger = logging.getLogger("webstack_emulator")

# Custom::Name -> provider class (filled by providers.cdk_custom)
CUSTOM_TYPES: dict[str, type] = {}

# AWS::Type -> fn(moto resource, account_id, region_name) for types whose
# moto model cannot delete itself (filled by the service modules)
DELETERS: dict[str, Any] = {}


def deleter(cfn_type: str) -> Any:
    def register(fn: Any) -> Any:
        DELETERS[cfn_type] = fn
        return fn

    return register


_installed = False
_local = threading.local()


class ResourceFailed(Exception):
    def __init__(self, logical_id: str, resource_type: str, cause: BaseException):
        super().__init__(f"{logical_id} ({resource_type}): {cause}")
        self.logical_id = logical_id
        self.resource_type = resource_type
        self.cause = cause


def _route_custom(original: Any) -> Any:
    def resource_class_from_type(resource_type: str) -> Any:
        if resource_type in CUSTOM_TYPES:
            return CUSTOM_TYPES[resource_type]
        return original(resource_type)

    resource_class_from_type.__wrapped__ = original  # type: ignore[attr-defined]
    return resource_class_from_type


def _annotate_failures(original: Any) -> Any:
    def wrapper(logical_id: str, resource_json: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return original(logical_id, resource_json, *args, **kwargs)
        except ResourceFailed:
            raise
        except Exception as exc:
            raise ResourceFailed(logical_id, resource_json.get("Type", "?"), exc) from exc

    wrapper.__wrapped__ = original  # type: ignore[attr-defined]
    return wrapper


def _update_or_replace(original: Any) -> Any:
    def parse_and_update_resource(
        logical_id: str, resource_json: dict[str, Any], resources_map: Any, account_id: str, region_name: str
    ) -> Any:
        resource_class = parsing.resource_class_from_type(resource_json["Type"])
        if resource_class is not None and hasattr(
            resource_class.update_from_cloudformation_json, "__isabstractmethod__"
        ):
            old = resources_map._parsed_resources.get(logical_id)
            if (
                old is not None
                and not isinstance(old, (str, dict, list))
                and resource_json.get("UpdateReplacePolicy") != "Retain"
            ):
                try:
                    delete_physical(resources_map, old, resource_json)
                except Exception as exc:
                    logger.warning("replacing %s: delete failed: %s", logical_id, exc)
            return parsing.parse_and_create_resource(logical_id, resource_json, resources_map, account_id, region_name)
        return original(logical_id, resource_json, resources_map, account_id, region_name)

    parse_and_update_resource.__wrapped__ = original  # type: ignore[attr-defined]
    return parse_and_update_resource


_REF_RE = re.compile(r"\$\{([^!}][^}]*)\}")


def _references(node: Any, names: set[str]) -> set[str]:
    found: set[str] = set()

    def walk(n: Any) -> None:
        if isinstance(n, dict):
            for k, v in n.items():
                if k == "Ref" and isinstance(v, str) and v in names:
                    found.add(v)
                elif k == "Fn::GetAtt":
                    target = v[0] if isinstance(v, list) else str(v).split(".")[0]
                    if target in names:
                        found.add(target)
                elif k == "Fn::Sub":
                    text = v[0] if isinstance(v, list) else v
                    if isinstance(text, str):
                        for m in _REF_RE.findall(text):
                            if m.split(".")[0] in names:
                                found.add(m.split(".")[0])
                    walk(v[1] if isinstance(v, list) and len(v) > 1 else None)
                else:
                    walk(v)
        elif isinstance(n, list):
            for item in n:
                walk(item)

    walk(node)
    return found


def direct_dependencies(resources: dict[str, Any], name: str) -> list[str]:
    """What ``name`` depends on inside the template (DependsOn, Ref, GetAtt, Sub)."""
    body = resources[name]
    deps = body.get("DependsOn") or []
    deps = [deps] if isinstance(deps, str) else list(deps)
    deps += sorted(_references(body.get("Properties"), set(resources)))
    return [d for d in deps if d in resources and d != name]


def dependency_order(resources: dict[str, Any], subset: list[str]) -> list[str]:
    """``subset`` sorted so that every resource follows what it depends on."""
    ordered: list[str] = []
    state: dict[str, int] = {}

    def visit(name: str) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:  # cycle: CloudFormation would reject it; keep going
            return
        state[name] = 1
        for dep in direct_dependencies(resources, name):
            visit(dep)
        state[name] = 2
        if name in wanted:
            ordered.append(name)

    wanted = set(subset)
    for name in subset:
        visit(name)
    return ordered


def _ordered_diff(original: Any) -> Any:
    def build_resource_diff(self: Any, other_template: dict[str, Any], parameters: Any = None) -> Any:
        result = original(self, other_template, parameters)
        new = other_template.get("Resources") or {}
        result["Add"] = dependency_order(new, result["Add"])
        result["Modify"] = dependency_order(new, result["Modify"])
        old = self._resource_json_map
        result["Remove"] = list(reversed(dependency_order(old, result["Remove"])))
        return result

    build_resource_diff.__wrapped__ = original  # type: ignore[attr-defined]
    return build_resource_diff


def is_retained(resource_json: dict[str, Any], create_rollback: bool = False) -> bool:
    policy = resource_json.get("DeletionPolicy")
    if policy == "RetainExceptOnCreate":
        return not create_rollback
    return policy == "Retain"


_original_delete_resource: Any = None


def delete_physical(resources_map: Any, parsed: Any, resource_json: dict[str, Any]) -> None:
    """Delete one resource, whatever its DeletionPolicy says."""
    fn = DELETERS.get(resource_json.get("Type", ""))
    if fn is not None:
        fn(parsed, resources_map._account_id, resources_map._region_name)
    else:
        _original_delete_resource(resources_map, parsed, resource_json)


def _policy_delete_resource(self: Any, parsed: Any, resource_json: dict[str, Any]) -> None:
    """ResourceMap._delete_resource: used by moto when an update removes a
    resource from the template, and by our ordered delete."""
    if is_retained(resource_json, getattr(self, "_webstack_create_rollback", False)):
        logger.info(
            "retaining %s (DeletionPolicy %s)",
            getattr(parsed, "logical_resource_id", "?"),
            resource_json.get("DeletionPolicy"),
        )
        return
    delete_physical(self, parsed, resource_json)


def _ordered_delete(self: Any) -> None:
    """ResourceMap.delete: dependents first; a resource is only deleted once
    everything that depends on it is gone (so a failure stops its own
    dependency chain, as in CloudFormation, and is the one reported);
    retained resources are left."""
    templates = self._resource_json_map
    order = list(reversed(dependency_order(templates, list(templates))))
    remaining = [
        name
        for name in order
        if (parsed := self._parsed_resources.get(name)) is not None and not isinstance(parsed, (str, dict, list))
    ]
    dependents: dict[str, set[str]] = {name: set() for name in templates}
    for name in templates:
        for dep in direct_dependencies(templates, name):
            dependents[dep].add(name)
    gone = {name for name in templates if name not in remaining}  # never created (or conditions false)
    failures: dict[str, ResourceFailed] = {}
    try:
        for _attempt in range(2):  # a second pass for what failed while others went
            progress = False
            for name in remaining:
                if name in gone or any(d not in gone for d in dependents[name]):
                    continue  # already deleted, or still needed by a resource that is not
                try:
                    self._delete_resource(self._parsed_resources.get(name), templates[name])
                except Exception as exc:
                    failures[name] = ResourceFailed(name, templates[name].get("Type", "?"), exc)
                else:
                    self._parsed_resources.pop(name, None)
                    gone.add(name)
                    failures.pop(name, None)
                    progress = True
            if all(name in gone for name in remaining) or not progress:
                break
        if failures:
            raise next(iter(failures.values()))
    finally:
        # moto's ResourceMap creates any template resource it is asked for
        # and does not hold (describe_stack_resources of a deleted or
        # DELETE_FAILED stack re-created everything): forget what is gone.
        self._resource_json_map = {k: v for k, v in templates.items() if k not in gone}


def _add_resource_event(stack: Any, failure: BaseException, status: str) -> None:
    logical_id = getattr(failure, "logical_id", stack.name)
    resource_type = getattr(failure, "resource_type", "AWS::CloudFormation::Stack")
    cause = getattr(failure, "cause", failure)
    reason = f"{type(cause).__name__}: {cause}"
    stack.events.append(
        cfn_models.Event(
            stack_id=stack.stack_id,
            stack_name=stack.name,
            logical_resource_id=logical_id,
            physical_resource_id="",
            resource_type=resource_type,
            resource_status=status,
            resource_status_reason=reason,
            resource_properties=None,
        )
    )
    logger.warning("stack %s: %s %s: %s", stack.name, logical_id, status, reason, exc_info=cause)


def _rollback_create(stack: Any, failure: BaseException) -> None:
    _add_resource_event(stack, failure, "CREATE_FAILED")
    stack._add_stack_event("ROLLBACK_IN_PROGRESS", resource_status_reason="The following resource(s) failed to create")
    stack.resource_map._webstack_create_rollback = True
    try:
        stack.resource_map.delete()
    except Exception as exc:
        logger.warning("rollback of %s incomplete: %s", stack.name, exc)
    # moto's resource map creates resources lazily on any lookup (even
    # describe_stack_resources): forget the template so nothing comes back.
    stack.resource_map._resource_json_map = {}
    stack.resource_map._parsed_resources = {
        k: v for k, v in stack.resource_map._parsed_resources.items() if k.startswith("AWS::")
    }
    stack._add_stack_event("ROLLBACK_COMPLETE")
    stack.status = "ROLLBACK_COMPLETE"


def _safe_execute_change_set(original: Any) -> Any:
    def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
        change_set = self.change_sets.get(change_set_name)
        if change_set is None:
            change_set = next(
                (
                    cs
                    for cs in self.change_sets.values()
                    if cs.change_set_name == change_set_name
                    and (stack_name is None or cs.stack_name == stack_name or cs.stack_id == stack_name)
                ),
                None,
            )
        if change_set is None:
            return original(self, change_set_name, stack_name)
        stack = self.stacks[change_set.stack_id]
        # Fn::ImportValue resolves against the region's exports; moto gives
        # change-set stacks an empty export map.
        stack.resource_map.cross_stack_resources = self.exports
        stack.cross_stack_resources = self.exports
        try:
            original(self, change_set.change_set_id, stack_name)
        except Exception as exc:
            change_set.execution_status = "EXECUTE_FAILED"
            change_set.status_reason = str(exc)
            if change_set.change_set_type == "CREATE":
                _rollback_create(stack, exc)
            else:
                # No real rollback: resources changed before the failure keep
                # their new state. Good enough to report and redeploy.
                _add_resource_event(stack, exc, "UPDATE_FAILED")
                stack._add_stack_event("UPDATE_ROLLBACK_IN_PROGRESS", resource_status_reason=str(exc))
                stack._add_stack_event("UPDATE_ROLLBACK_COMPLETE")
                stack.status = "UPDATE_ROLLBACK_COMPLETE"
            return None
        _refresh_outputs(self, stack)
        for cs_id in [i for i, cs in self.change_sets.items() if cs.stack_id == stack.stack_id]:
            del self.change_sets[cs_id]  # AWS removes a stack's change sets once one is executed
        return None

    execute_change_set.__wrapped__ = original  # type: ignore[attr-defined]
    return execute_change_set


def _refresh_outputs(backend: Any, stack: Any) -> None:
    """moto builds outputs and exports only in create_stack/update_stack; a
    change set leaves the stack without Outputs and its exports unpublished
    (so a later stack's Fn::ImportValue fails). Rebuild both."""
    stack._parse_template()
    stack.description = stack.template_dict.get("Description")
    stack.output_map = stack._create_output_map()
    for name in [n for n, e in backend.exports.items() if e.exporting_stack_id == stack.stack_id]:
        del backend.exports[name]
    for export in stack.exports:
        if export.name in backend.exports:
            raise ValueError(f"Export with name {export.name} is already exported by another stack")
        backend.exports[export.name] = export


def _safe_delete_stack(original: Any) -> Any:
    """A resource that cannot be deleted (a non-empty bucket) leaves the
    stack in DELETE_FAILED with the reason, as in AWS, instead of an HTTP
    500 and a stack that is half gone."""

    def delete_stack(self: Any, name_or_stack_id: str) -> None:
        stacks = [s for s in self.stacks.values() if name_or_stack_id in (s.stack_id, s.name)]
        for stack in stacks:
            if stack.enable_termination_protection:
                raise cfn_exceptions.ValidationError(
                    message=f"Stack [{stack.name}] cannot be deleted while TerminationProtection is enabled"
                )
        for stack in stacks:
            stack.stack_status_reason = None
            try:
                original(self, stack.stack_id)
            except Exception as exc:
                self.deleted_stacks.pop(stack.stack_id, None)
                self.stacks[stack.stack_id] = stack
                for export in stack.exports:
                    self.exports.setdefault(export.name, export)
                _add_resource_event(stack, exc, "DELETE_FAILED")
                reason = (
                    f"The following resource(s) failed to delete: [{getattr(exc, 'logical_id', '?')}]. "
                    f"{getattr(exc, 'cause', exc)}"
                )
                stack._add_stack_event("DELETE_FAILED", resource_status_reason=reason)
                stack.status = "DELETE_FAILED"
                stack.stack_status_reason = reason
        if not stacks:
            original(self, name_or_stack_id)

    delete_stack.__wrapped__ = original  # type: ignore[attr-defined]
    return delete_stack


def _safe_create_resources(original: Any) -> Any:
    def create_resources(self: Any) -> None:
        try:
            original(self)
        except Exception as exc:
            _rollback_create(self, exc)

    create_resources.__wrapped__ = original  # type: ignore[attr-defined]
    return create_resources


_DYNAMIC_REF = re.compile(r"\{\{resolve:(ssm|ssm-secure|secretsmanager):([^}]*)\}\}")


def resolve_dynamic_references(text: str, account_id: str, region_name: str) -> str:
    """CloudFormation dynamic references, which moto leaves as literal text:
    ``{{resolve:ssm:name[:version]}}`` and
    ``{{resolve:secretsmanager:id[:SecretString[:json-key[:stage[:version]]]]}}``."""
    import json as _json

    from moto.secretsmanager.models import secretsmanager_backends
    from moto.ssm.models import ssm_backends

    def repl(m: re.Match[str]) -> str:
        service, ref = m.group(1), m.group(2)
        if service.startswith("ssm"):
            name = ref.split(":")[0] if not ref.startswith("arn:") else ref
            param = ssm_backends[account_id][region_name].get_parameter(name)
            if param is None:
                raise ValueError(f"SSM parameter {name} referenced by a dynamic reference does not exist")
            return str(param.value)
        parts = ref.split(":")
        if ref.startswith("arn:"):
            secret_id, rest = ":".join(parts[:7]), parts[7:]
        else:
            secret_id, rest = parts[0], parts[1:]
        json_key = rest[1] if len(rest) > 1 and rest[1] else None
        stage = rest[2] if len(rest) > 2 and rest[2] else None
        version = rest[3] if len(rest) > 3 and rest[3] else None
        value = secretsmanager_backends[account_id][region_name].get_secret_value(secret_id, version, stage)
        secret = value.get("SecretString")
        return str(_json.loads(secret)[json_key]) if json_key else str(secret)

    return _DYNAMIC_REF.sub(repl, text)


class StackOutputNotFound(Exception):
    """Fn::GetStackOutput names a stack or output that does not exist."""


# stack states in which another stack's outputs can be read
_READABLE_STATES = (
    "CREATE_COMPLETE",
    "UPDATE_COMPLETE",
    "UPDATE_ROLLBACK_COMPLETE",
    "IMPORT_COMPLETE",
    "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
    "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
)


def get_stack_output(spec: Any, account_id: str) -> Any:
    """Value of ``Fn::GetStackOutput`` (arguments already resolved)."""
    if not isinstance(spec, dict) or not spec.get("StackName") or not spec.get("OutputName"):
        raise ValueError(f"Fn::GetStackOutput needs StackName and OutputName, got {spec!r}")
    stack_name, output_name = str(spec["StackName"]), str(spec["OutputName"])
    region = str(spec.get("Region") or "")
    role_arn = str(spec.get("RoleArn") or "")
    if role_arn.startswith("arn:") and len(role_arn.split(":")) > 4 and role_arn.split(":")[4]:
        account_id = role_arn.split(":")[4]
    if not region:
        raise ValueError("Fn::GetStackOutput: Region is required")
    backend = cfn_models.cloudformation_backends[account_id][region]
    stack = next(
        (s for s in backend.stacks.values() if stack_name in (s.name, s.stack_id) and s.status in _READABLE_STATES),
        None,
    )
    if stack is None:
        raise StackOutputNotFound(
            f"Fn::GetStackOutput: stack {stack_name} does not exist in {account_id}/{region}"
            " (or is not in a *_COMPLETE state)"
        )
    outputs = stack.output_map
    if output_name not in (outputs._output_json_map or {}):
        raise StackOutputNotFound(f"Fn::GetStackOutput: stack {stack_name} ({region}) has no output {output_name}")
    output = outputs[output_name]
    if output is None:
        raise StackOutputNotFound(
            f"Fn::GetStackOutput: output {output_name} of stack {stack_name} ({region}) has no value"
        )
    return output.value


def _resolving_clean_json(original: Any) -> Any:
    def clean_json(resource_json: Any, resources_map: Any) -> Any:
        # moto's clean_json recurses through the module global, i.e. through
        # this wrapper, so nested occurrences (lists, Fn::Join...) land here.
        if isinstance(resource_json, dict) and "Fn::GetStackOutput" in resource_json:
            spec = clean_json(resource_json["Fn::GetStackOutput"], resources_map)
            account_id = getattr(resources_map, "_account_id", None) or "123456789012"
            return get_stack_output(spec, account_id)
        result = original(resource_json, resources_map)
        if isinstance(result, str) and "{{resolve:" in result and hasattr(resources_map, "_account_id"):
            return resolve_dynamic_references(result, resources_map._account_id, resources_map._region_name)
        return result

    clean_json.__wrapped__ = original  # type: ignore[attr-defined]
    return clean_json


def _stack_parameters(self: Any) -> dict[str, Any]:
    resource_map = self.resource_map
    values = dict(resource_map.resolved_parameters)
    slots = (getattr(resource_map, "_template", None) or {}).get("Parameters") or {}
    for key, slot in slots.items():
        if str(slot.get("Type", "")).startswith("AWS::SSM::Parameter::"):
            raw = (resource_map.input_parameters or {}).get(key, slot.get("Default"))
            if raw is not None:
                values[key] = raw
    return values


def _parameter_list(self: Any) -> list[dict[str, Any]]:
    resource_map = self.resource_map
    raw = _stack_parameters(self)
    hidden = set(getattr(resource_map, "no_echo_parameter_keys", []) or [])
    result = []
    for key, resolved in resource_map.resolved_parameters.items():
        entry = {"ParameterKey": key, "ParameterValue": "****" if key in hidden else raw.get(key, resolved)}
        if raw.get(key, resolved) != resolved and key not in hidden:
            entry["ResolvedValue"] = ",".join(resolved) if isinstance(resolved, list) else resolved
        result.append(entry)
    return result


def _has_parameters(self: Any, other_parameters: dict[str, Any]) -> bool:
    resource_map = self.resource_map
    previous = _stack_parameters(self)
    slots = (getattr(resource_map, "_template", None) or {}).get("Parameters") or {}
    for key, slot in slots.items():
        new = (other_parameters or {}).get(key, slot.get("Default"))
        if new != previous.get(key):
            return False
        if str(slot.get("Type", "")).startswith("AWS::SSM::Parameter::Value") and new is not None:
            try:
                current = resource_map.parse_ssm_parameter(new, slot["Type"])
            except Exception:
                return False
            if current != resource_map.resolved_parameters.get(key):
                return False
    return set(other_parameters or {}) <= set(slots)


def _create_change_set_response(original: Any) -> Any:
    def create_change_set(self: Any) -> Any:
        self._validate_different_update = lambda *args, **kwargs: None  # UpdateStack's rule only
        return original(self)

    create_change_set.__wrapped__ = original  # type: ignore[attr-defined]
    return create_change_set


def update_termination_protection(self: Any, name_or_stack_id: str, enabled: bool) -> Any:
    stack = self.get_stack(name_or_stack_id)
    if stack.status == "DELETE_COMPLETE":
        raise cfn_exceptions.ValidationError(name_or_stack_id)
    stack.enable_termination_protection = bool(enabled)
    return stack


def delete_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
    if change_set_name in self.change_sets:  # an ARN
        del self.change_sets[change_set_name]
        return
    matches = [
        cs_id
        for cs_id, cs in self.change_sets.items()
        if cs.change_set_name == change_set_name and (not stack_name or stack_name in (cs.stack_name, cs.stack_id))
    ]
    for cs_id in matches:
        del self.change_sets[cs_id]
    if matches:
        return
    if stack_name:
        self.get_stack(stack_name)  # ValidationError "Stack with id ... does not exist"
        return
    raise ChangeSetNotFound(f"ChangeSet [{change_set_name}] does not exist")


class ChangeSetNotFound(cfn_exceptions.CloudFormationError):
    code = "ChangeSetNotFoundException"  # wire code ChangeSetNotFound, HTTP 404 (from the model)


def describe_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> Any:
    if change_set_name in self.change_sets:  # an ARN
        return self.change_sets[change_set_name]
    for change_set in self.change_sets.values():
        if change_set.change_set_name == change_set_name and (
            not stack_name or stack_name in (change_set.stack_name, change_set.stack_id)
        ):
            return change_set
    raise ChangeSetNotFound(f"ChangeSet [{change_set_name}] does not exist")


def _describe_change_set_response(self: Any) -> Any:
    from moto.core.responses import ActionResult

    return ActionResult(
        self.cloudformation_backend.describe_change_set(self._get_param("ChangeSetName"), self._get_param("StackName"))
    )


def _list_change_sets_response(self: Any) -> Any:
    from moto.core.responses import ActionResult

    stack_name = self._get_param("StackName")
    change_sets = [
        cs
        for cs in self.cloudformation_backend.list_change_sets()
        if not stack_name or stack_name in (cs.stack_name, cs.stack_id)
    ]
    return ActionResult({"Summaries": change_sets})


def _delete_change_set_response(self: Any) -> Any:
    from moto.core.responses import EmptyResult

    self.cloudformation_backend.delete_change_set(self._get_param("ChangeSetName"), self._get_param("StackName"))
    return EmptyResult()


def _update_termination_protection_response(self: Any) -> Any:
    from moto.core.responses import ActionResult

    enabled = str(self._get_param("EnableTerminationProtection")).lower() == "true"
    stack = self.cloudformation_backend.update_termination_protection(self._get_param("StackName"), enabled)
    return ActionResult({"StackId": stack.stack_id})


def install() -> None:
    global _installed
    if _installed:
        return
    parsing.clean_json = _resolving_clean_json(parsing.clean_json)
    parsing.resource_class_from_type = _route_custom(parsing.resource_class_from_type)
    parsing.parse_and_create_resource = _annotate_failures(parsing.parse_and_create_resource)
    parsing.parse_and_update_resource = _update_or_replace(_annotate_failures(parsing.parse_and_update_resource))
    parsing.ResourceMap.build_resource_diff = _ordered_diff(parsing.ResourceMap.build_resource_diff)
    global _original_delete_resource
    _original_delete_resource = parsing.ResourceMap._delete_resource
    parsing.ResourceMap._delete_resource = _policy_delete_resource
    parsing.ResourceMap.delete = _ordered_delete
    cfn_models.CloudFormationBackend.execute_change_set = _safe_execute_change_set(
        cfn_models.CloudFormationBackend.execute_change_set
    )
    cfn_models.CloudFormationBackend.delete_stack = _safe_delete_stack(cfn_models.CloudFormationBackend.delete_stack)
    cfn_models.Stack.create_resources = _safe_create_resources(cfn_models.Stack.create_resources)
    if hasattr(cfn_responses.CloudFormationResponse, "update_termination_protection"):
        raise RuntimeError("moto now implements UpdateTerminationProtection: drop our version")
    cfn_models.CloudFormationBackend.update_termination_protection = update_termination_protection
    cfn_responses.CloudFormationResponse.update_termination_protection = _update_termination_protection_response
    cfn_models.CloudFormationBackend.delete_change_set = delete_change_set
    if not isinstance(cfn_models.Stack.__dict__.get("stack_parameters"), property):
        raise RuntimeError("moto's Stack.stack_parameters is no longer a property: check _stack_parameters")
    cfn_models.Stack.stack_parameters = property(_stack_parameters)  # type: ignore[assignment]
    cfn_models.Stack.parameter_list = property(_parameter_list)  # type: ignore[assignment]
    cfn_models.Stack.has_parameters = _has_parameters  # type: ignore[method-assign]
    cfn_responses.CloudFormationResponse.create_change_set = _create_change_set_response(
        cfn_responses.CloudFormationResponse.create_change_set
    )
    cfn_models.CloudFormationBackend.describe_change_set = describe_change_set
    cfn_responses.CloudFormationResponse.describe_change_set = _describe_change_set_response
    cfn_responses.CloudFormationResponse.list_change_sets = _list_change_sets_response
    cfn_responses.CloudFormationResponse.delete_change_set = _delete_change_set_response
    _installed = True
