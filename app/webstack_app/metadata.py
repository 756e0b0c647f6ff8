"""The instance's identity from the EC2 instance metadata service, IMDSv2 only.

The launch template requires IMDSv2 tokens (hop limit 1): a token comes from
a PUT, then each read carries it.
https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html
Off EC2 (a laptop, the tests) nothing answers; the timeouts are short so a
request never waits long for that, and a failure is remembered for a while.
"""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from typing import Callable

DEFAULT_ENDPOINT = "http://169.254.169.254"
TOKEN_TTL_SECONDS = 21600
TIMEOUT_SECONDS = 0.5
RETRY_AFTER_SECONDS = 60.0


class InstanceIdentity:
    """``instance_id()``: the id once known (cached for good), else None (retried after a minute)."""

    def __init__(
        self,
        endpoint: str = DEFAULT_ENDPOINT,
        timeout: float = TIMEOUT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._endpoint = endpoint.rstrip("/")
        self._timeout = timeout
        self._clock = clock
        self._lock = threading.Lock()
        self._instance_id: str | None = None
        self._failed_at: float | None = None

    def instance_id(self) -> str | None:
        with self._lock:
            if self._instance_id is not None:
                return self._instance_id
            if self._failed_at is not None and self._clock() - self._failed_at < RETRY_AFTER_SECONDS:
                return None
            try:
                self._instance_id = self._fetch()
            except (OSError, ValueError):  # URLError, timeouts and refused connections are OSErrors
                self._failed_at = self._clock()
                return None
            return self._instance_id

    def _fetch(self) -> str:
        token_request = urllib.request.Request(
            f"{self._endpoint}/latest/api/token",
            method="PUT",
            headers={"X-aws-ec2-metadata-token-ttl-seconds": str(TOKEN_TTL_SECONDS)},
        )
        with urllib.request.urlopen(token_request, timeout=self._timeout) as response:
            token = response.read().decode("ascii").strip()
        id_request = urllib.request.Request(
            f"{self._endpoint}/latest/meta-data/instance-id",
            headers={"X-aws-ec2-metadata-token": token},
        )
        with urllib.request.urlopen(id_request, timeout=self._timeout) as response:
            value = response.read().decode("ascii").strip()
        if not value.startswith("i-"):
            raise ValueError(f"not an instance id: {value[:40]!r}")
        return value
