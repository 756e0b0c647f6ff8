"""AWS facts and limits the configuration is checked against, each with its source.

A value outside these is refused before synth, with the limit named, instead
of failing minutes into a deploy.
"""

from __future__ import annotations

from webstack_pitfalls.aws import CLOUDFRONT_REGION

DEFAULT_REGION = "us-west-2"

# CloudFront takes web ACLs and certificates from us-east-1 only (pitfalls D3, D4).
EDGE_REGION = CLOUDFRONT_REGION

# Regions webstack knows and the zone letters each one offers (synth never looks
# zones up, conventions 7). A zone outside this table fails validation instead
# of being discovered at deploy time.
# https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-regions-availability-zones.html
REGION_ZONES: dict[str, str] = {
    "us-east-1": "abcdef",
    "us-east-2": "abc",
    "us-west-1": "ac",
    "us-west-2": "abcd",
    "ca-central-1": "abd",
    "eu-west-1": "abc",
    "eu-west-2": "abc",
    "eu-west-3": "abc",
    "eu-central-1": "abc",
    "eu-north-1": "abc",
    "ap-southeast-1": "abc",
    "ap-southeast-2": "abc",
    "ap-northeast-1": "acd",
    "ap-south-1": "abc",
    "sa-east-1": "abc",
}

# CloudWatch Logs accepts only these retention periods (days).
# https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)

# https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/PriceClass.html
PRICE_CLASSES = ("PriceClass_100", "PriceClass_200", "PriceClass_All")

# AWS-managed prefix list "com.amazonaws.global.cloudfront.origin-facing", per
# region (AWS publishes one id per region; verify with
#   aws ec2 describe-managed-prefix-lists \
#     --filters Name=prefix-list-name,Values=com.amazonaws.global.cloudfront.origin-facing
# and override with origin_protection.prefix_list_id if AWS ever changes it).
# https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/LocationsOfEdgeServers.html#managed-prefix-list
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

# A resource takes at most 50 user tags; CDK and webstack add Name (on VPC
# resources), Project and Environment, so a configuration may add 47.
# https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html#tag-conventions
MAX_TAGS = 50
TAGS_WEBSTACK_ADDS = ("Name", "Project", "Environment")
TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256

# An ALB http-header rule condition names a header of at most 40 characters.
# https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html#http-header-conditions
ALB_HEADER_NAME_MAX = 40

# Headers CloudFront refuses to add to origin requests as custom headers.
# https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/add-origin-custom-headers.html#add-origin-custom-headers-denylist
CLOUDFRONT_FORBIDDEN_ORIGIN_HEADERS = frozenset(
    h.lower()
    for h in (
        "Cache-Control",
        "Connection",
        "Content-Length",
        "Cookie",
        "Host",
        "If-Match",
        "If-Modified-Since",
        "If-None-Match",
        "If-Range",
        "If-Unmodified-Since",
        "Max-Forwards",
        "Pragma",
        "Proxy-Authorization",
        "Proxy-Connection",
        "Range",
        "Request-Range",
        "TE",
        "Trailer",
        "Transfer-Encoding",
        "Upgrade",
        "Via",
        "X-Real-Ip",
    )
)
CLOUDFRONT_FORBIDDEN_ORIGIN_HEADER_PREFIXES = ("x-amz-", "x-edge-")

# ACM: at most 100 names per certificate (the default quota is 10; raise it
# in Service Quotas first for more).
# https://docs.aws.amazon.com/acm/latest/userguide/acm-limits.html
ACM_NAMES_PER_CERTIFICATE = 100

# CloudWatch alarms: the period is 10, 20, 30 or a multiple of 60 seconds, and
# periods x evaluation periods may not exceed one day. CDK accepts 1, 5, 10, 30
# and multiples of 60 (aws-cloudwatch Metric validation), so 20 synthesizes
# nowhere: webstack offers the intersection.
# https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
ALARM_PERIODS_BELOW_A_MINUTE = (10, 30)
ALARM_WINDOW_MAX_SECONDS = 86_400

# AWS WAF IP sets: IPv4 /1../32, IPv6 /1../128 (not /0).
# https://docs.aws.amazon.com/waf/latest/APIReference/API_IPSet.html
WAF_IP_PREFIX_MIN = 1
# Rate-based rules: 10 to 2,000,000,000 requests per evaluation window.
# https://docs.aws.amazon.com/waf/latest/APIReference/API_RateBasedStatement.html
WAF_RATE_LIMIT_RANGE = (10, 2_000_000_000)

# CloudFront path patterns: at most 255 characters of A-Z a-z 0-9 _ - . * $ / ~ " ' @ : + & and ? / * wildcards.
# https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/distribution-web-values-specify.html#DownloadDistValuesPathPattern
CLOUDFRONT_PATH_PATTERN_MAX = 255
CLOUDFRONT_PATH_PATTERN_CHARS = r"A-Za-z0-9_\-.*$/~\"'@:+&?"

# Private (RFC 1918) ranges a VPC may use. Python's ipaddress calls loopback
# and link-local "private" too; a VPC cannot use those.
# https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html
RFC1918 = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
# webstack carves a /24 public and a /22 private subnet per zone (constructs/network.py).
ADDRESSES_PER_ZONE = 256 + 1024

# Graviton instance families (arm64): a1 (first generation) and every family
# whose name carries a "g" after the generation digit (t4g, m7g, c7gn, r8g...),
# but not the GPU families g4dn/g5/g6.
# https://docs.aws.amazon.com/ec2/latest/instancetypes/instance-type-names.html
GRAVITON_FIRST_GENERATION = frozenset({"a1"})
GPU_FAMILIES_NAMED_G = frozenset({"g4dn", "g4ad", "g5", "g6", "g6e", "g6f"})

# Account ids AWS's documentation uses in examples (never a real account).
DOCUMENTATION_ACCOUNT_IDS = frozenset({"111122223333", "123456789012", "444455556666", "777788889999", "000000000000"})
