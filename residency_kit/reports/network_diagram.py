"""The stack's network graph drawn: the graph network-reachability proves over, with tiers, gateways,
firewalls and peerings as nodes, and data-tier subnets and every path the proof finds highlighted.

The graph and the proof are the pack's own (``residency_policies.analysis.network_graph``, installed with the
kit); networkx holds the drawing, the ``graphviz`` package writes DOT (no binary needed) and Graphviz's ``dot``
turns it into SVG; Mermaid text comes from the same networkx graph. Used by ``residency diagram`` and the
HTML evidence report. Each sanctioned interface the rules declare is drawn too: its gateway labelled, the paths
through it in blue.
"""

from __future__ import annotations

from itertools import pairwise

from residency_policies.analysis import network_graph as ng

_TIER_COLOURS = {"data": "#f8d7da", "app": "#d1e7dd", "management": "#cfe2ff", "public": "#fff3cd"}
_GATEWAY_SHAPES = {"internet-gateway": "doubleoctagon", "nat-gateway": "octagon", "drg": "hexagon",
                   "network-firewall": "box3d", "local-peering-gateway": "cds", "service-gateway": "component"}  # fmt: skip



def graph_from_resources(resources, parents: list[str]):
    """(network graph, paths) from engine resources (inputs stand in for outputs, as at preview)."""
    items = [
        ng.NetResource(r.type, r.urn, r.name, r.inputs, {k: tuple(v) for k, v in r.property_dependencies.items()})
        for r in resources
        if not r.type.startswith("pulumi:")
    ]
    graph = ng.build_graph(items)
    return graph, ng.prove(graph, parents)


def to_networkx(graph, paths, sanctioned=()):
    """``sanctioned``: ``(interface name, gateway URN, paths through it)`` for each declared interface, drawn in blue
    (a violating path keeps its red)."""
    import networkx as nx

    g = nx.DiGraph()
    for net in graph.networks.values():
        g.add_node(net.urn, label=f"{net.name}\n{', '.join(map(str, net.cidrs)) or '?'}", kind="network")
    for s in graph.subnets.values():
        label = f"{s.name}\n{', '.join(map(str, s.cidrs)) or '?'}\ntier: {s.tier}"
        if s.tier == "public":
            label += f"\nports: {', '.join(str(a) if a == b else f'{a}-{b}' for a, b in s.public_ports) or 'none'}"
        g.add_node(s.urn, label=label, kind="subnet", tier=s.tier, network=s.network)
    for gw in graph.gateways.values():
        g.add_node(gw.urn, label=f"{gw.name}\n({gw.kind})", kind=gw.kind, network=gw.network)
        for peer in gw.peers:
            g.add_edge(gw.urn, peer, label="peering", kind="peering")
    for att in (*graph.drg_attachments.values(), *graph.tgw_attachments.values()):
        if att.network and att.drg in g:
            g.add_edge(att.network, att.drg, label=f"attachment {att.name}", kind="attachment")
    for s in graph.subnets.values():
        if s.network:
            g.add_edge(s.network, s.urn, kind="contains")
        table = graph.route_tables.get(s.route_table or "")
        for route in table.routes if table else ():
            for target in route.targets:
                kind = graph.gateways[target].kind if target in graph.gateways else "external"
                g.add_node(target, label=graph.name_of(target), kind=kind)
                g.add_edge(s.urn, target, label=f"{table.name}: {route.dest_text}", kind="route")
    for path in paths:
        keys = [k for k in path.nodes if k in g or k in ("source", "internet", "outside")]
        source_node = path.source.key
        g.add_node(source_node, label=path.source.label, kind="source")
        keys = [source_node if k == "source" else k for k in keys if k not in ("internet", "outside")]
        for a, b in pairwise(keys):
            if a == b:
                continue
            if not g.has_edge(a, b):
                g.add_edge(a, b, kind="path")
            g.edges[a, b]["violating"] = True
            g.nodes[a]["violating"] = g.nodes[b]["violating"] = True
    for name, gateway, through in sanctioned:
        for key in [k for k, gw in graph.gateways.items() if k == gateway or gw.firewall == gateway]:
            if key in g:
                g.nodes[key]["label"] += f"\nsanctioned interface: {name}"
                g.nodes[key]["sanctioned"] = True
        for path in through:
            keys = [k for k in path.nodes if k in g or k in ("source", "internet", "outside")]
            g.add_node(path.source.key, label=path.source.label, kind="source")
            keys = [path.source.key if k == "source" else k for k in keys if k not in ("internet", "outside")]
            for a, b in zip(keys, keys[1:], strict=False):
                if a == b:
                    continue
                if not g.has_edge(a, b):
                    g.add_edge(a, b, kind="path")
                g.edges[a, b]["sanctioned"] = True
                if not g.edges[a, b].get("label"):
                    g.edges[a, b]["label"] = f"sanctioned: {name}"
    return g


