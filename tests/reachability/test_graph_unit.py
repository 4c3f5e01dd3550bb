"""Fast pure tests of the network graph and proof (no Pulumi runtime): hand-built resources in wire form."""

from __future__ import annotations

import conftest  # noqa: F401  (puts the pack dir on sys.path)
from residency_policies.analysis.network_graph import NetResource, build_graph, prove
from residency_policies.analysis.network_graph.prefixes import RangeSet, internet_v4, parse_prefix

U = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def urn(t, n):
    return f"urn:pulumi:s::p::{t}::{n}"


def res(t, n, props, deps=None):
    return NetResource(t, urn(t, n), n, props, {k: tuple(v) for k, v in (deps or {}).items()})


VCN, SUB, RT = "oci:Core/vcn:Vcn", "oci:Core/subnet:Subnet", "oci:Core/routeTable:RouteTable"
IGW, SL = "oci:Core/internetGateway:InternetGateway", "oci:Core/securityList:SecurityList"


def stack(route_rules, ingress_source="0.0.0.0/0", public=True, tags=None):
    return [
        res(VCN, "vcn", {"cidrBlocks": ["10.0.0.0/16"]}),
        res(IGW, "igw", {"vcnId": U}, {"vcnId": [urn(VCN, "vcn")]}),
        res(RT, "rt", {"vcnId": U, "routeRules": route_rules}, {"vcnId": [urn(VCN, "vcn")], "routeRules": [urn(IGW, "igw")]}),
        res(SL, "sl", {"vcnId": U, "ingressSecurityRules": [{"protocol": "6", "source": ingress_source}]}, {"vcnId": [urn(VCN, "vcn")]}),
        res(SUB, "data", {"vcnId": U, "cidrBlock": "10.0.1.0/24", "routeTableId": U, "securityListIds": [U],
                          "prohibitPublicIpOnVnic": not public, "freeformTags": tags if tags is not None else {"residency-tier": "data"}},
            {"vcnId": [urn(VCN, "vcn")], "routeTableId": [urn(RT, "rt")], "securityListIds": [urn(SL, "sl")]}),
    ]  # fmt: skip


def test_internet_excludes_private_ranges():
    internet = RangeSet(internet_v4())
    assert not internet.overlaps(parse_prefix("10.1.0.0/16"))
    assert internet.overlaps(parse_prefix("8.8.8.0/24"))
    assert internet.overlaps(parse_prefix("0.0.0.0/0"))


def test_open_path_found_and_closed_by_more_specific_route():
    rules = [{"destination": "0.0.0.0/0", "networkEntityId": U}]
    paths = prove(build_graph(stack(rules)), ["203.0.113.0/24"])
    assert {(p.source.key, p.direction) for p in paths} == {("internet", "ingress"), ("parent:203.0.113.0/24", "ingress")}


def test_tier_app_is_not_a_target():
    rules = [{"destination": "0.0.0.0/0", "networkEntityId": U}]
    assert prove(build_graph(stack(rules, tags={"residency-tier": "app"})), ["203.0.113.0/24"]) == []


def test_security_rule_from_private_range_admits_nothing_from_outside():
    rules = [{"destination": "0.0.0.0/0", "networkEntityId": U}]
    assert prove(build_graph(stack(rules, ingress_source="10.0.0.0/8")), ["203.0.113.0/24"]) == []


def test_private_subnet_is_not_reachable_through_igw():
    rules = [{"destination": "0.0.0.0/0", "networkEntityId": U}]
    assert prove(build_graph(stack(rules, public=False)), ["203.0.113.0/24"]) == []


def test_unknown_route_destination_is_a_possible_path_naming_the_rule():
    rules = [{"destination": U, "networkEntityId": U}]
    paths = prove(build_graph(stack(rules)), ["203.0.113.0/24"])
    assert paths and all("the destination of rt.routeRules[0] is unknown at preview" in p.unresolved for p in paths)
