"""An OCI Network Firewall's policy as a sanctioned interface's proof reads it: ordered rules, with the
addresses, host names and ports each one matches.

The network graph (``network_graph/oci.py``) reads firewall rules for one question: does a drop rule cover a
whole flow. A gateway of a sanctioned interface is asked more: what exactly does it let through to the
parent company (which ranges or host names, on which ports), and does it drop the rest. So this module reads
the policy's rules with their services (``condition.services`` names service lists, which name services, which
carry ``portRanges``) and FQDN address lists, from the stack's resources (pulumi_oci wire names).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from residency_policies.analysis.network_graph.model import NetResource
from residency_policies.ip_ranges import Network, parse_cidr
from residency_policies.values import is_unknown

FIREWALL = "oci:NetworkFirewall/networkFirewall:NetworkFirewall"
POLICY = "oci:NetworkFirewall/networkFirewallPolicy:NetworkFirewallPolicy"
RULE = "oci:NetworkFirewall/networkFirewallPolicySecurityRule:NetworkFirewallPolicySecurityRule"
ADDRESS_LIST = "oci:NetworkFirewall/networkFirewallPolicyAddressList:NetworkFirewallPolicyAddressList"
SERVICE_LIST = "oci:NetworkFirewall/networkFirewallPolicyServiceList:NetworkFirewallPolicyServiceList"
SERVICE = "oci:NetworkFirewall/networkFirewallPolicyService:NetworkFirewallPolicyService"
TOKENS = frozenset({FIREWALL, POLICY, RULE, ADDRESS_LIST, SERVICE_LIST, SERVICE})

ALLOWING = ("ALLOW", "INSPECT")  # INSPECT allows the traffic and runs intrusion detection on it
DENYING = ("DROP", "REJECT")
_SERVICE_PROTOCOLS = {"TCP_SERVICE": "tcp", "UDP_SERVICE": "udp"}


@dataclass(frozen=True, order=True)
class PortSpan:
    protocol: str
    low: int
    high: int

    def __str__(self) -> str:
        return f"{self.protocol}/{self.low}" if self.low == self.high else f"{self.protocol}/{self.low}-{self.high}"


@dataclass(frozen=True)
class Addresses:
    """What one side of a rule matches: ``prefixes`` None means every address (no condition on that side)."""

    prefixes: tuple[Network, ...] | None
    hosts: tuple[str, ...] = ()
    lists: tuple[str, ...] = ()
    """The address-list names, for messages."""

    @property
    def any(self) -> bool:
        return self.prefixes is None and not self.hosts


@dataclass(frozen=True)
class PolicyRule:
    urn: str
    name: str
    action: str | None
    """ALLOW, INSPECT, DROP or REJECT; None when unknown at preview."""
    sources: Addresses
    destinations: Addresses
    ports: tuple[PortSpan, ...] | None
    """None: every port and protocol (no services condition)."""
    services: tuple[str, ...]
    """The service-list names, for messages."""
    applications: tuple[str, ...]
    narrowed_by_urls: bool
    unresolved: tuple[str, ...]
    """Pieces that could not be read (an unknown condition, an address or service list not in the stack)."""

    @property
    def allows(self) -> bool:
        return self.action in ALLOWING

    @property
    def denies(self) -> bool:
        return self.action in DENYING

    @property
    def every_flow(self) -> bool:
        """True when nothing but addresses narrows it (as a drop, it drops every port of what it matches)."""
        return self.ports is None and not self.applications and not self.narrowed_by_urls


@dataclass(frozen=True)
class FirewallPolicy:
    firewall: str
    policy: str | None
    rules: tuple[PolicyRule, ...]
    unresolved: str | None = None
    """Why the policy itself cannot be read (the firewall names no policy of this stack)."""


def _deps(r: NetResource, key: str, by_urn: dict[str, NetResource], type_: str) -> list[str]:
    return [u for u in r.property_dependencies.get(key, ()) if u in by_urn and by_urn[u].type == type_]


def _of_policy(items: Iterable[NetResource], type_: str, policy: str, by_urn: dict[str, NetResource]) -> list[NetResource]:
    return [r for r in items if r.type == type_ and policy in _deps(r, "networkFirewallPolicyId", by_urn, POLICY)]


def _names(value) -> tuple[list[str] | None, bool]:
    """(names, unknown): a condition's list of names (None when the condition is absent)."""
    if value is None:
        return None, False
    if is_unknown(value) or not isinstance(value, list):
        return [], True
    return [v for v in value if isinstance(v, str) and not is_unknown(v)], any(is_unknown(v) for v in value)


