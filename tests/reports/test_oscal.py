"""OSCAL assessment results: valid against NIST's published 1.1.3 schema, findings linked to the controls the
generated policy docs list, waivers and sanctioned interfaces as risks, the rules in force as parameters."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import json
import re

import oscal_schema
import pytest
from report_fixtures import PUBLIC, REASON, STACK, make_result

from residency_kit.policy_docs import DOCS_DIR
from residency_kit.reports.model import build_report
from residency_kit.reports.oscal import control_id, to_oscal

@pytest.fixture(scope="module")
def validator():
    return oscal_schema.validator()


def _errors(validator, document):
    return oscal_schema.oscal_errors(document)


def _doc_controls(policy: str) -> set[str]:
    """The controls a policy's generated doc lists in its Controls table (every catalogue)."""
    text = (DOCS_DIR / f"{policy}.md").read_text(encoding="utf-8")
    section = text.split("## Controls", 1)[1]
    found = set()
    for line in section.splitlines():
        match = re.match(r"\| (NIST SP 800-53 rev. 5|CISA restricted-transaction requirements|FINOS Common Cloud "
                         r"Controls) \| (.*) \|$", line)
        if match and match.group(2) != "—":
            found |= {c.strip() for c in match.group(2).split(",")}
    return found


def test_the_schema_refuses_a_broken_document(validator, report):
    """The validator is live: a document without its required parts, or with a bad status, is refused."""
    document = to_oscal(report, tool_version="0.2.0")
    assert _errors(validator, document) == []
    broken = copy.deepcopy(document)
    del broken["assessment-results"]["import-ap"]
    assert any("import-ap" in e for e in _errors(validator, broken))
    broken = copy.deepcopy(document)
    broken["assessment-results"]["results"][0]["findings"][0]["target"]["status"]["state"] = "passed"
    assert _errors(validator, broken)


def test_findings_are_linked_to_the_controls_the_generated_docs_list(validator, report):
    document = to_oscal(report, tool_version="0.2.0")
    assert _errors(validator, document) == []
    (result,) = document["assessment-results"]["results"]
    findings = result["findings"]
    by_policy: dict[str, set[str]] = {}
    for finding in findings:
        props = {(p["name"], p["value"]) for p in finding["props"]}
        policy = next(v for n, v in props if n == "policy")
        control = next(v for n, v in props if n == "control")
        assert finding["target"] == {"type": "statement-id", "target-id": f"{control_id(control)}_smt",
                                     "status": {"state": "not-satisfied", "reason": "fail"}}
        by_policy.setdefault(policy, set()).add(control)
        by_policy[policy] |= {v for n, v in props if n in ("cisa-item", "ccc-control")}
    # Every violated policy of the fixture, each with exactly the controls its doc page lists.
    assert set(by_policy) == {"private-data-stores", "us-region-providers", "residency-tags"}
    for policy, controls in by_policy.items():
        assert controls == _doc_controls(policy), policy
    reviewed = result["reviewed-controls"]["control-selections"][0]["include-controls"]
    assert {"control-id": "sc-7"} in reviewed and {"control-id": "sa-9.5"} in reviewed


def test_violations_are_observations_and_findings_point_at_them(report):
    (result,) = to_oscal(report)["assessment-results"]["results"]
    observations = {o["uuid"]: o for o in result["observations"]}
    violations = [o for o in observations.values() if o["types"] == ["finding"]]
    assert len(violations) == len(report.violations) == 3
    checked = [o for o in observations.values() if o["types"] == ["control-objective"]]
    assert len(checked) == len(report.policies)
    for finding in result["findings"]:
        for related in finding["related-observations"]:
            assert observations[related["observation-uuid"]]["types"] == ["finding"]
    region = next(o for o in violations if "us-region-providers" in o["title"])
    assert {"name": "policy-id", "ns": region["props"][0]["ns"], "value": "RK-REG-001"} in region["props"]
    assert "<script>" in region["description"]  # JSON carries the text as data; no markup is rendered


