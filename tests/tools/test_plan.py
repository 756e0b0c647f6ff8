"""``make plan``: each resource change classified, broadenings found, the report, the exit code.

Small template pairs pin each classification (with the real create-only
properties of the resource schemas cfn-lint ships); one test runs the real
dev synthesis (the session fixture) through a rename of the content bucket and
a widened grant; the sources (a git commit, the emulator) are tested on a
scratch repository and an in-process emulator.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from webstack_tools.plan import Allowed, AllowListError, Kind, Plan, Review, StackTemplate, classify, markdown, text
from webstack_tools.plan import cli as plan_cli
from webstack_tools.plan.allow import parse_allow_list
from webstack_tools.plan.sources import PlanError, checkout, deployed

WEB = "webstack-dev-web"
EDGE = "webstack-dev-edge"
REGION = "us-west-2"
ACCOUNT_ROOT = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::", {"Ref": "AWS::AccountId"}, ":root"]]}


def _stack(resources: Mapping[str, Any], outputs: Mapping[str, Any] | None = None, name: str = WEB) -> StackTemplate:
    template: dict[str, Any] = {"Resources": dict(resources)}
    if outputs:
        template["Outputs"] = dict(outputs)
    return StackTemplate(name, "us-east-1" if name == EDGE else REGION, template)


def _plan(before: Mapping[str, Any], after: Mapping[str, Any]) -> Plan:
    return classify([_stack(before)], [_stack(after)])


def _kinds(plan: Plan) -> set[tuple[str, Kind]]:
    return {(c.logical_id, c.kind) for c in plan.changes}


def _change(plan: Plan, lid: str, kind: Kind):
    found = [c for c in plan.changes if c.logical_id == lid and c.kind is kind]
    assert len(found) == 1, f"{lid} {kind}: {plan.changes}"
    return found[0]


def _bucket(**props: Any) -> dict[str, Any]:
    return {"Type": "AWS::S3::Bucket", "Properties": props, "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}


def _policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {
        "Type": "AWS::IAM::Policy",
        "Properties": {
            "PolicyName": "Reads",
            "Roles": [{"Ref": "Role"}],
            "PolicyDocument": {"Version": "2012-10-17", "Statement": list(statements)},
        },
    }


def _allow(actions: list[str], resource: Any, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resource, **extra}


def _group(*ingress: dict[str, Any]) -> dict[str, Any]:
    return {
        "Type": "AWS::EC2::SecurityGroup",
        "Properties": {"GroupDescription": "web", "VpcId": "vpc-1", "SecurityGroupIngress": list(ingress)},
    }


def _tcp(port: int, cidr: str, to_port: int | None = None) -> dict[str, Any]:
    return {"IpProtocol": "tcp", "FromPort": port, "ToPort": to_port or port, "CidrIp": cidr}


# ---------------------------------------------------------------------------
# add, modify, replace, delete


def test_an_unchanged_template_has_no_changes():
    resources = {
        "Content": _bucket(VersioningConfiguration={"Status": "Enabled"}),
        "Topic": {"Type": "AWS::SNS::Topic"},
    }
    plan = _plan(resources, copy.deepcopy(resources))
    assert plan.changes == ()
    review = Review("webstack plan: dev", plan, {})
    assert review.exit_code == 0
    assert "No resource changes." in markdown(review)


def test_a_new_resource_is_an_add():
    plan = _plan({"Content": _bucket()}, {"Content": _bucket(), "Topic": {"Type": "AWS::SNS::Topic"}})
    assert _kinds(plan) == {("Topic", Kind.ADD)}


def test_an_updatable_property_is_a_modify():
    plan = _plan({"Content": _bucket()}, {"Content": _bucket(VersioningConfiguration={"Status": "Enabled"})})
    assert _kinds(plan) == {("Content", Kind.MODIFY)}
    assert _change(plan, "Content", Kind.MODIFY).details == ("properties: VersioningConfiguration",)
    assert Review("t", plan, {}).exit_code == 0  # a stateful resource modified in place keeps its data


def test_a_create_only_property_replaces_the_resource():
    """S3's schema lists BucketName in createOnlyProperties: a new name is a new bucket."""
    plan = _plan({"Content": _bucket(BucketName="shop-content-a")}, {"Content": _bucket(BucketName="shop-content-b")})
    change = _change(plan, "Content", Kind.REPLACE)
    assert change.details[0] == "create-only BucketName: shop-content-a -> shop-content-b"
    assert not change.conservative
    assert change.destructive
    assert Review("t", plan, {}).exit_code == 1


