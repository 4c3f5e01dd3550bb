"""network-reachability on AWS: raw pulumi_aws programs through the analyzer protocol, exact paths expected;
then fast pure tests of the AWS reader's semantics on hand-built wire-form resources."""

from __future__ import annotations

import fixtures_aws as f
import pytest
from test_network_reachability_policy import INTERNET, PARENT, _paths, unverifiable_prefix

from residency_policies.analysis.network_graph import NetResource, build_graph, prove

IGW_ROUTE = " -> the internet -> internet-gateway 'igw' -> route rt-data.routes[0] 0.0.0.0/0 -> subnet 'data'"


def test_igw_route_and_security_group_open_to_the_world(reachability_pack):
    admitted = "; admitted by sg-web.ingress[0] ingress tcp 443 from 0.0.0.0/0"
    assert _paths(reachability_pack, f.igw_open_security_group) == sorted(
        [
            f"{INTERNET} can reach data-tier subnet 'data' (ingress): {INTERNET}{IGW_ROUTE}{admitted}",
            f"{PARENT} can reach data-tier subnet 'data' (ingress): {PARENT}{IGW_ROUTE}{admitted}",
        ]
    )


def test_security_group_admitting_only_an_unrelated_us_range_clears_the_parent_only(reachability_pack):
    # The parent's range is no longer admitted. The US range is still internet address space (the policy's
    # "internet" source is every public address but the parent's), so that one path stays: a partner
    # range is no excuse for putting a data subnet on the internet.
    assert _paths(reachability_pack, lambda: f.igw_open_security_group(ingress_cidrs=[f.US_RANGE])) == [
        f"{INTERNET} can reach data-tier subnet 'data' (ingress): {INTERNET}{IGW_ROUTE}; admitted by sg-web.ingress[0] "
        "ingress tcp 443 from 198.51.100.0/24"
    ]


def test_security_group_admitting_only_private_ranges_is_clean(reachability_pack):
    assert _paths(reachability_pack, lambda: f.igw_open_security_group(ingress_cidrs=["10.0.0.0/8", "fd00::/8"])) == []


def test_peering_into_the_parent_account_with_nacl_allow(reachability_pack):
    assert _paths(reachability_pack, f.peering_to_parent_account) == [
        f"{PARENT} can reach data-tier subnet 'data' (ingress): {PARENT} -> peer VPC vpc-0aaaabbbbccccdddd (account "
        "999999999999), outside this stack -> vpc-peering 'pcx-parent' -> route to-parent 203.0.113.0/24 -> subnet "
        "'data'; admitted by sg-db.ingress[0] ingress tcp 443 from 203.0.113.0/24 (network ACL: nacl-data.ingress[0] "
        "allow tcp 443 from 203.0.113.0/24 (rule 100))"
    ]


def test_nacl_deny_with_lower_rule_number_blocks_the_open_path(reachability_pack):
    assert _paths(reachability_pack, f.nacl_deny_first) == []


def test_nacl_deny_after_the_allow_blocks_nothing(reachability_pack):
    admitted = "; admitted by sg-web.ingress[0] ingress tcp 443 from 0.0.0.0/0 (network ACL: nacl-in-100 allow all from 0.0.0.0/0 (rule 100))"
    assert _paths(reachability_pack, lambda: f.nacl_deny_first(deny_rule_no=150)) == sorted(
        [
            f"{INTERNET} can reach data-tier subnet 'data' (ingress): {INTERNET}{IGW_ROUTE}{admitted}",
            f"{PARENT} can reach data-tier subnet 'data' (ingress): {PARENT}{IGW_ROUTE}{admitted}",
        ]
    )


def test_unknown_cidr_in_a_security_group_rule_names_the_piece(reachability_pack):
    assert unverifiable_prefix(reachability_pack, f.unknown_cidr_in_security_group_rule) == [
        "cannot be verified at preview: sg-db-from-partner.cidrIpv4 is unknown; make it a literal or config value"]
    admitted = "; admitted by sg-db-from-partner ingress tcp 5432 from <unknown>"
    assert _paths(reachability_pack, f.unknown_cidr_in_security_group_rule) == sorted(
        [
            f"{INTERNET} can reach data-tier subnet 'data' (ingress): {INTERNET}{IGW_ROUTE}{admitted}",
            f"{PARENT} can reach data-tier subnet 'data' (ingress): {PARENT}{IGW_ROUTE}{admitted}",
        ]
    )


