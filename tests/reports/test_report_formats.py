from __future__ import annotations

import json
from pathlib import Path
import xml.etree.ElementTree as ET

from report_fixtures import AWS_BUCKET, DEFAULT_AWS, PUBLIC, REASON

from residency_kit.reports.junit import to_junit
from residency_kit.reports.markdown import COMMENT_LIMIT, MARKER, to_markdown
from residency_kit.reports.sarif import to_sarif


def test_sarif_has_one_rule_per_policy_with_its_metadata(report):
    sarif = to_sarif(report, artifact_uri="stacks/Pulumi.us-prod.yaml", tool_version="0.1.0")
    json.dumps(sarif)  # serializable
    assert sarif["version"] == "2.1.0"
    assert sarif["$schema"].endswith("sarif-2.1.0.json")
    (run,) = sarif["runs"]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert set(rules) == {p.name for p in report.policies}
    rule = rules["private-data-stores"]
    assert rule["shortDescription"]["text"] == "private-data-stores description."
    assert rule["help"]["text"] == "Fix private-data-stores."
    assert rule["helpUri"] == "https://example.test/docs/private-data-stores"
    assert rule["properties"]["severity"] == "critical"
    assert rule["properties"]["security-severity"] == "9.5"
    assert rule["properties"]["tags"] == ["residency", "private"]
    assert rule["properties"]["framework"] == {"name": "US data residency", "version": "1.0", "reference": "PRIVAT"}
    assert rule["defaultConfiguration"] == {"level": "error", "enabled": True}
    assert rules["residency-tags"]["defaultConfiguration"]["level"] == "warning"
    assert rules["us-keys-for-data"]["defaultConfiguration"]["enabled"] is False
    assert run["automationDetails"]["id"] == "residency/preview/us-prod/"
    extension = run["tool"]["extensions"][0]["properties"]
    assert extension["contentHash"].startswith("sha256:")
    assert extension["rulesDigest"] == report.packs[0].rules.digest
    sources = extension["rulesSources"]
    assert [s["kind"] for s in sources] == ["pack rules file", "stack config"]
    assert sources[0]["location"].endswith("residency.yaml") and sources[1]["keys"] == ["parentCompany", "trusted", "estate"]
    assert extension["rules"]["parentCompany"]["cidrs"] == ["203.0.113.0/24", "2001:db8:bad::/48"]
    (invocation,) = run["invocations"]
    assert invocation["properties"]["violations"] == "1 mandatory, 2 advisory (1 of them waived)"
    assert invocation["properties"]["resourcesAnalyzed"] == len(report.resources)


def test_sarif_results_point_at_the_program_line_and_mark_waivers_suppressed(report):
    (run,) = to_sarif(report, artifact_uri="stacks/Pulumi.us-prod.yaml", source_root=Path("/repo"))["runs"]
    results = {r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]: r for r in run["results"]}
    assert set(results) == {PUBLIC, DEFAULT_AWS, AWS_BUCKET}
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert len(result["partialFingerprints"]["residencyViolation/v1"]) == 64

    def location(urn):
        physical = results[urn]["locations"][0]["physicalLocation"]
        return physical["artifactLocation"]["uri"], physical["region"]["startLine"]

    # The line that declared the resource, relative to %SRCROOT%; a default provider (declared by no line)
    # falls back to the stack's config file.
    assert location(AWS_BUCKET) == ("__main__.py", 12)
    assert location(PUBLIC) == ("__main__.py", 10)
    assert location(DEFAULT_AWS) == ("stacks/Pulumi.us-prod.yaml", 1)
    # Outside %SRCROOT% the program line cannot be annotated: the stack file again.
    (elsewhere,) = to_sarif(report, artifact_uri="stacks/Pulumi.us-prod.yaml", source_root=Path("/other"))["runs"]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in elsewhere["results"]} == {
        "stacks/Pulumi.us-prod.yaml"
    }

    waived = results[PUBLIC]
    assert waived["suppressions"] == [
        {"kind": "external", "status": "accepted", "justification": REASON,
         "properties": {"approver": "ciso@example.com", "expires": "2027-03-31"}}
    ]
    assert waived["level"] == "warning"
    assert results[DEFAULT_AWS]["level"] == "error"
    assert "suppressions" not in results[DEFAULT_AWS]
    assert results[DEFAULT_AWS]["locations"][0]["logicalLocations"][0]["kind"] == "resource"
    assert results[DEFAULT_AWS]["message"]["text"].startswith("pulumi:providers:aws default_7_51_1: ")


def test_junit_has_one_testcase_per_policy_with_failures_carrying_violations(report):
    root = ET.fromstring(to_junit(report))
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "us-data-residency@0.1.0"
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert set(cases) == {p.name for p in report.policies}
    # Only mandatory violations fail: residency-tags' advisory violation is reported, not failed.
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("5", "1", "1")
    failure = cases["us-region-providers"].find("failure")
    assert failure.get("type") == "mandatory"
    assert DEFAULT_AWS in failure.text and "Remediation: Fix us-region-providers." in failure.text
    assert cases["residency-tags"].find("failure") is None
    assert AWS_BUCKET in cases["residency-tags"].find("system-out").text
    props = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert props["rulesDigest"] == report.packs[0].rules.digest
    assert props["violations"] == "1 mandatory, 2 advisory (1 of them waived)"
    assert cases["us-keys-for-data"].find("skipped") is not None
    waived = cases["private-data-stores"]
    assert waived.find("failure") is None
    assert REASON in waived.find("system-out").text
    assert cases["backup-coverage"].find("failure") is None and cases["backup-coverage"].find("skipped") is None


