"""CloudFront reads an S3 object through its Origin Access Control only if the
bucket policy admits *this* distribution and, for SSE-KMS, the key policy
admits CloudFront (pitfall D2; webstack_emulator/origin_access.py)."""

from __future__ import annotations

import uuid

from webstack_emulator import origin_access

ACCOUNT = "123456789012"
ROOT = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"}
CLOUDFRONT_DECRYPT = {
    "Effect": "Allow",
    "Principal": {"Service": "cloudfront.amazonaws.com"},
    "Action": "kms:Decrypt",
    "Resource": "*",
    "Condition": {"ArnLike": {"AWS:SourceArn": f"arn:aws:cloudfront::{ACCOUNT}:distribution/*"}},
}
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"


def _distribution_arn(logical_id):
    return {"Fn::Sub": "arn:aws:cloudfront::${AWS::AccountId}:distribution/${" + logical_id + "}"}


def _distribution(oac=True):
    origin = {
        "Id": "content",
        "DomainName": {"Fn::GetAtt": ["Content", "RegionalDomainName"]},
        "S3OriginConfig": {"OriginAccessIdentity": ""},
    }
    if oac:
        origin["OriginAccessControlId"] = {"Fn::GetAtt": ["Oac", "Id"]}
    return {
        "Type": "AWS::CloudFront::Distribution",
        "Properties": {
            "DistributionConfig": {
                "Enabled": True,
                "Origins": [origin],
                "DefaultCacheBehavior": {
                    "TargetOriginId": "content",
                    "ViewerProtocolPolicy": "redirect-to-https",
                    "CachePolicyId": CACHING_OPTIMIZED,
                },
            }
        },
    }


def _stack(*, scoped_to="Cdn", key_statements=(ROOT, CLOUDFRONT_DECRYPT), encryption="aws:kms"):
    """A bucket, its key, an OAC distribution ``Cdn`` and a second one ``Other``;
    the bucket policy admits the distribution named by ``scoped_to``."""
    sse = {"SSEAlgorithm": encryption}
    if encryption == "aws:kms":
        sse["KMSMasterKeyID"] = {"Fn::GetAtt": ["Key", "Arn"]}
    return {
        "Key": {
            "Type": "AWS::KMS::Key",
            "Properties": {"KeyPolicy": {"Version": "2012-10-17", "Statement": list(key_statements)}},
        },
        "Content": {
            "Type": "AWS::S3::Bucket",
            "Properties": {
                "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": sse}]},
                "PublicAccessBlockConfiguration": {
                    "BlockPublicAcls": True,
                    "BlockPublicPolicy": True,
                    "IgnorePublicAcls": True,
                    "RestrictPublicBuckets": True,
                },
            },
        },
        "Oac": {
            "Type": "AWS::CloudFront::OriginAccessControl",
            "Properties": {
                "OriginAccessControlConfig": {
                    "Name": f"oac-{uuid.uuid4().hex[:8]}",
                    "OriginAccessControlOriginType": "s3",
                    "SigningBehavior": "always",
                    "SigningProtocol": "sigv4",
                }
            },
        },
        "Cdn": _distribution(),
        "Other": _distribution(),
        "ContentPolicy": {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {
                "Bucket": {"Ref": "Content"},
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Deny",
                            "Principal": {"AWS": "*"},
                            "Action": "s3:*",
                            "Resource": [
                                {"Fn::GetAtt": ["Content", "Arn"]},
                                {"Fn::Sub": "${Content.Arn}/*"},
                            ],
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        },
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "cloudfront.amazonaws.com"},
                            "Action": "s3:GetObject",
                            "Resource": {"Fn::Sub": "${Content.Arn}/*"},
                            "Condition": {"StringEquals": {"AWS:SourceArn": _distribution_arn(scoped_to)}},
                        },
                    ],
                },
            },
        },
    }


def _deploy_with_object(deploy, aws, **kwargs):
    stack = deploy(_stack(**kwargs))
    aws("s3").put_object(Bucket=stack.resources["Content"], Key="index.html", Body=b"<h1>webstack</h1>")
    return stack


