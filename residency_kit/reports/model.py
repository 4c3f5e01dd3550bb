"""The report model: one preview or audit, its packs, every policy's result, violations, waivers, sanctioned
interfaces, assumptions.

Built from the structured ``PreviewResult`` (an audit's ``AuditResult`` is one): violations with their
policy, level and the program line that declared the resource, the waiver the pack applied
(``engine.pack_rules``), the rules file and digest each pack ran with, what the engine assumed instead of
computing, and the same warnings and counts as the text output (``engine.result_summary``). A policy's
result is:

- ``fail``: at least one mandatory violation;
- ``warn``: advisory violations only, at least one of them not waived;
- ``waived``: violations, all of them waived (a waiver lowers a violation to advisory);
- ``not applicable``: disabled by config, or the pack reported it not applicable to everything it saw;
- ``not checked``: the run failed (exit 2) before the policy could have found anything: never a pass;
- ``pass``: otherwise.

The verdict is ``error`` when the run failed (the program, a pack or the setup; the report holds what was
learned before the failure), ``failed`` (a mandatory violation), ``not checked`` when the run could not check
everything (no policy ran, a remote component's resources exist only in its provider's ``Construct``), else
``passed``. The counts line of a run that is not checked says so first (``result_summary.violation_summary``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from residency_kit.engine.invokes.ledger import InvokeRecord
from residency_kit.engine.levels import EnforcementLevel, PolicyType, Severity
from residency_kit.engine.pack_rules import RulesInForce, WaiverInfo, waiver_of
from residency_kit.engine.results import NotApplicable, PreviewResult, Verdict
from residency_kit.engine.result_summary import (
    COUNTED,
    ResourceCounts,
    assumption_lines,
    resource_counts,
    violation_summary,
    warnings,
)
from residency_kit.engine.pack_controls import ControlLink, controls_for
from residency_kit.reports.interfaces import InterfaceRecord, records_for_result
from residency_kit.reports.inventory import Inventory
from residency_kit.reports.pack_hash import pack_content_hash
from residency_kit.reports.provenance import Provenance
from residency_kit.reports.stores import store_table

_RUN_FAILED_NOTE = "the run failed before this policy could check everything"


class ReportKind(StrEnum):
    PREVIEW = "preview"
    AUDIT = "audit"


class PolicyStatus(StrEnum):
    """One policy's result in a report, in the order reports list them (``rank``)."""

    FAIL = "fail"
    """At least one mandatory violation."""
    WARN = "warn"
    """Advisory violations only, at least one of them not waived."""
    WAIVED = "waived"
    """Violations, all of them waived (a waiver lowers a violation to advisory)."""
    NOT_CHECKED = "not checked"
    """The run failed before the policy could have found anything: never a pass."""
    PASS = "pass"
    NOT_APPLICABLE = "not applicable"
    """Disabled by config, or the pack said it does not apply to anything it saw."""

    @property
    def rank(self) -> int:
        return list(PolicyStatus).index(self)

    @property
    def skipped(self) -> bool:
        """Whether a test report shows it as skipped: neither judged nor failed."""
        return self in (PolicyStatus.NOT_APPLICABLE, PolicyStatus.NOT_CHECKED)


@dataclass(frozen=True)
class ViolationRecord:
    pack: str
    policy: str
    level: EnforcementLevel
    severity: Severity
    urn: str
    resource_type: str
    resource_name: str
    message: str
    waiver: WaiverInfo | None = None
    source_file: str = ""
    """The program file that declared the resource (absolute), empty for stack-level findings."""
    source_line: int = 0
    rules_digest: str = ""
    policy_id: str = ""
    """The policy's stable ID (``RK-NET-003``) when its pack maps it (``engine.pack_controls``)."""

    @property
    def waived(self) -> bool:
        return self.waiver is not None

    @property
    def mandatory(self) -> bool:
        return self.level is EnforcementLevel.MANDATORY


