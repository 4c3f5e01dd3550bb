"""``pulumi preview``-style output for an offline preview, and its ``--json`` form, both from one ``PreviewResult``.

The tree lists every resource to create nested by parent (default providers hidden, as the CLI hides
them); the ``Policies:`` section follows ``ProgressDisplay.printPolicies``: per pack ❌ (any mandatory),
⚠️ (advisory only) or ✅, then ``- [level] [severity: s]  policy  (type: name)  file:line`` and the message.
Then what the engine assumed instead of computing (invokes, reads), the rules in force, and the summary.
Secrets show as ``[secret]`` everywhere. The console (``text_console``) reads no emoji codes: user data such
as a type ``my:x:Comp`` prints as it is (rich would turn ``:x:`` into an emoji); markup in it is escaped.

A run that failed (exit 2) prints its error on stderr; ``--json`` then prints ``error_json``: the error and
whatever the run had learned, never a verdict (``summary.checked`` false, ``summary.verdict`` ``error``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from residency_kit.engine.invokes.ledger import InvokeRecord
from residency_kit.engine.pack_controls import policy_id_in
from residency_kit.engine.pack_rules import RulesInForce, waiver_of
from residency_kit.engine.results import FailedPreview, PackInfo, PreviewResult, Verdict, Violation
from residency_kit.reports.interfaces import interface_records
from residency_kit.engine.result_summary import (
    COUNTED,
    assumption_lines,
    resource_counts,
    result_violation_summary,
    short_list,
    warnings,
)
from residency_kit.engine.secrets import redact
from residency_kit.engine.stack import EngineResource


def text_console(**options: Any) -> Console:
    """The console every text output prints through: no emoji codes, no highlighting, no wrapping."""
    return Console(soft_wrap=True, highlight=False, emoji=False, **options)


def relative_path(path: str, cwd: Path | None) -> str:
    """``path`` relative to ``cwd`` when it lies under it, else as it is."""
    if not path or cwd is None:
        return path
    try:
        return Path(path).relative_to(cwd).as_posix()
    except ValueError:
        return path


def source_position(resource: EngineResource | None, cwd: Path | None = None) -> str:
    if resource is None or not resource.source_file:
        return ""
    return f"{relative_path(resource.source_file, cwd)}:{resource.source_line}"


def _tree_rows(result: PreviewResult) -> list[tuple[str, EngineResource]]:
    shown = [r for r in result.resources if not (r.is_default_provider and r.synthesized)]
    children: dict[str, list[EngineResource]] = {}
    for r in shown[1:]:
        children.setdefault(r.parent or shown[0].urn, []).append(r)
    rows: list[tuple[str, EngineResource]] = [("", shown[0])]

    def walk(urn: str, prefix: str) -> None:
        kids = children.get(urn, [])
        for i, child in enumerate(kids):
            last = i == len(kids) - 1
            rows.append((prefix + ("└─ " if last else "├─ "), child))
            walk(child.urn, prefix + ("   " if last else "│  "))

    walk(shown[0].urn, "")
    return rows


def violation_line(v: Violation, where: str = "", policy_id: str = "") -> str:
    severity = f" [severity: {v.severity}]" if v.severity else ""
    target = f"  ({v.resource_type}: {v.resource_name})" if v.urn else ""
    position = f"  {where}" if where else ""
    ident = f" [{policy_id}]" if policy_id else ""
    return f"- [{v.enforcement_level}]{severity}  {v.policy}{ident}{target}{position}"


def render_pack_results(
    console: Console, result: PreviewResult, *, cwd: Path | None, rules: Sequence[RulesInForce | None] = ()
) -> None:
    """The lines under ``Policies:``: each pack's mark, name, where it came from, its rules, then its violations."""
    rules = list(rules) or result.pack_rules
    for index, info in enumerate(result.packs):
        pack_dir = result.pack_dirs[index] if index < len(result.pack_dirs) else None
        pack_rules = rules[index] if index < len(rules) else None
        mine = [v for v in result.violations if v.policy_pack == info.name]
        if any(v.mandatory for v in mine):
            mark = "❌"
        elif mine:
            mark = "⚠️ "
        else:
            mark = "✅" if info.enabled_policies and result.checked else "⛔"
        location = relative_path(str(pack_dir), cwd) if pack_dir else ""
        origin = f"{result.pack_origin}: " if result.pack_origin == "shipped with the kit" else "local: "
        console.print(f"    {mark} {escape(info.name)}@v{escape(info.version)} ({escape(origin + location)})")
        console.print(f"        {len(info.enabled_policies)} of {len(info.policies)} policies enabled", highlight=False)
        if pack_rules is not None:
            console.print("        rules in force:", highlight=False)
            for label, text in pack_rules.summary():
                console.print(f"          {escape(label)}: {escape(text)}", highlight=False)
            for record in interface_records(result.resources, pack_rules):
                first, *rest = record.lines()
                console.print(f"          interface proof: {escape(first)}", highlight=False)
                for line in rest:
                    console.print(f"            {escape(line)}", highlight=False)
            if pack_rules.illustrative:
                console.print(
                    "        [yellow]warning:[/yellow] the rules in force still hold the kit's illustrative identifiers "
                    f"({escape(short_list(list(pack_rules.illustrative)))}); replace them with your estate's own",
                    highlight=False,
                )
        for v in sorted(mine, key=lambda v: (not v.mandatory, v.policy, v.urn)):
            style = "red" if v.mandatory else "yellow"
            where = source_position(result.stack.by_urn.get(v.urn), cwd)
            line = violation_line(v, where, policy_id_in(result, v.policy_pack, v.policy))
            console.print(f"        [{style}]{escape(line)}[/{style}]", highlight=False)
            for line in v.message.splitlines():
                console.print(f"          {escape(line)}", highlight=False)


