"""Read AWS networking resources (pulumi_aws wire names) into the network graph."""

from __future__ import annotations

from residency_policies.analysis.network_graph import model as m
from residency_policies.analysis.network_graph.references import References

TOKENS: frozenset[str] = frozenset()


def build(resources: list[m.NetResource], refs: References, graph: m.NetworkGraph) -> None:
    return None