def read_policy(resources: Iterable[NetResource], firewall_urn: str) -> FirewallPolicy:
    """The policy of the firewall ``firewall_urn``, its rules in evaluation order."""
    items = list(resources)
    by_urn = {r.urn: r for r in items}
    firewall = by_urn.get(firewall_urn)
    if firewall is None:
        return FirewallPolicy(firewall_urn, None, (), "the firewall is not in this stack")
    policies = _deps(firewall, "networkFirewallPolicyId", by_urn, POLICY)
    if len(policies) != 1:
        why = ("names no policy created in this stack, so its rules cannot be read" if not policies
               else "names several policies, which preview cannot tell apart")
        return FirewallPolicy(firewall_urn, None, (), f"{firewall.name}.networkFirewallPolicyId {why}")
    policy = policies[0]
    lists: dict[str, NetResource] = {}
    for r in _of_policy(items, ADDRESS_LIST, policy, by_urn):
        if isinstance(r.props.get("name"), str):
            lists[r.props["name"]] = r
    service_lists = {r.props.get("name"): r for r in _of_policy(items, SERVICE_LIST, policy, by_urn)}
    services = {r.props.get("name"): r for r in _of_policy(items, SERVICE, policy, by_urn)}
    rules = []
    for order, r in enumerate(_of_policy(items, RULE, policy, by_urn)):
        rules.append((_order(r, order), _rule(r, lists, service_lists, services)))
    return FirewallPolicy(firewall_urn, policy, tuple(rule for _, rule in sorted(rules, key=lambda x: x[0])))


def _order(r: NetResource, index: int) -> float:
    # As the network graph orders them: priorityOrder when given, else the order the program creates them in
    # (the kit positions each rule after the previous one).
    priority = r.props.get("priorityOrder")
    return float(priority) if isinstance(priority, (int, float)) and not isinstance(priority, bool) else 1e9 + index


def _rule(r: NetResource, lists: dict[str, NetResource], service_lists: dict, services: dict) -> PolicyRule:
    condition = r.props.get("condition")
    unresolved: list[str] = []
    if is_unknown(condition):
        unresolved.append(f"{r.name}.condition")
        condition = {}
    condition = condition if isinstance(condition, dict) else {}

    def side(key: str) -> Addresses:
        names, unknown = _names(condition.get(key))
        if unknown:
            unresolved.append(f"{r.name}.condition.{key}")
        if names is None:
            return Addresses(None)
        prefixes: list[Network] = []
        hosts: list[str] = []
        for name in names:
            found = lists.get(name)
            if found is None:
                unresolved.append(f"{r.name}.condition.{key} names address list {name!r}, which is not created in this "
                                  "stack")
                continue
            kind, addresses = found.props.get("type"), found.props.get("addresses")
            if is_unknown(kind) or is_unknown(addresses) or not isinstance(addresses, list):
                unresolved.append(f"{found.name}.addresses")
                continue
            for value in addresses:
                if str(kind).upper() == "FQDN" and isinstance(value, str) and not is_unknown(value):
                    hosts.append(value.strip().lower())
                    continue
                network = parse_cidr(value)
                if network is None:
                    unresolved.append(f"{found.name}.addresses")
                else:
                    prefixes.append(network)
        return Addresses(tuple(prefixes), tuple(hosts), tuple(names))

    sources, destinations = side("sourceAddresses"), side("destinationAddresses")
    service_names, unknown = _names(condition.get("services"))
    if unknown:
        unresolved.append(f"{r.name}.condition.services")
    ports: list[PortSpan] | None = None
    if service_names is not None:
        ports = []
        for name in service_names:
            listed = service_lists.get(name)
            members = listed.props.get("services") if listed is not None else None
            if listed is None or is_unknown(members) or not isinstance(members, list):
                unresolved.append(f"{r.name}.condition.services names service list {name!r}, which cannot be read")
                continue
            for member in members:
                service = services.get(member)
                spans = _service_ports(service) if service is not None else None
                if spans is None:
                    unresolved.append(f"service {member!r} of service list {name!r} cannot be read")
                    continue
                ports.extend(spans)
    applications, unknown_apps = _names(condition.get("applications"))
    if unknown_apps:
        unresolved.append(f"{r.name}.condition.applications")
    urls, _ = _names(condition.get("urls"))
    action = r.props.get("action")
    if is_unknown(action) or not isinstance(action, str):
        unresolved.append(f"{r.name}.action")
        action = None
    return PolicyRule(r.urn, str(r.props.get("name") or r.name), action.upper() if action else None, sources,
                      destinations, tuple(sorted(set(ports))) if ports is not None else None,
                      tuple(service_names or ()), tuple(applications or ()), bool(urls), tuple(unresolved))


def _service_ports(service: NetResource) -> list[PortSpan] | None:
    protocol = _SERVICE_PROTOCOLS.get(str(service.props.get("type")))
    ranges = service.props.get("portRanges")
    if protocol is None or not isinstance(ranges, list) or not ranges:
        return None
    out = []
    for item in ranges:
        low = item.get("minimumPort") if isinstance(item, dict) else None
        high = item.get("maximumPort", low) if isinstance(item, dict) else None
        high = low if high is None else high
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (low, high)):
            return None
        out.append(PortSpan(protocol, int(low), int(high)))  # type: ignore[arg-type]  # numbers, checked above
    return out
