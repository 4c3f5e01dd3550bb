"""IP ranges found in network rules, judged against the parent company's ranges.

A range *reaches* a parent range when any address is in both. ``0.0.0.0/0`` and ``::/0`` reach every
parent range whatever its IP version (the issue's rule: "0.0.0.0/0 overlaps everything"), and an IPv6
range reaches an IPv4 parent range through the IPv6 forms that carry IPv4 addresses (IPv4-mapped
``::ffff:0:0/96``, NAT64 ``64:ff9b::/96`` and 6to4 ``2002::/16``), because those still deliver packets
to or from the parent's IPv4 hosts.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any, Iterable

from residency_policies.values import is_unknown

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

_V4_IN_V6 = (
    (ipaddress.IPv6Network("::ffff:0:0/96"), 96),  # IPv4-mapped
    (ipaddress.IPv6Network("64:ff9b::/96"), 96),  # NAT64 well-known prefix
    (ipaddress.IPv6Network("2002::/16"), 16),  # 6to4: the IPv4 address follows the 16-bit prefix
)

# Verdict kinds: what a rule's address field tells us about reaching the parent company.
CLEAR = "clear"  # a range that reaches no parent range, or a reference that cannot carry one
ABSENT = "absent"  # nothing set
OVERLAPS = "overlaps"  # a range that reaches one or more parent ranges
UNKNOWN = "unknown"  # not known at preview
INVALID = "invalid"  # set, but not a range we can read: cannot be checked
REFERENCE = "reference"  # names something else (prefix list, security group) that must be resolved


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


def parse_range(value: Any) -> Network | None:
    """A network from a CIDR (host bits allowed) or a bare address; None when it is not one."""
    if not isinstance(value, str) or is_unknown(value):
        return None
    text = value.strip()
    if not text:
        return None
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


def _v4_forms_in_v6(parent: ipaddress.IPv4Network) -> list[ipaddress.IPv6Network]:
    forms = []
    for prefix, offset in _V4_IN_V6:
        shifted = int(parent.network_address) << (128 - offset - 32)
        base = int(prefix.network_address) | shifted
        forms.append(ipaddress.IPv6Network((base, offset + parent.prefixlen)))
    return forms


def reaches(candidate: Network, parent: Network) -> bool:
    """True when ``candidate`` shares an address with ``parent`` (see module docstring for cross-version)."""
    if candidate.prefixlen == 0:
        return True
    if candidate.version == parent.version:
        return candidate.overlaps(parent)
    if candidate.version == 6 and parent.version == 4:
        return any(candidate.overlaps(form) for form in _v4_forms_in_v6(parent))
    return False


def overlapping_parents(candidate: Network, parents: Iterable[Network]) -> tuple[Network, ...]:
    return tuple(p for p in parents if reaches(candidate, p))


def judge_range(value: Any, parents: Iterable[Network]) -> RangeVerdict:
    """Judge one address field (CIDR string, bare IP, unknown sentinel, or None)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return RangeVerdict(ABSENT, value)
    if is_unknown(value):
        return RangeVerdict(UNKNOWN, value, detail="the range is not known at preview")
    network = parse_range(value)
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


def as_list(value: Any) -> list[Any]:
    """A list field as a list: a single value becomes one element, None becomes empty, unknown stays."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]
