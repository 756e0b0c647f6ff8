"""The webstack pitfall rules (see docs in ``/work/shared/pitfalls.md`` ids D*, F*).

Each rule inspects one synthesized stack and yields :class:`Hit` s. A hit names
the resource (or output) *to fix* by logical id and, where one resource can
fail the rule in more than one way, a finding id: the report then says
``Webstack-D9[OpenIngress]`` and that exact id is what ``acknowledge`` takes
(cdk-nag 3.x semantics: a finding is acknowledged individually).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from ._template import (
    StackTemplate,
    as_list,
    direct_ref,
    getatt_attribute,
    is_literal,
    iter_strings,
    statements,
)

RULE_PREFIX = "Webstack"


class Hit(NamedTuple):
    logical_id: str
    """Resource or Output logical id the finding is reported on."""
    finding: str | None = None
    """``None`` -> reported as ``Webstack-Dn``; else ``Webstack-Dn[finding]``."""
    location: str = "Properties"


@dataclass(frozen=True)
class Rule:
    pitfall: str
    info: str
    explanation: str
    link: str
    check: Callable[[StackTemplate], Iterable[Hit]]
    level: str = "error"

    @property
    def id(self) -> str:
        return f"{RULE_PREFIX}-{self.pitfall}"


# ---------------------------------------------------------------------------
# shared predicates

_KMS_KEY = "AWS::KMS::Key"
_KMS_ALIAS = "AWS::KMS::Alias"
_BUCKET = "AWS::S3::Bucket"


def _key_of(st: StackTemplate, value: Any) -> str | None:
    """Customer-managed key in this stack that ``value`` points at (directly or via an alias)."""
    lid = st.target(value, _KMS_KEY, _KMS_ALIAS)
    if lid is not None and st.type_of(lid) == _KMS_ALIAS:
        lid = st.target(st.props(lid).get("TargetKeyId"), _KMS_KEY)
    return lid


def _key_statements(st: StackTemplate, key_lid: str):
    return [s for s in statements(st.props(key_lid).get("KeyPolicy"), st.parameters) if s.allows]


def _bucket_sse(st: StackTemplate, bucket_lid: str) -> tuple[str | None, Any]:
    """(SSEAlgorithm, KMSMasterKeyID) of a bucket's first encryption rule."""
    enc = st.props(bucket_lid).get("BucketEncryption") or {}
    for rule in as_list(enc.get("ServerSideEncryptionConfiguration")):
        default = (rule or {}).get("ServerSideEncryptionByDefault") or {}
        if default:
            return default.get("SSEAlgorithm"), default.get("KMSMasterKeyID")
    return None, None


def _is_kms(algorithm: str | None) -> bool:
    return bool(algorithm) and str(algorithm).startswith("aws:kms")


def _distributions(st: StackTemplate) -> Iterator[tuple[str, dict[str, Any]]]:
    for lid, props in st.of_type("AWS::CloudFront::Distribution"):
        yield lid, props.get("DistributionConfig") or {}


# ---------------------------------------------------------------------------
# D1 KMS key on ASG EBS volumes

_ASG_SLR = "AWSServiceRoleForAutoScaling"
_D1_USE = (
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:DescribeKey",
)


def _names_asg_slr(stmt) -> bool:
    if any(_ASG_SLR in p for p in stmt.rendered_principals.get("AWS", [])):
        return True
    return stmt.principal_is_star() and any(_ASG_SLR in v for v in stmt.condition_values("aws:PrincipalArn"))


def _d1_key_ok(st: StackTemplate, key_lid: str) -> bool:
    slr = [s for s in _key_statements(st, key_lid) if _names_asg_slr(s)]
    uses = all(any(s.covers(a) for s in slr) for a in _D1_USE)
    grant = any(
        s.covers("kms:CreateGrant")
        and any(v.lower() == "true" for v in s.condition_values("kms:GrantIsForAWSResource"))
        for s in slr
    )
    return uses and grant


