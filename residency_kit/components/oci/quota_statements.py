"""OCI compartment-quota statements that lock a tenancy to its allowed regions, and a parser for them.

Quota statements are OCI's declarative quota language (docs: "Quota Policy Syntax", "Sample Quotas"):

    zero <family> quotas in tenancy where <condition>

``zero`` removes every quota of the service family, ``in tenancy`` covers every compartment, and the
condition is ``request.region`` compared with ``=`` / ``!=``, optionally combined with ``all {..}`` /
``any {..}`` as in IAM policy conditions. The OCI Landing Zones sovereign-controls add-on uses the
same ``zero ... in tenancy where request.region != '<region>'`` form for a one-region lock.

This module writes the statements; ``residency_policies.oci_quota_statements`` reads them (tests, the
policy pack and the audit check what a statement really does, which regions it zeroes, with that parser).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from residency_policies.region_tables import is_oci_region_id

# Service families that create or hold data or open network paths. Sources: OCI "Available Quotas by
# Service" family names as used in Oracle's landing-zone and sample quotas. Families an operator
# needs can be added through IsolatedTenancyArgs.quota_families.
DATA_BEARING_QUOTA_FAMILIES: tuple[str, ...] = (
    "compute",
    "compute-core",
    "compute-memory",
    "block-storage",
    "object-storage",
    "filesystem",
    "database",
    "nosql",
    "postgresql",
    "vcn",
    "load-balancer",
    "container-engine",
    "streaming",
    "analytics",
)

_FAMILY = re.compile(r"^[a-z][a-z0-9-]*$")


def region_condition(allowed_regions: Sequence[str]) -> str:
    """The condition that holds in every region except the allowed ones."""
    if not allowed_regions:
        raise ValueError("allowed_regions: () is empty; allowed: at least one region identifier")
    for region in allowed_regions:
        if not is_oci_region_id(region):
            raise ValueError(f"allowed_regions: {region!r} is not an OCI region identifier; allowed: e.g. 'us-ashburn-1'")
    unique = list(dict.fromkeys(allowed_regions))
    clauses = [f"request.region != '{region}'" for region in unique]
    if len(clauses) == 1:
        return clauses[0]
    # A request is zeroed only when its region differs from *every* allowed region.
    return "all {" + ", ".join(clauses) + "}"


def zero_family_statement(family: str, condition: str | None = None) -> str:
    if not _FAMILY.match(family):
        raise ValueError(f"quota_families: {family!r} is not a quota service family name; allowed: e.g. 'compute-core'")
    statement = f"zero {family} quotas in tenancy"
    return f"{statement} where {condition}" if condition else statement


def region_lock_statements(
    allowed_regions: Sequence[str], families: Iterable[str] = DATA_BEARING_QUOTA_FAMILIES
) -> list[str]:
    """One ``zero`` statement per family, applying in every region that is not allowed."""
    condition = region_condition(allowed_regions)
    return [zero_family_statement(family, condition) for family in dict.fromkeys(families)]
