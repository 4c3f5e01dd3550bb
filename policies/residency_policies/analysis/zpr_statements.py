"""Zero Trust Packet Routing (ZPR): policy statements and the security attributes they select.

A ZPR policy statement (OCI's ZPR Policy Language) allows one kind of flow, on top of security lists and NSGs, to
endpoints that carry security attributes:

    in <vcn attribute> VCN allow <source> to connect to <destination> [with protocol='tcp/1521']
    allow <source> endpoints in <vcn attribute> VCN to connect to <destination> endpoints in <vcn attribute> VCN

A source or destination is a security attribute (``app:db`` or ``ns.app:db endpoints``, quoted when the value has
spaces; the namespace defaults to ``oracle-zpr``), an IP address or range in quotes (``'203.0.113.0/24'``: clients
outside the VCN are named by address), ``all-endpoints`` (the endpoints of the VCN) or the Oracle Services
Network (``osn-services-ip-addresses``). A statement whose source is a range admits that range (ingress); one whose
destination is a range lets the VCN's endpoints reach it (egress).

A resource's security attributes are a map ``{"<ns>.<key>.value": "<value>", "<ns>.<key>.mode": "enforce"}``
(``securityAttributes``, on the resource or its VNIC details); only an attribute in ``enforce`` mode makes ZPR
drop what no statement allows (``audit`` only logs).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from residency_policies.ip_ranges import Network, parse_cidr
from residency_policies.values import is_unknown

DEFAULT_NAMESPACE = "oracle-zpr"


class EndpointKind(Enum):
    ATTRIBUTE = "attribute"  # the VCN's endpoints that carry a security attribute
    RANGE = "range"  # addresses outside the VCN
    ALL = "all"  # every endpoint of the VCN
    SERVICES = "services"  # the Oracle Services Network


@dataclass(frozen=True)
class Attribute:
    namespace: str
    key: str
    value: str

    def __str__(self) -> str:
        return f"{self.namespace}.{self.key}:{self.value}"


@dataclass(frozen=True)
class Endpoint:
    kind: EndpointKind
    text: str
    attribute: Attribute | None = None
    network: Network | None = None
    vcn: Attribute | None = None  # cross-VCN statements: the VCN this endpoint is in


@dataclass(frozen=True)
class Statement:
    location: Attribute | None  # the VCN attribute of ``in <attr> VCN`` (None for cross-VCN statements)
    source: Endpoint
    destination: Endpoint
    protocol: str | None = None

    def vcns(self) -> tuple[Attribute, ...]:
        return tuple(a for a in (self.location, self.source.vcn, self.destination.vcn) if a is not None)


_TOKEN = re.compile(r"'(?:[^']|'')*'|[^\s']+")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def attribute(text: str) -> Attribute | None:
    """``ns.key:value`` or ``key:value`` (namespace ``oracle-zpr``), quoted or not."""
    raw = text[1:-1].replace("''", "'") if text.startswith("'") and text.endswith("'") else text
    name, sep, value = raw.partition(":")
    if not sep or not name or not value:
        return None
    namespace, dot, key = name.rpartition(".")
    return Attribute((namespace if dot else DEFAULT_NAMESPACE).lower(), key.lower(), value.strip().lower())


def _endpoint(words: list[str]) -> Endpoint | None:
    """One endpoint clause (without the words around it)."""
    if not words:
        return None
    vcn = None
    if len(words) >= 4 and words[-3].lower() == "in" and words[-1].lower() == "vcn":
        vcn = attribute(words[-2])
        words = words[:-3]
    head = words[0]
    lowered = head.strip("'").lower()
    if lowered == "all-endpoints" and len(words) == 1:
        return Endpoint(EndpointKind.ALL, head, vcn=vcn)
    if lowered.startswith("osn-services-ip") and len(words) == 1:
        return Endpoint(EndpointKind.SERVICES, head, vcn=vcn)
    if len(words) == 2 and words[1].lower() == "endpoints":
        found = attribute(head)
        return Endpoint(EndpointKind.ATTRIBUTE, head, attribute=found, vcn=vcn) if found else None
    if len(words) == 1 and head.startswith("'"):
        network = parse_cidr(head.strip("'"))
        if network is not None:
            return Endpoint(EndpointKind.RANGE, head.strip("'"), network=network, vcn=vcn)
    return None


def parse(text: Any) -> Statement | None:
    """A statement, or None when it is not one this parser reads (unknown values included)."""
    if not isinstance(text, str) or is_unknown(text):
        return None
    words = _tokens(text.strip())
    lowered = [w.lower() for w in words]
    location = None
    if lowered[:1] == ["in"]:
        if len(words) < 4 or lowered[2] != "vcn":
            return None
        location = attribute(words[1])
        words, lowered = words[3:], lowered[3:]
    if lowered[:1] != ["allow"]:
        return None
    try:
        verb = next(i for i in range(1, len(lowered) - 2) if lowered[i:i + 3] == ["to", "connect", "to"])
    except StopIteration:
        return None
    rest = words[verb + 3:]
    protocol = None
    with_at = next((i for i, w in enumerate(rest) if w.lower() == "with"), None)
    if with_at is not None:
        protocol = "".join(rest[with_at + 1:])
        rest = rest[:with_at]
    source, destination = _endpoint(words[1:verb]), _endpoint(rest)
    if source is None or destination is None:
        return None
    return Statement(location, source, destination, protocol)


@dataclass(frozen=True)
class Attributes:
    """A resource's security attributes: those it carries, and whether ZPR enforces any of them."""

    carried: frozenset[Attribute]
    enforced: bool
    unknown: bool = False


NONE = Attributes(frozenset(), False)


def read_attributes(value: Any) -> Attributes:
    """The attributes of one ``securityAttributes`` map."""
    if is_unknown(value):
        return Attributes(frozenset(), False, True)
    if not isinstance(value, Mapping):
        return NONE
    values: dict[tuple[str, str], str] = {}
    modes: dict[tuple[str, str], str] = {}
    unknown = False
    for name, item in value.items():
        head, _, field = str(name).rpartition(".")
        namespace, _, key = head.rpartition(".")
        if not key:
            continue
        if is_unknown(item):
            unknown = True
            continue
        target = values if field.lower() == "value" else modes if field.lower() == "mode" else None
        if target is not None and isinstance(item, str):
            target[((namespace or DEFAULT_NAMESPACE).lower(), key.lower())] = item.strip().lower()
    carried = frozenset(Attribute(ns, key, v) for (ns, key), v in values.items())
    enforced = any(modes.get(k, "") == "enforce" for k in values)
    return Attributes(carried, enforced, unknown)


def attributes_of(props: Any) -> Attributes:
    """Every ``securityAttributes`` map of a resource (on itself or its VNIC details), merged."""
    carried: set[Attribute] = set()
    enforced = unknown = False
    for found in _attribute_maps(props, 0):
        carried |= found.carried
        enforced = enforced or found.enforced
        unknown = unknown or found.unknown
    return Attributes(frozenset(carried), enforced, unknown)


def _attribute_maps(value: Any, depth: int) -> Iterator[Attributes]:
    if depth > 8:
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key == "securityAttributes":
                yield read_attributes(item)
            elif isinstance(item, (Mapping, list)):
                yield from _attribute_maps(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from _attribute_maps(item, depth + 1)
