"""The static site (``site/``) copied into the content bucket, cached by kind.

Two ``BucketDeployment``s, because one deployment gives every object the same
``Cache-Control``:

* ``Assets``: ``assets/`` (content-hashed names) with ``public,
  max-age=<cdn.immutable_ttl_days>, immutable``. Never pruned: a page still
  cached at the edge or in a browser (up to ``cdn.html_ttl_seconds``) keeps
  asking for the previous build's files. Not invalidated: a changed file has a
  new name.
* ``Pages``: everything else (HTML) with ``public, max-age=<cdn.html_ttl_seconds>``,
  the HTML cache policy's default TTL. Pruned, except ``assets/*``, which the
  sync's filter keeps out of both the upload and the deletion. The pages'
  paths are invalidated on the distribution after each deployment, and the
  pages deploy after the assets, so no page names a file not yet there.

The handler is CDK's Lambda function with the AWS CLI layer; it reads the
source zips from the assets bucket and writes the content bucket, whose
SSE-KMS key CDK grants it (``grant_read_write`` on a bucket that has its key).
https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_s3_deployment-readme.html
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from aws_cdk import DefaultStackSynthesizer, RemovalPolicy, Stack, Token
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from webstack.config import CdnTuning
from webstack.constructs.acknowledge import acknowledge, logical_id_of, skip_checkov, skip_checkov_on_grant_policy
from webstack.constructs.retention import log_retention

ASSETS_DIR = "assets"
# One invalidation path per page until there are many; then one wildcard, which
# CloudFront bills as one path.
# https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/PayingForInvalidation.html
MAX_LISTED_PATHS = 100


def page_paths(folder: Path) -> list[str]:
    """The URL paths of the site's files outside ``assets/``; a folder's index.html also as ``/dir/``."""
    paths: list[str] = []
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = file.relative_to(folder).as_posix()
        if relative.split("/", 1)[0] == ASSETS_DIR:
            continue
        paths.append("/" + quote(relative))
        if file.name == "index.html":
            paths.append("/" + quote(relative[: -len("index.html")]))
    return paths if len(paths) <= MAX_LISTED_PATHS else ["/*"]


class SiteDeployment(Construct):
    """Attributes: ``assets``, ``pages`` (the two deployments).

    :param folder: the site (config ``site.path``): index.html at its top, hashed files in ``assets/``.
    :param bucket: the content bucket (SSE-KMS with its key).
    :param distribution: invalidated after the pages change.
    :param tuning: the CDN's TTLs, which the objects' ``Cache-Control`` repeats.
    :param memory_limit_mib: the handler's memory (config ``site.deployment_memory_mb``).
    :param log_key: encrypts the handler's log group.
    :param log_retention_days: the handler's log retention.
    :param removal_policy: of the log group.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        folder: Path,
        bucket: s3.IBucket,
        distribution: cloudfront.IDistribution,
        tuning: CdnTuning,
        memory_limit_mib: int,
        log_key: kms.IKey,
        log_retention_days: int,
        removal_policy: RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        self.log_group = log_group = logs.LogGroup(
            self,
            "HandlerLogs",
            encryption_key=log_key,
            retention=log_retention(log_retention_days),
            removal_policy=removal_policy,
        )
        immutable = f"public, max-age={tuning.immutable_ttl_days * 86400}, immutable"
        self.assets = s3deploy.BucketDeployment(
            self,
            "Assets",
            sources=[s3deploy.Source.asset(str(folder / ASSETS_DIR))],
            destination_bucket=bucket,
            destination_key_prefix=f"{ASSETS_DIR}/",
            cache_control=[s3deploy.CacheControl.from_string(immutable)],
            prune=False,
            memory_limit=memory_limit_mib,
            log_group=log_group,
        )
        self.pages = s3deploy.BucketDeployment(
            self,
            "Pages",
            sources=[s3deploy.Source.asset(str(folder), exclude=[f"{ASSETS_DIR}/*"])],
            destination_bucket=bucket,
            cache_control=[s3deploy.CacheControl.from_string(f"public, max-age={tuning.html_ttl_seconds}")],
            prune=True,
            exclude=[f"{ASSETS_DIR}/*"],
            distribution=distribution,
            distribution_paths=page_paths(folder),
            memory_limit=memory_limit_mib,
            log_group=log_group,
        )
        self.pages.node.add_dependency(self.assets)
        self._acknowledge(bucket)

    def _acknowledge(self, bucket: s3.IBucket) -> None:
        """CDK's handler function and role, one for both deployments (a singleton per stack and memory size)."""
        role = self.pages.handler_role
        function = role.node.scope
        assert function is not None
        acknowledge(
            role,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
            "CDK's BucketDeployment handler role: the AWS-maintained policy lets it write its own logs, nothing more",
        )
        acknowledge(role, "NIST.800.53.R5-IAMNoInlinePolicy", "CDK's grant policy for the deployment handler only")
        for action, why in _HANDLER_ACTIONS.items():
            acknowledge(role, f"AwsSolutions-IAM5[Action::{action}]", why)
        acknowledge(
            role,
            f"AwsSolutions-IAM5[Resource::<{logical_id_of(bucket)}.Arn>/*]",
            "the handler syncs the whole site: it writes and prunes any object of the content bucket",
        )
        acknowledge(
            role,
            f"AwsSolutions-IAM5[Resource::{_assets_bucket_arn(Stack.of(self))}/*]",
            "CDK grants the handler read of the assets bucket, where the CLI publishes the site's zips under "
            "content-hash names not known when the policy is written",
        )
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::*]",
            "CDK's handler statement for cloudfront:CreateInvalidation/GetInvalidation names Resource '*' "
            "(aws-cdk-lib 2.275); the role is this handler's alone, and it invalidates only the distribution given",
        )
        skip_checkov_on_grant_policy(
            role,
            "CKV_AWS_111",
            "CDK's BucketDeployment grants: the one unconstrained write is cloudfront:CreateInvalidation on '*', "
            "which CDK writes (aws-cdk-lib 2.275); every S3 write is held to the content bucket",
        )
        skip_checkov(
            function,
            "CKV_AWS_173",
            "CDK's handler's environment holds no secret (the AWS CLI layer's path); nothing to encrypt with a CMK",
        )
        acknowledge(
            function,
            "AwsSolutions-L1",
            "CDK's own handler: aws-cdk-lib pins the runtime it is tested on and moves it with CDK upgrades",
        )
        acknowledge(
            function,
            "NIST.800.53.R5-LambdaConcurrency",
            "invoked only by CloudFormation, once per deployment resource and stack operation",
            checkov=("CKV_AWS_115",),
        )
        acknowledge(
            function,
            "NIST.800.53.R5-LambdaDLQ",
            "a failure is the handler's FAILED answer to CloudFormation, which fails and rolls back the deployment; "
            "there is no event to keep for a retry",
            checkov=("CKV_AWS_116",),
        )
        acknowledge(
            function,
            "NIST.800.53.R5-LambdaInsideVPC",
            "the handler calls only the S3 and CloudFront APIs and takes no inbound connection; in the VPC it would "
            "need NAT or endpoints for both to do the same",
            checkov=("CKV_AWS_117",),
        )


