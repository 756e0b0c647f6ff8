"""Every case of the mutation corpus ends the way CloudFormation ends it."""

from __future__ import annotations

import copy
import itertools
import json
import os
from typing import Any

import pytest
from botocore.exceptions import ClientError

from .cases import CONTROLS, DEV_MUTATIONS, ERRORS, Accepted, Case, Deploys, DevMutation, Fails, Refused

_names = itertools.count()

# The reasons validation gives (validation/errors.py), as the events show them.
_VALIDATION_FAILURES = ("PropertiesValidationFailed:", "InvalidRequest:")


def _stack_name(case: str) -> str:
    return f"mut-{case}-{next(_names)}-{os.getpid()}"[:128]


def _create_change_set(cfn: Any, name: str, template: dict[str, Any], parameters: dict[str, str]) -> dict[str, Any]:
    return cfn.create_change_set(
        StackName=name,
        ChangeSetName="mutation",
        TemplateBody=json.dumps(template),
        ChangeSetType="CREATE",
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
    )


def _assert_refused(cfn: Any, name: str, template: dict[str, Any], message: str, parameters: dict[str, str]) -> None:
    with pytest.raises(ClientError) as refused:
        _create_change_set(cfn, name, template, parameters)
    error = refused.value.response
    assert error["Error"]["Code"] == "ValidationError"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert message in error["Error"]["Message"]
    with pytest.raises(ClientError, match="does not exist"):
        cfn.describe_stacks(StackName=name)


def _failures(cfn: Any, name: str) -> dict[str, str]:
    events = cfn.describe_stack_events(StackName=name)["StackEvents"]
    return {
        e["LogicalResourceId"]: e.get("ResourceStatusReason", "")
        for e in events
        if e["ResourceStatus"] == "CREATE_FAILED"
    }


def _run(cfn: Any, case: Case) -> None:
    name = _stack_name(case.name)
    if isinstance(case.expect, Refused):
        _assert_refused(cfn, name, case.template, case.expect.message, case.parameters)
        return
    change_set = _create_change_set(cfn, name, case.template, case.parameters)
    cfn.execute_change_set(ChangeSetName=change_set["Id"], StackName=name)
    status = cfn.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]
    failures = _failures(cfn, name)
    if isinstance(case.expect, Deploys):
        assert status == "CREATE_COMPLETE", failures
        return
    if isinstance(case.expect, Accepted):
        assert not [r for r in failures.values() if r.startswith(_VALIDATION_FAILURES)], failures
        return
    assert isinstance(case.expect, Fails)
    assert status == "ROLLBACK_COMPLETE", failures
    assert case.expect.resource in failures, failures
    assert case.expect.reason in failures[case.expect.resource], failures


def test_corpus_size():
    assert len(ERRORS) + len(DEV_MUTATIONS) >= 30
    assert len([c for c in CONTROLS if isinstance(c.expect, Deploys)]) >= 8
    assert len({c.name for c in ERRORS + CONTROLS} | {m.name for m in DEV_MUTATIONS}) == (
        len(ERRORS) + len(CONTROLS) + len(DEV_MUTATIONS)
    )


@pytest.mark.parametrize("case", ERRORS, ids=lambda c: c.name)
def test_cloudformation_error(case: Case, aws):
    _run(aws("cloudformation"), case)


@pytest.mark.parametrize("case", CONTROLS, ids=lambda c: c.name)
def test_benign_control(case: Case, aws):
    _run(aws("cloudformation"), case)


@pytest.fixture(scope="module")
def dev_web(dev) -> tuple[dict[str, Any], str]:
    """The real dev web stack's template (synthesized once per session) and its region."""
    return dev.web.to_json(), dev.config.region


def test_dev_template_accepted(dev_web, aws):
    """The unchanged template passes CreateChangeSet (tests/integration deploys it)."""
    template, region = dev_web
    cfn = aws("cloudformation", region)
    name = _stack_name("dev-accepted")
    change_set = _create_change_set(cfn, name, template, {})
    described = cfn.describe_change_set(ChangeSetName=change_set["Id"], StackName=name)
    assert described["Status"] == "CREATE_COMPLETE", described.get("StatusReason")
    cfn.delete_change_set(ChangeSetName=change_set["Id"], StackName=name)


@pytest.mark.parametrize("mutation", DEV_MUTATIONS, ids=lambda m: m.name)
def test_dev_template_mutation_refused(mutation: DevMutation, dev_web, aws):
    template = mutation.mutate(copy.deepcopy(dev_web[0]))
    cfn = aws("cloudformation", dev_web[1])
    _assert_refused(cfn, _stack_name(mutation.name), template, mutation.message(template), {})
