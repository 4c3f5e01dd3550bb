"""How much of each CISA requirement item and each 800-53 control in the catalogue the kit covers.

Every status is about what the estate's Pulumi programs declare (preview) or what an exported, refreshed state
holds (audit): nothing made outside them is seen. The statuses:

- ``enforced``: every way a declared resource could break the item, as the item applies to infrastructure, is a
  mandatory finding that stops the deployment;
- ``partly enforced``: some ways are mandatory findings; ``remains`` says what is not checked;
- ``evidence only``: the kit records what an auditor needs (an inventory, a diagram, a result) but does not
  stop anything;
- ``not covered``: people and process, or a technical measure the kit does not look at.

``tests/policies/test_control_mappings.py`` keeps this consistent with the mappings: an enforced or partly
enforced item has a mandatory policy mapped to it, and a not covered item has none.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from residency_policies.controls.catalogue import Catalogue


class Status(Enum):
    ENFORCED = "enforced"
    PARTLY_ENFORCED = "partly enforced"
    EVIDENCE_ONLY = "evidence only"
    NOT_COVERED = "not covered"


@dataclass(frozen=True)
class Coverage:
    catalogue: Catalogue
    item: str
    status: Status
    checks: str
    """What the kit checks or records for this item."""
    remains: str
    """What is left to people, process or other tools."""


def _c(catalogue: Catalogue, item: str, status: Status, checks: str, remains: str) -> Coverage:
    return Coverage(catalogue, item, status, checks, remains)


_CISA, _NIST = Catalogue.CISA_RESTRICTED, Catalogue.NIST_800_53
E, P, V, N = Status.ENFORCED, Status.PARTLY_ENFORCED, Status.EVIDENCE_ONLY, Status.NOT_COVERED

COVERAGE: tuple[Coverage, ...] = (
    # --- CISA security requirements for restricted transactions ---------------------------------------------
    _c(_CISA, "I.A.1", V,
       "Every report lists each resource of the run by cloud, region and compartment, with the stores' table; "
       "`residency-tags` (advisory) asks for the residency tags.",
       "An inventory of every asset of the covered systems (hosts, addresses, software), kept current at the "
       "required interval, including what is not deployed through these stacks."),
    _c(_CISA, "I.A.2", N, "Nothing.", "Naming the accountable person is an organisational act."),
    _c(_CISA, "I.A.3", N, "Nothing: the kit does not scan for vulnerabilities.",
       "Vulnerability scanning and remediation of known exploited vulnerabilities within the deadline."),
    _c(_CISA, "I.A.4", N, "Nothing.", "Vendor and supplier agreements with security terms."),
    _c(_CISA, "I.A.5", V,
       "The HTML evidence draws the stack's network graph (the one `network-reachability` proves over).",
       "A topology of the whole covered system (on-premises, other clouds, logging and monitoring), kept current."),
    _c(_CISA, "I.A.6", V,
       "CI runs the policy packs on every proposed change and a mandatory violation stops the deployment; the "
       "reports record what each change would create.",
       "The approval itself (review of the change, protected environments) is given by people."),
    _c(_CISA, "I.A.7", N, "Nothing.", "Incident response plans, their tests and yearly review."),
    _c(_CISA, "I.B.1", N, "Nothing: identity domains' and accounts' MFA settings are not checked.",
       "Multifactor authentication on every covered system, enforced in the identity providers."),
    _c(_CISA, "I.B.2", N, "Nothing.", "Revoking access on departures and role changes (joiner-mover-leaver process)."),
    _c(_CISA, "I.B.3", P,
       "Only the gateways of sanctioned interfaces must log their traffic to the estate's log archive "
       "(`sanctioned-interfaces`); the kit's log-archive component provides a locked log bucket.",
       "Collecting access and security logs from every covered system and keeping and protecting them."),
    _c(_CISA, "I.B.4", P,
       "No security rule, route, peering, gateway or public endpoint opens a path between the parent company's "
       "ranges or the internet and the data tier, in either direction (`network-reachability`, ingress, "
       "peering, placement, private stores); a path to the parent company is allowed only through a declared "
       "interface's gateway, for its endpoints and ports.",
       "Deny-by-default for every other connection (inside the estate, to partners) and for systems outside "
       "these stacks; host firewalls."),
    _c(_CISA, "I.B.5", N,
       "Only grants to outside tenancies and accounts are checked (`no-cross-tenancy-grants`, mapped to II.D).",
       "Individual identities for people and services, least privilege inside the estate, access reviews."),
    _c(_CISA, "I.C", N, "The evidence files are inputs to it.",
       "The data risk assessment and its yearly review."),
    _c(_CISA, "II.A", N,
       "Nothing: minimum backup retention is enforced for recoverability, not minimization.",
       "A written retention and deletion policy, and aggregation, pseudonymization or de-identification."),
    _c(_CISA, "II.B", P,
       "Data stores are encrypted at rest with a customer-managed key held in an allowed (US) region inside the "
       "estate (`us-keys-for-data`); no policy grants a key to an outside tenancy or account "
       "(`no-cross-tenancy-grants`).",
       "Encryption in transit (TLS versions, certificates) and who inside the estate can use the keys."),
    _c(_CISA, "II.C", N, "Nothing.", "Privacy-enhancing processing of the data."),
    _c(_CISA, "II.D", P,
       "No IAM statement, policy, permission or share grants an outside tenancy, account or organization; "
       "nothing is created in a parent company's account or tenancy, and no tenancy or subscription joins the "
       "estate to an outside organization; nothing names the parent company's identifiers except to deny them; "
       "no store is public.",
       "People in the estate's own identity domains who act for the parent company, and access granted outside "
       "these stacks (console changes show in an audit of refreshed state)."),
    # --- NIST SP 800-53 rev. 5 ---------------------------------------------------------------------------------
    _c(_NIST, "AC-3", P, "Cross-tenancy grants and public data stores are refused.",
       "Authorization inside the estate (roles, groups, application access)."),
    _c(_NIST, "AC-4", P,
       "Network paths, replication targets, managed-service destinations and the estate's identity policies are "
       "confined to the estate and trusted parties, in allowed regions; no configuration names the parent "
       "company's ranges or accounts except to deny them.",
       "Flows at the application layer and through systems outside these stacks."),
    _c(_NIST, "AC-6", P,
       "No privilege reaches outside tenancies or accounts, and the estate's AWS principals may act only on the "
       "estate's and trusted parties' resources.",
       "Least privilege for the estate's own people and services."),
    _c(_NIST, "AC-20", P,
       "Providers deploy only into the estate's accounts and tenancies; nothing is created in the parent's.",
       "Terms for any use of external systems."),
    _c(_NIST, "AC-21", P, "Grants and data destinations name only the estate and trusted parties.",
       "Decisions about what may be shared with a trusted party."),
    _c(_NIST, "AU-9", N, "No policy checks audit logging.", "Protecting audit records (log archive, access to it)."),
    _c(_NIST, "AU-11", N, "No policy checks audit log retention.", "Keeping audit records for the required period."),
    _c(_NIST, "CA-3", P,
       "Peering, attachments and data destinations reach only trusted networks and parties; each interface with "
       "the parent company is declared with its purpose, endpoints, ports, gateway, approver and review date, "
       "and proved on every path (`sanctioned-interfaces`).",
       "Interconnection agreements and the decision to approve each exchange."),
    _c(_NIST, "CA-5", P,
       "Waivers must name a policy and resources, give a reason, an approver and an expiry, and are refused "
       "once expired (`residency-waivers`); every report lists them.",
       "The plan to resolve each waived finding, and its review."),
    _c(_NIST, "CM-2", V, "Each run records the rules in force and their digest, and the pack's content hash.",
       "The baseline configuration of the whole system."),
    _c(_NIST, "CM-3", V, "Each proposed change is checked in CI and its reports are kept.",
       "Review and approval of changes."),
    _c(_NIST, "CM-6", P,
       "The residency settings (regions, pinned accounts and tenancies, waivers, the rules' identifiers) are "
       "checked on every deployment.",
       "Every other security setting of the services."),
    _c(_NIST, "CM-8", V, "Each report inventories the run's resources; `residency-tags` (advisory) asks for tags.",
       "An inventory of every component of the system."),
    _c(_NIST, "CP-6", P, "Buckets and databases keep a copy in another allowed region (`backup-coverage`).",
       "Alternate storage for everything else, and its protection."),
    _c(_NIST, "CP-6(1)", P, "The copy is in a different allowed region from the primary.",
       "Judging whether the two regions share threats."),
    _c(_NIST, "CP-9", P,
       "Stores are kept by a deletion guard or a backup, databases keep backups for the minimum retention, "
       "backup buckets are immutable and retention locks are valid.",
       "Backups of what the policies do not know as stores; restore tests."),
    _c(_NIST, "PL-8", V,
       "The evidence shows the data tier, the network graph and each store's placement; `data-tier-placement` "
       "enforces the placement.",
       "The documented architecture."),
    _c(_NIST, "RA-2", V, "The rules' data classification decides which findings are mandatory; reports show it.",
       "Categorizing the information and approving it."),
    _c(_NIST, "SA-9(5)", P,
       "Every provider and resource, and every region a resource names (replicas, keys, endpoints, identifiers), "
       "is in an allowed (US) region.",
       "Where providers' staff and support process data; services outside these stacks."),
    _c(_NIST, "SC-7", P, "No path joins the parent company's ranges or the internet to the data tier.",
       "Monitoring at the boundary and boundaries of systems outside these stacks."),
    _c(_NIST, "SC-7(5)", P, "Parent-company ranges are refused in every rule and route; the data tier is closed.",
       "Deny-by-default for all other traffic."),
    _c(_NIST, "SC-7(21)", P, "Data stores sit only in data-tier subnets that no outside path reaches.",
       "Isolation of other sensitive components."),
    _c(_NIST, "SC-12", P, "Keys of data stores are held in allowed regions inside the estate.",
       "Key generation, rotation, destruction and custody procedures."),
    _c(_NIST, "SC-28", P, "Data stores of known types are encrypted with customer-managed keys.",
       "Stores the kit does not know as data-bearing; application-level protection."),
    _c(_NIST, "SC-28(1)", P, "As SC-28: a customer-managed key on every known data store.",
       "As SC-28."),
    _c(_NIST, "SI-12", P, "Backup retention and retention locks meet the rules' minimum.",
       "Retention of the information itself, and its disposal."),
)


def coverage_of(catalogue: Catalogue, item_id: str) -> Coverage | None:
    return next((c for c in COVERAGE if c.catalogue is catalogue and c.item == item_id), None)
