"""no-parent-company-egress: no egress rule or route sends traffic to a range overlapping a parent CIDR.

Covers OCI security-list egress rules (and the default security list), NSG egress rules, Network
Firewall rules (destination address lists), VCN route tables (and the default one), DRG route rules and
IPSec static routes, Zero Trust Packet Routing statements whose destination is a range; AWS security-group
egress (classic, per-rule and ``aws:vpc`` resources), network
ACL egress, route tables (and the default one), routes (VPC, transit gateway, VPN, client VPN, local
gateway) and VPN connections' remote networks.

It judges in three ways: a range inside a parent range (the parent's own, or part of it) per resource, so
the rule is refused before it is created; references to other resources (prefix lists, security groups,
firewall address lists, the rule order that shields an allow-everything firewall rule) over the stack,
where the references resolve; and a range that *contains* a parent range (``0.0.0.0/0``, ``::/0``) by the
paths it opens over the stack (``analysis/network_wide_rules.py``): no violation where no path reaches the
parent or a deny-capable control (an AWS network ACL deny numbered before the allow, an AWS or OCI network
firewall drop rule) drops every path, one violation with the paths and the exact fix otherwise. A wide
route is a hop of such a path, never a finding by itself; paths into data-tier subnets are
network-reachability's.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from residency_policies.analysis import network_rules
from residency_policies.analysis.network_judgement import judge_resource, judge_stack
from residency_policies.compliance import RESIDENCY
from residency_policies.framework import Finding, ResourceView, resource_policy
from residency_policies.rules_file import Rules


def check(resource: ResourceView, rules: Rules) -> Iterator[Finding]:
    yield from judge_resource(resource, rules, network_rules.EGRESS)


def check_stack(resources: Sequence[ResourceView], rules: Rules) -> Iterator[Finding]:
    yield from judge_stack(resources, rules, network_rules.EGRESS)


POLICY = resource_policy(
    name="no-parent-company-egress",
    description="No egress rule or route sends traffic to a range that overlaps a parent-company CIDR.",
    severity="critical",
    remediation=(
        "Remove every egress destination and route inside `parentCompany.cidrs`. Where a rule sends to a wider "
        "range (0.0.0.0/0, ::/0) and a route carries it out, drop the parent ranges on the path: an AWS network "
        "ACL egress deny numbered before the allow, or an AWS / OCI network firewall drop rule (OCI security lists "
        "and NSGs cannot deny); or narrow the rule. Use prefix lists created in the same stack and literal or "
        "config destinations so they can be checked. An approved integration with the parent company is declared in "
        "`sanctionedInterfaces` and built with the SanctionedInterface component: only its paths through the "
        "declared gateway pass."
    ),
    tags=["network", "egress", "residency"],
    framework=RESIDENCY.control("NET-2"),
    check=check,
    stack_check=check_stack,
    # The implicit rules (AWS's default security group, OCI's built-in default list) are reported on their
    # network, or on the subnet when its network is not in the stack.
    stack_judges=network_rules.IMPLICIT_RULE_OWNERS,
    resource_types=[t for t in network_rules.EXTRACTORS],
)
