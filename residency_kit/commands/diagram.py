"""``residency diagram``: run the program offline and draw its network graph (``reports/network_diagram.py``)
with the parent ranges of the residency pack's rules.

Exit codes: 0 drawn (with or without violating paths), 2 usage, configuration or program error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from residency_kit.reports.network_diagram import render

if TYPE_CHECKING:
    from residency_kit.engine.stack import EngineResource

EXIT_OK, EXIT_ERROR = 0, 2


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


def rules_for(config: dict[str, str], stack: str, pack_dir: Path | None = None):
    """The rules in force as the pack builds them (its rules file, then the stack's ``residency:`` config), so
    that the diagram proves over the same parent ranges and interfaces as the pack; None without the pack."""
    from residency_kit.engine.pack_rules import rules_in_force
    from residency_kit.engine.shipped_pack import shipped_pack_dir

    pack = pack_dir or shipped_pack_dir()
    return rules_in_force("residency", pack, {}, stack_config=config, stack=stack) if pack else None


def capture_resources(cwd: str, stack: str | None) -> tuple[list[EngineResource], dict[str, str], str]:
    """Run the program (as ``residency preview`` runs it): its engine resources, stack config and stack name."""
    from residency_kit.engine.project import load_project, load_stack_config, resolve_stack
    from residency_kit.engine.project_preview import run_program

    project = load_project(cwd)
    stack_name = resolve_stack(project, stack)
    config, secret_keys = load_stack_config(project, stack_name, None)
    outcome = run_program(project, stack_name, config, secret_keys)
    return outcome.stack.resources, dict(config), stack_name


def run(args: argparse.Namespace) -> int:
    from residency_kit.engine.project import ProjectError
    from residency_kit.engine.project_preview import PreviewError
    from residency_kit.engine.stack import EngineStackError

    try:
        resources, config, stack_name = capture_resources(args.cwd, args.stack)
        rules = rules_for(config, stack_name)
        out = render(resources, rules.parent_cidrs if rules is not None else [], args.format, rules)
    except (PreviewError, ProjectError, EngineStackError) as err:
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