def check_d1(st: StackTemplate) -> Iterator[Hit]:
    keys: set[str] = set()
    for _, props in st.of_type("AWS::EC2::LaunchTemplate"):
        data = props.get("LaunchTemplateData") or {}
        for bdm in as_list(data.get("BlockDeviceMappings")):
            key = _key_of(st, ((bdm or {}).get("Ebs") or {}).get("KmsKeyId"))
            if key:
                keys.add(key)
    creates_slr = any(
        str(props.get("AWSServiceName", "")).startswith("autoscaling.")
        for _, props in st.of_type("AWS::IAM::ServiceLinkedRole")
    )
    for key in sorted(keys):
        if not _d1_key_ok(st, key):
            yield Hit(key, "KeyPolicy", "Properties/KeyPolicy")
        direct = any(any(_ASG_SLR in p for p in s.rendered_principals.get("AWS", [])) for s in _key_statements(st, key))
        if direct and not creates_slr:
            # KMS validates principals: MalformedPolicyDocumentException until the role exists.
            yield Hit(key, "SlrPrincipal", "Properties/KeyPolicy")


# ---------------------------------------------------------------------------
# D2 CloudFront + SSE-KMS bucket


def _cloudfront_can_decrypt(st: StackTemplate, key_lid: str) -> bool:
    for s in _key_statements(st, key_lid):
        services = s.rendered_principals.get("Service", [])
        if any("cloudfront.amazonaws.com" in p for p in services) and s.covers("kms:Decrypt"):
            if s.has_condition_key("aws:SourceArn"):
                return True
    return False


def check_d2(st: StackTemplate) -> Iterator[Hit]:
    seen: set[tuple[str, str | None]] = set()
    for dist, config in _distributions(st):
        for origin in as_list(config.get("Origins")):
            origin = origin or {}
            bucket = st.target(origin.get("DomainName"), _BUCKET)
            if bucket is None:
                continue
            algorithm, key_ref = _bucket_sse(st, bucket)
            if not _is_kms(algorithm):
                continue
            oai = (origin.get("S3OriginConfig") or {}).get("OriginAccessIdentity")
            if oai not in (None, ""):
                hit = Hit(dist, "OAI", "Properties/DistributionConfig/Origins")
            elif origin.get("OriginAccessControlId"):
                key = _key_of(st, key_ref)
                if key_ref is None or st.render(key_ref).endswith("alias/aws/s3"):
                    hit = Hit(bucket, "AwsManagedKey", "Properties/BucketEncryption")
                elif key is None or _cloudfront_can_decrypt(st, key):
                    continue
                else:
                    hit = Hit(key, "KeyPolicy", "Properties/KeyPolicy")
            else:
                continue
            if (hit.logical_id, hit.finding) not in seen:
                seen.add((hit.logical_id, hit.finding))
                yield hit


# ---------------------------------------------------------------------------
# D3 WAF for CloudFront outside us-east-1


def _cross_region(st: StackTemplate, value: Any) -> bool:
    """``value`` comes from a ``crossRegionReferences`` strong reference (aws/aws-cdk#22842)."""
    return st.target(value, "Custom::CrossRegionExportReader") is not None


def check_d3(st: StackTemplate) -> Iterator[Hit]:
    finding = st.region_finding()
    if finding is not None:
        for lid, props in st.of_type("AWS::WAFv2::WebACL"):
            if props.get("Scope") == "CLOUDFRONT":
                yield Hit(lid, finding, "Properties/Scope")
    for dist, config in _distributions(st):
        if _cross_region(st, config.get("WebACLId")):
            yield Hit(dist, "CrossRegionReference", "Properties/DistributionConfig/WebACLId")


# ---------------------------------------------------------------------------
# D4 ACM certificate for CloudFront


_CERT = "AWS::CertificateManager::Certificate"
_ARN_REGION = re.compile(r"^arn:[^:]+:acm:([a-z0-9-]+):")