def test_private_subnet_behind_a_nat_gateway_has_no_inbound_path(reachability_pack):
    assert _paths(reachability_pack, f.private_subnet_nat_only) == []


def test_data_subnet_sending_to_the_parent_through_the_igw(reachability_pack):
    assert _paths(reachability_pack, f.egress_to_parent_through_igw) == [
        "data-tier subnet 'data' can send to parent-company range 203.0.113.0/24 (egress): subnet 'data' -> route "
        "rt-data.routes[0] 0.0.0.0/0 -> internet-gateway 'igw' -> the internet -> parent-company range "
        "203.0.113.0/24; admitted by sg-db.egress[0] egress all to 203.0.113.0/24"
    ]


# ---- pure unit tests (no Pulumi runtime) --------------------------------------------------------------

U = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the engine's unknown sentinel
VPC, SUB, RT = "aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/routeTable:RouteTable"
ASSOC, SG, IGW = "aws:ec2/routeTableAssociation:RouteTableAssociation", "aws:ec2/securityGroup:SecurityGroup", "aws:ec2/internetGateway:InternetGateway"
DSG, NACL, NAT = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "aws:ec2/networkAcl:NetworkAcl", "aws:ec2/natGateway:NatGateway"
ROUTE, PCX = "aws:ec2/route:Route", "aws:ec2/vpcPeeringConnection:VpcPeeringConnection"
PARENTS = ["203.0.113.0/24"]


def urn(t, n):
    return f"urn:pulumi:s::p::{t}::{n}"


def res(t, n, props, deps=None):
    return NetResource(t, urn(t, n), n, props, {k: tuple(v) for k, v in (deps or {}).items()})


def in_vpc(t, n, props, deps=None, vpc="vpc"):
    return res(t, n, {"vpcId": U, **props}, {"vpcId": [urn(VPC, vpc)], **(deps or {})})


ENI = "aws:ec2/networkInterface:NetworkInterface"


def workload(name="workload", groups=("sg",), subnet="data"):
    """An interface in ``subnet`` carrying ``groups`` (a group governs only what carries it; none: the default)."""
    props = {"subnetId": U, **({"securityGroups": [U] * len(groups)} if groups else {})}
    deps = {"subnetId": [urn(SUB, subnet)], **({"securityGroups": [urn(SG, g) for g in groups]} if groups else {})}
    return res(ENI, name, props, deps)


def stack(routes, route_deps, ingress=("0.0.0.0/0",), egress=("10.0.0.0/16",), harden=True, extra=()):
    items = [
        res(VPC, "vpc", {"cidrBlock": "10.0.0.0/16"}),
        in_vpc(SUB, "data", {"cidrBlock": "10.0.1.0/24", "tags": {"residency-tier": "data"}}),
        in_vpc(IGW, "igw", {}),
        in_vpc(RT, "rt", {"routes": routes}, {"routes": route_deps}),
        res(ASSOC, "assoc", {"subnetId": U, "routeTableId": U}, {"subnetId": [urn(SUB, "data")], "routeTableId": [urn(RT, "rt")]}),
        in_vpc(SG, "sg", {"ingress": [{"protocol": "tcp", "fromPort": 443.0, "toPort": 443.0, "cidrBlocks": list(ingress)}],
                          "egress": [{"protocol": "-1", "fromPort": 0.0, "toPort": 0.0, "cidrBlocks": list(egress)}]}),
        workload(),
        *extra,
    ]  # fmt: skip
    if harden:
        items.append(in_vpc(DSG, "default-sg", {}))
    return items


def found(items):
    return sorted((p.source.key, p.direction, tuple(p.unresolved)) for p in prove(build_graph(items), PARENTS))


IGW_DEFAULT = ([{"cidrBlock": "0.0.0.0/0", "gatewayId": U}], [urn(IGW, "igw")])
BOTH_IN = [("internet", "ingress", ()), ("parent:203.0.113.0/24", "ingress", ())]