@dataclass(frozen=True)
class PolicyRecord:
    pack: str
    name: str
    description: str
    severity: Severity
    enforcement_level: EnforcementLevel
    policy_type: PolicyType
    remediation: str
    url: str
    tags: tuple[str, ...]
    framework: Mapping[str, str]
    status: PolicyStatus
    status_note: str
    violations: tuple[ViolationRecord, ...]
    policy_id: str = ""
    controls: tuple[ControlLink, ...] = ()
    """Every control the policy's findings bear on (NIST SP 800-53, CISA, FINOS CCC), when its pack maps it."""

    @property
    def controls_label(self) -> str:
        return ", ".join(c.id for c in self.controls)

    @property
    def framework_label(self) -> str:
        fw = self.framework
        parts = [fw.get("name", ""), fw.get("version", "")]
        label = " ".join(p for p in parts if p)
        ref = fw.get("reference", "")
        return f"{label} · {ref}" if label and ref else label or ref


@dataclass(frozen=True)
class PackRecord:
    name: str
    version: str
    path: str
    content_hash: str
    policies: tuple[PolicyRecord, ...]
    origin: str = ""
    rules: RulesInForce | None = None
    policies_enabled: int = 0


@dataclass(frozen=True)
class ResourceRecord:
    urn: str
    type: str
    name: str
    cloud: str
    region: str
    compartment: str
    protect: bool
    source_file: str = ""
    source_line: int = 0


@dataclass(frozen=True)
class Report:
    kind: ReportKind
    project: str
    stack: str
    generated_at: dt.datetime
    packs: tuple[PackRecord, ...]
    resources: tuple[ResourceRecord, ...]
    violations: tuple[ViolationRecord, ...]
    waivers: tuple[WaiverInfo, ...]
    warnings: tuple[str, ...] = ()
    assumptions: tuple[str, ...] = ()
    """One line per invoke or read whose answer was assumed rather than computed."""
    invokes: tuple[InvokeRecord, ...] = ()
    counts: ResourceCounts = field(default_factory=lambda: ResourceCounts(0, 0, 0))
    checked: bool = True
    source: str = ""
    """What was analyzed: the project directory or the state file."""
    diagram_svg: str | None = None
    diagram_note: str = ""
    counted: str = COUNTED
    not_checked: tuple[str, ...] = ()
    """Why the run is not a verdict (empty when it is one)."""
    error: str = ""
    """The error of a run that failed (exit 2)."""
    provenance: Provenance | None = None
    """What produced the report (kit version, rules digests, program commit or state digest)."""
    stores: tuple[Any, ...] = ()
    """One ``reports.stores.StoreRecord`` per data store of the run."""
    interfaces: tuple[InterfaceRecord, ...] = ()
    """The sanctioned interfaces the rules in force declare, as the pack's proof finds them in this stack."""

    @property
    def policies(self) -> tuple[PolicyRecord, ...]:
        return tuple(p for pack in self.packs for p in pack.policies)

    @property
    def mandatory(self) -> tuple[ViolationRecord, ...]:
        return tuple(v for v in self.violations if v.mandatory)

    @property
    def advisory(self) -> tuple[ViolationRecord, ...]:
        """Every advisory violation, waived ones included (as the text output counts them)."""
        return tuple(v for v in self.violations if v.level is EnforcementLevel.ADVISORY)

    @property
    def waived(self) -> tuple[ViolationRecord, ...]:
        return tuple(v for v in self.violations if v.waived)

    @property
    def passed(self) -> bool:
        return self.checked and not self.mandatory

    @property
    def verdict(self) -> Verdict:
        return Verdict.of(error=bool(self.error), mandatory=bool(self.mandatory), checked=self.checked)

    @property
    def violation_summary(self) -> str:
        """The counts line every report prints, worded as the text output words it."""
        return violation_summary(
            len(self.mandatory), len(self.advisory), len(self.waived), checked=self.checked,
            policies_run=sum(p.policies_enabled for p in self.packs), error=bool(self.error),
        )

    def count(self, status: PolicyStatus) -> int:
        return sum(1 for p in self.policies if p.status is status)


