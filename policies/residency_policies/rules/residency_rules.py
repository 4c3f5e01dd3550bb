"""residency-rules: the rules in force name the estate's real parent company and accounts, not the kit's examples.

Rules that still name the documentation ranges and example OCIDs / account IDs the kit's examples use protect
nothing real: the parent company's actual ranges, tenancies and accounts are not blocked. Reported once per
stack, as advisory (the rules are still valid rules), naming where each came from, so that a user of the real
``pulumi preview`` sees which rules ran. Invalid rules, and a stack's settings that would loosen the pack's
rules, are refused before anything is analyzed (``rules_file.pack_config_errors``).
"""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel

from residency_policies.compliance import RESIDENCY
from residency_policies.framework import Finding, StackView, stack_policy
from residency_policies.rules_file import Rules

SHOWN = 6


def check_stack(resources: StackView, rules: Rules) -> Iterator[Finding]:
    if not rules.illustrative:
        return
    where = sorted({source.describe() for key, source in rules.sources.items()
                    if key in ("parentCompany", "trusted", "estate")})
    shown = ", ".join(rules.illustrative[:SHOWN]) + (f" and {len(rules.illustrative) - SHOWN} more"
                                                     if len(rules.illustrative) > SHOWN else "")
    yield Finding(
        f"the rules in force (from {' and '.join(where) or 'the rules'}) still hold the kit's illustrative "
        f"identifiers {shown}: these must be replaced by the parent company's and the estate's real ranges, "
        "tenancy OCIDs, account and organization IDs, or nothing real is enforced",
        urn=resources.root_urn,
    )


POLICY = stack_policy(
    name="residency-rules",
    description="The residency rules in force name the estate's real parent company and accounts, not the kit's examples.",
    severity="medium",
    enforcement=EnforcementLevel.ADVISORY,
    remediation=(
        "Replace the documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32), the "
        "example OCIDs and the example account and organization IDs under parentCompany, trusted and estate "
        "where the rules are set: the stack config (`residency:parentCompany`, `residency:trusted`, "
        "`residency:estate` in Pulumi.<stack>.yaml or Pulumi.yaml), or the policy config that sets them. The "
        "config of this policy applies to every policy of the pack."
    ),
    tags=["governance", "rules"],
    framework=RESIDENCY.control("GOV-2"),
    check=check_stack,
)
