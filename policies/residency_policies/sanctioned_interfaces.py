"""Sanctioned interfaces: the named, approved, logged gateways that are the only paths between the estate and
the parent company.

Real residency arrangements keep a few approved integrations with the parent company (advertising measurement,
product interoperability). A waiver of ``network-reachability`` would hide every other path through the same
resources too, so such an integration is declared instead, under the rules key ``sanctionedInterfaces``::

    - name: ads-measurement
      purpose: Aggregated ad-measurement counts, no user-level data, exported to the parent's measurement service
      direction: estate-to-parent            # or parent-to-estate
      parentEndpoints: [203.0.113.40/32]     # CIDRs inside parentCompany.cidrs, or host names
      ports: [tcp/443]                       # tcp/<port>, udp/<port>, tcp/<low>-<high>
      gateway: {name: ads-measurement-firewall, type: "oci:NetworkFirewall/networkFirewall:NetworkFirewall"}
      approver: us-security-officer@example.com
      reviewBy: 2027-06-30

The proof that a path matches a declaration is ``analysis/interface_proof.py``. Here: the declaration, parsed
and validated like a waiver: every problem is one ``InterfaceProblem`` naming the key, the value and what is
allowed, and a declaration past its review-by date is a problem too. A declaration with a problem sanctions
nothing.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from residency_policies.ip_ranges import Network, address_forms, parse_cidr
from residency_policies.urns import parse_urn
from residency_policies.waivers import today

KEY = "sanctionedInterfaces"
INTERFACE_KEYS = ("name", "purpose", "direction", "parentEndpoints", "ports", "gateway", "approver", "reviewBy")
GATEWAY_KEYS = ("urn", "name", "type")
MIN_PURPOSE_CHARS = 20
NAME_PATTERN = r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"
HOST_PATTERN = r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$"
PORT_PATTERN = r"^(tcp|udp)/([0-9]{1,5})(-([0-9]{1,5}))?$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

OCI_NETWORK_FIREWALL = "oci:NetworkFirewall/networkFirewall:NetworkFirewall"
GATEWAY_TYPES: Mapping[str, str] = {OCI_NETWORK_FIREWALL: "an OCI Network Firewall"}
"""Gateways the proof can follow a path through and read the policy of (``analysis/interface_proof.py``)."""


class Direction(Enum):
    """Who opens the connections an interface carries (security rules are stateful: replies need no rule)."""

    ESTATE_TO_PARENT = "estate-to-parent"
    PARENT_TO_ESTATE = "parent-to-estate"

    @property
    def path_direction(self) -> str:
        """The proof's direction of the paths it carries (``reachability.Path.direction``)."""
        return "egress" if self is Direction.ESTATE_TO_PARENT else "ingress"


@dataclass(frozen=True, order=True)
class PortRange:
    """``tcp/443`` or ``udp/5000-5010``: what an interface may carry."""

    protocol: str
    low: int
    high: int

    def covers(self, protocol: str, low: int, high: int) -> bool:
        return protocol == self.protocol and self.low <= low and high <= self.high

    def __str__(self) -> str:
        return f"{self.protocol}/{self.low}" if self.low == self.high else f"{self.protocol}/{self.low}-{self.high}"


@dataclass(frozen=True)
class GatewayRef:
    """The gateway an interface must traverse: a resource of the stack, by URN or by name and type."""

    type: str
    urn: str | None = None
    name: str | None = None

    def matches(self, urn: str, type_: str, name: str) -> bool:
        if self.urn is not None:
            return urn == self.urn
        return type_ == self.type and name == self.name

    def describe(self) -> str:
        what = GATEWAY_TYPES.get(self.type, self.type)
        return f"{what} {self.urn}" if self.urn is not None else f"{what} '{self.name}'"

    def as_json(self) -> dict[str, str]:
        return {"urn": self.urn} if self.urn is not None else {"name": str(self.name), "type": self.type}


