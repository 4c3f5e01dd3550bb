"""The report model: one preview or audit, its packs, every policy's result, violations, waivers and inventory.

Built from what ``residency preview --json`` prints (``resources``, ``policyPacks``, ``violations``,
``summary``) and each pack's analyzer info (``PackInfo``: policy metadata from ``GetAnalyzerInfo`` and the
reconciled config). A policy's result is:

- ``fail``: at least one violation that is not waived (mandatory or advisory);
- ``waived``: violations, all of them waived (reported as advisory, quoting a waiver);
- ``not applicable``: disabled by config, or the pack reported it not applicable to everything it saw;
- ``pass``: otherwise.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from residency.reports.inventory import Inventory
from residency.reports.pack_hash import pack_content_hash
from residency_policies.urns import urn_name, urn_type

STATUSES = ("fail", "waived", "not applicable", "pass")
# The policy pack's waivers quote themselves this way (policies/residency_policies/waivers.py ``Waiver.quote``).
WAIVER_QUOTE = re.compile(
    r'WAIVED for (?P<policy>\S+) by (?P<approver>.+?) until (?P<expires>\d{4}-\d{2}-\d{2}): "(?P<reason>.*?)"',
    re.DOTALL,
)
RULES_FILE = "residency.yaml"


@dataclass(frozen=True)
class WaiverRecord:
    policy: str
    urns: tuple[str, ...]
    reason: str
    approver: str
    expires: str
    source: str


@dataclass(frozen=True)
class ViolationRecord:
    pack: str
    policy: str
    level: str
    severity: str
    urn: str
    resource_type: str
    resource_name: str
    message: str
    waiver: WaiverRecord | None = None

    @property
    def waived(self) -> bool:
        return self.waiver is not None


@dataclass(frozen=True)
class PolicyRecord:
    pack: str
    name: str
    description: str
    severity: str
    enforcement_level: str
    policy_type: str
    remediation: str
    url: str
    tags: tuple[str, ...]
    framework: Mapping[str, str]
    status: str
    status_note: str
    violations: tuple[ViolationRecord, ...]

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


@dataclass(frozen=True)
class ResourceRecord:
    urn: str
    type: str
    name: str
    cloud: str
    region: str
    compartment: str
    protect: bool


@dataclass(frozen=True)
class Report:
    kind: str
    """``preview`` or ``audit``."""
    project: str
    stack: str
    generated_at: dt.datetime
    packs: tuple[PackRecord, ...]
    resources: tuple[ResourceRecord, ...]
    violations: tuple[ViolationRecord, ...]
    waivers: tuple[WaiverRecord, ...]
    warnings: tuple[str, ...] = ()
    source: str = ""
    """What was analyzed: the project directory or the state file."""
    diagram_svg: str | None = None
    diagram_note: str = ""

    @property
    def policies(self) -> tuple[PolicyRecord, ...]:
        return tuple(p for pack in self.packs for p in pack.policies)

    @property
    def mandatory(self) -> tuple[ViolationRecord, ...]:
        return tuple(v for v in self.violations if v.level == "mandatory")

    @property
    def advisory(self) -> tuple[ViolationRecord, ...]:
        return tuple(v for v in self.violations if v.level == "advisory" and not v.waived)

    @property
    def waived(self) -> tuple[ViolationRecord, ...]:
        return tuple(v for v in self.violations if v.waived)

    @property
    def passed(self) -> bool:
        return not self.mandatory

    def count(self, status: str) -> int:
        return sum(1 for p in self.policies if p.status == status)


# --- waivers -------------------------------------------------------------------------------------------


def _waiver_from(entry: Any, source: str, fallback_policy: str = "") -> WaiverRecord | None:
    if not isinstance(entry, Mapping):
        return None
    urns = entry.get("urns") or []
    return WaiverRecord(
        policy=str(entry.get("policy") or fallback_policy),
        urns=tuple(str(u) for u in urns) if isinstance(urns, list) else (str(urns),),
        reason=str(entry.get("reason", "")),
        approver=str(entry.get("approver", "")),
        expires=str(entry.get("expires", "")),
        source=source,
    )


def load_waivers(pack_dirs: Sequence[Path], pack_configs: Sequence[Path | None] = ()) -> list[WaiverRecord]:
    """Waivers from each pack's rules file and from ``waivers`` entries in the policy pack config files."""
    found: list[WaiverRecord] = []
    for pack_dir in pack_dirs:
        rules = Path(pack_dir) / RULES_FILE
        if rules.is_file():
            try:
                data = yaml.safe_load(rules.read_text()) or {}
            except yaml.YAMLError:
                data = {}
            for entry in (data.get("waivers") or []) if isinstance(data, Mapping) else []:
                waiver = _waiver_from(entry, str(rules))
                if waiver:
                    found.append(waiver)
    for config_file in pack_configs:
        if not config_file or not Path(config_file).is_file():
            continue
        try:
            data = json.loads(Path(config_file).read_text() or "{}")
        except json.JSONDecodeError:
            continue
        for policy, value in (data.items() if isinstance(data, Mapping) else []):
            if isinstance(value, Mapping) and isinstance(value.get("waivers"), list):
                for entry in value["waivers"]:
                    waiver = _waiver_from(entry, str(config_file), fallback_policy=policy)
                    if waiver:
                        found.append(waiver)
    return found


