"""``residency diagram``: draw a stack's network graph (the one network-reachability proves over).

Tiers, gateways, firewalls and peerings as nodes; data-tier subnets and every path the proof finds
highlighted. The graph is built with networkx; DOT text comes from the ``graphviz`` package (no binary
needed), SVG from Graphviz's ``dot``, Mermaid text from the same networkx graph.

Exit codes: 0 drawn (with or without violating paths), 2 usage, configuration or program error.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_ERROR = 0, 2
NETWORK_GRAPH_MODULE = "residency_policies.analysis.network_graph"

_TIER_COLOURS = {"data": "#f8d7da", "app": "#d1e7dd", "management": "#cfe2ff"}
_GATEWAY_SHAPES = {"internet-gateway": "doubleoctagon", "nat-gateway": "octagon", "drg": "hexagon",
                   "network-firewall": "box3d", "local-peering-gateway": "cds", "service-gateway": "component"}  # fmt: skip


def load_network_graph_module():
    """The pack's pure network-graph model, from the pack's package installed with the kit."""
    return importlib.import_module(NETWORK_GRAPH_MODULE)


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "diagram",
        help="draw the stack's network graph with data tier and violating paths highlighted",
        description="Run the Pulumi program offline (as a preview), build the network graph that the "
        "network-reachability policy proves over, and render it as SVG, DOT or Mermaid.",
    )
    parser.add_argument("--cwd", default=".", help="the project directory holding Pulumi.yaml (default: .)")
    parser.add_argument("--stack", help="stack name: loads Pulumi.<stack>.yaml from the stack config directory")
    parser.add_argument("--format", choices=("svg", "dot", "mermaid"), default="svg")
    parser.add_argument("--output", metavar="FILE", help="write here instead of standard output")
    return parser


def parent_cidrs(config: dict[str, str], pack_dir: Path | None = None) -> list[str]:
    """The parent company's ranges: the stack's ``residency:parentCompany``, else the rules of the pack
    (``pack_dir``, by default the residency pack shipped with the kit)."""
    raw = config.get("residency:parentCompany")
    if raw:
        value = json.loads(raw) if isinstance(raw, str) else raw
        return [str(c) for c in value.get("cidrs", [])]
    from residency.engine.pack_rules import parent_company_cidrs
    from residency.engine.shipped_pack import shipped_pack_dir

    return parent_company_cidrs(pack_dir or shipped_pack_dir())


def capture_resources(cwd: str, stack: str | None) -> tuple[list[Any], dict[str, str]]:
    """Run the program (as ``residency preview`` runs it) and return its engine resources and stack config."""
    from residency.engine.project import load_project, load_stack_config, resolve_stack
    from residency.engine.project_preview import run_program

    project = load_project(cwd)
    stack_name = resolve_stack(project, stack)
    config, secret_keys = load_stack_config(project, stack_name, None)
    outcome = run_program(project, stack_name, config, secret_keys)
    return outcome.stack.resources, dict(config)


def graph_from_resources(resources, parents: list[str]):
    """(network graph, paths) from engine resources (inputs stand in for outputs, as at preview)."""
    ng = load_network_graph_module()
    items = [
        ng.NetResource(r.type, r.urn, r.name, r.inputs, {k: tuple(v) for k, v in r.property_dependencies.items()})
        for r in resources
        if not r.type.startswith("pulumi:")
    ]
    graph = ng.build_graph(items)
    return graph, ng.prove(graph, parents)


def to_networkx(graph, paths):
    import networkx as nx

    g = nx.DiGraph()
    for net in graph.networks.values():
        g.add_node(net.urn, label=f"{net.name}\n{', '.join(map(str, net.cidrs)) or '?'}", kind="network")
    for s in graph.subnets.values():
        label = f"{s.name}\n{', '.join(map(str, s.cidrs)) or '?'}\ntier: {s.tier}"
        g.add_node(s.urn, label=label, kind="subnet", tier=s.tier, network=s.network)
    for gw in graph.gateways.values():
        g.add_node(gw.urn, label=f"{gw.name}\n({gw.kind})", kind=gw.kind, network=gw.network)
        for peer in gw.peers:
            g.add_edge(gw.urn, peer, label="peering", kind="peering")
    for att in graph.drg_attachments.values():
        if att.network:
            g.add_edge(att.network, att.drg, label=f"attachment {att.name}", kind="attachment")
    for s in graph.subnets.values():
        if s.network:
            g.add_edge(s.network, s.urn, kind="contains")
        table = graph.route_tables.get(s.route_table or "")
        for route in table.routes if table else ():
            for target in route.targets:
                g.add_node(target, label=graph.name_of(target), kind=graph.gateways[target].kind if target in graph.gateways else "external")
                g.add_edge(s.urn, target, label=f"{table.name}: {route.dest_text}", kind="route")
    for path in paths:
        keys = [k for k in path.nodes if k in g or k in ("source", "internet", "outside")]
        source_node = path.source.key
        g.add_node(source_node, label=path.source.label, kind="source")
        keys = [source_node if k == "source" else k for k in keys if k not in ("internet", "outside")]
        for a, b in zip(keys, keys[1:]):
            if a == b:
                continue
            if not g.has_edge(a, b):
                g.add_edge(a, b, kind="path")
            g.edges[a, b]["violating"] = True
            g.nodes[a]["violating"] = g.nodes[b]["violating"] = True
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
        if data.get("violating"):
            attrs.update(color="red", penwidth="3")
        dot.node(_id(node), **attrs)
    for a, b, data in g.edges(data=True):
        attrs = {"label": data.get("label", "")}
        if data.get("kind") == "contains":
            attrs["style"] = "dotted"
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
    red = []
    for i, (a, b, data) in enumerate(g.edges(data=True)):
        label = data.get("label", "").replace('"', "'")
        arrow = "-.->" if data.get("kind") == "contains" else "-->"
        lines.append(f"    {_id(a)} {arrow}{'|' + label + '|' if label else ''} {_id(b)}")
        if data.get("violating"):
            red.append(str(i))
    lines.append("    classDef data fill:#f8d7da,stroke:#842029,stroke-width:2px")
    lines.append("    classDef violating stroke:#ff0000,stroke-width:3px")
    if red:
        lines.append(f"    linkStyle {','.join(red)} stroke:#ff0000,stroke-width:3px")
    return "\n".join(lines) + "\n"


def _id(key: str) -> str:
    import hashlib

    return "n" + hashlib.sha1(key.encode()).hexdigest()[:10]


def render(resources, parents: list[str], fmt: str) -> str | bytes:
    graph, paths = graph_from_resources(resources, parents)
    g = to_networkx(graph, paths)
    if fmt == "mermaid":
        return to_mermaid(g)
    source = to_dot(g)
    if fmt == "dot":
        return source
    import graphviz

    return graphviz.Source(source).pipe(format="svg")


def run(args: argparse.Namespace) -> int:
    from residency.engine.project import ProjectError
    from residency.engine.project_preview import PreviewError

    try:
        resources, config = capture_resources(args.cwd, args.stack)
        out = render(resources, parent_cidrs(config), args.format)
    except (PreviewError, ProjectError) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as err:  # graphviz.ExecutableNotFound and friends
        if type(err).__name__ == "ExecutableNotFound":
            print("error: SVG needs Graphviz's `dot` (apt-get install graphviz); use --format dot or mermaid", file=sys.stderr)
            return EXIT_ERROR
        raise
    data = out.encode() if isinstance(out, str) else out
    if args.output:
        Path(args.output).write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
    return EXIT_OK