@dataclass(frozen=True)
class SanctionedInterface:
    name: str
    purpose: str
    direction: Direction
    cidrs: tuple[Network, ...]
    """The parent endpoints given as CIDR blocks (each inside a parent-company range)."""
    hosts: tuple[str, ...]
    """The parent endpoints given as host names (lower case)."""
    ports: tuple[PortRange, ...]
    gateway: GatewayRef
    approver: str
    review_by: _dt.date

    def covers_range(self, network: Network) -> bool:
        """True when every address of ``network`` is a declared endpoint (in any of its address forms)."""
        return any(f.version == e.version and f.subnet_of(e)  # type: ignore[arg-type]  # same version
                   for f in address_forms(network) for c in self.cidrs for e in address_forms(c))

    def covers_ports(self, protocol: str, low: int, high: int) -> bool:
        return any(p.covers(protocol, low, high) for p in self.ports)

    @property
    def endpoints(self) -> tuple[str, ...]:
        return tuple(str(c) for c in self.cidrs) + self.hosts

    def summary(self) -> str:
        """One line: what it carries, through what, approved by whom, until when."""
        return (f"{self.name} ({self.direction.value}; {', '.join(self.endpoints)} on "
                f"{', '.join(map(str, self.ports))}; gateway {self.gateway.describe()}; approved by {self.approver}, "
                f"review by {self.review_by.isoformat()})")

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "purpose": self.purpose, "direction": self.direction.value,
                "parentEndpoints": list(self.endpoints), "ports": [str(p) for p in self.ports],
                "gateway": self.gateway.as_json(), "approver": self.approver,
                "reviewBy": self.review_by.isoformat()}


@dataclass(frozen=True)
class InterfaceProblem:
    """One problem with one declaration: the key, the value found and what is allowed (or a review overdue)."""

    index: int
    key: str
    """The full key, ``sanctionedInterfaces[0].ports[1]``."""
    value: Any
    allowed: str
    name: str | None = None
    overdue: bool = False

    def message(self, where: str) -> str:
        named = f" ('{self.name}')" if self.name else ""
        if self.overdue:
            return (f"sanctioned interface #{self.index}{named} in {where} was due for review on {self.value}; it "
                    f"sanctions nothing until it is reviewed again ({self.allowed})")
        return (f"sanctioned interface #{self.index}{named} in {where} is malformed: {self.key} = {self.value!r}; "
                f"allowed: {self.allowed}; it sanctions nothing until fixed")


def parse_interfaces(raw: Any, *, parent_cidrs: Iterable[Network] | None = None, on: _dt.date | None = None,
                     keep_overdue: bool = False) -> tuple[tuple[SanctionedInterface, ...], tuple[InterfaceProblem, ...]]:
    """Split ``raw`` (the ``sanctionedInterfaces`` value) into usable declarations and problems.

    ``parent_cidrs`` (the rules in force) is needed to check that each CIDR endpoint is the parent's; None skips
    that check (one layer validated on its own). ``keep_overdue`` returns a well-formed declaration past its
    review-by date among the usable ones as well as its problem (what a program building the gateway needs).
    """
    on = on or today()
    if raw is None:
        return (), ()
    if not isinstance(raw, list):
        return (), (InterfaceProblem(0, KEY, raw, "a list of interface objects"),)
    parents = None if parent_cidrs is None else tuple(parent_cidrs)
    good: list[SanctionedInterface] = []
    problems: list[InterfaceProblem] = []
    names: set[str] = set()
    for i, entry in enumerate(raw):
        found, own = _parse_one(i, entry, parents, names)
        problems.extend(own)
        if found is None:
            continue
        if found.review_by < on:
            problems.append(InterfaceProblem(
                i, f"{KEY}[{i}].reviewBy", found.review_by.isoformat(),
                "renew the approval and set reviewBy to a later date", found.name, overdue=True))
            if not keep_overdue:
                continue
        good.append(found)
    return tuple(good), tuple(problems)


