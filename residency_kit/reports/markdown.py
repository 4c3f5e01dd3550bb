"""A Markdown summary for a pull-request comment: verdict, policy table (with each policy's stable ID and
800-53 controls), violations, waivers, sanctioned interfaces, the data stores and what produced the summary
(provenance).

GitHub caps a comment at 65,536 characters; long violation lists are cut with a pointer to the full
reports rather than letting the comment fail to post.
"""

from __future__ import annotations

from residency_kit.engine.pack_controls import NIST
from residency_kit.engine.results import Verdict
from residency_kit.reports.model import PolicyStatus, Report, ViolationRecord
from residency_policies.urns import urn_name

COMMENT_LIMIT = 60_000
MARKER = "<!-- residency-report -->"
_STATUS_ICON = {
    PolicyStatus.FAIL: "❌ fail", PolicyStatus.WARN: "⚠️ warn", PolicyStatus.WAIVED: "🟡 waived",
    PolicyStatus.NOT_APPLICABLE: "➖ n/a", PolicyStatus.NOT_CHECKED: "⛔ not checked", PolicyStatus.PASS: "✅ pass",
}
_VERDICT = {
    Verdict.PASSED: "✅ **passed**", Verdict.FAILED: "❌ **failed**", Verdict.NOT_CHECKED: "⛔ **not checked**",
    Verdict.ERROR: "⛔ **error** (the run failed: not checked)",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").strip()


def _violation_row(v: ViolationRecord) -> str:
    target = f"`{_cell(v.resource_type)}` **{_cell(v.resource_name)}**" if v.urn else "_stack_"
    where = f"`{_cell(v.source_file.rsplit('/', 1)[-1])}:{v.source_line}`" if v.source_file else "—"
    first_line = v.message.strip().splitlines()[-1] if v.message.strip() else ""
    ident = f" {v.policy_id}" if v.policy_id else ""
    return f"| {v.level} | {v.severity or '—'} | `{v.policy}`{ident} | {target} | {where} | {_cell(first_line)} |"


def _error_lines(error: str) -> list[str]:
    first, *rest = error.strip().splitlines()
    lines = [f"**Error:** {_cell(first)}", ""]
    if rest:
        lines += ["```text", *(line.replace("```", "` ` `") for line in rest), "```", ""]
    return lines


def to_markdown(report: Report) -> str:
    verdict = _VERDICT[report.verdict]
    lines = [
        MARKER,
        f"### Residency {report.kind}: `{report.stack}` {verdict}",
        "",
        *(_error_lines(report.error) if report.error.strip() else []),
        *[f"**Not checked:** {_cell(reason)}" for reason in report.not_checked],
        *([""] if report.not_checked else []),
        f"Policy violations: {report.violation_summary}; {report.counts.analyzed} resources analyzed, "
        f"{report.counts.to_create} to create.",
        "",
    ]
    for pack in report.packs:
        short_hash = pack.content_hash.removeprefix("sha256:")[:12]
        origin = f", {pack.origin}" if pack.origin else ""
        lines.append(
            f"Policy pack `{pack.name}@{pack.version}` ({pack.policies_enabled} of {len(pack.policies)} policies enabled"
            f"{origin})" + (f", content `sha256:{short_hash}…`" if short_hash else "")
        )
        if pack.rules is not None:
            lines += [f"- rules {label}: {_cell(text)}" for label, text in pack.rules.summary()]
    if report.warnings:
        lines += ["", f"<details{' open' if len(report.warnings) <= 5 else ''}><summary>Warnings ({len(report.warnings)}: "
                  "assumptions and rules)</summary>", ""]
        lines += [f"- ⚠️ {_cell(w)}" for w in report.warnings] + ["", "</details>"]
    lines += ["", "| Policy | Severity | Level | Result | Violations | ID | Controls (800-53) |",
              "| --- | --- | --- | --- | --- | --- | --- |"]
    for p in sorted(report.policies, key=lambda p: (p.status.rank, p.name)):
        nist = ", ".join(c.id for c in p.controls if c.catalogue == NIST) or "—"
        lines.append(
            f"| `{p.name}` | {p.severity or '—'} | {p.enforcement_level} | {_STATUS_ICON[p.status]} "
            f"| {len(p.violations)} | {p.policy_id or '—'} | {nist} |"
        )
    failing = [v for v in report.violations if not v.waived]
    if failing:
        lines += ["", "<details open><summary>Violations</summary>", "",
                  "| Level | Severity | Policy | Resource | Declared at | Message |",
                  "| --- | --- | --- | --- | --- | --- |"]
        body_len = sum(len(line) + 1 for line in lines)
        shown = 0
        for v in sorted(failing, key=lambda v: (not v.mandatory, v.policy, v.urn)):
            row = _violation_row(v)
            if body_len + len(row) > COMMENT_LIMIT - 2_000:
                break
            lines.append(row)
            body_len += len(row) + 1
            shown += 1
        if shown < len(failing):
            lines += ["", f"_{len(failing) - shown} more violation(s) not shown: see the SARIF and HTML reports._"]
        lines += ["", "</details>"]
    if report.waivers:
        lines += ["", "**Waivers**", "", "| Policy | Resources | Reason | Approver | Expires |", "| --- | --- | --- | --- | --- |"]
        for w in report.waivers:
            names = ", ".join(f"`{urn_name(u) or u}`" for u in w.urns) or "—"
            lines.append(f"| `{w.policy}` | {names} | {_cell(w.reason)} | {_cell(w.approver)} | {w.expires} |")
    if report.interfaces:
        lines += ["", "**Sanctioned interfaces**", "",
                  "| Interface | Direction | Endpoints, ports | Gateway | Logging | Approver | Review by | Paths "
                  "| Proof |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for i in report.interfaces:
            gateway = (f"`{urn_name(i.gateway_urn) or i.gateway_urn}`" if i.gateway_urn
                       else _cell(f"{i.gateway} ({i.gateway_note})"))
            lines.append(f"| `{i.name}` | {i.direction} | {_cell(', '.join(i.endpoints))} on {_cell(', '.join(i.ports))} "
                         f"| {gateway} | {_cell(i.logging)} | {_cell(i.approver)} | {i.review_by} | {len(i.paths)} "
                         f"| {_cell(i.status)} |")
    if report.stores:
        lines += ["", f"<details><summary>Data stores ({len(report.stores)})</summary>", "",
                  "| Store | Region | Key | Key's region | Subnets / endpoint (tier) | Copies | Retention | Classification |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- |"]
        for st in report.stores:
            row = (f"| `{_cell(st.type)}` **{_cell(st.name)}** | {_cell(st.region)} | {_cell(st.key)} | "
                   f"{_cell(st.key_region)} | {_cell(st.placement)} | {_cell('; '.join(st.copies) or 'none')} | "
                   f"{_cell(st.retention)} | {_cell(st.classification)} |")
            if sum(len(line) + 1 for line in lines) + len(row) > COMMENT_LIMIT - 1_500:
                lines.append("| … | more stores in the HTML report | | | | | | |")
                break
            lines.append(row)
        lines += ["", "</details>"]
    generated = f"<sub>Generated {report.generated_at:%Y-%m-%d %H:%M UTC} by `residency {report.kind}`.</sub>"
    lines += ["", f"<sub>{_cell(report.counted)}.</sub>", "", generated]
    if report.provenance is not None:
        lines += ["", "<sub>Provenance: " + "; ".join(f"{label} {_cell(text)}" for label, text in report.provenance.lines())
                  + ".</sub>"]
    lines.append("")
    return "\n".join(lines)
