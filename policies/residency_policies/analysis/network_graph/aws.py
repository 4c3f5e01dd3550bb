"""Read AWS networking resources (pulumi_aws wire names) into the network graph.

AWS choices, each the strict reading of what preview can know:

- **Security groups.** A group is attached to ENIs, not subnets, and anything (an instance, a Lambda, an
  ENI made outside this stack) may carry any group of the VPC. So every security group of a subnet's VPC
  counts for that subnet, and one whose VPC cannot be resolved counts for every subnet.
- **Default security group.** AWS's own default group admits only its own members, and allows all egress.
  It counts for every subnet of its VPC unless the stack manages ``aws:ec2/defaultSecurityGroup`` (the
  provider then strips AWS's rules and keeps only the configured ones).
- **Group references.** ``self`` and a group in this stack name addresses inside the stack's VPCs, never
  the internet or the parent. A group outside the stack (``sg-...``, ``111122223333/sg-...``) or one that
  cannot be resolved may have members anywhere: a possible path, named.
- **Network ACLs.** Numbered rules, first match wins, implicit deny. A subnet with no association uses the
  VPC's default ACL: AWS's allows everything, a managed ``aws:ec2/defaultNetworkAcl`` has only its rules.
- **Route tables.** A subnet with no association uses the VPC's main table: the managed
  ``aws:ec2/defaultRouteTable``, or the one a ``mainRouteTableAssociation`` names, or AWS's own (only the
  local route, unless ``aws:ec2/route`` resources add to it through ``vpc.mainRouteTableId``).
- **Exits.** Peering is followed only into a peer VPC of this stack (peering is not transitive); a transit
  gateway, VPN gateway, carrier/local gateway or Cloud WAN core network is an exit to networks the stack
  cannot see, like an OCI DRG. A gateway-load-balancer endpoint forwards somewhere the stack cannot see.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from residency_policies.analysis.network_graph import attachments, aws_firewall, tiers
from residency_policies.analysis.network_graph import model as m
from residency_policies.analysis.network_graph.prefixes import Prefix, parse_prefix
from residency_policies.analysis.network_graph.references import References
from residency_policies.values import is_unknown

VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
DEFAULT_ROUTE_TABLE = "aws:ec2/defaultRouteTable:DefaultRouteTable"
ROUTE = "aws:ec2/route:Route"
ROUTE_TABLE_ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
MAIN_ROUTE_TABLE_ASSOCIATION = "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation"
INTERNET_GATEWAY = "aws:ec2/internetGateway:InternetGateway"
INTERNET_GATEWAY_ATTACHMENT = "aws:ec2/internetGatewayAttachment:InternetGatewayAttachment"
EGRESS_ONLY_GATEWAY = "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway"
NAT_GATEWAY = "aws:ec2/natGateway:NatGateway"
VPN_GATEWAY = "aws:ec2/vpnGateway:VpnGateway"
VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
NETWORK_INTERFACE = "aws:ec2/networkInterface:NetworkInterface"
INSTANCE = "aws:ec2/instance:Instance"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
SG_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SG_EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
NETWORK_ACL = "aws:ec2/networkAcl:NetworkAcl"
DEFAULT_NETWORK_ACL = "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl"
NETWORK_ACL_RULE = "aws:ec2/networkAclRule:NetworkAclRule"
NETWORK_ACL_ASSOCIATION = "aws:ec2/networkAclAssociation:NetworkAclAssociation"
PEERING = "aws:ec2/vpcPeeringConnection:VpcPeeringConnection"
TRANSIT_GATEWAY = "aws:ec2transitgateway/transitGateway:TransitGateway"
TGW_VPC_ATTACHMENT = "aws:ec2transitgateway/vpcAttachment:VpcAttachment"
TGW_ROUTE_TABLE = "aws:ec2transitgateway/routeTable:RouteTable"
TGW_ROUTE = "aws:ec2transitgateway/route:Route"
TGW_ASSOCIATION = "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation"
TGW_PROPAGATION = "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation"
PREFIX_LIST = "aws:ec2/managedPrefixList:ManagedPrefixList"
PREFIX_LIST_ENTRY = "aws:ec2/managedPrefixListEntry:ManagedPrefixListEntry"

DEFAULT_GROUP = "default-security-group"  # placeholder: the VPC's default group, resolved per subnet
ROUTE_TABLES = (ROUTE_TABLE, DEFAULT_ROUTE_TABLE)
SECURITY_GROUPS = (SECURITY_GROUP, DEFAULT_SECURITY_GROUP)
NACLS = (NETWORK_ACL, DEFAULT_NETWORK_ACL)
TOKENS = frozenset(
    {VPC, SUBNET, *ROUTE_TABLES, ROUTE, ROUTE_TABLE_ASSOCIATION, MAIN_ROUTE_TABLE_ASSOCIATION, INTERNET_GATEWAY,
     INTERNET_GATEWAY_ATTACHMENT, EGRESS_ONLY_GATEWAY, NAT_GATEWAY, VPN_GATEWAY, *SECURITY_GROUPS, SECURITY_GROUP_RULE,
     SG_INGRESS_RULE, SG_EGRESS_RULE, *NACLS, NETWORK_ACL_RULE, NETWORK_ACL_ASSOCIATION, PEERING, TRANSIT_GATEWAY,
     TGW_VPC_ATTACHMENT, TGW_ROUTE_TABLE, TGW_ROUTE, TGW_ASSOCIATION, TGW_PROPAGATION, PREFIX_LIST,
     PREFIX_LIST_ENTRY, *aws_firewall.TOKENS}
)  # fmt: skip

# Route target keys (same wire names on inline routes and aws:ec2/route): the in-stack types each may name,
# and what a literal id outside the stack is.
_TARGETS: dict[str, tuple[tuple[str, ...], str | None, str]] = {
    "gatewayId": ((INTERNET_GATEWAY, VPN_GATEWAY), None, ""),  # kind from the id prefix (igw- / vgw-)
    "natGatewayId": ((NAT_GATEWAY,), m.NAT, "NAT gateway outside this stack"),
    "egressOnlyGatewayId": ((EGRESS_ONLY_GATEWAY,), m.EGRESS_ONLY, "egress-only internet gateway outside this stack"),
    "transitGatewayId": ((TRANSIT_GATEWAY,), m.TGW, "networks attached to transit gateway {id} outside this stack"),
    "vpcPeeringConnectionId": ((PEERING,), m.VPC_PEERING, "the peer of VPC peering {id}, outside this stack"),
    "carrierGatewayId": ((), m.IGW, ""),  # a carrier network is public like the internet
    "localGatewayId": ((), "local-gateway", "the on-premises network of outpost local gateway {id}"),
    "coreNetworkArn": ((), "core-network", "networks attached to Cloud WAN core network {id}"),
    "odbNetworkArn": ((), "odb-network", "Oracle Database@AWS network {id}"),
    "networkInterfaceId": ((NETWORK_INTERFACE,), None, ""),
    "instanceId": ((INSTANCE,), None, ""),
    "vpcEndpointId": ((VPC_ENDPOINT, aws_firewall.FIREWALL), None, ""),  # an AWS Network Firewall's endpoint too
}
_VPN_NOTE = "on-premises / VPN / Direct Connect networks behind VPN gateway {id}, outside this stack"
_TGW_NOTE = "networks attached to the transit gateway outside this stack"


def _nums(value: Any) -> Any:
    # Numbers arrive as floats over the wire (443.0).
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _ports(rule: dict[str, Any], protocol_key: str = "protocol") -> tuple[str, bool]:
    """('tcp 443', narrows?) for a rule; protocol -1 / all means every port of every protocol."""
    protocol = rule.get(protocol_key)
    text = {"-1": "all", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}.get(str(_nums(protocol)), str(protocol))
    if text == "all":
        return "all", False
    lo, hi = _nums(rule.get("fromPort")), _nums(rule.get("toPort"))
    if text in ("tcp", "udp") and lo is not None and not (lo == 0 and hi == 65535):
        text += f" {lo}" if lo == hi else f" {lo}-{hi}"
    return text, True


def port_range(rule: Mapping[str, Any], protocol_key: str = "protocol") -> tiers.Ports:
    """The ``tiers.Ports`` a security group rule admits (every port when any part is unknown)."""
    protocol = rule.get(protocol_key)
    name = {"-1": "all", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}.get(str(_nums(protocol)), str(protocol).lower())
    lo, hi = _nums(rule.get("fromPort")), _nums(rule.get("toPort"))
    if name in ("tcp", "udp") and isinstance(lo, int) and isinstance(hi, int) and not (lo == 0 and hi == 65535):
        return tiers.Ports(name, lo, hi)
    return tiers.Ports(name) if name in ("tcp", "udp", "icmp", "icmpv6") else tiers.ALL


def _tier(props: Mapping[str, Any]) -> tuple[str, bool]:
    tags = props.get("tags")
    if is_unknown(tags):
        return "data", False
    if isinstance(tags, dict) and "residency-tier" in tags:
        value = tags["residency-tier"]
        return ("data" if is_unknown(value) else str(value)), True
    return "data", False


def _public_ports(props: Mapping[str, Any]) -> tuple[tuple[int, int], ...]:
    tags = props.get("tags")
    return tiers.public_ports(tags) if isinstance(tags, dict) and tags.get(tiers.TIER_TAG) == tiers.PUBLIC else ()


def _cidrs(*values: Any) -> tuple[list[Prefix], bool]:
    out, unknown = [], False
    for v in values:
        if v is None or v == "":
            continue
        p = parse_prefix(v)
        if p is None:
            unknown = True
        else:
            out.append(p)
    return out, unknown


class _Reader:
    def __init__(self, resources: list[m.NetResource], refs: References, graph: m.NetworkGraph):
        self.refs, self.graph = refs, graph
        self.by_type: dict[str, list[m.NetResource]] = {}
        for r in resources:
            if r.type in TOKENS:
                self.by_type.setdefault(r.type, []).append(r)
                graph.names[r.urn] = r.name
        self.sg_network: dict[str, str | None] = {}  # security group -> VPC ("*" = could be any VPC)
        self.default_nacl: dict[str, str] = {}  # VPC -> its default network ACL
        self.prefix_lists: dict[str, tuple[list[Prefix], str | None]] = {}  # urn -> (cidrs, unresolved piece)
        self.all = resources
        self.subnet_tables: dict[str, str] = {}  # subnet -> its associated route table

    def of(self, *types: str) -> list[m.NetResource]:
        return [r for t in types for r in self.by_type.get(t, [])]

    def vpc_of(self, r: m.NetResource, key: str = "vpcId") -> str | None:
        found = self.refs.candidates(r, key, (VPC,))
        return found[0] if found else None

    # ---- networks, gateways ----------------------------------------------------------------------
    def networks(self) -> None:
        for r in self.of(VPC):
            cidrs, unknown = _cidrs(r.props.get("cidrBlock"), r.props.get("ipv6CidrBlock"))
            self.graph.networks[r.urn] = m.Network(r.urn, r.name, "aws", cidrs, unknown or not cidrs)

    def gateways(self) -> None:
        g = self.graph
        for r in self.of(INTERNET_GATEWAY, EGRESS_ONLY_GATEWAY, VPN_GATEWAY):
            kind = {INTERNET_GATEWAY: m.IGW, EGRESS_ONLY_GATEWAY: m.EGRESS_ONLY, VPN_GATEWAY: "vpn-gateway"}[r.type]
            note = _VPN_NOTE.format(id=f"'{r.name}'") if r.type == VPN_GATEWAY else ""
            g.gateways[r.urn] = m.Gateway(r.urn, r.name, kind, network=self.vpc_of(r), note=note)
        for r in self.of(INTERNET_GATEWAY_ATTACHMENT):
            vpc = self.vpc_of(r)
            for igw in self.refs.candidates(r, "internetGatewayId", (INTERNET_GATEWAY,)):
                g.gateways[igw].network = g.gateways[igw].network or vpc
        for r in self.of(NAT_GATEWAY):
            subnet = self.refs.candidates(r, "subnetId", (SUBNET,))
            # AWS NAT gateways translate NAT64 (64:ff9b::/96) too, public and private alike.
            if r.props.get("connectivityType") == "private":
                # A private NAT forwards into its subnet's route table (to a TGW / VGW), never the internet.
                g.gateways[r.urn] = m.Gateway(r.urn, r.name, m.APPLIANCE, subnet=subnet[0] if subnet else None,
                                              translates=True)
            else:
                g.gateways[r.urn] = m.Gateway(r.urn, r.name, m.NAT, network=self.vpc_of(r),
                                              subnet=subnet[0] if subnet else None, translates=True)
        for r in self.of(TRANSIT_GATEWAY):
            g.gateways[r.urn] = m.Gateway(r.urn, r.name, m.TGW, note=_TGW_NOTE)
        for r in self.of(TGW_VPC_ATTACHMENT):
            for tgw in self.refs.candidates(r, "transitGatewayId", (TRANSIT_GATEWAY,)):
                vpc = self.vpc_of(r)
                if vpc:
                    g.gateways[tgw].peers = tuple(dict.fromkeys((*g.gateways[tgw].peers, vpc)))
        for r in self.of(PEERING):
            self._peering(r)

    def _peering(self, r: m.NetResource) -> None:
        p = r.props
        mine = self.vpc_of(r)
        peer = self.vpc_of(r, "peerVpcId")
        owner, region, peer_id = p.get("peerOwnerId"), p.get("peerRegion"), p.get("peerVpcId")
        gw = m.Gateway(r.urn, r.name, m.VPC_PEERING, network=mine, peers=tuple(v for v in (mine, peer) if v))
        if peer is None:
            vpc_text = "<unknown>" if is_unknown(peer_id) or not peer_id else str(peer_id)
            where = [f"account {'<unknown>' if is_unknown(owner) else owner}" if owner else "this account"]
            if region:
                where.append(f"region {'<unknown>' if is_unknown(region) else region}")
            gw.note = f"peer VPC {vpc_text} ({', '.join(where)}), outside this stack"
        self.graph.gateways[r.urn] = gw

    def _appliance(self, urn: str) -> None:
        """An ENI or instance a route points at forwards through its subnet's route table; a (gateway load
        balancer) endpoint forwards to appliances the stack cannot see. Only route targets become nodes."""
        r = self.refs.by_urn.get(urn)
        if r is None or urn in self.graph.gateways or r.type not in (NETWORK_INTERFACE, INSTANCE, VPC_ENDPOINT):
            return
        subnet = self.refs.candidates(r, "subnetId", (SUBNET,)) if r.type != VPC_ENDPOINT else []
        self.graph.gateways[urn] = m.Gateway(urn, r.name, m.APPLIANCE, subnet=subnet[0] if subnet else None)
        self.graph.names[urn] = r.name

    def _target(self, owner: m.NetResource, key: str, value: Any, deps_key: str, what: str) -> tuple[tuple[str, ...], bool]:
        """Node keys for one route target (in-stack resources, synthetic exits for literal ids)."""
        types, kind, note = _TARGETS[key]
        if not types and is_unknown(value):
            return (f"unresolved:{what}",), False
        resolved = self.refs.one(owner, deps_key, value, types, what) if types else None
        if resolved is not None and not any(k.startswith("external:") for k in resolved.keys):
            for k in resolved.keys:
                self._appliance(k)
            return resolved.keys, resolved.ambiguous
        value = str(value)
        if key == "gatewayId":
            if value.startswith("vgw-"):
                kind, note = "vpn-gateway", _VPN_NOTE
            elif value.startswith("igw-"):
                kind = m.IGW
            else:
                return (f"external:{value}",), False
        if kind is None:  # an ENI, instance or endpoint outside the stack: where it forwards is unknown
            return (f"external:{value}",), False
        node = f"aws-{kind}:{value}"
        if node not in self.graph.gateways:
            self.graph.gateways[node] = m.Gateway(node, value, kind, note=note.format(id=value))
            self.graph.names[node] = value
        return (node,), False

    # ---- routing ---------------------------------------------------------------------------------
    def _routes(self, owner: m.NetResource, rule: Mapping[str, Any], where: str, inline: bool) -> list[m.Route]:
        dest_keys = ("cidrBlock", "ipv6CidrBlock", "destinationPrefixListId") if inline else (
            "destinationCidrBlock", "destinationIpv6CidrBlock", "destinationPrefixListId")  # fmt: skip
        if rule.get("gatewayId") == "local":
            return []  # the VPC's own range
        targets: list[str] = []
        ambiguous = False
        deps_of = owner.property_dependencies
        named = [k for k in _TARGETS if rule.get(k) not in (None, "") and (
            not is_unknown(rule.get(k)) or (deps_of.get("routes" if inline else k)))]
        for key in _TARGETS:
            value = rule.get(key)
            if value is None or value == "":
                continue
            if named and key not in named and is_unknown(value):
                continue  # a route has one target: the other target fields are the provider's computed outputs
            keys, amb = self._target(owner, key, value, "routes" if inline else key, f"{where}.{key}")
            targets.extend(keys)
            ambiguous |= amb
        if not targets:
            return []  # no target: nothing a packet can follow (the provider rejects it anyway)
        dests: list[tuple[Prefix | None, str]] = []
        for key in dest_keys:
            value = rule.get(key)
            if value is None or value == "":
                continue
            if key == "destinationPrefixListId":
                dests.extend(self._prefix_list_dests(owner, value, "routes" if inline else key, f"{where}.{key}"))
            else:
                dests.append((parse_prefix(value), "<unknown>" if is_unknown(value) else str(value)))
        if not dests:
            dests.append((None, "<unknown>"))
        return [m.Route(d, text, tuple(dict.fromkeys(targets)), f"{where} {text}", owner.urn, ambiguous) for d, text in dests]

    def _prefix_list_dests(self, owner, value, deps_key, what) -> list[tuple[Prefix | None, str]]:
        found = self.refs.one(owner, deps_key, value, (PREFIX_LIST,), what)
        out: list[tuple[Prefix | None, str]] = []
        for key in found.keys:
            cidrs, why = self.prefix_lists.get(
                key, ([], f"{what} names prefix list {self.graph.name_of(key)}, which is not created in this stack"))
            out.extend((c, str(c)) for c in cidrs)
            if why:
                out.append((None, f"<{why}>"))
        return out

    def route_tables(self) -> None:
        g = self.graph
        for r in self.of(ROUTE_TABLE_ASSOCIATION):
            rt = self.refs.candidates(r, "routeTableId", ROUTE_TABLES)
            for subnet in self.refs.candidates(r, "subnetId", (SUBNET,)):
                if rt:
                    self.subnet_tables[subnet] = rt[0]
        for r in self.of(*ROUTE_TABLES):
            vpc = self.vpc_of(r) if r.type == ROUTE_TABLE else self.vpc_of(r, "defaultRouteTableId")
            table = m.RouteTable(r.urn, r.name, network=vpc)
            for where, rule in table.read_inline_rules(r.props.get("routes"), "routes"):
                table.routes.extend(self._routes(r, rule, where, inline=True))
            g.route_tables[r.urn] = table
            if r.type == DEFAULT_ROUTE_TABLE and vpc:
                g.default_route_tables[vpc] = r.urn
        for r in self.of(MAIN_ROUTE_TABLE_ASSOCIATION):
            vpc = self.vpc_of(r)
            rt = self.refs.one(r, "routeTableId", r.props.get("routeTableId"), ROUTE_TABLES, f"{r.name}.routeTableId").keys
            if vpc and rt:
                g.default_route_tables[vpc] = rt[0]
        for r in self.of(ROUTE):
            tables = self.refs.candidates(r, "routeTableId", ROUTE_TABLES)
            if not tables:
                # ``aws.ec2.get_route_table(subnet_id=...)``: the lookup's result depends on the subnet only, and
                # names the table associated with it.
                tables = list(dict.fromkeys(self.subnet_tables[s] for s in self.refs.candidates(r, "routeTableId", (SUBNET,))
                                            if s in self.subnet_tables))
            if not tables:
                # vpc.mainRouteTableId / defaultRouteTableId: AWS's own main table of that VPC.
                tables = [self._main_table(v) for v in self.refs.candidates(r, "routeTableId", (VPC,))]
            for table in tables:
                g.route_tables[table].routes.extend(self._routes(r, r.props, r.name, inline=False))
                g.route_tables[table]._index = None

    def _main_table_of_subnet(self, subnet: str) -> str | None:
        r = self.refs.by_urn.get(subnet)
        vpc = self.vpc_of(r) if r is not None else None
        return self._main_table(vpc) if vpc else None

    def _main_table(self, vpc: str) -> str:
        if vpc in self.graph.default_route_tables:
            return self.graph.default_route_tables[vpc]
        key = f"aws-main-route-table:{vpc}"
        name = f"main route table of {self.graph.name_of(vpc)}"
        self.graph.route_tables[key] = m.RouteTable(key, name, network=vpc)
        self.graph.names[key] = name
        self.graph.default_route_tables[vpc] = key
        return key

    # ---- security groups -------------------------------------------------------------------------
    def prefix_list_entries(self) -> None:
        for r in self.of(PREFIX_LIST):
            entries = r.props.get("entries")
            if is_unknown(entries):
                self.prefix_lists[r.urn] = ([], f"{r.name}.entries")
                continue
            cidrs, unknown = _cidrs(*(e.get("cidr") if isinstance(e, dict) else e for e in entries or []))
            self.prefix_lists[r.urn] = (cidrs, f"{r.name}.entries" if unknown else None)
        for r in self.of(PREFIX_LIST_ENTRY):
            for pl in self.refs.candidates(r, "prefixListId", (PREFIX_LIST,)):
                cidrs, why = self.prefix_lists[pl]
                found, unknown = _cidrs(r.props.get("cidr"))
                self.prefix_lists[pl] = (cidrs + found, why or (f"{r.name}.cidr" if unknown else None))

    def _peer_rules(self, owner, direction, rule, where, fields, deps_key) -> list[m.SecurityRule]:
        """One SecurityRule per peer a rule names. ``fields`` maps the rule's keys to cidr / cidrs / pl /
        pls / sg / sgs / self."""
        protocol_key = "ipProtocol" if "ipProtocol" in rule else "protocol"
        ports, _ = _ports(rule, protocol_key)
        admits = port_range(rule, protocol_key)
        arrow = "from" if direction == "ingress" else "to"
        out: list[m.SecurityRule] = []

        def add(prefix, text, piece=None, not_address=False):
            label = f"{where} {direction} {ports} {arrow} {text}"
            if piece:
                out.append(m.SecurityRule(direction, None, piece, label, owner.urn, peer_unknown=True, ports=admits))
            else:
                out.append(m.SecurityRule(direction, None if not_address else prefix, text, label, owner.urn, ports=admits))

        for key, kind in fields.items():
            value = rule.get(key)
            if value is None or value == "" or value is False or value == []:
                continue
            piece = f"{where}.{key}"
            if is_unknown(value):
                add(None, "<unknown>", piece)
                continue
            values = value if isinstance(value, list) else [value]
            for v in values:
                if is_unknown(v) and kind in ("cidr", "self"):
                    add(None, "<unknown>", piece)
                elif kind == "cidr":
                    p = parse_prefix(v)
                    add(p, str(v), None if p is not None else f"{piece} is {v!r}, not a CIDR")
                elif kind == "pl":
                    for dest, text in self._prefix_list_dests(owner, v, deps_key or key, piece):
                        if dest is None:
                            add(None, f"prefix list {v}", text.strip("<>"))
                        else:
                            add(dest, f"{text} (prefix list {v if not is_unknown(v) else 'of this stack'})")
                elif kind == "self":
                    add(None, "itself (self)", not_address=True)
                else:  # a security group reference
                    found = self.refs.one(owner, deps_key or key, v, SECURITY_GROUPS, piece)
                    if any(k.startswith("external:") for k in found.keys) or found.unresolved:
                        text = "<unknown>" if is_unknown(v) else v
                        why = (f"{piece} names security group {text}, which is not created in this stack (its members "
                               "may be anywhere)")
                        add(None, f"security group {text}", why)
                    else:
                        add(None, "security group " + ", ".join(self.graph.name_of(k) for k in found.keys), not_address=True)
        return out

    _INLINE = {"cidrBlocks": "cidr", "ipv6CidrBlocks": "cidr", "prefixListIds": "pl", "securityGroups": "sg", "self": "self"}

    def security_groups(self) -> None:
        g = self.graph
        for r in self.of(*SECURITY_GROUPS):
            box = m.SecurityContainer(r.urn, r.name, "security-group")
            for direction in ("ingress", "egress"):
                rules = r.props.get(direction)
                if is_unknown(rules):
                    where = f"{r.name}.{direction}"
                    box.rules.append(m.SecurityRule(direction, None, where, f"{where} (unknown)", r.urn, True))
                    continue
                for i, rule in enumerate(rules if isinstance(rules, list) else []):
                    where = f"{r.name}.{direction}[{i}]"
                    if not isinstance(rule, dict):
                        box.rules.append(m.SecurityRule(direction, None, where, f"{where} (unknown)", r.urn, True))
                        continue
                    box.rules.extend(self._peer_rules(r, direction, rule, where, self._INLINE, direction))
            g.security[r.urn] = box
            vpc_value = r.props.get("vpcId")
            vpc = self.vpc_of(r)
            # No vpcId: the account's default VPC, which is not in this stack. Unknown with no dependency:
            # could be any VPC.
            self.sg_network[r.urn] = vpc or ("*" if is_unknown(vpc_value) else None)
            if r.type == DEFAULT_SECURITY_GROUP and vpc:
                g.default_security[vpc] = r.urn
        for r in self.of(SECURITY_GROUP_RULE, SG_INGRESS_RULE, SG_EGRESS_RULE):
            p = r.props
            if r.type == SECURITY_GROUP_RULE:
                direction = p.get("type")
                fields = {"cidrBlocks": "cidr", "ipv6CidrBlocks": "cidr", "prefixListIds": "pl",
                          "sourceSecurityGroupId": "sg", "self": "self"}  # fmt: skip
            else:
                direction = "ingress" if r.type == SG_INGRESS_RULE else "egress"
                fields = {"cidrIpv4": "cidr", "cidrIpv6": "cidr", "prefixListId": "pl", "referencedSecurityGroupId": "sg"}
            if is_unknown(direction) or direction not in ("ingress", "egress"):
                rules = [m.SecurityRule(d, None, f"{r.name}.type", f"{r.name} (type unknown)", r.urn, True)
                         for d in ("ingress", "egress")]  # fmt: skip
            else:
                rules = self._peer_rules(r, direction, p, r.name, fields, None)
            groups = self.refs.candidates(r, "securityGroupId", SECURITY_GROUPS)
            groups += [self._default_sg(v) for v in self.refs.candidates(r, "securityGroupId", (VPC,))]
            for group in groups:
                g.security[group].rules.extend(rules)

    def _default_sg(self, vpc: str) -> str:
        """The VPC's default security group: managed by the stack, or AWS's own (members only in, all out)."""
        if vpc in self.graph.default_security:
            return self.graph.default_security[vpc]
        key = f"aws-default-security-group:{vpc}"
        name = f"default security group of {self.graph.name_of(vpc)}"
        box = m.SecurityContainer(key, name, "security-group")
        label = f"{name} (AWS default) egress all to"
        box.rules.append(m.SecurityRule("ingress", None, "self", f"{name} (AWS default) ingress all from itself", key))
        for cidr in ("0.0.0.0/0", "::/0"):
            box.rules.append(m.SecurityRule("egress", parse_prefix(cidr), cidr, f"{label} {cidr}", key))
        self.graph.security[key] = box
        self.graph.names[key] = name
        self.graph.default_security[vpc] = key
        self.sg_network[key] = vpc
        return key

    # ---- network ACLs ----------------------------------------------------------------------------
    def _nacl_rule(self, owner, direction, rule, where, number_key, action_key) -> list[m.SecurityRule]:
        ports, narrowed = _ports(rule)
        number, action = _nums(rule.get(number_key)), rule.get(action_key)
        arrow = "from" if direction == "ingress" else "to"
        out = []
        for key in ("cidrBlock", "ipv6CidrBlock"):
            value = rule.get(key)
            if value is None or value == "":
                continue
            label = f"{where} {action} {ports} {arrow} {value if not is_unknown(value) else '<unknown>'} (rule {number})"
            prefix = parse_prefix(value)
            unknown = prefix is None or is_unknown(action) or not isinstance(number, int)
            bad_key = key if prefix is None else (action_key if is_unknown(action) else number_key)
            piece = f"{where}.{bad_key}"
            out.append(m.SecurityRule(direction, prefix if not unknown else None, piece if unknown else str(value), label,
                                      owner.urn, peer_unknown=unknown, allow=action != "deny",
                                      number=number if isinstance(number, int) else 0, all_traffic=not narrowed))  # fmt: skip
        return out

    def nacls(self) -> dict[str, str]:
        """Read network ACLs; return subnet -> ACL for explicit associations."""
        g = self.graph
        assoc: dict[str, str] = {}
        for r in self.of(*NACLS):
            acl = m.NetworkAcl(r.urn, r.name)
            for direction in ("ingress", "egress"):
                rules = r.props.get(direction)
                if is_unknown(rules):
                    acl.unknown_rules = f"{r.name}.{direction}"
                for i, rule in enumerate(rules if isinstance(rules, list) else []):
                    if isinstance(rule, dict):
                        acl.rules.extend(self._nacl_rule(r, direction, rule, f"{r.name}.{direction}[{i}]", "ruleNo", "action"))
            g.nacls[r.urn] = acl
            if r.type == DEFAULT_NETWORK_ACL:
                for vpc in self.refs.candidates(r, "defaultNetworkAclId", (VPC,)):
                    self.default_nacl[vpc] = r.urn
            for subnet in self.refs.candidates(r, "subnetIds", (SUBNET,)):
                assoc[subnet] = r.urn
        for r in self.of(NETWORK_ACL_ASSOCIATION):
            acl = self.refs.one(r, "networkAclId", r.props.get("networkAclId"), NACLS, f"{r.name}.networkAclId").keys
            for subnet in self.refs.candidates(r, "subnetId", (SUBNET,)):
                if acl:
                    assoc[subnet] = acl[0]
        for r in self.of(NETWORK_ACL_RULE):
            p = r.props
            egress = p.get("egress")
            directions = ["ingress", "egress"] if is_unknown(egress) else ["egress" if egress else "ingress"]
            acls = self.refs.candidates(r, "networkAclId", NACLS)
            acls += [self._default_nacl(v) for v in self.refs.candidates(r, "networkAclId", (VPC,))]
            for acl in acls:
                for direction in directions:
                    g.nacls[acl].rules.extend(self._nacl_rule(r, direction, p, r.name, "ruleNumber", "ruleAction"))
        return assoc

    def _default_nacl(self, vpc: str) -> str:
        """AWS's own default ACL of a VPC (rule 100 allows everything), when rules are added to it."""
        if vpc in self.default_nacl:
            return self.default_nacl[vpc]
        key = f"aws-default-network-acl:{vpc}"
        name = f"default network ACL of {self.graph.name_of(vpc)}"
        acl = m.NetworkAcl(key, name)
        for direction in ("ingress", "egress"):
            for cidr in ("0.0.0.0/0", "::/0"):
                label = f"{name} (AWS default) allow all {cidr} (rule 100)"
                acl.rules.append(m.SecurityRule(direction, parse_prefix(cidr), cidr, label, key, number=100))
        self.graph.nacls[key] = acl
        self.graph.names[key] = name
        self.default_nacl[vpc] = key
        return key

    # ---- subnets ---------------------------------------------------------------------------------
    def subnets(self, nacl_of: dict[str, str]) -> None:
        g = self.graph
        tables: dict[str, str] = {}
        for r in self.of(ROUTE_TABLE_ASSOCIATION):
            for subnet in self.refs.candidates(r, "subnetId", (SUBNET,)):
                rt = self.refs.one(r, "routeTableId", r.props.get("routeTableId"), ROUTE_TABLES, f"{r.name}.routeTableId").keys
                if rt:
                    tables[subnet] = rt[0]
        placed = self._placed_groups()
        for r in self.of(SUBNET):
            p = r.props
            vpc = self.refs.one(r, "vpcId", p.get("vpcId"), (VPC,), f"{r.name}.vpcId").keys
            network = vpc[0] if vpc and vpc[0] in g.networks else None
            cidrs, unknown = _cidrs(p.get("cidrBlock"), p.get("ipv6CidrBlock"))
            tier, tagged = _tier(p)
            # Any instance may ask for a public IP or get an Elastic IP, so mapPublicIpOnLaunch proves nothing.
            public = True if p.get("mapPublicIpOnLaunch") is True else None
            table = tables.get(r.urn) or g.default_route_tables.get(network or "")
            subnet = m.Subnet(r.urn, r.name, "aws", network, cidrs, tier, tagged, public, table, cidr_unknown=unknown or not cidrs)
            subnet.public_ports = _public_ports(p)
            subnet.nacl = nacl_of.get(r.urn) or self.default_nacl.get(network or "")
            groups = placed.get(r.urn, [])
            if network is None and groups:
                subnet.security_unknown = (f"{r.name}.vpcId names a VPC this stack does not create, so its routes and "
                                           "default security group cannot be read")
            # The filter keeps the default group only where the VPC is known.
            subnet.security = [k if k != DEFAULT_GROUP else self._default_sg(network)  # type: ignore[arg-type]
                               for k in groups
                               if k != DEFAULT_GROUP or network is not None]
            g.subnets[r.urn] = subnet

    def _placed_groups(self) -> dict[str, list[str]]:
        """subnet -> the security containers of the interfaces the stack places in it (``attachments``)."""
        g = self.graph
        found = attachments.read(self.all, self.refs, SECURITY_GROUPS, SUBNET)
        g.attachments.extend(found)
        placed: dict[str, list[str]] = {}
        for att in found:
            keys = list(att.groups) + ([DEFAULT_GROUP] if att.uses_default else [])
            for i, clause in enumerate(att.unresolved_groups):
                key = f"unresolved-security-group:{att.holder}:{i}"
                box = m.SecurityContainer(key, clause, "security-group")
                for direction in ("ingress", "egress"):
                    box.rules.append(m.SecurityRule(direction, None, clause, f"{clause} ({direction})", att.holder, True))
                g.security[key] = box
                g.names[key] = clause
                keys.append(key)
            for subnet in att.subnets:
                bucket = placed.setdefault(subnet, [])
                bucket.extend(k for k in keys if k not in bucket)
        return placed


