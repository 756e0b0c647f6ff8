"""Names and contents of the log objects AWS services deliver to S3, in the
formats AWS documents. :mod:`.log_delivery` decides whether a delivery is
allowed; this module only says what the object is called and what it holds.

The emulator does not record data-plane traffic (there are no viewers, no
load balancer nodes, no S3 requests to log), so each object holds one
well-formed record dated now that names the real source (bucket,
distribution, load balancer); the request it describes is representative,
not one that happened.

* S3 server access logs: key ``TargetPrefix`` + ``YYYY-mm-DD-HH-MM-SS-UniqueString``
  (``SimplePrefix``, the default), or with ``PartitionedPrefix``
  ``[DestinationPrefix][SourceAccountId]/[SourceRegion]/[SourceBucket]/[YYYY]/[MM]/[DD]/[YYYY]-[MM]-[DD]-[hh]-[mm]-[ss]-[UniqueString]``;
  for ``PartitionDateSource: EventTime`` "the hour, minutes and seconds are set
  to 00 in the key" (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PartitionedPrefix.html,
  https://docs.aws.amazon.com/AmazonS3/latest/API/API_SimplePrefix.html).
  The object is plain text, one space-separated record per line
  (https://docs.aws.amazon.com/AmazonS3/latest/userguide/LogFormat.html).
* ALB access logs: ``[prefix/]AWSLogs/aws-account-id/elasticloadbalancing/region/yyyy/mm/dd/``
  ``aws-account-id_elasticloadbalancing_region_app.load-balancer-id_end-time_ip-address_random-string.log.gz``,
  the load balancer id with its slashes replaced by periods, end-time
  ``yyyymmddThhmmZ``, the node's IP address; gzip-compressed, one
  space-separated entry per line
  (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html).
* CloudFront standard logs: ``<optional prefix>/<distribution ID>.YYYY-MM-DD-HH.unique-ID.gz``;
  "If ... your prefix doesn't end with a forward slash (/), CloudFront appends
  one automatically"; gzip-compressed W3C extended format with two header
  lines (``#Version``, ``#Fields``) and 33 tab-separated fields
  (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging-legacy-s3.html,
  "File name format", "Standard log file fields").
"""

from __future__ import annotations

import gzip
import secrets
import string
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

# Documentation addresses (RFC 5737) stand in for the viewer/client.
CLIENT_IP = "192.0.2.10"


def _unique(length: int, alphabet: str) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


# -- S3 server access logs ------------------------------------------------------------
def server_access_log_key(
    logging: Mapping[str, Any], account_id: str, region: str, source_bucket: str, now: datetime
) -> str:
    prefix = str(logging.get("TargetPrefix") or "")
    unique = _unique(16, string.digits + "ABCDEF")  # e.g. "E568B2907131C0C0" in AWS's examples
    partitioned = (logging.get("TargetObjectKeyFormat") or {}).get("PartitionedPrefix")
    if partitioned is None:  # SimplePrefix, or no TargetObjectKeyFormat at all
        return f"{prefix}{now:%Y-%m-%d-%H-%M-%S}-{unique}"
    source = str((partitioned or {}).get("PartitionDateSource") or "EventTime")
    stamp = f"{now:%Y-%m-%d}-00-00-00" if source == "EventTime" else f"{now:%Y-%m-%d-%H-%M-%S}"
    return f"{prefix}{account_id}/{region}/{source_bucket}/{now:%Y/%m/%d}/{stamp}-{unique}"


def server_access_log_record(owner_id: str, bucket: str, region: str, account_id: str, now: datetime) -> bytes:
    """One record: the account root listing the source bucket (LogFormat.html field order)."""
    fields = [
        owner_id,  # bucket owner (canonical id)
        bucket,
        f"[{now:%d/%b/%Y:%H:%M:%S} +0000]",
        CLIENT_IP,
        f"arn:aws:iam::{account_id}:root",  # requester
        uuid.uuid4().hex[:16].upper(),  # request ID
        "REST.GET.BUCKET",
        "-",  # key
        f'"GET /{bucket}?list-type=2 HTTP/1.1"',
        "200",
        "-",  # error code
        "512",  # bytes sent
        "-",  # object size
        "12",  # total time (ms)
        "10",  # turn-around time (ms)
        '"-"',  # referer
        '"aws-cli/2.0"',
        "-",  # version id
        _unique(56, string.ascii_letters + string.digits) + "=",  # host id
        "SigV4",
        "TLS_AES_128_GCM_SHA256",
        "AuthHeader",
        f"{bucket}.s3.{region}.amazonaws.com",
        "TLSv1.3",
        "-",  # access point ARN
        "-",  # aclRequired
    ]
    return (" ".join(fields) + "\n").encode()


