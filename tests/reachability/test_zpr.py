"""Zero Trust Packet Routing (issue 22 item 3): statements that admit or reach a parent range are violations, and
where ZPR applies a path needs a ZPR allow as well as a security-rule allow.

The data subnet is the open one of ``fixtures_oci.igw_open_security_list`` (internet gateway, a public subnet, a
security list admitting 0.0.0.0/0 on 443): without ZPR the internet and the parent range reach it.
"""

from __future__ import annotations

import fixtures_oci as f
import pulumi_oci as oci
import pytest

from residency_kit.engine.api import preview_function
from residency_policies.analysis import zpr_statements as zs
from fixtures_oci import COMPARTMENT, CONFIG

REACH = "network-reachability"
PARENT = "parent-company range 203.0.113.0/24"
INTERNET = "the internet (0.0.0.0/0, ::/0)"
ZPR = "oci:Zpr/zprPolicy:ZprPolicy"
DB_ATTRIBUTES = {"oracle-zpr.db.value": "prod", "oracle-zpr.db.mode": "enforce"}


def _estate(statements, *, mode="enforce", configured=True, vcn_attribute=True, extra_endpoint=False):
    def program():
        net = oci.core.Vcn("vcn", compartment_id=COMPARTMENT, cidr_blocks=["10.0.0.0/16"], security_attributes=(
            {"oracle-zpr.networks.value": "usvcn", "oracle-zpr.networks.mode": "enforce"} if vcn_attribute else None))
        igw = oci.core.InternetGateway("igw", compartment_id=COMPARTMENT, vcn_id=net.id)
        rt = f.route_table("rt-data", net, [("0.0.0.0/0", igw)])
        data = f.subnet("data", net, rt, [f.security_list("sl-data", net)], public=True)
        oci.core.Instance("db-host", availability_domain="Uocm:US-ASHBURN-AD-1", compartment_id=COMPARTMENT,
                          shape="VM.Standard.E4.Flex", create_vnic_details={
                              "subnet_id": data.id, "security_attributes": {**DB_ATTRIBUTES, "oracle-zpr.db.mode": mode}})
        if extra_endpoint:  # a VNIC that carries no attribute: ZPR does not govern it
            oci.core.Instance("plain-host", availability_domain="Uocm:US-ASHBURN-AD-1", compartment_id=COMPARTMENT,
                              shape="VM.Standard.E4.Flex", create_vnic_details={"subnet_id": data.id})
        if configured:
            oci.zpr.Configuration("zpr", compartment_id=COMPARTMENT, zpr_status="ENABLED")
        oci.zpr.ZprPolicy("zpr-policy", compartment_id=COMPARTMENT, description="d", statements=statements)
    return program


def _paths(pack, program) -> tuple[list[str], object]:
    result = preview_function(program, pack=pack, config=CONFIG)
    lines = sorted(line[4:].split("): ", 1)[0] + ")" for v in result.violations_of(REACH) for line in v.message.splitlines()
                   if line.startswith("  - "))
    return lines, result


INTERNAL = ["in networks:usvcn VCN allow app:web endpoints to connect to db:prod endpoints with protocol='tcp/1521'"]


def test_zpr_drops_what_no_statement_allows(reachability_pack):
    paths, result = _paths(reachability_pack, _estate(INTERNAL))
    assert paths == []
    assert result.violations_of("no-parent-company-ingress") == []


def test_a_statement_admitting_the_parent_keeps_its_path_and_is_a_violation(reachability_pack):
    statements = INTERNAL + ["in networks:usvcn VCN allow '203.0.113.0/25' to connect to db:prod endpoints"]
    paths, result = _paths(reachability_pack, _estate(statements))
    assert paths == [f"{PARENT} can reach data-tier subnet 'data' (ingress)"]
    assert {v.resource_name for v in result.violations_of("no-parent-company-ingress")} == {"zpr-policy"}
    assert any("admits 203.0.113.0/25 (statements[1])" in v.message for v in result.violations_of("no-parent-company-ingress"))
    assert result.violations_of("no-parent-company-identifiers") == []  # reported once, by the ingress policy


