"""residency-waivers: the rules file's waivers are well-formed, unexpired and name a real policy.

Reported once per stack (on the root stack) rather than from every policy, so one bad waiver yields one
violation. Waivers given in a single policy's config are checked by that policy as invalid config.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from residency_policies.compliance import RESIDENCY
from residency_policies.framework import Finding, ResourceView, root_stack_urn, stack_policy
from residency_policies.rules_file import Rules


def check_stack(resources: Sequence[ResourceView], rules: Rules) -> Iterator[Finding]:
    from residency_policies.registry import ALL_POLICIES  # late: the registry imports this module

    stack = root_stack_urn(resources)
    for problem in rules.file_waiver_problems:
        yield Finding(problem.message(rules.waiver_source.describe()) + "; it waives nothing until fixed", urn=stack)
    names = {p.name for p in ALL_POLICIES}
    for waiver in rules.waivers:
        if waiver.policy not in names:
            yield Finding(
                f"waiver approved by {waiver.approver} names policy '{waiver.policy}', which is not in this pack "
                f"(policies: {', '.join(sorted(names))}); it waives nothing",
                urn=stack,
            )


POLICY = stack_policy(
    name="residency-waivers",
    description="Every residency waiver is well-formed, unexpired and names a policy of this pack.",
    severity="high",
    remediation=(
        "Fix or remove the waiver where the rules set it (the stack config `residency:waivers`, the pack's rules "
        "file or the policy config): give policy, urns (list of URNs), reason (at least "
        "20 characters), approver and expires (YYYY-MM-DD, not in the past); renew an expired waiver only with "
        "a new approval."
    ),
    tags=["waivers", "governance"],
    framework=RESIDENCY.control("GOV-1"),
    check=check_stack,
)