def _assets_bucket_arn(stack: Stack) -> str:
    """The bootstrap assets bucket's ARN as cdk-nag prints it in a finding id."""
    region = "<AWS::Region>" if Token.is_unresolved(stack.region) else stack.region
    partition = "<AWS::Partition>" if Token.is_unresolved(stack.partition) else stack.partition
    account = "<AWS::AccountId>" if Token.is_unresolved(stack.account) else stack.account
    qualifier = DefaultStackSynthesizer.DEFAULT_QUALIFIER
    return f"arn:{partition}:s3:::cdk-{qualifier}-assets-{account}-{region}"


_HANDLER_ACTIONS = {
    "s3:GetBucket*": "CDK's read grant on the source zips and the content bucket (aws s3 sync lists and reads)",
    "s3:GetObject*": "CDK's read grant on the source zips and the content bucket (aws s3 sync lists and reads)",
    "s3:List*": "CDK's read grant on the source zips and the content bucket (aws s3 sync lists and reads)",
    "s3:Abort*": "CDK's write grant on the content bucket: aws s3 sync uploads large files in parts",
    "s3:DeleteObject*": "CDK's write grant on the content bucket: pruning deletes pages the site no longer has",
    "kms:GenerateDataKey*": "CDK's grant on the content bucket's key: writing SSE-KMS objects needs a data key",
    "kms:ReEncrypt*": "CDK's grant on the content bucket's key, part of its read-write key grant",
}
