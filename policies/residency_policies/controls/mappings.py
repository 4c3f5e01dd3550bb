"""Each policy's stable ID and the controls it maps to; where kinds of finding differ, each kind's own controls.

The ID (``RK-<area>-<nnn>``) is unique and never reused or renumbered: auditors' records and the reports cite
it. A new policy takes the next number in its area. ``tests/policies/test_control_mappings.py`` fails when a
registered policy has no mapping, when two share an ID, or when a mapping names an item the catalogue lacks.

A policy maps to a control when its mandatory findings stop a deployment that would break part of what the
control asks; it is never a claim that the control is met (``coverage.py`` says how much of each is covered).
"""

from __future__ import annotations

from dataclasses import dataclass

from residency_policies.controls.catalogue import Catalogue, CatalogueItem, item


@dataclass(frozen=True)
class ControlRefs:
    """Controls by catalogue: 800-53 identifiers, CISA item numbers, CCC control IDs."""

    nist: tuple[str, ...] = ()
    cisa: tuple[str, ...] = ()
    ccc: tuple[str, ...] = ()

    def items(self) -> tuple[CatalogueItem, ...]:
        return (
            tuple(item(Catalogue.NIST_800_53, i) for i in self.nist)
            + tuple(item(Catalogue.CISA_RESTRICTED, i) for i in self.cisa)
            + tuple(item(Catalogue.FINOS_CCC, i) for i in self.ccc)
        )

    def union(self, other: ControlRefs) -> ControlRefs:
        def merged(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(dict.fromkeys(a + b))

        return ControlRefs(merged(self.nist, other.nist), merged(self.cisa, other.cisa), merged(self.ccc, other.ccc))


@dataclass(frozen=True)
class FindingKind:
    """A kind of finding a policy reports whose controls differ from its other kinds'."""

    name: str
    description: str
    controls: ControlRefs


@dataclass(frozen=True)
class PolicyMapping:
    policy: str
    id: str
    controls: ControlRefs
    kinds: tuple[FindingKind, ...] = ()

    @property
    def all_controls(self) -> ControlRefs:
        """The policy's controls and every kind's: what a finding of this policy may bear on."""
        refs = self.controls
        for kind in self.kinds:
            refs = refs.union(kind.controls)
        return refs


def _map(policy: str, policy_id: str, *, nist=(), cisa=(), ccc=(), kinds=()) -> PolicyMapping:
    return PolicyMapping(policy, policy_id, ControlRefs(tuple(nist), tuple(cisa), tuple(ccc)), tuple(kinds))


def _kind(name: str, description: str, *, nist=(), cisa=(), ccc=()) -> FindingKind:
    return FindingKind(name, description, ControlRefs(tuple(nist), tuple(cisa), tuple(ccc)))


MAPPINGS: tuple[PolicyMapping, ...] = (
    _map("us-region-providers", "RK-REG-001", nist=("SA-9(5)", "CM-6"), ccc=("CCC.Core.CN06",)),
    _map("us-region-replication", "RK-REG-002", nist=("SA-9(5)", "AC-4"), ccc=("CCC.Core.CN06", "CCC.Core.CN10"),
         kinds=(
             _kind("copy outside the allowed regions", "A replica, copy or replication target is in a region that "
                   "is not allowed.", nist=("SA-9(5)", "AC-4"), ccc=("CCC.Core.CN10",)),
             _kind("placement outside the allowed regions", "A key, store, subnet, endpoint or placement the "
                   "resource names is in a region that is not allowed.", nist=("SA-9(5)",), ccc=("CCC.Core.CN06",)),
         )),
    _map("us-keys-for-data", "RK-KEY-001", nist=("SC-28", "SC-28(1)", "SC-12"), cisa=("II.B",),
         ccc=("CCC.Core.CN02", "CCC.Core.CN11"), kinds=(
             _kind("missing key", "A data store has no customer-managed key.",
                   nist=("SC-28", "SC-28(1)"), cisa=("II.B",), ccc=("CCC.Core.CN02",)),
             _kind("key outside the perimeter", "A store's key is held outside the allowed regions or outside "
                   "the estate.", nist=("SC-12", "SA-9(5)"), cisa=("II.B",), ccc=("CCC.Core.CN11", "CCC.Core.CN06")),
         )),
    _map("immutable-backups", "RK-BAK-001", nist=("CP-9",), kinds=(
        _kind("no deletion guard or backup", "Deleting the store (or the stack) would lose its data.", nist=("CP-9",)),
        _kind("backups not immutable", "A backup bucket does not lock its objects for the minimum retention.",
              nist=("CP-9", "SI-12")),
    )),
    _map("backup-coverage", "RK-BAK-002", nist=("CP-6", "CP-6(1)", "CP-9"), ccc=("CCC.Core.CN08",)),
    _map("database-backup-retention", "RK-BAK-003", nist=("CP-9", "SI-12")),
    _map("retention-lock-times", "RK-BAK-004", nist=("CP-9", "SI-12")),
    _map("residency-tags", "RK-TAG-001", nist=("CM-8", "RA-2"), cisa=("I.A.1",)),
    _map("residency-waivers", "RK-GOV-001", nist=("CA-5", "CM-6")),
    _map("residency-rules", "RK-GOV-002", nist=("CM-6", "PL-8")),
    _map("no-parent-company-ingress", "RK-NET-001", nist=("SC-7", "SC-7(5)", "AC-4"), cisa=("I.B.4",),
         ccc=("CCC.Core.CN05", "CCC.Core.CN12")),
    _map("no-parent-company-egress", "RK-NET-002", nist=("SC-7", "AC-4"), ccc=("CCC.Core.CN12",)),
    _map("network-reachability", "RK-NET-003", nist=("SC-7", "SC-7(5)", "SC-7(21)", "AC-4"), cisa=("I.B.4",),
         ccc=("CCC.Core.CN05", "CCC.Core.CN12"), kinds=(
             _kind("path to or from the parent company", "A network path joins a parent-company range and the data "
                   "tier.", nist=("SC-7", "SC-7(5)", "AC-4"), cisa=("I.B.4",), ccc=("CCC.Core.CN05",)),
             _kind("path to or from the internet", "A network path joins the internet and the data tier.",
                   nist=("SC-7", "SC-7(21)"), cisa=("I.B.4",), ccc=("CCC.Core.CN12",)),
         )),
    _map("no-untrusted-peering", "RK-NET-004", nist=("CA-3", "SC-7", "AC-4"), cisa=("I.B.4",),
         ccc=("CCC.Core.CN05",)),
    _map("data-tier-placement", "RK-NET-005", nist=("SC-7(21)", "PL-8"), cisa=("I.B.4",), ccc=("CCC.Core.CN12",)),
    _map("no-cross-tenancy-grants", "RK-IAM-001", nist=("AC-3", "AC-6", "AC-21"), cisa=("II.D",),
         ccc=("CCC.Core.CN05",)),
    _map("private-data-stores", "RK-DATA-001", nist=("AC-3", "SC-7"), cisa=("I.B.4", "II.D"),
         ccc=("CCC.Core.CN05",)),
    _map("estate-deploy-targets", "RK-ISO-001", nist=("AC-20", "CM-6"), cisa=("II.D",), ccc=("CCC.Core.CN06",)),
    _map("no-untrusted-data-destinations", "RK-ISO-002", nist=("AC-4", "AC-21", "CA-3"), ccc=("CCC.Core.CN10",)),
    _map("no-parent-company-identifiers", "RK-ISO-003", nist=("AC-4", "AC-3", "SC-7"), cisa=("I.B.4", "II.D"),
         ccc=("CCC.Core.CN05",)),
    _map("estate-organization", "RK-ISO-004", nist=("AC-20", "CM-6"), cisa=("II.D",)),
    _map("sanctioned-interfaces", "RK-NET-006", nist=("CA-3", "SC-7", "SC-7(5)", "AC-4"), cisa=("I.B.3", "I.B.4"),
         ccc=("CCC.Core.CN04", "CCC.Core.CN05"), kinds=(
             _kind("declaration", "A declared interface is malformed or past its review date.", nist=("CA-3",)),
             _kind("gateway", "The interface's gateway lets through more than the declared endpoints and ports, or "
                   "does not drop the rest of the parent company's ranges.", nist=("SC-7", "SC-7(5)", "AC-4"),
                   cisa=("I.B.4",), ccc=("CCC.Core.CN05",)),
             _kind("logging", "The gateway does not log its traffic to the estate's log archive.",
                   cisa=("I.B.3",), ccc=("CCC.Core.CN04",)),
         )),
    _map("no-untrusted-identity-egress", "RK-IAM-002", nist=("AC-4", "AC-6", "AC-21"), ccc=("CCC.Core.CN10",)),
)

BY_POLICY: dict[str, PolicyMapping] = {m.policy: m for m in MAPPINGS}
BY_ID: dict[str, PolicyMapping] = {m.id: m for m in MAPPINGS}


def mapping_for(policy: str) -> PolicyMapping | None:
    return BY_POLICY.get(policy)


def policy_id(policy: str) -> str | None:
    """The stable ID of ``policy`` (``RK-NET-003``), or None for a name the pack does not map."""
    found = BY_POLICY.get(policy)
    return found.id if found is not None else None
