"""Wide network rules judged by the paths they open, not by their range alone (issue 13 item 8).

A rule that admits (or sends to) a range *wider* than a parent-company range (``0.0.0.0/0``, ``::/0``,
``203.0.0.0/16`` around ``203.0.113.0/24``) names no parent range itself: whether it lets the parent company
in depends on what else is on the path. So such a rule is judged over the stack, on the network graph:

* the subnets it governs are found (an AWS security group: every subnet of its VPC, since any interface there
  may carry it; an OCI security list: the subnets that name it; an NSG: the subnets of the VNICs that carry
  it, or every subnet of its VCN when none in the stack does);
* for each of those subnets and each parent range the rule's range contains, the proof looks for the path
  the rule would carry: the subnet's network ACL (an AWS deny numbered before the allow takes the range
  out), its routes and their gateways, and network firewalls on the way (OCI Network Firewall and AWS
  Network Firewall drop rules);
* no path, or every path dropped by a deny-capable control: no violation. An open path: one violation on
  the rule, listing the paths and the exact fix for that cloud (a network ACL deny rule numbered before the
  allow on AWS; a network firewall drop rule on OCI, whose security lists and NSGs cannot deny).

An IPv6 rule (``::/0``) carries an IPv4 parent range only as its NAT64 form (``ip_ranges.path_forms``), which
reaches the parent only through a translator on the path (an AWS NAT gateway with a ``64:ff9b::/96`` route):
a dual-stack network ACL that denies the parent's IPv4 and IPv6 ranges before ``allow 0.0.0.0/0`` and
``allow ::/0`` leaves no path; where a translator is on the path, the fix names the exact NAT64 range to deny.

Data-tier subnets are ``network-reachability``'s: it reports each once with all its paths (internet and
parent), so paths into them are not reported again here. A range inside a parent range (the parent's own
range, or part of it) is never judged by path: it is refused per resource, before the rule is created.
Route tables, routes and network ACL allow rules with a wide range are hops of a path, not admissions: the
stateful rule that admits the flow carries the one violation.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from residency_policies.analysis import network_rules as nr
from residency_policies.analysis.network_graph import model as m
from residency_policies.analysis.network_graph.prefixes import prefix_of
from residency_policies.analysis.network_graph import aws as aws_graph
from residency_policies.analysis.network_graph import oci as oci_graph
from residency_policies.analysis.network_graph import tiers
from residency_policies.analysis.network_graph.reachability import Prover, Source, sources_for, unverified
from residency_policies.framework import Finding, ResourceView
from residency_policies.ip_ranges import Network, address_forms, parse_cidr, shares_address
from residency_policies.values import is_unknown

# Stateful rules whose wide range is judged by the paths it opens (and reported when one is open).
ADMITTING_TYPES = frozenset({
    "aws:ec2/securityGroup:SecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    "aws:ec2/securityGroupRule:SecurityGroupRule", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "oci:Core/securityList:SecurityList", "oci:Core/defaultSecurityList:DefaultSecurityList",
    "oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule",
})
# Hops of a path: a wide range here is never a finding by itself (the admitting rule carries it).
HOP_TYPES = frozenset({
    "aws:ec2/networkAcl:NetworkAcl", "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl",
    "aws:ec2/networkAclRule:NetworkAclRule", "aws:ec2/routeTable:RouteTable",
    "aws:ec2/defaultRouteTable:DefaultRouteTable", "aws:ec2/route:Route",
    "oci:Core/routeTable:RouteTable", "oci:Core/defaultRouteTable:DefaultRouteTable",
    "aws:ec2transitgateway/route:Route",
})
PATH_JUDGED_TYPES = ADMITTING_TYPES | HOP_TYPES
_SECURITY_GROUPS = ("aws:ec2/securityGroup:SecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
_NSG = "oci:Core/networkSecurityGroup:NetworkSecurityGroup"
_VCNS = ("oci:Core/vcn:Vcn", "oci:Core/virtualNetwork:VirtualNetwork")
# Admissions no resource of the stack states: AWS's own default security group of a VPC (all egress) and
# OCI's built-in default security list (SSH and ICMP in, all egress). Reported on the VPC / VCN.
_IMPLICIT = ("aws-default-security-group:", "builtin-default-security-list:")


def _range(address: nr.Address) -> Network | None:
    if address.kind == nr.CIDR:
        value = address.value
    elif address.kind == nr.OCI_ENDPOINT and str(address.endpoint_type or "CIDR_BLOCK").upper() == "CIDR_BLOCK":
        value = address.value
    else:
        return None
    return parse_cidr(value) if isinstance(value, str) and not is_unknown(value) else None


def wide_parents(network: Network, parents: Iterable[Network]) -> tuple[Network, ...]:
    """The parent ranges ``network`` reaches only by containing them (empty when it lies inside one of them:
    then it names parent addresses itself)."""
    # Shared addresses only: a /0 of one IP version holds no range of the other (beyond the embeddings).
    hits = tuple(p for p in parents if shares_address(network, p))
    inside = any(f.version == g.version and f.subnet_of(g) for p in hits  # type: ignore[arg-type]  # same version
                 for f in address_forms(network) for g in address_forms(p))
    return () if inside else hits


def judged_by_path(view_type: str, address: nr.Address, parents: Iterable[Network]) -> bool:
    """True when this address is not refused per resource but judged over the stack by its paths."""
    if view_type not in PATH_JUDGED_TYPES:
        return False
    network = _range(address)
    return network is not None and bool(wide_parents(network, parents))


@dataclass
class _Target:
    """What one wide admission applies to: a rule of a resource, or an implicit admission of a network."""

    urn: str
    label: str
    value: str
    network: Network
    hits: tuple[Network, ...]
    direction: str
    path: str | None
    subnets: list[m.Subnet]
    ports: tiers.Ports = tiers.ALL
    unplaced: str | None = None  # why the rule governs no subnet of this stack
    unplaced_is_definite: bool = False


class _Governance:
    """Which subnets each rule (by the URN of the resource that holds it) and each container apply to."""

    def __init__(self, graph: m.NetworkGraph):
        self.graph = graph
        self.subnets_of: dict[str, list[m.Subnet]] = {}
        for subnet in graph.subnets.values():
            for key in subnet.security:
                self.subnets_of.setdefault(key, []).append(subnet)
        self.containers_of: dict[str, set[str]] = {}
        for key, box in graph.security.items():
            if key in self.subnets_of:
                for rule in box.rules:
                    self.containers_of.setdefault(rule.urn, set()).add(key)

    def subnets(self, urn: str) -> list[m.Subnet]:
        seen: dict[str, m.Subnet] = {}
        for key in self.containers_of.get(urn, ()):
            for subnet in self.subnets_of.get(key, ()):
                seen[subnet.urn] = subnet
        return list(seen.values())


def _deps(view: ResourceView, key: str, by_urn: dict[str, ResourceView], types: Iterable[str]) -> list[ResourceView]:
    wanted = frozenset(types)
    return [by_urn[u] for u in (view.property_dependencies or {}).get(key, ()) if u in by_urn and by_urn[u].type in wanted]


def _unplaced(view: ResourceView, by_urn: dict[str, ResourceView], graph: m.NetworkGraph,
              ) -> tuple[str, bool] | None:
    """Why a rule that governs no subnet of this stack may still open a path (and whether that is definite), or
    None when its group is carried by nothing: a group no interface carries governs nothing."""
    if view.type.startswith("aws:"):
        group = view if view.type in _SECURITY_GROUPS else next(iter(
            _deps(view, "securityGroupId", by_urn, _SECURITY_GROUPS)), None)
        if group is None:
            return ("it is added to a security group this stack does not create, so what carries that group cannot "
                    "be seen"), False
    elif view.type == "oci:Core/defaultSecurityList:DefaultSecurityList":
        if _deps(view, "manageDefaultResourceId", by_urn, _VCNS):
            return None  # its VCN is here and no subnet of it names no list: it governs nothing
        return ("it is the default security list of a VCN this stack does not create, so the subnets it governs "
                "cannot be seen"), False
    else:
        group = next(iter(_deps(view, "networkSecurityGroupId", by_urn, (_NSG,))), None)
        if group is None:
            return None  # a security list no subnet names, or an NSG rule of an NSG outside the stack: nothing here
    carriers = [a for a in graph.attachments if group.urn in a.groups and a.placed_outside]
    if not carriers:
        return None
    names = sorted({a.name for a in carriers})
    shown = names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]}"
    sits = "sits" if len(names) == 1 else "sit"
    where = carriers[0].placed_outside
    if group.type in _SECURITY_GROUPS and group.props.get("vpcId") is None:
        return (f"{group.name} is carried by {shown}, which {sits} in {where}: AWS gives that VPC an internet "
                "gateway and a network ACL that allows everything, and its subnets are not in this stack, so they "
                "cannot be declared a public tier and are judged as data (fail closed)"), True
    return (f"{group.name} is carried by {shown}, which {sits} in {where}, so the tier of those subnets and what "
            "lies on their paths cannot be seen"), False


def _rule_ports(view: ResourceView, address: nr.Address) -> tiers.Ports:
    """The ports the rule behind ``address`` admits (every port when it cannot be read)."""
    props = view.props
    if view.type in ("aws:ec2/securityGroup:SecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
                     "oci:Core/securityList:SecurityList", "oci:Core/defaultSecurityList:DefaultSecurityList"):
        head = address.path.split(".", 1)[0]  # ingress[0] / ingressSecurityRules[2]
        key, _, index = head.partition("[")
        rules = props.get(key)
        try:
            rule = rules[int(index.rstrip("]"))] if isinstance(rules, list) else None
        except (ValueError, IndexError):
            rule = None
        if not isinstance(rule, dict):
            return tiers.ALL
        return aws_graph.port_range(rule) if view.type.startswith("aws:") else oci_graph.port_range(rule)
    if view.type.startswith("aws:"):
        return aws_graph.port_range(props, "ipProtocol" if "ipProtocol" in props else "protocol")
    return oci_graph.port_range(props)


def _targets(resources: list[ResourceView], graph: m.NetworkGraph, parents: tuple[Network, ...],
             direction: str) -> Iterator[_Target]:
    governance = _Governance(graph)
    by_urn = {r.urn: r for r in resources}
    for view in resources:
        if view.type not in ADMITTING_TYPES:
            continue
        for address in nr.addresses(view.type, view.props):
            if address.direction not in (direction, nr.EITHER):
                continue
            network = _range(address)
            hits = wide_parents(network, parents) if network is not None else ()
            if not hits or network is None:
                continue
            subnets = governance.subnets(view.urn)
            ports = _rule_ports(view, address)
            target = _Target(view.urn, f"{view.name}.{address.path} ({ports})", str(network), network, hits,
                             direction, address.path, subnets, ports)
            if not subnets:
                unplaced = _unplaced(view, by_urn, graph)
                if unplaced is None:
                    continue  # carried by nothing: it governs nothing
                target.unplaced, target.unplaced_is_definite = unplaced
            yield target
    # Implicit admissions: AWS's own default group (its rules carry the synthetic key as their URN, inside
    # the per-VPC union container) and OCI's built-in default list (a container of its own).
    implicit: dict[str, tuple[m.SecurityRule, list[m.Subnet]]] = {}
    for key, box in graph.security.items():
        for rule in box.rules:
            owner = rule.urn if rule.urn.startswith(_IMPLICIT) else (key if key.startswith(_IMPLICIT) else None)
            if owner is None or rule.direction != direction or rule.peer is None:
                continue
            subnets = governance.subnets_of.get(key, []) if owner == key else governance.subnets(rule.urn)
            if subnets:
                implicit.setdefault(f"{owner}|{rule.label}", (rule, subnets))
    for name, (rule, subnets) in implicit.items():
        network = parse_cidr(rule.peer_text)
        hits = wide_parents(network, parents) if network is not None else ()
        if hits and network is not None:
            network_urn = name.split("|", 1)[0].split(":", 1)[1]
            yield _Target(network_urn, rule.label, rule.peer_text, network, hits, direction, None, subnets,
                          rule.ports or tiers.ALL)


def _reported_elsewhere(subnet: m.Subnet, direction: str) -> bool:
    """network-reachability reports every path into a data or management subnet and out of a data subnet."""
    return subnet.tier == tiers.DATA or (subnet.tier == tiers.MANAGEMENT and direction == nr.INGRESS)


def _first_allow(graph: m.NetworkGraph, subnet: m.Subnet, source: Source, direction: str) -> int | None:
    nacl = graph.nacls.get(subnet.nacl or "")
    numbers = [r.number for r in (nacl.rules if nacl else []) if r.direction == direction and r.allow
               and (r.peer_unknown or (r.peer is not None and source.ranges.overlaps(r.peer)))]
    return min(numbers) if numbers else None


def _narrow(target: _Target, subnet: m.Subnet) -> str:
    if target.path:
        return f"narrow {target.path}"
    if subnet.cloud == "aws":
        return "manage the VPC's default security group (aws.ec2.DefaultSecurityGroup) without that rule"
    return (f"give subnet '{subnet.name}' its own security list (securityListIds), or manage the VCN's default "
            "security list (oci.core.DefaultSecurityList) without that rule")


def _fix(graph: m.NetworkGraph, subnet: m.Subnet, source: Source, direction: str, ranges: str, target: _Target) -> str:
    narrow = _narrow(target, subnet)
    if subnet.cloud == "aws":
        nacl = graph.nacls.get(subnet.nacl or "")
        number = _first_allow(graph, subnet, source, direction)
        below = f"numbered below {number}" if number is not None else "numbered before its allow rules"
        if nacl is None or (subnet.nacl or "").startswith("aws-default-network-acl:"):
            where = (f"subnet '{subnet.name}' uses its VPC's default network ACL (AWS's own allows everything): manage "
                     f"it with aws.ec2.DefaultNetworkAcl or associate an aws.ec2.NetworkAcl with the subnet, holding")
        else:
            where = f"add to network ACL '{nacl.name}' (subnet '{subnet.name}')"
        return (f"fix: {where} an {direction} deny rule (protocol -1) for {ranges} {below}; or route the subnet "
                f"through an AWS Network Firewall whose rule group drops {ranges}; or {narrow}")
    return (f"fix: OCI security lists and NSGs cannot deny, so route subnet '{subnet.name}' through an OCI Network "
            f"Firewall whose policy drops {ranges} before any allow rule (a NetworkFirewallPolicySecurityRule with "
            f"action DROP and an address list holding {ranges}; the subnet's route table and the gateway's ingress "
            f"route table point at the firewall's private IP); or {narrow}")


_VERB = {nr.INGRESS: "admits", nr.EGRESS: "sends traffic to"}


def _open_path(prover: Prover, subnet: m.Subnet, source: Source, direction: str, label: str, proof,
               reasons: dict[int, str]):
    """The path a wide rule opens (the most definite one), or, where sanctioned interfaces are declared
    (``proof``), the most definite of the paths none of them sanctions (its reason kept in ``reasons``)."""
    if proof is None:
        return prover.route_path(subnet, source, direction, label)
    open_paths = []
    for walk in prover.walks(subnet, source, direction, label):
        verdict = proof.verdict(walk)
        if verdict.sanctioned_by is None:
            open_paths.append(walk)
            if verdict.reason:
                reasons[id(walk)] = verdict.reason
    return next((p for p in open_paths if not p.unresolved), open_paths[0] if open_paths else None)


def judge(resources: list[ResourceView], graph: m.NetworkGraph, parents: tuple[Network, ...],
          direction: str, proof=None) -> Iterator[Finding]:
    """One finding per resource whose wide admissions open a path to a parent range from a subnet outside the
    data tier (all its rules and paths in the one finding). ``proof`` (``interface_proof.InterfaceProof``, when
    sanctioned interfaces are declared) leaves out the paths a declared interface sanctions."""
    sources = [s for s in sources_for([str(p) for p in parents]) if s.kind == "parent"]
    prover = Prover(graph, sources)
    reasons: dict[int, str] = {}
    verb = _VERB[direction]
    by_urn: dict[str, list[tuple[_Target, list, list[str]]]] = {}
    unplaced: dict[str, list[tuple[_Target, list[Source]]]] = {}
    for target in _targets(resources, graph, parents, direction):
        carried = _carried(target, sources)
        if target.unplaced:
            if target.unplaced_is_definite:
                # The account's default VPC: IPv4, an internet gateway, no NAT64 translator.
                carried = [s for s in carried if not s.translated]
            if carried:
                unplaced.setdefault(target.urn, []).append((target, carried))
            continue
        paths, fixes = [], []
        for subnet in target.subnets:
            if _reported_elsewhere(subnet, direction) or subnet.urn in graph.firewall_subnets:
                # network-reachability reports every path of a data (or, inbound, management) subnet, once; a
                # network firewall's own subnet holds its endpoints only.
                continue
            if direction == nr.INGRESS and subnet.tier == tiers.PUBLIC and target.ports.within(subnet.public_ports):
                continue  # a declared public tier serving its declared ports: the internet (parent included) may
            #           reach it; a path onward to data or management is network-reachability's.
            for source in carried:
                path = _open_path(prover, subnet, source, direction, target.label, proof, reasons)
                if path is not None:
                    paths.append(path)
                    fixes.append(_fix(graph, subnet, source, direction, source.deny, target))
        if paths:
            by_urn.setdefault(target.urn, []).append((target, paths, fixes))

    def lead(target: _Target, carried: list[Source]) -> str:
        return (f"{verb} {target.value} on {target.ports} ({target.label.rsplit(' (', 1)[0]}), which contains "
                f"parent-company range(s) " + ", ".join(s.deny for s in carried))

    for urn, pairs in unplaced.items():
        targets = [t for t, _ in pairs]
        definite = any(t.unplaced_is_definite for t in targets)
        leads = "; ".join(lead(t, c) for t, c in pairs)
        unplaced_reasons = list(dict.fromkeys(t.unplaced for t in targets if t.unplaced is not None))
        fix = ("place what carries it in a subnet of this stack (tagged residency-tier: public, with its "
               "residency-public-ports, if it serves the internet) or narrow the rule")
        if definite:
            yield Finding(f"{leads}; {'; '.join(unplaced_reasons)}; {fix}", urn, path=targets[0].path)
        else:
            yield Finding(f"{leads}; {fix}", urn, unverifiable=True, path=targets[0].path,
                          why="; ".join(unplaced_reasons))
    for urn, found in by_urn.items():
        paths = [p for _, ps, _ in found for p in ps]
        definite = [p for p in paths if not p.unresolved]
        pieces = list(dict.fromkeys(piece for p in paths for piece in p.unresolved))
        leads = [lead(t, list(dict.fromkeys(p.source for p in ps))) for t, ps, _ in found]
        lines = [f"  - {p.message(with_unresolved=bool(definite))}"
                 + (f"; not sanctioned: {reasons[id(p)]}" if id(p) in reasons else "") for p in paths]
        fixes = list(dict.fromkeys(f for _, _, fs in found for f in fs))
        message = "\n".join([f"{'; '.join(leads)}; nothing in this stack drops them on the way:", *lines, *fixes])
        yield Finding(message, urn, unverifiable=not definite,
                      path=None if definite else ", ".join(pieces) or found[0][0].path,
                      why=None if definite else unverified(pieces) or None)


def _carried(target: _Target, sources: list[Source]) -> list[Source]:
    """The parent sources whose packets the rule's range carries (``ip_ranges.path_forms``): a parent range of
    the rule's IP version that it contains, or the NAT64 form of an IPv4 one inside an IPv6 rule."""
    hits = {str(h) for h in target.hits}
    rule = prefix_of(target.network)
    return [s for s in sources if s.parent in hits and s.ranges.overlaps(rule)]


# The pieces the proof of sanctioned interfaces (``interface_judgement``) shares with this module.
rule_range = _range
rule_ports = _rule_ports
Governance = _Governance
unplaced = _unplaced
