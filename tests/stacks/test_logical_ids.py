"""D14: renaming a construct id replaces the resource behind it.

These logical ids are part of the platform's contract with deployed
environments. A failure here means a change would replace a key, bucket,
secret or log group: rename it back, or plan the migration and update this list.
"""

from __future__ import annotations

DOMAIN = {
    "domain": {
        "hosted_zone_id": "Z0123456789ABCDEFGHIJ",
        "zone_name": "shop.io",
        "site_names": ["www.shop.io", "shop.io"],
        "origin_name": "origin.shop.io",
    }
}

# Every stateful resource any configuration can create. A new one fails the
# test until it is pinned here; a renamed one fails because its old id is gone.
PINNED = {
    "web": {
        "AWS::KMS::Key": {"KeysDataKey8F3FE3A4", "KeysTelemetryKey51EF4063"},
        "AWS::CertificateManager::Certificate": {"OriginCertificate689B8D2E"},
        "AWS::WAFv2::WebACL": {"AlbWafWebAcl2BFC650B"},
        "AWS::S3::Bucket": {
            "StorageAccessLogs96FB524C",
            "StorageAlbLogs52CE7A78",
            "StorageCdnLogs920BDBFF",
            "StorageContent05955A69",
        },
        "AWS::SecretsManager::Secret": {
            "SecretsApiKey92A01E51",
            "SecretsDatabaseCredentialsDB24CA51",
            "SecretsOriginVerify59304C5E",
        },
        "AWS::Logs::LogGroup": {
            "NetworkFlowLogs2BEC3212",
            "SecretsRotationLogs5592C481",
            "OriginVerifyRotationLogsF0024ADE",
            "AlbWafLogsADC2EE40",
            "WebTierServerAccessLogsD6751DF7",
            "WebTierServerErrorLogs4FAD31B1",
            "SiteHandlerLogsA23206D2",
        },
        "AWS::SNS::Topic": {"AlertsTopicCF7C81C9", "AlertsEventsTopic32B6C16E"},
        "AWS::EC2::VPC": {"NetworkVpc7FB7348F"},
        "AWS::CloudFront::Distribution": {"CdnDistribution149FA6C8"},
        "AWS::ElasticLoadBalancingV2::LoadBalancer": {"WebTierAlbACA717AF"},
    },
    "edge_monitoring": {
        "AWS::KMS::Key": {"AlertsKey9E1197AF"},
        "AWS::SNS::Topic": {"AlertsTopicCF7C81C9", "AlertsEventsTopic32B6C16E"},
    },
    "edge": {
        "AWS::KMS::Key": {"LogKeyE83D0C1B"},
        "AWS::Logs::LogGroup": {"WafLogs5C6BB543"},
        "AWS::CertificateManager::Certificate": {"SiteCertificate38C247F6"},
        "AWS::WAFv2::WebACL": {"WafWebAclBE24253C"},
    },
}
# Present whatever the configuration.
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
