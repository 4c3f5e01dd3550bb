"""The reachability proof: no packet between the internet / the parent company and a data-tier subnet.

For every data-tier subnet and every source (the public internet; each parent-company range) we follow
the subnet's route for the source's addresses hop by hop (route tables, gateways, DRG route tables,
peering, firewalls, transit route tables) until it leaves what the stack can see. A path is possible
when it ends at an exit that can carry those addresses (internet gateway, NAT for egress, a DRG or
peering that connects outside, anything unresolvable), no firewall deny rule on it covers the flow, and
the subnet's security rules admit the flow on some port. The return route is what makes a connection:
OCI and AWS security rules are stateful, so a packet whose replies cannot come back opens nothing.

Conservative by construction: an unknown id, CIDR, rule list or address list counts as "could be a
path", and the path records which piece could not be verified.

IPv4 sources have a second, *translated* form (``ip_ranges.path_forms``): their NAT64 addresses
(``64:ff9b::cb00:7100/120`` for ``203.0.113.0/24``), which an IPv6 host of a subnet reaches only through a
NAT64 translator on the path: an AWS NAT gateway (egress; it admits nothing inbound), or whatever lies beyond an
exit the stack cannot see. Internet gateways, egress-only gateways and peered VPCs do not translate, so an IPv6
rule such as ``::/0`` there carries no IPv4 traffic. Only subnets with an IPv6 range (or an unknown one) can
send such packets.

Cost: every (route table, source) and (security container, source, direction) answer is computed once
and cached; overlap tests are bisects into sorted interval sets, and longest-prefix shadowing is one
hash probe per prefix length. The work is therefore linear in rules x sources plus subnets x sources.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from residency_policies.analysis.network_graph import model as m
from residency_policies.analysis.network_graph.prefixes import (
    Prefix,
    RangeSet,
    internet_v4,
    internet_v6,
    parse_prefix,
    prefix_of,
)
from residency_policies.ip_ranges import NAT64_PREFIX, nat64_form, path_forms

MAX_HOPS = 32
_CLAUSE = re.compile(r"\b(is|are|names|carries|not|cannot)\b|\)$")


def clause(piece: str) -> str:
    """A piece that could not be verified, as a sentence part: a bare property path is a value unknown at preview."""
    return piece if _CLAUSE.search(piece) else f"{piece} is unknown; make it a literal or config value"


def unverified(pieces) -> str:
    """What could not be verified, each piece once, as one sentence part."""
    return "; ".join(dict.fromkeys(clause(p) for p in pieces))


@dataclass(frozen=True)
class Source:
    key: str
    label: str
    ranges: RangeSet
    kind: str  # "internet" | "parent"
    parent: str = ""  # the parent-company range this source stands for ("" for the internet)
    translated: bool = False  # NAT64 forms: carried only through a translator (module doc)
    deny: str = ""  # the exact range(s) a deny rule on the path must cover, as a message names them
    untranslated: Source | None = None  # the IPv4 source a translator turns this one into


def sources_for(parent_cidrs: list[str]) -> list[Source]:
    parents = [p for p in (parse_prefix(str(c)) for c in parent_cidrs) if p is not None]
    # The parent's ranges are public too; keeping them out of "the internet" reports each path once,
    # under the most specific source.
    internet = RangeSet(internet_v4() + internet_v6()).without(parents)
    direct = Source("internet", "the internet (0.0.0.0/0, ::/0)", internet, "internet", deny="0.0.0.0/0, ::/0")
    out = [direct]
    internet_nat64 = RangeSet([prefix_of(nat64_form(ipaddress.IPv4Network(p.text))) for p in internet_v4()]).without(
        [prefix_of(nat64_form(ipaddress.IPv4Network(p.text))) for p in parents if p.version == 4])
    out.append(Source("internet:nat64", f"the internet through NAT64 ({NAT64_PREFIX})", internet_nat64, "internet",
                      translated=True, deny=str(NAT64_PREFIX), untranslated=direct))
    for prefix in parents:
        net = ipaddress.ip_network(prefix.text)
        source = Source(f"parent:{prefix}", f"parent-company range {prefix}", RangeSet([prefix]), "parent",
                        parent=str(prefix), deny=str(prefix))
        out.append(source)
        for form, translated in path_forms(net):
            if translated:
                out.append(Source(f"parent:{prefix}:nat64", f"parent-company range {prefix} through NAT64 ({form})",
                                  RangeSet([prefix_of(form)]), "parent", parent=str(prefix), translated=True,
                                  deny=f"{form} (the NAT64 form of {prefix})", untranslated=source))
    return out


@dataclass
class Path:
    """One possible path, listed from the source to the target (ingress) or the target to the source (egress)."""

    direction: str  # "ingress" | "egress"
    source: Source
    subnet: m.Subnet
    hops: list[str]  # human-readable, in packet order
    nodes: list[str]  # node keys, in packet order (for the diagram)
    admitted_by: str
    unresolved: list[str] = field(default_factory=list)

    def message(self, with_unresolved: bool = True) -> str:
        verb = "can reach" if self.direction == "ingress" else "can be reached from"
        subnet = f"{self.subnet.tier}-tier subnet '{self.subnet.name}'"
        who = (
            f"{self.source.label} {verb} {subnet}"
            if self.direction == "ingress"
            else f"{subnet} can send to {self.source.label}"
        )
        text = f"{who} ({self.direction}): " + " -> ".join(self.hops) + f"; admitted by {self.admitted_by}"
        if self.unresolved and with_unresolved:
            text += "; not verifiable at preview: " + unverified(self.unresolved)
        return text


@dataclass
class _Walk:
    hops: list[tuple[str, str]]  # (node key, text), from the subnet outward
    unresolved: list[str]


class Prover:
    def __init__(self, graph: m.NetworkGraph, sources: list[Source]):
        self.graph = graph
        self.sources = sources
        self._route_cache: dict[tuple[str, str], list[m.Route]] = {}
        self._admit_cache: dict[tuple[str, str, str], tuple[str | None, str | None]] = {}
        self._nacl_cache: dict[tuple[str, str, str], tuple[bool, str | None, str | None]] = {}

    # ---- routing -------------------------------------------------------------------------------
    def _applicable(self, table, source: Source) -> list[m.Route]:
        key = (table.urn, source.key)
        cached = self._route_cache.get(key)
        if cached is not None:
            return cached
        index = table.index()
        out = []
        for route in table.routes:
            if route.dest is None:
                out.append(route)  # unknown destination: may cover the source
                continue
            if not source.ranges.overlaps(route.dest):
                continue
            pieces = source.ranges.pieces_within(route.dest)
            if any(not index.shadowed(route.dest, a, b) for a, b in pieces):
                out.append(route)
        self._route_cache[key] = out
        return out

    def _walk_table(self, table_key, source, direction, subnet, hops, unresolved, seen):
        if table_key is None:
            return
        if table_key.startswith(("unresolved:", "external:")):
            name = self.graph.name_of(table_key)
            why = name if table_key.startswith("unresolved:") else f"route table {name} is not created in this stack"
            yield _Walk(hops + [(table_key, f"route table {name} (not resolvable)")], unresolved + [why])
            return
        if table_key in seen or len(hops) > MAX_HOPS:
            return
        seen = seen | {table_key}
        table = self.graph.route_tables.get(table_key)
        if table is None:
            return
        if table.unknown_rules:
            yield _Walk(hops + [(table_key, f"route table '{table.name}' (rules unknown)")], unresolved + [table.unknown_rules])
        for route in self._applicable(table, source):
            where = route.label.removesuffix(" <unknown>")
            extra = [f"the destination of {where} is unknown at preview"] if route.dest is None else []
            if route.ambiguous:
                extra.append(f"the next hop of {route.label} is one of {', '.join(self.graph.name_of(t) for t in route.targets)}, "
                             "which preview cannot tell apart")
            for target in route.targets:
                step = (route.urn, f"route {route.label}")
                yield from self._follow(target, source, direction, subnet, hops + [step], unresolved + extra, seen)

    def _follow(self, target, source, direction, subnet, hops, unresolved, seen):
        graph = self.graph
        if target.startswith("unresolved:"):
            yield _Walk(hops + [(target, f"unresolved next hop {graph.name_of(target)}")], unresolved + [graph.name_of(target)])
            return
        if target.startswith("external:"):
            outside = graph.name_of(target)
            yield _Walk(hops + [(target, f"{outside} (outside this stack)")], unresolved + [f"{outside} is outside this stack"])
            return
        if target in graph.tgw_attachments:  # a transit gateway route's next hop: into that VPC
            att = graph.tgw_attachments[target]
            step = (target, f"transit gateway attachment '{att.name}'")
            if att.network is None or not att.route_tables:
                yield _Walk(hops + [step, ("outside", "networks outside this stack")], unresolved)
            for table in att.route_tables:
                yield from self._walk_table(table, source, direction, subnet, hops + [step], unresolved, seen)
            return
        if target in graph.drg_attachments:  # a DRG route rule's next hop
            att = graph.drg_attachments[target]
            step = (target, f"DRG attachment '{att.name}'")
            if att.network is None:
                yield _Walk(hops + [step, ("outside", "networks outside this stack")], unresolved)
            elif att.route_table:
                yield from self._walk_table(att.route_table, source, direction, subnet, hops + [step], unresolved, seen)
            return
        gw = graph.gateways.get(target)
        if gw is None:
            return
        step = (target, f"{gw.kind} '{gw.name}'")
        if source.translated and gw.kind in (m.IGW, m.EGRESS_ONLY, m.NAT) and not gw.translates:
            return  # NAT64 addresses go nowhere but to a translator (module doc)
        if gw.kind == m.IGW:
            if gw.blocked:
                return
            if direction == "ingress" and subnet.cloud == "oci":
                if subnet.public is False:
                    return  # no VNIC in the subnet can hold a public IP
                if subnet.public is None:
                    unresolved = unresolved + [f"{subnet.name}.prohibitPublicIpOnVnic"]
            yield _Walk(hops + [step, ("internet", "the internet")], unresolved)
        elif gw.kind in (m.NAT, m.EGRESS_ONLY):
            if direction == "egress" and not gw.blocked:
                yield _Walk(hops + [step, ("internet", "the internet")], unresolved)
        elif gw.kind == m.SGW:
            return
        elif gw.kind == m.DRG:
            yield from self._follow_drg(gw, source, direction, subnet, hops + [step], unresolved, seen)
        elif gw.kind == m.LPG:
            for peer in gw.peers:
                other = graph.gateways.get(peer)
                if other is None:
                    yield _Walk(hops + [step, (peer, f"peer {graph.name_of(peer)} (outside this stack)")],
                                unresolved + ([graph.name_of(peer)] if peer.startswith("unresolved:") else []))  # fmt: skip
                elif other.route_table:  # transit routing out of the peer VCN
                    peer_step = (peer, f"peered {other.kind} '{other.name}'")
                    yield from self._walk_table(other.route_table, source, direction, subnet, hops + [step, peer_step], unresolved, seen)
        elif gw.kind in (m.FIREWALL, m.APPLIANCE):
            if gw.firewall:
                verdict = self._firewall_blocks(graph.firewalls[gw.firewall], source, subnet, direction)
                if verdict is True:
                    return
                unresolved = unresolved + ([verdict] if isinstance(verdict, str) else [])
            if source.translated and gw.translates:
                if direction != "egress" or source.untranslated is None:
                    return  # a translator admits nothing inbound
                source = source.untranslated  # past a private NAT gateway the packet is IPv4
            if gw.subnet and gw.subnet in graph.subnets:
                forward = graph.subnets[gw.subnet]
                yield from self._walk_table(forward.route_table, source, direction, subnet, hops + [step], unresolved, seen)
            else:
                yield _Walk(hops + [step], unresolved + [f"{gw.name}: where it forwards is not in this stack"])
        elif gw.kind == m.VPC_PEERING:
            yield from self._follow_vpc_peering(gw, source, subnet, hops + [step], unresolved)
        elif gw.kind == m.TGW and any(a.drg == gw.urn for a in graph.tgw_attachments.values()):
            yield from self._follow_tgw(gw, source, direction, subnet, hops + [step], unresolved, seen)
        else:  # transit gateway, VPN gateway: connects to networks the stack cannot see
            yield _Walk(hops + [step, ("outside", gw.note or "networks outside this stack")], unresolved)

    def _follow_vpc_peering(self, gw, source, subnet, hops, unresolved):
        """AWS peering is not transitive: a packet that crosses it can only reach the peer VPC's own
        addresses (never its gateways or further peerings), so a peer VPC in this stack with known CIDRs
        carries only those. A peer outside the stack (``note`` says whose) is an exit."""
        if gw.note:
            yield _Walk(hops + [("outside", gw.note)], unresolved)
            return
        current = subnet_network(self.graph, hops, subnet)
        for other in (p for p in gw.peers if p != current):
            net = self.graph.networks.get(other)
            if net is None:
                continue
            if net.cidr_unknown:
                yield _Walk(hops + [(other, f"peered VPC '{net.name}'")], unresolved + [f"{net.name}.cidrBlock"])
            elif any(source.ranges.overlaps(c) for c in net.cidrs):
                yield _Walk(hops + [(other, f"peered VPC '{net.name}' ({', '.join(map(str, net.cidrs))})")], unresolved)

    def _follow_tgw(self, gw, source, direction, subnet, hops, unresolved, seen):
        """Into a transit gateway from the VPC the packet is in: the route table associated with that VPC's
        attachment decides (longest prefix; a blackhole drops). An attachment left to the gateway's default
        route table leads to networks the stack cannot see; one with no route table drops everything."""
        graph = self.graph
        current = subnet_network(graph, hops, subnet)
        mine = [a for a in graph.tgw_attachments.values() if a.drg == gw.urn and a.network == current]
        if not mine:
            yield _Walk(hops + [("outside", gw.note or "networks outside this stack")], unresolved)
            return
        att = mine[0]
        if att.drg_route_table is None:
            if att.default_association:
                yield _Walk(hops + [("outside", "networks attached to the transit gateway's default route table, "
                                                "which this stack does not manage")], unresolved)
            return
        table = graph.drg_route_tables.get(att.drg_route_table)
        if table is None:
            yield _Walk(hops + [(att.drg_route_table, f"{graph.name_of(att.drg_route_table)} (not resolvable)")],
                        unresolved + [f"{graph.name_of(att.drg_route_table)} is unknown at preview"])
            return
        for route in self._applicable(table, source):
            for target in route.targets:
                step = (route.urn, f"transit gateway route {route.label}")
                yield from self._follow(target, source, direction, subnet, hops + [step], unresolved, seen)

    def _follow_drg(self, gw, source, direction, subnet, hops, unresolved, seen):
        graph = self.graph
        mine = [a for a in graph.drg_attachments.values() if a.drg == gw.urn and a.network == subnet_network(graph, hops, subnet)]
        table = graph.drg_route_tables.get(mine[0].drg_route_table or "") if mine else None
        if table is None or table.imports:
            why = gw.note or (
                "its route table for this VCN imports routes" if table is not None else "it has no DRG route table in this stack"
            )
            yield _Walk(hops + [("outside", f"networks attached to the DRG outside this stack ({why})")], unresolved)
            return
        for route in self._applicable(table, source):
            for target in route.targets:
                step = (route.urn, f"DRG route {route.label}")
                yield from self._follow(target, source, direction, subnet, hops + [step], unresolved, seen)

    # ---- firewalls -------------------------------------------------------------------------------
    def _firewall_blocks(self, fw: m.Firewall, source: Source, subnet: m.Subnet, direction: str):
        """True when a deny rule covers the whole flow; else None, or the piece that was unreadable."""
        if fw.policy_unresolved:
            return fw.policy_unresolved
        target = RangeSet(subnet.cidrs)
        # Only the address families the subnet has can reach it.
        versions = target.versions or {4, 6}
        src_ranges = source.ranges.only(versions)
        src, dst = (src_ranges, target) if direction == "ingress" else (target, src_ranges)
        for rule in fw.rules:
            if rule.unresolved:
                if rule.deny:
                    continue
                return rule.unresolved
            if rule.sources is not None and not any(src.overlaps(p) for p in rule.sources):
                continue
            if rule.destinations is not None and not any(dst.overlaps(p) for p in rule.destinations):
                continue
            full = (
                rule.all_traffic
                and not subnet.cidr_unknown
                and (rule.sources is None or src.covered_by(rule.sources))
                and (rule.destinations is None or dst.covered_by(rule.destinations))
            )
            if rule.deny and full:
                return True
            if not rule.deny:
                return None
        return None

    # ---- security rules --------------------------------------------------------------------------
    def _admits(self, container_key: str, source: Source, direction: str) -> tuple[str | None, str | None]:
        """(label of the first rule admitting the flow, unresolved piece) for one container."""
        key = (container_key, source.key, direction)
        if key in self._admit_cache:
            return self._admit_cache[key]
        box = self.graph.security.get(container_key)
        if box is None:
            name = self.graph.name_of(container_key)
            result = (f"{name} (not resolvable)", name)
        else:
            result = (None, None)
            for rule in box.rules:
                if rule.direction != direction:
                    continue
                if rule.peer_unknown:
                    result = (rule.label, rule.peer_text)
                    break
                if rule.peer is not None and source.ranges.overlaps(rule.peer):
                    result = (rule.label, None)
                    break
        self._admit_cache[key] = result
        return result

    def _nacl_allows(self, subnet: m.Subnet, source: Source, direction: str) -> tuple[bool, str | None, str | None]:
        """(allowed, label of the allowing NACL rule, unresolved piece) for the subnet's network ACL.

        First match by rule number: a deny rule covering every protocol takes its range out of the flow; the
        first allow rule that still meets the flow lets it through; what is left at the end hits the implicit
        deny. Only the direction of the first packet is checked (replies need the other direction of a
        stateless NACL too, but a one-way packet can already carry data out), which is the strict reading.
        """
        if subnet.nacl is None:
            return True, None, None
        key = (f"nacl:{subnet.nacl}", source.key, direction)
        if key in self._nacl_cache:
            return self._nacl_cache[key]
        nacl = self.graph.nacls.get(subnet.nacl)
        if nacl is None:
            result = (True, f"network ACL {self.graph.name_of(subnet.nacl)} (not resolvable)", self.graph.name_of(subnet.nacl))
        elif nacl.unknown_rules:
            result = (True, f"network ACL '{nacl.name}' (rules unknown)", nacl.unknown_rules)
        else:
            result = (False, None, None)
            remaining = source.ranges
            for rule in sorted((r for r in nacl.rules if r.direction == direction), key=lambda r: r.number):
                if rule.peer_unknown:
                    if rule.allow:
                        result = (True, rule.label, rule.peer_text)
                        break
                    continue  # an unknown deny may cover nothing
                if rule.peer is None or not remaining.overlaps(rule.peer):
                    continue
                if rule.allow:
                    result = (True, rule.label, None)
                    break
                if rule.all_traffic:
                    remaining = remaining.without([rule.peer])
                    if not remaining.versions:
                        break
        self._nacl_cache[key] = result
        return result

    def admitted(self, subnet: m.Subnet, source: Source, direction: str) -> tuple[str | None, list[str]]:
        allowed, nacl_label, why = self._nacl_allows(subnet, source, direction)
        if not allowed:
            return None, []
        pieces = [why] if why else []
        suffix = f" (network ACL: {nacl_label})" if nacl_label else ""
        if subnet.security_unknown:
            return subnet.security_unknown + suffix, pieces + [subnet.security_unknown]
        for container in subnet.security:
            label, unresolved = self._admits(container, source, direction)
            if label is not None:
                return label + suffix, pieces + ([unresolved] if unresolved else [])
        return None, []

    # ---- the proof -------------------------------------------------------------------------------
    def paths(self) -> list[Path]:
        found: list[Path] = []
        for subnet in self.graph.protected_subnets():
            # Management hosts may reach out (updates, the US team's tools); nothing outside may reach them.
            directions = ("ingress", "egress") if subnet.tier == "data" else ("ingress",)
            for source in self.sources:
                for direction in directions:
                    path = self._path(subnet, source, direction)
                    if path is not None:
                        found.append(path)
        return found

    def route_path(self, subnet: m.Subnet, source: Source, direction: str, admitted_by: str) -> Path | None:
        """The path one admitting rule (``admitted_by``) opens between ``subnet`` and ``source``, unless the
        subnet's network ACL, every route or a firewall on the way drops it; None when nothing carries it."""
        return self._path(subnet, source, direction, forced=admitted_by)

    def _admission(self, subnet: m.Subnet, source: Source, direction: str,
                   forced: str | None) -> tuple[str | None, list[str]]:
        """The rule that admits the flow (``forced``, past the subnet's network ACL, or the subnet's own rules);
        None when nothing does, or when Zero Trust Packet Routing drops it whatever the security rules admit."""
        if self.graph.zpr is not None and self.graph.zpr.drops(subnet.urn, subnet.network, source.ranges, direction):
            return None, []  # ``zpr``: the path model's packet routing policies
        if forced is None:
            return self.admitted(subnet, source, direction)
        allowed, nacl_label, why = self._nacl_allows(subnet, source, direction)
        if not allowed:
            return None, []
        return forced + (f" (network ACL: {nacl_label})" if nacl_label else ""), [why] if why else []

    def walks(self, subnet: m.Subnet, source: Source, direction: str, admitted_by: str | None = None) -> list[Path]:
        """Every path between ``subnet`` and ``source``, one per route walk, not only the most definite one (which
        is all ``_path`` needs): a sanctioned interface's proof must see the walk that bypasses its gateway beside
        the one that crosses it. ``admitted_by`` forces the admitting rule, as ``route_path`` does."""
        if source.translated and not subnet.cidr_unknown and not any(c.version == 6 for c in subnet.cidrs):
            return []
        admitted, pieces = self._admission(subnet, source, direction, admitted_by)
        if admitted is None:
            return []
        start = subnet.route_table_note or subnet.route_table
        found: dict[tuple[str, ...], Path] = {}
        for walk in self._walk_table(start, source, direction, subnet, [], [], frozenset()):
            outward = [(subnet.urn, f"subnet '{subnet.name}'")] + walk.hops
            ordered = list(reversed(outward)) if direction == "ingress" else outward
            ordered = [("source", source.label)] + ordered if direction == "ingress" else ordered + [("source", source.label)]
            nodes = tuple(k for k, _ in ordered)
            if nodes not in found:
                found[nodes] = Path(direction=direction, source=source, subnet=subnet, hops=[t for _, t in ordered],
                                    nodes=list(nodes), admitted_by=admitted, unresolved=walk.unresolved + pieces)
        return list(found.values())

    def _path(self, subnet: m.Subnet, source: Source, direction: str, forced: str | None = None) -> Path | None:
        if source.translated and not subnet.cidr_unknown and not any(c.version == 6 for c in subnet.cidrs):
            return None  # no IPv6 host in the subnet can address the NAT64 form
        admitted_by, admit_pieces = self._admission(subnet, source, direction, forced)
        if admitted_by is None:
            return None
        best = None
        start = subnet.route_table
        if subnet.route_table_note:
            start = subnet.route_table_note
        for walk in self._walk_table(start, source, direction, subnet, [], [], frozenset()):
            if best is None or (best.unresolved and not walk.unresolved):
                best = walk
            if not walk.unresolved:
                break
        if best is None:
            return None
        outward = [(subnet.urn, f"subnet '{subnet.name}'")] + best.hops
        ordered = list(reversed(outward)) if direction == "ingress" else outward
        if direction == "ingress":
            ordered = [("source", source.label)] + ordered
        else:
            ordered = ordered + [("source", source.label)]
        return Path(
            direction=direction, source=source, subnet=subnet, hops=[t for _, t in ordered],
            nodes=[k for k, _ in ordered], admitted_by=admitted_by, unresolved=best.unresolved + admit_pieces,
        )  # fmt: skip


def subnet_network(graph: m.NetworkGraph, hops: list[tuple[str, str]], subnet: m.Subnet) -> str | None:
    """The VCN a packet is in when it reaches a DRG: that of the last route table walked."""
    for key, _ in reversed(hops):
        table = graph.route_tables.get(key)
        if table is not None and table.network:
            return table.network
    return subnet.network


def prove(graph: m.NetworkGraph, parent_cidrs: list[str]) -> list[Path]:
    return Prover(graph, sources_for(parent_cidrs)).paths()


__all__ = ["Path", "Prover", "Source", "prove", "sources_for", "Prefix"]
