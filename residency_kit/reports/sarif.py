"""SARIF 2.1.0 for code scanning: one rule per policy, one result per violation.

- A rule carries the policy's metadata: description, severity (also as GitHub's numeric
  ``security-severity``), remediation (``help``), doc ``helpUri``, tags and compliance framework.
- A result names the resource by URN as its logical location, and its physical location is the program line
  that declared the resource (the SDK's source position), relative to the directory the command ran in, so
  code scanning annotates the line where the fix belongs. A finding without one (a stack-level finding, a
  resource declared outside that directory, an audit) points at the file that configures what was analyzed
  (the stack's config file for a preview, the state file for an audit).
- The run's invocation carries every warning and assumption of the text output as notifications (and
  the error of a run that failed, as an error notification, with ``executionSuccessful`` false); each
  pack (a tool extension) names the rules file it ran with and its digest.
- A waived violation (advisory, quoting a waiver) is a result with an ``external`` suppression whose
  justification is the waiver's reason.
- The rule ids stay the policy names (code scanning keys alerts by them); a residency policy's stable ID
  (``RK-NET-003``) and mapped controls are the rule's ``policyId`` and ``controls`` properties, and each result
  carries its ``policyId``. The invocation carries the provenance (kit version, rules digests, program commit).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from residency_kit.engine.levels import EnforcementLevel, Severity
from residency_kit.reports.model import PackRecord, PolicyRecord, Report, ViolationRecord

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_URI = "https://github.com/residency-kit/residency-kit"
_LEVELS = {
    EnforcementLevel.MANDATORY: "error", EnforcementLevel.REMEDIATE: "error", EnforcementLevel.ADVISORY: "warning",
    EnforcementLevel.DISABLED: "none",
}
# GitHub maps security-severity to critical (>= 9.0), high (7.0-8.9), medium (4.0-6.9) and low (< 4.0).
_SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5", Severity.LOW: "3.0"}


def rule_ids(report: Report) -> dict[tuple[str, str], str]:
    """Policy names are the rule ids; a name two packs share is qualified by its pack."""
    names = [p.name for p in report.policies]
    return {
        (p.pack, p.name): (p.name if names.count(p.name) == 1 else f"{p.pack}/{p.name}") for p in report.policies
    }


def _rule(policy: PolicyRecord, rule_id: str) -> dict[str, Any]:
    properties: dict[str, Any] = {"tags": list(policy.tags), "policyPack": policy.pack}
    if policy.severity:
        properties["severity"] = policy.severity.value
        properties["security-severity"] = _SECURITY_SEVERITY.get(policy.severity, "5.5")
    if policy.framework:
        properties["framework"] = dict(policy.framework)
    if policy.policy_type:
        properties["policyType"] = policy.policy_type.value
    if policy.policy_id:
        properties["policyId"] = policy.policy_id
    if policy.controls:
        properties["controls"] = [c.as_json() for c in policy.controls]
    rule: dict[str, Any] = {
        "id": rule_id,
        "name": policy.name,
        "shortDescription": {"text": policy.description or policy.name},
        "fullDescription": {"text": policy.description or policy.name},
        "defaultConfiguration": {
            "level": _LEVELS[policy.enforcement_level],
            "enabled": policy.enforcement_level is not EnforcementLevel.DISABLED,
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


def program_uri(path: str, root: Path | None) -> str | None:
    """``path`` as a URI relative to ``root`` (``%SRCROOT%``), or ``None`` when it is not under it."""
    if not path or root is None:
        return None
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


def _result(v: ViolationRecord, rule_id: str, rule_index: int, artifact_uri: str, root: Path | None) -> dict[str, Any]:
    uri = program_uri(v.source_file, root) if v.source_line > 0 else None
    location = {"uri": uri, "line": v.source_line} if uri else {"uri": artifact_uri, "line": 1}
    properties: dict[str, Any] = {"enforcementLevel": v.level.value, "severity": v.severity.value, "policyPack": v.pack}
    if v.policy_id:
        properties["policyId"] = v.policy_id
    if v.rules_digest:
        properties["rulesDigest"] = v.rules_digest
    result: dict[str, Any] = {
        "ruleId": rule_id,
        "level": _LEVELS[v.level],
        "message": {"text": (f"{v.resource_type} {v.resource_name}: " if v.urn else "") + v.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": location["uri"], "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": location["line"]},
                },
                "logicalLocations": [
                    {"fullyQualifiedName": v.urn, "name": v.resource_name or v.urn, "kind": "resource"}
                ]
                if v.urn
                else [],
            }
        ],
        "partialFingerprints": {"residencyViolation/v1": _fingerprint(v)},
        "properties": properties,
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


def _extension(pack: PackRecord) -> dict[str, Any]:
    properties: dict[str, Any] = {"contentHash": pack.content_hash, "origin": pack.origin,
                                  "policiesEnabled": pack.policies_enabled}
    if pack.rules is not None:
        properties.update(rulesDigest=pack.rules.digest, rulesSources=[s.as_json() for s in pack.rules.sources],
                          rules=dict(pack.rules.values), rulesOverrides={k: list(v) for k, v in pack.rules.overrides.items()},
                          illustrativeIdentifiers=list(pack.rules.illustrative))
    return {"name": pack.name, "version": pack.version or "0.0.0", "properties": properties}


def _notifications(report: Report) -> list[dict[str, Any]]:
    errors = [{"level": "error", "message": {"text": report.error}}] if report.error else []
    return errors + [{"level": "warning", "message": {"text": w}} for w in report.warnings]


def to_sarif(
    report: Report, *, artifact_uri: str = "Pulumi.yaml", tool_version: str = "", source_root: Path | None = None
) -> dict[str, Any]:
    """``source_root`` is ``%SRCROOT%``: program lines under it are the results' locations."""
    ids = rule_ids(report)
    policies = list(report.policies)
    rules = [_rule(p, ids[(p.pack, p.name)]) for p in policies]
    index = {(p.pack, p.name): i for i, p in enumerate(policies)}
    results = []
    for v in report.violations:
        key = (v.pack, v.policy)
        results.append(_result(v, ids.get(key, v.policy), index.get(key, -1), artifact_uri, source_root))
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
                    "extensions": [_extension(pack) for pack in report.packs],
                },
                "automationDetails": {"id": f"residency/{report.kind}/{report.stack}/"},
                "originalUriBaseIds": {
                    "%SRCROOT%": {"description": {"text": "The repository root (where the command ran)."}}
                },
                "invocations": [
                    {
                        "executionSuccessful": report.checked,
                        "endTimeUtc": report.generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "toolExecutionNotifications": _notifications(report),
                        "properties": {
                            "kind": report.kind.value, "stack": report.stack, "project": report.project,
                            "verdict": report.verdict.value, "violations": report.violation_summary,
                            "resourcesAnalyzed": report.counts.analyzed, "resourcesToCreate": report.counts.to_create,
                            "counted": report.counted, "assumptions": list(report.assumptions),
                            **({"provenance": report.provenance.as_json()} if report.provenance else {}),
                            "dataStores": [store.as_json() for store in report.stores],
                            "sanctionedInterfaces": [i.as_json() for i in report.interfaces],
                        },
                    }
                ],
                "results": results,
            }
        ],
    }