def _enabled(value: Any) -> bool:
    """A transit gateway's default association / propagation switch: on unless it says disable / false."""
    return not (value is False or (isinstance(value, str) and value.lower() in ("disable", "false")))


def _transit_gateways(reader: _Reader) -> None:
    """Transit gateway routing: each VPC attachment's associated route table (static routes, blackholes and the
    CIDRs of attachments propagated into it), leading on into the route tables of the next attachment's subnets.
    An attachment left to the gateway's default route table (not in the stack) leads to networks the stack
    cannot see; one with no route table at all carries nothing."""
    g, refs = reader.graph, reader.refs
    tgw_default = {r.urn: _enabled(r.props.get("defaultRouteTableAssociation")) for r in reader.of(TRANSIT_GATEWAY)}
    for r in reader.of(TGW_ROUTE_TABLE):
        g.drg_route_tables[r.urn] = m.DrgRouteTable(r.urn, r.name)
        g.names[r.urn] = r.name
    for r in reader.of(TGW_VPC_ATTACHMENT):
        tgw = refs.candidates(r, "transitGatewayId", (TRANSIT_GATEWAY,))
        subnets = refs.candidates(r, "subnetIds", (SUBNET,))
        tables = tuple(dict.fromkeys(reader.subnet_tables.get(s) or reader._main_table_of_subnet(s) for s in subnets))
        default = _enabled(r.props.get("transitGatewayDefaultRouteTableAssociation")) and tgw_default.get(tgw[0] if tgw else "", True)
        g.tgw_attachments[r.urn] = m.DrgAttachment(r.urn, r.name, tgw[0] if tgw else f"unresolved:{r.name}.transitGatewayId",
                                                   reader.vpc_of(r), None, None, tuple(t for t in tables if t),
                                                   default_association=default)
        g.names[r.urn] = r.name
    for r in reader.of(TGW_ASSOCIATION):
        for att in refs.candidates(r, "transitGatewayAttachmentId", (TGW_VPC_ATTACHMENT,)):
            table = refs.candidates(r, "transitGatewayRouteTableId", (TGW_ROUTE_TABLE,))
            g.tgw_attachments[att].drg_route_table = table[0] if table else f"unresolved:{r.name}.transitGatewayRouteTableId"
    for r in reader.of(TGW_PROPAGATION):
        for table in refs.candidates(r, "transitGatewayRouteTableId", (TGW_ROUTE_TABLE,)):
            for att in refs.candidates(r, "transitGatewayAttachmentId", (TGW_VPC_ATTACHMENT,)):
                net = g.networks.get(g.tgw_attachments[att].network or "")
                dests = [(c, str(c)) for c in net.cidrs] if net and not net.cidr_unknown else [(None, "<unknown>")]
                g.drg_route_tables[table].routes.extend(
                    m.Route(d, text, (att,), f"{r.name} (propagated {text})", r.urn) for d, text in dests)
    for r in reader.of(TGW_ROUTE):
        for table in refs.candidates(r, "transitGatewayRouteTableId", (TGW_ROUTE_TABLE,)):
            value = r.props.get("destinationCidrBlock")
            dest = parse_prefix(value)
            text = "<unknown>" if is_unknown(value) else str(value)
            if r.props.get("blackhole") is True:
                targets: tuple[str, ...] = ()  # a blackhole drops what it matches (and shadows wider routes)
            else:
                found = refs.one(r, "transitGatewayAttachmentId", r.props.get("transitGatewayAttachmentId"),
                                 (TGW_VPC_ATTACHMENT,), f"{r.name}.transitGatewayAttachmentId")
                targets = found.keys
            g.drg_route_tables[table].routes.append(m.Route(dest, text, targets, f"{r.name} {text}", r.urn))
            g.drg_route_tables[table]._index = None


def build(resources: list[m.NetResource], refs: References, graph: m.NetworkGraph) -> None:
    reader = _Reader(resources, refs, graph)
    if not reader.by_type:
        return
    reader.networks()
    reader.prefix_list_entries()
    reader.gateways()
    aws_firewall.build(resources, refs, graph, SUBNET)
    reader.route_tables()
    reader.security_groups()
    nacl_of = reader.nacls()
    reader.subnets(nacl_of)
    _transit_gateways(reader)
