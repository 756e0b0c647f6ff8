"""Checks shared by the configuration models: template-logic strings, placeholders, AWS grammars.

Every string that comes from configuration goes through :func:`plain_text`
(from one validator on the model base class), so no configuration value can
become template logic: no CDK token, no dynamic reference, no control
character.
"""

from __future__ import annotations

import ipaddress
import re

from webstack.config import aws


class Problem(ValueError):
    """A value that cannot be used: what is wrong, and the fix."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.fix = fix


# What must never reach a template from configuration: CDK token strings
# (`${Token[...]}`, `#{Token[...]}` list tokens), CloudFormation dynamic
# references (`{{resolve:...}}`), `Fn::Sub`-style `${...}`, and control
# characters (a newline breaks the one-line error promise and header values).
_TEMPLATE_LOGIC = re.compile(r"\$\{|#\{|\{\{resolve:|Token\[", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def plain_text(value: str) -> str:
    if _CONTROL.search(value):
        raise Problem(
            "contains a control character or newline", "write the value on one line, printable characters only"
        )
    if _TEMPLATE_LOGIC.search(value):
        raise Problem(
            "contains a CDK token, `${...}` or `{{resolve:...}}`",
            "write a literal value: configuration never becomes template logic",
        )
    return value


# Names that mark a configuration as a sample rather than a decision (F2):
# RFC 2606 / RFC 6761 reserved names and the README's own stand-ins.
_RESERVED_TLDS = ("test", "example", "invalid", "localhost", "local")
_RESERVED_DOMAINS = ("example.com", "example.net", "example.org")
_PLACEHOLDER_WORDS = re.compile(
    r"placeholder|changeme|change-me|your[-_]?(company|domain|email|org|name)|acme-corp", re.I
)


def placeholder_reason(domain: str) -> str | None:
    """Why ``domain`` is a placeholder, or None."""
    name = domain.rstrip(".").lower()
    labels = name.split(".")
    if labels[-1] in _RESERVED_TLDS:
        return f"the .{labels[-1]} top-level domain is reserved (RFC 2606/6761)"
    if any(name == d or name.endswith("." + d) for d in _RESERVED_DOMAINS):
        return "example.com/.net/.org are reserved for documentation (RFC 2606)"
    if _PLACEHOLDER_WORDS.search(name):
        return "it is a stand-in name, not a domain someone owns"
    return None


_DNS_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
_DNS_NAME = re.compile(rf"^(?=.{{1,253}}$)(\*\.)?({_DNS_LABEL}\.)+[a-z]{{2,63}}$")


def dns_name(value: str) -> str:
    name = value.rstrip(".").lower()
    if not _DNS_NAME.fullmatch(name):
        raise Problem(f"{value!r} is not a DNS name", "use a fully qualified name such as www.your-domain.net")
    return name


_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@(?P<domain>[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,63})$")


def email(value: str) -> str:
    match = _EMAIL.fullmatch(value)
    if not match:
        raise Problem(f"{value!r} is not an e-mail address", "use the full address of a mailbox someone reads")
    reason = placeholder_reason(match.group("domain"))
    if reason:
        raise Problem(f"{value!r} is a placeholder address ({reason})", "use a real mailbox, or leave the list empty")
    return value


# SNS subscription endpoints webstack pages through (besides e-mail).
# https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html (Endpoint per protocol)
_SQS_ARN = re.compile(r"^arn:aws(-[a-z]+)*:sqs:[a-z]{2}(-[a-z]+)+-[0-9]:[0-9]{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$")
_HTTPS_URL = re.compile(r"^https://(?P<host>[A-Za-z0-9.-]+)(:[0-9]{1,5})?(/[^\s]*)?$")


def sqs_queue_arn(value: str) -> str:
    if not _SQS_ARN.fullmatch(value):
        raise Problem(f"{value!r} is not an SQS queue ARN", "use arn:aws:sqs:<region>:<12-digit account>:<queue name>")
    if value.endswith(".fifo"):
        # SNS delivers to a FIFO queue only from a FIFO topic; the paging topics are standard.
        # https://docs.aws.amazon.com/sns/latest/dg/fifo-sns-to-sqs.html
        raise Problem(f"{value!r} is a FIFO queue", "subscribe a standard queue: the paging topics are standard")
    return value


def https_url(value: str) -> str:
    match = _HTTPS_URL.fullmatch(value)
    if not match:
        raise Problem(f"{value!r} is not an https:// URL", "use the https:// URL of your paging service's webhook")
    reason = placeholder_reason(match.group("host"))
    if reason:
        raise Problem(f"{value!r} is a placeholder URL ({reason})", "use your paging service's real webhook URL")
    return value


# <family>.<size>: the family is a letter series, a generation digit and
# attribute letters (t3, m7g, c6gn, x2iedn, u-6tb1); sizes as EC2 names them.
# https://docs.aws.amazon.com/ec2/latest/instancetypes/instance-type-names.html
_INSTANCE_TYPE = re.compile(
    r"^(?P<family>(u-[0-9]+tb[0-9]*)|([a-z]+[0-9]+[a-z0-9-]*))\.(nano|micro|small|medium|large|[0-9]*xlarge|metal(-[0-9]+xl)?)$"
)


def instance_type(value: str) -> str:
    if not _INSTANCE_TYPE.fullmatch(value):
        raise Problem(f"{value!r} is not an EC2 instance type", "use a type such as t3.small or m7g.large")
    return value


def is_graviton(instance_type_name: str) -> bool:
    family = instance_type_name.split(".", maxsplit=1)[0]
    if family in aws.GRAVITON_FIRST_GENERATION:
        return True
    return bool(re.fullmatch(r"[a-z]+[0-9]+[a-z]*g[a-z]*", family)) and family not in aws.GPU_FAMILIES_NAMED_G


# Unix cron, 5 fields, as Auto Scaling scheduled actions take it (UTC).
# https://docs.aws.amazon.com/autoscaling/ec2/userguide/scheduled-scaling-using-cron-expressions.html
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_WEEKDAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
_CRON_FIELDS: tuple[tuple[str, int, int, dict[str, int]], ...] = (
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day of month", 1, 31, {}),
    ("month", 1, 12, {m: i + 1 for i, m in enumerate(_MONTHS)}),
    ("day of week", 0, 7, {d: i for i, d in enumerate(_WEEKDAYS)}),
)


def _cron_value(text: str, low: int, high: int, names: dict[str, int]) -> int:
    value = names.get(text.upper()) if text.isalpha() else (int(text) if text.isdigit() else None)
    if value is None or not low <= value <= high:
        raise ValueError(text)
    return value


def _cron_field(text: str, low: int, high: int, names: dict[str, int]) -> None:
    for part in text.split(","):
        base, _, step = part.partition("/")
        if step and (not step.isdigit() or int(step) == 0):
            raise ValueError(part)
        if base == "*":
            continue
        first, _, last = base.partition("-")
        start = _cron_value(first, low, high, names)
        if last and _cron_value(last, low, high, names) < start:
            raise ValueError(part)


def cron(value: str) -> str:
    fields = value.split()
    if len(fields) != 5:
        raise Problem(
            f"{value!r} is not a 5-field cron expression",
            'use "minute hour day month weekday" in UTC, e.g. "0 7 * * 1-5"',
        )
    for text, (name, low, high, names) in zip(fields, _CRON_FIELDS, strict=True):
        try:
            _cron_field(text, low, high, names)
        except ValueError:
            raise Problem(
                f"{text!r} is not a valid {name} ({low}-{high})",
                f"use values from {low} to {high}, lists, ranges or steps",
            ) from None
    return value


def ip_range(value: str) -> str:
    try:
        network = ipaddress.ip_network(value, strict=True)
    except ValueError:
        raise Problem(
            f"{value!r} is not an IP range in CIDR form", "write addresses as CIDR, e.g. 203.0.113.0/24"
        ) from None
    if network.prefixlen < aws.WAF_IP_PREFIX_MIN:
        raise Problem(f"{value} covers every address (/0): AWS WAF IP sets refuse it", "list the ranges themselves")
    return value


_PATH_PATTERN = re.compile(rf"^[{aws.CLOUDFRONT_PATH_PATTERN_CHARS}]{{1,{aws.CLOUDFRONT_PATH_PATTERN_MAX}}}$")


def path_pattern(value: str, *, api_path: str) -> str:
    """A CloudFront path pattern for cached static files that does not swallow the API."""
    if not _PATH_PATTERN.fullmatch(value):
        raise Problem(
            f"{value!r} is not a CloudFront path pattern",
            "use up to 255 characters of letters, digits, _ - . $ / ~ \" ' @ : + & and the wildcards * and ?",
        )
    if covers_every_path_under(value, api_path.rstrip("*")):
        raise Problem(
            f"{value!r} would also match every {api_path} request and send the API to the bucket",
            'use a pattern for static files only, e.g. "/assets/*" or "*.woff2"',
        )
    return value


def covers_every_path_under(pattern: str, prefix: str) -> bool:
    """Whether ``pattern`` (CloudFront glob: * and ?) matches every path that starts with ``prefix``."""
    # CloudFront treats a pattern without a leading slash as if it had one.
    if not pattern.startswith(("/", "*")):
        pattern = "/" + pattern
    for i, char in enumerate(pattern):
        if char == "*":
            return set(pattern[i:]) == {"*"}
        if i >= len(prefix):
            return False
        if char not in ("?", prefix[i]):
            return False
    return False
