"""Sanctioned interfaces through the analyzer protocol: each way an interface can be wrong, with the exact set of
resources each network policy flags (and so, by the empty sets, the resources that pass).

The programs are ``interface_fixtures.interface_estate`` with one mistake each; the declaration is the stack's
``residency:sanctionedInterfaces`` (or, for the policy-config cases, the rules owner's).
"""

from __future__ import annotations

import copy
import datetime as dt
import functools

import pytest

import illustrative_rules
import interface_fixtures as fx
from tests.policies.conftest import CONFIG, flagged, messages, start_pack, urn

POLICIES = ("no-parent-company-ingress", "no-parent-company-egress", "network-reachability", "sanctioned-interfaces",
            "no-parent-company-identifiers")
STACK = urn("pulumi:pulumi:Stack", "test-test")
SL_CLIENT = urn("oci:Core/securityList:SecurityList", "sl-client")
SL_INTERFACE = urn("oci:Core/securityList:SecurityList", "sl-interface")
SL_APP = urn("oci:Core/securityList:SecurityList", "sl-app")
RT_CLIENT = urn("oci:Core/routeTable:RouteTable", "rt-client")
RT_INTERFACE = urn("oci:Core/routeTable:RouteTable", "rt-interface")
ALLOW_RULE = urn("oci:NetworkFirewall/networkFirewallPolicySecurityRule:NetworkFirewallPolicySecurityRule",
                 "ads-firewall-allow-interface")
FIREWALL = urn(fx.FIREWALL, "ads-firewall")
TRAFFIC_LOG = urn("oci:Logging/log:Log", "ads-firewall-traffic-log")
CLIENT_SUBNET = urn("oci:Core/subnet:Subnet", "client")
PARENT_LIST = urn("oci:NetworkFirewall/networkFirewallPolicyAddressList:NetworkFirewallPolicyAddressList",
                  "ads-firewall-parent")
INBOUND = {**fx.DECLARATION, "direction": "parent-to-estate"}
# What the pack refuses when no interface is declared: every rule and route naming the endpoint.
UNDECLARED = {SL_CLIENT, SL_INTERFACE, RT_CLIENT, RT_INTERFACE, ALLOW_RULE}


@pytest.fixture(scope="module")
def packs():
    started: dict[str, object] = {}

    def get(*declarations):
        key = repr(declarations)
        if key not in started:
            started[key] = start_pack(config=fx.declared(*declarations))
        return started[key], fx.declared(*declarations)

    yield get
    for pack in started.values():
        pack.close()


@pytest.fixture
def run(preview, packs):
    def go(*declarations, **mistake):
        pack, config = packs(*declarations)
        result = preview(functools.partial(fx.interface_estate, **mistake), config=config, using=pack)
        return result, {p: flagged(result, p) for p in POLICIES}

    return go


def expect(found: dict[str, set[str]], **wanted: set[str]) -> None:
    names = {p.replace("-", "_"): p for p in POLICIES}
    assert found == {names.get(k, k): set() for k in names} | {names[k]: v for k, v in wanted.items()}


def test_a_declared_interface_passes_every_network_policy(run):
    result, found = run()
    expect(found)
    assert not [v for v in result.violations if v.policy in POLICIES]


def test_without_a_declaration_the_same_estate_fails_exactly_as_before(preview):
    result = preview(fx.interface_estate, config=CONFIG)
    assert flagged(result, "no-parent-company-egress") == UNDECLARED
    assert flagged(result, "sanctioned-interfaces") == set()
    assert flagged(result, "network-reachability") == set()


def test_a_path_beside_the_gateway_is_a_violation_with_its_path(run):
    result, found = run(bypass=True)
    expect(found, no_parent_company_egress={SL_CLIENT})
    (message,) = messages(result, "no-parent-company-egress")
    assert ("subnet 'client' -> route rt-client.routeRules[0] 203.0.113.40/32 -> nat-gateway 'nat' -> the internet"
            in message)
    assert "not sanctioned: it does not cross gateway 'ads-firewall' of sanctioned interface 'ads-measurement'" in message
    assert "fix: route the subnet's traffic for 203.0.113.40/32 through gateway 'ads-firewall'" in message


def test_an_undeclared_second_path_beside_a_declared_one(run):
    result, found = run(second_path=True)
    expect(found, no_parent_company_egress={SL_APP})
    (message,) = messages(result, "no-parent-company-egress")
    assert "app-tier subnet 'app' can send to parent-company range 203.0.113.40/32" in message


def test_traffic_through_another_gateway_than_the_declared_one(run):
    result, found = run(second_gateway=True)
    expect(found, no_parent_company_egress={SL_CLIENT, SL_INTERFACE})
    text = "\n".join(messages(result, "no-parent-company-egress"))
    assert "network-firewall 'other-firewall-ip'" in text
    assert ("sanctioned interface 'ads-measurement' must cross an OCI Network Firewall 'ads-firewall', which is not "
            "in this stack") in text


