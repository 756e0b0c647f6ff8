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
