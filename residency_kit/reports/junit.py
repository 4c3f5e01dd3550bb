"""JUnit XML: one test suite per pack, one test case per policy; failures carry the mandatory violations.

Only a policy with a mandatory violation is a ``<failure>`` (advisory violations do not fail a deployment,
so they do not fail the test); advisory and waived violations are listed in the case's ``<system-out>``; a
not-applicable policy is ``<skipped>``. Each suite carries the rules file and digest it ran with, the
run's counts and, in its ``<system-out>``, every warning and assumption of the text output. A run that is
not checked (no policy ran, an unchecked remote component, a run that failed) has one ``<error>`` per suite
saying why; a run that failed before any pack started is one suite holding that error.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from residency_kit.reports.model import PolicyRecord, Report, ViolationRecord


def _violation_text(v: ViolationRecord) -> str:
    where = f" ({v.source_file}:{v.source_line})" if v.source_file else ""
    ident = f"[{v.policy_id}] " if v.policy_id else ""
    target = f"{v.urn}{where}\n" if v.urn else "(stack)\n"
    waived = f"waived: {v.waiver.reason} (approver {v.waiver.approver}, expires {v.waiver.expires})\n" if v.waiver else ""
    return f"[{v.level}] {ident}{target}{waived}{v.message}\n"


def _testcase(policy: PolicyRecord, suite: str) -> ET.Element:
    # The name stays the policy name (CI views key test history by it); the stable ID is a property.
    case = ET.Element("testcase", name=policy.name, classname=suite, time="0")
    mandatory = [v for v in policy.violations if v.mandatory]
    if mandatory:
        failure = ET.SubElement(
            case,
            "failure",
            message=f"{len(mandatory)} mandatory violation{'s' if len(mandatory) != 1 else ''} of {policy.name}",
            type="mandatory",
        )
        failure.text = "\n".join(_violation_text(v) for v in mandatory)
        if policy.remediation:
            failure.text += f"\nRemediation: {policy.remediation}\n"
    elif policy.status.skipped:
        note = f": {policy.status_note}" if policy.status_note else ""
        ET.SubElement(case, "skipped", message=f"{policy.status}{note}")
    others = [v for v in policy.violations if not v.mandatory]
    if others:
        out = ET.SubElement(case, "system-out")
        out.text = "\n".join(_violation_text(v) for v in others)
    props = ET.SubElement(case, "properties")
    for key, value in (
        ("policyId", policy.policy_id),
        ("controls", policy.controls_label),
        ("severity", policy.severity),
        ("enforcementLevel", policy.enforcement_level),
        ("status", policy.status),
        ("framework", policy.framework_label),
        ("url", policy.url),
    ):
        if value:
            ET.SubElement(props, "property", name=key, value=value)
    if not len(props):
        case.remove(props)
    return case


def _not_checked_case(report: Report, suite_name: str) -> ET.Element:
    case = ET.Element("testcase", name="run-checked", classname=suite_name, time="0")
    reasons = list(report.not_checked) or [report.error or "the run was not checked"]
    error = ET.SubElement(case, "error", message=reasons[0], type="error" if report.error else "not-checked")
    error.text = "\n".join(reasons + ([report.error] if report.error and report.error not in reasons else [])) + "\n"
    return case


def to_junit(report: Report) -> str:
    suites = ET.Element("testsuites", name=f"residency {report.kind} {report.stack}")
    total = failures = skipped = errors = 0
    if not report.packs and not report.checked:
        suite = ET.SubElement(suites, "testsuite", name="residency", timestamp=report.generated_at.strftime("%Y-%m-%dT%H:%M:%S"),
                              hostname="residency", tests="1", failures="0", errors="1", skipped="0", time="0")
        props = ET.SubElement(suite, "properties")
        for key, value in (("stack", report.stack), ("kind", report.kind), ("verdict", report.verdict),
                           ("violations", report.violation_summary)):
            if value:
                ET.SubElement(props, "property", name=key, value=value)
        suite.append(_not_checked_case(report, "residency"))
        if report.warnings:
            ET.SubElement(suite, "system-out").text = "\n".join(f"warning: {w}" for w in report.warnings) + "\n"
        total = errors = 1
    for pack in report.packs:
        suite_name = f"{pack.name}@{pack.version}" if pack.version else pack.name
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=suite_name,
            timestamp=report.generated_at.strftime("%Y-%m-%dT%H:%M:%S"),
            hostname="residency",
        )
        props = ET.SubElement(suite, "properties")
        rules = pack.rules
        for key, value in (
            ("stack", report.stack), ("kind", report.kind), ("contentHash", pack.content_hash), ("origin", pack.origin),
            ("rulesSources", rules.source_line() if rules else ""), ("rulesDigest", rules.digest if rules else ""),
            ("rules", json.dumps(rules.values, sort_keys=True) if rules else ""),
            ("verdict", report.verdict), ("violations", report.violation_summary),
            ("resourcesAnalyzed", str(report.counts.analyzed)), ("resourcesToCreate", str(report.counts.to_create)),
            ("counted", report.counted),
            ("sanctionedInterfaces", json.dumps([i.as_json() for i in report.interfaces]) if report.interfaces else ""),
            *((f"provenance.{label}", text) for label, text in (report.provenance.lines() if report.provenance else [])),
        ):
            if value:
                ET.SubElement(props, "property", name=key, value=value)
        n_fail = n_skip = n_error = 0
        for policy in pack.policies:
            suite.append(_testcase(policy, suite_name))
            n_fail += any(v.mandatory for v in policy.violations)
            n_skip += policy.status.skipped
        if not report.checked:
            suite.append(_not_checked_case(report, suite_name))
            n_error = 1
        notes = [f"warning: {w}" for w in report.warnings]
        if notes:
            ET.SubElement(suite, "system-out").text = "\n".join(notes) + "\n"
        suite.set("tests", str(len(pack.policies) + n_error))
        suite.set("failures", str(n_fail))
        suite.set("errors", str(n_error))
        suite.set("skipped", str(n_skip))
        suite.set("time", "0")
        total += len(pack.policies) + n_error
        failures += n_fail
        skipped += n_skip
        errors += n_error
    suites.set("tests", str(total))
    suites.set("failures", str(failures))
    suites.set("errors", str(errors))
    suites.set("skipped", str(skipped))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
