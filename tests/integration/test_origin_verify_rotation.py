"""The origin-verify header value rotates without downtime: dev (origin
protection on by default) deployed, its rotation function's handler played
as Lambda would run it -- with a session of the function's execution role and
the environment variables of its deployed configuration -- so every call is
authorized against the deployed role (webstack_emulator/rotation.py for
Secrets Manager, role_calls.py for ELB and CloudFront), and requests go
through the local edge (which reads the distribution's configuration at
request time) to the local ALB (which reads its listener rules at request
time).

No downtime is checked where a gap could open: after every step, and after
every call that changes the rule or the distribution inside a step (boto3
``after-call`` hooks on the function's own clients), a request through the
edge must answer 200 -- and while the switch is under way the ALB must accept
the old value too, because CloudFront's edge locations take minutes to get a
new configuration and send the old value until then.

Emulator only: it rotates the secret.
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from .helpers import local_data_plane, site_url

HANDLER_FILE = Path(__file__).resolve().parents[2] / "webstack/constructs/assets/rotate-origin-verify/index.py"
STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")
# The address the local edge connects from; the ALB's security group admits it as CloudFront's
# prefix list (webstack_emulator/dataplane/edge.py). A request from it with a wrong header
# is what another CloudFront distribution would send.
CLOUDFRONT_SOURCE = "127.0.0.2"
MUTATIONS = ("ModifyRule", "UpdateDistribution")


def _handler_module() -> Any:
    spec = importlib.util.spec_from_file_location("webstack_rotate_origin_verify", HANDLER_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=15) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as err:
        return int(err.code)


class Rotation:
    """The deployed secret, rule and distribution, and the function played as its role."""

    def __init__(self, aws: Callable[..., Any], deployed: Any, outputs: dict[str, str], secret_arn: str) -> None:
        self.aws = aws
        self.secret = secret_arn
        self.sm = aws("secretsmanager")
        function = self.sm.describe_secret(SecretId=secret_arn)["RotationLambdaARN"]
        configuration = aws("lambda").get_function_configuration(FunctionName=function)
        self.environment = configuration["Environment"]["Variables"]
        credentials = aws("sts").assume_role(RoleArn=configuration["Role"], RoleSessionName="rotation")["Credentials"]
        self._session = boto3.Session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            region_name=deployed.web_region,
        )
        self.endpoint = deployed.endpoint
        self.module = _handler_module()
        self.health = site_url(deployed.endpoint, outputs) + "api/health"
        self.alb_dns = outputs["LoadBalancerDNS"]
        self.probes: list[tuple[str, int]] = []  # (what just happened, edge status)

    # -- the function ------------------------------------------------------
    def _client(self, service: str) -> Any:
        client = self._session.client(service, endpoint_url=self.endpoint)
        for operation in MUTATIONS:
            client.meta.events.register(f"after-call.*.{operation}", self._probe_after(operation))
        return client

    def _probe_after(self, operation: str) -> Callable[..., None]:
        def probe(**_: Any) -> None:
            self.probes.append((f"after {operation}", _status(self.health)))

        return probe

    def step(self, token: str, step: str, monkeypatch: pytest.MonkeyPatch) -> None:
        with monkeypatch.context() as env:
            for name, value in self.environment.items():
                env.setenv(name, value)
            event = {"SecretId": self.secret, "ClientRequestToken": token, "Step": step}
            self.module.handler(event, None, clients=self._client)
        self.probes.append((f"after {step}", _status(self.health)))

    # -- what the test reads -------------------------------------------------
    def value(self, **which: str) -> str:
        return str(json.loads(self.sm.get_secret_value(SecretId=self.secret, **which)["SecretString"])["value"])

    def stages(self) -> dict[str, list[str]]:
        versions = self.sm.describe_secret(SecretId=self.secret)["VersionIdsToStages"]
        return {version: labels for version, labels in versions.items() if labels}

    def sent(self) -> list[str]:
        """What the distribution's configuration sends as the origin-verify header."""
        config = self.aws("cloudfront").get_distribution_config(Id=self.environment["DISTRIBUTION_ID"])
        return [
            header["HeaderValue"]
            for origin in config["DistributionConfig"]["Origins"]["Items"]
            for header in (origin.get("CustomHeaders") or {}).get("Items") or []
            if header["HeaderName"] == self.environment["HEADER_NAME"]
        ]

    def accepted(self) -> list[str]:
        (rule,) = self.aws("elbv2").describe_rules(RuleArns=[self.environment["LISTENER_RULE_ARN"]])["Rules"]
        (condition,) = [c for c in rule["Conditions"] if c["Field"] == "http-header"]
        return list(condition["HttpHeaderConfig"]["Values"])

    def direct(self, value: str) -> int:
        """A request straight to the ALB from CloudFront's address range, with ``value`` as the header."""
        listeners = [e for e in local_data_plane(self.endpoint)["listeners"] if e["dns_name"] == self.alb_dns]
        assert listeners, f"no local listener for {self.alb_dns}"
        port = int(listeners[0]["url"].rsplit(":", 1)[1].strip("/"))
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(CLOUDFRONT_SOURCE, 0))
        try:
            conn.request("GET", "/api/health", headers={"Host": self.alb_dns, self.environment["HEADER_NAME"]: value})
            return conn.getresponse().status
        finally:
            conn.close()


