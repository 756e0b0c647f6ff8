"""The emulator's one non-AWS route: ``GET /webstack-api/cloudfront/<id>/<path>``
answers what the distribution gets from its S3 origin (origin_access.fetch),
over HTTP and behind the same Host check as every other request."""

from __future__ import annotations

import http.client

from .test_origin_access import _deploy_with_object


def _get(port, path, host=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Host": host or f"localhost:{port}"})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def test_route_serves_the_object_cloudfront_may_read(emulator, deploy, aws):
    stack = _deploy_with_object(deploy, aws)
    status, _, body = _get(emulator.port, f"/webstack-api/cloudfront/{stack.resources['Cdn']}/index.html")
    assert (status, body) == (200, b"<h1>webstack</h1>")


def test_route_answers_s3s_access_denied_for_a_policy_scoped_elsewhere(emulator, deploy, aws):
    stack = _deploy_with_object(deploy, aws, scoped_to="Other")
    status, headers, body = _get(emulator.port, f"/webstack-api/cloudfront/{stack.resources['Cdn']}/index.html")
    assert status == 403 and headers["x-webstack-refused-by"] == "bucket-policy"
    assert b"<Code>AccessDenied</Code><Message>Access Denied</Message>" in body


def test_route_keeps_the_host_check(emulator):
    status, _, _ = _get(emulator.port, "/webstack-api/cloudfront/X/index.html", host="attacker.example:80")
    assert status == 403


def test_route_refuses_other_methods_and_paths(emulator):
    assert _get(emulator.port, "/webstack-api/other")[0] == 404
    conn = http.client.HTTPConnection("127.0.0.1", emulator.port, timeout=10)
    conn.request("POST", "/webstack-api/cloudfront/X/a", headers={"Host": f"localhost:{emulator.port}"})
    assert conn.getresponse().status == 404
    conn.close()
