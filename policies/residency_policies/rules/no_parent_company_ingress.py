"""no-parent-company-ingress: no network rule admits a range that overlaps a parent-company CIDR.

Covers OCI security lists (and the default security list), NSG rules, Network Firewall rules (through
their address lists), Bastion allow lists, identity network sources, load-balancer source-IP rules,
Autonomous Database access-control lists, file-system export options and Zero Trust Packet Routing
statements whose source is a range; AWS security groups (and the
default one), security-group rules (classic and ``aws:vpc`` per-rule resources) and network ACLs (and
their rules). Overlap, not equality, in IPv4 and IPv6; ``0.0.0.0/0`` and ``::/0`` overlap everything.

It judges in three ways: a range inside a parent range (the parent's own, or part of it) per resource, so
the rule is refused before it is created; references to other resources (prefix lists, security groups,
firewall address lists, the rule order that shields an allow-everything firewall rule) over the stack,
where the references resolve; and a range that *contains* a parent range (``0.0.0.0/0``, ``::/0``) on a
security group, security list or NSG rule by the paths it opens over the stack
(``analysis/network_wide_rules.py``): no violation where no path reaches the parent or a deny-capable
control (an AWS network ACL deny numbered before the allow, an AWS or OCI network firewall drop rule) drops
every path, one violation with the paths and the exact fix otherwise. Paths into data-tier subnets are
network-reachability's (one violation per subnet).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from residency_policies.analysis import network_rules
from residency_policies.analysis.network_judgement import judge_resource, judge_stack
from residency_policies.compliance import RESIDENCY
from residency_policies.framework import Finding, ResourceView, resource_policy
from residency_policies.rules_file import Rules


def check(resource: ResourceView, rules: Rules) -> Iterator[Finding]:
    yield from judge_resource(resource, rules, network_rules.INGRESS)


def check_stack(resources: Sequence[ResourceView], rules: Rules) -> Iterator[Finding]:
    yield from judge_stack(resources, rules, network_rules.INGRESS)


POLICY = resource_policy(
    name="no-parent-company-ingress",
    description="No security list, NSG rule, firewall rule, bastion or network source, AWS security group, "
                "security-group rule or network ACL admits a range overlapping a parent-company CIDR.",
    severity="critical",
    remediation=(
        "Remove every ingress source inside `parentCompany.cidrs`. Where a rule admits a wider range (0.0.0.0/0, "
        "::/0), drop the parent ranges on every path to it: an AWS network ACL deny rule numbered before the allow, "
        "or an AWS / OCI network firewall drop rule on the route (OCI security lists and NSGs cannot deny); or "
        "narrow the rule. Reference prefix lists and security groups created in the same stack, and give rule "
        "sources as literal or config values so they can be checked at preview. An approved integration with the "
        "parent company is declared in "
        "`sanctionedInterfaces` and built with the SanctionedInterface component: only its paths through the "
        "declared gateway pass."
    ),
    tags=["network", "ingress", "residency"],
    framework=RESIDENCY.control("NET-1"),
    check=check,
    stack_check=check_stack,
    # The implicit rules (AWS's default security group, OCI's built-in default list) are reported on their
    # network, or on the subnet when its network is not in the stack.
    stack_judges=network_rules.IMPLICIT_RULE_OWNERS,
    resource_types=[t for t in network_rules.EXTRACTORS],
)