def render(result: PreviewResult, *, stack: str, console: Console, cwd: Path | None = None) -> None:
    console.print(f"Previewing update ([bold]{escape(stack)}[/bold]) offline\n")
    for note in result.notes:
        console.print(f"[yellow]note:[/yellow] {escape(note)}\n", highlight=False)
    rows = _tree_rows(result)
    type_width = max(len(prefix) + len(r.type) for prefix, r in rows) + 2
    console.print(f"     {'Type':<{type_width}}Name")
    for prefix, r in rows:
        label = f"{prefix}{r.type}"
        name = r.name + ("  [protected]" if r.protect else "")
        console.print(f" [green]+[/green]   {escape(label):<{type_width}}{escape(name)}", highlight=False)

    output = result.scrubber.scrub(result.program_output.strip())
    if output:
        console.print("\n[bold]Diagnostics:[/bold]")
        console.print(f"  {escape(result.stack.root.type)} ({escape(result.stack.root.name)}):", highlight=False)
        for line in output.splitlines():
            console.print(f"    {escape(line)}", highlight=False)

    assumptions = assumption_lines(result)
    if assumptions:
        console.print("\n[bold]Assumed offline[/bold] (not computed; pin answers in residency-invokes.yaml):")
        for line in assumptions:
            console.print(f"    [yellow]-[/yellow] {escape(line)}", highlight=False)
    pinned = result.pinned_invokes
    if pinned:
        console.print("\n[bold]Pinned answers[/bold] (residency-invokes.yaml):")
        for record in pinned:
            console.print(f"    - invoke {escape(record.token)}: {escape(', '.join(record.pinned))}", highlight=False)

    console.print("\n[bold]Policies:[/bold]")
    if result.packs:
        render_pack_results(console, result, cwd=cwd)
    counts = resource_counts(result)
    mandatory = len(result.mandatory)
    console.print("\n[bold]Resources:[/bold]")
    console.print(f"    [green]+ {counts.to_create} to create[/green]")
    console.print(
        f"    {counts.analyzed} analyzed (with {counts.default_providers} default provider"
        f"{'s' if counts.default_providers != 1 else ''})",
        highlight=False,
    )
    waived = sum(1 for v in result.violations if waiver_of(result, v) is not None)
    console.print(f"\n[bold]Policy violations:[/bold] {escape(result_violation_summary(result, waived))}", highlight=False)
    if assumptions:
        console.print(f"[bold]Assumed answers:[/bold] {len(assumptions)} (listed above)", highlight=False)
    for reason in result.not_checked:
        console.print(f"[red]error:[/red] not checked: {escape(reason)}", highlight=False)
    if mandatory:
        console.print("[red]error:[/red] preview failed: mandatory policy violations")