def check_d4(st: StackTemplate) -> Iterator[Hit]:
    region_finding = st.region_finding()
    for dist, config in _distributions(st):
        arn = (config.get("ViewerCertificate") or {}).get("AcmCertificateArn")
        if arn is None:
            continue
        if _cross_region(st, arn):
            yield Hit(dist, "CrossRegionReference", "Properties/DistributionConfig/ViewerCertificate")
            continue
        cert = st.target(arn, _CERT)
        if cert is not None:
            if region_finding:
                yield Hit(cert, region_finding, "Properties")
            continue
        match = _ARN_REGION.match(st.render(arn).replace("${AWS::Partition}", "aws"))
        if match and match.group(1) != "us-east-1":
            yield Hit(dist, "Region", "Properties/DistributionConfig/ViewerCertificate")
    for lid, props in st.of_type(_CERT):
        if props.get("ValidationMethod") == "EMAIL":
            # acm.Certificate's default: the stack waits until someone clicks a mail.
            yield Hit(lid, "EmailValidation", "Properties/ValidationMethod")
            continue
        domains = {st.render(d) for d in [props.get("DomainName"), *as_list(props.get("SubjectAlternativeNames"))] if d}
        covered = {
            st.render(o.get("DomainName"))
            for o in as_list(props.get("DomainValidationOptions"))
            if isinstance(o, dict) and o.get("HostedZoneId")
        }
        if not domains <= covered:
            yield Hit(lid, "DnsValidation", "Properties/DomainValidationOptions")


# ---------------------------------------------------------------------------
# D5 CloudFront metrics only in us-east-1


def check_d5(st: StackTemplate) -> Iterator[Hit]:
    finding = st.region_finding()
    if finding is None:
        return
    for lid, props in st.of_type("AWS::CloudWatch::Alarm"):
        namespaces = [props.get("Namespace")]
        for metric in as_list(props.get("Metrics")):
            stat = (metric or {}).get("MetricStat") or {}
            namespaces.append((stat.get("Metric") or {}).get("Namespace"))
        if "AWS/CloudFront" in namespaces:
            yield Hit(lid, finding, "Properties")


# ---------------------------------------------------------------------------
# D6 CloudFront standard-log bucket needs ACLs

_ACL_OWNERSHIP = {"ObjectWriter", "BucketOwnerPreferred"}


def check_d6(st: StackTemplate) -> Iterator[Hit]:
    buckets = set()
    for _, config in _distributions(st):
        bucket = st.target((config.get("Logging") or {}).get("Bucket"), _BUCKET)
        if bucket:
            buckets.add(bucket)
    for bucket in sorted(buckets):
        rules = as_list((st.props(bucket).get("OwnershipControls") or {}).get("Rules"))
        if not any((r or {}).get("ObjectOwnership") in _ACL_OWNERSHIP for r in rules):
            yield Hit(bucket, location="Properties/OwnershipControls")


# ---------------------------------------------------------------------------
# D7 ALB access-log bucket must be SSE-S3

_LOG_BUCKET_KEYS = {"access_logs.s3.bucket", "connection_logs.s3.bucket"}


def check_d7(st: StackTemplate) -> Iterator[Hit]:
    buckets = set()
    for _, props in st.of_type("AWS::ElasticLoadBalancingV2::LoadBalancer"):
        for attr in as_list(props.get("LoadBalancerAttributes")):
            if (attr or {}).get("Key") in _LOG_BUCKET_KEYS:
                bucket = st.target(attr.get("Value"), _BUCKET)
                if bucket:
                    buckets.add(bucket)
    for bucket in sorted(buckets):
        if _is_kms(_bucket_sse(st, bucket)[0]):
            yield Hit(bucket, location="Properties/BucketEncryption")


# ---------------------------------------------------------------------------
# D8 explicit bucket names


def check_d8(st: StackTemplate) -> Iterator[Hit]:
    for lid, props in st.of_type(_BUCKET):
        if props.get("BucketName") is not None:
            yield Hit(lid, location="Properties/BucketName")


# ---------------------------------------------------------------------------
# D9 / D12 security group rules

_SG = "AWS::EC2::SecurityGroup"
_PROTOCOLS = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", "all": "-1"}
_SOURCES = ("CidrIp", "CidrIpv6", "SourcePrefixListId", "SourceSecurityGroupId", "SourceSecurityGroupName")


