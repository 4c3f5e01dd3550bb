"""network-reachability: no network path joins the internet or the parent company to a data-tier subnet.

A stack policy, because a path is assembled from pieces that each look harmless alone (a route to a DRG,
an attachment, a permissive NSG, a gateway). The graph and the proof live in
``residency_policies.analysis.network_graph``; this module only feeds it and words the findings.
"""

from __future__ import annotations

from collections.abc import Iterator

from residency_policies.analysis.network_graph import NETWORK_TOKENS, NetResource, build_graph, prove
from residency_policies.framework import Finding, ResourceView, stack_policy
from residency_policies.rules_file import Rules


def check_stack(resources: list[ResourceView], rules: Rules) -> Iterator[Finding]:
    if not any(r.type in NETWORK_TOKENS for r in resources):
        return
    # Every resource goes in, not just network types: instances, databases and load balancers place
    # VNICs (and their NSGs / security groups) into subnets.
    net = [
        NetResource(r.type, r.urn, r.name, r.props, {k: tuple(v) for k, v in r.property_dependencies.items()})
        for r in resources
        if not r.type.startswith("pulumi:")
    ]
    graph = build_graph(net)
    for path in prove(graph, [str(c) for c in rules.parent_cidrs]):
        yield Finding(
            path.message(with_unresolved=False),
            urn=path.subnet.urn,
            unverifiable=bool(path.unresolved),
            path=", ".join(dict.fromkeys(path.unresolved)) or None,
        )


POLICY = stack_policy(
    name="network-reachability",
    description="No network path (routes, gateways, peering, DRGs, firewalls and security rules together) "
    "joins the internet or the parent company's ranges to a data-tier subnet, in either direction.",
    severity="critical",
    enforcement="mandatory",
    remediation="Break the path the message lists: remove the route to the gateway, DRG or peering, narrow the "
    "security list / NSG / security group rule that admits the range, or add a network firewall deny rule "
    "covering the flow. Tag subnets with residency-tier (data|app|management); untagged subnets are judged as data.",
    tags=["network", "residency"],
    framework=("US data residency", "1.0", "NET-2"),
    check=check_stack,
)
