"""D14: renaming a construct id replaces the resource behind it.

These logical ids are part of the platform's contract with deployed
environments. A failure here means a change would replace a key, bucket,
secret or log group: rename it back, or plan the migration and update this list.
"""

from __future__ import annotations

import pytest

PINNED = {
    "web": {
        "AWS::KMS::Key": {"KeysDataKey8F3FE3A4", "KeysTelemetryKey51EF4063"},
        "AWS::S3::Bucket": {
            "StorageAccessLogs96FB524C",
            "StorageAlbLogs52CE7A78",
            "StorageCdnLogs920BDBFF",
            "StorageContent05955A69",
        },
        "AWS::SecretsManager::Secret": {"SecretsApiKey92A01E51", "SecretsDatabaseCredentialsDB24CA51"},
        "AWS::Logs::LogGroup": {"NetworkFlowLogs2BEC3212", "SecretsRotationLogs5592C481"},
        "AWS::SNS::Topic": {"AlertsTopicCF7C81C9"},
        "AWS::EC2::VPC": {"NetworkVpc7FB7348F"},
        "AWS::CloudFront::Distribution": {"CdnDistribution149FA6C8"},
        "AWS::ElasticLoadBalancingV2::LoadBalancer": {"WebTierAlbACA717AF"},
    },
    "edge_monitoring": {
        "AWS::KMS::Key": {"AlertsKey9E1197AF"},
        "AWS::SNS::Topic": {"AlertsTopicCF7C81C9"},
    },
}


@pytest.mark.parametrize("stack", list(PINNED))
def test_stateful_logical_ids_are_stable(each_env, stack):
    template = each_env.templates()[stack]
    for rtype, expected in PINNED[stack].items():
        assert set(template.find_resources(rtype)) == expected, rtype
