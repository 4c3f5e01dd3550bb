"""A self-contained HTML evidence report (inline CSS and SVG, no scripts, no external requests).

Rendered with ``string.Template`` from ``templates/report.html``; every value from the run is escaped.
"""

from __future__ import annotations

from html import escape
from importlib import resources
from string import Template

from residency_kit.engine.results import Verdict
from residency_kit.reports.model import PolicyRecord, PolicyStatus, Report, ReportKind, ViolationRecord, inventory_groups

_STATUS_CLASS = {
    PolicyStatus.FAIL: "fail", PolicyStatus.WARN: "waived", PolicyStatus.WAIVED: "waived",
    PolicyStatus.NOT_APPLICABLE: "na", PolicyStatus.NOT_CHECKED: "fail", PolicyStatus.PASS: "pass",
}
_KIND_TEXT = {
    ReportKind.PREVIEW: "Preview of the program (what a deployment would create), checked with the policy packs",
    ReportKind.AUDIT: "Audit of exported stack state (what is deployed), checked with the policy packs",
}


def _template() -> Template:
    return Template(resources.files("residency_kit.reports").joinpath("templates/report.html").read_text(encoding="utf-8"))


def _pill(status: PolicyStatus) -> str:
    return f'<span class="pill {_STATUS_CLASS[status]}">{escape(status)}</span>'


def _policy_row(p: PolicyRecord) -> str:
    # Only web links: a pack's metadata must not be able to put a javascript: URL in front of an auditor.
    linked = p.url.startswith(("https://", "http://"))
    name = f'<a href="{escape(p.url)}">{escape(p.name)}</a>' if linked else escape(p.name)
    desc = f'<div class="desc">{escape(p.description)}</div>' if p.description else ""
    note = f'<div class="desc">{escape(p.status_note)}</div>' if p.status_note else ""
    count = len(p.violations)
    counted = f'<div class="desc">{count} violation{"s" if count != 1 else ""}</div>' if count else ""
    ident = f' <span class="policy-id">{escape(p.policy_id)}</span>' if p.policy_id else ""
    controls = (f'<div class="desc controls">{escape(", ".join(c.id for c in p.controls))}</div>'
                if p.controls else "")
    return (
        f'      <tr class="policy" data-status="{escape(p.status)}"><td><code>{name}</code>{ident}{desc}</td>'
        f'<td><span class="sev {escape(p.severity)}">{escape(p.severity or "—")}</span></td>'
        f"<td>{escape(p.enforcement_level)}</td><td>{escape(p.framework_label or '—')}{controls}</td>"
        f"<td>{_pill(p.status)}{counted}{note}</td></tr>"
    )


def _violation_block(v: ViolationRecord, remediation: str) -> str:
    kind = "waived" if v.waived else v.level
    label = "waived" if v.waived else v.level
    where = f'<div class="urn mono">declared at {escape(v.source_file)}:{v.source_line}</div>' if v.source_file else ""
    target = (
        f"<strong>{escape(v.resource_type)}</strong> {escape(v.resource_name)}"
        f'<div class="urn mono">{escape(v.urn)}</div>{where}'
        if v.urn
        else "<strong>stack</strong>"
    )
    remedy = f'<div class="remedy"><strong>Remediation:</strong> {escape(remediation)}</div>' if remediation and not v.waived else ""
    waiver = (
        f'<div class="remedy"><strong>Waiver:</strong> {escape(v.waiver.reason)} — approved by '
        f"{escape(v.waiver.approver)}, expires {escape(v.waiver.expires)}</div>"
        if v.waiver
        else ""
    )
    return (
        f'  <div class="violation {escape(kind)}"><span class="pill {"waived" if v.waived else "fail"}">'
        f"{escape(label)}</span> <code>{escape(v.policy)}</code> "
        + (f'<span class="policy-id">{escape(v.policy_id)}</span> ' if v.policy_id else "")
        + f'<span class="sev {escape(v.severity)}">{escape(v.severity)}</span><div>{target}</div>'
        f"<pre>{escape(v.message)}</pre>{waiver}{remedy}</div>"
    )


def _violations(report: Report) -> str:
    if not report.violations:
        return '  <p class="note">No violations.</p>'
    remediation = {(p.pack, p.name): p.remediation for p in report.policies}
    ordered = sorted(report.violations, key=lambda v: (v.waived, not v.mandatory, v.policy, v.urn))
    return "\n".join(_violation_block(v, remediation.get((v.pack, v.policy), "")) for v in ordered)