def _pack_json(result: PreviewResult, index: int, info: PackInfo, rules: RulesInForce | None) -> dict[str, Any]:
    path = result.pack_dirs[index] if index < len(result.pack_dirs) else None
    return {
        "name": info.name, "version": info.version, "path": str(path) if path else "", "origin": result.pack_origin,
        "policies": len(info.policies), "policiesEnabled": len(info.enabled_policies),
        "rules": rules.as_json() if rules is not None else None,
        "sanctionedInterfaces": [i.as_json() for i in interface_records(result.resources, rules)],
    }


def invoke_json(record: InvokeRecord) -> dict[str, Any]:
    return record.as_json()


def to_json(result: PreviewResult, *, project: str, stack: str) -> dict[str, Any]:
    rules = result.pack_rules
    counts = resource_counts(result)
    by_urn = result.stack.by_urn
    return {
        "project": project,
        "stack": stack,
        "resources": [
            {
                "urn": r.urn, "type": r.type, "name": r.name, "parent": r.parent, "provider": r.provider,
                "protect": r.protect, "inputs": redact(r.inputs), "dependencies": list(r.dependencies),
                "propertyDependencies": dict(r.property_dependencies),
                "sourcePosition": {"file": r.source_file, "line": r.source_line} if r.source_file else None,
            }
            for r in result.resources
        ],
        "policyPacks": [_pack_json(result, i, info, rules[i]) for i, info in enumerate(result.packs)],
        "violations": [
            {
                "policyPack": v.policy_pack, "policy": v.policy, "enforcementLevel": v.enforcement_level.value,
                "severity": v.severity.value, "urn": v.urn, "message": v.message,
                "sourcePosition": (
                    {"file": by_urn[v.urn].source_file, "line": by_urn[v.urn].source_line}
                    if v.urn in by_urn and by_urn[v.urn].source_file else None
                ),
                "waiver": (w.as_json() if (w := waiver_of(result, v)) is not None else None),
                "policyId": policy_id_in(result, v.policy_pack, v.policy) or None,
            }
            for v in result.violations
        ],
        "notApplicable": [n.as_json() for n in result.not_applicable],
        "notes": list(result.notes),
        "error": None,
        "invokes": [invoke_json(r) for r in result.invokes],
        "reads": [{"type": r.type, "name": r.name, "id": r.id} for r in result.reads],
        "assumptions": assumption_lines(result),
        "warnings": warnings(result, rules),
        "summary": {
            "resources": counts.analyzed,
            "toCreate": counts.to_create,
            "defaultProviders": counts.default_providers,
            "counted": COUNTED,
            "mandatory": len(result.mandatory),
            "advisory": len(result.advisory),
            "waived": sum(1 for v in result.violations if waiver_of(result, v) is not None),
            "policiesRun": result.policies_run,
            "checked": result.checked,
            "verdict": result.verdict.value,
            "assumedAnswers": len(result.assumed_invokes) + len(result.reads),
        },
    }


def error_json(failed: FailedPreview) -> dict[str, Any]:
    """``--json`` for a run that failed: ``error`` (kind, message, details, traceback, program output) and
    whatever the run had learned (``failed.result``: resources registered and analyzed before the failure)."""
    project = failed.project.name if failed.project is not None else None
    stack = failed.stack or None
    document: dict[str, Any]
    if failed.result is not None:
        document = to_json(failed.result, project=project or "", stack=stack or "")
    else:
        document = {
            "project": project, "stack": stack, "resources": [], "policyPacks": [], "violations": [],
            "notApplicable": [], "notes": list(failed.notes), "invokes": [], "reads": [], "assumptions": [],
            "warnings": [f"note: {n}" for n in failed.notes] + [f"the run failed: {failed.failure.message}".strip()],
            "summary": {
                "resources": 0, "toCreate": 0, "defaultProviders": 0, "counted": COUNTED, "mandatory": 0,
                "advisory": 0, "waived": 0, "policiesRun": 0, "checked": False, "verdict": Verdict.ERROR.value,
                "assumedAnswers": 0,
            },
        }
    document["error"] = failed.failure.as_json()
    document["summary"]["checked"] = False
    document["summary"]["verdict"] = Verdict.ERROR.value
    return document