def test_distribution_reads_an_sse_kms_object_through_its_oac(deploy, aws):
    stack = _deploy_with_object(deploy, aws)
    got = origin_access.fetch(ACCOUNT, stack.resources["Cdn"], "/index.html")
    assert (got.status, got.body, got.refused_by) == (200, b"<h1>webstack</h1>", "")
    assert got.bucket == stack.resources["Content"] and got.key == "index.html"


def test_block_public_access_does_not_block_the_cloudfront_service_principal(deploy, aws):
    # RestrictPublicBuckets is on (the stack sets all four): a policy that names
    # a service principal is not public, so CloudFront still reads.
    stack = _deploy_with_object(deploy, aws, encryption="AES256")
    assert origin_access.fetch(ACCOUNT, stack.resources["Cdn"], "index.html").status == 200


def test_bucket_policy_scoped_to_another_distribution_is_access_denied(deploy, aws):
    stack = _deploy_with_object(deploy, aws, scoped_to="Other")
    got = origin_access.fetch(ACCOUNT, stack.resources["Cdn"], "index.html")
    assert (got.status, got.code, got.message, got.refused_by) == (
        403,
        "AccessDenied",
        "Access Denied",
        "bucket-policy",
    )
    assert b"<Code>AccessDenied</Code>" in got.error_xml()
    # the distribution the policy does name reads the same object
    assert origin_access.fetch(ACCOUNT, stack.resources["Other"], "index.html").status == 200


def test_key_policy_without_the_cloudfront_grant_is_access_denied(deploy, aws):
    stack = _deploy_with_object(deploy, aws, key_statements=(ROOT,))
    got = origin_access.fetch(ACCOUNT, stack.resources["Cdn"], "index.html")
    assert (got.status, got.code, got.refused_by) == (403, "AccessDenied", "key-policy")
    assert got.message.startswith("The ciphertext refers to a customer master key that does not exist")


def test_key_grant_scoped_by_encryption_context_to_another_bucket_is_access_denied(deploy, aws):
    scoped = dict(
        CLOUDFRONT_DECRYPT, Condition={"StringLike": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::x/*"}}
    )
    stack = _deploy_with_object(deploy, aws, key_statements=(ROOT, scoped))
    assert origin_access.fetch(ACCOUNT, stack.resources["Cdn"], "index.html").refused_by == "key-policy"


def test_aws_managed_s3_key_never_lets_cloudfront_decrypt(deploy, aws):
    stack = deploy(_stack())
    s3 = aws("s3")
    s3.put_object(Bucket=stack.resources["Content"], Key="managed.html", Body=b"x", ServerSideEncryption="aws:kms")
    s3_key = s3.head_object(Bucket=stack.resources["Content"], Key="managed.html").get("SSEKMSKeyId")
    if s3_key:  # moto records the bucket's default key on the object; force the AWS-managed one
        from moto.s3.models import s3_backends

        s3_backends[ACCOUNT]["aws"].buckets[stack.resources["Content"]].keys["managed.html"].kms_key_id = ""
    assert origin_access.fetch(ACCOUNT, stack.resources["Cdn"], "managed.html").refused_by == "key-policy"


def test_missing_object_is_403_without_list_bucket(deploy, aws):
    stack = _deploy_with_object(deploy, aws)
    got = origin_access.fetch(ACCOUNT, stack.resources["Cdn"], "missing.html")
    assert (got.status, got.code, got.refused_by) == (403, "AccessDenied", "no-such-key")


def test_distribution_without_oac_is_anonymous_and_blocked(deploy, aws):
    resources = _stack(encryption="AES256")
    resources["Cdn"] = _distribution(oac=False)
    stack = deploy(resources)
    aws("s3").put_object(Bucket=stack.resources["Content"], Key="index.html", Body=b"x")
    got = origin_access.fetch(ACCOUNT, stack.resources["Cdn"], "index.html")
    assert (got.status, got.refused_by) == (403, "public-access-block")