def test_a_statement_reaching_the_parent_is_an_egress_violation(reachability_pack):
    statements = INTERNAL + ["in networks:usvcn VCN allow db:prod endpoints to connect to '2001:db8:bad::/48'"]
    _, result = _paths(reachability_pack, _estate(statements))
    assert {v.resource_name for v in result.violations_of("no-parent-company-egress")} == {"zpr-policy"}
    assert result.violations_of("no-parent-company-ingress") == []


@pytest.mark.parametrize("variant", [
    dict(mode="audit"),  # audit mode only logs
    dict(configured=False),  # ZPR is not managed by this stack: its statements may not be all the tenancy's
    dict(extra_endpoint=True),  # an endpoint without attributes is not governed by ZPR
])
def test_where_zpr_does_not_apply_the_security_rules_decide(reachability_pack, variant):
    paths, _ = _paths(reachability_pack, _estate(INTERNAL, **variant))
    assert paths == sorted([f"{INTERNET} can reach data-tier subnet 'data' (ingress)",
                            f"{PARENT} can reach data-tier subnet 'data' (ingress)"])


def test_statements_scoped_to_another_vcn_allow_nothing_here(reachability_pack):
    statements = ["in networks:othervcn VCN allow '0.0.0.0/0' to connect to db:prod endpoints"]
    paths, result = _paths(reachability_pack, _estate(statements))
    assert paths == []
    # The statement admits everyone (the parent included), wherever it applies: a violation on the policy itself.
    assert {v.resource_name for v in result.violations_of("no-parent-company-ingress")} == {"zpr-policy"}


def test_statements_unknown_at_preview(reachability_pack):
    def program():
        seed = oci.identity.Compartment("seed", compartment_id=COMPARTMENT, description="seed")
        _estate(seed.id.apply(lambda _: INTERNAL))()

    paths, result = _paths(reachability_pack, program)
    assert paths == sorted([f"{INTERNET} can reach data-tier subnet 'data' (ingress)",
                            f"{PARENT} can reach data-tier subnet 'data' (ingress)"])
    [ingress] = result.violations_of("no-parent-company-ingress")
    assert ingress.resource_name == "zpr-policy" and "cannot be verified at preview" in ingress.message


@pytest.mark.parametrize(("text", "source", "destination"), [
    ("in a:b VCN allow '203.0.113.0/24' to connect to db:prod endpoints", zs.EndpointKind.RANGE, zs.EndpointKind.ATTRIBUTE),
    ("in a:b VCN allow all-endpoints to connect to osn-services-ip-addresses", zs.EndpointKind.ALL, zs.EndpointKind.SERVICES),
    ("allow x:y endpoints in a:b VCN to connect to 'ns.k:v w' endpoints in a:c VCN", zs.EndpointKind.ATTRIBUTE,
     zs.EndpointKind.ATTRIBUTE),
])
def test_statements_parse(text, source, destination):
    statement = zs.parse(text)
    assert (statement.source.kind, statement.destination.kind) == (source, destination)


@pytest.mark.parametrize("text", ["allow everything", "in a:b VCN allow '203.0.113.0/24' to db:x endpoints", "", None])
def test_what_is_no_statement(text):
    assert zs.parse(text) is None


def test_attributes_and_their_mode():
    found = zs.attributes_of({"securityAttributes": {"ns.db.value": "Prod", "ns.db.mode": "enforce", "oracle-zpr.x.value": "y"}})
    assert found.carried == {zs.Attribute("ns", "db", "prod"), zs.Attribute("oracle-zpr", "x", "y")} and found.enforced
    assert not zs.attributes_of({"securityAttributes": {"ns.db.value": "prod", "ns.db.mode": "audit"}}).enforced
