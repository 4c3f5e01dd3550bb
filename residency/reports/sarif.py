"""SARIF 2.1.0 for code scanning: one rule per policy, one result per violation.

- A rule carries the policy's metadata: description, severity (also as GitHub's numeric
  ``security-severity``), remediation (``help``), doc ``helpUri``, tags and compliance framework.
- A result names the resource by URN as its logical location. Code scanning also requires a physical
  location, so each result points at the file that configures what was analyzed (the stack's config file
  for a preview, the state file for an audit).
- A waived violation (advisory, quoting a waiver) is a result with an ``external`` suppression whose
  justification is the waiver's reason.
"""

from __future__ import annotations

import hashlib
from typing import Any

from residency.reports.model import PolicyRecord, Report, ViolationRecord

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_URI = "https://github.com/residency-kit/residency-kit"
_LEVELS = {"mandatory": "error", "remediate": "error", "advisory": "warning", "disabled": "none"}
# GitHub maps security-severity to critical (>= 9.0), high (7.0-8.9), medium (4.0-6.9) and low (< 4.0).
_SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}


def rule_ids(report: Report) -> dict[tuple[str, str], str]:
    """Policy names are the rule ids; a name two packs share is qualified by its pack."""
    names = [p.name for p in report.policies]
    return {
        (p.pack, p.name): (p.name if names.count(p.name) == 1 else f"{p.pack}/{p.name}") for p in report.policies
    }


def _rule(policy: PolicyRecord, rule_id: str) -> dict[str, Any]:
    properties: dict[str, Any] = {"tags": list(policy.tags), "policyPack": policy.pack}
    if policy.severity:
        properties["severity"] = policy.severity
        properties["security-severity"] = _SECURITY_SEVERITY.get(policy.severity, "5.5")
    if policy.framework:
        properties["framework"] = dict(policy.framework)
    if policy.policy_type:
        properties["policyType"] = policy.policy_type
    rule: dict[str, Any] = {
        "id": rule_id,
        "name": policy.name,
        "shortDescription": {"text": policy.description or policy.name},
        "fullDescription": {"text": policy.description or policy.name},
        "defaultConfiguration": {
            "level": _LEVELS.get(policy.enforcement_level, "warning"),
            "enabled": policy.enforcement_level != "disabled",
        },
        "properties": properties,
    }
    if policy.remediation:
        rule["help"] = {"text": policy.remediation, "markdown": f"**Remediation:** {policy.remediation}"}
    if policy.url:
        rule["helpUri"] = policy.url
    return rule


def _fingerprint(v: ViolationRecord) -> str:
    return hashlib.sha256(f"{v.pack}\0{v.policy}\0{v.urn}".encode()).hexdigest()


def _result(v: ViolationRecord, rule_id: str, rule_index: int, artifact_uri: str) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": rule_id,
        "level": _LEVELS.get(v.level, "warning"),
        "message": {"text": (f"{v.resource_type} {v.resource_name}: " if v.urn else "") + v.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": artifact_uri, "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 1},
                },
                "logicalLocations": [
                    {"fullyQualifiedName": v.urn, "name": v.resource_name or v.urn, "kind": "resource"}
                ]
                if v.urn
                else [],
            }
        ],
        "partialFingerprints": {"residencyViolation/v1": _fingerprint(v)},
        "properties": {"enforcementLevel": v.level, "severity": v.severity, "policyPack": v.pack},
    }
    if rule_index >= 0:
        result["ruleIndex"] = rule_index
    if v.waiver is not None:
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": v.waiver.reason,
                "properties": {"approver": v.waiver.approver, "expires": v.waiver.expires},
            }
        ]
    return result


def to_sarif(report: Report, *, artifact_uri: str = "Pulumi.yaml", tool_version: str = "") -> dict[str, Any]:
    ids = rule_ids(report)
    policies = list(report.policies)
    rules = [_rule(p, ids[(p.pack, p.name)]) for p in policies]
    index = {(p.pack, p.name): i for i, p in enumerate(policies)}
    results = []
    for v in report.violations:
        key = (v.pack, v.policy)
        results.append(_result(v, ids.get(key, v.policy), index.get(key, -1), artifact_uri))
    driver: dict[str, Any] = {
        "name": "residency",
        "informationUri": TOOL_URI,
        "rules": rules,
    }
    if tool_version:
        driver["version"] = tool_version
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": driver,
                    "extensions": [
                        {"name": pack.name, "version": pack.version or "0.0.0",
                         "properties": {"contentHash": pack.content_hash}}
                        for pack in report.packs
                    ],
                },
                "automationDetails": {"id": f"residency/{report.kind}/{report.stack}/"},
                "originalUriBaseIds": {
                    "%SRCROOT%": {"description": {"text": "The repository root (where the command ran)."}}
                },
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "endTimeUtc": report.generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "properties": {"kind": report.kind, "stack": report.stack, "project": report.project},
                    }
                ],
                "results": results,
            }
        ],
    }