def to_dot(g) -> str:
    import graphviz

    dot = graphviz.Digraph("network", graph_attr={"rankdir": "LR", "fontname": "Helvetica"}, node_attr={"fontname": "Helvetica"})
    for node, data in g.nodes(data=True):
        attrs = {"label": data.get("label", str(node)), "style": "filled", "fillcolor": "white"}
        kind = data.get("kind")
        if kind == "subnet":
            attrs["fillcolor"] = _TIER_COLOURS.get(data.get("tier"), "#eeeeee")
            if data.get("tier") == "data":
                attrs["penwidth"] = "2"
        elif kind == "source":
            attrs.update(shape="ellipse", fillcolor="#fff3cd")
        else:
            attrs["shape"] = _GATEWAY_SHAPES.get(kind, "box")
        if data.get("sanctioned"):
            attrs.update(color="blue", penwidth="3")
        if data.get("violating"):
            attrs.update(color="red", penwidth="3")
        dot.node(_id(node), **attrs)
    for a, b, data in g.edges(data=True):
        attrs = {"label": data.get("label", "")}
        if data.get("kind") == "contains":
            attrs["style"] = "dotted"
        if data.get("sanctioned"):
            attrs.update(color="blue", penwidth="2")
        if data.get("violating"):
            attrs.update(color="red", penwidth="3")
        dot.edge(_id(a), _id(b), **attrs)
    return dot.source


def to_mermaid(g) -> str:
    lines = ["flowchart LR"]
    for node, data in g.nodes(data=True):
        label = data.get("label", str(node)).replace('"', "'").replace("\n", "<br/>")
        lines.append(f'    {_id(node)}["{label}"]')
        if data.get("kind") == "subnet" and data.get("tier") == "data":
            lines.append(f"    class {_id(node)} data")
        if data.get("violating"):
            lines.append(f"    class {_id(node)} violating")
        elif data.get("sanctioned"):
            lines.append(f"    class {_id(node)} sanctioned")
    red, blue = [], []
    for i, (a, b, data) in enumerate(g.edges(data=True)):
        label = data.get("label", "").replace('"', "'")
        arrow = "-.->" if data.get("kind") == "contains" else "-->"
        lines.append(f"    {_id(a)} {arrow}{'|' + label + '|' if label else ''} {_id(b)}")
        if data.get("violating"):
            red.append(str(i))
        elif data.get("sanctioned"):
            blue.append(str(i))
    lines.append("    classDef data fill:#f8d7da,stroke:#842029,stroke-width:2px")
    lines.append("    classDef violating stroke:#ff0000,stroke-width:3px")
    lines.append("    classDef sanctioned stroke:#0000ff,stroke-width:3px")
    if red:
        lines.append(f"    linkStyle {','.join(red)} stroke:#ff0000,stroke-width:3px")
    if blue:
        lines.append(f"    linkStyle {','.join(blue)} stroke:#0000ff,stroke-width:2px")
    return "\n".join(lines) + "\n"


def _id(key: str) -> str:
    import hashlib

    return "n" + hashlib.sha1(key.encode()).hexdigest()[:10]


def sanctioned_paths(resources, rules) -> list[tuple[str, str, list]]:
    """``(name, gateway URN, paths)`` of each interface ``rules`` (``RulesInForce``) declare, by the pack's proof."""
    from residency_kit.reports.interfaces import interface_proof

    proof, _ = interface_proof(resources, rules)
    if proof is None:
        return []
    return [(s.name, s.gateway.urn, proof.paths_through(s)) for s in proof.states if s.gateway is not None]


def render(resources, parents: list[str], fmt: str, rules=None) -> str | bytes:
    """``rules`` (the ``RulesInForce`` of the run) adds the sanctioned interfaces they declare, in blue."""
    graph, paths = graph_from_resources(resources, parents)
    g = to_networkx(graph, paths, sanctioned_paths(resources, rules) if rules is not None else ())
    if fmt == "mermaid":
        return to_mermaid(g)
    source = to_dot(g)
    if fmt == "dot":
        return source
    import graphviz

    return graphviz.Source(source).pipe(format="svg")
