"""Read OCI networking resources (pulumi_oci wire names) into the network graph."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from residency_policies.analysis.network_graph import attachments, tiers
from residency_policies.analysis.network_graph import model as m
from residency_policies.analysis.network_graph.prefixes import parse_prefix
from residency_policies.analysis.network_graph.references import References
from residency_policies.values import is_unknown

VCN = ("oci:Core/vcn:Vcn", "oci:Core/virtualNetwork:VirtualNetwork")
SUBNET = "oci:Core/subnet:Subnet"
ROUTE_TABLE = "oci:Core/routeTable:RouteTable"
DEFAULT_ROUTE_TABLE = "oci:Core/defaultRouteTable:DefaultRouteTable"
ROUTE_TABLE_ATTACHMENT = "oci:Core/routeTableAttachment:RouteTableAttachment"
INTERNET_GATEWAY = "oci:Core/internetGateway:InternetGateway"
NAT_GATEWAY = "oci:Core/natGateway:NatGateway"
SERVICE_GATEWAY = "oci:Core/serviceGateway:ServiceGateway"
DRG = "oci:Core/drg:Drg"
DRG_ATTACHMENT = "oci:Core/drgAttachment:DrgAttachment"
DRG_ROUTE_TABLE = "oci:Core/drgRouteTable:DrgRouteTable"
DRG_ROUTE_RULE = "oci:Core/drgRouteTableRouteRule:DrgRouteTableRouteRule"
LOCAL_PEERING_GATEWAY = "oci:Core/localPeeringGateway:LocalPeeringGateway"
REMOTE_PEERING_CONNECTION = "oci:Core/remotePeeringConnection:RemotePeeringConnection"
IPSEC = "oci:Core/ipsec:Ipsec"
VIRTUAL_CIRCUIT = "oci:Core/virtualCircuit:VirtualCircuit"
SECURITY_LIST = "oci:Core/securityList:SecurityList"
DEFAULT_SECURITY_LIST = "oci:Core/defaultSecurityList:DefaultSecurityList"
NSG = "oci:Core/networkSecurityGroup:NetworkSecurityGroup"
NSG_RULE = "oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule"
PRIVATE_IP = "oci:Core/privateIp:PrivateIp"
FIREWALL = "oci:NetworkFirewall/networkFirewall:NetworkFirewall"
FIREWALL_POLICY = "oci:NetworkFirewall/networkFirewallPolicy:NetworkFirewallPolicy"
FIREWALL_ADDRESS_LIST = "oci:NetworkFirewall/networkFirewallPolicyAddressList:NetworkFirewallPolicyAddressList"
FIREWALL_RULE = "oci:NetworkFirewall/networkFirewallPolicySecurityRule:NetworkFirewallPolicySecurityRule"

ROUTE_TABLES = (ROUTE_TABLE, DEFAULT_ROUTE_TABLE)
SECURITY_LISTS = (SECURITY_LIST, DEFAULT_SECURITY_LIST)
ROUTE_TARGETS = (INTERNET_GATEWAY, NAT_GATEWAY, SERVICE_GATEWAY, DRG, LOCAL_PEERING_GATEWAY, PRIVATE_IP, FIREWALL)
TOKENS = frozenset(
    {*VCN, SUBNET, *ROUTE_TABLES, ROUTE_TABLE_ATTACHMENT, INTERNET_GATEWAY, NAT_GATEWAY, SERVICE_GATEWAY, DRG,
     DRG_ATTACHMENT, DRG_ROUTE_TABLE, DRG_ROUTE_RULE, LOCAL_PEERING_GATEWAY, REMOTE_PEERING_CONNECTION, IPSEC,
     VIRTUAL_CIRCUIT, *SECURITY_LISTS, NSG, NSG_RULE, PRIVATE_IP, FIREWALL, FIREWALL_POLICY,
     FIREWALL_ADDRESS_LIST, FIREWALL_RULE}
)  # fmt: skip

DENY_ACTIONS = {"DROP", "REJECT"}

# OCI's own default security list (when a subnet names none and the stack does not manage the VCN's
# default list): SSH and ICMP path-MTU from anywhere, all egress.
_BUILTIN_DEFAULT_RULES = (
    ("ingress", "0.0.0.0/0", "tcp 22 from 0.0.0.0/0 (OCI built-in default security list)"),
    ("ingress", "0.0.0.0/0", "icmp 3/4 from 0.0.0.0/0 (OCI built-in default security list)"),
    ("egress", "0.0.0.0/0", "all to 0.0.0.0/0 (OCI built-in default security list)"),
)


def _cidrs(values: list[Any]) -> tuple[list, bool]:
    out, unknown = [], False
    for v in values:
        if v is None or v == "":
            continue
        if isinstance(v, list):
            sub, u = _cidrs(v)
            out.extend(sub)
            unknown |= u
            continue
        p = parse_prefix(v)
        if p is None:
            unknown = True
        else:
            out.append(p)
    return out, unknown


def _tier(props: Mapping[str, Any]) -> tuple[str, bool]:
    for key in ("freeformTags", "tags"):
        tags = props.get(key)
        if is_unknown(tags):
            return "data", False
        if isinstance(tags, dict) and "residency-tier" in tags:
            value = tags["residency-tier"]
            return ("data" if is_unknown(value) else str(value)), True
    defined = props.get("definedTags")
    if isinstance(defined, dict):
        for key, value in defined.items():
            if key.split(".")[-1] == "residency-tier":
                return ("data" if is_unknown(value) else str(value)), True
    return "data", False


def _ports(rule: dict[str, Any]) -> str:
    protocol = rule.get("protocol")
    names = {"all": "all", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}
    text = names.get(str(protocol), str(protocol))
    for key in ("tcpOptions", "udpOptions"):
        opts = rule.get(key)
        if isinstance(opts, dict):
            # Security lists put min/max on the options; NSG rules nest them in destinationPortRange.
            rng = opts.get("destinationPortRange") or opts
            if isinstance(rng, dict) and rng.get("min") is not None:
                # Numbers arrive as floats over the wire (443.0).
                lo, hi = (int(v) if isinstance(v, float) and v.is_integer() else v for v in (rng.get("min"), rng.get("max")))
                text += f" {lo}" if lo == hi else f" {lo}-{hi}"
    return text


def port_range(rule: Mapping[str, Any]) -> tiers.Ports:
    """The ``tiers.Ports`` an OCI security rule admits (every port when any part is unknown)."""
    protocol = str(rule.get("protocol"))
    name = {"all": "all", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}.get(protocol, "all")
    if name not in ("tcp", "udp"):
        return tiers.Ports(name) if name != "all" else tiers.ALL
    opts = rule.get(f"{name}Options")
    if not isinstance(opts, dict):
        return tiers.Ports(name)
    rng = opts.get("destinationPortRange") or opts
    lo, hi = (rng.get("min"), rng.get("max")) if isinstance(rng, dict) else (None, None)
    lo, hi = (int(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None for v in (lo, hi))
    return tiers.Ports(name, lo, hi) if lo is not None and hi is not None else tiers.Ports(name)


def _security_rule(direction: str, rule: Any, owner: m.NetResource, where: str) -> m.SecurityRule:
    if not isinstance(rule, dict):
        return m.SecurityRule(direction, None, f"{owner.name}.{where}", f"{owner.name}.{where} (unknown rule)", owner.urn, True)
    peer_key, type_key = ("source", "sourceType") if direction == "ingress" else ("destination", "destinationType")
    peer, kind = rule.get(peer_key), rule.get(type_key) or "CIDR_BLOCK"
    arrow = "from" if direction == "ingress" else "to"
    label = f"{owner.name}.{where} {direction} {_ports(rule)} {arrow} {peer if not is_unknown(peer) else '<unknown>'}"
    if is_unknown(peer) or is_unknown(kind):
        piece = f"{owner.name}.{where}.{peer_key if is_unknown(peer) else type_key}"
        return m.SecurityRule(direction, None, piece, label, owner.urn, peer_unknown=True)
    admits = port_range(rule)
    if kind != "CIDR_BLOCK":  # service CIDRs and NSG references are not addresses of the internet or parent
        return m.SecurityRule(direction, None, str(peer), label, owner.urn, ports=admits)
    prefix = parse_prefix(peer)
    text = str(peer) if prefix is not None else f"{owner.name}.{where}.{peer_key} is {peer!r}, not a CIDR"
    return m.SecurityRule(direction, prefix, text, label, owner.urn, peer_unknown=prefix is None, ports=admits)


def build(resources: list[m.NetResource], refs: References, graph: m.NetworkGraph) -> None:
    oci = [r for r in resources if r.type in TOKENS]
    by_type: dict[str, list[m.NetResource]] = {}
    for r in oci:
        by_type.setdefault(r.type, []).append(r)
        graph.names[r.urn] = r.name

    def of(*types: str) -> list[m.NetResource]:
        return [r for t in types for r in by_type.get(t, [])]

    for r in of(*VCN):
        cidrs, unknown = _cidrs([r.props.get("cidrBlock"), r.props.get("cidrBlocks") or []])
        graph.networks[r.urn] = m.Network(r.urn, r.name, "oci", cidrs, unknown or is_unknown(r.props.get("cidrBlocks")))

    for r in of(*ROUTE_TABLES):
        vcn = refs.candidates(r, "vcnId", VCN) or refs.candidates(r, "manageDefaultResourceId", VCN)
        table = m.RouteTable(r.urn, r.name, network=vcn[0] if vcn else None)
        for where, rule in table.read_inline_rules(r.props.get("routeRules"), "routeRules"):
            dest = rule.get("destination") or rule.get("cidrBlock")
            if rule.get("destinationType") == "SERVICE_CIDR_BLOCK":
                continue  # Oracle Services Network only: reaches neither the internet nor the parent
            target = refs.one(r, "routeRules", rule.get("networkEntityId"), ROUTE_TARGETS, f"{where}.networkEntityId")
            table.routes.append(
                m.Route(parse_prefix(dest), "<unknown>" if is_unknown(dest) else str(dest), target.keys,
                        f"{where} {dest if not is_unknown(dest) else '<unknown>'}", r.urn, target.ambiguous)
            )  # fmt: skip
        graph.route_tables[r.urn] = table
        if r.type == DEFAULT_ROUTE_TABLE:
            for vcn in refs.candidates(r, "manageDefaultResourceId", VCN):
                graph.default_route_tables[vcn] = r.urn

    for r in of(*SECURITY_LISTS):
        box = m.SecurityContainer(r.urn, r.name, "security-list")
        for direction, key in (("ingress", "ingressSecurityRules"), ("egress", "egressSecurityRules")):
            rules = r.props.get(key)
            if is_unknown(rules):
                box.rules.append(_security_rule(direction, rules, r, key))
                continue
            for i, rule in enumerate(rules if isinstance(rules, list) else []):
                box.rules.append(_security_rule(direction, rule, r, f"{key}[{i}]"))
        graph.security[r.urn] = box
        if r.type == DEFAULT_SECURITY_LIST:
            for vcn in refs.candidates(r, "manageDefaultResourceId", VCN):
                graph.default_security[vcn] = r.urn

    for r in of(NSG):
        graph.security[r.urn] = m.SecurityContainer(r.urn, r.name, "nsg")
    for r in of(NSG_RULE):
        direction = str(r.props.get("direction", "")).lower()
        nsg = refs.one(r, "networkSecurityGroupId", r.props.get("networkSecurityGroupId"), (NSG,), f"{r.name}.networkSecurityGroupId")
        if is_unknown(r.props.get("direction")):
            rules = [_security_rule("ingress", None, r, "direction"), _security_rule("egress", None, r, "direction")]
        else:
            rules = [_security_rule("ingress" if direction == "ingress" else "egress", r.props, r, "rule")]
        for key in nsg.keys:
            if key in graph.security:
                graph.security[key].rules.extend(rules)

    gateway_kinds = {INTERNET_GATEWAY: m.IGW, NAT_GATEWAY: m.NAT, SERVICE_GATEWAY: m.SGW, LOCAL_PEERING_GATEWAY: m.LPG}
    for r in of(*gateway_kinds):
        vcn = refs.one(r, "vcnId", r.props.get("vcnId"), VCN, f"{r.name}.vcnId").keys
        rt = refs.one(r, "routeTableId", r.props.get("routeTableId"), ROUTE_TABLES, f"{r.name}.routeTableId").keys
        gw = m.Gateway(r.urn, r.name, gateway_kinds[r.type], network=vcn[0] if vcn else None, route_table=rt[0] if rt else None)
        if r.type == INTERNET_GATEWAY and r.props.get("enabled") is False:
            gw.blocked, gw.note = True, "disabled (enabled: false)"
        if r.type == NAT_GATEWAY and r.props.get("blockTraffic") is True:
            gw.blocked, gw.note = True, "blockTraffic: true"
        if r.type == LOCAL_PEERING_GATEWAY:
            peer = refs.one(r, "peerId", r.props.get("peerId"), (LOCAL_PEERING_GATEWAY,), f"{r.name}.peerId")
            gw.peers = peer.keys
        graph.gateways[r.urn] = gw
    # Peering is set on one side only; make it symmetric.
    for gw in list(graph.gateways.values()):
        for peer in gw.peers:
            other = graph.gateways.get(peer)
            if other is not None and gw.urn not in other.peers:
                other.peers = (*other.peers, gw.urn)

    for r in of(DRG):
        graph.gateways[r.urn] = m.Gateway(r.urn, r.name, m.DRG)
    for r in of(REMOTE_PEERING_CONNECTION, IPSEC, VIRTUAL_CIRCUIT):
        key = "gatewayId" if r.type == VIRTUAL_CIRCUIT else "drgId"
        for drg in refs.one(r, key, r.props.get(key), (DRG,), f"{r.name}.{key}").keys:
            if drg in graph.gateways:
                graph.gateways[drg].note = f"connected outside the stack by {r.name} ({r.type.split(':')[-1]})"
    for r in of(DRG_ATTACHMENT):
        drg = refs.one(r, "drgId", r.props.get("drgId"), (DRG,), f"{r.name}.drgId").keys
        raw_details = r.props.get("networkDetails")
        details = raw_details if isinstance(raw_details, dict) else {}
        network = None
        if r.props.get("vcnId") or details.get("type") in (None, "VCN"):
            found = refs.candidates(r, "vcnId", VCN) or refs.candidates(r, "networkDetails", VCN)
            network = found[0] if found else None
        rt = refs.candidates(r, "routeTableId", ROUTE_TABLES) or refs.candidates(r, "networkDetails", ROUTE_TABLES)
        drt = refs.candidates(r, "drgRouteTableId", (DRG_ROUTE_TABLE,))
        att = m.DrgAttachment(r.urn, r.name, drg[0] if drg else f"unresolved:{r.name}.drgId", network,
                              rt[0] if rt else None, drt[0] if drt else None)  # fmt: skip
        graph.drg_attachments[r.urn] = att
        graph.names[r.urn] = r.name
        if network is None and att.drg in graph.gateways:
            graph.gateways[att.drg].note = f"attachment {r.name} is not a VCN in this stack"
    for r in of(DRG_ROUTE_TABLE):
        imports = r.props.get("importDrgRouteDistributionId")
        graph.drg_route_tables[r.urn] = m.DrgRouteTable(r.urn, r.name, imports=bool(imports))
    for r in of(DRG_ROUTE_RULE):
        for table in refs.one(r, "drgRouteTableId", r.props.get("drgRouteTableId"), (DRG_ROUTE_TABLE,), r.name).keys:
            if table not in graph.drg_route_tables:
                continue
            dest = r.props.get("destination")
            hop = refs.one(r, "nextHopDrgAttachmentId", r.props.get("nextHopDrgAttachmentId"), (DRG_ATTACHMENT,),
                           f"{r.name}.nextHopDrgAttachmentId")  # fmt: skip
            graph.drg_route_tables[table].routes.append(
                m.Route(parse_prefix(dest), str(dest), hop.keys, f"{r.name} {dest}", r.urn, hop.ambiguous)
            )

    firewall_ips = _firewalls(of, refs, graph)

    for r in of(PRIVATE_IP):
        subnet = refs.one(r, "subnetId", r.props.get("subnetId"), (SUBNET,), f"{r.name}.subnetId").keys
        gw = m.Gateway(r.urn, r.name, m.APPLIANCE, subnet=subnet[0] if subnet else None)
        # A private IP that is a firewall's address (taken from its outputs, or the same literal) is the
        # firewall as a route target.
        for fw in graph.firewalls.values():
            ip = r.props.get("ipAddress")
            if fw.urn in _all_deps(r) or (ip and not is_unknown(ip) and ip == firewall_ips.get(fw.urn)):
                gw.kind, gw.firewall = m.FIREWALL, fw.urn
        graph.gateways[r.urn] = gw

    attached_tables = {}
    for r in of(ROUTE_TABLE_ATTACHMENT):
        for subnet in refs.candidates(r, "subnetId", (SUBNET,)):
            rt = refs.one(r, "routeTableId", r.props.get("routeTableId"), ROUTE_TABLES, f"{r.name}.routeTableId").keys
            attached_tables[subnet] = rt[0] if rt else None

    nsgs_of_subnet = _nsgs_by_subnet(resources, refs, graph)
    for r in of(SUBNET):
        p = r.props
        vcn = refs.one(r, "vcnId", p.get("vcnId"), VCN, f"{r.name}.vcnId").keys
        cidrs, unknown = _cidrs([p.get("cidrBlock"), p.get("ipv4cidrBlocks") or [], p.get("ipv6cidrBlock"),
                                 p.get("ipv6cidrBlocks") or []])  # fmt: skip
        tier, tagged = _tier(p)
        prohibit = [p.get("prohibitPublicIpOnVnic"), p.get("prohibitInternetIngress")]
        public = False if True in prohibit else (None if any(is_unknown(v) for v in prohibit) else True)
        network = vcn[0] if vcn else None
        if r.urn in attached_tables:
            route_table = attached_tables[r.urn]
        elif p.get("routeTableId"):
            route_table = refs.one(r, "routeTableId", p.get("routeTableId"), ROUTE_TABLES, f"{r.name}.routeTableId").keys[0]
        else:
            route_table = graph.default_route_tables.get(network or "")
        subnet = m.Subnet(r.urn, r.name, "oci", network, cidrs, tier, tagged, public, route_table, cidr_unknown=unknown)
        if tier == tiers.PUBLIC:
            tags = p.get("freeformTags") if isinstance(p.get("freeformTags"), dict) else {}
            subnet.public_ports = tiers.public_ports(tags)
        lists = p.get("securityListIds")
        if lists:
            subnet.security = list(refs.many(r, "securityListIds", lists, SECURITY_LISTS, f"{r.name}.securityListIds").keys)
        else:
            subnet.security = [_default_security(graph, network, r)]
        subnet.security.extend(nsgs_of_subnet.get(r.urn, ()))
        graph.subnets[r.urn] = subnet


def _all_deps(r: m.NetResource) -> set[str]:
    return {u for urns in r.property_dependencies.values() for u in urns}


def _default_security(graph: m.NetworkGraph, network: str | None, subnet: m.NetResource) -> str:
    if network in graph.default_security:
        return graph.default_security[network]
    key = f"builtin-default-security-list:{network or subnet.urn}"
    if key not in graph.security:
        box = m.SecurityContainer(key, "OCI built-in default security list", "security-list")
        for direction, cidr, label in _BUILTIN_DEFAULT_RULES:
            box.rules.append(m.SecurityRule(direction, parse_prefix(cidr), cidr, label, subnet.urn))
        graph.security[key] = box
        graph.names[key] = box.name
    return key


def _nsgs_by_subnet(resources: list[m.NetResource], refs: References, graph: m.NetworkGraph) -> dict[str, list[str]]:
    """The NSGs of the VNICs each resource places in subnets (instances, VNIC attachments, databases, load
    balancers, OKE clusters and node pools, firewalls: ``attachments``); an NSG on no VNIC governs nothing."""
    out: dict[str, list[str]] = {}
    found = attachments.read(resources, refs, (NSG,), SUBNET)
    graph.attachments.extend(found)
    for att in found:
        for subnet in att.subnets:
            bucket = out.setdefault(subnet, [])
            bucket.extend(g for g in sorted(att.groups) if g not in bucket)
    return out


def _firewalls(of, refs: References, graph: m.NetworkGraph) -> dict[str, str]:
    """Read firewalls and their policies; return each firewall's known IPv4 address."""
    lists: dict[str, dict[str, tuple[list, str | None]]] = {}
    for r in of(FIREWALL_ADDRESS_LIST):
        name, addresses, kind = r.props.get("name"), r.props.get("addresses"), r.props.get("type")
        unresolved = None
        prefixes: list = []
        if is_unknown(addresses) or is_unknown(kind):
            unresolved = f"{r.name}.addresses"
        elif kind == "FQDN":
            unresolved = f"{r.name} (FQDN address list)"
        else:
            prefixes, unknown = _cidrs(list(addresses or []))
            if unknown:
                unresolved = f"{r.name}.addresses"
        for policy in refs.candidates(r, "networkFirewallPolicyId", (FIREWALL_POLICY,)):
            lists.setdefault(policy, {})[str(name)] = (prefixes, unresolved)
    rules: dict[str, list[m.FirewallRule]] = {}
    for order, r in enumerate(of(FIREWALL_RULE)):
        cond = r.props.get("condition")
        unresolved = None
        policies = refs.candidates(r, "networkFirewallPolicyId", (FIREWALL_POLICY,))
        for policy in policies:
            known = lists.get(policy, {})

            # Called within this iteration only; the defaults bind this iteration's rule, condition and lists.
            def addresses(
                key: str, cond: Any = cond, r: m.NetResource = r, known: dict[str, tuple[list, str | None]] = known
            ) -> list | None:
                nonlocal unresolved
                names = cond.get(key) if isinstance(cond, dict) else None
                if is_unknown(cond) or is_unknown(names):
                    unresolved = f"{r.name}.condition.{key}"
                    return []
                if not names:
                    return None
                out = []
                for n in names:
                    if is_unknown(n) or n not in known:
                        unresolved = f"{r.name}.condition.{key} ({n if not is_unknown(n) else '<unknown>'})"
                        continue
                    prefixes, why = known[n]
                    if why:
                        unresolved = why
                    out.extend(prefixes)
                return out

            narrowing = any(isinstance(cond, dict) and cond.get(k) for k in ("applications", "services", "urls"))
            action = r.props.get("action")
            priority = r.props.get("priorityOrder")
            rules.setdefault(policy, []).append(
                m.FirewallRule(
                    name=str(r.props.get("name") or r.name), deny=action in DENY_ACTIONS,
                    sources=addresses("sourceAddresses"), destinations=addresses("destinationAddresses"),
                    all_traffic=not narrowing,
                    unresolved=unresolved or (f"{r.name}.action" if is_unknown(action) else None),
                    order=float(priority) if isinstance(priority, (int, float)) else 1e9 + order, urn=r.urn,
                )
            )  # fmt: skip
    ips: dict[str, str] = {}
    for r in of(FIREWALL):
        subnet = refs.one(r, "subnetId", r.props.get("subnetId"), (SUBNET,), f"{r.name}.subnetId").keys
        fw = m.Firewall(r.urn, r.name, subnet[0] if subnet else None)
        graph.firewall_subnets.update(k for k in subnet if not k.startswith(("external:", "unresolved:")))
        policies = refs.candidates(r, "networkFirewallPolicyId", (FIREWALL_POLICY,))
        if not policies:
            fw.policy_unresolved = f"{r.name}.networkFirewallPolicyId"
        for policy in policies:
            fw.rules.extend(sorted(rules.get(policy, []), key=lambda x: x.order))
        graph.firewalls[r.urn] = fw
        graph.gateways[r.urn] = m.Gateway(r.urn, r.name, m.FIREWALL, subnet=fw.subnet, firewall=r.urn)
        ip = r.props.get("ipv4address")
        if isinstance(ip, str) and not is_unknown(ip):
            ips[r.urn] = ip
    return ips
