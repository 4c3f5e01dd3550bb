"""OSCAL Assessment Results (1.1.3, JSON) for one preview or audit.

- The assessment plan is the policy pack (a back-matter resource ``import-ap`` points to: name, version,
  content hash); the rules in force are the assessment's parameters (one ``rules-parameter`` property per
  value on the result, and the full rules as a base64 JSON back-matter resource).
- One observation per violation (what was seen, on which resource, at which level) and one per policy result
  (what was checked), so a policy that passed is on record without claiming any control is satisfied.
- One finding per violated policy and each 800-53 control it maps to (``engine.pack_controls``): the target is
  the control's statement (``sc-7.5_smt`` for SC-7(5)), ``not-satisfied``; the policy's CISA items and CCC
  controls are properties. A pack without mappings gets one finding per violated policy, targeted at the policy.
- Each waiver, and each sanctioned interface declared in the rules (as the pack's proof found it,
  ``reports.interfaces``), is a risk with status ``deviation-approved``: reason or purpose, approver, and the
  expiry or review date as its deadline.

Nothing here says a control is satisfied: the kit checks parts of controls (``docs/coverage-matrix.md``).
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from residency_kit.engine.pack_controls import CCC, CISA, NIST
from residency_kit.reports.model import PolicyRecord, Report, ViolationRecord

OSCAL_VERSION = "1.1.3"
NS = "https://github.com/residency-kit/residency-kit/ns/oscal"
_UUID_NS = uuid.UUID("8d3f2a7e-5b1c-4e0a-9c6d-2f4b7a1e9c30")
_NIST_ID = re.compile(r"^([A-Z]{2})-(\d+)(?:\((\d+)\))?$")


def control_id(nist: str) -> str:
    """An 800-53 identifier as OSCAL catalogues write it: ``SC-7(5)`` -> ``sc-7.5``."""
    match = _NIST_ID.fullmatch(nist)
    if match is None:
        raise ValueError(f"not an 800-53 control identifier: {nist!r}")
    family, number, enhancement = match.groups()
    return f"{family.lower()}-{number}" + (f".{enhancement}" if enhancement else "")


def _line(text: str) -> str:
    """One line with no surrounding space (OSCAL strings and titles refuse empty or padded values)."""
    flat = " ".join(str(text).split())
    return flat or "none"


def _prop(name: str, value: Any, cls: str | None = None) -> dict[str, str]:
    prop = {"name": name, "ns": NS, "value": _line(value)}
    if cls:
        prop["class"] = cls
    return prop


class _Ids:
    """Deterministic UUIDs (version 5) per report, so the same report always gives the same document."""

    def __init__(self, seed: str) -> None:
        self.seed = seed

    def __call__(self, *parts: str) -> str:
        return str(uuid.uuid5(_UUID_NS, "\0".join((self.seed, *parts))))


def _timestamp(report: Report) -> str:
    return report.generated_at.strftime("%Y-%m-%dT%H:%M:%SZ")


def _flatten(value: Any, prefix: str = "") -> Iterable[tuple[str, str]]:
    if isinstance(value, Mapping):
        for key in sorted(value):
            yield from _flatten(value[key], f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, (list, tuple)):
        if all(not isinstance(v, (Mapping, list, tuple)) for v in value):
            yield prefix, ", ".join(str(v) for v in value) or "none"
        else:
            yield prefix, json.dumps(value, sort_keys=True, default=str)
    else:
        yield prefix, str(value)


_RISK_KEYS = ("waivers", "sanctionedInterfaces")
"""Rules keys shown as risks rather than parameters."""


def _parameters(report: Report) -> list[dict[str, str]]:
    props = []
    for pack in report.packs:
        if pack.rules is None:
            continue
        props.append(_prop("rules-digest", pack.rules.digest or "none", _token(pack.name)))
        for key, text in _flatten({k: v for k, v in pack.rules.values.items() if k not in _RISK_KEYS}):
            props.append(_prop("rules-parameter", f"{key} = {text}", _token(key)))
    return props


def _token(text: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "-", text)
    return cleaned if re.match(r"[A-Za-z_]", cleaned) else f"_{cleaned}"


def _provenance_props(report: Report) -> list[dict[str, str]]:
    if report.provenance is None:
        return []
    return [_prop("provenance", f"{label}: {text}", _token(label.split(" ")[0])) for label, text in
            report.provenance.lines()]


def _violation_observation(v: ViolationRecord, ids: _Ids, when: str) -> dict[str, Any]:
    target = f"{v.resource_type} {v.resource_name}" if v.urn else "the stack"
    props = [_prop("policy", v.policy), _prop("enforcement-level", v.level), _prop("severity", v.severity or "none")]
    if v.policy_id:
        props.append(_prop("policy-id", v.policy_id))
    if v.urn:
        props.append(_prop("resource", v.urn))
    if v.source_file:
        props.append(_prop("declared-at", f"{v.source_file}:{v.source_line}"))
    return {
        "uuid": ids("violation", v.pack, v.policy, v.urn, v.message),
        "title": _line(f"{v.policy}{f' ({v.policy_id})' if v.policy_id else ''}: {target}"),
        "description": v.message.strip() or v.policy,
        "props": props,
        "methods": ["TEST"],
        "types": ["finding"],
        "collected": when,
        "relevant-evidence": [{"href": "residency.sarif", "description": "The SARIF result of this violation."}],
    }


def _policy_observation(p: PolicyRecord, ids: _Ids, when: str) -> dict[str, Any]:
    count = len(p.violations)
    note = f" ({p.status_note})" if p.status_note else ""
    props = [_prop("policy", p.name), _prop("result", p.status), _prop("enforcement-level", p.enforcement_level or "none")]
    if p.policy_id:
        props.append(_prop("policy-id", p.policy_id))
    return {
        "uuid": ids("policy", p.pack, p.name),
        "title": _line(f"Policy {p.name}{f' ({p.policy_id})' if p.policy_id else ''}: {p.status}"),
        "description": f"{p.description or p.name} Result: {p.status}{note}; {count} violation{'s' if count != 1 else ''}.",
        "props": props,
        "methods": ["TEST"],
        "types": ["control-objective"],
        "collected": when,
    }


def _waiver_risks(report: Report, ids: _Ids) -> tuple[list[dict[str, Any]], dict[tuple[str, str], str]]:
    """A risk per waiver, and which (policy, URN) each one covers."""
    risks, covers = [], {}
    for w in report.waivers:
        risk_id = ids("waiver", w.policy, *w.urns, w.reason)
        for urn in w.urns:
            covers[(w.policy, urn)] = risk_id
        props = [_prop("policy", w.policy), _prop("approver", w.approver), _prop("expires", w.expires),
                 _prop("given-in", w.source)]
        props += [_prop("resource", urn) for urn in w.urns]
        risks.append({
            "uuid": risk_id,
            "title": _line(f"Waiver of {w.policy}"),
            "description": f"A waiver of {w.policy} for {', '.join(w.urns) or 'no resource'}, approved by "
                           f"{w.approver} until {w.expires}; given in {w.source}.",
            "statement": w.reason,
            "props": props,
            "status": "deviation-approved",
            "deadline": f"{w.expires}T23:59:59Z",
        })
    return risks, covers


def _interface_risks(report: Report, ids: _Ids) -> list[dict[str, Any]]:
    """A risk per sanctioned interface the rules declare, as the pack's proof found it (``report.interfaces``)."""
    risks = []
    for i in report.interfaces:
        props = [_prop("interface", i.name), _prop("direction", i.direction), _prop("approver", i.approver),
                 _prop("reviewBy", i.review_by), _prop("parentEndpoints", ", ".join(i.endpoints) or "none"),
                 _prop("ports", ", ".join(i.ports) or "none"), _prop("gateway", i.gateway_urn or i.gateway),
                 _prop("proof", i.status), _prop("paths", len(i.paths))]
        risk: dict[str, Any] = {
            "uuid": ids("interface", i.name),
            "title": _line(f"Sanctioned interface {i.name}"),
            "description": f"A declared interface between the estate and the parent company: {i.purpose} "
                           f"({i.direction}; {i.status}; logging: {i.logging}).",
            "statement": "Traffic with the parent company is allowed on this interface only, through its gateway, "
                         "for its endpoints and ports.",
            "props": props,
            "status": "deviation-approved",
        }
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", i.review_by):
            risk["deadline"] = f"{i.review_by}T23:59:59Z"
        risks.append(risk)
    return risks


