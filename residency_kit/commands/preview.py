"""``residency preview``: what ``pulumi preview --policy-pack ...`` would say, offline.

Exit codes: 0 no mandatory violation, 1 any mandatory violation, 2 usage, configuration, program or pack error,
or a run that could not check everything (no policy ran, a remote component offline): it can never pass.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from residency_kit.commands.policy_pack_options import add_policy_pack_arguments
from residency_kit.reports.writer import add_report_arguments

EXIT_OK, EXIT_MANDATORY, EXIT_ERROR = 0, 1, 2


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "preview",
        help="preview a Pulumi Python program offline and check it with policy packs",
        description=(
            "Run a Pulumi Python program on the SDK's mock runtime as a preview and drive each policy pack "
            "over the analyzer protocol the way the engine does. Exit 0: no mandatory violation; 1: mandatory "
            "violations; 2: usage, configuration, program or pack error."
        ),
    )
    parser.add_argument("--cwd", default=".", help="the project directory holding Pulumi.yaml (default: .)")
    parser.add_argument("--stack", help="stack name: loads Pulumi.<stack>.yaml from the stack config directory")
    add_policy_pack_arguments(parser)
    parser.add_argument(
        "--config", action="append", default=[], metavar="KEY=VALUE",
        help="override one stack config key (repeatable)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the preview display")
    parser.add_argument(
        "--engine", choices=("embedded", "pulumi"), default="embedded",
        help="embedded (default): the SDK's mock runtime, no Pulumi CLI needed; pulumi: an installed Pulumi CLI "
             "runs the preview with stand-in providers, a throwaway local backend and no credentials",
    )
    parser.add_argument("--pulumi", metavar="PATH", help="the Pulumi CLI for --engine pulumi (default: "
                        "$RESIDENCY_PULUMI, .oracle/bin/pulumi from `make oracle`, then pulumi on PATH)")
    add_report_arguments(parser)
    return parser


def _error(message: str) -> int:
    first, *rest = message.splitlines() or [""]
    print(f"error: {first}", file=sys.stderr)
    for line in rest:
        print(line, file=sys.stderr)
    return EXIT_ERROR


def _failed(args: argparse.Namespace, err: BaseException, error: dict[str, Any]) -> int:
    """A run that failed: the error on stderr (after any notes), and with ``--json`` / ``--report-dir`` the
    error and what the run had learned, marked as an error (never a verdict)."""
    from residency_kit.engine.display import error_json
    from residency_kit.engine.project_preview import failed_run_of

    failed = failed_run_of(err)
    notes = failed.notes if failed is not None else []
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    if error.get("output", "").strip():
        print(error["output"].rstrip(), file=sys.stderr)
    if error.get("traceback", "").strip():
        print(error["traceback"].rstrip(), file=sys.stderr)
    for line in error.get("details", []):
        print(f"error: {line}", file=sys.stderr)
    _error(error["message"])
    if args.json:
        document = error_json(
            error, failed.result if failed is not None else None,
            project=failed.project.name if failed is not None and failed.project is not None else None,
            stack=(failed.stack or None) if failed is not None else args.stack, notes=notes,
        )
        json.dump(document, sys.stdout, indent=2)
        sys.stdout.write("\n")
    if args.report_dir:
        from residency_kit.reports.writer import write_failed_preview_reports

        try:
            write_failed_preview_reports(args.report_dir, failed, error["message"])
        except Exception as report_err:  # noqa: BLE001 - the run's own error is the one to report
            print(f"error: --report-dir: could not write the reports: {type(report_err).__name__}: {report_err}",
                  file=sys.stderr)
    return EXIT_ERROR


def run(args: argparse.Namespace) -> int:
    from residency_kit.engine.display import render, text_console, to_json
    from residency_kit.engine.packs import PolicyPackConfigError, PolicyPackError
    from residency_kit.engine.project import ProjectError, parse_config_override
    from residency_kit.engine.project_preview import PreviewError, ProgramError, run_project_preview
    from residency_kit.engine.stack import EngineStackError

    if args.engine == "pulumi":
        from residency_kit.pulumi_cli.preview_command import run_preview

        if args.report_dir:
            return _error("--report-dir needs the embedded engine (drop --engine pulumi)")
        try:
            overrides = dict(parse_config_override(item) for item in args.config)
        except ProjectError as err:
            return _error(str(err))
        return run_preview(cwd=args.cwd, stack=args.stack, policy_packs=args.policy_pack,
                           policy_pack_configs=args.policy_pack_config, config=overrides, as_json=args.json,
                           pulumi=args.pulumi)

    try:
        overrides = dict(parse_config_override(item) for item in args.config)
        preview = run_project_preview(
            args.cwd,
            stack=args.stack,
            policy_packs=args.policy_pack or None,
            policy_pack_configs=args.policy_pack_config,
            config_overrides=overrides,
        )
    except ProgramError as err:
        kind = "configuration" if err.configuration else "program"
        return _failed(args, err, {"kind": kind, "message": str(err), "details": [], "traceback": err.traceback,
                                   "output": err.output})
    except PolicyPackConfigError as err:
        return _failed(args, err, {"kind": "policy-config", "message": "validating policy config",
                                   "details": list(err.errors), "traceback": "", "output": ""})
    except (PreviewError, PolicyPackError, EngineStackError, ProjectError) as err:
        kind = "policy-pack" if isinstance(err, PolicyPackError) else "preview"
        return _failed(args, err, {"kind": kind, "message": str(err), "details": [], "traceback": "", "output": ""})

    result = preview.result
    if args.json:
        document = to_json(result, project=preview.project.name, stack=preview.stack)
        json.dump(document, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        render(result, stack=preview.stack, console=text_console(), cwd=Path.cwd())
    if args.report_dir:
        from residency_kit.reports.writer import write_preview_reports

        write_preview_reports(args.report_dir, preview)
    if result.mandatory:
        return EXIT_MANDATORY
    if not result.checked:
        if args.json:
            for reason in result.not_checked:
                print(f"error: not checked: {reason}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK
