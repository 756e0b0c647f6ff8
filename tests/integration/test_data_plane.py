"""The deployed site answers HTTP as the templates say: pages cached at the
edge, the API never, hashed assets marked immutable, and the load balancer
reachable only through the edge (locally: the emulator's data plane; with
WEBSTACK_TARGET=aws: the real distribution and ALB)."""

from __future__ import annotations

import base64
import http.client
import json
import re
import socket
import urllib.error
import urllib.request

import pytest

from .helpers import local_data_plane, site_url


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=15) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


@pytest.fixture(scope="module")
def site(deployed, outputs) -> str:
    return site_url(deployed.endpoint, outputs)


def test_pages_are_cached_at_the_edge_and_the_api_never_is(site):
    _get(site)
    status, headers, _ = _get(site)
    assert (status, headers["X-Cache"]) == (200, "Hit from cloudfront")
    assert int(headers["Age"]) >= 0
    for _ in range(2):
        status, headers, body = _get(site + "api/health")
        assert (status, headers["X-Cache"]) == (200, "Miss from cloudfront"), body
        assert json.loads(body) == {"status": "ok"}


def test_hashed_assets_are_immutable_for_browsers(site):
    _, _, page = _get(site)
    asset = re.search(rb'/assets/[^"]+\.js', page)
    assert asset, "the page links no hashed script under /assets/"
    status, headers, _ = _get(site + asset.group(0).decode().lstrip("/"))
    assert status == 200
    assert headers["Cache-Control"].endswith("immutable"), headers["Cache-Control"]


def test_hashed_assets_are_kept_at_the_edge(site):
    """The assets' cache policy keeps them at the edge (a year, whatever the origin says):
    the second request is a hit, with no trip to the bucket."""
    _, _, page = _get(site)
    assets = sorted({m.decode() for m in re.findall(rb'/assets/[^"]+\.(?:js|css)', page)})
    assert assets, "the page links no hashed script or style under /assets/"
    for asset in assets:
        url = site + asset.lstrip("/")
        _get(url)
        status, headers, _ = _get(url)
        assert (status, headers["X-Cache"]) == (200, "Hit from cloudfront"), asset


def test_the_load_balancer_answers_only_the_edge(deployed, outputs):
    dns = outputs["LoadBalancerDNS"]
    if deployed.endpoint is None:
        host, port = dns, 80
    else:
        listeners = [e for e in local_data_plane(deployed.endpoint)["listeners"] if e["dns_name"] == dns]
        assert listeners, f"no local listener for {dns}"
        host, port = "127.0.0.1", int(listeners[0]["url"].rsplit(":", 1)[1].strip("/"))
    conn = http.client.HTTPConnection(host, port, timeout=5)
    # Its security group admits CloudFront's origin-facing prefix list only (D9); an internal ALB
    # (origin.private) has no route from outside the VPC at all.
    with pytest.raises((ConnectionError, http.client.HTTPException, socket.timeout, OSError)):
        conn.request("GET", "/api/health", headers={"Host": dns})
        conn.getresponse()
    conn.close()


def _launch_template_build(aws, outputs) -> str:
    """The build the group's launch template version gives its instances (the unit's
    ``WEBSTACK_APP_BUILD`` in the user data: the app asset's content hash)."""
    (group,) = aws("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[outputs["AutoScalingGroupName"]])[
        "AutoScalingGroups"
    ]
    spec = group.get("LaunchTemplate") or group["MixedInstancesPolicy"]["LaunchTemplate"]["LaunchTemplateSpecification"]
    (version,) = aws("ec2").describe_launch_template_versions(
        LaunchTemplateId=spec["LaunchTemplateId"], Versions=[spec["Version"]]
    )["LaunchTemplateVersions"]
    user_data = base64.b64decode(version["LaunchTemplateData"]["UserData"]).decode()
    found = re.search(r"WEBSTACK_APP_BUILD=(\w+)", user_data)
    assert found, "the launch template's user data sets no WEBSTACK_APP_BUILD"
    return found.group(1)


def test_the_api_answers_with_the_build_the_launch_template_ships(site, aws, outputs):
    status, _, body = _get(site + "api/hello")
    assert status == 200, body
    hello = json.loads(body)
    assert hello["build"] == _launch_template_build(aws, outputs), hello
