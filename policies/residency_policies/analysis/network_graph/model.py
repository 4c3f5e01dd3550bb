"""The network graph: clouds' networking resources normalized into one small vocabulary.

OCI and AWS resources are read into the same pieces (networks, subnets, route tables, gateways, security
containers, network ACLs, firewalls) so one proof and one diagram serve both clouds. Every piece keeps
the URN and name of the resource it came from, so a violation can name it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from residency_policies.analysis.network_graph.prefixes import Prefix, PrefixTable
from residency_policies.values import is_unknown


@dataclass(frozen=True)
class NetResource:
    """The input: one stack resource (its outputs at preview, unknowns as sentinel strings)."""

    type: str
    urn: str
    name: str
    props: Mapping[str, Any]
    property_dependencies: dict[str, tuple[str, ...]] = field(default_factory=dict)


# Gateway kinds. "Exits" are where a packet leaves what the stack can see.
IGW = "internet-gateway"
NAT = "nat-gateway"
SGW = "service-gateway"
EGRESS_ONLY = "egress-only-internet-gateway"
DRG = "drg"
LPG = "local-peering-gateway"
RPC = "remote-peering-connection"
VPC_PEERING = "vpc-peering"
TGW = "transit-gateway"
FIREWALL = "network-firewall"
APPLIANCE = "appliance"  # a private IP / ENI / endpoint that forwards packets by itself


@dataclass
class Network:
    urn: str
    name: str
    cloud: str
    cidrs: list[Prefix]
    cidr_unknown: bool = False


@dataclass
class Route:
    """One route rule: destination -> candidate next hops (several when preview cannot tell them apart)."""

    dest: Prefix | None  # None: the destination is unknown or unreadable
    dest_text: str
    targets: tuple[str, ...]  # node keys (URNs, or "external:<id>" / "unresolved:<what>")
    label: str  # "<route table>.routeRules[0] 0.0.0.0/0" for messages
    urn: str  # the resource holding the rule (the route table, or an aws:ec2/route)
    ambiguous: bool = False


@dataclass
class RouteTable:
    urn: str
    name: str
    routes: list[Route] = field(default_factory=list)
    unknown_rules: str | None = None  # the whole rule list is unknown: names the property
    network: str | None = None
    _index: PrefixTable | None = None

    def read_inline_rules(self, rules: Any, prop: str) -> Iterator[tuple[str, dict]]:
        """Each readable inline rule with its place (``<table>.<prop>[i]``). A rule list unknown at preview
        marks the table's rules unknown; an unreadable rule becomes a route to an unresolved hop."""
        if is_unknown(rules):
            self.unknown_rules = f"{self.name}.{prop}"
        for i, rule in enumerate(rules if isinstance(rules, list) else []):
            where = f"{self.name}.{prop}[{i}]"
            if isinstance(rule, dict):
                yield where, rule
            else:
                self.routes.append(Route(None, "unknown", (f"unresolved:{where}",), where, self.urn))

    def index(self) -> PrefixTable:
        if self._index is None:
            self._index = PrefixTable()
            for route in self.routes:
                if route.dest is not None:
                    self._index.add(route.dest, route)
        return self._index


@dataclass
class Gateway:
    urn: str
    name: str
    kind: str
    network: str | None = None  # the VCN/VPC it sits in
    route_table: str | None = None  # OCI: the gateway's own (transit / ingress) route table
    peers: tuple[str, ...] = ()  # LPG peer / DRG attachments' networks / AWS peering's in-stack VPCs, as node keys
    blocked: bool = False  # disabled IGW, NAT with blockTraffic
    note: str = ""  # why an exit can reach outside (DRG with external links, foreign peer ...)
    subnet: str | None = None  # firewalls and private IPs: where they forward from
    firewall: str | None = None  # a private IP that belongs to a network firewall
    translates: bool = False  # a NAT64 translator (AWS NAT gateways): carries the NAT64 form of IPv4 ranges


@dataclass
class SecurityRule:
    """A rule that admits (or, in a NACL, allows/denies) traffic to or from ``peer``."""

    direction: str  # "ingress" | "egress"
    peer: Prefix | None  # None with ``peer_unknown`` = unknown; None otherwise = not an address (NSG ref, service)
    peer_text: str
    label: str
    urn: str
    peer_unknown: bool = False
    allow: bool = True
    number: int = 0  # NACL evaluation order
    all_traffic: bool = True  # False: a protocol/port narrows it, so as a NACL deny it blocks only part of a flow
    ports: Any = None  # ``tiers.Ports`` it admits (None: every port)


