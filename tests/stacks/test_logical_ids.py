"""D14: renaming a construct id replaces the resource behind it.

These logical ids are part of the platform's contract with deployed
environments. A failure here means a change would replace a key, bucket,
secret or log group: rename it back, or plan the migration and update the
list (webstack/stateful_ids.py).
"""

from __future__ import annotations

from webstack.stateful_ids import PINNED

DOMAIN = {
    "domain": {
        "hosted_zone_id": "Z0123456789ABCDEFGHIJ",
        "zone_name": "shop.io",
        "site_names": ["www.shop.io", "shop.io"],
        "origin_name": "origin.shop.io",
    }
}

# PINNED (webstack/stateful_ids.py, which the stacks also declare for the
# pitfall checks) holds every stateful resource any configuration can create:
# a new one fails the test until it is pinned there; a renamed one fails
# because its new id is not pinned and its old one (below) is gone.
# Present whatever the configuration:
ALWAYS = {
    "AWS::KMS::Key": {"KeysDataKey8F3FE3A4", "KeysTelemetryKey51EF4063", "AlertsKey9E1197AF"},
    "AWS::S3::Bucket": PINNED["web"]["AWS::S3::Bucket"],
    "AWS::SecretsManager::Secret": {"SecretsApiKey92A01E51", "SecretsDatabaseCredentialsDB24CA51"},
    "AWS::Logs::LogGroup": {
        "NetworkFlowLogs2BEC3212",
        "SecretsRotationLogs5592C481",
        "WebTierServerAccessLogsD6751DF7",
        "WebTierServerErrorLogs4FAD31B1",
    },
}


def _stateful(synth) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for stack, template in synth.templates().items():
        for rtype in {t for pinned in PINNED.values() for t in pinned}:
            ids = set(template.find_resources(rtype))
            unpinned = ids - PINNED.get(stack, {}).get(rtype, set())
            assert not unpinned, f"{stack}: {rtype} {sorted(unpinned)} not pinned (renamed or new?)"
            found.setdefault(rtype, set()).update(ids)
    return found


def test_stateful_logical_ids_are_stable(each_env):
    found = _stateful(each_env)
    for rtype, expected in ALWAYS.items():
        assert expected <= found.get(rtype, set()), rtype


def test_stateful_logical_ids_with_domain_and_waf():
    from tests.synth import synthesize

    _stateful(synthesize("prod", DOMAIN))