def _findings(report: Report, ids: _Ids, covers: Mapping[tuple[str, str], str]) -> list[dict[str, Any]]:
    findings = []
    for p in report.policies:
        if not p.violations:
            continue
        observations = [{"observation-uuid": ids("violation", v.pack, v.policy, v.urn, v.message)} for v in p.violations]
        risks = sorted({covers[(v.policy, v.urn)] for v in p.violations if v.waived and (v.policy, v.urn) in covers})
        levels = sorted({v.level for v in p.violations})
        other = [_prop("cisa-item", c.id) for c in p.controls if c.catalogue == CISA]
        other += [_prop("ccc-control", c.id) for c in p.controls if c.catalogue == CCC]
        base = [_prop("policy", p.name), _prop("levels", ", ".join(levels))] + (
            [_prop("policy-id", p.policy_id)] if p.policy_id else [])
        targets = [c for c in p.controls if c.catalogue == NIST] or [None]
        for control in targets:
            target_id = f"{control_id(control.id)}_smt" if control else _token(p.name)
            title = f"{control.id} {control.title}: " if control else ""
            finding: dict[str, Any] = {
                "uuid": ids("finding", p.pack, p.name, control.id if control else ""),
                "title": _line(f"{title}{p.name}{f' ({p.policy_id})' if p.policy_id else ''}"),
                "description": f"{len(p.violations)} violation{'s' if len(p.violations) != 1 else ''} of {p.name} "
                               f"({', '.join(levels)}); the policy checks part of what the control asks "
                               "(docs/coverage-matrix.md).",
                "props": base + ([_prop("control", control.id)] if control else []) + other,
                "target": {
                    "type": "statement-id" if control else "objective-id",
                    "target-id": target_id,
                    "status": {"state": "not-satisfied", "reason": "fail"},
                },
                "related-observations": observations,
            }
            if risks:
                finding["related-risks"] = [{"risk-uuid": r} for r in risks]
            findings.append(finding)
    return findings