def _parse_one(i: int, entry: Any, parents: tuple[Network, ...] | None,
               names: set[str]) -> tuple[SanctionedInterface | None, list[InterfaceProblem]]:
    at = f"{KEY}[{i}]"
    if not isinstance(entry, Mapping):
        return None, [InterfaceProblem(i, at, entry, "an object with keys " + ", ".join(INTERFACE_KEYS))]
    label = entry.get("name") if isinstance(entry.get("name"), str) else None
    problems: list[InterfaceProblem] = []

    def bad(key: str, value: Any, allowed: str) -> None:
        problems.append(InterfaceProblem(i, f"{at}.{key}", value, allowed, label))

    for key in INTERFACE_KEYS:
        if key not in entry:
            bad(key, None, "a value (required)")
    for key in sorted(set(entry) - set(INTERFACE_KEYS)):
        bad(key, entry[key], "keys " + ", ".join(INTERFACE_KEYS))

    name = entry.get("name")
    if "name" in entry:
        if not isinstance(name, str) or not re.match(NAME_PATTERN, name):
            bad("name", name, "lower-case letters, digits and hyphens (1-63), starting and ending with a letter or digit")
        elif name in names:
            bad("name", name, "a name no other sanctioned interface has")
        else:
            names.add(name)
    purpose = entry.get("purpose")
    if "purpose" in entry and (not isinstance(purpose, str) or len(purpose.strip()) < MIN_PURPOSE_CHARS):
        bad("purpose", purpose, f"what the interface carries and why, at least {MIN_PURPOSE_CHARS} characters")
    direction = _direction(entry.get("direction"))
    if "direction" in entry and direction is None:
        bad("direction", entry.get("direction"), " or ".join(d.value for d in Direction))
    cidrs, hosts = _endpoints(entry, parents, bad)
    ports = _ports(entry, bad)
    gateway = _gateway(entry, bad)
    approver = entry.get("approver")
    if "approver" in entry and (not isinstance(approver, str) or not approver.strip()):
        bad("approver", approver, "who approved the interface (a name or address)")
    review_by = _date(entry.get("reviewBy"))
    if "reviewBy" in entry and review_by is None:
        bad("reviewBy", entry.get("reviewBy"), "an ISO date (YYYY-MM-DD)")
    if problems or not (isinstance(name, str) and isinstance(purpose, str) and isinstance(approver, str)
                        and direction is not None and gateway is not None and review_by is not None):
        # Every missing or malformed field is a problem above; ``complete`` only narrows the types.
        return None, problems or [InterfaceProblem(i, at, entry, "a complete declaration", label)]
    return SanctionedInterface(
        name=name, purpose=purpose.strip(), direction=direction, cidrs=tuple(cidrs), hosts=tuple(hosts),
        ports=tuple(ports), gateway=gateway, approver=approver.strip(), review_by=review_by), []


def _direction(value: Any) -> Direction | None:
    for direction in Direction:
        if value == direction.value:
            return direction
    return None


def _inside_parent(network: Network, parents: tuple[Network, ...]) -> bool:
    return any(f.version == g.version and f.subnet_of(g)  # type: ignore[arg-type]  # same version
               for p in parents for f in address_forms(network) for g in address_forms(p))


def _endpoints(entry: Mapping[str, Any], parents: tuple[Network, ...] | None, bad) -> tuple[list[Network], list[str]]:
    if "parentEndpoints" not in entry:
        return [], []
    raw = entry.get("parentEndpoints")
    if not isinstance(raw, list) or not raw:
        bad("parentEndpoints", raw, "a non-empty list of CIDR blocks or host names")
        return [], []
    cidrs: list[Network] = []
    hosts: list[str] = []
    for j, value in enumerate(raw):
        text = value.strip() if isinstance(value, str) else value
        network = parse_cidr(text, strict=True) if isinstance(text, str) and (
            "/" in text or ":" in text or re.match(r"^[0-9.]+$", text)) else None
        if network is not None:
            if parents is not None and not _inside_parent(network, parents):
                bad(f"parentEndpoints[{j}]", value,
                    "a CIDR block inside one of parentCompany.cidrs (" + ", ".join(map(str, parents)) + ")")
            else:
                cidrs.append(network)
        elif isinstance(text, str) and re.match(HOST_PATTERN, text.lower()):
            hosts.append(text.lower())
        else:
            bad(f"parentEndpoints[{j}]", value, "a CIDR block (203.0.113.40/32, no host bits) or a host name "
                "(measurement.parent.example)")
    return cidrs, hosts