class _Ingress(NamedTuple):
    protocol: str
    ports: str
    source_kind: str
    source: str
    standalone: bool


def _ingress_rules(st: StackTemplate) -> dict[str, list[_Ingress]]:
    by_group: dict[str, list[_Ingress]] = defaultdict(list)

    def norm(rule: dict[str, Any], standalone: bool) -> _Ingress | None:
        proto = str(rule.get("IpProtocol", "-1")).lower()
        proto = _PROTOCOLS.get(proto, proto)
        if proto == "-1":
            ports = "all"
        else:
            lo, hi = rule.get("FromPort"), rule.get("ToPort")
            ports = str(lo) if lo == hi else f"{lo}-{hi}"
        for kind in _SOURCES:
            if rule.get(kind) is not None:
                # A source group in this stack is named by its logical id (stable, no "${...}").
                source = direct_ref(rule[kind]) or st.render(rule[kind])
                return _Ingress(proto, ports, kind, source, standalone)
        return None

    for lid, props in st.of_type(_SG):
        for rule in as_list(props.get("SecurityGroupIngress")):
            item = norm(rule or {}, False)
            if item:
                by_group[lid].append(item)
    for _, props in st.of_type("AWS::EC2::SecurityGroupIngress"):
        group = st.target(props.get("GroupId"), _SG) or st.target(props.get("GroupName"), _SG)
        item = norm(props, True)
        if group and item:
            by_group[group].append(item)
    return by_group


_OPEN = {"0.0.0.0/0", "::/0"}


def check_d9(st: StackTemplate) -> Iterator[Hit]:
    for group, rules in sorted(_ingress_rules(st).items()):
        prefix = [r for r in rules if r.source_kind == "SourcePrefixListId"]
        if not prefix:
            continue
        if len({(r.protocol, r.ports) for r in prefix}) > 1:
            yield Hit(group, "PrefixListPorts", "Properties/SecurityGroupIngress")
        if any(r.source in _OPEN for r in rules if r.source_kind in ("CidrIp", "CidrIpv6")):
            yield Hit(group, "OpenIngress", "Properties/SecurityGroupIngress")


def check_d12(st: StackTemplate) -> Iterator[Hit]:
    for group, rules in sorted(_ingress_rules(st).items()):
        counts: dict[tuple[str, str, str], int] = defaultdict(int)
        for r in rules:
            counts[(r.protocol, r.ports, r.source)] += 1
        for (proto, ports, source), n in sorted(counts.items()):
            if n > 1:
                yield Hit(group, f"{proto}:{ports}:{source}", "Properties/SecurityGroupIngress")


# ---------------------------------------------------------------------------
# D10 SNS topic for alarms

_ALARM_ACTIONS = ("AlarmActions", "OKActions", "InsufficientDataActions")


def _cloudwatch_can_use(st: StackTemplate, key_lid: str) -> bool:
    stmts = [
        s
        for s in _key_statements(st, key_lid)
        if any("cloudwatch.amazonaws.com" in p for p in s.rendered_principals.get("Service", []))
    ]
    return all(any(s.covers(a) for s in stmts) for a in ("kms:Decrypt", "kms:GenerateDataKey"))


def check_d10(st: StackTemplate) -> Iterator[Hit]:
    topics: set[str] = set()
    for _, props in st.of_type("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"):
        for key in _ALARM_ACTIONS:
            for action in as_list(props.get(key)):
                topic = st.target(action, "AWS::SNS::Topic")
                if topic:
                    topics.add(topic)
    for topic in sorted(topics):
        key_ref = st.props(topic).get("KmsMasterKeyId")
        loc = "Properties/KmsMasterKeyId"
        if key_ref is None:
            yield Hit(topic, "NoKey", loc)
        elif "alias/aws/sns" in st.render(key_ref):
            yield Hit(topic, "AwsManagedKey", loc)
        else:
            key = _key_of(st, key_ref)
            if key is not None and not _cloudwatch_can_use(st, key):
                yield Hit(topic, "KeyPolicy", loc)


