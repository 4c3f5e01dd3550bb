"""``sanctionedInterfaces`` as a rules key: parsing and validation (one problem per bad value, naming the key, the
value and what is allowed), the layers (a stack may remove an interface or narrow its ports, never add one when
the rules' owner sets the key) and the rules in force as evidence."""

from __future__ import annotations

import copy
import datetime as dt
import ipaddress

import pytest

import illustrative_rules
from interface_fixtures import DECLARATION, FIREWALL
from residency_policies import rules_file
from residency_policies.rules_in_force import rules_values
from residency_policies.sanctioned_interfaces import Direction, PortRange, parse_interfaces

PARENTS = [ipaddress.ip_network(c) for c in illustrative_rules.PARENT_CIDRS]
TODAY = dt.date(2026, 6, 1)
FILE = {"allowedRegions": {"oci": ["us-ashburn-1"], "aws": ["us-east-2"]}, "minimumRetentionDays": 365}


def _problems(entry, **kwargs):
    _, problems = parse_interfaces([entry], parent_cidrs=PARENTS, on=TODAY, **kwargs)
    return [(p.key, p.value, p.allowed) for p in problems]


def test_a_declaration_is_read_into_its_typed_form():
    (interface,), problems = parse_interfaces([{**DECLARATION, "parentEndpoints": ["203.0.113.40/32", "Ads.Parent.Example"],
                                                "ports": ["udp/5000-5010", "tcp/443"]}], parent_cidrs=PARENTS, on=TODAY)
    assert problems == ()
    assert interface.direction is Direction.ESTATE_TO_PARENT and interface.direction.path_direction == "egress"
    assert interface.cidrs == (ipaddress.ip_network("203.0.113.40/32"),) and interface.hosts == ("ads.parent.example",)
    assert interface.ports == (PortRange("tcp", 443, 443), PortRange("udp", 5000, 5010))
    assert interface.gateway.matches("urn:x", FIREWALL, "ads-firewall")
    assert not interface.gateway.matches("urn:x", FIREWALL, "other-firewall")
    assert interface.covers_range(ipaddress.ip_network("203.0.113.40/32"))
    assert not interface.covers_range(ipaddress.ip_network("203.0.113.40/31"))
    assert interface.covers_ports("udp", 5001, 5002) and not interface.covers_ports("tcp", 5001, 5001)
    assert interface.as_json()["ports"] == ["tcp/443", "udp/5000-5010"]


@pytest.mark.parametrize("change, key, value, allowed", [
    ({"name": "Ads"}, "name", "Ads", "lower-case letters, digits and hyphens"),
    ({"purpose": "exports"}, "purpose", "exports", "at least 20 characters"),
    ({"direction": "both"}, "direction", "both", "estate-to-parent or parent-to-estate"),
    ({"parentEndpoints": []}, "parentEndpoints", [], "a non-empty list of CIDR blocks or host names"),
    ({"parentEndpoints": ["198.51.100.7/32"]}, "parentEndpoints[0]", "198.51.100.7/32",
     "a CIDR block inside one of parentCompany.cidrs (203.0.113.0/24, 2001:db8:bad::/48)"),
    ({"parentEndpoints": ["203.0.113.40/24"]}, "parentEndpoints[0]", "203.0.113.40/24", "no host bits"),
    ({"parentEndpoints": ["not a host!"]}, "parentEndpoints[0]", "not a host!", "or a host name"),
    ({"ports": ["tcp/0"]}, "ports[0]", "tcp/0", "ports 1-65535, low <= high"),
    ({"ports": ["tcp/500-400"]}, "ports[0]", "tcp/500-400", "low <= high"),
    ({"ports": ["icmp"]}, "ports[0]", "icmp", "tcp/<port>, udp/<port>"),
    ({"gateway": "ads-firewall"}, "gateway", "ads-firewall", "an object with urn, or with name and type"),
    ({"gateway": {"name": "gw", "type": "oci:ApiGateway/gateway:Gateway"}}, "gateway.type",
     "oci:ApiGateway/gateway:Gateway", FIREWALL),
    ({"gateway": {"urn": "not-a-urn"}}, "gateway.urn", "not-a-urn", "a resource URN"),
    ({"gateway": {"urn": "urn:pulumi:s::p::oci:Core/subnet:Subnet::gw"}}, "gateway.urn",
     "urn:pulumi:s::p::oci:Core/subnet:Subnet::gw", "the URN of a gateway the proof can follow"),
    ({"gateway": {"urn": f"urn:pulumi:s::p::{FIREWALL}::gw", "name": "gw"}}, "gateway",
     {"urn": f"urn:pulumi:s::p::{FIREWALL}::gw", "name": "gw"}, "either urn, or name and type (not both)"),
    ({"approver": " "}, "approver", " ", "who approved the interface"),
    ({"reviewBy": "next year"}, "reviewBy", "next year", "an ISO date (YYYY-MM-DD)"),
    ({"extra": 1}, "extra", 1, "keys name, purpose, direction"),
])
def test_each_bad_value_is_one_problem_naming_key_value_and_what_is_allowed(change, key, value, allowed):
    (problem,) = _problems({**DECLARATION, **change})
    assert problem[0] == f"sanctionedInterfaces[0].{key}" and problem[1] == value and allowed in problem[2]


