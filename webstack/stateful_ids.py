"""The logical ids of every stateful resource, per stack role (pitfall D14).

Renaming a construct changes the logical id of what it creates, and
CloudFormation replaces a resource whose logical id changed: a new, empty
bucket, key or secret, the old one deleted (or orphaned, when retained).
These ids are part of the platform's contract with deployed environments.

Each stack declares its list in its template
(:func:`webstack_pitfalls.pin_stateful_ids`), so every synth's pitfall
checks fault a stateful resource whose id is not here
(``Webstack-StatefulLogicalIdPinned``); ``tests/stacks/test_logical_ids.py``
checks that each environment creates the ids it always should. A new
stateful resource is added here; a renamed one is renamed back, or, for an
intended replacement, changed here together with the runbook's "Replace a
stateful resource on purpose".
"""

from __future__ import annotations

from aws_cdk import Stack

from webstack_pitfalls import pin_stateful_ids

# Every stateful resource any configuration can create, by stack role.
PINNED: dict[str, dict[str, set[str]]] = {
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


def pin(stack: Stack, role: str) -> None:
    """Declare the pinned stateful ids of the ``role`` stack (``web``, ``edge``, ``edge_monitoring``) in ``stack``."""
    pin_stateful_ids(stack, PINNED[role])
