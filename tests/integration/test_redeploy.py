"""Shipping a change (issue 14): a changed ``site/`` is served through the edge
once its deploy has invalidated the cached pages; a changed ``app/`` is a new
launch template version whose instance refresh replaces the targets, and the
API through the edge answers with the new build.

Runs in an emulator of its own with the data plane (the edge, the ALB, the
targets booting from their user data, as ``make up`` starts it), dev deployed
from three assemblies synthesized in the background when the module starts:
the repository's folders, then ``site.path`` at a copy with a changed page,
then also ``app.path`` at a copy with a changed version. Refresh checkpoints
and bake time (dev: none, and 60 s) are shortened by
``WEBSTACK_EMULATOR_TIME_SCALE``, as in test_lifecycle.py.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from webstack_emulator import DataPlaneOptions, dataplane_info, start, stop
from webstack_emulator.instance_refresh import TIME_SCALE_ENV
from webstack_emulator.server import free_port
from webstack_tools import project
from webstack_tools.deploy import emulator_target

from .conftest import TARGET
from .helpers import wait_for_api
from .lab import Lab, synth_env

pytestmark = pytest.mark.skipif(
    TARGET == "aws",
    reason="redeploys changed folders on purpose: local emulator only (WEBSTACK_TARGET=aws is read-only)",
)

SITE_MARKER = "redeployed-page-" + str(int(time.time()))
APP_VERSION = "9.9.9+redeploy"


def _changed_site(work: Path) -> Path:
    site = work / "sources" / "site"  # not beside the assemblies (work/KEY/cdk.out): no asset may hold one
    shutil.copytree(project.project_root() / "site", site)
    page = site / "index.html"
    page.write_text(page.read_text().replace("<h1>webstack</h1>", f"<h1>webstack</h1><p>{SITE_MARKER}</p>"))
    return site


def _changed_app(work: Path) -> Path:
    app = work / "sources" / "app"
    shutil.copytree(project.project_root() / "app", app, ignore=shutil.ignore_patterns("__pycache__"))
    init = app / "webstack_app" / "__init__.py"
    changed = re.sub(r'__version__ = "[^"]*"', f'__version__ = "{APP_VERSION}"', init.read_text())
    assert changed != init.read_text(), "app/webstack_app/__init__.py sets no __version__"
    init.write_text(changed)
    return app


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    work = tmp_path_factory.mktemp("redeploy")
    site, app = _changed_site(work), _changed_app(work)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(TIME_SCALE_ENV, "0.005")  # the emulator reads it at start
        state = work / "emulator"
        info = start(state, port=free_port(), data_plane=DataPlaneOptions(app_command=project.app_command()))
    pool = ThreadPoolExecutor(max_workers=2)
    try:
        lab = Lab(target=emulator_target(info.endpoint), work=work)
        for key, overrides in [
            ("first", None),
            ("site", {"site": {"path": str(site)}}),
            ("app", {"site": {"path": str(site)}, "app": {"path": str(app)}}),
        ]:
            lab.synths[key] = pool.submit(synth_env, work, "dev", overrides, key)
        yield lab
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        stop(state)


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=15) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def _site(lab: Lab, outputs: dict[str, str]) -> str:
    described = dataplane_info(lab.target.endpoint) or {}
    urls = [d["url"] for d in described.get("distributions", []) if d["id"] == outputs["CloudFrontDistributionId"]]
    assert urls, f"no local edge for {outputs['CloudFrontDistributionId']}: {described}"
    return str(urls[0])


@pytest.fixture(scope="module")
def first(lab: Lab) -> dict[str, str]:
    outputs = lab.deploy("first")
    wait_for_api(lab.target.endpoint, outputs)
    return outputs


def _max_age(headers: dict[str, str]) -> int:
    found = re.search(r"max-age=(\d+)", headers.get("Cache-Control", ""))
    assert found, f"the page has no max-age: {headers.get('Cache-Control')!r}"
    return int(found.group(1))


def test_a_changed_site_is_served_after_its_deploy_invalidates_the_cached_page(lab, first):
    site = _site(lab, first)
    _get(site)
    cached_at = time.monotonic()
    status, headers, page = _get(site)
    assert (status, headers["X-Cache"]) == (200, "Hit from cloudfront")
    assert SITE_MARKER.encode() not in page
    ttl = _max_age(headers)

    # A new page in the bucket without an invalidation: the edge keeps serving its copy.
    lab.client("s3").put_object(
        Bucket=first["S3BucketName"], Key="index.html", Body=b"<p>written behind the edge's back</p>"
    )
    status, headers, page = _get(site)
    assert (status, headers["X-Cache"], b"behind the edge" in page) == (200, "Hit from cloudfront", False)

    outputs = lab.deploy("site")
    status, headers, page = _get(site)
    # Within the page's TTL only the deploy's invalidation explains a fresh copy.
    assert time.monotonic() - cached_at < ttl, f"the deploy took longer than the page TTL ({ttl} s): nothing proven"
    assert status == 200
    assert SITE_MARKER.encode() in page, f"the edge still serves the old page ({headers.get('X-Cache')})"
    assert headers["X-Cache"] == "Miss from cloudfront"
    assert outputs["CloudFrontDistributionId"] == first["CloudFrontDistributionId"]


def _group(lab: Lab, outputs: dict[str, str]) -> dict[str, Any]:
    (group,) = lab.client("autoscaling").describe_auto_scaling_groups(
        AutoScalingGroupNames=[outputs["AutoScalingGroupName"]]
    )["AutoScalingGroups"]
    return dict(group)


def _build_of(lab: Lab, group: dict[str, Any]) -> str:
    spec = group["LaunchTemplate"]
    (version,) = lab.client("ec2").describe_launch_template_versions(
        LaunchTemplateId=spec["LaunchTemplateId"], Versions=[spec["Version"]]
    )["LaunchTemplateVersions"]
    found = re.search(r"WEBSTACK_APP_BUILD=(\w+)", base64.b64decode(version["LaunchTemplateData"]["UserData"]).decode())
    assert found, "the launch template's user data sets no WEBSTACK_APP_BUILD"
    return found.group(1)


def _hello(site: str, want: str, timeout: float = 30.0) -> dict[str, Any]:
    """``/api/hello`` through the edge, until it answers with build ``want`` (new targets boot)."""
    deadline = time.monotonic() + timeout
    seen: dict[str, Any] = {}
    while time.monotonic() < deadline:
        status, _, body = _get(site + "api/hello")
        if status == 200:
            seen = json.loads(body)
            if seen.get("build") == want:
                return seen
        time.sleep(0.3)
    raise AssertionError(f"/api/hello never answered with build {want} in {timeout:.0f} s; last: {seen}")


def test_a_changed_app_replaces_the_targets_with_the_new_build(lab, first):
    site = _site(lab, first)
    before = _group(lab, first)
    old_build = _build_of(lab, before)
    assert _hello(site, old_build)["version"] != APP_VERSION
    old_instances = {i["InstanceId"] for i in before["Instances"]}

    outputs = lab.deploy("app")
    after = _group(lab, outputs)
    new_build = _build_of(lab, after)
    assert new_build != old_build, "the changed app/ did not change the build the user data names"
    assert int(after["LaunchTemplate"]["Version"]) > int(before["LaunchTemplate"]["Version"])
    refreshes = lab.client("autoscaling").describe_instance_refreshes(
        AutoScalingGroupName=after["AutoScalingGroupName"]
    )
    assert refreshes["InstanceRefreshes"][0]["Status"] == "Successful"
    new_instances = {i["InstanceId"] for i in after["Instances"]}
    assert new_instances and not new_instances & old_instances, "the refresh kept instances of the old version"
    assert {i["LaunchTemplate"]["Version"] for i in after["Instances"]} == {after["LaunchTemplate"]["Version"]}

    hello = _hello(site, new_build)
    assert hello["version"] == APP_VERSION
    targets = (dataplane_info(lab.target.endpoint) or {})["targets"]
    assert {t["instance_id"] for t in targets} == new_instances  # the old targets' processes are gone
