"""``residency audit --state FILE``: the policy packs over deployed state, as a detective control.

Same output, exit codes and reports as ``residency preview``: 0 no mandatory violation, 1 any mandatory
violation, 2 usage, state-file or pack error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from residency_kit.audit.analyze import AuditResult
from residency_kit.commands.policy_pack_options import add_policy_pack_arguments
from residency_kit.reports.writer import add_report_arguments

EXIT_OK, EXIT_MANDATORY, EXIT_ERROR = 0, 1, 2


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "audit",
        help="check exported stack state (pulumi stack export) with policy packs",
        description=(
            "Run the policy packs over a `pulumi stack export` file (deployment version 3): Analyze sees each "
            "resource's inputs, AnalyzeStack every resource's outputs, as the engine does. Run `pulumi refresh` "
            "before exporting so changes made outside Pulumi are in the state. Exit 0: no mandatory violation; "
            "1: mandatory violations; 2: usage, state-file or pack error."
        ),
    )
    parser.add_argument("--state", required=True, metavar="FILE", help="the `pulumi stack export` JSON file")
    parser.add_argument("--cwd", metavar="DIR",
                        help="the project directory (Pulumi.yaml): its stack config gives the packs the team's "
                        "residency rules, as the engine does (default: the current directory when it holds Pulumi.yaml)")
    parser.add_argument("--stack", metavar="NAME", help="the stack whose config to read (default: the state's stack)")
    add_policy_pack_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the audit display")
    add_report_arguments(parser)
    return parser


def _error(message: str) -> int:
    for line in message.splitlines() or [""]:
        print(f"error: {line}" if not line.startswith("    ") else line, file=sys.stderr)
    return EXIT_ERROR


def render_audit(result: AuditResult, *, state: str, console: Console) -> None:
    from residency_kit.engine.display import render_pack_results

    export = result.export
    console.print(f"Auditing state of stack [bold]{escape(export.stack)}[/bold] ({escape(state)})")
    if export.time:
        console.print(f"State saved {escape(export.time)}")
    console.print()
    for warning in export.warnings:
        console.print(f"[yellow]warning:[/yellow] {escape(warning)}", highlight=False)
    console.print("[bold]Policies:[/bold]")
    if result.packs:
        render_pack_results(console, result, cwd=Path.cwd())
    from residency_kit.engine.pack_rules import waiver_of
    from residency_kit.engine.result_summary import result_violation_summary

    mandatory = len(result.mandatory)
    console.print("\n[bold]Resources:[/bold]")
    console.print(f"    {len(result.resources)} in state")
    summary = result_violation_summary(result, sum(1 for v in result.violations if waiver_of(result, v) is not None))
    console.print(f"\n[bold]Policy violations:[/bold] {escape(summary)}", highlight=False)
    for reason in result.not_checked:
        console.print(f"[red]error:[/red] not checked: {escape(reason)}", highlight=False)
    if mandatory:
        console.print("[red]error:[/red] audit failed: mandatory policy violations")


def run(args: argparse.Namespace) -> int:
    from residency_kit.audit.export import StateFileError
    from residency_kit.audit.run import AuditError, run_audit
    from residency_kit.engine.display import to_json
    from residency_kit.engine.packs import PolicyPackConfigError, PolicyPackError

    try:
        project_dir = Path(args.cwd) if args.cwd else (Path(".") if Path("Pulumi.yaml").is_file() else None)
        result = run_audit(args.state, policy_packs=args.policy_pack or None, policy_pack_configs=args.policy_pack_config,
                           project_dir=project_dir, stack=args.stack)
    except PolicyPackConfigError as err:
        for line in err.errors:
            print(f"error: {line}", file=sys.stderr)
        return _error("validating policy config")
    except (StateFileError, AuditError, PolicyPackError) as err:
        return _error(str(err))

    export = result.export
    if args.json:
        document = to_json(result, project=export.project, stack=export.stack)
        document["state"] = str(args.state)
        document["warnings"] = list(document.get("warnings", [])) + export.warnings
        json.dump(document, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        from residency_kit.engine.display import text_console

        render_audit(result, state=str(args.state), console=text_console())
    if args.report_dir:
        from residency_kit.reports.model import ReportKind
        from residency_kit.reports.writer import write_reports

        write_reports(
            args.report_dir, result, project=export.project, stack=export.stack, kind=ReportKind.AUDIT, source=args.state,
            artifact=args.state, outputs=result.outputs, extra_warnings=export.warnings,
        )
    if result.mandatory:
        return EXIT_MANDATORY
    return EXIT_OK if result.checked else EXIT_ERROR