def test_waivers_are_risks_with_approver_and_expiry_linked_to_the_waived_finding(report):
    (result,) = to_oscal(report)["assessment-results"]["results"]
    (risk,) = result["risks"]
    assert risk["status"] == "deviation-approved" and risk["statement"] == REASON
    assert risk["deadline"] == "2027-03-31T23:59:59Z"
    values = {p["name"]: p["value"] for p in risk["props"]}
    assert values["approver"] == "ciso@example.com" and values["resource"] == PUBLIC
    waived = [f for f in result["findings"] if any(p["value"] == "private-data-stores" for p in f["props"])]
    assert waived and all(f["related-risks"] == [{"risk-uuid": risk["uuid"]}] for f in waived)
    unwaived = [f for f in result["findings"] if f not in waived]
    assert all("related-risks" not in f for f in unwaived)


def test_sanctioned_interfaces_in_the_rules_are_risks_with_their_review_date(validator, pack_dir):
    interface = {"name": "ads-measurement", "purpose": "Aggregated counts only, no user-level data",
                 "direction": "estate-to-parent", "parentEndpoints": ["203.0.113.40/32"], "ports": ["tcp/443"],
                 "gateway": {"name": "ads-fw", "type": "oci:NetworkFirewall/networkFirewall:NetworkFirewall"},
                 "approver": "us-security-officer@example.com", "reviewBy": "2027-06-30"}
    result = make_result(pack_dir)
    rules = result.rules[0]
    result.rules[0] = type(rules)(**{**rules.__dict__, "values": {**rules.values, "sanctionedInterfaces": [interface]}})
    report = build_report(result, project="kit", stack=STACK,
                          generated_at=dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC))
    document = to_oscal(report)
    assert _errors(validator, document) == []
    risks = {r["title"]: r for r in document["assessment-results"]["results"][0]["risks"]}
    risk = risks["Sanctioned interface ads-measurement"]
    assert risk["status"] == "deviation-approved" and risk["deadline"] == "2027-06-30T23:59:59Z"
    values = {p["name"]: p["value"] for p in risk["props"]}
    assert values["approver"] == "us-security-officer@example.com" and values["ports"] == "tcp/443"
    # Interfaces are risks, not parameters.
    params = [p["value"] for p in document["assessment-results"]["results"][0]["props"] if p["name"] == "rules-parameter"]
    assert not any(v.startswith("sanctionedInterfaces") for v in params)


def test_the_rules_in_force_are_the_parameters_and_travel_whole_in_the_back_matter(report):
    document = to_oscal(report)["assessment-results"]
    props = document["results"][0]["props"]
    (pack,) = report.packs
    params = {p["class"]: p["value"] for p in props if p["name"] == "rules-parameter"}
    assert params["allowedRegions.oci"] == "allowedRegions.oci = " + ", ".join(pack.rules.values["allowedRegions"]["oci"])
    assert params["minimumRetentionDays"] == f"minimumRetentionDays = {pack.rules.values['minimumRetentionDays']}"
    assert any(p["name"] == "rules-digest" and p["value"] == pack.rules.digest for p in props)
    resources = {r["title"]: r for r in document["back-matter"]["resources"]}
    carried = json.loads(base64.b64decode(resources["Rules in force of us-data-residency"]["base64"]["value"]))
    assert carried["digest"] == pack.rules.digest and carried["values"] == json.loads(json.dumps(pack.rules.values))
    assert document["import-ap"]["href"] == "#" + next(r["uuid"] for r in document["back-matter"]["resources"]
                                                       if r["title"].startswith("Assessment plan"))


def test_control_ids_follow_the_oscal_catalogue_form():
    assert [control_id(c) for c in ("SC-7", "SC-7(5)", "CP-6(1)", "SA-9(5)")] == ["sc-7", "sc-7.5", "cp-6.1", "sa-9.5"]
    with pytest.raises(ValueError):
        control_id("CCC.Core.CN06")
