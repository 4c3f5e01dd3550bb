"""``residency preview``: what ``pulumi preview --policy-pack ...`` would say, offline.

Exit codes: 0 no mandatory violation, 1 any mandatory violation, 2 usage, configuration, program or pack error,
or a run that could not check everything (no policy ran, a remote component offline): it can never pass.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from residency_kit.commands.policy_pack_options import add_policy_pack_arguments
from residency_kit.engine.results import FailedPreview
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


def _failed(args: argparse.Namespace, failed: FailedPreview) -> int:
    """A run that failed: the error on stderr (after any notes), and with ``--json`` / ``--report-dir`` the
    error and what the run had learned, marked as an error (never a verdict)."""
    from residency_kit.engine.display import error_json

    failure = failed.failure
    for note in failed.notes:
        print(f"note: {note}", file=sys.stderr)
    if failure.output.strip():
        print(failure.output.rstrip(), file=sys.stderr)
    if failure.traceback.strip():
        print(failure.traceback.rstrip(), file=sys.stderr)
    for line in failure.details:
        print(f"error: {line}", file=sys.stderr)
    _error(failure.message)
    if args.json:
        json.dump(error_json(failed), sys.stdout, indent=2)
        sys.stdout.write("\n")
    if args.report_dir:
        from residency_kit.reports.writer import write_failed_preview_reports

        try:
            write_failed_preview_reports(args.report_dir, failed)
        except Exception as report_err:  # noqa: BLE001 - the run's own error is the one to report
            print(f"error: --report-dir: could not write the reports: {type(report_err).__name__}: {report_err}",
                  file=sys.stderr)
    return EXIT_ERROR


def run(args: argparse.Namespace) -> int:
    from residency_kit.engine.display import render, text_console, to_json
    from residency_kit.engine.project import ProjectError, parse_config_override
    from residency_kit.engine.project_preview import run_failure, run_project_preview

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
    except ProjectError as err:
        return _failed(args, FailedPreview(run_failure(err), stack=args.stack or ""))
    outcome = run_project_preview(
        args.cwd,
        stack=args.stack,
        policy_packs=args.policy_pack or None,
        policy_pack_configs=args.policy_pack_config,
        config_overrides=overrides,
    )
    if isinstance(outcome, FailedPreview):
        return _failed(args, outcome)

    result = outcome.result
    if args.json:
        document = to_json(result, project=outcome.project.name, stack=outcome.stack)
        json.dump(document, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        render(result, stack=outcome.stack, console=text_console(), cwd=Path.cwd())
    if args.report_dir:
        from residency_kit.reports.writer import write_preview_reports

        write_preview_reports(args.report_dir, outcome)
    if result.mandatory:
        return EXIT_MANDATORY
    if not result.checked:
        if args.json:
            for reason in result.not_checked:
                print(f"error: not checked: {reason}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK
