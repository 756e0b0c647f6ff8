"""RotateSecret runs the origin-verify rotation function as deployed: the dev web
stack's rotation schedule and everything it references (function, role and
policy, Lambda permission, the secret and its key, the listener rule with its
load balancer, the distribution) deployed to the emulator, and the function's
own handler registered for its ARN -- so Secrets Manager invokes the four steps
itself, with the function's configured environment and its execution role's
credentials, and every Secrets Manager, ELB and CloudFront call is authorized
against the deployed role (webstack_emulator/rotation.py, role_calls.py).

The function's code is the asset's ``index.py``, inlined as ``ZipFile`` (the
emulator has no CDK asset bucket and runs no function code either way: the
registered handler is that same file).
"""

from __future__ import annotations

import importlib.util
import json
import os
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.emulator.conftest import client_as
from tests.synth import cached_synth
from webstack_emulator import rotation
from webstack_pitfalls.template import all_refs

pytestmark = pytest.mark.usefixtures("forget_dashboard_models")

REGION = "us-west-2"  # the dev environment's region (its templates name it literally)
HANDLER_FILE = Path(__file__).resolve().parents[2] / "webstack/constructs/assets/rotate-origin-verify/index.py"


def _closure(resources: dict[str, Any], *start: str) -> dict[str, Any]:
    """``start`` and every resource it references, transitively (DependsOn included)."""
    found: dict[str, Any] = {}
    todo = list(start)
    while todo:
        lid = todo.pop()
        if lid in found or lid not in resources:
            continue
        found[lid] = resources[lid]
        todo += list(all_refs(resources[lid].get("Properties") or {}))
        depends = resources[lid].get("DependsOn") or []
        todo += [depends] if isinstance(depends, str) else list(depends)
    return found


@cache
def _template() -> str:
    resources = json.loads(json.dumps(cached_synth("dev").web.to_json()["Resources"]))
    (schedule,) = [
        k
        for k, v in resources.items()
        if v["Type"] == "AWS::SecretsManager::RotationSchedule" and k.startswith("SecretsOriginVerify")
    ]
    closure = _closure(resources, schedule)
    # In the synthesized template's order: this emulator's CreateStack creates resources in
    # template order and does not wait for DependsOn (the load balancer, created before the
    # log bucket's policy it depends on, is refused its access logs); the whole template's
    # order happens to respect it.
    deployed = {lid: resource for lid, resource in resources.items() if lid in closure}
    function_id = deployed[schedule]["Properties"]["RotationLambdaARN"]["Fn::GetAtt"][0]
    deployed[function_id]["Properties"]["Code"] = {"ZipFile": HANDLER_FILE.read_text()}
    variables = deployed[function_id]["Properties"]["Environment"]["Variables"]
    outputs = {
        "Function": {"Fn::GetAtt": [function_id, "Arn"]},
        "Secret": deployed[schedule]["Properties"]["SecretId"],
        "Distribution": variables["DISTRIBUTION_ID"],
        "Rule": variables["LISTENER_RULE_ARN"],
    }
    return json.dumps({"Resources": deployed, "Outputs": {k: {"Value": v} for k, v in outputs.items()}})


@pytest.fixture(scope="module")
def deployed(aws) -> dict[str, str]:
    cfn = aws("cloudformation", REGION)
    suffix = uuid.uuid4().hex[:8]
    template = json.loads(_template())
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::KMS::Alias":  # alias names are per account: one per deployment
            resource["Properties"]["AliasName"] += f"-{suffix}"
    name = f"origin-verify-rotation-{suffix}"
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template), Capabilities=["CAPABILITY_IAM"])
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    return {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}


def _module() -> Any:
    spec = importlib.util.spec_from_file_location("webstack_rotate_origin_verify", HANDLER_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def as_lambda(emulator, deployed) -> Iterator[None]:
    """The function's handler, registered for its ARN: run with its environment, as its role."""
    module = _module()

    def handler(event: dict[str, Any], context: Any) -> Any:
        saved = dict(os.environ)
        os.environ.update(context.environment)
        try:
            return module.handler(
                event,
                context,
                clients=lambda service: client_as(emulator, service, context.region, context.credentials),
            )
        finally:
            os.environ.clear()
            os.environ.update(saved)

    rotation.register_handler(deployed["Function"], handler)
    yield
    rotation.unregister_handler(deployed["Function"])


def _value(aws, secret: str, **which: str) -> str:
    return json.loads(aws("secretsmanager", REGION).get_secret_value(SecretId=secret, **which)["SecretString"])["value"]


def _sent(aws, distribution: str) -> list[str]:
    config = aws("cloudfront").get_distribution_config(Id=distribution)["DistributionConfig"]
    return [
        h["HeaderValue"]
        for o in config["Origins"]["Items"]
        for h in (o.get("CustomHeaders") or {}).get("Items") or []
        if h["HeaderName"] == "X-Origin-Verify"
    ]


def _accepted(aws, rule: str) -> list[str]:
    (found,) = aws("elbv2", REGION).describe_rules(RuleArns=[rule])["Rules"]
    (header,) = [c for c in found["Conditions"] if c["Field"] == "http-header"]
    return list(header["HttpHeaderConfig"]["Values"])


def test_rotate_secret_runs_the_four_steps_as_the_function_twice(aws, deployed, as_lambda):
    sm = aws("secretsmanager", REGION)
    secret = deployed["Secret"]
    values = [_value(aws, secret)]
    assert _sent(aws, deployed["Distribution"]) == values == _accepted(aws, deployed["Rule"])
    for _ in range(2):
        token = sm.rotate_secret(SecretId=secret)["VersionId"]
        steps = [(o.step, o.status, o.error) for o in rotation.ROTATIONS.of(secret) if o.token == token]
        assert steps == [(step, "succeeded", "") for step in rotation.STEPS], steps
        values.append(_value(aws, secret))
        stages = {v: s for v, s in sm.describe_secret(SecretId=secret)["VersionIdsToStages"].items() if s}
        assert stages[token] == ["AWSCURRENT"]
        assert not [v for v, s in stages.items() if "AWSPENDING" in s]
        assert _sent(aws, deployed["Distribution"]) == [values[-1]]
        assert _accepted(aws, deployed["Rule"]) == [values[-1]]
    assert len(set(values)) == 3
