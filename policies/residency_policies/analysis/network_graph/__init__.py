"""A network graph of a stack's OCI and AWS networking, and the proof that no path joins the internet or
the parent company to a data-tier subnet.

Pure: takes plain resources (type, URN, name, outputs with unknown sentinels, property dependencies) and
depends on neither pulumi_policy nor a graph library, so the policy pack and ``residency diagram`` share it.
"""

from __future__ import annotations

from collections.abc import Iterable

from residency_policies.analysis.network_graph import aws, oci, zpr
from residency_policies.analysis.network_graph.model import NetResource, NetworkGraph
from residency_policies.analysis.network_graph.reachability import Path, Source, prove, sources_for
from residency_policies.analysis.network_graph.references import References

NETWORK_TOKENS = oci.TOKENS | aws.TOKENS


def build_graph(resources: Iterable[NetResource]) -> NetworkGraph:
    items = [r for r in resources]
    refs = References(items)
    graph = NetworkGraph()
    oci.build(items, refs, graph)
    aws.build(items, refs, graph)
    graph.zpr = zpr.build(items, refs)
    return graph


__all__ = ["NETWORK_TOKENS", "NetResource", "NetworkGraph", "Path", "Source", "build_graph", "prove", "sources_for"]