def test_a_type_change_is_a_replace():
    plan = _plan({"Alerts": {"Type": "AWS::SNS::Topic"}}, {"Alerts": {"Type": "AWS::SQS::Queue"}})
    assert _change(plan, "Alerts", Kind.REPLACE).details == ("type changed: AWS::SNS::Topic -> AWS::SQS::Queue",)


def test_a_renamed_logical_id_is_a_delete_and_an_add():
    before = {"Content": _bucket(), "ContentPolicy": _bucket_policy({"Ref": "Content"}, _tls_deny({"Ref": "Content"}))}
    after = {
        "SiteContent": _bucket(),
        "ContentPolicy": _bucket_policy({"Ref": "SiteContent"}, _tls_deny({"Ref": "SiteContent"})),
    }
    plan = _plan(before, after)
    assert _kinds(plan) == {
        ("Content", Kind.DELETE),
        ("SiteContent", Kind.ADD),
        ("ContentPolicy", Kind.REPLACE),  # its create-only Bucket names the new bucket
    }
    deleted = _change(plan, "Content", Kind.DELETE)
    assert deleted.details[0] == "renamed to SiteContent: a new, empty resource is created and this one deleted"
    assert deleted.details[1] == "kept outside the stack (DeletionPolicy Retain)"
    assert "renamed from Content" in _change(plan, "SiteContent", Kind.ADD).details[0]
    assert not plan.of_kind(Kind.BROADEN)  # the same grants on the renamed bucket


def test_a_deleted_stateful_resource_fails_the_plan_and_a_stateless_one_does_not():
    stateful = _plan({"Key": {"Type": "AWS::KMS::Key", "Properties": {}}}, {})
    assert _kinds(stateful) == {("Key", Kind.DELETE)}
    assert Review("t", stateful, {}).exit_code == 1
    stateless = _plan({"Topic": {"Type": "AWS::SNS::Topic"}}, {})
    assert Review("t", stateless, {}).exit_code == 0


def test_an_allow_listed_stateful_delete_passes_with_its_reason():
    plan = _plan({"Key": {"Type": "AWS::KMS::Key", "Properties": {}}}, {})
    entries = (Allowed(WEB, "Key", "the key encrypts nothing since 2024"), Allowed(WEB, "Other", "stale"))
    review = plan_cli.review_of("t", plan, entries)
    assert review.exit_code == 0
    assert review.label(plan.changes[0]) == "delete (stateful, allowed)"
    assert review.details(plan.changes[0])[0] == "allowed by plan-allow.toml: the key encrypts nothing since 2024"
    assert any("allows webstack-dev-web/Other, which this change does not replace" in n for n in review.plan.notes)
    # The entry names stack and logical id: the same id in another stack is not allowed.
    other_stack = plan_cli.review_of("t", plan, (Allowed("webstack-prod-web", "Key", "prod"),))
    assert other_stack.exit_code == 1


# ---------------------------------------------------------------------------
# values known only at deploy


def test_a_reference_to_a_replaced_resource_classifies_conservatively():
    before = {
        "Content": _bucket(BucketName="shop-content-a"),
        "ContentPolicy": _bucket_policy({"Ref": "Content"}, _tls_deny({"Fn::GetAtt": ["Content", "Arn"]})),
        "Reads": _policy(_allow(["s3:GetObject"], {"Fn::GetAtt": ["Content", "Arn"]})),
    }
    after = copy.deepcopy(before)
    after["Content"]["Properties"]["BucketName"] = "shop-content-b"
    plan = _plan(before, after)
    # The policy's text is unchanged, but its create-only Bucket resolves to the new bucket's name.
    policy = _change(plan, "ContentPolicy", Kind.REPLACE)
    assert policy.conservative
    assert policy.details == (
        "create-only Bucket refers to Content, which is replaced: its value is known only at deploy",
        "PolicyDocument.Statement refers to Content, which is replaced: its value is known only at deploy",
    )
    reads = _change(plan, "Reads", Kind.MODIFY)
    assert reads.conservative and "refers to Content, which is replaced" in reads.details[0]
    assert "(conservative)" in Review("t", plan, {}).label(policy)


