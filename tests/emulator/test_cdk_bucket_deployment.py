"""CDK's ``Custom::CDKBucketDeployment`` (aws_s3_deployment.BucketDeployment), emulated natively
(providers/cdk_custom.py): source zips from an assets bucket unzipped into the destination
with the deployment's metadata, pruned, the distribution invalidated; the handler's failures."""

from __future__ import annotations

import io
import itertools
import zipfile

import pytest

TOKEN = "arn:aws:lambda:us-east-1:123456789012:function:CustomCDKBucketDeployment-never-invoked"
_names = itertools.count()


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


@pytest.fixture
def sources(aws):
    """An assets bucket, as the CLI's asset publishing leaves it: put(files) -> the object key."""
    s3 = aws("s3")
    bucket = f"assets-{next(_names)}"
    s3.create_bucket(Bucket=bucket)

    def put(files: dict[str, str]) -> tuple[str, str]:
        key = f"source-{next(_names)}.zip"
        s3.put_object(Bucket=bucket, Key=key, Body=_zip(files))
        return bucket, key

    return put


@pytest.fixture
def distribution(aws):
    cloudfront = aws("cloudfront")
    config = {
        "CallerReference": f"dist-{next(_names)}",
        "Comment": "bucket deployment test",
        "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": "origin.s3.amazonaws.com"}]},
        "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all"},
    }
    return cloudfront.create_distribution(DistributionConfig=config)["Distribution"]["Id"]


def _template(sources: list[tuple[str, str]], **props) -> dict:
    return {
        "Dest": {"Type": "AWS::S3::Bucket"},
        "Deployment": {
            "Type": "Custom::CDKBucketDeployment",
            "Properties": {
                "ServiceToken": TOKEN,
                "SourceBucketNames": [b for b, _ in sources],
                "SourceObjectKeys": [k for _, k in sources],
                "DestinationBucketName": {"Ref": "Dest"},
                "DestinationBucketArn": {"Fn::GetAtt": ["Dest", "Arn"]},
                **props,
            },
        },
    }