def nacl(rules):
    return in_vpc(NACL, "nacl", {"subnetIds": [U], "ingress": rules}, {"subnetIds": [urn(SUB, "data")]})


def test_open_path_and_nacl_order():
    assert found(stack(*IGW_DEFAULT)) == BOTH_IN
    deny_first = [{"ruleNo": 50.0, "action": "deny", "protocol": "-1", "cidrBlock": "0.0.0.0/0"},
                  {"ruleNo": 100.0, "action": "allow", "protocol": "-1", "cidrBlock": "0.0.0.0/0"}]  # fmt: skip
    assert found(stack(*IGW_DEFAULT, extra=[nacl(deny_first)])) == []
    # Rule numbers, not list order, decide.
    assert found(stack(*IGW_DEFAULT, extra=[nacl(list(reversed(deny_first)))])) == []


def test_nacl_deny_of_one_range_or_one_port_leaves_the_rest_open():
    parent_only = [{"ruleNo": 50.0, "action": "deny", "protocol": "-1", "cidrBlock": "203.0.113.0/24"},
                   {"ruleNo": 100.0, "action": "allow", "protocol": "-1", "cidrBlock": "0.0.0.0/0"}]  # fmt: skip
    assert found(stack(*IGW_DEFAULT, extra=[nacl(parent_only)])) == [("internet", "ingress", ())]
    one_port = [{"ruleNo": 50.0, "action": "deny", "protocol": "tcp", "fromPort": 22.0, "toPort": 22.0, "cidrBlock": "0.0.0.0/0"},
                {"ruleNo": 100.0, "action": "allow", "protocol": "-1", "cidrBlock": "0.0.0.0/0"}]  # fmt: skip
    assert found(stack(*IGW_DEFAULT, extra=[nacl(one_port)])) == BOTH_IN


def test_unmanaged_default_security_group_allows_egress_through_nat():
    nat_route = ([{"cidrBlock": "0.0.0.0/0", "natGatewayId": U}], [urn(NAT, "nat")])
    nat = res(NAT, "nat", {"subnetId": U, "allocationId": "eipalloc-0123"})
    # The default group governs only interfaces that name no group: here, one more interface.
    bare = workload("bare", groups=())
    assert found(stack(*nat_route, extra=[nat, bare])) == []
    assert found(stack(*nat_route, harden=False, extra=[nat])) == []  # nothing uses the default group
    assert found(stack(*nat_route, harden=False, extra=[nat, bare])) == [
        ("internet", "egress", ()), ("parent:203.0.113.0/24", "egress", ())
    ]


def test_route_added_to_the_vpc_main_table_reaches_unassociated_subnets():
    items = [r for r in stack([], []) if r.type != ASSOC]
    items.append(res(ROUTE, "main-default", {"routeTableId": U, "destinationCidrBlock": "0.0.0.0/0", "gatewayId": U},
                     {"routeTableId": [urn(VPC, "vpc")], "gatewayId": [urn(IGW, "igw")]}))  # fmt: skip
    assert found(items) == BOTH_IN
    assert found([r for r in items if r.type != ROUTE]) == []  # AWS's own main table: local route only


def test_security_group_references():
    def with_rule(rule, deps=None):
        items = stack(*IGW_DEFAULT, ingress=())
        sg = next(r for r in items if r.type == SG)
        props = {**sg.props, "ingress": [{"protocol": "tcp", "fromPort": 5432.0, "toPort": 5432.0, **rule}]}
        return [r for r in items if r is not sg] + [in_vpc(SG, "sg", props, deps)]

    assert found(with_rule({"self": True})) == []
    assert found(with_rule({"securityGroups": [U]}, {"ingress": [urn(DSG, "default-sg")]})) == []
    piece = ("sg.ingress[0].securityGroups names security group 999999999999/sg-0abc, which is not created in this stack "
             "(its members may be anywhere)")
    assert found(with_rule({"securityGroups": ["999999999999/sg-0abc"]})) == [
        ("internet", "ingress", (piece,)), ("parent:203.0.113.0/24", "ingress", (piece,))
    ]


