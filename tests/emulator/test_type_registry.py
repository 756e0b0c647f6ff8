"""Which CloudFormation types our providers serve (``python -m webstack_emulator types``)."""

from __future__ import annotations


def test_registry_lists_our_types():
    from webstack_emulator import type_registry

    reg = type_registry()
    for t in (
        "AWS::CloudFront::Distribution",
        "AWS::S3::BucketPolicy",
        "Custom::CrossRegionExportReader",
        "AWS::KMS::Key",
    ):
        assert reg[t] == "webstack"
    assert reg["AWS::EC2::VPC"] == "moto"
