"""The controls the pack's policies are mapped to, from three catalogues, each summarised in our own words.

The summaries say what a control asks for, briefly, so a reader can see why a policy maps to it; they are not
the catalogues' text. An auditor files against the published documents:

- NIST SP 800-53 rev. 5 (Security and Privacy Controls for Information Systems and Organizations, with its
  updates): control identifiers as NIST writes them, ``SC-7(5)`` for an enhancement.
- CISA, Security Requirements for Restricted Transactions (January 2025, E.O. 14117; incorporated in the DOJ
  data security program by 28 CFR 202.248): section I (organizational- and covered-system-level) and
  section II (covered-data-level). The item numbers are our reading of that publication's lists.
- FINOS Common Cloud Controls, core catalogue (``CCC.Core.CNnn``); titles have changed between releases, so a
  summary states the control's objective rather than one release's title.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any


class Catalogue(Enum):
    NIST_800_53 = "NIST SP 800-53 rev. 5"
    CISA_RESTRICTED = "CISA security requirements for restricted transactions"
    FINOS_CCC = "FINOS Common Cloud Controls"


@dataclass(frozen=True)
class CatalogueItem:
    catalogue: Catalogue
    id: str
    title: str
    summary: str
    technical: bool = True
    """False for an organisational item (a person, a plan, an agreement) no deployment check can show."""

    @property
    def label(self) -> str:
        return f"{self.id} {self.title}"


def _items(catalogue: Catalogue, *rows: tuple[Any, ...]) -> dict[str, CatalogueItem]:
    """Rows of (id, title, summary[, technical])."""
    return {row[0]: CatalogueItem(catalogue, *row) for row in rows}


NIST_800_53 = _items(
    Catalogue.NIST_800_53,
    ("AC-3", "Access Enforcement", "Access to information and resources is allowed only as approved authorizations say."),
    ("AC-4", "Information Flow Enforcement",
     "Flows of information within the system and to other systems follow approved flow-control policies."),
    ("AC-6", "Least Privilege", "Users and processes get only the access their tasks need."),
    ("AC-20", "Use of External Systems",
     "Terms and limits govern how external systems may reach, process, store or send the organization's information."),
    ("AC-21", "Information Sharing", "Information is shared with partners only as the sharing's authorizations allow."),
    ("AU-9", "Protection of Audit Information", "Audit records and tools are protected from change and deletion."),
    ("AU-11", "Audit Record Retention", "Audit records are kept for a defined period to support investigations."),
    ("CA-3", "Information Exchange",
     "Each exchange of information with another system is approved and documented, with its interface and "
     "security requirements."),
    ("CM-2", "Baseline Configuration", "A documented, controlled baseline configuration of the system is kept."),
    ("CM-3", "Configuration Change Control",
     "Changes are proposed, reviewed, approved, tested and recorded before they take effect."),
    ("CM-6", "Configuration Settings", "Security settings are defined, applied and deviations are approved."),
    ("CM-8", "System Component Inventory", "An accurate inventory of the system's components is kept current."),
    ("CP-6", "Alternate Storage Site", "Backups are stored at a separate site with equivalent protection."),
    ("CP-6(1)", "Separation from Primary Site",
     "The alternate storage site is far enough from the primary that one threat is unlikely to hit both."),
    ("CP-9", "System Backup", "Backups of the system's information are made and their integrity protected."),
    ("PL-8", "Security and Privacy Architectures",
     "The system's security architecture, including its boundaries and data placement, is designed and documented."),
    ("RA-2", "Security Categorization",
     "Information and systems are categorized by impact, and the categorization is documented and approved."),
    ("CA-5", "Plan of Action and Milestones",
     "Known weaknesses and accepted deviations are tracked with owners and dates until resolved."),
    ("SA-9(5)", "Processing, Storage, and Service Location",
     "Where information is processed and stored, and where services run, is restricted to approved locations."),
    ("SC-7", "Boundary Protection",
     "Communications at the system's external and key internal boundaries are monitored and controlled; "
     "connections go only through managed interfaces."),
    ("SC-7(5)", "Deny by Default — Allow by Exception",
     "Network traffic is denied unless explicitly allowed, at managed interfaces."),
    ("SC-7(21)", "Isolation of System Components",
     "Components that hold sensitive functions or data are separated by boundary mechanisms."),
    ("SC-12", "Cryptographic Key Establishment and Management",
     "Cryptographic keys are established and managed under defined requirements, including where they are held."),
    ("SC-28", "Protection of Information at Rest", "Stored information is protected for confidentiality and integrity."),
    ("SC-28(1)", "Cryptographic Protection", "Information at rest is protected by encryption."),
    ("SI-12", "Information Management and Retention",
     "Information is handled and retained as laws, policies and operational needs require."),
)

CISA_RESTRICTED = _items(
    Catalogue.CISA_RESTRICTED,
    ("I.A.1", "Asset inventory",
     "Identify, prioritize and document the covered systems' assets in an inventory that is kept current."),
    ("I.A.2", "Accountable individual",
     "Name a person responsible for cybersecurity and for governance, risk and compliance.", False),
    ("I.A.3", "Known exploited vulnerabilities",
     "Remediate known exploited vulnerabilities in internet-facing systems within the required time."),
    ("I.A.4", "Vendor agreements",
     "Keep documented agreements with vendors and suppliers of covered systems that state security requirements.",
     False),
    ("I.A.5", "Network topology",
     "Develop and keep an accurate network topology of the covered systems, to support incident response."),
    ("I.A.6", "Approval before deployment",
     "Require approval before new hardware or software is deployed on a covered system."),
    ("I.A.7", "Incident response plan", "Adopt, test and review incident response plans.", False),
    ("I.B.1", "Multifactor authentication",
     "Enforce multifactor authentication on covered systems (strong passwords where it is not possible)."),
    ("I.B.2", "Prompt revocation", "Revoke access promptly when a person leaves or no longer needs it."),
    ("I.B.3", "Access and security logs",
     "Collect logs of access and security events on covered systems, and keep and protect them."),
    ("I.B.4", "Deny by default",
     "Deny connections to covered systems and their networks unless explicitly allowed for a function."),
    ("I.B.5", "Identities and least privilege",
     "Give individuals and services their own identities and only the access they need."),
    ("I.C", "Data risk assessment",
     "Assess and document, at least yearly, whether the data-level measures chosen prevent access by covered "
     "persons and countries of concern.", False),
    ("II.A", "Data minimization and masking",
     "Keep and delete data under a written retention policy; aggregate, pseudonymize or de-identify where possible."),
    ("II.B", "Encryption and key custody",
     "Encrypt covered data in transit and at rest; keep the keys away from covered persons and countries of "
     "concern, where they cannot reach them."),
    ("II.C", "Privacy-enhancing technologies",
     "Process data with privacy-enhancing techniques (for example differential privacy) where they serve."),
    ("II.D", "Deny access by identity and access management",
     "Configure identity and access management so covered persons and countries of concern are denied access "
     "to covered data, even through otherwise authorized paths."),
)

FINOS_CCC = _items(
    Catalogue.FINOS_CCC,
    ("CCC.Core.CN01", "Encrypt data in transit", "Requests to a service are encrypted in transit (current TLS)."),
    ("CCC.Core.CN02", "Encrypt data at rest", "Everything a service stores is encrypted at rest."),
    ("CCC.Core.CN04", "Log access and changes", "Access to a service and changes to it are logged."),
    ("CCC.Core.CN05", "Prevent access from untrusted entities",
     "Only trusted identities and networks can reach a service and its data."),
    ("CCC.Core.CN06", "Deploy only inside the trust perimeter",
     "A service and its child resources run only in locations on an approved list."),
    ("CCC.Core.CN08", "Recoverable copies in another location",
     "Data is replicated or backed up to a separate zone or region so it survives the loss of one."),
    ("CCC.Core.CN09", "Protect access logs", "Logs cannot be changed, deleted or read without authorization."),
    ("CCC.Core.CN10", "Replicate only inside the trust perimeter",
     "Data is replicated or copied only to destinations within the defined trust perimeter."),
    ("CCC.Core.CN11", "Key management", "Encryption keys are customer-managed under policy, and their use controlled."),
    ("CCC.Core.CN12", "Secure network access rules",
     "Network access rules admit only what is intended, never the open internet by accident."),
)

CATALOGUES: dict[Catalogue, dict[str, CatalogueItem]] = {
    Catalogue.NIST_800_53: NIST_800_53,
    Catalogue.CISA_RESTRICTED: CISA_RESTRICTED,
    Catalogue.FINOS_CCC: FINOS_CCC,
}


def item(catalogue: Catalogue, item_id: str) -> CatalogueItem:
    """One catalogue item; a mapping that names an item the catalogue lacks fails here (and in the tests)."""
    try:
        return CATALOGUES[catalogue][item_id]
    except KeyError:
        raise KeyError(f"{catalogue.value} has no item {item_id!r} in the kit's catalogue") from None
