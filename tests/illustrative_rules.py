"""The illustrative parties the test programs are judged against, given as a stack's ``residency:`` config.

The pack's own rules file holds only the kit's floor (US regions, retention, the jurisdiction tag); the parent
company, the estate and the trusted parties come from the stack's config, as in a team's project. These are
documentation ranges (RFC 5737 / RFC 3849), OCIDs marked "example" and AWS example-style account IDs.
"""

from __future__ import annotations

import json
from typing import Any

PARENT_CIDRS = ["203.0.113.0/24", "2001:db8:bad::/48"]
PARENT_TENANCY = "ocid1.tenancy.oc1..aaaaaaaaparentexample000000000000000000000000000000000000"
TRUSTED_TENANCY = "ocid1.tenancy.oc1..aaaaaaaaoversightexample0000000000000000000000000000000000"
ESTATE_TENANCIES = [
    "ocid1.tenancy.oc1..aaaaaaaausdataexample0000000000000000000000000000000000000",
    "ocid1.tenancy.oc1..aaaaaaaadevtenancyexample00000000000000000000000000000000",
]

RULES: dict[str, Any] = {
    "parentCompany": {
        "cidrs": PARENT_CIDRS,
        "ociTenancyIds": [PARENT_TENANCY],
        "awsAccountIds": ["999999999999"],
        "awsOrganizationIds": ["o-parentexample1"],
    },
    "trusted": {
        "ociTenancyIds": [TRUSTED_TENANCY],
        "awsAccountIds": ["111111111111"],
        "awsOrganizationIds": ["o-usoversight01"],
    },
    "estate": {"ociTenancyIds": ESTATE_TENANCIES, "awsAccountIds": ["222222222222"]},
}


def stack_config(rules: dict[str, Any] | None = None) -> dict[str, str]:
    """``rules`` as the engine carries stack config: ``residency:<key>`` -> JSON text."""
    return {f"residency:{key}": json.dumps(value) for key, value in (RULES if rules is None else rules).items()}