# -- ALB access logs --------------------------------------------------------------------
def alb_access_log_key(
    prefix: str, account_id: str, region: str, full_name: str, *, node_ip: str, now: datetime
) -> str:
    """``full_name`` is ``app/<name>/<id>``."""
    lb_id = full_name.replace("/", ".")
    name = (
        f"{account_id}_elasticloadbalancing_{region}_{lb_id}_{now:%Y%m%dT%H%MZ}_{node_ip}_"
        f"{_unique(8, string.ascii_lowercase + string.digits)}.log.gz"
    )
    head = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
    return f"{head}AWSLogs/{account_id}/elasticloadbalancing/{region}/{now:%Y/%m/%d}/{name}"


def alb_access_log_entry(full_name: str, dns_name: str, now: datetime) -> bytes:
    """One ``http`` entry (load-balancer-access-logs.html, "Access log entries"),
    gzip-compressed. No target is named: the emulator runs no targets."""
    stamp = f"{now:%Y-%m-%dT%H:%M:%S}.{now.microsecond:06d}Z"
    fields = [
        "http",
        stamp,
        full_name,
        f"{CLIENT_IP}:50012",
        "-",  # target:port
        "-1",
        "-1",
        "-1",  # processing times: -1 when no target answered
        "503",  # elb_status_code: no registered target
        "-",  # target_status_code
        "96",
        "326",
        f'"GET http://{dns_name}:80/ HTTP/1.1"',
        '"curl/8.5.0"',
        "-",
        "-",  # ssl cipher, protocol
        "-",  # target group ARN
        f'"Root=1-{int(now.timestamp()):08x}-{uuid.uuid4().hex[:24]}"',
        '"-"',
        '"-"',
        "0",  # matched rule priority
        stamp,
        '"forward"',
        '"-"',
        '"-"',
        '"-"',
        '"-"',
        '"-"',
        '"-"',
        f"TID_{uuid.uuid4().hex}",
    ]
    return gzip.compress((" ".join(fields) + "\n").encode())


# -- CloudFront standard logs -------------------------------------------------------------
_W3C_FIELDS = (
    "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) "
    "cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol "
    "cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type "
    "cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte "
    "x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end"
)


def cloudfront_log_key(prefix: str, distribution_id: str, now: datetime) -> str:
    head = prefix if not prefix or prefix.endswith("/") else prefix + "/"
    return f"{head}{distribution_id}.{now:%Y-%m-%d-%H}.{_unique(8, string.ascii_uppercase + string.digits)}.gz"


def cloudfront_log_entry(domain_name: str, now: datetime) -> bytes:
    """The two header lines and one ``GET /`` record, gzip-compressed."""
    request_id = _unique(56, string.ascii_letters + string.digits) + "=="
    values = [
        f"{now:%Y-%m-%d}",
        f"{now:%H:%M:%S}",
        "SEA19-C1",
        "1024",
        CLIENT_IP,
        "GET",
        domain_name,
        "/",
        "200",
        "-",
        "curl/8.5.0",
        "-",
        "-",
        "Miss",
        request_id,
        domain_name,
        "https",
        "120",
        "0.042",
        "-",
        "TLSv1.3",
        "TLS_AES_128_GCM_SHA256",
        "Miss",
        "HTTP/2.0",
        "-",
        "-",
        "50012",
        "0.040",
        "Miss",
        "text/html",
        "512",
        "-",
        "-",
    ]
    body = f"#Version: 1.0\n#Fields: {_W3C_FIELDS}\n" + "\t".join(values) + "\n"
    return gzip.compress(body.encode())
