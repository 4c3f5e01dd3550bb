"""JUnit XML: one test suite per pack, one test case per policy; failures carry the violations.

A failing policy (any violation that is not waived, mandatory or advisory) is a ``<failure>`` whose type is
its worst enforcement level; a not-applicable policy is ``<skipped>``; a waived policy passes with its
waived violations listed in ``<system-out>``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from residency.reports.model import PolicyRecord, Report, ViolationRecord


def _violation_text(v: ViolationRecord) -> str:
    target = f"{v.urn}\n" if v.urn else "(stack)\n"
    waived = f"waived: {v.waiver.reason} (approver {v.waiver.approver}, expires {v.waiver.expires})\n" if v.waiver else ""
    return f"[{v.level}] {target}{waived}{v.message}\n"


def _testcase(policy: PolicyRecord, suite: str) -> ET.Element:
    case = ET.Element("testcase", name=policy.name, classname=suite, time="0")
    failing = [v for v in policy.violations if not v.waived]
    if policy.status == "fail":
        worst = "mandatory" if any(v.level == "mandatory" for v in failing) else "advisory"
        failure = ET.SubElement(
            case,
            "failure",
            message=f"{len(failing)} {worst} violation{'s' if len(failing) != 1 else ''} of {policy.name}",
            type=worst,
        )
        failure.text = "\n".join(_violation_text(v) for v in failing)
        if policy.remediation:
            failure.text += f"\nRemediation: {policy.remediation}\n"
    elif policy.status == "not applicable":
        ET.SubElement(case, "skipped", message=f"not applicable{': ' + policy.status_note if policy.status_note else ''}")
    waived = [v for v in policy.violations if v.waived]
    if waived:
        out = ET.SubElement(case, "system-out")
        out.text = "\n".join(_violation_text(v) for v in waived)
    props = ET.SubElement(case, "properties")
    for key, value in (
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


def to_junit(report: Report) -> str:
    suites = ET.Element("testsuites", name=f"residency {report.kind} {report.stack}")
    total = failures = skipped = 0
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
        for key, value in (("stack", report.stack), ("kind", report.kind), ("contentHash", pack.content_hash)):
            if value:
                ET.SubElement(props, "property", name=key, value=value)
        n_fail = n_skip = 0
        for policy in pack.policies:
            suite.append(_testcase(policy, suite_name))
            n_fail += policy.status == "fail"
            n_skip += policy.status == "not applicable"
        suite.set("tests", str(len(pack.policies)))
        suite.set("failures", str(n_fail))
        suite.set("errors", "0")
        suite.set("skipped", str(n_skip))
        suite.set("time", "0")
        total += len(pack.policies)
        failures += n_fail
        skipped += n_skip
    suites.set("tests", str(total))
    suites.set("failures", str(failures))
    suites.set("errors", "0")
    suites.set("skipped", str(skipped))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
