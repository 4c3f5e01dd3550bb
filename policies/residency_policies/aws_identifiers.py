"""AWS identifiers: ARNs, account IDs and organization IDs (AWS "Amazon Resource Names", "AWS Organizations
quotas"). The one home for reading them: settings, rules file, components and the pack use these.

``arn:<partition>:<service>:<region>:<account>:<resource>``; S3 bucket ARNs carry neither region nor account,
IAM ARNs no region.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from residency_policies.hosts import url_host
from residency_policies.values import is_unknown

ACCOUNT_ID_PATTERN = r"^[0-9]{12}$"
ORGANIZATION_ID_PATTERN = r"^o-[a-z0-9]{10,32}$"
ACCOUNT_ID_RE = re.compile(ACCOUNT_ID_PATTERN)
ORGANIZATION_ID_RE = re.compile(ORGANIZATION_ID_PATTERN)
ARN_RE = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):(?P<service>[^:]*):(?P<region>[^:]*):(?P<account>[^:]*):(?P<resource>.*)$"
)
ORGANIZATION_IN_ARN_RE = re.compile(r"(?:^|/)(o-[a-z0-9]{10,32})(?:/|$)")
"""An organization ID as a path segment of an Organizations ARN (``arn:aws:organizations::1:organization/o-..``)."""


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str


def parse_arn(value: Any) -> Arn | None:
    """The parts of an ARN of an AWS partition; None for anything else (including unknowns)."""
    if not isinstance(value, str) or is_unknown(value):
        return None
    match = ARN_RE.match(value.strip())
    if not match:
        return None
    return Arn(**match.groupdict())


def is_account_id(value: Any) -> bool:
    return isinstance(value, str) and bool(ACCOUNT_ID_RE.match(value))


def is_organization_id(value: Any) -> bool:
    return isinstance(value, str) and bool(ORGANIZATION_ID_RE.match(value))


# --- Service endpoints ---------------------------------------------------------------------------------
# AWS "Service endpoints": ``<service>.<region>.amazonaws.com`` (``sqs.eu-west-1``), resource hosts that put
# the region before the service (``db.abc.eu-west-1.rds``, ``search-d.eu-west-1.es``, ``c.eu-west-1.cache``)
# or after it (``api.execute-api.eu-west-1``, ``123456789012.dkr.ecr.eu-west-1``), S3's virtual-hosted and
# legacy forms (``bucket.s3.eu-west-1``, ``bucket.s3-eu-west-1``, ``s3.dualstack.eu-west-1``), VPC endpoint
# hosts (``vpce-1.sqs.eu-west-1.vpce``), Lambda function URLs (``id.lambda-url.eu-west-1.on.aws``) and the
# dual-stack ``api.aws`` domain. A host with no region label is a global endpoint (``bucket.s3.amazonaws.com``).
AWS_ENDPOINT_DOMAINS = ("amazonaws.com.cn", "amazonaws.com", "api.aws", "on.aws")
_AWS_REGION_LABEL = re.compile(r"^(?:(?P<prefix>s3-website|s3)-)?(?P<region>[a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d+)$")
_NOT_SERVICE_LABELS = frozenset({"dualstack", "fips", "vpce", "dkr", "compat"})
_SERVICE_ALIASES = {"cache": "elasticache", "lambda-url": "lambda", "queue": "sqs", "s3-accesspoint": "s3",
                    "s3-website": "s3", "s3-control": "s3", "s3-object-lambda": "s3", "aoss": "aoss"}
@dataclass(frozen=True)
class AwsEndpoint:
    """An AWS service endpoint named by a URL or host name: the service, and the region (None: global)."""

    host: str
    service: str
    region: str | None
    account: str | None = None  # an SQS queue URL's or ECR registry host's account
    bucket: str | None = None  # an S3 endpoint's bucket (virtual-hosted or path-style)


def parse_aws_endpoint(value: Any) -> AwsEndpoint | None:
    """The AWS service endpoint a URL or host name names; None for anything else."""
    found = url_host(value)
    if found is None:
        return None
    host, path = found
    domain = next((d for d in AWS_ENDPOINT_DOMAINS if host.endswith("." + d)), None)
    if domain is None:
        return None
    labels = host[: -len(domain) - 1].split(".")
    index, region, legacy = next(
        ((i, m["region"], m["prefix"]) for i, m in ((i, _AWS_REGION_LABEL.match(label)) for i, label in enumerate(labels)) if m),
        (None, None, None))
    if index is None:
        before, after = labels, []
    else:
        before, after = labels[:index], labels[index + 1:]
    if legacy:
        service = "s3"
        bucket_labels = before
    elif after and after[0] not in _NOT_SERVICE_LABELS:
        service, bucket_labels = after[0], []
    else:
        named = [i for i, label in enumerate(before) if label not in _NOT_SERVICE_LABELS]
        if not named:
            return None
        service, bucket_labels = before[named[-1]], before[: named[-1]]
    service = service.removesuffix("-fips")
    service = _SERVICE_ALIASES.get(service, service)
    account = None
    bucket = None
    if service == "s3":
        bucket = ".".join(bucket_labels) or None
        if bucket is None:
            segment = path.lstrip("/").split("/", 1)[0].split("?", 1)[0]
            bucket = segment or None
    elif service == "sqs":
        m = re.match(r"^/(\d{12})/", path)
        account = m.group(1) if m else None
    elif service == "ecr" and before and ACCOUNT_ID_RE.match(before[0]):
        account = before[0]
    return AwsEndpoint(host, service, region, account, bucket)