def _waivers(report: Report) -> str:
    if not report.waivers:
        return '  <p class="note">No waivers are in force.</p>'
    rows = []
    for w in report.waivers:
        urns = "<br>".join(f'<span class="mono">{escape(u)}</span>' for u in w.urns) or "—"
        rows.append(
            f"      <tr><td><code>{escape(w.policy)}</code></td><td>{urns}</td><td>{escape(w.reason)}</td>"
            f"<td>{escape(w.approver)}</td><td>{escape(w.expires)}</td></tr>"
        )
    return (
        '  <table id="waiver-table"><thead><tr><th>Policy</th><th>Resources</th><th>Reason</th><th>Approver</th>'
        "<th>Expires</th></tr></thead><tbody>\n" + "\n".join(rows) + "\n  </tbody></table>"
    )


def _interfaces(report: Report) -> str:
    if not report.interfaces:
        return ('  <p class="note">No sanctioned interfaces are declared: no path to or from the parent company is '
                "accepted.</p>")
    rows = []
    for i in report.interfaces:
        def cells(items) -> str:
            return "<br>".join(f'<span class="mono">{escape(x)}</span>' for x in items) or "—"

        gateway = f"{escape(i.gateway)}<br>" + (f'<span class="mono">{escape(i.gateway_urn)}</span>' if i.gateway_urn
                                                  else escape(i.gateway_note))
        rows.append(
            f"      <tr><td><code>{escape(i.name)}</code><br>{escape(i.purpose)}</td><td>{escape(i.direction)}</td>"
            f"<td>{cells(i.endpoints)}<br>{escape(', '.join(i.ports))}</td><td>{gateway}</td><td>{cells(i.allowed)}</td>"
            f"<td>{escape(i.logging)}</td><td>{escape(i.approver)}</td><td>{escape(i.review_by)}</td>"
            f"<td>{cells(i.paths)}</td><td>{escape(i.status)}</td></tr>"
        )
    return (
        '  <table id="interface-table"><thead><tr><th>Interface</th><th>Direction</th><th>Endpoints, ports</th>'
        "<th>Gateway</th><th>Gateway allows</th><th>Logging</th><th>Approver</th><th>Review by</th><th>Paths</th>"
        "<th>Proof</th></tr></thead><tbody>\n" + "\n".join(rows) + "\n  </tbody></table>"
    )


def _inventory(report: Report) -> str:
    groups = inventory_groups(report)
    if not groups:
        return '  <p class="note">No cloud resources.</p>'
    summary = []
    for g in groups:
        protected = sum(1 for r in g.resources if r.protect)
        summary.append(
            f"      <tr><td>{escape(g.cloud)}</td><td>{escape(g.region)}</td><td>{escape(g.compartment)}</td>"
            f'<td class="num">{len(g.resources)}</td><td class="num">{protected}</td></tr>'
        )
    rows = []
    for g in groups:
        where = f"{g.cloud} · {g.region}" + (f" · compartment {g.compartment}" if g.compartment != "—" else "")
        rows.append(
            f'      <tr class="group"><td colspan="3">{escape(where)} <span class="desc">({len(g.resources)})</span></td></tr>'
        )
        for r in sorted(g.resources, key=lambda r: (r.type, r.name)):
            rows.append(
                f"      <tr><td><code>{escape(r.type)}</code></td><td>{escape(r.name)}</td>"
                f"<td>{'protected' if r.protect else ''}</td></tr>"
            )
    total = sum(len(g.resources) for g in groups)
    return (
        '  <table id="inventory-summary"><thead><tr><th>Cloud</th><th>Region</th><th>Compartment</th>'
        '<th class="num">Resources</th><th class="num">Protected</th></tr></thead><tbody>\n'
        + "\n".join(summary)
        + "\n  </tbody></table>\n"
        + f'  <details id="inventory-details"><summary>Every resource ({total})</summary>\n'
        + '  <table id="inventory-table"><thead><tr><th>Type</th><th>Name</th><th>Protection</th></tr></thead><tbody>\n'
        + "\n".join(rows)
        + "\n  </tbody></table>\n  </details>"
    )


def _stores(report: Report) -> str:
    if not report.stores:
        return '  <p class="note">No data stores in this run.</p>'
    rows = []
    for st in report.stores:
        copies = "<br>".join(escape(c) for c in st.copies) or "none"
        rows.append(
            f'      <tr><td><code>{escape(st.type)}</code> {escape(st.name)}<div class="desc">{escape(st.kind)}</div></td>'
            f"<td>{escape(st.region)}</td><td class=\"mono\">{escape(st.key)}</td><td>{escape(st.key_region)}</td>"
            f"<td>{escape(st.placement)}</td><td>{copies}</td><td>{escape(st.retention)}</td>"
            f"<td>{escape(st.classification)}</td></tr>"
        )
    return (
        '  <table id="store-table"><thead><tr><th>Store</th><th>Region</th><th>Key</th><th>Key\'s region</th>'
        "<th>Subnets / endpoint (tier)</th><th>Replicas and copies</th><th>Retention</th><th>Classification</th>"
        "</tr></thead><tbody>\n" + "\n".join(rows) + "\n  </tbody></table>"
    )


