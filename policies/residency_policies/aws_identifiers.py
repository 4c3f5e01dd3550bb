"""AWS identifiers: ARNs, account IDs and organization IDs (AWS "Amazon Resource Names", "AWS Organizations
quotas"). The one home for reading them: settings, rules file, components and the pack use these.

``arn:<partition>:<service>:<region>:<account>:<resource>``; S3 bucket ARNs carry neither region nor account,
IAM ARNs no region.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

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