# ---------------------------------------------------------------------------
# D11 launch configurations and Amazon Linux 2

_AL2 = re.compile(r"amzn2-ami|amazon-linux-2(?!0\d\d)(?=[/-]|$)", re.IGNORECASE)


def check_d11(st: StackTemplate) -> Iterator[Hit]:
    for lid, _ in st.of_type("AWS::AutoScaling::LaunchConfiguration"):
        yield Hit(lid, "LaunchConfiguration", "Type")
    images = []
    for lid, props in st.of_type("AWS::EC2::LaunchTemplate"):
        images.append(
            (lid, (props.get("LaunchTemplateData") or {}).get("ImageId"), "Properties/LaunchTemplateData/ImageId")
        )
    for lid, props in st.of_type("AWS::AutoScaling::LaunchConfiguration", "AWS::EC2::Instance"):
        images.append((lid, props.get("ImageId"), "Properties/ImageId"))
    for lid, image, loc in images:
        if image is not None and _AL2.search(st.render(image)):
            yield Hit(lid, "AmazonLinux2", loc)


# ---------------------------------------------------------------------------
# F2 placeholders

_PLACEHOLDERS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?<![a-z0-9-])(?:[a-z0-9-]+\.)*example\.(com|org|net)\b", re.I), "example.{0}"),
    (re.compile(r"placeholder", re.I), "placeholder"),
    (re.compile(r"change[-_ ]?me\b", re.I), "changeme"),
    (re.compile(r"replace[-_ ]?me\b", re.I), "replaceme"),
    (re.compile(r"password123", re.I), "password123"),
    (re.compile(r"your[-_]?(domain|email|account)", re.I), "your-{0}"),
]
# Free text and inline code are not configuration values.
_F2_SKIP_KEYS = {"Description", "ZipFile"}
_LITERAL_SECRET_KEYS = ("MasterUserPassword", "Password", "AuthToken")


def check_f2(st: StackTemplate) -> Iterator[Hit]:
    for lid, res in st.resources.items():
        props = res.get("Properties") or {}
        found: dict[str, str] = {}
        for path, text in iter_strings(props):
            if _F2_SKIP_KEYS.intersection(path):
                continue
            for pattern, label in _PLACEHOLDERS:
                m = pattern.search(text)
                if m:
                    finding = label.format(*(g.lower() for g in m.groups() if g))
                    found.setdefault(finding, "Properties/" + "/".join(path))
        for finding, loc in sorted(found.items()):
            yield Hit(lid, finding, loc)
        rtype = st.type_of(lid)
        if rtype == "AWS::SecretsManager::Secret" and "SecretString" in props and is_literal(props["SecretString"]):
            yield Hit(lid, "SecretString", "Properties/SecretString")
        elif rtype != "AWS::SecretsManager::Secret":
            for key in _LITERAL_SECRET_KEYS:
                value = props.get(key)
                if isinstance(value, str) and value and is_literal(value):
                    yield Hit(lid, key, f"Properties/{key}")


# ---------------------------------------------------------------------------
# F5 context assumed

_AZ_KEYS = {"AvailabilityZone", "AvailabilityZones"}


