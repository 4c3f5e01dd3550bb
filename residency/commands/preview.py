"""``residency preview``: what ``pulumi preview --policy-pack ...`` would say, offline.

Exit codes: 0 no mandatory violation, 1 any mandatory violation, 2 usage, configuration, program or pack error,
or a run that could not check everything (no policy ran, a remote component offline): it can never pass.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console

from residency.commands.policy_pack_options import add_policy_pack_arguments
from residency.reports.writer import add_report_arguments

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


def run(args: argparse.Namespace) -> int:
    from residency.engine.display import render, to_json
    from residency.engine.packs import PolicyPackConfigError, PolicyPackError
    from residency.engine.project import ProjectError, parse_config_override
    from residency.engine.project_preview import PreviewError, ProgramError, run_project_preview
    from residency.engine.stack import EngineStackError

    if args.engine == "pulumi":
        from residency.pulumi_cli.preview_command import run_preview

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
        if err.output.strip():
            print(err.output.rstrip(), file=sys.stderr)
        if err.traceback.strip():
            print(err.traceback.rstrip(), file=sys.stderr)
        return _error(str(err))
    except PolicyPackConfigError as err:
        for line in err.errors:
            print(f"error: {line}", file=sys.stderr)
        return _error("validating policy config")
    except (PreviewError, ProjectError, PolicyPackError, EngineStackError) as err:
        return _error(str(err))

    result = preview.result
    if args.json:
        document = to_json(result, project=preview.project.name, stack=preview.stack)
        json.dump(document, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        console = Console(soft_wrap=True, highlight=False)
        render(result, stack=preview.stack, console=console, cwd=Path.cwd())
    if args.report_dir:
        from residency.reports.writer import write_preview_reports

        write_preview_reports(args.report_dir, preview)
    if result.mandatory:
        return EXIT_MANDATORY
    if not result.checked:
        if args.json:
            for reason in result.not_checked:
                print(f"error: not checked: {reason}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK
