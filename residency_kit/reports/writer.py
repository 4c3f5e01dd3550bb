"""``--report-dir``: write every report for one preview or audit into a directory.

Files: ``residency.sarif`` (SARIF 2.1.0), ``residency-junit.xml``, ``summary.md`` (PR comment),
``evidence.html`` and ``assessment-results.json`` (OSCAL 1.1.3 assessment results). Commands call
``add_report_arguments(parser)`` and, after a run, ``write_reports(args.report_dir, result, ...)``.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from residency_kit.engine.results import FailedPreview, PreviewResult, ProjectPreview
from residency_kit.engine.stack import EngineStack, EngineStackBuilder
from residency_kit.reports.html import to_html
from residency_kit.reports.junit import to_junit
from residency_kit.reports.markdown import to_markdown
from residency_kit.reports.model import Report, ReportKind, build_report
from residency_kit.reports.oscal import to_oscal
from residency_kit.reports.provenance import Provenance, file_digest, program_commit
from residency_kit.reports.sarif import to_sarif

SARIF_FILE = "residency.sarif"
JUNIT_FILE = "residency-junit.xml"
MARKDOWN_FILE = "summary.md"
HTML_FILE = "evidence.html"
OSCAL_FILE = "assessment-results.json"


def add_report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--report-dir",
        metavar="DIR",
        help="also write SARIF, JUnit XML, a Markdown summary, an HTML evidence report and OSCAL assessment results "
        "into DIR",
    )


def tool_version() -> str:
    try:
        return metadata.version("residency-kit")
    except metadata.PackageNotFoundError:
        return ""


def network_diagram(engine_stack: EngineStack, parents: list[str], rules: Any = None) -> tuple[str | None, str]:
    """The stack's network diagram as inline SVG (``network_diagram.render``, with the parent ranges of the
    rules in force), or ``None`` and a note saying why there is none."""
    from residency_kit.reports.network_diagram import render

    try:
        svg = render(engine_stack.resources, parents, "svg", rules)
    except Exception as err:  # noqa: BLE001 - a missing `dot` or a broken graph must not lose the evidence
        if type(err).__name__ == "ExecutableNotFound":
            return None, "The network diagram needs Graphviz's `dot` (apt-get install graphviz), which is not installed."
        return None, f"The network diagram could not be rendered: {type(err).__name__}: {err}"
    if isinstance(svg, bytes):
        svg = svg.decode("utf-8", errors="replace")
    if not isinstance(svg, str) or "<svg" not in svg:
        return None, "The network diagram could not be rendered: the diagram module returned no SVG."
    # Drop the XML prolog and DOCTYPE so the SVG embeds as inline markup.
    note = "Network graph: data-tier subnets highlighted; any violating path in red"
    if rules is not None and (rules.values or {}).get("sanctionedInterfaces"):
        note += "; each sanctioned interface's gateway labelled and its paths in blue"
    return svg[svg.index("<svg"):], note + "."


def provenance_of(result: PreviewResult, *, kind: ReportKind, source: str | Path | None) -> Provenance:
    """What produced the reports: the kit's version, each residency pack's rules digest and content hash, and the
    program's commit (a preview: ``git rev-parse HEAD`` in the project directory) or the state file's digest."""
    from residency_kit.reports.pack_hash import pack_content_hash

    digests = tuple((info.name, r.digest) for info, r in zip(result.packs, result.pack_rules, strict=False)
                    if r is not None)
    dirs: list[Path | None] = [*result.pack_dirs, *([None] * len(result.packs))]
    hashes = tuple(
        (info.name, pack_content_hash(d) if d is not None and Path(d).is_dir() else "")
        for info, d in zip(result.packs, dirs, strict=False)
    )
    commit, note, state = None, "", ""
    if kind is ReportKind.AUDIT:
        note = "not recorded: an audit checks exported state, not a program"
        if source and Path(source).is_file():
            state = file_digest(source)
    elif source:
        commit, note = program_commit(source)
    else:
        note = "not recorded: no program directory"
    return Provenance(tool_version(), digests, hashes, commit, note, state)


def render_all(report: Report, artifact_uri: str, source_root: Path | None = None) -> dict[str, str]:
    sarif = to_sarif(report, artifact_uri=artifact_uri, tool_version=tool_version(), source_root=source_root)
    return {
        SARIF_FILE: json.dumps(sarif, indent=2) + "\n",
        JUNIT_FILE: to_junit(report),
        MARKDOWN_FILE: to_markdown(report),
        HTML_FILE: to_html(report),
        OSCAL_FILE: json.dumps(to_oscal(report, tool_version=tool_version()), indent=2) + "\n",
    }


def write_report_files(
    report_dir: str | Path, report: Report, *, artifact_uri: str, source_root: Path | None = None
) -> dict[str, Path]:
    out = Path(report_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, text in render_all(report, artifact_uri, source_root).items():
        path = out / name
        path.write_text(text, encoding="utf-8")
        written[name] = path
    return written


def _artifact_uri(path: Path | None) -> str:
    if path is None:
        return "Pulumi.yaml"
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.name


def write_reports(
    report_dir: str | Path,
    result: PreviewResult,
    *,
    project: str,
    stack: str,
    kind: ReportKind = ReportKind.PREVIEW,
    source: str | Path | None = None,
    artifact: str | Path | None = None,
    outputs: Mapping[str, Mapping[str, Any]] | None = None,
    extra_warnings: Sequence[str] = (),
) -> dict[str, Path]:
    """Write all reports for ``result`` (a preview's, or an audit's ``AuditResult``) into ``report_dir``.

    ``artifact`` is the file code scanning attaches findings without a program line to (the stack config
    file or the state file); program lines are given relative to the current directory (``%SRCROOT%``).
    """
    rules = next((r for r in result.rules if r is not None), None)
    parents = rules.parent_cidrs if rules is not None else []
    svg, note = network_diagram(result.stack, parents, rules)
    report = build_report(
        result, kind=kind, project=project, stack=stack, outputs=outputs, extra_warnings=extra_warnings,
        source=str(source or ""), diagram_svg=svg, diagram_note=note,
        provenance=provenance_of(result, kind=kind, source=source),
    )
    return write_report_files(
        report_dir, report, artifact_uri=_artifact_uri(Path(artifact) if artifact else None), source_root=Path.cwd()
    )


def write_failed_preview_reports(report_dir: str | Path, failed: FailedPreview) -> dict[str, Path]:
    """The reports of a preview that failed (exit 2): verdict ``error``, with what it had learned (the resources
    registered and analyzed before the failure, or nothing)."""
    project = failed.project
    result = failed.result
    if result is None:
        engine_stack = EngineStackBuilder(project=project.name if project else "", stack=failed.stack, config={}).stack()
        result = PreviewResult(resources=engine_stack.resources, violations=[], stack=engine_stack,
                               notes=list(failed.notes), failure=failed.failure)
    artifact = None
    if project is not None:
        stack_file = project.stack_file(failed.stack) if failed.stack else None
        artifact = stack_file if stack_file is not None and stack_file.is_file() else project.project_file
    return write_reports(
        report_dir, result, project=project.name if project else "", stack=failed.stack, kind=ReportKind.PREVIEW,
        source=project.root if project else "", artifact=artifact,
    )


def write_preview_reports(report_dir: str | Path, preview: ProjectPreview) -> dict[str, Path]:
    """``write_reports`` for a ``ProjectPreview``; findings without a program line attach to the stack file."""
    project = preview.project
    stack_file = project.stack_file(preview.stack)
    return write_reports(
        report_dir,
        preview.result,
        project=project.name,
        stack=preview.stack,
        kind=ReportKind.PREVIEW,
        source=project.root,
        artifact=stack_file if stack_file.is_file() else project.project_file,
    )
