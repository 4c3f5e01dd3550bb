"""Verdicts on the address fields of network rules, against the parent company's ranges.

What "reaches a parent range" means (shared addresses, IPv4-in-IPv6 forms, ``/0``) is
``residency_policies.ip_ranges``; this module turns one field (a CIDR, a bare address, an unknown, an OCI
source/destination with its type) into a verdict a rule can report.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from residency_policies.ip_ranges import Network, overlapping_parents, parse_cidr
from residency_policies.values import is_unknown

# Verdict kinds: what a rule's address field tells us about reaching the parent company.
CLEAR = "clear"  # a range that reaches no parent range, or a reference that cannot carry one
ABSENT = "absent"  # nothing set
OVERLAPS = "overlaps"  # a range that reaches one or more parent ranges
UNKNOWN = "unknown"  # not known at preview
INVALID = "invalid"  # set, but not a range we can read: cannot be checked


@dataclass(frozen=True)
class RangeVerdict:
    kind: str
    value: Any = None
    parents: tuple[Network, ...] = field(default=())
    detail: str = ""

    @property
    def fails(self) -> bool:
        """True when the value must be reported (reaches the parent, or cannot be checked)."""
        return self.kind in (OVERLAPS, UNKNOWN, INVALID)


def judge_range(value: Any, parents: Iterable[Network]) -> RangeVerdict:
    """Judge one address field (CIDR string, bare IP, unknown sentinel, or None)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return RangeVerdict(ABSENT, value)
    if is_unknown(value):
        return RangeVerdict(UNKNOWN, value, detail="the range is not known at preview")
    network = parse_cidr(value)
    if network is None:
        return RangeVerdict(INVALID, value, detail=f"{value!r} is not an IP range this policy can check")
    hits = overlapping_parents(network, parents)
    if hits:
        return RangeVerdict(OVERLAPS, value, hits, f"{network} overlaps parent-company range(s) "
                            + ", ".join(str(h) for h in hits))
    return RangeVerdict(CLEAR, value)


# OCI security rules: sourceType / destinationType say how to read source / destination.
OCI_CIDR_BLOCK = "CIDR_BLOCK"
OCI_SERVICE_CIDR_BLOCK = "SERVICE_CIDR_BLOCK"
OCI_NETWORK_SECURITY_GROUP = "NETWORK_SECURITY_GROUP"


def judge_oci_endpoint(value: Any, endpoint_type: Any, parents: Iterable[Network]) -> RangeVerdict:
    """Judge an OCI security-rule source/destination given its sourceType/destinationType.

    No type means CIDR_BLOCK (the API default). A SERVICE_CIDR_BLOCK names the Oracle Services Network
    (a label such as ``all-iad-services-in-oracle-services-network``), and a NETWORK_SECURITY_GROUP must
    be an NSG in the same VCN (an OCI API constraint): neither can name a parent-company range.
    """
    if is_unknown(endpoint_type):
        if value is None:
            return RangeVerdict(ABSENT, value)
        # The field might be a CIDR; only a value that cannot be a range is safe to pass.
        verdict = judge_range(value, parents)
        if verdict.kind == INVALID:
            return RangeVerdict(UNKNOWN, endpoint_type, detail="the rule's source/destination type is not known")
        return verdict
    kind = endpoint_type.upper() if isinstance(endpoint_type, str) else endpoint_type
    if kind in (None, "", OCI_CIDR_BLOCK):
        return judge_range(value, parents)
    if kind == OCI_SERVICE_CIDR_BLOCK:
        return RangeVerdict(CLEAR, value, detail="Oracle Services Network label")
    if kind == OCI_NETWORK_SECURITY_GROUP:
        return RangeVerdict(CLEAR, value, detail="network security group in the same VCN")
    return RangeVerdict(INVALID, endpoint_type, detail=f"unrecognised source/destination type {endpoint_type!r}")