def test_an_attribute_of_a_modified_resource_is_followed_unless_it_names_the_resource():
    template = {
        "LaunchTemplate": {"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": {"ImageId": "a"}}},
        "Asg": {
            "Type": "AWS::AutoScaling::AutoScalingGroup",
            "Properties": {
                "MaxSize": "2",
                "MinSize": "1",
                "LaunchTemplate": {
                    "LaunchTemplateId": {"Ref": "LaunchTemplate"},
                    "Version": {"Fn::GetAtt": ["LaunchTemplate", "LatestVersionNumber"]},
                },
            },
        },
        "Key": {"Type": "AWS::KMS::Key", "Properties": {"Description": "a"}},
        "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"KmsKeyId": {"Fn::GetAtt": ["Key", "Arn"]}}},
    }
    after = copy.deepcopy(template)
    after["LaunchTemplate"]["Properties"]["LaunchTemplateData"]["ImageId"] = "b"
    after["Key"]["Properties"]["Description"] = "b"
    plan = _plan(template, after)
    assert _kinds(plan) == {
        ("LaunchTemplate", Kind.MODIFY),
        ("Asg", Kind.MODIFY),  # a new launch template version rolls the group
        ("Key", Kind.MODIFY),  # ... but its ARN stays: the log group is untouched
    }
    assert (
        "reads LaunchTemplate.LatestVersionNumber, and LaunchTemplate is modified"
        in _change(plan, "Asg", Kind.MODIFY).details[0]
    )


def test_a_changed_output_of_another_stack_reaches_its_readers():
    def edge(name: str) -> StackTemplate:
        return _stack(
            {"Acl": {"Type": "AWS::WAFv2::WebACL", "Properties": {"Name": name, "Scope": "CLOUDFRONT"}}},
            {"AclArn": {"Value": {"Fn::GetAtt": ["Acl", "Arn"]}}},
            name=EDGE,
        )

    read = {"Fn::GetStackOutput": {"StackName": EDGE, "OutputName": "AclArn", "Region": "us-east-1"}}
    web = _stack(
        {"Cdn": {"Type": "AWS::CloudFront::Distribution", "Properties": {"DistributionConfig": {"WebACLId": read}}}}
    )
    plan = classify([edge("a"), web], [edge("b"), web])
    assert _change(plan, "Acl", Kind.REPLACE).stack == EDGE  # WebACL Name is create-only
    cdn = _change(plan, "Cdn", Kind.MODIFY)
    assert cdn.conservative and "reads webstack-dev-edge/AclArn, which changes" in cdn.details[0]


# ---------------------------------------------------------------------------
# broaden


def test_a_new_action_in_an_iam_statement_is_a_broaden():
    arn = {"Fn::GetAtt": ["Content", "Arn"]}
    before = {"Reads": _policy(_allow(["s3:GetObject"], arn))}
    after = {"Reads": _policy(_allow(["s3:GetObject", "s3:PutObject"], arn))}
    plan = _plan(before, after)
    assert _kinds(plan) == {("Reads", Kind.MODIFY), ("Reads", Kind.BROADEN)}
    assert _change(plan, "Reads", Kind.BROADEN).details == ("PolicyDocument: Allow widened: +actions s3:PutObject",)
    assert Review("t", plan, {}).exit_code == 0  # broadening alone does not fail the plan


def test_a_narrower_or_already_covered_statement_is_not_a_broaden():
    arn = {"Fn::GetAtt": ["Content", "Arn"]}
    before = {"Reads": _policy(_allow(["s3:Get*", "s3:List*"], [arn, "arn:aws:s3:::logs/*"]))}
    narrower = {"Reads": _policy(_allow(["s3:GetObject"], "arn:aws:s3:::logs/2024/*"))}
    assert _kinds(_plan(before, narrower)) == {("Reads", Kind.MODIFY)}