@pytest.fixture(scope="module")
def rotation(aws, deployed, outputs, web_resources) -> Iterator[Rotation]:
    if deployed.endpoint is None:
        pytest.skip("rotates the origin-verify value: runs against the emulator only")
    secrets = [
        r["PhysicalResourceId"]
        for r in web_resources
        if r["ResourceType"] == "AWS::SecretsManager::Secret"
        and r["LogicalResourceId"].startswith("SecretsOriginVerify")
    ]
    assert len(secrets) == 1, f"{deployed.env_name} has no origin-verify secret: is origin_protection.enabled on?"
    yield Rotation(aws, deployed, outputs, secrets[0])


def _rotate(rotation: Rotation, monkeypatch: pytest.MonkeyPatch, *, before_each: Callable[[str], None]) -> str:
    token = rotation.sm.rotate_secret(SecretId=rotation.secret)["VersionId"]
    for step in STEPS:
        before_each(step)
        rotation.step(token, step, monkeypatch)
        if step in ("setSecret", "testSecret"):
            # Mid-switch: edge locations without the new configuration still send the old value.
            old, new = rotation.value(), rotation.value(VersionId=token, VersionStage="AWSPENDING")
            assert (rotation.direct(old), rotation.direct(new)) == (200, 200), f"after {step}"
    return token


def test_two_rotations_switch_cloudfront_and_the_alb_without_downtime(rotation, monkeypatch):
    assert _status(rotation.health) == 200, "the site's API does not answer before any rotation"
    previous_version = rotation.sm.get_secret_value(SecretId=rotation.secret)["VersionId"]
    (previous,) = set(rotation.sent())
    assert rotation.value() == previous, "the distribution sends the secret's current value after deploy"
    for _ in range(2):
        rotation.probes.clear()
        token = _rotate(rotation, monkeypatch, before_each=lambda _step: None)

        assert [status for _, status in rotation.probes] == [200] * len(rotation.probes), rotation.probes
        assert [what for what, _ in rotation.probes] == [
            "after createSecret",
            "after ModifyRule",
            "after UpdateDistribution",
            "after setSecret",
            "after testSecret",
            "after ModifyRule",
            "after finishSecret",
        ], "the function did not change the rule and the distribution as expected"
        current = rotation.value()
        assert current != previous
        assert rotation.stages() == {token: ["AWSCURRENT"], previous_version: ["AWSPREVIOUS"]}
        assert rotation.sent() == [current]
        # The distribution is Deployed (the emulator's are at once): the rule accepts the new value only.
        assert rotation.accepted() == [current]
        assert _status(rotation.health) == 200
        assert rotation.direct(current) == 200
        assert rotation.direct(previous) == 403, "the old value still opens the ALB after the rotation"
        previous_version, previous = token, current


def test_a_retried_create_step_stores_one_pending_value(rotation, monkeypatch):
    versions_before = len(rotation.sm.list_secret_version_ids(SecretId=rotation.secret)["Versions"])
    pending: list[str] = []

    def create_twice(step: str) -> None:
        if step == "setSecret":  # createSecret ran once; Secrets Manager retries it with the same token
            token = next(v for v, labels in rotation.stages().items() if "AWSPENDING" in labels)
            pending.append(rotation.value(VersionId=token, VersionStage="AWSPENDING"))
            rotation.step(token, "createSecret", monkeypatch)
            pending.append(rotation.value(VersionId=token, VersionStage="AWSPENDING"))
            assert [labels for labels in rotation.stages().values() if "AWSPENDING" in labels] == [["AWSPENDING"]]

    token = _rotate(rotation, monkeypatch, before_each=create_twice)
    assert pending[0] == pending[1], "the retried createSecret replaced the pending value"
    assert rotation.value() == pending[0]
    assert rotation.stages()[token] == ["AWSCURRENT"]
    assert len(rotation.sm.list_secret_version_ids(SecretId=rotation.secret)["Versions"]) == versions_before + 1
    assert _status(rotation.health) == 200


