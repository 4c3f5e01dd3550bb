"""What every output of a run says the same way: resource counts, assumptions, warnings.

The text output, ``--json`` and every report take these from here, so they count the same things and list
the same warnings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from residency_kit.engine.pack_rules import RulesInForce
from residency_kit.engine.results import PreviewResult

_SHOWN_FIELDS = 6
COUNTED = (
    "resources analyzed: every resource the packs saw (the root Stack and default providers included); "
    "to create: as `pulumi preview` counts them (the root Stack included, default providers not)"
)


@dataclass(frozen=True)
class ResourceCounts:
    """What is counted: ``to_create`` as the CLI counts it (the root Stack included, default providers not);
    ``analyzed`` every resource the packs saw (default providers included)."""

    to_create: int
    analyzed: int
    default_providers: int


def resource_counts(result: PreviewResult) -> ResourceCounts:
    hidden = sum(1 for r in result.resources if r.is_default_provider and r.synthesized)
    return ResourceCounts(len(result.resources) - hidden, len(result.resources), hidden)


def violation_summary(
    mandatory: int, advisory: int, waived: int, *, checked: bool, policies_run: int, error: bool = False
) -> str:
    """The counts line every output prints. A run that is not checked never reads like a clean count:
    it says so first, and counts only what was checked."""
    counts = f"{mandatory} mandatory, {advisory} advisory" + (f" ({waived} of them waived)" if waived else "")
    if checked:
        return counts
    if error:
        why = "the run failed"
    elif policies_run == 0:
        why = "no policy ran"
    else:
        why = "the run could not check everything"
    if policies_run == 0 and not (mandatory or advisory):
        return f"not checked ({why})"
    return f"not checked ({why}); {counts} in what was checked"


def result_violation_summary(result: PreviewResult, waived: int) -> str:
    return violation_summary(
        len(result.mandatory), len(result.advisory), waived, checked=result.checked,
        policies_run=result.policies_run, error=result.failure is not None,
    )


def short_list(fields: Sequence[str]) -> str:
    shown = ", ".join(fields[:_SHOWN_FIELDS])
    return shown + (f" (+{len(fields) - _SHOWN_FIELDS} more)" if len(fields) > _SHOWN_FIELDS else "")


def assumption_lines(result: PreviewResult) -> list[str]:
    """One line per invoke or read whose answer was not computed, with the resources that used it."""
    lines = []
    names = {r.urn: r.name for r in result.resources}
    for record in result.assumed_invokes:
        where = f"{record.provider} provider" + (f", {record.region}" if record.region else "")
        if record.kind == "unanswered":
            what = "not answerable offline: its whole result is unknown"
        else:
            parts = []
            if record.unknown:
                parts.append(f"unknown: {short_list(record.unknown)}")
            if record.assumed:
                parts.append(f"made up: {short_list(record.assumed)}")
            what = "; ".join(parts)
        used = ", ".join(names.get(u, u) for u in record.used_by) or "no resource input (traceable) uses it"
        lines.append(f"invoke {record.token} ({where}): {what}; used by: {used}")
    for read in result.reads:
        lines.append(f"read {read.type} {read.name!r} (id {read.id}): outputs other than its id are unknown offline")
    return lines


def warnings(result: PreviewResult, rules: Sequence[RulesInForce | None] = ()) -> list[str]:
    """Every warning of the run, the same in the text output, ``--json`` and every report."""
    out = [f"note: {note}" for note in result.notes]
    out += [f"assumed offline: {line}" for line in assumption_lines(result)]
    # Rules given by a caller may cover fewer packs than ran: the rest have none recorded.
    for info, pack_rules in zip(result.packs, rules or result.pack_rules, strict=False):
        if pack_rules is not None and pack_rules.illustrative:
            out.append(
                f"{info.name}: the rules in force ({pack_rules.source_line()}) still hold the kit's illustrative identifiers "
                f"({', '.join(pack_rules.illustrative)}); replace them with your estate's own"
            )
    out.extend(result.not_checked)
    return out
