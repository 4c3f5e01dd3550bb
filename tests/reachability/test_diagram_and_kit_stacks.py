"""The kit's own stacks prove clean, and `residency diagram` renders both of them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from residency_kit.commands import diagram
from residency_kit.reports import network_diagram

ROOT = Path(__file__).resolve().parents[2]
STACKS = ["dev", "us-prod"]


@pytest.fixture(scope="module", params=STACKS)
def kit_stack(request):
    resources, config, stack = diagram.capture_resources(str(ROOT), request.param)
    return stack, resources, config


def test_kit_stack_has_no_path_to_its_data_tier(kit_stack):
    stack, resources, config = kit_stack
    parents = diagram.rules_for(config, stack).parent_cidrs
    # The stack's own parent ranges (its `residency:parentCompany`) are the ones the proof runs over.
    assert parents == ["203.0.113.0/24", "2001:db8:bad::/48"]
    graph, paths = network_diagram.graph_from_resources(resources, parents)
    assert graph.data_subnets(), "the kit's stacks have a data-tier subnet"
    assert [p.message() for p in paths] == []


def test_dot_and_mermaid_render(kit_stack):
    stack, resources, config = kit_stack
    parents = diagram.rules_for(config, stack).parent_cidrs
    dot = network_diagram.render(resources, parents, "dot")
    mermaid = network_diagram.render(resources, parents, "mermaid")
    assert dot.startswith("digraph network {") and "tier: data" in dot
    assert mermaid.startswith("flowchart LR") and "class " in mermaid and "data" in mermaid


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's `dot` binary is not installed (apt-get install graphviz)")
def test_svg_renders(kit_stack):
    stack, resources, config = kit_stack
    svg = network_diagram.render(resources, diagram.rules_for(config, stack).parent_cidrs, "svg")
    assert b"<svg" in svg and b"tier: data" in svg


def test_violating_path_is_highlighted():
    import fixtures_oci as f

    from residency_kit.engine.api import preview_function

    result = preview_function(f.igw_open_security_list, pack=None, config=f.CONFIG)
    mermaid = network_diagram.render(result.resources, ["203.0.113.0/24"], "mermaid")
    dot = network_diagram.render(result.resources, ["203.0.113.0/24"], "dot")
    assert "linkStyle" in mermaid and "class " in mermaid and "violating" in mermaid
    assert "color=red" in dot and "parent-company range 203.0.113.0/24" in dot