def test_a_wider_resource_a_removed_condition_and_a_new_principal_are_broadenings():
    scoped = {"StringEquals": {"AWS:SourceArn": "arn:aws:cloudfront::123456789012:distribution/E1"}}
    statement = {
        "Sid": "AllowCloudFront",
        "Effect": "Allow",
        "Principal": {"Service": "cloudfront.amazonaws.com"},
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::content/*",
        "Condition": scoped,
    }
    before = {"ContentPolicy": _bucket_policy("content", statement)}
    wider = copy.deepcopy(statement)
    wider.pop("Condition")
    wider["Resource"] = "*"
    wider["Principal"] = {"Service": ["cloudfront.amazonaws.com", "logging.s3.amazonaws.com"]}
    details = _change(_plan(before, {"ContentPolicy": _bucket_policy("content", wider)}), "ContentPolicy", Kind.BROADEN)
    assert details.details == (
        "PolicyDocument: Allow AllowCloudFront widened: +resources *; +principals Service:logging.s3.amazonaws.com; "
        "condition removed: StringEquals AWS:SourceArn",
    )


def test_a_removed_deny_is_a_broaden():
    before = {"ContentPolicy": _bucket_policy("content", _tls_deny("arn:aws:s3:::content"))}
    after = {"ContentPolicy": _bucket_policy("content", _allow(["s3:GetObject"], "arn:aws:s3:::content/*"))}
    broaden = _change(_plan(before, after), "ContentPolicy", Kind.BROADEN)
    assert any(d.startswith("PolicyDocument: statement removed: Deny s3:*") for d in broaden.details)


def test_a_changed_statement_with_not_action_is_a_broaden_and_a_narrowed_deny_too():
    """NotAction (everything but) cannot be compared element by element: any change to one counts."""
    everything_but = {"Effect": "Allow", "NotAction": ["iam:*"], "Resource": "*"}
    before = {"Admin": _policy(everything_but)}
    after = {"Admin": _policy({**everything_but, "NotAction": ["iam:*", "organizations:*"]})}
    assert _change(_plan(before, after), "Admin", Kind.BROADEN).details[0].startswith("PolicyDocument: new statement")
    deny = _tls_deny("arn:aws:s3:::content")
    scoped = {**deny, "Condition": {**deny["Condition"], "StringEquals": {"aws:PrincipalAccount": "111122223333"}}}
    narrowed = _plan({"P": _bucket_policy("content", deny)}, {"P": _bucket_policy("content", scoped)})
    assert _change(narrowed, "P", Kind.BROADEN).details == (
        "PolicyDocument: Deny narrowed: condition added: StringEquals aws:PrincipalAccount",
    )


def test_a_key_policy_grant_to_a_new_principal_is_a_broaden():
    def key(*principals: Any) -> dict[str, Any]:
        use = {
            "Effect": "Allow",
            "Principal": {"AWS": list(principals)},
            "Action": ["kms:Decrypt"],
            "Resource": "*",
        }
        return {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {"Statement": [use]}}}

    plan = _plan({"Key": key(ACCOUNT_ROOT)}, {"Key": key(ACCOUNT_ROOT, "111122223333")})
    broaden = _change(plan, "Key", Kind.BROADEN)
    assert broaden.details == ("KeyPolicy: Allow widened: +principals AWS:arn:aws:iam::111122223333:root",)


def test_ingress_opened_to_the_internet_is_a_broaden():
    plan = _plan({"Web": _group(_tcp(443, "10.0.0.0/16"))}, {"Web": _group(_tcp(443, "0.0.0.0/0"))})
    assert _change(plan, "Web", Kind.BROADEN).details == (
        "ingress to Web widened: tcp 443 from 0.0.0.0/0 (the whole internet) (was tcp 443 from 10.0.0.0/16)",
    )


def test_wider_ports_and_new_rules_are_broadenings_and_narrower_ones_are_not():
    before = {"Web": _group(_tcp(443, "10.0.0.0/16"))}
    assert _change(_plan(before, {"Web": _group(_tcp(0, "10.0.0.0/16", 65535))}), "Web", Kind.BROADEN)
    narrower = {"Web": _group(_tcp(443, "10.0.1.0/24"))}
    assert _kinds(_plan(before, narrower)) == {("Web", Kind.MODIFY)}
    rule = {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0", "GroupId": {"Ref": "Web"}}
    added = {**before, "Ssh": {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": rule}}
    ssh = _change(_plan(before, added), "Ssh", Kind.BROADEN)
    assert ssh.details == ("new ingress to Web: tcp 22 from 0.0.0.0/0 (the whole internet)",)


# ---------------------------------------------------------------------------
# the report and the command


def _destructive_review() -> Review:
    before = {"Content": _bucket(BucketName="a"), "Reads": _policy(_allow(["s3:GetObject"], "arn:aws:s3:::a/*"))}
    after = {"Content": _bucket(BucketName="b"), "Reads": _policy(_allow(["s3:GetObject"], "arn:aws:s3:::a|b/*"))}
    return Review("webstack plan: dev against git:main", _plan(before, after), {})


def test_the_markdown_report_is_a_table_with_the_blocking_change_first():
    report = markdown(_destructive_review())
    lines = report.splitlines()
    assert lines[0] == "## webstack plan: dev against git:main"
    assert "**Blocked: 1 stateful resource(s) replaced or deleted.**" in report
    assert "**Broadened access: 1 resource(s)**" in report
    header = lines.index("| stack | logical id | type | change | details |")
    assert lines[header + 1] == "|---|---|---|---|---|"
    rows = lines[header + 2 :]
    assert rows[0] == (
        "| webstack-dev-web | `Content` | AWS::S3::Bucket | **replace (stateful, BLOCKS)** | "
        "create-only BucketName: a -> b<br>the old resource is kept, outside the stack (UpdateReplacePolicy Retain) |"
    )
    assert rows[1].startswith("| webstack-dev-web | `Reads` | AWS::IAM::Policy | **broaden** | ")
    assert "arn:aws:s3:::a\\|b/*" in rows[1]  # a pipe in a value does not split the cell
    assert all(row.count(" | ") == 4 for row in rows)


def test_the_command_writes_the_report_and_exits_non_zero_on_a_stateful_replace(tmp_path, monkeypatch, capsys):
    review = _destructive_review()

    def commit(env_name: str, config: str | None, ref: str):
        assert (env_name, ref) == ("dev", "main")
        return review.title, [], review.plan

    monkeypatch.setattr(plan_cli, "against_commit", commit)
    report = tmp_path / "plan.md"
    argv = ["--env", "dev", "--against", "git:main", "--report", str(report), "--allow", str(tmp_path / "none.toml")]
    assert plan_cli.main(argv) == 1
    assert report.read_text() == markdown(review)
    out = capsys.readouterr().out
    assert out.startswith("webstack plan: dev against git:main\n")
    assert "BLOCKED: stateful resources replaced or deleted: webstack-dev-web/Content (replace)" in out
    allow = tmp_path / "allow.toml"
    allow.write_text('[[allow]]\nstack = "webstack-dev-web"\nlogical_id = "Content"\nreason = "dev data"\n')
    assert plan_cli.main([*argv[:-2], "--allow", str(allow)]) == 0
    assert "replace (stateful, allowed)" in report.read_text()


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('[[allow]]\nstack = "webstack-dev-web"\nlogical_id = "Content"\n', "allow[0]: reason (why replacing"),
        ('[[allow]]\nstack = "webstack-dev-web"\nlogical_id = "Content"\nreason = " "\n', "allow[0]: reason"),
        ('[[allow]]\nstack = "w"\nlogical_id = "C"\nreason = "r"\nwhy = "x"\n', "unknown key 'why'"),
        ('[allow]\nstack = "w"\n', "allow must be an array of tables"),
        ("[[allow]\n", "is not valid TOML"),
    ],
)
def test_a_malformed_allow_list_is_one_line_and_exit_2(tmp_path, capsys, text, says):
    with pytest.raises(AllowListError, match=re.escape(says)):
        parse_allow_list(text)
    bad = tmp_path / "plan-allow.toml"
    bad.write_text(text)
    assert plan_cli.main(["--env", "dev", "--allow", str(bad), "--report", str(tmp_path / "r.md")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and says in err and "Fix:" in err
    assert not (tmp_path / "r.md").exists()


def test_the_committed_allow_list_parses():
    root = Path(__file__).resolve().parents[2]
    assert parse_allow_list((root / "plan-allow.toml").read_text()) == ()


def test_against_the_emulator_with_none_running_is_one_line_and_exit_2(tmp_path, capsys):
    argv = ["--env", "dev", "--state-dir", str(tmp_path / "no-emulator"), "--report", str(tmp_path / "r.md")]
    assert plan_cli.main([*argv, "--allow", str(tmp_path / "none.toml")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "no local emulator is running" in err and "make up" in err and "--against git:HEAD" in err


def test_an_unknown_against_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as caught:
        plan_cli.main(["--against", "yesterday"])
    assert caught.value.code == 2
    assert "use `deployed` or `git:<ref>`" in capsys.readouterr().err


def test_text_report_names_the_blocked_resources():
    output = text(_destructive_review())
    assert "replace (stateful, BLOCKS)" in output
    assert output.splitlines()[-1].startswith("BLOCKED: stateful resources replaced or deleted")


# ---------------------------------------------------------------------------
# the real dev synthesis


def _dev_stacks(dev) -> list[StackTemplate]:
    return [
        StackTemplate(dev.stacks.web.stack_name, dev.stacks.web.region, dev.web.to_json()),
        StackTemplate(dev.stacks.edge_monitoring.stack_name, "us-east-1", dev.edge_monitoring.to_json()),
    ]


def test_dev_renamed_content_bucket_and_widened_grant(dev):
    before = _dev_stacks(dev)
    web = before[0]
    content = next(
        lid for lid, r in web.resources.items() if lid.startswith("StorageContent") and r["Type"] == "AWS::S3::Bucket"
    )
    # The construct renamed: CDK renames the logical id and every reference to it.
    template = json.loads(json.dumps(web.template).replace(f'"{content}"', '"StorageSiteContentRenamed"'))
    role_policy = next(lid for lid in template["Resources"] if lid.startswith("WebTierInstanceRoleDefaultPolicy"))
    statements = template["Resources"][role_policy]["Properties"]["PolicyDocument"]["Statement"]
    s3_read = next(s for s in statements if "s3:GetObject" in s["Action"])  # a string or a list
    s3_read["Action"] = [
        *([s3_read["Action"]] if isinstance(s3_read["Action"], str) else s3_read["Action"]),
        "s3:PutObject",
    ]
    after = [StackTemplate(web.name, web.region, template), before[1]]

    plan = classify(before, after)
    review = Review("webstack plan: dev", plan, {})
    deleted = _change(plan, content, Kind.DELETE)
    assert deleted.destructive and deleted.stack == "webstack-dev-web"
    assert _change(plan, "StorageSiteContentRenamed", Kind.ADD)
    policy = next(lid for lid in web.resources if lid.startswith("StorageContentPolicy"))
    assert "create-only Bucket" in _change(plan, policy, Kind.REPLACE).details[0]
    assert _change(plan, role_policy, Kind.BROADEN).details == ("PolicyDocument: Allow widened: +actions s3:PutObject",)
    assert review.exit_code == 1
    assert [c.logical_id for c in review.blocked] == [content]
    report = markdown(review)
    assert f"| webstack-dev-web | `{content}` | AWS::S3::Bucket | **delete (stateful, BLOCKS)** |" in report
    assert f"| webstack-dev-web | `{role_policy}` | AWS::IAM::Policy | **broaden** |" in report
    assert not [c for c in plan.changes if c.stack == "webstack-dev-edge-monitoring"]


# ---------------------------------------------------------------------------
# sources


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    for args in (["init", "-q"], ["config", "user.email", "t@t"], ["config", "user.name", "t"]):
        subprocess.run(["git", "-C", str(repo), *args], check=True)
    (repo / "cdk.json").write_text("{}")
    subprocess.run(["git", "-C", str(repo), "add", "cdk.json"], check=True)
    subprocess.run(["git", "-C", str(repo), "commit", "-qm", "one"], check=True)
    return repo


def _worktrees(repo: Path) -> list[str]:
    out = subprocess.run(["git", "-C", str(repo), "worktree", "list"], check=True, capture_output=True, text=True)
    return out.stdout.splitlines()


def test_a_commit_is_checked_out_in_a_temporary_worktree_and_removed(repository):
    with checkout(repository, "HEAD") as (tree, commit):
        assert (tree / "cdk.json").read_text() == "{}"
        assert len(commit) == 40 and len(_worktrees(repository)) == 2
    assert not tree.exists()
    assert len(_worktrees(repository)) == 1
    with (
        pytest.raises(PlanError, match=r"git:nope is not a commit .* Fix: name a branch"),
        checkout(repository, "nope"),
    ):
        pass


@pytest.fixture(scope="module")
def emulator() -> Iterator[str]:
    from webstack_emulator.server import InProcessServer

    server = InProcessServer().start()
    try:
        yield server.endpoint
    finally:
        server.stop()


def test_the_deployed_templates_are_read_from_the_emulator(emulator):
    from webstack_tools.deploy import emulator_target

    target = emulator_target(emulator)
    cfn = target.client("cloudformation", REGION)
    body = {"Resources": {"Alerts": {"Type": "AWS::SNS::Topic"}}}
    for name in (WEB, "webstack-prod-web"):
        cfn.create_stack(StackName=name, TemplateBody=json.dumps(body))
    stacks, notes = deployed(target, "dev", [REGION])
    assert [(s.name, s.region, dict(s.template)) for s in stacks] == [(WEB, REGION, body)]  # only dev's
    assert notes == []
    after = {"Resources": {**body["Resources"], "Key": {"Type": "AWS::KMS::Key", "Properties": {}}}}
    assert _kinds(classify(stacks, [StackTemplate(WEB, REGION, after)])) == {("Key", Kind.ADD)}


# ---------------------------------------------------------------------------
# helpers


def _bucket_policy(bucket: Any, *statements: dict[str, Any]) -> dict[str, Any]:
    return {
        "Type": "AWS::S3::BucketPolicy",
        "Properties": {"Bucket": bucket, "PolicyDocument": {"Version": "2012-10-17", "Statement": list(statements)}},
    }


def _tls_deny(bucket_arn: Any) -> dict[str, Any]:
    return {
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": "s3:*",
        "Resource": bucket_arn,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def test_against_the_emulator_the_change_is_synthesized_with_the_local_pager(tmp_path, monkeypatch):
    """`make up` deploys with the local pager subscribed to the paging topics; a plan that
    synthesized without it showed both subscriptions as deletes in every report."""
    seen: dict[str, Any] = {}

    class Stop(Exception):
        pass

    def synthesized(env_name, out, config):
        seen.update(json.loads(Path(config).read_text()))
        raise Stop

    monkeypatch.setattr(plan_cli, "running_emulator", lambda state_dir, env_name: object())
    monkeypatch.setattr(plan_cli, "synthesized", synthesized)
    overrides = tmp_path / "overrides.json"
    overrides.write_text(json.dumps({"capacity": {"max": 3}}))
    with pytest.raises(Stop):
        plan_cli.against_deployed("dev", str(overrides), tmp_path)
    assert seen["capacity"] == {"max": 3}
    assert [s["endpoint"] for s in seen["alarms"]["subscribers"]] == [
        "arn:aws:sqs:us-west-2:123456789012:webstack-dev-pager"
    ]


def test_a_plan_review_synth_leaves_d14_to_the_plan():
    """The synth-time D14 rule would stop `make plan` before it could show a renamed
    stateful construct as replace + delete; a plan review's synth (its context) runs
    every other pitfall rule, a normal synth all of them."""
    from aws_cdk import App

    from webstack.app import PLAN_REVIEW_CONTEXT, pitfall_checks

    every = set(pitfall_checks(App()).rule_ids)
    reviewed = set(pitfall_checks(App(context={PLAN_REVIEW_CONTEXT: "true"})).rule_ids)
    assert every - reviewed == {"Webstack-StatefulLogicalIdPinned"}


def test_the_plan_and_the_synth_time_d14_rule_guard_the_same_types():
    """Written twice on purpose (the plan's CLI does not load the CDK up front); kept equal here."""
    from webstack_pitfalls import STATEFUL_TYPES as RULE_TYPES
    from webstack_tools.plan import STATEFUL_TYPES as PLAN_TYPES

    assert PLAN_TYPES == RULE_TYPES