def test_peering_into_a_vpc_of_this_stack_is_not_transitive():
    routes = ([{"cidrBlock": "0.0.0.0/0", "vpcPeeringConnectionId": U}], [urn(PCX, "pcx")])
    peer = res(VPC, "peer", {"cidrBlock": "10.1.0.0/16"})
    pcx = in_vpc(PCX, "pcx", {"peerVpcId": U}, {"peerVpcId": [urn(VPC, "peer")]})
    assert found(stack(*routes, extra=[peer, pcx])) == []
    outside = in_vpc(PCX, "pcx", {"peerVpcId": "vpc-0123", "peerOwnerId": U})
    assert found(stack(*routes, extra=[outside])) == BOTH_IN


@pytest.mark.parametrize("target", ["tgw-0123456789abcdef0", "igw-0123456789abcdef0"])
def test_literal_exit_ids_are_definite_paths(target):
    key = "transitGatewayId" if target.startswith("tgw-") else "gatewayId"
    assert found(stack([{"cidrBlock": "0.0.0.0/0", key: target}], [])) == BOTH_IN


def test_unknown_route_target_is_unverifiable():
    paths = prove(build_graph(stack([{"cidrBlock": "0.0.0.0/0", "transitGatewayId": U}], [])), PARENTS)
    assert {p.source.key for p in paths} == {"internet", "parent:203.0.113.0/24"}
    assert all(p.unresolved == ["rt.routes[0].transitGatewayId"] for p in paths)


def test_route_through_an_appliance_eni_follows_its_subnet_route_table():
    eni = "aws:ec2/networkInterface:NetworkInterface"
    items = stack([{"cidrBlock": "0.0.0.0/0", "networkInterfaceId": U}], [urn(eni, "fw-eni")])
    items += [
        in_vpc(SUB, "fw", {"cidrBlock": "10.0.9.0/24", "tags": {"residency-tier": "management"}}),
        res(eni, "fw-eni", {"subnetId": U}, {"subnetId": [urn(SUB, "fw")]}),
        in_vpc(RT, "rt-fw", {"routes": [{"cidrBlock": "0.0.0.0/0", "gatewayId": U}]}, {"routes": [urn(IGW, "igw")]}),
        res(ASSOC, "assoc-fw", {"subnetId": U, "routeTableId": U}, {"subnetId": [urn(SUB, "fw")], "routeTableId": [urn(RT, "rt-fw")]}),
    ]  # fmt: skip
    paths = prove(build_graph(items), PARENTS)
    assert {(p.source.key, p.direction) for p in paths} == {("internet", "ingress"), ("parent:203.0.113.0/24", "ingress")}
    assert paths[0].hops[1:5] == ["the internet", "internet-gateway 'igw'", "route rt-fw.routes[0] 0.0.0.0/0", "appliance 'fw-eni'"]


def test_subnet_in_a_vpc_outside_the_stack_cannot_be_verified():
    items = [r for r in stack(*IGW_DEFAULT) if r.type != SUB]
    items.append(res(SUB, "data", {"vpcId": "vpc-0123", "cidrBlock": "10.0.1.0/24"}))
    piece = "data.vpcId names a VPC this stack does not create, so its routes and default security group cannot be read"
    assert found(items) == [("internet", "egress", (piece,)), ("internet", "ingress", (piece,)),
                            ("parent:203.0.113.0/24", "egress", (piece,)), ("parent:203.0.113.0/24", "ingress", (piece,))]  # fmt: skip


def test_diagram_renders_an_aws_violating_path():
    from residency_kit.engine.api import preview_function
    from residency_kit.reports import network_diagram

    result = preview_function(f.peering_to_parent_account, pack=None, config={"aws:region": "us-east-2"})
    dot = network_diagram.render(result.resources, [f.PARENT], "dot")
    mermaid = network_diagram.render(result.resources, [f.PARENT], "mermaid")
    assert "pcx-parent" in dot and "color=red" in dot and "parent-company range 203.0.113.0/24" in dot
    assert "tier: data" in mermaid and "violating" in mermaid