def _ports(entry: Mapping[str, Any], bad) -> list[PortRange]:
    if "ports" not in entry:
        return []
    raw = entry.get("ports")
    if not isinstance(raw, list) or not raw:
        bad("ports", raw, "a non-empty list of tcp/<port>, udp/<port> or tcp/<low>-<high>")
        return []
    out: list[PortRange] = []
    for j, value in enumerate(raw):
        match = re.match(PORT_PATTERN, value.strip().lower()) if isinstance(value, str) else None
        low = int(match[2]) if match else 0
        high = int(match[4]) if match and match[4] else low
        if match is None or not 1 <= low <= high <= 65535:
            bad(f"ports[{j}]", value, "tcp/<port>, udp/<port> or tcp/<low>-<high>, ports 1-65535, low <= high")
            continue
        out.append(PortRange(match[1], low, high))
    return sorted(set(out))


def _gateway(entry: Mapping[str, Any], bad) -> GatewayRef | None:
    if "gateway" not in entry:
        return None
    raw = entry.get("gateway")
    allowed_types = ", ".join(GATEWAY_TYPES)
    if not isinstance(raw, Mapping):
        bad("gateway", raw, "an object with urn, or with name and type")
        return None
    extra = sorted(set(raw) - set(GATEWAY_KEYS))
    for key in extra:
        bad(f"gateway.{key}", raw[key], "keys urn, or name and type")
    if "urn" in raw:
        parsed = parse_urn(raw.get("urn"))
        if "name" in raw or "type" in raw:
            bad("gateway", dict(raw), "either urn, or name and type (not both)")
        elif parsed is None:
            bad("gateway.urn", raw.get("urn"), "a resource URN (urn:pulumi:<stack>::<project>::<type>::<name>)")
        elif parsed.type not in GATEWAY_TYPES:
            bad("gateway.urn", raw.get("urn"), f"the URN of a gateway the proof can follow: {allowed_types}")
        else:
            return None if extra else GatewayRef(parsed.type, urn=raw["urn"])
        return None
    name, type_ = raw.get("name"), raw.get("type")
    ok = True
    if not isinstance(name, str) or not name.strip():
        bad("gateway.name", name, "the gateway's resource name in the program (with its type)")
        ok = False
    if type_ not in GATEWAY_TYPES:
        bad("gateway.type", type_, f"a gateway type the proof can follow: {allowed_types}")
        ok = False
    return GatewayRef(str(type_), name=name.strip()) if ok and not extra and isinstance(name, str) else None


def _date(value: Any) -> _dt.date | None:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str) and re.match(DATE_PATTERN, value.strip()):
        try:
            return _dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


# The schema the engine validates policy config against (``rules_file.CONFIG_SCHEMA``); RE2-safe patterns.
CONFIG_SCHEMA: dict[str, Any] = {
    "type": "array",
    "description": (
        "Sanctioned interfaces: the only paths allowed between the estate and the parent company. Each names its "
        "purpose, direction, parent endpoints, ports, the gateway it must traverse (a resource of the stack), an "
        "approver and a review-by date."
    ),
    "items": {
        "type": "object",
        "properties": {
            "name": {"type": "string", "pattern": NAME_PATTERN},
            "purpose": {"type": "string", "minLength": MIN_PURPOSE_CHARS},
            "direction": {"type": "string", "enum": [d.value for d in Direction]},
            "parentEndpoints": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "ports": {"type": "array", "items": {"type": "string", "pattern": r"^(tcp|udp)/[0-9]{1,5}(-[0-9]{1,5})?$"},
                      "minItems": 1},
            "gateway": {
                "type": "object",
                "properties": {"urn": {"type": "string"}, "name": {"type": "string"},
                               "type": {"type": "string", "enum": list(GATEWAY_TYPES)}},
                "additionalProperties": False,
            },
            "approver": {"type": "string", "minLength": 1},
            "reviewBy": {"type": "string", "pattern": DATE_PATTERN},
        },
        "required": list(INTERFACE_KEYS),
        "additionalProperties": False,
    },
}