def _match_waiver(violation: Mapping[str, Any], waivers: Sequence[WaiverRecord]) -> WaiverRecord | None:
    """The waiver an advisory violation quotes, if it quotes one."""
    if violation.get("enforcementLevel") != "advisory":
        return None
    quote = WAIVER_QUOTE.search(violation.get("message", ""))
    if quote is None:
        return None
    for waiver in waivers:
        if waiver.policy == violation["policy"] and violation["urn"] in waiver.urns and waiver.reason == quote["reason"]:
            return waiver
    return WaiverRecord(
        policy=quote["policy"],
        urns=(violation["urn"],),
        reason=quote["reason"],
        approver=quote["approver"],
        expires=quote["expires"],
        source="quoted in the violation",
    )


# --- building --------------------------------------------------------------------------------------------


def _effective_level(info: Any, policy: Any) -> str:
    configured = getattr(info, "config", {}).get(policy.name)
    level = getattr(configured, "enforcement_level", "") if configured is not None else ""
    if not level:
        all_level = getattr(info, "config", {}).get("all")
        level = getattr(all_level, "enforcement_level", "") if all_level is not None else ""
    return level or policy.enforcement_level


def _status(
    level: str, violations: Sequence[ViolationRecord], not_applicable: Sequence[Mapping[str, Any]], policy_type: str,
    resource_count: int,
) -> tuple[str, str]:
    if level == "disabled":
        return "not applicable", "disabled by policy config"
    if any(not v.waived for v in violations):
        return "fail", ""
    if violations:
        return "waived", ""
    if not_applicable:
        scoped = {n.get("urn", "") for n in not_applicable}
        if policy_type == "stack" or len(scoped - {""}) >= resource_count:
            reasons = sorted({n.get("reason", "") for n in not_applicable if n.get("reason")})
            return "not applicable", "; ".join(reasons)
    return "pass", ""


