"""The data plane lives and dies with the detached emulator (``start
--data-plane``): the edge of a deployed distribution answers on 127.0.0.1,
``GET /webstack-api/dataplane`` says where, and ``stop`` ends it too."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import boto3
import pytest

from webstack_emulator import server

from .test_dataplane_edge import BIG_HTML, site


def _wait_for_edge(endpoint, dist_id, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        described = server.dataplane_info(endpoint) or {}
        url = next((d["url"] for d in described.get("distributions", []) if d["id"] == dist_id), None)
        if url:
            return url
        time.sleep(0.2)
    raise AssertionError(f"no edge for {dist_id}")


def test_detached_data_plane_serves_the_site_until_stop(tmp_path):
    info = server.start(state_dir=tmp_path, data_plane=server.DataPlaneOptions())
    try:
        env = server.endpoint_env(info.endpoint)
        session = boto3.Session(
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
            region_name="us-east-1",
        )
        cfn = session.client("cloudformation", endpoint_url=info.endpoint)
        cfn.create_stack(StackName="site", TemplateBody=json.dumps({"Resources": site()}))
        resources = {
            r["LogicalResourceId"]: r["PhysicalResourceId"]
            for r in cfn.describe_stack_resources(StackName="site")["StackResources"]
        }
        session.client("s3", endpoint_url=info.endpoint).put_object(
            Bucket=resources["Content"], Key="index.html", Body=BIG_HTML, ContentType="text/html"
        )
        url = _wait_for_edge(info.endpoint, resources["Cdn"])
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url, timeout=10) as resp:
            assert resp.read() == BIG_HTML and resp.headers["X-Cache"] == "Miss from cloudfront"
    finally:
        assert server.stop(tmp_path)
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url, timeout=5)


def test_without_the_option_there_is_no_data_plane(emulator):
    assert server.dataplane_info(emulator.endpoint) is None


def test_keep_alive_requests_do_not_wait_for_delayed_acks():
    """A keep-alive connection answers request after request without a stall: the head and
    the body leave in two writes, and with Nagle's algorithm on, the body of each answer
    waited for the client's delayed ACK (~40 ms on Linux: 20 requests took >= 0.8 s)."""
    import http.client

    from webstack_emulator.dataplane.http import LoopbackServer, text

    plane = LoopbackServer(lambda request: text(200, "ok\n")).start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", plane.port, timeout=5)
        conn.request("GET", "/")
        conn.getresponse().read()
        started = time.perf_counter()
        for _ in range(20):
            conn.request("GET", "/")
            answer = conn.getresponse()
            assert (answer.status, answer.read()) == (200, b"ok\n")
        elapsed = time.perf_counter() - started
        conn.close()
    finally:
        plane.stop()
    assert elapsed < 0.4, f"20 keep-alive requests took {elapsed:.2f} s"
