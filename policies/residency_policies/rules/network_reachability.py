"""network-reachability: no network path joins the internet or the parent company to a data-tier subnet.

A stack policy, because a path is assembled from pieces that each look harmless alone (a route to a DRG,
an attachment, a permissive NSG, a gateway). The graph and the proof live in
``residency_policies.analysis.network_graph``; this module only feeds it and words the findings.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pulumi_policy import EnforcementLevel

from residency_policies.analysis.network_graph import NETWORK_TOKENS, Path, prove
from residency_policies.analysis.network_graph.reachability import unverified
from residency_policies.analysis.interface_judgement import proof_for
from residency_policies.analysis.network_judgement import stack_graph
from residency_policies.compliance import RESIDENCY
from residency_policies.framework import Finding, ResourceView, stack_policy
from residency_policies.rules_file import Rules

TIER_TAG = "residency-tier"
HOW_TO_TAG = (
    "Untagged subnets are judged as data (fail closed). If it holds no US user data, tag its tier: a subnet that "
    "serves the internet `{\"residency-tier\": \"public\", \"residency-public-ports\": \"443\"}` (the ports it "
    "serves; 80 and 443 when that tag is absent), an internal one `{\"residency-tier\": \"app\"}` (or "
    "\"management\"): AWS `tags`, OCI `freeform_tags` or a defined tag `<namespace>.residency-tier`."
)


def subnet_finding(paths: list[Path], notes: dict[int, str] | None = None) -> Finding:
    """One violation per data subnet, listing every path found to or from it (one mistake, one violation).
    ``notes`` (by path) says why a path that crosses a sanctioned interface's gateway is still not sanctioned."""
    notes = notes or {}
    subnet = paths[0].subnet
    tier = f"{subnet.tier}-tier subnet"
    definite = [p for p in paths if not p.unresolved]
    pieces = list(dict.fromkeys(piece for p in paths for piece in p.unresolved))
    count = f"{len(paths)} network path{'s' if len(paths) != 1 else ''}"
    if subnet.tier_tagged:
        why = f"it is tagged {TIER_TAG}={subnet.tier}"
        advice = ""
    else:
        why = f"it has no {TIER_TAG} tag, so it is judged as a data tier"
        advice = "\n" + HOW_TO_TAG
    reach = "to or from" if any(p.direction == "egress" for p in paths) else "from"
    header = (f"{tier} '{subnet.name}' ({why}) has {count} {reach} the internet or the parent "
              f"company; break one hop of each (remove the route, narrow the admitting rule, or add a deny in a "
              f"network ACL or network firewall on the path):")
    lines = [f"  - {p.message(with_unresolved=bool(definite))}"
             + (f"; not sanctioned: {notes[id(p)]}" if id(p) in notes else "") for p in paths]
    return Finding(
        "\n".join([header, *lines]) + advice,
        urn=subnet.urn,
        unverifiable=not definite,
        path=None if definite else ", ".join(pieces) or None,
        why=None if definite else unverified(pieces),
    )


def check_stack(resources: Sequence[ResourceView], rules: Rules) -> Iterator[Finding]:
    if not any(r.type in NETWORK_TOKENS for r in resources):
        return
    graph = stack_graph(resources)
    by_subnet: dict[str, list[Path]] = {}
    proof = proof_for(resources, rules, graph)
    notes: dict[int, str] = {}
    for path in prove(graph, [str(c) for c in rules.parent_cidrs]):
        by_subnet.setdefault(path.subnet.urn, []).append(path)
        verdict = proof.verdict(path) if proof is not None and path.source.kind == "parent" else None
        if verdict is not None and verdict.crosses is not None:
            notes[id(path)] = verdict.reason  # a data or management tier: never sanctioned, say why
    for paths in by_subnet.values():
        yield subnet_finding(paths, notes)


POLICY = stack_policy(
    name="network-reachability",
    description="No network path (routes, gateways, peering, DRGs, firewalls and security rules together) "
    "joins the internet or the parent company's ranges to a data-tier subnet, in either direction.",
    severity="critical",
    enforcement=EnforcementLevel.MANDATORY,
    remediation="Break each path the message lists: remove the route to the gateway, DRG or peering, narrow the "
    "security list / NSG / security group rule that admits the range, or add a deny that covers the flow (an AWS "
    "network ACL deny numbered before the allow, an AWS or OCI network firewall drop rule). Tag subnets with "
    "residency-tier (data|management|public|app): AWS `tags`, OCI `freeform_tags` or a defined tag; a public tier "
    "may serve the internet on its residency-public-ports (80 and 443 by default); untagged subnets are judged as "
    "data.",
    tags=["network", "residency"],
    framework=RESIDENCY.control("NET-2"),
    check=check_stack,
    resource_types=NETWORK_TOKENS,
)
