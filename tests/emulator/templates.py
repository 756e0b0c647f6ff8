"""Templates more than one test module deploys."""

from __future__ import annotations


def distribution(suffix, extra_cfg=None):
    cfg = {
        "Enabled": True,
        "HttpVersion": "http2and3",
        "PriceClass": "PriceClass_100",
        "Origins": [
            {
                "Id": "s3",
                "DomainName": {"Fn::GetAtt": ["B", "RegionalDomainName"]},
                "S3OriginConfig": {"OriginAccessIdentity": ""},
                "OriginAccessControlId": {"Fn::GetAtt": ["Oac", "Id"]},
            }
        ],
        "DefaultCacheBehavior": {
            "TargetOriginId": "s3",
            "ViewerProtocolPolicy": "redirect-to-https",
            "CachePolicyId": {"Ref": "Cp"},
            "ResponseHeadersPolicyId": {"Ref": "Rh"},
            "Compress": True,
        },
    }
    cfg.update(extra_cfg or {})
    return {
        "B": {"Type": "AWS::S3::Bucket"},
        "Oac": {
            "Type": "AWS::CloudFront::OriginAccessControl",
            "Properties": {
                "OriginAccessControlConfig": {
                    "Name": f"oac{suffix}",
                    "OriginAccessControlOriginType": "s3",
                    "SigningBehavior": "always",
                    "SigningProtocol": "sigv4",
                }
            },
        },
        "Cp": {
            "Type": "AWS::CloudFront::CachePolicy",
            "Properties": {
                "CachePolicyConfig": {
                    "Name": f"cp{suffix}",
                    "MinTTL": 0,
                    "DefaultTTL": 60,
                    "MaxTTL": 300,
                    "ParametersInCacheKeyAndForwardedToOrigin": {
                        "EnableAcceptEncodingGzip": False,
                        "HeadersConfig": {"HeaderBehavior": "none"},
                        "CookiesConfig": {"CookieBehavior": "none"},
                        "QueryStringsConfig": {"QueryStringBehavior": "none"},
                    },
                }
            },
        },
        "Rh": {
            "Type": "AWS::CloudFront::ResponseHeadersPolicy",
            "Properties": {"ResponseHeadersPolicyConfig": {"Name": f"rh{suffix}"}},
        },
        "D": {"Type": "AWS::CloudFront::Distribution", "Properties": {"DistributionConfig": cfg}},
    }


KEY_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"}
    ],
}


# A customer managed key the Auto Scaling service-linked role may use for EBS
# volumes (pitfall D1; webstack_emulator/ebs_launch.py).
SLR = {
    "Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/autoscaling.amazonaws.com/"
    "AWSServiceRoleForAutoScaling"
}
ROOT = {
    "Effect": "Allow",
    "Principal": {"AWS": {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:root"}},
    "Action": "kms:*",
    "Resource": "*",
}
_SLR_CONDITION = {
    "ArnEquals": {"aws:PrincipalArn": SLR},
    "StringEquals": {"kms:CallerAccount": {"Ref": "AWS::AccountId"}},
}
# The two statements of key-policy-requirements-EBS-encryption.html, in the
# Principal "*" + aws:PrincipalArn form (valid before the role exists).
SLR_USE = {
    "Effect": "Allow",
    "Principal": {"AWS": "*"},
    "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
    "Resource": "*",
    "Condition": _SLR_CONDITION,
}
SLR_GRANT = {
    "Effect": "Allow",
    "Principal": {"AWS": "*"},
    "Action": "kms:CreateGrant",
    "Resource": "*",
    "Condition": {**_SLR_CONDITION, "Bool": {"kms:GrantIsForAWSResource": "true"}},
}
RECIPE = (ROOT, SLR_USE, SLR_GRANT)