def test_a_missing_key_and_a_repeated_name_are_problems_too():
    entry = {k: v for k, v in DECLARATION.items() if k != "approver"}
    assert _problems(entry) == [("sanctionedInterfaces[0].approver", None, "a value (required)")]
    _, problems = parse_interfaces([DECLARATION, DECLARATION], parent_cidrs=PARENTS, on=TODAY)
    assert [(p.key, p.allowed) for p in problems] == [("sanctionedInterfaces[1].name",
                                                       "a name no other sanctioned interface has")]
    _, problems = parse_interfaces({"name": "x"}, parent_cidrs=PARENTS, on=TODAY)
    assert [p.key for p in problems] == ["sanctionedInterfaces"]


def test_an_overdue_declaration_is_a_problem_that_sanctions_nothing_unless_kept_for_building():
    overdue = {**DECLARATION, "reviewBy": "2026-05-31"}
    usable, (problem,) = parse_interfaces([overdue], parent_cidrs=PARENTS, on=TODAY)
    assert usable == () and problem.overdue
    assert problem.message("the stack config") == (
        "sanctioned interface #0 ('ads-measurement') in the stack config was due for review on 2026-05-31; it "
        "sanctions nothing until it is reviewed again (renew the approval and set reviewBy to a later date)")
    kept, _ = parse_interfaces([overdue], parent_cidrs=PARENTS, on=TODAY, keep_overdue=True)
    assert [i.name for i in kept] == ["ads-measurement"]
    usable, problems = parse_interfaces([{**DECLARATION, "reviewBy": "2026-06-01"}], parent_cidrs=PARENTS, on=TODAY)
    assert len(usable) == 1 and problems == ()  # due today is still within its review date


def _stack(*declarations):
    rules = copy.deepcopy(illustrative_rules.RULES)
    rules["sanctionedInterfaces"] = list(declarations)
    return rules


def test_in_the_stack_config_a_bad_declaration_is_a_violation_not_bad_rules():
    rules, errors = rules_file.build_rules(None, file_data=FILE, stack_data=_stack(DECLARATION, {**DECLARATION,
                                                                                                 "name": "b", "ports": []}))
    assert errors == []
    assert [i.name for i in rules.sanctioned_interfaces] == ["ads-measurement"]
    assert [p.key for p in rules.interface_problems] == ["sanctionedInterfaces[1].ports"]
    assert rules_values(rules)["sanctionedInterfaces"] == [{
        "name": "ads-measurement", "purpose": DECLARATION["purpose"], "direction": "estate-to-parent",
        "parentEndpoints": ["203.0.113.40/32"], "ports": ["tcp/443"],
        "gateway": {"name": "ads-firewall", "type": FIREWALL}, "approver": "us-security-officer@example.com",
        "reviewBy": "2099-12-31"}]


