"""no-parent-company-egress: no egress rule or route sends traffic to a range overlapping a parent CIDR.

Covers OCI security-list egress rules (and the default security list), NSG egress rules, Network
Firewall rules (destination address lists), VCN route tables (and the default one), DRG route rules and
IPSec static routes; AWS security-group egress (classic, per-rule and ``aws:vpc`` resources), network
ACL egress, route tables (and the default one), routes (VPC, transit gateway, VPN, client VPN, local
gateway) and VPN connections' remote networks. A default route (``0.0.0.0/0``, ``::/0``) overlaps every
parent range, so it is reported too: the estate sends nothing towards the open internet.

It judges in two phases: every address a rule states itself (a CIDR, an OCI endpoint) per resource, so
the rule is refused before it is created; references to other resources (prefix lists, security groups,
firewall address lists, the rule order that shields an allow-everything firewall rule) over the stack,
where the references resolve.
"""

from __future__ import annotations

from collections.abc import Iterator

from residency_policies.analysis import network_rules
from residency_policies.analysis.network_judgement import judge_resource, judge_stack
from residency_policies.framework import Finding, ResourceView, resource_policy
from residency_policies.rules_file import Rules


def check(resource: ResourceView, rules: Rules) -> Iterator[Finding]:
    yield from judge_resource(resource, rules, network_rules.EGRESS)


def check_stack(resources: list[ResourceView], rules: Rules) -> Iterator[Finding]:
    yield from judge_stack(resources, rules, network_rules.EGRESS)


POLICY = resource_policy(
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
    stack_check=check_stack,
    resource_types=[t for t in network_rules.EXTRACTORS],
)
