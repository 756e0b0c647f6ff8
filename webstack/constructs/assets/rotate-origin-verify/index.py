"""Secrets Manager rotation for webstack's origin-verify header value.

The value lives in two places besides the secret: CloudFront adds it to every
request to the ALB origin (an origin custom header), and the ALB's listener
rule forwards only requests that carry it (an ``http-header`` condition; the
default action answers 403). A rotation switches both without a moment in
which CloudFront sends a value the ALB refuses:

* ``createSecret``: a new value in ``AWSPENDING`` (a retried token keeps the
  value it already has).
* ``setSecret``: first the ALB rule accepts BOTH the current and the pending
  value -- an ``http-header`` condition with several values matches when the
  header equals any of them
  (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html,
  "If one of the strings matches the value of the HTTP header, the condition
  is satisfied"; up to three values per condition) -- then CloudFront's origin
  header switches to the pending value (GetDistributionConfig, then
  UpdateDistribution with the ETag as IfMatch:
  https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_UpdateDistribution.html).
  In this order every edge location sends a value the ALB accepts, whether it
  already has the new configuration or not.
* ``testSecret``: the distribution's configuration sends the pending value and
  the rule accepts it.
* ``finishSecret``: ``AWSCURRENT`` moves to the new version, ``AWSPENDING`` is
  removed from it; then the rule is narrowed to the new value only -- but only
  once CloudFront no longer sends the old one: the distribution's ``Status`` is
  ``Deployed`` (every edge location has the configuration; while it is
  ``InProgress`` some still send the old value) and its configuration sends the
  new value. Otherwise the rule keeps both values and this is logged: the next
  rotation's setSecret writes [current, pending] and so drops it, and so does
  the next deploy that updates the rule (it resolves AWSCURRENT). The old value
  stays accepted no longer than one rotation period.

Environment: ``DISTRIBUTION_ID``, ``LISTENER_RULE_ARN``, ``HEADER_NAME``,
``VALUE_LENGTH``. No value is ever logged.
https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda-functions.html
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from typing import Any

import boto3

LOG = logging.getLogger()
LOG.setLevel(logging.INFO)

VALUE_FIELD = "value"
DEPLOYED = "Deployed"


def _settings() -> dict[str, Any]:
    return {
        "distribution_id": os.environ["DISTRIBUTION_ID"],
        "rule_arn": os.environ["LISTENER_RULE_ARN"],
        "header": os.environ["HEADER_NAME"],
        "length": int(os.environ.get("VALUE_LENGTH", "48")),
    }


def handler(event, _context, clients: Callable[[str], Any] | None = None):
    """``clients(service)`` makes a boto3 client (default: ``boto3.client``, the function's role)."""
    make = clients or boto3.client
    sm = make("secretsmanager")
    arn, token, step = event["SecretId"], event["ClientRequestToken"], event["Step"]

    metadata = sm.describe_secret(SecretId=arn)
    if not metadata.get("RotationEnabled"):
        raise ValueError(f"rotation is not enabled for {arn}")
    stages = metadata.get("VersionIdsToStages", {})
    if token not in stages:
        raise ValueError(f"version {token} has no stage for rotation of {arn}")
    if "AWSCURRENT" in stages[token]:
        LOG.info("version %s is already AWSCURRENT", token)
        return
    if "AWSPENDING" not in stages[token]:
        raise ValueError(f"version {token} is not AWSPENDING for {arn}")

    steps = {
        "createSecret": create_secret,
        "setSecret": set_secret,
        "testSecret": test_secret,
        "finishSecret": finish_secret,
    }
    if step not in steps:
        raise ValueError(f"unknown rotation step {step}")
    steps[step](Targets(make, sm, _settings()), arn, token)


class Targets:
    """The secret, the listener rule and the distribution, as this function's role sees them."""

    def __init__(self, make: Callable[[str], Any], sm: Any, settings: dict[str, Any]) -> None:
        self.sm = sm
        self.elbv2 = make("elbv2")
        self.cloudfront = make("cloudfront")
        self.distribution_id = settings["distribution_id"]
        self.rule_arn = settings["rule_arn"]
        self.header = settings["header"]
        self.length = settings["length"]

    # -- the secret --------------------------------------------------------
    def value(self, arn: str, **which: str) -> str:
        secret = json.loads(self.sm.get_secret_value(SecretId=arn, **which)["SecretString"])
        return str(secret[VALUE_FIELD])

    # -- the listener rule -------------------------------------------------
    def _rule(self) -> dict[str, Any]:
        (rule,) = self.elbv2.describe_rules(RuleArns=[self.rule_arn])["Rules"]
        return rule

    def _is_ours(self, condition: dict[str, Any]) -> bool:
        config = condition.get("HttpHeaderConfig") or {}
        return condition.get("Field") == "http-header" and (
            str(config.get("HttpHeaderName", "")).lower() == self.header.lower()
        )

    def accepted(self) -> list[str]:
        """The values the rule's origin-verify condition accepts."""
        conditions = [c for c in self._rule().get("Conditions", []) if self._is_ours(c)]
        if len(conditions) != 1:
            raise ValueError(f"listener rule {self.rule_arn} has no single http-header condition on {self.header}")
        return list(conditions[0]["HttpHeaderConfig"].get("Values", []))

    def accept(self, values: list[str]) -> None:
        """Make the rule's origin-verify condition accept exactly ``values`` (other conditions kept)."""
        unique = list(dict.fromkeys(values))
        ours = {"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": self.header, "Values": unique}}
        conditions = [ours if self._is_ours(c) else c for c in self._rule().get("Conditions", [])]
        self.elbv2.modify_rule(RuleArn=self.rule_arn, Conditions=conditions)

    # -- the distribution --------------------------------------------------
    def _headers(self, config: dict[str, Any]) -> list[dict[str, Any]]:
        """The origin custom headers named ``header``, of every origin that sends one."""
        found = []
        for origin in (config.get("Origins") or {}).get("Items") or []:
            for item in (origin.get("CustomHeaders") or {}).get("Items") or []:
                if str(item.get("HeaderName", "")).lower() == self.header.lower():
                    found.append(item)
        if not found:
            raise ValueError(f"distribution {self.distribution_id} has no origin sending {self.header}")
        return found

    def sent(self) -> set[str]:
        """The values the distribution's configuration sends."""
        config = self.cloudfront.get_distribution_config(Id=self.distribution_id)["DistributionConfig"]
        return {str(item["HeaderValue"]) for item in self._headers(config)}

    def send(self, value: str) -> None:
        answer = self.cloudfront.get_distribution_config(Id=self.distribution_id)
        config = answer["DistributionConfig"]
        headers = self._headers(config)
        if all(item["HeaderValue"] == value for item in headers):
            LOG.info("the distribution already sends the pending value")
            return
        for item in headers:
            item["HeaderValue"] = value
        self.cloudfront.update_distribution(Id=self.distribution_id, IfMatch=answer["ETag"], DistributionConfig=config)

    def deployed(self) -> bool:
        status = self.cloudfront.get_distribution(Id=self.distribution_id)["Distribution"]["Status"]
        return status == DEPLOYED


