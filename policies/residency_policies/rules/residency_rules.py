"""residency-rules: the rules in force are the estate's own, not the illustrative identifiers the kit ships.

A rules file that still names the documentation ranges and example OCIDs / account IDs of the shipped
``residency.yaml`` protects nothing real: the parent company's actual ranges, tenancies and accounts are not
blocked. Reported once per stack, as advisory (the rules are still valid rules), naming the rules file and its
digest so that a user of the real ``pulumi preview --policy-pack policies`` sees which rules ran.
"""

from __future__ import annotations

from collections.abc import Iterator

from residency_policies.framework import Finding, StackView, stack_policy
from residency_policies.rules_file import Rules
from residency_policies.rules_in_force import describe_rules_file

SHOWN = 6


def check_stack(resources: StackView, rules: Rules) -> Iterator[Finding]:
    if not rules.illustrative:
        return
    info = describe_rules_file()
    shown = ", ".join(rules.illustrative[:SHOWN]) + (f" and {len(rules.illustrative) - SHOWN} more"
                                                     if len(rules.illustrative) > SHOWN else "")
    yield Finding(
        f"the rules in force ({info.path}, {info.digest or 'unreadable'}) still hold the kit's illustrative "
        f"identifiers {shown}: these must be replaced by the parent company's and the estate's real ranges, "
        "tenancy OCIDs, account and organization IDs, or nothing real is enforced",
        urn=resources.root_urn,
    )


POLICY = stack_policy(
    name="residency-rules",
    description="The residency rules in force name the estate's real parent company and accounts, not the shipped examples.",
    severity="medium",
    enforcement="advisory",
    remediation=(
        "Edit policies/residency.yaml (or the policy config): replace the documentation ranges (192.0.2.0/24, "
        "198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32), the example OCIDs and the example account and "
        "organization IDs under parentCompany, trusted and estate with the real ones."
    ),
    tags=["governance", "rules"],
    framework=("US data residency", "1.0", "GOV-2"),
    check=check_stack,
)