def test_in_a_policy_config_a_bad_or_overdue_declaration_is_refused_as_bad_rules():
    config = {"sanctionedInterfaces": [{**DECLARATION, "reviewBy": "2001-01-01"}, {**DECLARATION, "name": "b",
                                                                                   "direction": "out"}]}
    rules, errors = rules_file.build_rules(config, file_data=FILE, stack_data=illustrative_rules.RULES, policy="p")
    assert rules is None
    assert [e.message() for e in errors] == [
        "invalid residency rules in the policy config of 'p' (--policy-pack-config): sanctionedInterfaces[0].reviewBy "
        "= '2001-01-01'; allowed: a reviewBy date not in the past (renew the approval and set reviewBy to a later "
        "date)",
        "invalid residency rules in the policy config of 'p' (--policy-pack-config): sanctionedInterfaces[1].direction "
        "= 'out'; allowed: estate-to-parent or parent-to-estate",
    ]


def test_a_stack_may_remove_an_interface_or_narrow_its_ports():
    owner = {"sanctionedInterfaces": [{**DECLARATION, "ports": ["tcp/443", "tcp/8443"]}, {**DECLARATION, "name": "b"}]}
    rules, errors = rules_file.build_rules(owner, file_data=FILE, stack_data=_stack({**DECLARATION, "ports": ["tcp/443"]}),
                                           policy="p")
    assert errors == []
    assert [(i.name, [str(p) for p in i.ports]) for i in rules.sanctioned_interfaces] == [("ads-measurement", ["tcp/443"])]
    rules, errors = rules_file.build_rules(owner, file_data=FILE, stack_data=_stack(), policy="p")
    assert errors == [] and rules.sanctioned_interfaces == ()


@pytest.mark.parametrize("stack_entry, key, allowed", [
    ({**DECLARATION, "name": "extra"}, "sanctionedInterfaces[0].name",
     "the name of an interface the rules declare (a stack may remove one or narrow its ports, not add one)"),
    ({**DECLARATION, "ports": ["tcp/443", "tcp/22"]}, "sanctionedInterfaces[0].ports",
     "ports inside those the rules declare for interface 'ads-measurement' (a stack may narrow them, not widen them)"),
    ({**DECLARATION, "parentEndpoints": ["203.0.113.0/24"]}, "sanctionedInterfaces[0].parentEndpoints",
     "the value the rules declare for interface 'ads-measurement' (a stack may only narrow its ports)"),
    ({**DECLARATION, "reviewBy": "2199-01-01"}, "sanctionedInterfaces[0].reviewBy",
     "the value the rules declare for interface 'ads-measurement' (a stack may only narrow its ports)"),
])
def test_a_stack_may_not_add_an_interface_or_widen_one(stack_entry, key, allowed):
    owner = {"sanctionedInterfaces": [DECLARATION]}
    rules, errors = rules_file.build_rules(owner, file_data=FILE, stack_data=_stack(stack_entry), policy="p")
    assert rules is None
    (error,) = errors
    assert error.key == key and error.allowed.startswith(allowed)
    assert "the policy config of 'p' (--policy-pack-config) has" in error.message()


def test_a_key_the_pack_leaves_unset_is_the_stacks():
    rules, errors = rules_file.build_rules(None, file_data=FILE, stack_data=_stack(DECLARATION))
    assert errors == [] and rules.interface_source.kind.value == "stack config"


def test_the_engine_schema_holds_the_key():
    schema = rules_file.CONFIG_SCHEMA["sanctionedInterfaces"]
    item = schema["items"]
    assert item["required"] == ["name", "purpose", "direction", "parentEndpoints", "ports", "gateway", "approver",
                                "reviewBy"]
    assert item["properties"]["gateway"]["properties"]["type"]["enum"] == [FIREWALL]
    assert "sanctionedInterfaces" in rules_file.TOP_LEVEL_KEYS
