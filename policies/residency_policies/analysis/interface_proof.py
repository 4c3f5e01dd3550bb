"""The proof of sanctioned interfaces: which paths to or from the parent company a declared interface accepts.

A path between the estate and a parent range (``network_graph.reachability.Path``) is *sanctioned* by a declared
interface (``residency_policies.sanctioned_interfaces``) when

* it crosses the interface's gateway: the firewall (or a private IP that is the firewall) is a hop of the path,
  or the path starts in the gateway's own subnet and nothing but the gateway sits there;
* it runs in the interface's direction (estate to parent: the estate opens the connection, an egress path;
  parent to estate: an ingress path);
* it ends outside every data-tier subnet (and, inbound, outside the management tier).

What the gateway lets through is a property of the gateway, judged once (``GatewayFinding``s, reported by the
``sanctioned-interfaces`` policy on the resource to fix): every rule of its policy that allows traffic to
(estate to parent) or from (parent to estate) a parent range allows only the declared endpoints on the declared
ports; the rest of every parent range is dropped by a rule with no other condition; its traffic log is enabled
and reaches the log archive (``gateway_logging``). A path that crosses a gateway with such a problem is not
reported again where it is opened: the gateway's finding names the problem and shows the paths.

Every other path stays what it was: a violation with its counterexample, now saying which interface could have
carried it and why it does not. With no declared interfaces nothing here runs and every verdict is unchanged.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field

from residency_policies.analysis import gateway_policy as gp
from residency_policies.analysis.gateway_logging import GatewayLogging, LoggingState, gateway_logging
from residency_policies.analysis.network_graph import attachments
from residency_policies.analysis.network_graph import model as m
from residency_policies.analysis.network_graph import tiers
from residency_policies.analysis.network_graph.model import NetResource
from residency_policies.analysis.network_graph.prefixes import RangeSet, prefix_of
from residency_policies.analysis.network_graph.reachability import Path, Prover, Source, unverified
from residency_policies.ip_ranges import Network, address_forms
from residency_policies.sanctioned_interfaces import Direction, SanctionedInterface


@dataclass(frozen=True)
class GatewayFinding:
    """A problem of a declared gateway, reported once by ``sanctioned-interfaces`` on the resource to fix."""

    urn: str
    interfaces: tuple[str, ...]
    text: str
    fix: str
    unverifiable: bool = False
    why: str | None = None


@dataclass(frozen=True)
class AllowedFlow:
    """What one rule of a gateway's policy lets through to (or from) a parent range."""

    rule: str
    urn: str
    ranges: tuple[str, ...]
    hosts: tuple[str, ...]
    ports: tuple[gp.PortSpan, ...] | None
    applications: tuple[str, ...]
    declared_by: str | None
    """The interface that declares exactly this flow (None: no declaration does)."""

    @property
    def ports_text(self) -> str:
        if self.ports is None:
            return "every port and protocol"
        return ", ".join(map(str, self.ports))

    @property
    def what(self) -> str:
        shown = ", ".join(self.ranges + self.hosts)
        apps = f" (applications {', '.join(self.applications)})" if self.applications else ""
        return f"{shown} on {self.ports_text}{apps}"


@dataclass
class InterfaceState:
    """One declared interface in one stack: its gateway as found, what the gateway lets through, its logging."""

    interface: SanctionedInterface
    gateway: NetResource | None = None
    gateway_note: str = ""
    """Why the gateway was not found (``is not in this stack``)."""
    gateway_subnet: str | None = None
    gateway_keys: frozenset[str] = frozenset()
    """Node keys of the network graph that are this gateway (the firewall and its private IPs)."""
    shared_with: tuple[str, ...] = ()
    """Other resources placing interfaces in the gateway's subnet (their traffic does not cross the gateway)."""
    flows: list[AllowedFlow] = field(default_factory=list)
    logging: GatewayLogging | None = None
    problems: list[GatewayFinding] = field(default_factory=list)

    @property
    def proved(self) -> bool:
        return self.gateway is not None and not self.problems

    @property
    def name(self) -> str:
        return self.interface.name


@dataclass(frozen=True)
class PathVerdict:
    sanctioned_by: str | None
    """The interface that sanctions the path (None: not sanctioned)."""
    reason: str = ""
    """Why not, as a sentence part (empty when sanctioned, or when no declared interface concerns the path)."""
    crosses: str | None = None
    """The interface whose gateway the path crosses, sanctioned or not."""


def _summarize(intervals: Iterable[tuple[int, int]], version: int) -> tuple[str, ...]:
    cls = ipaddress.IPv4Address if version == 4 else ipaddress.IPv6Address
    out: list[str] = []
    for start, end in intervals:
        out += [str(n) for n in ipaddress.summarize_address_range(cls(start), cls(end))]
    return tuple(out)