def test_an_extra_port_on_the_gateway(run):
    result, found = run(allow_ports=((443, 443), (8443, 8443)))
    expect(found, sanctioned_interfaces={ALLOW_RULE})
    (message,) = messages(result, "sanctioned-interfaces")
    assert ("rule 'allow-interface' of gateway 'ads-firewall' allows 203.0.113.40/32 on tcp/443, tcp/8443 to the "
            "parent company, which no sanctioned interface through it declares ('ads-measurement': 203.0.113.40/32 "
            "on tcp/443)") in message
    assert "paths through the gateway:\n  - app-tier subnet 'client' can send to parent-company range" in message


def test_an_interface_into_the_data_tier(run):
    result, found = run(client_tier="data")
    expect(found, network_reachability={CLIENT_SUBNET})
    (message,) = messages(result, "network-reachability")
    assert "network-firewall 'ads-firewall-ip'" in message
    assert ("not sanctioned: it crosses gateway 'ads-firewall' of sanctioned interface 'ads-measurement', but a "
            "sanctioned interface never reaches the data tier (subnet 'client')") in message


@pytest.mark.parametrize("mistake, found_text", [
    ({"log_enabled": False}, "traffic log 'ads-firewall-traffic-log' is disabled (isEnabled: false); fix: set isEnabled: true"),
    ({"archived": False}, "traffic log 'ads-firewall-traffic-log' is the log source of no service connector, so it "
                          "reaches no log archive"),
])
def test_gateway_logs_off_or_not_archived(run, mistake, found_text):
    result, found = run(**mistake)
    expect(found, sanctioned_interfaces={TRAFFIC_LOG})
    (message,) = messages(result, "sanctioned-interfaces")
    assert found_text in message


def test_a_gateway_that_does_not_drop_the_rest_of_the_parent(run):
    result, found = run(drop_rest=False)
    # The parent-company address list no drop rule uses is, by itself, a list naming the parent for nothing.
    expect(found, sanctioned_interfaces={FIREWALL}, no_parent_company_identifiers={PARENT_LIST})
    (message,) = messages(result, "sanctioned-interfaces")
    assert "does not drop parent-company range(s) 203.0.113.0/24, 2001:db8:bad::/48 to the estate" in message


def test_an_overdue_review_sanctions_nothing(run):
    overdue = {**fx.DECLARATION, "reviewBy": (dt.date.today() - dt.timedelta(days=1)).isoformat()}
    result, found = run(overdue)
    expect(found, sanctioned_interfaces={STACK}, no_parent_company_egress=UNDECLARED)
    (message,) = messages(result, "sanctioned-interfaces")
    assert "sanctioned interface #0 ('ads-measurement') in the stack config" in message
    assert "was due for review on" in message and "it sanctions nothing until it is reviewed again" in message


def test_a_malformed_declaration_sanctions_nothing(run):
    malformed = {**fx.DECLARATION, "ports": ["tcp/443", "http"]}
    result, found = run(malformed)
    expect(found, sanctioned_interfaces={STACK}, no_parent_company_egress=UNDECLARED)
    (message,) = messages(result, "sanctioned-interfaces")
    assert "is malformed: sanctionedInterfaces[0].ports[1] = 'http'; allowed: tcp/<port>" in message


def test_unknown_at_preview_gateway_policy_fails_closed(run):
    result, found = run(unknown_estate=True)
    expect(found, sanctioned_interfaces={ALLOW_RULE})
    (violation,) = result.violations_of("sanctioned-interfaces")
    assert violation.enforcement_level == "mandatory"
    assert ("cannot be verified at preview: ads-firewall-estate.addresses is unknown; make it a literal or config "
            "value") in violation.message


def test_a_parent_to_estate_interface(run):
    _, found = run(INBOUND, inbound=True)
    expect(found)
    result, found = run(INBOUND, inbound=True, bypass=True)
    expect(found, no_parent_company_ingress={SL_CLIENT})
    assert "parent-company range 203.0.113.40/32 -> networks attached to the DRG outside this stack" in \
        messages(result, "no-parent-company-ingress")[0]


def test_a_path_the_wrong_way_through_the_gateway(run):
    """Declared estate to parent, built parent to estate: the parent opens connections through the gateway."""
    result, found = run(inbound=True)
    expect(found, no_parent_company_ingress={SL_CLIENT, SL_INTERFACE})
    assert "which is estate-to-parent (only the estate opens its connections), but this path is ingress" in \
        "\n".join(messages(result, "no-parent-company-ingress"))


def test_interfaces_declared_by_the_rules_owner_bind_the_stack(preview):
    owner = {"residency-rules": {"sanctionedInterfaces": [fx.DECLARATION]}}
    stack = copy.deepcopy(illustrative_rules.RULES)
    pack = start_pack(policy_config=owner)
    try:
        result = preview(fx.interface_estate, using=pack)
        assert {p: flagged(result, p) for p in POLICIES} == {p: set() for p in POLICIES}
    finally:
        pack.close()
    # A stack may not add an interface the owner did not declare: refused before the program runs.
    stack["sanctionedInterfaces"] = [fx.DECLARATION, {**fx.DECLARATION, "name": "extra"}]
    config = {"oci:region": "us-ashburn-1", **illustrative_rules.stack_config(stack)}
    with pytest.raises(Exception) as refused:
        start_pack(policy_config=owner, config=config)
    assert "sanctionedInterfaces[1].name = 'extra'" in str(refused.value)
