"""The origin application (``app/``): a CDK asset and the user data that runs it.

The folder is zipped into the bootstrap assets bucket under its content hash;
the hash is in the user data (the download URL and the build the app
reports), so a changed application is a new launch template version and the
group's rolling update replaces the instances with ones that run it.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3_assets as s3_assets
from constructs import Construct

_SCRIPT = Path(__file__).parent / "assets" / "user_data.sh"
# Byte code and editor litter never belong in the bundle (and would change its hash).
_EXCLUDE = ["**/__pycache__", "**/*.pyc", "**/.DS_Store", "**/*.swp"]


class OriginApp(Construct):
    """Attributes: ``asset`` (the zipped folder), ``user_data`` (installs and starts it).

    :param folder: the application folder, with a ``webstack_app`` package (config ``app.path``).
    :param port: the port the application listens on: the target group's.
    :param health_path: the target group's health-check path, which the application answers.
    """

    def __init__(self, scope: Construct, construct_id: str, *, folder: Path, port: int, health_path: str) -> None:
        super().__init__(scope, construct_id)
        self.asset = s3_assets.Asset(self, "Bundle", path=str(folder), exclude=_EXCLUDE)
        script = _SCRIPT.read_text()
        for marker, value in (
            ("__APP_URL__", self.asset.s3_object_url),
            ("__REGION__", Stack.of(self).region),
            ("__PORT__", str(port)),
            ("__HEALTH_PATH__", health_path),
            ("__BUILD__", self.asset.asset_hash),
        ):
            script = script.replace(marker, value)
        self.user_data = ec2.UserData.for_linux()
        self.user_data.add_commands(script)

    def grant_read(self, grantee: iam.IGrantable) -> None:
        """``s3:GetObject`` of this bundle's object only: all ``aws s3 cp`` of one object needs.
        (``Asset.grant_read`` would open the whole assets bucket; ``bucket.grant_read`` with the
        key still grants ``s3:GetBucket*``/``List*`` on the bucket.) The bootstrap bucket's
        default encryption is the AWS managed ``aws/s3`` key, which S3 uses on the reader's
        behalf without a KMS grant in its policy."""
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject"], resources=[self.asset.bucket.arn_for_objects(self.asset.s3_object_key)]
            )
        )