def _inside(network: Network, parents: Iterable[Network]) -> bool:
    return any(f.version == g.version and f.subnet_of(g)  # type: ignore[arg-type]  # same version
               for p in parents for f in address_forms(network)
               for g in address_forms(p))


class InterfaceProof:
    """The declared interfaces of the rules in force, judged against one stack (built once per stack)."""

    def __init__(self, resources: Iterable[NetResource], graph: m.NetworkGraph,
                 interfaces: Iterable[SanctionedInterface], parent_cidrs: Iterable[Network], minimum_days: int):
        self.resources = list(resources)
        self.graph = graph
        self.parents = tuple(parent_cidrs)
        self.minimum_days = minimum_days
        self.by_urn = {r.urn: r for r in self.resources}
        self.states = [self._locate(i) for i in interfaces]
        self._prover = Prover(graph, [])
        for urn in dict.fromkeys(s.gateway.urn for s in self.states if s.gateway is not None):
            self._judge_gateway(urn, [s for s in self.states if s.gateway is not None and s.gateway.urn == urn])

    # ---- locating gateways -------------------------------------------------------------------------
    def _locate(self, interface: SanctionedInterface) -> InterfaceState:
        state = InterfaceState(interface)
        ref = interface.gateway
        found = [r for r in self.resources if ref.matches(r.urn, r.type, r.name)]
        if not found:
            state.gateway_note = "is not in this stack"
            return state
        if len(found) > 1:
            state.gateway_note = (f"names {len(found)} resources of this stack ({', '.join(r.urn for r in found)}); "
                                  "name it by its URN")
            return state
        gateway = state.gateway = found[0]
        keys = {gateway.urn} | {k for k, g in self.graph.gateways.items() if g.firewall == gateway.urn}
        state.gateway_keys = frozenset(keys)
        firewall = self.graph.firewalls.get(gateway.urn)
        state.gateway_subnet = firewall.subnet if firewall is not None else None
        if state.gateway_subnet:
            state.shared_with = self._placed_in(state.gateway_subnet, gateway.urn)
        return state

    def _placed_in(self, subnet: str, gateway: str) -> tuple[str, ...]:
        table = attachments.load()
        names = []
        for r in self.resources:
            inputs = table.get(r.type)
            if inputs is None or r.urn == gateway:
                continue
            if any(subnet in r.property_dependencies.get(key, ()) for key in inputs.subnet_keys):
                names.append(r.name)
        return tuple(names)

    # ---- what a gateway lets through ----------------------------------------------------------------
    def _judge_gateway(self, urn: str, states: list[InterfaceState]) -> None:
        gateway = self.by_urn[urn]
        names = tuple(s.name for s in states)
        problems: list[GatewayFinding] = []
        policy = gp.read_policy(self.resources, urn)
        flows: list[AllowedFlow] = []
        if policy.unresolved:
            problems.append(GatewayFinding(
                urn, names, f"the policy of gateway '{gateway.name}' cannot be read, so what it lets through to the "
                "parent company is unknown", "create the firewall's policy, its address lists, service lists and "
                "rules in this stack", unverifiable=True, why=unverified([policy.unresolved])))
        else:
            for direction in dict.fromkeys(s.interface.direction for s in states):
                mine = [s.interface for s in states if s.interface.direction is direction]
                found, issues = self._flows(gateway, policy, direction, mine)
                flows += found
                problems += issues
        logging = gateway_logging(self.resources, gateway, self.minimum_days)
        if not logging.ok:
            problems.append(self._logging_problem(gateway, logging, names))
        for state in states:
            state.flows = [f for f in flows if f.declared_by in (None, state.name)]
            state.logging = logging
            state.problems = problems

    def _flows(self, gateway: NetResource, policy: gp.FirewallPolicy, direction: Direction,
               interfaces: list[SanctionedInterface]) -> tuple[list[AllowedFlow], list[GatewayFinding]]:
        """Evaluate the rules in order for traffic between the estate and each parent range in ``direction``."""
        egress = direction is Direction.ESTATE_TO_PARENT
        names = tuple(i.name for i in interfaces)
        flows: dict[tuple, AllowedFlow] = {}
        problems: dict[tuple[str, str], GatewayFinding] = {}
        undropped: list[str] = []
        for parent in self.parents:
            pending = RangeSet([prefix_of(parent)])
            for rule in policy.rules:
                estate, far = (rule.sources, rule.destinations) if egress else (rule.destinations, rule.sources)
                if estate.prefixes and not estate.hosts and all(_inside(e, self.parents) for e in estate.prefixes):
                    continue  # its estate side names only parent addresses: no flow of the estate matches it
                if rule.unresolved:
                    if not rule.denies:
                        problems.setdefault((rule.urn, "unread"), GatewayFinding(
                            rule.urn, names, f"rule '{rule.name}' of gateway '{gateway.name}' may allow traffic "
                            f"{'to' if egress else 'from'} the parent company, and it cannot be read",
                            "give its address lists, service lists and action as literal or config values of "
                            "resources created in this stack", unverifiable=True, why=unverified(rule.unresolved)))
                    continue  # an unreadable drop drops nothing for certain
                if far.prefixes is None:
                    hit = [iv for v in (4, 6) if v == parent.version for iv in pending.intervals(v)]
                else:
                    hit = [iv for p in far.prefixes for pp in [prefix_of(p)] if pp.version == parent.version
                           for iv in pending.pieces_within(pp)]
                if not hit and not far.hosts:
                    continue
                if rule.denies:
                    if rule.every_flow and estate.any:
                        pending = RangeSet([]) if far.prefixes is None else pending.without(
                            [prefix_of(p) for p in far.prefixes])
                    continue
                if not rule.allows:
                    continue
                ranges = _summarize(sorted(set(hit)), parent.version)
                declared = next((i.name for i in interfaces if self._declares(i, ranges, far.hosts, rule)), None)
                flow = AllowedFlow(rule.name, rule.urn, ranges, far.hosts, rule.ports, rule.applications, declared)
                flows.setdefault((rule.urn, ranges, far.hosts), flow)
                if declared is None:
                    problems.setdefault((rule.urn, flow.what), GatewayFinding(
                        rule.urn, names,
                        f"rule '{rule.name}' of gateway '{gateway.name}' allows {flow.what} "
                        f"{'to' if egress else 'from'} the parent company, which no sanctioned interface through it "
                        f"declares ({'; '.join(_declared(i) for i in interfaces)})",
                        f"narrow rule '{rule.name}' to the declared endpoints (its address lists) and ports (its "
                        "service lists: one service per declared port range), or declare the flow with a new approval"))
            if pending.versions:
                rest = _summarize(pending.intervals(parent.version), parent.version)
                undropped.append(str(parent) if rest == (str(parent),) else f"{', '.join(rest)} (of {parent})")
        if undropped:
            problems[(gateway.urn, "undropped")] = GatewayFinding(
                gateway.urn, names,
                f"gateway '{gateway.name}' does not drop parent-company range(s) {', '.join(undropped)} "
                f"{'to' if egress else 'from'} the estate: no DROP rule conditioned on nothing but addresses covers "
                "them, so nothing proves that the traffic its allow rules do not match is stopped",
                f"add a DROP rule to the policy of '{gateway.name}', after the interface's allow rule, whose "
                f"{'destination' if egress else 'source'} address list holds every parent-company range")
        return list(flows.values()), list(problems.values())

    @staticmethod
    def _declares(interface: SanctionedInterface, ranges: tuple[str, ...], hosts: tuple[str, ...],
                  rule: gp.PolicyRule) -> bool:
        if rule.ports is None or rule.applications:
            return False
        if not all(interface.covers_ports(p.protocol, p.low, p.high) for p in rule.ports):
            return False
        if not all(h in interface.hosts for h in hosts):
            return False
        return all(interface.covers_range(ipaddress.ip_network(r)) for r in ranges)

    @staticmethod
    def _logging_problem(gateway: NetResource, logging: GatewayLogging, names: tuple[str, ...]) -> GatewayFinding:
        fixes = {
            LoggingState.NO_TRAFFIC_LOG: f"add the traffic log of '{gateway.name}' and make it a log source of the "
                                         "log archive's connector (LogArchiveArgs.log_sources)",
            LoggingState.DISABLED: "set isEnabled: true",
            LoggingState.NOT_ARCHIVED: "make the log a log source of the log archive's connector (LogArchiveArgs."
                                       "log_sources), whose bucket keeps logs at least minimumRetentionDays",
            LoggingState.UNKNOWN: "give it as a literal or config value",
        }
        unknown = logging.state is LoggingState.UNKNOWN
        return GatewayFinding(logging.urn, names,
                              f"the traffic of gateway '{gateway.name}' is not proved to be logged and archived: "
                              f"{logging.text}", fixes[logging.state], unverifiable=unknown,
                              why=logging.text if unknown else None)

    # ---- paths --------------------------------------------------------------------------------------
    def crosses(self, state: InterfaceState, path: Path) -> bool:
        if state.gateway is None:
            return False
        if any(k in state.gateway_keys for k in path.nodes):
            return True
        return path.subnet.urn == state.gateway_subnet and not state.shared_with

    def concerned(self, path: Path) -> list[InterfaceState]:
        """The declared interfaces whose endpoints lie in the path's parent range."""
        out = []
        for state in self.states:
            interface = state.interface
            if interface.hosts or any(path.source.ranges.overlaps(prefix_of(c)) for c in interface.cidrs):
                out.append(state)
        return out

    def verdict(self, path: Path) -> PathVerdict:
        crossing = [s for s in self.states if self.crosses(s, path)]
        wrong_way = None
        for state in crossing:
            if state.interface.direction.path_direction != path.direction:
                wrong_way = wrong_way or state
                continue
            if path.subnet.tier == tiers.DATA or (path.subnet.tier == tiers.MANAGEMENT and path.direction == "ingress"):
                return PathVerdict(None, f"it crosses gateway '{state.gateway.name}' of sanctioned interface "  # type: ignore[union-attr]
                                   f"'{state.name}', but a sanctioned interface never reaches the {path.subnet.tier} "
                                   f"tier (subnet '{path.subnet.name}')", state.name)
            return PathVerdict(state.name, "", state.name)
        if wrong_way is not None:
            opens = "the estate" if wrong_way.interface.direction is Direction.ESTATE_TO_PARENT else "the parent company"
            return PathVerdict(None, f"it crosses gateway '{wrong_way.gateway.name}' of sanctioned interface "  # type: ignore[union-attr]
                               f"'{wrong_way.name}', which is {wrong_way.interface.direction.value} (only "
                               f"{opens} opens its connections), but this path is {path.direction}", wrong_way.name)
        reasons = []
        for state in self.concerned(path):
            if state.gateway is None:
                reasons.append(f"sanctioned interface '{state.name}' must cross {state.interface.gateway.describe()}, "
                               f"which {state.gateway_note}")
            elif path.subnet.urn == state.gateway_subnet and state.shared_with:
                reasons.append(f"subnet '{path.subnet.name}' of gateway '{state.gateway.name}' also holds "
                               f"{', '.join(state.shared_with)}, whose traffic does not cross the gateway")
            else:
                reasons.append(f"it does not cross gateway '{state.gateway.name}' of sanctioned interface "
                               f"'{state.name}'")
        return PathVerdict(None, "; ".join(reasons))

    def sanctioned(self, path: Path) -> bool:
        return self.verdict(path).sanctioned_by is not None

    def declaring(self, network: Network) -> list[SanctionedInterface]:
        """The declared interfaces whose endpoints hold every address of ``network``."""
        return [s.interface for s in self.states if s.interface.covers_range(network)]

    def paths_through(self, state: InterfaceState) -> list[Path]:
        """Every path between a subnet of the stack and a parent range that crosses this interface's gateway,
        admitted by the subnet's own rules (the evidence of what the interface carries). The gateway's own leg
        (from its subnet onward) is shown only when no path reaches the gateway from another subnet."""
        found = self._paths_through(state)
        crossing = [p for p in found if p.subnet.urn != state.gateway_subnet]
        return crossing or found

    def _paths_through(self, state: InterfaceState) -> list[Path]:
        if state.gateway is None:
            return []
        direction = state.interface.direction.path_direction
        out = []
        for parent in self.parents:
            source = Source(f"parent:{parent}", f"parent-company range {parent}", RangeSet([prefix_of(parent)]),
                            "parent", parent=str(parent), deny=str(parent))
            for subnet in self.graph.subnets.values():
                out += [p for p in self._prover.walks(subnet, source, direction) if self.crosses(state, p)]
        return out

    def walks(self, subnet: m.Subnet, source: Source, direction: str, admitted_by: str | None = None) -> list[Path]:
        return self._prover.walks(subnet, source, direction, admitted_by)

    def gateway_rules(self) -> frozenset[str]:
        """URNs of the security rules of declared gateways' policies (judged here, as the gateway's policy)."""
        urns = set()
        for urn in {s.gateway.urn for s in self.states if s.gateway is not None}:
            urns |= {rule.urn for rule in gp.read_policy(self.resources, urn).rules}
        return frozenset(urns)

    def gateway_findings(self) -> list[GatewayFinding]:
        seen: dict[tuple[str, str], GatewayFinding] = {}
        for state in self.states:
            for problem in state.problems:
                seen.setdefault((problem.urn, problem.text), problem)
        return list(seen.values())


def _declared(interface: SanctionedInterface) -> str:
    return f"'{interface.name}': {', '.join(interface.endpoints)} on {', '.join(map(str, interface.ports))}"


def endpoint_source(network: Network, parents: Iterable[Network]) -> Source:
    """The proof's source for a declared endpoint (or a rule's range inside one)."""
    parent = next((p for p in parents if _inside(network, [p])), network)
    return Source(f"parent:{network}", f"parent-company range {network}", RangeSet([prefix_of(network)]), "parent",
                  parent=str(parent), deny=str(network))


__all__ = ["AllowedFlow", "GatewayFinding", "InterfaceProof", "InterfaceState", "PathVerdict", "endpoint_source"]