def _provenance(report: Report) -> str:
    if report.provenance is None:
        return ""
    return "\n    ".join(
        f'<dt>{escape(label[0].upper() + label[1:])}</dt><dd class="mono">{escape(text)}</dd>'
        for label, text in report.provenance.lines()
    )


def _diagram(report: Report) -> str:
    if report.diagram_svg:
        note = f'<p class="desc">{escape(report.diagram_note)}</p>' if report.diagram_note else ""
        # The SVG comes from our own diagram module; it is embedded as markup so the report stays one file.
        return f'  <div class="diagram">{report.diagram_svg}</div>{note}'
    return f'  <p class="note">{escape(report.diagram_note or "No network diagram is available for this run.")}</p>'


def _pack_rows(report: Report) -> str:
    rows = []
    for p in report.packs:
        origin = f" ({escape(p.origin)})" if p.origin else ""
        rows.append(
            f"<dt>Policy pack</dt><dd><strong>{escape(p.name)}</strong> version {escape(p.version or 'unversioned')}"
            f"{origin}, {p.policies_enabled} of {len(p.policies)} policies enabled</dd>"
            f'<dt>Pack content hash</dt><dd class="mono">{escape(p.content_hash or "unavailable")}</dd>'
        )
        if p.rules is not None:
            rows.append("<dt>Rules in force</dt><dd><dl class=\"rules\">" + "".join(
                f'<dt>{escape(label)}</dt><dd class="mono">{escape(text)}</dd>' for label, text in p.rules.summary()
            ) + "</dl></dd>")
    return "\n    ".join(rows) or "<dt>Policy pack</dt><dd>none</dd>"


def _warnings(report: Report) -> str:
    error = f'  <pre id="run-error">error: {escape(report.error.strip())}</pre>\n' if report.error.strip() else ""
    if not report.warnings:
        return error + '  <p class="note">No warnings: every answer was computed and the rules hold no illustrative identifiers.</p>'
    items = "\n".join(f"    <li>{escape(w)}</li>" for w in report.warnings)
    return f'{error}  <ul id="warning-list">\n{items}\n  </ul>'


def to_html(report: Report) -> str:
    verdict = report.verdict
    summary = (
        f"Policy violations: {report.violation_summary}; {report.counts.analyzed} resources analyzed "
        f"({report.counts.to_create} to create) and {len(report.policies)} policies"
    )
    pack_rows = _pack_rows(report)
    clouds = sorted({r.cloud for r in report.resources if r.cloud not in ("component", "Pulumi")})
    regions = sorted({r.region for r in report.resources if r.cloud not in ("component", "Pulumi")})
    policies = sorted(report.policies, key=lambda p: (p.status.rank, p.name))
    return _template().substitute(
        kind=escape(report.kind),
        kind_text=escape(_KIND_TEXT[report.kind]),
        stack=escape(report.stack),
        project=escape(report.project or "—"),
        source=escape(report.source or "—"),
        generated_at=escape(report.generated_at.strftime("%Y-%m-%d %H:%M:%S UTC")),
        verdict_class="passed" if verdict is Verdict.PASSED else "failed",
        verdict_text=verdict,
        warnings=_warnings(report),
        counted=escape(report.counted),
        n_warn=report.count(PolicyStatus.WARN),
        summary_line=escape(summary),
        pack_rows=pack_rows,
        n_fail=report.count(PolicyStatus.FAIL),
        n_waived=report.count(PolicyStatus.WAIVED),
        n_na=report.count(PolicyStatus.NOT_APPLICABLE),
        not_checked_card=(
            f'<div class="card fail"><div class="n">{report.count(PolicyStatus.NOT_CHECKED)}</div>'
            '<div class="l">Not checked</div></div>'
            if report.count(PolicyStatus.NOT_CHECKED) else ""
        ),
        n_pass=report.count(PolicyStatus.PASS),
        policy_rows="\n".join(_policy_row(p) for p in policies) or '      <tr><td colspan="5">No policies.</td></tr>',
        violation_blocks=_violations(report),
        waiver_table=_waivers(report),
        interface_table=_interfaces(report),
        inventory_line=escape(
            f"{len(report.resources)} resources; clouds: {', '.join(clouds) or 'none'}; "
            f"regions: {', '.join(regions) or 'none'}"
        ),
        inventory_table=_inventory(report),
        diagram=_diagram(report),
        store_table=_stores(report),
        provenance_rows=_provenance(report),
    )