def _hold_distributions_in_progress(endpoint: str, hold: bool) -> None:
    """moto's state manager: distributions stay InProgress after an update (or progress at once again)."""
    model = "cloudfront::distribution"
    if hold:
        path, body = "set-transition", {"model_name": model, "transition": {"progression": "manual", "times": 10**6}}
    else:
        path, body = "unset-transition", {"model_name": model}
    request = urllib.request.Request(
        f"{endpoint}/moto-api/state-manager/{path}", data=json.dumps(body).encode(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=10):
        pass


def test_the_old_value_stays_accepted_until_cloudfront_has_deployed_the_new_one(rotation, monkeypatch):
    """finishSecret narrows the rule only once the distribution is Deployed: while it is
    InProgress, edge locations still send the old value. The next rotation drops it."""
    oldest = rotation.value()
    _hold_distributions_in_progress(rotation.endpoint, True)
    try:
        first = _rotate(rotation, monkeypatch, before_each=lambda _step: None)
        status = rotation.aws("cloudfront").get_distribution(Id=rotation.environment["DISTRIBUTION_ID"])
        assert status["Distribution"]["Status"] == "InProgress"
    finally:
        _hold_distributions_in_progress(rotation.endpoint, False)
    current = rotation.value()
    assert rotation.stages()[first] == ["AWSCURRENT"]
    assert rotation.accepted() == [oldest, current]
    assert (rotation.direct(oldest), rotation.direct(current)) == (200, 200)

    _rotate(rotation, monkeypatch, before_each=lambda _step: None)
    newest = rotation.value()
    assert rotation.accepted() == [newest]
    assert (rotation.direct(oldest), rotation.direct(current), rotation.direct(newest)) == (403, 403, 200)


def test_the_rotation_role_edits_only_its_rule_and_its_distribution(rotation, aws):
    """Least privilege, as the emulator authorizes the role: another rule of the same
    listener and another distribution are refused."""
    elbv2, cloudfront = aws("elbv2"), aws("cloudfront")
    as_role_elbv2, as_role_cloudfront = (
        rotation._session.client("elbv2", endpoint_url=rotation.endpoint),
        (rotation._session.client("cloudfront", endpoint_url=rotation.endpoint)),
    )
    # The rule's listener: the serving listener of the site's load balancer whose rules include ours.
    (balancer,) = [lb for lb in elbv2.describe_load_balancers()["LoadBalancers"] if lb["DNSName"] == rotation.alb_dns]
    (listener,) = [
        listener
        for listener in elbv2.describe_listeners(LoadBalancerArn=balancer["LoadBalancerArn"])["Listeners"]
        if any(
            rule["RuleArn"] == rotation.environment["LISTENER_RULE_ARN"]
            for rule in elbv2.describe_rules(ListenerArn=listener["ListenerArn"])["Rules"]
        )
    ]
    other_rule = elbv2.create_rule(
        ListenerArn=listener["ListenerArn"],
        Priority=99,
        Conditions=[{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/other-rule-test/*"]}}],
        Actions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}],
    )["Rules"][0]["RuleArn"]
    try:
        with pytest.raises(ClientError) as raised:
            as_role_elbv2.modify_rule(
                RuleArn=other_rule,
                Conditions=[{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/*"]}}],
            )
        assert raised.value.response["Error"]["Code"] == "AccessDenied"
        assert "elasticloadbalancing:ModifyRule on resource: " + other_rule in raised.value.response["Error"]["Message"]
    finally:
        elbv2.delete_rule(RuleArn=other_rule)

    ours_config = cloudfront.get_distribution_config(Id=rotation.environment["DISTRIBUTION_ID"])["DistributionConfig"]
    other = cloudfront.create_distribution(
        DistributionConfig={**ours_config, "CallerReference": "rotation-role-test", "Aliases": {"Quantity": 0}}
    )["Distribution"]["Id"]
    try:
        with pytest.raises(ClientError) as raised:
            as_role_cloudfront.get_distribution_config(Id=other)
        assert raised.value.response["Error"]["Code"] == "AccessDenied"
    finally:
        etag = cloudfront.get_distribution(Id=other)["ETag"]
        cloudfront.delete_distribution(Id=other, IfMatch=etag)


def test_a_stale_etag_cannot_overwrite_the_distribution(rotation, aws):
    """UpdateDistribution with an ETag another update has made stale: PreconditionFailed (412)."""
    cloudfront = aws("cloudfront")
    dist_id = rotation.environment["DISTRIBUTION_ID"]
    answer = cloudfront.get_distribution_config(Id=dist_id)
    cloudfront.update_distribution(Id=dist_id, IfMatch=answer["ETag"], DistributionConfig=answer["DistributionConfig"])
    with pytest.raises(ClientError) as raised:
        cloudfront.update_distribution(
            Id=dist_id, IfMatch=answer["ETag"], DistributionConfig=answer["DistributionConfig"]
        )
    error = raised.value.response
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == ("PreconditionFailed", 412)