@dataclass
class SecurityContainer:
    """A security list, NSG or AWS security group (rules are a union: any one admits)."""

    urn: str
    name: str
    kind: str
    rules: list[SecurityRule] = field(default_factory=list)
    unknown_rules: str | None = None


@dataclass
class NetworkAcl:
    """An AWS network ACL: numbered rules, first match wins, implicit deny at the end."""

    urn: str
    name: str
    rules: list[SecurityRule] = field(default_factory=list)
    unknown_rules: str | None = None


@dataclass
class FirewallRule:
    name: str
    deny: bool
    sources: list[Prefix] | None  # None = any
    destinations: list[Prefix] | None
    all_traffic: bool  # no application/service/url condition narrows it
    unresolved: str | None  # a piece that could not be read (address list, FQDN ...)
    order: float
    urn: str


@dataclass
class Firewall:
    urn: str
    name: str
    subnet: str | None
    rules: list[FirewallRule] = field(default_factory=list)
    policy_unresolved: str | None = None


@dataclass
class Subnet:
    urn: str
    name: str
    cloud: str
    network: str | None
    cidrs: list[Prefix]
    tier: str  # data | app | management | <other>; untagged subnets are "data"
    tier_tagged: bool
    public: bool | None  # OCI: may VNICs get public IPs (None = unknown)
    route_table: str | None  # node key, or None for the network's default table
    route_table_note: str = ""
    security: list[str] = field(default_factory=list)  # security container keys (lists + NSGs + SGs)
    nacl: str | None = None
    cidr_unknown: bool = False
    security_unknown: str | None = None
    public_ports: tuple[tuple[int, int], ...] = ()  # a public tier's declared ports (``tiers``)


@dataclass
class NetworkGraph:
    networks: dict[str, Network] = field(default_factory=dict)
    subnets: dict[str, Subnet] = field(default_factory=dict)
    route_tables: dict[str, RouteTable] = field(default_factory=dict)
    gateways: dict[str, Gateway] = field(default_factory=dict)
    security: dict[str, SecurityContainer] = field(default_factory=dict)
    nacls: dict[str, NetworkAcl] = field(default_factory=dict)
    firewalls: dict[str, Firewall] = field(default_factory=dict)
    default_route_tables: dict[str, str] = field(default_factory=dict)  # network -> route table
    default_security: dict[str, str] = field(default_factory=dict)  # network -> security container
    names: dict[str, str] = field(default_factory=dict)  # node key -> display name
    drg_attachments: dict[str, DrgAttachment] = field(default_factory=dict)
    drg_route_tables: dict[str, DrgRouteTable] = field(default_factory=dict)
    firewall_subnets: set[str] = field(default_factory=set)  # subnets that hold a network firewall's endpoints
    # Which resources carry which groups, where (``attachments.Attachment``); a group no resource carries
    # governs nothing.
    attachments: list = field(default_factory=list)
    tgw_attachments: dict[str, DrgAttachment] = field(default_factory=dict)  # AWS transit gateway attachments
    zpr: Any = None  # ``zpr.ZprGate`` when the stack manages the tenancy's Zero Trust Packet Routing

    def name_of(self, key: str) -> str:
        if key in self.names:
            return self.names[key]
        if key.startswith(("external:", "unresolved:")):
            return key.split(":", 1)[1]
        return key.rsplit("::", 1)[-1]

    def data_subnets(self) -> list[Subnet]:
        return [s for s in self.subnets.values() if s.tier == "data"]

    def protected_subnets(self) -> list[Subnet]:
        """Subnets nothing outside may reach: the data tier (untagged included) and the management tier."""
        return [s for s in self.subnets.values() if s.tier in ("data", "management")]


@dataclass
class DrgAttachment:
    urn: str
    name: str
    drg: str  # node key of the DRG
    network: str | None  # node key of the attached VCN; None for IPSec / virtual circuit / RPC attachments
    route_table: str | None  # VCN ingress route table (transit routing)
    drg_route_table: str | None
    route_tables: tuple[str, ...] = ()  # AWS transit gateway: the route tables of the attachment's subnets
    default_association: bool = False  # AWS: unassociated, it uses the transit gateway's default route table


@dataclass
class DrgRouteTable:
    urn: str
    name: str
    routes: list[Route] = field(default_factory=list)
    imports: bool = False  # an import route distribution adds routes the stack cannot see
    _index: PrefixTable | None = None

    def index(self) -> PrefixTable:
        if self._index is None:
            self._index = PrefixTable()
            for route in self.routes:
                if route.dest is not None:
                    self._index.add(route.dest, route)
        return self._index