def build_report(
    document: Mapping[str, Any],
    packs: Sequence[Any],
    *,
    kind: str = "preview",
    pack_dirs: Sequence[Path] = (),
    pack_configs: Sequence[Path | None] = (),
    outputs: Mapping[str, Mapping[str, Any]] | None = None,
    property_dependencies: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
    generated_at: dt.datetime | None = None,
    source: str = "",
    diagram_svg: str | None = None,
    diagram_note: str = "",
) -> Report:
    """The report for one run: ``document`` is the ``--json`` object, ``packs`` the packs' ``PackInfo``."""
    pack_dirs = [Path(p) for p in (pack_dirs or [p.get("path", "") for p in document.get("policyPacks", [])])]
    waivers = load_waivers(pack_dirs, pack_configs)
    resources_doc = list(document.get("resources", []))
    inventory = Inventory(resources_doc, outputs=outputs, property_dependencies=property_dependencies)

    violations: list[ViolationRecord] = []
    for v in document.get("violations", []):
        urn = v.get("urn", "")
        violations.append(
            ViolationRecord(
                pack=v.get("policyPack", ""),
                policy=v.get("policy", ""),
                level=v.get("enforcementLevel", ""),
                severity=v.get("severity", ""),
                urn=urn,
                resource_type=urn_type(urn),
                resource_name=urn_name(urn),
                message=v.get("message", ""),
                waiver=_match_waiver(v, waivers),
            )
        )
    for v in violations:  # a waiver known only from its quote is still listed
        if v.waiver is not None and v.waiver not in waivers and not any(
            w.policy == v.waiver.policy and w.reason == v.waiver.reason for w in waivers
        ):
            waivers.append(v.waiver)

    not_applicable = list(document.get("notApplicable", []))
    resource_count = len(resources_doc)
    pack_records: list[PackRecord] = []
    for index, info in enumerate(packs):
        pack_dir = pack_dirs[index] if index < len(pack_dirs) else None
        mine = [v for v in violations if v.pack == info.name]
        records: list[PolicyRecord] = []
        known = set()
        for policy in info.policies:
            known.add(policy.name)
            level = _effective_level(info, policy)
            own = tuple(v for v in mine if v.policy == policy.name)
            na = [n for n in not_applicable if n.get("policyPack") == info.name and n.get("policy") == policy.name]
            status, note = _status(level, own, na, policy.policy_type, resource_count)
            records.append(
                PolicyRecord(
                    pack=info.name,
                    name=policy.name,
                    description=policy.description,
                    severity=policy.severity,
                    enforcement_level=level,
                    policy_type=policy.policy_type,
                    remediation=policy.remediation_steps,
                    url=policy.url,
                    tags=tuple(policy.tags),
                    framework=dict(policy.framework),
                    status=status,
                    status_note=note,
                    violations=own,
                )
            )
        # Violations of a name the pack does not list (e.g. pulumi_policy's own diagnostics) still count.
        for name in sorted({v.policy for v in mine} - known):
            own = tuple(v for v in mine if v.policy == name)
            status, note = _status("", own, [], "", resource_count)
            records.append(
                PolicyRecord(
                    pack=info.name, name=name, description="", severity=own[0].severity, enforcement_level=own[0].level,
                    policy_type="", remediation="", url="", tags=(), framework={}, status=status,
                    status_note="not listed by the pack's analyzer info", violations=own,
                )
            )
        pack_records.append(
            PackRecord(
                name=info.name,
                version=info.version,
                path=str(pack_dir) if pack_dir else "",
                content_hash=pack_content_hash(pack_dir) if pack_dir and pack_dir.is_dir() else "",
                policies=tuple(records),
            )
        )

    resources = []
    for r in resources_doc:
        placement = inventory.placement(r)
        resources.append(
            ResourceRecord(
                urn=r["urn"], type=r["type"], name=r["name"], cloud=placement.cloud, region=placement.region,
                compartment=placement.compartment, protect=bool(r.get("protect")),
            )
        )

    return Report(
        kind=kind,
        project=str(document.get("project", "")),
        stack=str(document.get("stack", "")),
        generated_at=generated_at or dt.datetime.now(dt.timezone.utc),
        packs=tuple(pack_records),
        resources=tuple(resources),
        violations=tuple(violations),
        waivers=tuple(waivers),
        warnings=tuple(document.get("warnings", [])),
        source=source,
        diagram_svg=diagram_svg,
        diagram_note=diagram_note,
    )


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