def to_oscal(report: Report, *, tool_version: str = "") -> dict[str, Any]:
    when = _timestamp(report)
    ids = _Ids(f"{report.kind}/{report.project}/{report.stack}/{when}")
    plan_id = ids("plan")
    resources: list[dict[str, Any]] = [{
        "uuid": plan_id,
        "title": _line("Assessment plan: " + (", ".join(f"policy pack {p.name} {p.version or 'unversioned'}"
                                                        for p in report.packs) or "no policy pack")),
        "description": "The policy packs the run checked with (their policies are the assessment's tests) and "
                       "the rules they enforced.",
        "props": [_prop("pack-content-hash", p.content_hash or "unavailable", _token(p.name)) for p in report.packs],
    }]
    for pack in report.packs:
        if pack.rules is not None:
            encoded = base64.b64encode(json.dumps(pack.rules.as_json(), sort_keys=True, default=str).encode())
            resources.append({
                "uuid": ids("rules", pack.name),
                "title": _line(f"Rules in force of {pack.name}"),
                "description": f"The rules {pack.name} enforced (sources, digest, values, overrides, waivers).",
                "base64": {"filename": "rules-in-force.json", "media-type": "application/json",
                           "value": encoded.decode()},
            })
    nist = sorted({control_id(c.id) for p in report.policies for c in p.controls if c.catalogue == NIST})
    selection: dict[str, Any] = {
        "description": "The 800-53 controls the checked policies map to; each is checked only in part.",
    }
    if nist:
        selection["include-controls"] = [{"control-id": c} for c in nist]
    else:
        selection["include-all"] = {}
    waiver_risks, covers = _waiver_risks(report, ids)
    risks = waiver_risks + _interface_risks(report, ids)
    observations = ([_policy_observation(p, ids, when) for p in report.policies]
                    + [_violation_observation(v, ids, when) for v in report.violations])
    result: dict[str, Any] = {
        "uuid": ids("result"),
        "title": _line(f"Residency {report.kind} of stack {report.stack}: {report.verdict}"),
        "description": f"Policy violations: {report.violation_summary}; {report.counts.analyzed} resources analyzed."
                       + (f" The run failed: {report.error.strip()}" if report.error.strip() else ""),
        "start": when,
        "end": when,
        "props": [_prop("verdict", report.verdict), _prop("kind", report.kind), _prop("stack", report.stack or "none"),
                  _prop("resources-analyzed", report.counts.analyzed)] + _parameters(report),
        "reviewed-controls": {"control-selections": [selection]},
    }
    if observations:
        result["observations"] = observations
    if risks:
        result["risks"] = risks
    findings = _findings(report, ids, covers)
    if findings:
        result["findings"] = findings
    metadata: dict[str, Any] = {
        "title": _line(f"Residency evidence: {report.kind} of {report.project or 'project'} / {report.stack or 'stack'}"),
        "last-modified": when,
        "version": _line(tool_version or "unversioned"),
        "oscal-version": OSCAL_VERSION,
    }
    provenance = _provenance_props(report)
    if provenance:
        metadata["props"] = provenance
    return {
        "assessment-results": {
            "uuid": ids("document"),
            "metadata": metadata,
            "import-ap": {"href": f"#{plan_id}",
                          "remarks": "No separate assessment plan: the policy packs and their rules are the plan."},
            "results": [result],
            "back-matter": {"resources": resources},
        }
    }
