"""The local pager: an SQS queue in the emulator that ``make up`` subscribes to
the paging topics, so that it can prove an alarm reaches someone.

Every deployment ``up`` makes carries one more paging subscriber than the
configuration names: ``alarms.subscribers`` gets the standard queue
``webstack-<env>-pager`` of the emulator's account in the application's
region (the edge topic in us-east-1 delivers to it across regions, as SNS
does to SQS). ``up`` creates the queue before it deploys, with the queue
policy SNS needs to send to it
(https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html),
and its verification fires one alarm per region and reads the notification
here (:mod:`webstack_tools.verify`).

A protected environment refuses a configuration that pages no one
(``webstack.config.loading``); the repository's prod defaults leave the
on-call to the team, so locally this queue is prod's subscriber. Tools that
synthesize a protected environment for the emulator (``up``, ``destroy``,
the compliance gate, the tests) add it the same way; a real deployment
needs the team's own ``alarms.emails`` or ``alarms.subscribers``.
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from webstack_emulator import ACCOUNT_ID


def queue_name(env_name: str) -> str:
    return f"webstack-{env_name}-pager"


def queue_arn(env_name: str, region: str, account: str = ACCOUNT_ID) -> str:
    return f"arn:aws:sqs:{region}:{account}:{queue_name(env_name)}"


def subscriber(env_name: str, region: str) -> dict[str, str]:
    return {"protocol": "sqs", "endpoint": queue_arn(env_name, region)}


def with_pager(env_name: str, region: str, overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """``overrides`` with the local pager added to ``alarms.subscribers`` (kept once)."""
    merged = copy.deepcopy(dict(overrides or {}))
    alarms = merged.setdefault("alarms", {})
    subscribers = alarms.get("subscribers", []) if isinstance(alarms, dict) else None
    if not isinstance(subscribers, list):
        return merged  # not the shape the schema takes: the configuration check says so in one line
    mine = subscriber(env_name, region)
    if mine not in subscribers:
        subscribers.append(mine)
    alarms["subscribers"] = subscribers
    return merged


def application_region(env_name: str, overrides: Mapping[str, Any] | None) -> str:
    """The configured region of ``env_name`` (the pager's), read without the pager check."""
    from webstack.config import DEFAULT_REGION, ENVIRONMENTS

    given = (overrides or {}).get("region")
    if isinstance(given, str):
        return given
    known = ENVIRONMENTS.get(env_name)
    return str(known.region) if known is not None else DEFAULT_REGION  # the synth names the bad env


def read_user_overrides(config: str | None) -> dict[str, Any]:
    from webstack.app import read_overrides

    return read_overrides(config)


@contextmanager
def config_file(env_name: str, config: str | None) -> Iterator[str]:
    """A temporary override file: the user's ``config`` (a file or JSON text) plus the
    local pager; for the CDK CLI's ``-c config=...``. Bad input in ``config`` raises
    what :func:`webstack.app.read_overrides` raises."""
    overrides = read_user_overrides(config)
    merged = with_pager(env_name, application_region(env_name, overrides), overrides)
    with TemporaryDirectory(prefix=f"webstack-{env_name}-config.") as tmp:
        path = Path(tmp) / "overrides.json"
        path.write_text(json.dumps(merged, indent=2))
        yield str(path)


def queue_policy(env_name: str, region: str, account: str = ACCOUNT_ID) -> dict[str, Any]:
    """SNS topics of this environment (any region: the edge topic lives in us-east-1) may send."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AllowThisEnvironmentsTopics",
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn(env_name, region, account),
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account},
                    "ArnLike": {"aws:SourceArn": f"arn:aws:sns:*:{account}:webstack-{env_name}-*"},
                },
            }
        ],
    }


def create_queue(sqs: Any, env_name: str, region: str) -> str:
    """Create (or keep) the pager queue; its URL. Not purged (SQS allows one purge a minute):
    readers match the notification they wait for."""
    url = str(
        sqs.create_queue(
            QueueName=queue_name(env_name),
            Attributes={"SqsManagedSseEnabled": "true", "MessageRetentionPeriod": "3600"},
        )["QueueUrl"]
    )
    sqs.set_queue_attributes(
        QueueUrl=url, Attributes={"Policy": json.dumps(queue_policy(env_name, region, _account_of(url)))}
    )
    return url


def _account_of(url: str) -> str:
    # https://sqs.<region>.amazonaws.com/<account>/<name>; the emulator's URLs have the same path.
    return url.rstrip("/").split("/")[-2]


def notifications(sqs: Any, url: str, *, wait_seconds: float = 10.0) -> Iterator[dict[str, Any]]:
    """The SNS notifications in the queue, as they arrive, until ``wait_seconds`` pass
    without one; each deleted once read."""
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        page = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in page.get("Messages", []):
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            yield json.loads(message["Body"])
            deadline = time.monotonic() + wait_seconds


def needs_pager(env_name: str, overrides: Mapping[str, Any] | None) -> bool:
    """Whether ``env_name`` with ``overrides`` is protected and names no paging subscriber
    (the configuration check that refuses it: ``webstack.config.loading``)."""
    from webstack.config import ENVIRONMENTS

    base = ENVIRONMENTS.get(env_name)
    if base is None:
        return False
    given = overrides or {}
    found = given.get("alarms")
    alarms: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    protected = given.get("deletion_protection", base.deletion_protection)
    emails = alarms.get("emails", base.alarms.emails)
    subscribers = alarms.get("subscribers", base.alarms.subscribers)
    return bool(protected) and not emails and not subscribers


def completed(env_name: str, overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """``overrides``, plus the local pager if the environment would otherwise page no one:
    a protected environment as ``make up`` deploys it locally (the gate, the tests)."""
    if needs_pager(env_name, overrides):
        return with_pager(env_name, application_region(env_name, overrides), overrides)
    return dict(overrides or {})
