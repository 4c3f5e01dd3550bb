"""no-parent-company-egress: no egress rule or route sends traffic to a range overlapping a parent CIDR.

Covers OCI security-list egress rules (and the default security list), NSG egress rules, Network
Firewall rules (destination address lists), VCN route tables (and the default one), DRG route rules and
IPSec static routes; AWS security-group egress (classic, per-rule and ``aws:vpc`` resources), network
ACL egress, route tables (and the default one), routes (VPC, transit gateway, VPN, client VPN, local
gateway) and VPN connections' remote networks. A default route (``0.0.0.0/0``, ``::/0``) overlaps every
parent range, so it is reported too: the estate sends nothing towards the open internet.

It runs at stack level because a prefix list used as a destination is a separate resource.
"""

from __future__ import annotations

from collections.abc import Iterator

from residency_policies.analysis import network_rules
from residency_policies.analysis.network_judgement import judge_stack
from residency_policies.framework import Finding, ResourceView, stack_policy
from residency_policies.rules_file import Rules


def check(resources: list[ResourceView], rules: Rules) -> Iterator[Finding]:
    yield from judge_stack(resources, rules, network_rules.EGRESS)


POLICY = stack_policy(
    name="no-parent-company-egress",
    description="No egress rule or route sends traffic to a range that overlaps a parent-company CIDR.",
    severity="critical",
    remediation=(
        "Remove every egress destination and route that overlaps `parentCompany.cidrs` (including default routes "
        "0.0.0.0/0 and ::/0); route only to the estate's own, operator and Oracle Services Network ranges. Use "
        "prefix lists created in the same stack and literal or config destinations so they can be checked."
    ),
    tags=["network", "egress", "residency"],
    framework=("US data residency", "1.0", "NET-2"),
    check=check,
    resource_types=[t for t in network_rules.EXTRACTORS],
)