def _objects(aws, bucket: str) -> dict[str, dict]:
    s3 = aws("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    return {k: s3.get_object(Bucket=bucket, Key=k) for k in keys}


def test_sources_unzip_into_the_bucket_with_metadata_and_guessed_types(deploy, aws, sources):
    first = sources({"index.html": "<p>old</p>", "assets/app.js": "1", "data.bin": "x"})
    second = sources({"index.html": "<p>new</p>", "assets/style.css": "b{}"})
    stack = deploy(
        _template(
            [first, second],
            SystemMetadata={"cache-control": "public, max-age=60"},
            UserMetadata={"Build": "42"},
            Prune="false",
        ),
        {"Arn": {"Fn::GetAtt": ["Deployment", "DestinationBucketArn"]}},
    )
    assert stack.resources["Deployment"].startswith("aws.cdk.s3deployment.")
    bucket = stack.resources["Dest"]
    assert stack.outputs["Arn"] == f"arn:aws:s3:::{bucket}"
    objects = _objects(aws, bucket)
    assert sorted(objects) == ["assets/app.js", "assets/style.css", "data.bin", "index.html"]
    assert objects["index.html"]["Body"].read() == b"<p>new</p>", "a later source overwrites an earlier one"
    for obj in objects.values():
        assert obj["CacheControl"] == "public, max-age=60"
        assert obj["Metadata"] == {"build": "42"}  # the handler lower-cases user metadata keys
    types = {k: o["ContentType"] for k, o in objects.items()}
    # the CLI's mimetypes guess on the handler's python3.13; unknown: S3's default
    assert types == {
        "index.html": "text/html",
        "assets/app.js": "text/javascript",
        "assets/style.css": "text/css",
        "data.bin": "application/octet-stream",
    }
    aws("cloudformation").delete_stack(StackName=stack.name)


def test_prefix_prune_and_exclude_filters(deploy, aws, sources):
    v1 = sources({"a.txt": "1", "old.txt": "1"})
    stack = deploy(_template([v1], DestinationBucketKeyPrefix="site"))
    bucket = stack.resources["Dest"]
    s3 = aws("s3")
    s3.put_object(Bucket=bucket, Key="site/keep/me.txt", Body=b"kept by the filter")
    s3.put_object(Bucket=bucket, Key="outside.txt", Body=b"outside the prefix")
    assert sorted(_objects(aws, bucket)) == ["outside.txt", "site/a.txt", "site/keep/me.txt", "site/old.txt"]

    v2 = sources({"a.txt": "2"})
    stack = deploy(_template([v2], DestinationBucketKeyPrefix="site", Exclude=["keep/*"]), update_of=stack)
    objects = _objects(aws, bucket)
    # pruned: old.txt; kept: the excluded pattern and everything outside the prefix
    assert sorted(objects) == ["outside.txt", "site/a.txt", "site/keep/me.txt"]
    assert objects["site/a.txt"]["Body"].read() == b"2"

    v3 = sources({"b.txt": "3"})
    deploy(_template([v3], DestinationBucketKeyPrefix="site", Prune=False), update_of=stack)
    assert sorted(_objects(aws, bucket)) == ["outside.txt", "site/a.txt", "site/b.txt", "site/keep/me.txt"]
    aws("cloudformation").delete_stack(StackName=stack.name)


def test_markers_are_replaced_in_the_files(deploy, aws, sources):
    source = sources({"config.json": '{"api": "<<marker:0xbaba:0>>"}'})
    stack = deploy(
        _template(
            [source],
            SourceMarkers=[{"<<marker:0xbaba:0>>": 'https://x/"q"'}],
            SourceMarkersConfig=[{"jsonEscape": "true"}],
        )
    )
    body = _objects(aws, stack.resources["Dest"])["config.json"]["Body"].read()
    assert body == b'{"api": "https://x/\\"q\\""}'
    aws("cloudformation").delete_stack(StackName=stack.name)


def test_distribution_paths_are_invalidated_on_each_deployment(deploy, aws, sources, distribution):
    source = sources({"index.html": "hi"})
    stack = deploy(_template([source], DistributionId=distribution, DistributionPaths=["/index.html", "/"]))
    cloudfront = aws("cloudfront")

    def batches() -> list[list[str]]:
        listed = cloudfront.list_invalidations(DistributionId=distribution)["InvalidationList"].get("Items", [])
        found = [cloudfront.get_invalidation(DistributionId=distribution, Id=i["Id"]) for i in listed]
        return [f["Invalidation"]["InvalidationBatch"]["Paths"]["Items"] for f in found]

    assert batches() == [["/index.html", "/"]]
    deploy(_template([sources({"index.html": "hi again"})], DistributionId=distribution), update_of=stack)
    # without DistributionPaths: everything under the prefix
    assert sorted(map(tuple, batches())) == [("/*",), ("/index.html", "/")]


def test_missing_distribution_fails_with_cloudfronts_error(deploy, sources):
    stack = deploy(_template([sources({"a": "1"})], DistributionId="E000000NOSUCH"), expect_ok=False)
    (failure,) = [f for f in stack.failures() if f.startswith("Deployment:")]
    assert (
        "Received response status [FAILED] from custom resource. Message returned: An error occurred "
        "(NoSuchDistribution) when calling the CreateInvalidation operation" in failure
    )


def test_missing_source_zip_fails_as_the_cli_copy_does(deploy, sources):
    bucket, _ = sources({"a": "1"})
    stack = deploy(_template([(bucket, "not-published.zip")]), expect_ok=False)
    (failure,) = [f for f in stack.failures() if f.startswith("Deployment:")]
    assert f"Message returned: Command ['/opt/awscli/aws', 's3', 'cp', 's3://{bucket}/not-published.zip', " in failure
    assert "returned non-zero exit status 1." in failure


def test_missing_property_is_the_handlers_message(deploy):
    resources = {"D": {"Type": "Custom::CDKBucketDeployment", "Properties": {"ServiceToken": TOKEN}}}
    stack = deploy(resources, expect_ok=False)
    (failure,) = [f for f in stack.failures() if f.startswith("D:")]
    assert "Message returned: missing request resource property 'SourceBucketNames'. props: " in failure


@pytest.mark.parametrize(
    "case",
    [("true", None, ["index.html"]), ("false", None, []), ("false", "aws-cdk:cr-owned:abc", ["index.html"])],
    ids=["retained-by-default", "removed", "owned-by-another-deployment"],
)
def test_delete_removes_the_content_only_without_retain(deploy, aws, sources, case):
    retain, owner_tag, left = case
    s3 = aws("s3")
    bucket = f"retain-{next(_names)}"
    s3.create_bucket(Bucket=bucket)
    if owner_tag:
        s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": owner_tag, "Value": "true"}]})
    resources = _template([sources({"index.html": "hi"})], RetainOnDelete=retain)
    del resources["Dest"]
    resources["Deployment"]["Properties"]["DestinationBucketName"] = bucket
    del resources["Deployment"]["Properties"]["DestinationBucketArn"]
    stack = deploy(resources)
    assert list(_objects(aws, bucket)) == ["index.html"]
    aws("cloudformation").delete_stack(StackName=stack.name)
    assert list(_objects(aws, bucket)) == left


def test_unsupported_metadata_fails_loudly(deploy, sources):
    stack = deploy(_template([sources({"a": "1"})], SystemMetadata={"website-redirect": "/x"}), expect_ok=False)
    (failure,) = [f for f in stack.failures() if f.startswith("Deployment:")]
    assert "not emulated: BucketDeployment system metadata website-redirect" in failure