def _az_values(value: Any, under_az: bool = False) -> Iterator[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _az_values(v, under_az or k in _AZ_KEYS)
    elif isinstance(value, list):
        for v in value:
            yield from _az_values(v, under_az)
    elif isinstance(value, str) and under_az:
        yield value


def check_f5(st: StackTemplate) -> Iterator[Hit]:
    for lid, res in st.resources.items():
        props = res.get("Properties") or {}
        found = set()
        for az in _az_values(props):
            if az.lower().startswith("dummy"):
                found.add(az)
        for _, text in iter_strings(props):
            if "${Token[" in text:
                found.add("UnresolvedToken")
            if "unknown-account" in text or "unknown-region" in text:
                found.add("UnknownEnv")
        for finding in sorted(found):
            yield Hit(lid, finding)


# ---------------------------------------------------------------------------
# F6 secrets in outputs

_SECRET_TYPES = {
    "AWS::SecretsManager::Secret",
    "AWS::SecretsManager::SecretTargetAttachment",
    "AWS::SecretsManager::RotationSchedule",
}
_SECRET_NAME = re.compile(r"secret|passw(or)?d|credential|api[-_]?key|private[-_]?key|token", re.I)
_DYNAMIC_SECRET = ("{{resolve:secretsmanager:", "{{resolve:ssm-secure:")


def _secret_refs(st: StackTemplate, value: Any) -> bool:
    if isinstance(value, dict):
        lid = direct_ref(value)
        if lid is not None:
            attribute = getatt_attribute(value) or ""
            return st.type_of(lid) in _SECRET_TYPES or "secret" in attribute.lower()
        return any(_secret_refs(st, v) for v in value.values()) or any(
            st.type_of(lid) in _SECRET_TYPES for lid in st.refs(value)
        )
    if isinstance(value, list):
        return any(_secret_refs(st, v) for v in value)
    return False


def check_f6(st: StackTemplate) -> Iterator[Hit]:
    for name, output in st.outputs.items():
        # CDK's own cross-stack references ("ExportsOutputRef...") exist because
        # another stack consumes the value: that is a need, not a leak.
        if name.startswith("ExportsOutput"):
            continue
        value = output.get("Value")
        if _secret_refs(st, value):
            yield Hit(name, "SecretRef", "Value")
        if any(marker in text for _, text in iter_strings(value) for marker in _DYNAMIC_SECRET):
            yield Hit(name, "DynamicReference", "Value")
        export = st.render((output.get("Export") or {}).get("Name", ""))
        if (
            _SECRET_NAME.search(name)
            or _SECRET_NAME.search(output.get("Description", "") or "")
            or _SECRET_NAME.search(export)
        ):
            yield Hit(name, "Name", "Description")


# ---------------------------------------------------------------------------
# F7 broad managed policies and unassumed roles

_BROAD_POLICY = re.compile(r"(FullAccess|^AdministratorAccess|^PowerUserAccess)$")
_PERMISSION_ONLY = {"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy"}
# Services whose roles are only usable through a specific resource type.
_SERVICE_CONSUMERS = {
    "ec2.amazonaws.com": {"AWS::IAM::InstanceProfile"},
    "lambda.amazonaws.com": {"AWS::Lambda::Function", "AWS::Lambda::Version", "AWS::Serverless::Function"},
}


def _role_users(st: StackTemplate) -> dict[str, set[str]]:
    users: dict[str, set[str]] = defaultdict(set)
    for lid, res in st.resources.items():
        for target in st.refs(res.get("Properties") or {}):
            if target != lid:
                users[target].add(res.get("Type", ""))
    for output in st.outputs.values():
        for target in st.refs(output.get("Value")):
            users[target].add("Output")
    return users


def _assuming_services(st: StackTemplate, props: dict[str, Any]) -> set[str] | None:
    """Service principals allowed to assume the role, or None if anything else may."""
    services: set[str] = set()
    for s in statements(props.get("AssumeRolePolicyDocument"), st.parameters):
        if not s.allows:
            continue
        for kind, values in s.rendered_principals.items():
            if kind != "Service":
                return None
            services.update(values)
    return services


def check_f7(st: StackTemplate) -> Iterator[Hit]:
    users = _role_users(st)
    for lid, props in st.of_type("AWS::IAM::Role"):
        for arn in as_list(props.get("ManagedPolicyArns")):
            name = st.render(arn).rsplit("/", 1)[-1]
            if _BROAD_POLICY.search(name):
                yield Hit(lid, name, "Properties/ManagedPolicyArns")
        services = _assuming_services(st, props)
        if not services:
            continue
        consumers = users.get(lid, set()) - _PERMISSION_ONLY
        if "Output" in consumers:
            continue
        used = False
        for service in services:
            wanted = next((v for k, v in _SERVICE_CONSUMERS.items() if service.startswith(k)), None)
            if (wanted is None and consumers) or (wanted is not None and consumers & wanted):
                used = True
        if not used:
            yield Hit(lid, "Unassumed", "Properties/AssumeRolePolicyDocument")


# ---------------------------------------------------------------------------
# the catalogue

_GH = "https://github.com/aws/aws-cdk/issues/"

RULES: tuple[Rule, ...] = (
    Rule(
        "D1",
        "A launch template encrypts EBS volumes with a customer-managed KMS key whose policy does not let the "
        "Auto Scaling service-linked role use it ([KeyPolicy]; instances fail with Client.InternalError), or names "
        "that role as principal while nothing creates it ([SlrPrincipal]; MalformedPolicyDocumentException in a "
        "fresh account).",
        "Add key-policy statements for arn:<partition>:iam::<account>:role/aws-service-role/autoscaling.amazonaws.com/"
        "AWSServiceRoleForAutoScaling (as principal, or principal * with an aws:PrincipalArn condition): "
        "kms:Encrypt, Decrypt, ReEncrypt*, GenerateDataKey*, DescribeKey, and kms:CreateGrant with "
        "kms:GrantIsForAWSResource=true. Prefer principal * with aws:PrincipalArn (valid before the role exists) "
        "or create the service-linked role in the app.",
        _GH + "34491",
        check_d1,
    ),
    Rule(
        "D2",
        "A CloudFront origin cannot read its SSE-KMS bucket: an OAI is used ([OAI]), the bucket uses the AWS-managed "
        "aws/s3 key ([AwsManagedKey]), or the CMK policy lacks kms:Decrypt for cloudfront.amazonaws.com ([KeyPolicy]).",
        "Use Origin Access Control (S3BucketOrigin.with_origin_access_control) with a customer-managed key whose "
        "policy allows cloudfront.amazonaws.com kms:Decrypt with an AWS:SourceArn condition on the distribution "
        "(build the ARN from the distribution id to avoid a bucket->key->distribution cycle).",
        _GH + "21771",
        check_d2,
    ),
    Rule(
        "D3",
        "A WAFv2 web ACL with Scope CLOUDFRONT is in a stack that is not pinned to us-east-1 "
        "([Region]) or has no concrete region ([RegionUnknown]); CloudFormation rejects the scope. Or a "
        "distribution takes its web ACL through a cross-region strong reference ([CrossRegionReference]) "
        "that blocks later updates ('Exports cannot be updated').",
        "Deploy the CLOUDFRONT web ACL in a us-east-1 stack and pass its ARN to the distribution through config or "
        "an SSM parameter (not a cross-region strong reference); document the deploy order.",
        _GH + "22842",
        check_d3,
    ),
    Rule(
        "D4",
        "An ACM certificate for CloudFront is outside us-east-1 ([Region]/[RegionUnknown]) or uses DNS validation "
        "without a Route 53 hosted zone for every name ([DnsValidation]) or by e-mail ([EmailValidation]) and hangs "
        "in CREATE_IN_PROGRESS; or reaches the distribution through a cross-region strong reference "
        "([CrossRegionReference]).",
        "Create the certificate in a us-east-1 stack and validate it with CertificateValidation.from_dns(hosted_zone) "
        "for a zone delegated to Route 53; never request a certificate for a placeholder domain.",
        _GH + "14616",
        check_d4,
    ),
    Rule(
        "D5",
        "A CloudWatch alarm on the AWS/CloudFront namespace is outside us-east-1 "
        "([Region]/[RegionUnknown]); it stays INSUFFICIENT_DATA forever.",
        "Create CloudFront alarms (and their SNS topic) in a us-east-1 stack; CloudFront publishes metrics only there.",
        "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/monitoring-using-cloudwatch.html",
        check_d5,
    ),
    Rule(
        "D6",
        "A bucket used for CloudFront standard logs has ACLs disabled; CloudFront rejects it "
        "('does not enable ACL access').",
        "Set object_ownership=ObjectOwnership.OBJECT_WRITER (or BUCKET_OWNER_PREFERRED) on the log bucket.",
        _GH + "25291",
        check_d6,
    ),
    Rule(
        "D7",
        "A bucket receiving ALB access/connection logs is encrypted with SSE-KMS; the load balancer cannot write to it.",
        "Encrypt the ALB log bucket with BucketEncryption.S3_MANAGED (SSE-S3).",
        _GH + "21947",
        check_d7,
    ),
    Rule(
        "D8",
        "An S3 bucket has an explicit BucketName; names are global and block redeploys after a RETAIN.",
        "Remove bucket_name and let CloudFormation generate the name; expose it through a stack output.",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html",
        check_d8,
    ),
    Rule(
        "D9",
        "A security group uses a managed prefix list (CloudFront origin-facing counts ~55 of 60 rules) on more "
        "than one port ([PrefixListPorts]), or also allows 0.0.0.0/0 or ::/0 ([OpenIngress]).",
        "Allow one port per group from the prefix list (separate groups for more ports) and create listeners with "
        "open=False when restricting to CloudFront.",
        "https://docs.aws.amazon.com/vpc/latest/userguide/working-with-aws-managed-prefix-lists.html",
        check_d9,
    ),
    Rule(
        "D10",
        "An SNS topic that receives CloudWatch alarm actions is unencrypted ([NoKey]), uses the AWS-managed "
        "aws/sns key ([AwsManagedKey]) so notifications are silently dropped, or its CMK policy does not let "
        "cloudwatch.amazonaws.com use it ([KeyPolicy]).",
        "Encrypt the alarm topic with a customer-managed key whose policy grants cloudwatch.amazonaws.com "
        "kms:Decrypt and kms:GenerateDataKey*.",
        _GH + "11121",
        check_d10,
    ),
    Rule(
        "D11",
        "A launch configuration is used ([LaunchConfiguration]; new accounts cannot create them) or an image "
        "resolves to Amazon Linux 2 ([AmazonLinux2]; end of support 2026-06-30).",
        "Use an EC2 launch template and MachineImage.latest_amazon_linux2023().",
        "https://docs.aws.amazon.com/autoscaling/ec2/userguide/launch-configurations.html",
        check_d11,
    ),
    Rule(
        "D12",
        "A security group has the same ingress rule twice (inline and/or AWS::EC2::SecurityGroupIngress); "
        "deployment fails with InvalidPermission.Duplicate. Finding: [protocol:ports:source].",
        "Add each rule once: rely on the rule listener.add_targets/connections already adds instead of repeating it.",
        "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html",
        check_d12,
    ),
    Rule(
        "F2",
        "A resource property holds a placeholder ([example.com], [placeholder], [changeme], ...) or a secret "
        "written in code ([SecretString], [MasterUserPassword], ...).",
        "Take user-supplied values (domains, e-mail addresses) from validated config, and generate secrets "
        "(Secret generate_secret_string) instead of writing them.",
        "https://docs.aws.amazon.com/secretsmanager/latest/userguide/create_secret.html",
        check_f2,
    ),
    Rule(
        "F5",
        "The template depends on a context the app did not have: dummy availability zones ([dummy1a]), "
        "unresolved tokens ([UnresolvedToken]) or unknown account/region ([UnknownEnv]).",
        "Give the stack a concrete env and take availability zones from config or a committed cdk.context.json.",
        "https://docs.aws.amazon.com/cdk/v2/guide/context.html",
        check_f5,
    ),
    Rule(
        "F6",
        "A stack output exposes a secret: it references a Secrets Manager secret ([SecretRef]), resolves a secure "
        "dynamic reference ([DynamicReference]), or its name/description/export says it is a secret ([Name]).",
        "Remove the output; grant the consumer secret.grant_read() and pass the secret object instead.",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/outputs-section-structure.html",
        check_f6,
    ),
    Rule(
        "F7",
        "An IAM role has a broad AWS managed policy ([<PolicyName>], *FullAccess/AdministratorAccess) or is assumed "
        "by a service but nothing in the stack uses it ([Unassumed]).",
        "Replace managed policies with grant_* calls or scoped statements; delete roles nothing assumes "
        "(an ec2 role needs an instance profile, a lambda role a function).",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
        check_f7,
    ),
)
