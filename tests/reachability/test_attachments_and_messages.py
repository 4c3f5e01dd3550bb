"""Pure tests (no Pulumi runtime): the generated attachment inputs stay in step with the SDKs, which resources
carry which groups where, the public tier's declared ports, and the message builders in every combination."""

from __future__ import annotations

from pathlib import Path

import pytest

from residency_policies.analysis.network_graph import NetResource, build_graph, tiers
from residency_policies.analysis.network_graph.attachments import load
from residency_policies.analysis.network_graph.reachability import clause, unverified
from residency_policies.findings import Finding
from generator_checks import SDK_SCHEMA_GROUP, check_generated

PACK_DIR = Path(__file__).resolve().parents[2] / "policies"
U = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


@SDK_SCHEMA_GROUP
def test_generated_attachment_inputs_match_the_installed_sdks():
    code, stderr = check_generated("generate_network_attachments")
    assert code == 0, stderr


def test_attachment_inputs_cover_the_common_carriers():
    table = load()
    assert {"vpcSecurityGroupIds[]", "securityGroups[]"} <= set(table["aws:ec2/instance:Instance"].groups)
    assert table["aws:rds/instance:Instance"].subnets == ("dbSubnetGroupName",)
    assert "networkConfiguration.securityGroups[]" in table["aws:ecs/service:Service"].groups
    assert "vpcConfig.securityGroupIds[]" in table["aws:lambda/function:Function"].groups
    assert "createVnicDetails.nsgIds[]" in table["oci:Core/instance:Instance"].groups
    # A group's own rules are not an attachment of it.
    assert "aws:ec2/securityGroupRule:SecurityGroupRule" not in table


def urn(t, n):
    return f"urn:pulumi:s::p::{t}::{n}"


def res(t, n, props, deps=None):
    return NetResource(t, urn(t, n), n, props, {k: tuple(v) for k, v in (deps or {}).items()})


VPC, SUB, SG = "aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/securityGroup:SecurityGroup"
RDS, DBSG, LT, ASG = ("aws:rds/instance:Instance", "aws:rds/subnetGroup:SubnetGroup", "aws:ec2/launchTemplate:LaunchTemplate",
                      "aws:autoscaling/group:Group")


def base():
    return [res(VPC, "vpc", {"cidrBlock": "10.0.0.0/16"}),
            res(SUB, "a", {"vpcId": U, "cidrBlock": "10.0.1.0/24"}, {"vpcId": [urn(VPC, "vpc")]}),
            res(SUB, "b", {"vpcId": U, "cidrBlock": "10.0.2.0/24"}, {"vpcId": [urn(VPC, "vpc")]}),
            res(SG, "db", {"vpcId": U}, {"vpcId": [urn(VPC, "vpc")]}),
            res(SG, "web", {"vpcId": U}, {"vpcId": [urn(VPC, "vpc")]})]


def groups_by_subnet(items):
    graph = build_graph(items)
    return {s.name: sorted(graph.name_of(k) for k in s.security) for s in graph.subnets.values()}


def test_groups_govern_the_subnets_of_what_carries_them():
    assert groups_by_subnet(base()) == {"a": [], "b": []}  # carried by nothing: they govern nothing
    items = base() + [
        res(DBSG, "dbs", {"subnetIds": [U]}, {"subnetIds": [urn(SUB, "b")]}),
        res(RDS, "pg", {"dbSubnetGroupName": U, "vpcSecurityGroupIds": [U]},
            {"dbSubnetGroupName": [urn(DBSG, "dbs")], "vpcSecurityGroupIds": [urn(SG, "db")]}),
        res(LT, "tpl", {"vpcSecurityGroupIds": [U]}, {"vpcSecurityGroupIds": [urn(SG, "web")]}),
        res(ASG, "web-asg", {"vpcZoneIdentifiers": [U], "launchTemplate": {"id": U}},
            {"vpcZoneIdentifiers": [urn(SUB, "a")], "launchTemplate": [urn(LT, "tpl")]}),
    ]
    assert groups_by_subnet(items) == {"a": ["web"], "b": ["db"]}


def test_an_interface_naming_no_group_carries_the_default_one():
    eni = res("aws:ec2/networkInterface:NetworkInterface", "eni", {"subnetId": U}, {"subnetId": [urn(SUB, "a")]})
    assert groups_by_subnet(base() + [eni]) == {"a": ["default security group of vpc"], "b": []}


def test_a_group_of_another_stack_is_named_as_unreadable():
    eni = res("aws:ec2/networkInterface:NetworkInterface", "eni", {"subnetId": U, "securityGroups": ["sg-0abc"]},
              {"subnetId": [urn(SUB, "a")]})
    (name,) = groups_by_subnet(base() + [eni])["a"]
    assert name == "eni carries security group(s) this stack does not create (sg-0abc), whose rules cannot be read"


@pytest.mark.parametrize(("value", "declared"), [
    ("443", ((443, 443),)), ("80,443", ((80, 80), (443, 443))), ("8000-8080 443", ((8000, 8080), (443, 443))),
    ("https", None), ("0", None), ("70000", None), ("", None), (U, None), (443, None),
])
def test_public_ports_tag(value, declared):
    assert tiers.parse_public_ports(value) == declared


def test_public_ports_default_and_unreadable():
    assert tiers.public_ports({"residency-tier": "public"}) == tiers.DEFAULT_PUBLIC_PORTS
    assert tiers.public_ports({"residency-public-ports": "web"}) == ()
    assert tiers.describe_ports(()) == "none (its residency-public-ports tag cannot be read)"
    assert tiers.describe_ports(((80, 80), (8000, 8080))) == "80, 8000-8080"


@pytest.mark.parametrize(("ports", "within", "text"), [
    (tiers.Ports("tcp", 443, 443), True, "tcp 443"), (tiers.Ports("tcp", 22, 22), False, "tcp 22"),
    (tiers.Ports("tcp", 80, 443), False, "tcp 80-443"), (tiers.Ports("udp", 443, 443), True, "udp 443"),
    (tiers.Ports("tcp"), False, "tcp"), (tiers.ALL, False, "all"), (tiers.Ports("icmp"), True, "icmp"),
])
def test_ports_within_declared(ports, within, text):
    assert ports.within(tiers.DEFAULT_PUBLIC_PORTS) is within
    assert str(ports) == text


def test_unverified_pieces_read_as_sentences():
    assert clause("sg.ingress[0].cidrBlocks") == "sg.ingress[0].cidrBlocks is unknown; make it a literal or config value"
    outside = "tgw-0abc is outside this stack"
    assert clause(outside) == outside
    assert unverified(["a.b", outside, "a.b"]) == f"a.b is unknown; make it a literal or config value; {outside}"


def test_finding_text_names_what_is_unknown_and_why():
    assert Finding("m", unverifiable=True, path="x.y").text() == (
        "cannot be verified at preview: x.y is unknown; make it a literal or config value. m")
    assert Finding("m", unverifiable=True, path="ingress[0]", why="its subnets are outside this stack").text() == (
        "cannot be verified at preview: its subnets are outside this stack. m")
    assert Finding("m", why="ignored when definite").text() == "m"
