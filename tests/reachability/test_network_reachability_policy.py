"""network-reachability through the analyzer protocol: each fixture stack, the exact paths expected."""

from __future__ import annotations

import fixtures_oci as f
import pytest

from residency_kit.engine.api import preview_function
from fixtures_oci import CONFIG

POLICY = "network-reachability"
PARENT = "parent-company range 203.0.113.0/24"
INTERNET = "the internet (0.0.0.0/0, ::/0)"


def _violations(pack, program):
    result = preview_function(program, pack=pack, config=CONFIG)
    violations = result.violations_of(POLICY)
    assert {v.enforcement_level for v in violations} <= {"mandatory"}
    # One mistake, one violation: at most one per data subnet, whatever the number of paths.
    assert len({v.urn for v in violations}) == len(violations)
    return violations


def _paths(pack, program) -> list[str]:
    """Every path listed, over the (one per subnet) violations: each is a "  - " line of the message."""
    violations = _violations(pack, program)
    assert {v.resource_name for v in violations} <= {"data"}
    return sorted(line[4:] for v in violations for line in v.message.splitlines() if line.startswith("  - "))


def test_igw_and_open_security_list(reachability_pack):
    via = " -> the internet -> internet-gateway 'igw' -> route rt-data.routeRules[0] 0.0.0.0/0 -> subnet 'data'; admitted by sl-data.ingressSecurityRules[0] ingress tcp 443 from 0.0.0.0/0"
    assert _paths(reachability_pack, f.igw_open_security_list) == sorted(
        [
            f"{INTERNET} can reach data-tier subnet 'data' (ingress): {INTERNET}{via}",
            f"{PARENT} can reach data-tier subnet 'data' (ingress): {PARENT}{via}",
        ]
    )


def test_compliant_private_subnet_behind_igw_is_clean(reachability_pack):
    assert _paths(reachability_pack, f.igw_private_subnet) == []


def test_drg_route_parent_range_and_nsg(reachability_pack):
    assert _paths(reachability_pack, f.drg_parent_route_nsg) == [
        f"{PARENT} can reach data-tier subnet 'data' (ingress): {PARENT} -> networks attached to the DRG outside "
        "this stack (it has no DRG route table in this stack) -> drg 'drg' -> route rt-data.routeRules[0] "
        "203.0.113.0/24 -> subnet 'data'; admitted by nsg-db-from-parent.rule ingress tcp from 203.0.113.0/24"
    ]


def test_peering_into_trusted_vcn_that_routes_to_parent(reachability_pack):
    outside = "networks attached to the DRG outside this stack (it has no DRG route table in this stack)"
    assert _paths(reachability_pack, f.peering_into_trusted_vcn) == [
        "data-tier subnet 'data' can send to parent-company range 203.0.113.0/24 (egress): subnet 'data' -> route "
        "rt-data.routeRules[0] 203.0.113.0/24 -> local-peering-gateway 'lpg-data' -> peered local-peering-gateway "
        f"'lpg-trusted' -> route rt-trusted-transit.routeRules[0] 203.0.113.0/24 -> drg 'trusted-drg' -> {outside} "
        f"-> {PARENT}; admitted by sl-data.egressSecurityRules[0] egress all to 203.0.113.0/24",
        f"{PARENT} can reach data-tier subnet 'data' (ingress): {PARENT} -> {outside} -> drg 'trusted-drg' -> route "
        "rt-trusted-transit.routeRules[0] 203.0.113.0/24 -> peered local-peering-gateway 'lpg-trusted' -> "
        "local-peering-gateway 'lpg-data' -> route rt-data.routeRules[0] 203.0.113.0/24 -> subnet 'data'; admitted "
        "by sl-data.ingressSecurityRules[0] ingress tcp 443 from 203.0.113.0/24",
    ]


def test_firewall_deny_blocks_an_otherwise_open_path(reachability_pack):
    assert _paths(reachability_pack, lambda: f.firewall_denies(deny=True)) == []


def test_firewall_allow_leaves_the_path_open(reachability_pack):
    paths = _paths(reachability_pack, lambda: f.firewall_denies(deny=False))
    via = (
        " -> the internet -> internet-gateway 'igw' -> route rt-fw.routeRules[0] 0.0.0.0/0 -> network-firewall 'fw-ip' "
        "-> route rt-data.routeRules[0] 0.0.0.0/0 -> subnet 'data'; admitted by sl-data.ingressSecurityRules[0] "
        "ingress tcp 443 from 0.0.0.0/0"
    )
    assert paths == sorted(
        [
            f"{INTERNET} can reach data-tier subnet 'data' (ingress): {INTERNET}{via}",
            f"{PARENT} can reach data-tier subnet 'data' (ingress): {PARENT}{via}",
        ]
    )


def unverifiable_prefix(pack, program) -> list[str]:
    """The "cannot be verified" lead of each violation (set when every path of the subnet is unresolved)."""
    return [v.message.split("\n")[1].split(". data-tier subnet")[0] for v in _violations(pack, program)]


def test_unknown_cidr_is_a_possible_path_naming_the_piece(reachability_pack):
    assert unverifiable_prefix(reachability_pack, f.unknown_cidr) == [
        "cannot be verified at preview: sl-data.ingressSecurityRules[0].source is unknown; make it a literal or "
        "config value"
    ]
    assert _paths(reachability_pack, f.unknown_cidr) == [
        f"{PARENT} can reach data-tier subnet 'data' (ingress): {PARENT} -> networks attached to the "
        "DRG outside this stack (it has no DRG route table in this stack) -> drg 'drg' -> route "
        "rt-data.routeRules[1] 203.0.113.0/24 -> subnet 'data'; admitted by sl-data.ingressSecurityRules[0] "
        "ingress tcp 443 from <unknown>"
    ]


@pytest.mark.parametrize("tags", [None, {}])
def test_untagged_subnet_counts_as_data(reachability_pack, tags):
    import pulumi_oci as oci

    def program():
        net = f.vcn()
        igw = oci.core.InternetGateway("igw", compartment_id=f.COMPARTMENT, vcn_id=net.id)
        rt = f.route_table("rt-data", net, [("0.0.0.0/0", igw)])
        oci.core.Subnet(
            "data", compartment_id=f.COMPARTMENT, vcn_id=net.id, cidr_block="10.0.1.0/24", route_table_id=rt.id,
            security_list_ids=[f.security_list("sl-data", net).id], freeform_tags=tags,
        )  # fmt: skip

    assert len(_paths(reachability_pack, program)) == 2  # no prohibitPublicIpOnVnic: a public subnet
