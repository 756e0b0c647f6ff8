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
