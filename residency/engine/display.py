"""``pulumi preview``-style output for an offline preview, and its ``--json`` form.

The tree lists every resource to create nested by parent (default providers hidden, as the CLI hides
them); the ``Policies:`` section follows ``ProgressDisplay.printPolicies``: per pack ❌ (any mandatory),
⚠️ (advisory only) or ✅, then ``- [level] [severity: s]  policy  (type: name)`` and the message.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from residency.engine.api import PreviewResult
from residency.engine.packs import Violation
from residency.engine.stack import EngineResource


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


def violation_line(v: Violation) -> str:
    severity = f" [severity: {v.severity}]" if v.severity else ""
    target = f"  ({v.resource_type}: {v.resource_name})" if v.urn else ""
    return f"- [{v.enforcement_level}]{severity}  {v.policy}{target}"


def render(
    result: PreviewResult,
    *,
    stack: str,
    pack_dirs: Sequence[Path],
    console: Console,
    cwd: Path | None = None,
) -> None:
    console.print(f"Previewing update ([bold]{escape(stack)}[/bold]) offline\n")
    rows = _tree_rows(result)
    type_width = max(len(prefix) + len(r.type) for prefix, r in rows) + 2
    console.print(f"     {'Type':<{type_width}}Name")
    for prefix, r in rows:
        label = f"{prefix}{r.type}"
        name = r.name + ("  [protected]" if r.protect else "")
        console.print(f" [green]+[/green]   {escape(label):<{type_width}}{escape(name)}", highlight=False)

    if result.unanswered_invokes:
        console.print()
        for token in result.unanswered_invokes:
            console.print(
                f"[yellow]warning:[/yellow] invoke {escape(token)} is not answered offline; the program got an "
                "empty result",
                highlight=False,
            )

    if result.packs:
        console.print("\n[bold]Policies:[/bold]")
        render_pack_results(console, result.packs, pack_dirs, result.violations, cwd=cwd)

    created = len(rows)
    mandatory, advisory = len(result.mandatory), len(result.advisory)
    console.print("\n[bold]Resources:[/bold]")
    console.print(f"    [green]+ {created} to create[/green]")
    console.print(f"\n[bold]Policy violations:[/bold] {mandatory} mandatory, {advisory} advisory")
    if mandatory:
        console.print("[red]error:[/red] preview failed: mandatory policy violations")


def render_pack_results(console: Console, packs, pack_dirs, violations, *, cwd: Path | None) -> None:
    """The lines under ``Policies:``: each pack's mark, name and location, then its violations."""
    for info, pack_dir in zip(packs, pack_dirs):
        mine = [v for v in violations if v.policy_pack == info.name]
        mark = "❌" if any(v.enforcement_level == "mandatory" for v in mine) else "⚠️ " if mine else "✅"
        location = Path(pack_dir)
        if cwd is not None:
            try:
                location = location.relative_to(cwd)
            except ValueError:
                pass
        console.print(f"    {mark} {escape(info.name)}@v{escape(info.version)} (local: {escape(str(location))})")
        for v in sorted(mine, key=lambda v: (v.enforcement_level != "mandatory", v.policy, v.urn)):
            style = "red" if v.enforcement_level == "mandatory" else "yellow"
            console.print(f"        [{style}]{escape(violation_line(v))}[/{style}]", highlight=False)
            for line in v.message.splitlines():
                console.print(f"          {escape(line)}", highlight=False)


def to_json(result: PreviewResult, *, project: str, stack: str, pack_dirs: Sequence[Path]) -> dict[str, Any]:
    return {
        "project": project,
        "stack": stack,
        "resources": [
            {
                "urn": r.urn,
                "type": r.type,
                "name": r.name,
                "parent": r.parent,
                "provider": r.provider,
                "protect": r.protect,
                "inputs": r.inputs,
            }
            for r in result.resources
        ],
        "policyPacks": [
            {"name": info.name, "version": info.version, "path": str(path)}
            for info, path in zip(result.packs, pack_dirs)
        ],
        "violations": [
            {
                "policyPack": v.policy_pack,
                "policy": v.policy,
                "enforcementLevel": v.enforcement_level,
                "severity": v.severity,
                "urn": v.urn,
                "message": v.message,
            }
            for v in result.violations
        ],
        "warnings": [f"invoke {t} is not answered offline" for t in result.unanswered_invokes],
        "summary": {
            "resources": len(result.resources),
            "mandatory": len(result.mandatory),
            "advisory": len(result.advisory),
        },
    }