def create_secret(targets: Targets, arn: str, token: str) -> None:
    sm = targets.sm
    current = json.loads(sm.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")["SecretString"])
    try:
        sm.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
        LOG.info("createSecret: pending version %s already exists", token)
        return
    except sm.exceptions.ResourceNotFoundException:
        pass
    current[VALUE_FIELD] = sm.get_random_password(PasswordLength=targets.length, ExcludePunctuation=True)[
        "RandomPassword"
    ]
    sm.put_secret_value(
        SecretId=arn, ClientRequestToken=token, SecretString=json.dumps(current), VersionStages=["AWSPENDING"]
    )
    LOG.info("createSecret: stored pending version %s", token)  # never the value


def set_secret(targets: Targets, arn: str, token: str) -> None:
    current = targets.value(arn, VersionStage="AWSCURRENT")
    pending = targets.value(arn, VersionId=token, VersionStage="AWSPENDING")
    # The ALB first: from here on it accepts what any edge location sends.
    targets.accept([current, pending])
    targets.send(pending)
    LOG.info("setSecret: the rule accepts both values, the distribution sends version %s", token)


def test_secret(targets: Targets, arn: str, token: str) -> None:
    pending = targets.value(arn, VersionId=token, VersionStage="AWSPENDING")
    if targets.sent() != {pending}:
        raise ValueError(f"distribution {targets.distribution_id} does not send pending version {token}")
    if pending not in targets.accepted():
        raise ValueError(f"listener rule {targets.rule_arn} does not accept pending version {token}")


def finish_secret(targets: Targets, arn: str, token: str) -> None:
    """Move AWSCURRENT to ``token`` and take AWSPENDING off it (as AWS's
    rotation template does: aws-samples/aws-secrets-manager-rotation-lambdas,
    SecretsManagerRotationTemplate/lambda_function.py), then drop the old
    value from the rule if CloudFront no longer sends it."""
    sm = targets.sm
    new = targets.value(arn, VersionId=token, VersionStage="AWSPENDING")
    stages = sm.describe_secret(SecretId=arn)["VersionIdsToStages"]
    current = next((version for version, names in stages.items() if "AWSCURRENT" in names), None)
    sm.update_secret_version_stage(
        SecretId=arn, VersionStage="AWSCURRENT", MoveToVersionId=token, RemoveFromVersionId=current
    )
    sm.update_secret_version_stage(SecretId=arn, VersionStage="AWSPENDING", RemoveFromVersionId=token)
    LOG.info("finishSecret: version %s is now AWSCURRENT", token)
    if targets.deployed() and targets.sent() == {new}:
        targets.accept([new])
        LOG.info("finishSecret: the rule accepts the new value only")
    else:
        LOG.info(
            "finishSecret: the distribution is not Deployed with the new value yet; the rule keeps both values "
            "until the next rotation's setSecret (or a deploy) narrows it"
        )
