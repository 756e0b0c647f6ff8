"""AWS facts the emulator serves as AWS would (the emulator imports nothing
from the product, so these live here, not in its configuration)."""

# AWS-managed prefix list "com.amazonaws.global.cloudfront.origin-facing", per
# region (AWS publishes one id per region; verify with
#   aws ec2 describe-managed-prefix-lists \
#     --filters Name=prefix-list-name,Values=com.amazonaws.global.cloudfront.origin-facing
# ). moto gives AWS-managed lists random ids; templates name the published one.
CLOUDFRONT_ORIGIN_FACING_PREFIX_LISTS: dict[str, str] = {
    "ap-northeast-1": "pl-58a04531",
    "ap-south-1": "pl-9aa247f3",
    "ap-southeast-1": "pl-31a34658",
    "ap-southeast-2": "pl-b8a742d1",
    "ca-central-1": "pl-38a64351",
    "eu-central-1": "pl-a3a144ca",
    "eu-north-1": "pl-fab65393",
    "eu-west-1": "pl-4fa04526",
    "eu-west-2": "pl-93a247fa",
    "eu-west-3": "pl-75b1541c",
    "sa-east-1": "pl-5da64334",
    "us-east-1": "pl-3b927c52",
    "us-east-2": "pl-b6a144df",
    "us-west-1": "pl-4ea04527",
    "us-west-2": "pl-82a045eb",
}

# Name of that prefix list (the same in every region).
CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST_NAME = "com.amazonaws.global.cloudfront.origin-facing"

# CloudFront's control plane is in us-east-1: a distribution's ACM
# certificate and a CLOUDFRONT-scoped WAF web ACL (or IP set) must be created
# there (https://docs.aws.amazon.com/acm/latest/userguide/acm-services.html,
# https://docs.aws.amazon.com/waf/latest/APIReference/API_CreateWebACL.html: Scope).
CLOUDFRONT_REGION = "us-east-1"

# Route 53 alias hosted zones of Elastic Load Balancing, per region
# (https://docs.aws.amazon.com/general/latest/gr/elb.html). moto answers
# "Z2P70J7EXAMPLE" everywhere; templates alias Route 53 records to
# CanonicalHostedZoneID. Regions not listed keep moto's value.
ALB_HOSTED_ZONES: dict[str, str] = {
    "us-east-1": "Z35SXDOTRQ7X7K",
    "us-east-2": "Z3AADJGX6KTTL2",
    "us-west-1": "Z368ELLRRE2KJ0",
    "us-west-2": "Z1H1FL5HABSF5",
    "eu-west-1": "Z32O12XQLNTSW2",
    "eu-central-1": "Z215JYRZR1TBD5",
}
NLB_HOSTED_ZONES: dict[str, str] = {
    "us-east-1": "Z26RNL4JYFTOTI",
    "us-east-2": "ZLMOA37VPKANP",
    "us-west-1": "Z24FKFUX50B4VW",
    "us-west-2": "Z18D5FSROUN65G",
    "eu-west-1": "Z2IFOLAFXWLO4F",
    "eu-central-1": "Z3F0SRJ5LGBH90",
}

# Elastic Load Balancing's log-delivery account per region, for regions
# available before August 2022
# (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html#attach-bucket-policy).
ELB_LOG_DELIVERY_ACCOUNTS: dict[str, str] = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "af-south-1": "098369216593",
    "ap-east-1": "754344448648",
    "ap-southeast-3": "589379963580",
    "ap-south-1": "718504428378",
    "ap-northeast-3": "383597477331",
    "ap-northeast-2": "600734575887",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ap-northeast-1": "582318560864",
    "ca-central-1": "985666609251",
    "eu-central-1": "054676820928",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-south-1": "635631232127",
    "eu-west-3": "009996457667",
    "eu-north-1": "897822967062",
    "me-south-1": "076674570225",
    "sa-east-1": "507241528517",
}