def test_markdown_summary_for_a_pr_comment(report):
    text = to_markdown(report)
    assert text.startswith(MARKER)
    assert "### Residency preview: `us-prod` ❌ **failed**" in text
    assert "Policy violations: 1 mandatory, 2 advisory (1 of them waived)" in text
    assert f"- rules digest: {report.packs[0].rules.digest}" in text
    assert "- rules parent company: cidrs 203.0.113.0/24, 2001:db8:bad::/48;" in text
    assert "- rules sources: the pack's rules file " in text
    assert "| `residency-tags` | low | advisory | ⚠️ warn | 1 |" in text
    assert "`__main__.py:12`" in text
    assert "| `us-region-providers` | critical | mandatory | ❌ fail | 1 | RK-REG-001 | SA-9(5), CM-6 |" in text
    assert "| mandatory | critical | `us-region-providers` RK-REG-001 |" in text
    assert "| `private-data-stores` | critical | mandatory | 🟡 waived | 1 |" in text
    assert "| `us-keys-for-data` | high | disabled | ➖ n/a | 0 |" in text
    # Table cells escape the pipe a message contains, so the table keeps its columns.
    assert "region <script>alert(1)</script> \\| is not allowed" in text
    assert f"| `private-data-stores` | `public-<site>` | {REASON} | ciso@example.com | 2027-03-31 |" in text


def test_markdown_stays_under_the_comment_limit(report):
    from dataclasses import replace

    many = tuple(replace(report.violations[1], urn=f"{DEFAULT_AWS}-{i}", message="x" * 300) for i in range(2000))
    text = to_markdown(replace(report, violations=many))
    assert len(text) < COMMENT_LIMIT
    assert "more violation(s) not shown" in text


def test_html_links_only_web_urls(report):
    from dataclasses import replace

    from residency_kit.reports.html import to_html

    policies = tuple(replace(p, url="javascript:alert(1)") for p in report.packs[0].policies)
    page = to_html(replace(report, packs=(replace(report.packs[0], policies=policies),)))
    assert "javascript:" not in page
    assert 'href="https://example.test/docs/private-data-stores"' in to_html(report)


def test_every_report_lists_the_same_warnings(report):
    from dataclasses import replace

    from residency_kit.reports.html import to_html

    warned = replace(report, warnings=("assumed offline: invoke aws:ec2/getAmi:getAmi (default provider): made up: id",
                                       "rules still hold illustrative identifiers"))
    (run,) = to_sarif(warned)["runs"]
    assert [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]] == list(warned.warnings)
    suite = ET.fromstring(to_junit(warned)).find("testsuite")
    assert all(w in suite.find("system-out").text for w in warned.warnings)
    markdown = to_markdown(warned)
    page = to_html(warned)
    for w in warned.warnings:
        assert w in markdown
        assert w in page.replace("&#x27;", "'")


def test_every_report_shows_each_residency_policy_id_and_its_controls(report, pack_dir):
    """The stable ID in text, --json, SARIF, JUnit, Markdown and HTML; the controls where a format has room."""
    import io

    from report_fixtures import STACK, make_result

    from residency_kit.engine.display import render, text_console, to_json
    from residency_kit.reports.html import to_html

    region = {p.name: p for p in report.policies}["us-region-providers"]
    assert region.policy_id == "RK-REG-001"
    assert [(c.catalogue, c.id) for c in region.controls] == [
        ("NIST SP 800-53 rev. 5", "SA-9(5)"), ("NIST SP 800-53 rev. 5", "CM-6"),
        ("FINOS Common Cloud Controls", "CCC.Core.CN06"),
    ]
    result = make_result(pack_dir)
    document = to_json(result, project="kit", stack=STACK)
    assert {v["policy"]: v["policyId"] for v in document["violations"]} == {
        "private-data-stores": "RK-DATA-001", "us-region-providers": "RK-REG-001", "residency-tags": "RK-TAG-001"}
    buffer = io.StringIO()
    render(result, stack=STACK, console=text_console(file=buffer, width=300))
    assert "us-region-providers [RK-REG-001]  (pulumi:providers:aws: default_7_51_1)" in buffer.getvalue()

    (run,) = to_sarif(report)["runs"]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["us-region-providers"]["properties"]["policyId"] == "RK-REG-001"
    assert {c["id"] for c in rules["us-keys-for-data"]["properties"]["controls"]} >= {"SC-28", "II.B", "CCC.Core.CN02"}
    assert {r["ruleId"]: r["properties"]["policyId"] for r in run["results"]}["us-region-providers"] == "RK-REG-001"
    cases = {c.get("name"): c for c in ET.fromstring(to_junit(report)).find("testsuite").findall("testcase")}
    props = {p.get("name"): p.get("value") for p in cases["us-region-providers"].find("properties")}
    assert props["policyId"] == "RK-REG-001" and props["controls"] == "SA-9(5), CM-6, CCC.Core.CN06"
    assert "[mandatory] [RK-REG-001] " in cases["us-region-providers"].find("failure").text
    page = to_html(report)
    assert '<span class="policy-id">RK-REG-001</span>' in page
    assert '<div class="desc controls">SA-9(5), CM-6, CCC.Core.CN06</div>' in page


def test_a_policy_of_another_pack_gets_no_id_or_controls(pack_dir):
    import datetime as dt

    from report_fixtures import STACK, make_result

    from residency_kit.reports.model import build_report

    other = pack_dir.parent / "other-pack"
    other.mkdir()
    result = make_result(pack_dir)
    result.pack_dirs = [other]  # the same policy names, but not a residency pack
    plain = build_report(result, project="kit", stack=STACK, generated_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert all(p.policy_id == "" and p.controls == () for p in plain.policies)
    assert all(v.policy_id == "" for v in plain.violations)
    assert "policyId" not in json.dumps(to_sarif(plain))
