"""How the network policies use the proof of sanctioned interfaces (``interface_proof``).

Without declared interfaces nothing here changes a verdict. With them:

* a security list or NSG rule that names a range inside a declared endpoint is no longer refused per resource:
  it is judged over the stack by the paths it opens (``judge_endpoint_rules``), and stays a violation, with
  those paths, wherever one of them is not sanctioned;
* a route to a declared endpoint is a hop of such a path (as routes to a wide range are), never a finding by
  itself; a firewall rule naming a declared endpoint is the gateway's policy, judged by ``sanctioned-interfaces``
  when it belongs to the declared gateway and a hop of the admitting rule's paths otherwise;
* a wide rule's paths (``network_wide_rules``) that a declared interface sanctions are dropped from its finding.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from residency_policies.analysis import network_rules as nr
from residency_policies.analysis import network_wide_rules as wide
from residency_policies.analysis.interface_proof import InterfaceProof, endpoint_source
from residency_policies.analysis.network_graph import NetResource, tiers
from residency_policies.analysis.network_graph.reachability import Path, unverified
from residency_policies.findings import Finding
from residency_policies.ip_ranges import Network, address_forms, parse_cidr
from residency_policies.rules_file import Rules
from residency_policies.views import ResourceView, StackView

# Stateful rules naming a declared endpoint: judged by the paths they open.
ENDPOINT_RULE_TYPES = frozenset({
    "oci:Core/securityList:SecurityList", "oci:Core/defaultSecurityList:DefaultSecurityList",
    "oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule",
})
# Hops of an interface's paths: a declared endpoint here is never a finding by itself.
ENDPOINT_HOP_TYPES = frozenset({"oci:Core/routeTable:RouteTable", "oci:Core/defaultRouteTable:DefaultRouteTable"})

_VERB = {nr.INGRESS: "admits", nr.EGRESS: "sends traffic to"}


def proof_for(resources: Iterable[ResourceView], rules: Rules, graph=None) -> InterfaceProof | None:
    """The proof of the declared interfaces over this stack (None when none is declared), built once per stack."""
    if not rules.sanctioned_interfaces:
        return None
    from residency_policies.analysis.network_judgement import stack_graph

    def build() -> InterfaceProof:
        items = [NetResource(r.type, r.urn, r.name, r.props, {k: tuple(v) for k, v in (r.property_dependencies or {}).items()})
                 for r in resources if not r.type.startswith("pulumi:")]
        return InterfaceProof(items, graph if graph is not None else stack_graph(resources),
                              rules.sanctioned_interfaces, rules.parent_cidrs, rules.minimum_retention_days)

    if isinstance(resources, StackView):
        key = repr(("interface-proof", rules.sanctioned_interfaces, rules.parent_cidrs, rules.minimum_retention_days))
        return resources.derived(key, build)
    return build()


def _inside_parent(network: Network, parents: Iterable[Network]) -> bool:
    return any(f.version == g.version and f.subnet_of(g)  # type: ignore[arg-type]  # same version
               for p in parents for f in address_forms(network)
               for g in address_forms(p))


def declared_endpoint(view_type: str, address: nr.Address, rules: Rules) -> Network | None:
    """The range of ``address`` when it lies inside a declared endpoint and the rule is judged by its paths (or
    is a hop of them) instead of per resource; None otherwise (the verdict is what it always was)."""
    if not rules.sanctioned_interfaces or view_type not in ENDPOINT_RULE_TYPES | ENDPOINT_HOP_TYPES:
        return None
    network = wide.rule_range(address)
    if network is None or not _inside_parent(network, rules.parent_cidrs):
        return None
    if any(i.covers_range(network) for i in rules.sanctioned_interfaces):
        return network
    return None


def names_declared_endpoint(view_type: str, token: str, rules: Rules) -> bool:
    """True when ``token``, a parent range or address found in a resource of ``view_type``, is a declared interface's
    endpoint on a security rule or route: those are judged by their paths (``no-parent-company-ingress`` /
    ``-egress``, ``network-reachability``), so naming the endpoint there is not a finding by itself."""
    if not rules.sanctioned_interfaces or view_type not in ENDPOINT_RULE_TYPES | ENDPOINT_HOP_TYPES:
        return False
    network = parse_cidr(token)
    return network is not None and any(i.covers_range(network) for i in rules.sanctioned_interfaces)


def declared_address(value: Network, rules: Rules) -> bool:
    """True when a firewall address list's range is a declared endpoint (the gateway's policy, or a hop)."""
    return any(i.covers_range(value) for i in rules.sanctioned_interfaces)


def _fix(proof: InterfaceProof, network: Network) -> str:
    ways = []
    for interface in proof.declaring(network):
        state = next(s for s in proof.states if s.interface is interface)
        gateway = f"gateway '{state.gateway.name}'" if state.gateway is not None else interface.gateway.describe()
        ways.append(f"route the subnet's traffic for {network} through {gateway} of interface '{interface.name}'")
    return "fix: " + "; or ".join(ways) + "; or remove the rule (an interface's only paths cross its gateway)"


def judge_endpoint_rules(resources: list[ResourceView], view: Iterable[ResourceView], rules: Rules,
                         direction: str) -> Iterator[Finding]:
    """One finding per security list or NSG rule naming a declared endpoint on a path no interface sanctions."""
    proof = proof_for(view, rules)
    if proof is None:
        return
    governance = wide.Governance(proof.graph)
    by_urn = {r.urn: r for r in resources}
    verb = _VERB[direction]
    for resource in resources:
        if resource.type not in ENDPOINT_RULE_TYPES:
            continue
        leads: list[str] = []
        fixes: list[str] = []
        paths: list[tuple[Path | None, str]] = []
        for address in nr.addresses(resource.type, resource.props):
            if address.direction not in (direction, nr.EITHER):
                continue
            network = declared_endpoint(resource.type, address, rules)
            if network is None:
                continue
            label = f"{resource.name}.{address.path} ({wide.rule_ports(resource, address)})"
            source = endpoint_source(network, rules.parent_cidrs)
            found: list[tuple[Path | None, str]] = []
            subnets = governance.subnets(resource.urn)
            if not subnets:
                unplaced = wide.unplaced(resource, by_urn, proof.graph)
                if unplaced is not None:
                    found.append((None, unplaced[0]))
            for subnet in subnets:
                walks = proof.walks(subnet, source, direction, admitted_by=label)
                protected = subnet.tier == tiers.DATA or (subnet.tier == tiers.MANAGEMENT and direction == nr.INGRESS)
                if protected:
                    # Its paths are network-reachability's to report, once per subnet, saying why no interface
                    # sanctions them; a rule naming the parent there with no path yet is this policy's.
                    if not walks:
                        found.append((None, f"it governs {subnet.tier}-tier subnet '{subnet.name}', and a sanctioned "
                                            f"interface never reaches the {subnet.tier} tier"))
                    continue
                for walk in walks:
                    verdict = proof.verdict(walk)
                    if verdict.sanctioned_by is None:
                        found.append((walk, verdict.reason))
            if found:
                names = ", ".join(f"'{i.name}'" for i in proof.declaring(network))
                leads.append(f"{verb} {network} ({resource.name}.{address.path}), a parent-company endpoint of "
                             f"sanctioned interface {names}")
                paths += found
                fixes.append(_fix(proof, network))
        if not leads:
            continue
        definite = [p for p, _ in paths if p is None or not p.unresolved]
        pieces = list(dict.fromkeys(piece for p, _ in paths if p is not None for piece in p.unresolved))
        lines = []
        for path, why in paths:
            if path is None:
                lines.append(f"  - {why}")
            else:
                lines.append(f"  - {path.message(with_unresolved=bool(definite))}"
                             + (f"; not sanctioned: {why}" if why else ""))
        message = "\n".join([f"{'; '.join(leads)}, on paths no sanctioned interface accepts:", *lines,
                             *dict.fromkeys(fixes)])
        yield Finding(message, resource.urn, unverifiable=not definite,
                      path=None if definite else ", ".join(pieces) or None,
                      why=None if definite else unverified(pieces) or None)


__all__ = ["ENDPOINT_HOP_TYPES", "ENDPOINT_RULE_TYPES", "declared_address", "declared_endpoint",
           "judge_endpoint_rules", "proof_for"]