def _status(
    level: EnforcementLevel, violations: Sequence[ViolationRecord], not_applicable: Sequence[NotApplicable],
    policy_type: PolicyType, resource_count: int,
) -> tuple[PolicyStatus, str]:
    if level is EnforcementLevel.DISABLED:
        return PolicyStatus.NOT_APPLICABLE, "disabled by policy config"
    if any(v.mandatory for v in violations):
        return PolicyStatus.FAIL, ""
    if any(not v.waived for v in violations):
        return PolicyStatus.WARN, ""
    if violations:
        return PolicyStatus.WAIVED, ""
    if not_applicable:
        # A stack policy answers once for the stack; a resource policy once per resource, so it is not
        # applicable only when it said so for every resource (its stack phase, if any, names no resource).
        scoped = {n.urn for n in not_applicable}
        if policy_type is PolicyType.STACK or len(scoped - {""}) >= resource_count:
            reasons = sorted({n.reason for n in not_applicable if n.reason})
            return PolicyStatus.NOT_APPLICABLE, "; ".join(reasons)
    return PolicyStatus.PASS, ""


def build_report(
    result: PreviewResult,
    *,
    kind: ReportKind = ReportKind.PREVIEW,
    project: str,
    stack: str,
    outputs: Mapping[str, Mapping[str, Any]] | None = None,
    extra_warnings: Sequence[str] = (),
    generated_at: dt.datetime | None = None,
    source: str = "",
    diagram_svg: str | None = None,
    diagram_note: str = "",
    provenance: Provenance | None = None,
) -> Report:
    """The report for one run (a ``PreviewResult``; ``outputs`` are an audit's resource outputs by URN)."""
    rules = result.pack_rules
    # Rules given by a caller may cover fewer packs than ran: the rest have none recorded.
    digest_of = {info.name: (r.digest if r else "") for info, r in zip(result.packs, rules, strict=False)}
    mapped = {
        (info.name, policy.name): found
        for index, info in enumerate(result.packs)
        for policy in info.policies
        if (found := controls_for(result.pack_dirs[index] if index < len(result.pack_dirs) else None, policy.name))
    }
    by_urn = result.stack.by_urn
    violations = []
    for v in result.violations:
        resource = by_urn.get(v.urn)
        violations.append(
            ViolationRecord(
                pack=v.policy_pack, policy=v.policy, level=v.enforcement_level, severity=v.severity, urn=v.urn,
                resource_type=v.resource_type, resource_name=v.resource_name, message=v.message,
                waiver=waiver_of(result, v),
                source_file=resource.source_file if resource is not None else "",
                source_line=resource.source_line if resource is not None else 0,
                rules_digest=digest_of.get(v.policy_pack, ""),
                policy_id=found.policy_id if (found := mapped.get((v.policy_pack, v.policy))) else "",
            )
        )

    resource_count = len(result.resources)
    run_failed = result.failure is not None
    pack_records: list[PackRecord] = []
    for index, info in enumerate(result.packs):
        pack_dir = result.pack_dirs[index] if index < len(result.pack_dirs) else None
        mine = [v for v in violations if v.pack == info.name]
        records: list[PolicyRecord] = []
        known = set()
        for policy in info.policies:
            known.add(policy.name)
            level = info.effective_level(policy)
            own = tuple(v for v in mine if v.policy == policy.name)
            na = [n for n in result.not_applicable if n.policy_pack == info.name and n.policy == policy.name]
            status, note = _status(level, own, na, policy.policy_type, resource_count)
            if status is PolicyStatus.PASS and run_failed:
                status, note = PolicyStatus.NOT_CHECKED, _RUN_FAILED_NOTE
            records.append(
                PolicyRecord(
                    pack=info.name, name=policy.name, description=policy.description, severity=policy.severity,
                    enforcement_level=level, policy_type=policy.policy_type, remediation=policy.remediation_steps,
                    url=policy.url, tags=tuple(policy.tags), framework=dict(policy.framework), status=status,
                    status_note=note, violations=own,
                    policy_id=found.policy_id if (found := mapped.get((info.name, policy.name))) else "",
                    controls=found.controls if found else (),
                )
            )
        # Violations of a name the pack does not list (e.g. pulumi_policy's own diagnostics) still count.
        for name in sorted({v.policy for v in mine} - known):
            own = tuple(v for v in mine if v.policy == name)
            status, note = _status(own[0].level, own, [], PolicyType.UNKNOWN, resource_count)
            records.append(
                PolicyRecord(
                    pack=info.name, name=name, description="", severity=own[0].severity, enforcement_level=own[0].level,
                    policy_type=PolicyType.UNKNOWN, remediation="", url="", tags=(), framework={}, status=status,
                    status_note="not listed by the pack's analyzer info", violations=own,
                )
            )
        pack_records.append(
            PackRecord(
                name=info.name, version=info.version, path=str(pack_dir) if pack_dir else "",
                content_hash=pack_content_hash(pack_dir) if pack_dir and Path(pack_dir).is_dir() else "",
                policies=tuple(records), origin=result.pack_origin, rules=rules[index] if index < len(rules) else None,
                policies_enabled=len(info.enabled_policies),
            )
        )

    inventory = Inventory(
        [{"urn": r.urn, "type": r.type, "name": r.name, "provider": r.provider, "inputs": r.inputs, "custom": r.custom,
          "id": r.id} for r in result.resources],
        outputs=outputs,
        property_dependencies={r.urn: r.property_dependencies for r in result.resources},
    )
    resources = []
    for r in result.resources:
        placement = inventory.placement(inventory.by_urn[r.urn])
        resources.append(
            ResourceRecord(
                urn=r.urn, type=r.type, name=r.name, cloud=placement.cloud, region=placement.region,
                compartment=placement.compartment, protect=bool(r.protect), source_file=r.source_file,
                source_line=r.source_line,
            )
        )

    waivers: dict[WaiverInfo, None] = {}
    for pack_rules in rules:
        if pack_rules is not None:
            waivers.update(dict.fromkeys(pack_rules.all_waivers))
    return Report(
        kind=kind,
        project=project,
        stack=stack,
        generated_at=generated_at or dt.datetime.now(dt.UTC),
        packs=tuple(pack_records),
        resources=tuple(resources),
        violations=tuple(violations),
        waivers=tuple(waivers),
        warnings=tuple(warnings(result, rules)) + tuple(extra_warnings),
        assumptions=tuple(assumption_lines(result)),
        invokes=tuple(result.invokes),
        counts=resource_counts(result),
        checked=result.checked,
        not_checked=tuple(result.not_checked),
        error=result.failure.text if result.failure is not None else "",
        source=source,
        diagram_svg=diagram_svg,
        diagram_note=diagram_note,
        provenance=provenance,
        stores=tuple(store_table(result, {r.urn: r.region for r in resources}, _classification_key(rules))),
        interfaces=records_for_result(result, rules),
    )


def _classification_key(rules: Sequence[RulesInForce | None]) -> str:
    for pack_rules in rules:
        if pack_rules is not None:
            found = pack_rules.values.get("dataClassification") or {}
            if isinstance(found, Mapping) and isinstance(found.get("tagKey"), str):
                return found["tagKey"]
    return "residency-data"


@dataclass
class InventoryGroup:
    cloud: str
    region: str
    compartment: str
    resources: list[ResourceRecord] = field(default_factory=list)


def inventory_groups(report: Report) -> list[InventoryGroup]:
    """Resources grouped by cloud, region and compartment (the root Stack and components excluded)."""
    groups: dict[tuple[str, str, str], InventoryGroup] = {}
    for r in report.resources:
        if r.cloud in ("component", "Pulumi"):
            continue
        key = (r.cloud, r.region, r.compartment)
        groups.setdefault(key, InventoryGroup(*key)).resources.append(r)
    return [groups[k] for k in sorted(groups)]
