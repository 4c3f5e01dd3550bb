"""SanctionedInterface: a declared interface built from its declaration (client subnet, the firewall alone in its
subnet allowing exactly the declared flows and dropping the rest of the parent's ranges, its logs)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress
from pathlib import Path

import pulumi_oci as oci
import pytest
import yaml

from residency_kit.components.arg_problems import ComponentArgsError
from residency_kit.components.oci.sanctioned_interface import (
    TYPE_TOKEN,
    SanctionedInterface,
    SanctionedInterfaceArgs,
)
from residency_kit.engine.capture import EchoMocks, capture
from residency_kit.settings import SettingsError, parse_settings
from residency_policies.sanctioned_interfaces import parse_interfaces
from tests.components.data_tier_fixtures import children_of, provider_region

STACKS = Path(__file__).resolve().parents[2] / "stacks"
PARENTS = ("203.0.113.0/24", "2001:db8:bad::/48")
FIREWALL = "oci:NetworkFirewall/networkFirewall:NetworkFirewall"
PRIVATE_IPS = "oci:Core/getPrivateIps:getPrivateIps"
FIREWALL_IP_ID = "ocid1.privateip.oc1.iad.firewall"
DRG_ID = "ocid1.drg.oc1.iad.example"
DECLARATION = {
    "name": "ads-measurement",
    "purpose": "Aggregated ad-measurement counts exported to the parent's measurement service",
    "direction": "estate-to-parent",
    "parentEndpoints": ["203.0.113.40/32"],
    "ports": ["tcp/443", "udp/5000-5010"],
    "gateway": {"name": "ads-firewall", "type": FIREWALL},
    "approver": "us-security-officer@example.com",
    "reviewBy": "2099-12-31",
}


def _declaration(**changes):
    (interface,), problems = parse_interfaces([{**DECLARATION, **changes}],
                                              parent_cidrs=[ipaddress.ip_network(c) for c in PARENTS])
    assert problems == ()
    return interface


def _args(provider, **overrides) -> SanctionedInterfaceArgs:
    base = SanctionedInterfaceArgs(
        provider=provider, compartment_id="ocid1.compartment.oc1..network", vcn_id="ocid1.vcn.oc1.iad.home",
        interface=_declaration(), client_subnet_cidr="10.20.50.0/24", gateway_subnet_cidr="10.20.51.0/24",
        parent_cidrs=PARENTS, log_group_id="ocid1.loggroup.oc1.iad.network", vcn_cidr="10.20.0.0/16",
        required_tags={"jurisdiction": "US", "data-owner": "us-data-team"})
    return dataclasses.replace(base, **overrides)


def _run(**overrides):
    def program():
        home = oci.Provider("oci-home", region="us-ashburn-1")
        SanctionedInterface("ads", _args(home, **overrides))

    mocks = EchoMocks(invokes={PRIVATE_IPS: lambda args: {"privateIps": [
        {"id": FIREWALL_IP_ID, "ipAddress": args["ipAddress"]}]}})
    return capture(program, mocks=mocks)


@pytest.fixture(scope="module")
def monitor():
    return _run()


def test_children(monitor):
    assert sorted((r.type.rsplit(":", 1)[-1], r.name) for r in children_of(monitor, TYPE_TOKEN)) == sorted([
        ("NatGateway", "ads-nat-gateway"),
        ("NetworkFirewall", "ads-firewall"),
        ("NetworkFirewallPolicy", "ads-firewall-policy"),
        ("NetworkFirewallPolicyAddressList", "ads-firewall-endpoint-addresses"),
        ("NetworkFirewallPolicyAddressList", "ads-firewall-estate-addresses"),
        ("NetworkFirewallPolicyAddressList", "ads-firewall-parent-company-addresses"),
        ("NetworkFirewallPolicySecurityRule", "ads-firewall-rule-allow-ads-measurement"),
        ("NetworkFirewallPolicySecurityRule", "ads-firewall-rule-drop-from-parent-company"),
        ("NetworkFirewallPolicySecurityRule", "ads-firewall-rule-drop-to-parent-company"),
        ("NetworkFirewallPolicyService", "ads-firewall-service-tcp-443-443"),
        ("NetworkFirewallPolicyService", "ads-firewall-service-udp-5000-5010"),
        ("NetworkFirewallPolicyServiceList", "ads-firewall-ports"),
        ("Log", "ads-firewall-threat-log"),
        ("Log", "ads-firewall-traffic-log"),
        ("RouteTable", "ads-client-route-table"),
        ("RouteTable", "ads-exit-return-route-table"),
        ("RouteTable", "ads-gateway-route-table"),
        ("RouteTableAttachment", "ads-gateway-route-table-attachment"),
        ("SecurityList", "ads-client-security-list"),
        ("SecurityList", "ads-gateway-security-list"),
        ("Subnet", "ads-client-subnet"),
        ("Subnet", "ads-gateway-subnet"),
    ])


def test_the_provider_reaches_every_child(monitor):
    for child in children_of(monitor, TYPE_TOKEN):
        assert provider_region(monitor, child) == "us-ashburn-1", child.name


def test_the_client_subnet_sends_only_the_endpoint_and_only_to_the_firewall(monitor):
    subnet = monitor.named("ads-client-subnet")
    assert subnet.inputs["cidrBlock"] == "10.20.50.0/24" and subnet.inputs["prohibitPublicIpOnVnic"] is True
    assert subnet.inputs["freeformTags"] == {"jurisdiction": "US", "data-owner": "us-data-team",
                                             "residency-interface": "ads-measurement", "residency-tier": "app",
                                             "residency-role": "sanctioned-interface-client"}
    assert subnet.inputs["routeTableId"] == "ads-client-route-table-id"
    (route,) = monitor.named("ads-client-route-table").inputs["routeRules"]
    assert (route["destination"], route["networkEntityId"]) == ("203.0.113.40/32", FIREWALL_IP_ID)
    rules = monitor.named("ads-client-security-list").inputs
    assert rules.get("ingressSecurityRules", []) == []
    assert [(r["destination"], r["protocol"], r.get("tcpOptions"), r.get("udpOptions")) for r in
            rules["egressSecurityRules"]] == [
        ("203.0.113.40/32", "6", {"min": 443, "max": 443}, None),
        ("203.0.113.40/32", "17", None, {"min": 5000, "max": 5010}),
    ]


def test_the_gateway_subnet_holds_the_firewall_and_routes_the_endpoint_to_the_exit(monitor):
    subnet = monitor.named("ads-gateway-subnet")
    assert subnet.inputs["cidrBlock"] == "10.20.51.0/24" and subnet.inputs["freeformTags"]["residency-tier"] == "interface"
    firewall = monitor.named("ads-firewall")
    assert firewall.inputs["subnetId"] == "ads-gateway-subnet-id" and firewall.inputs["ipv4address"] == "10.20.51.2"
    attachment = monitor.named("ads-gateway-route-table-attachment")
    assert attachment.inputs == {"subnetId": "ads-gateway-subnet-id", "routeTableId": "ads-gateway-route-table-id"}
    (route,) = monitor.named("ads-gateway-route-table").inputs["routeRules"]
    assert (route["destination"], route["networkEntityId"]) == ("203.0.113.40/32", "ads-nat-gateway-id")
    # Replies come back through the firewall: the NAT gateway's own table sends the client range to it.
    nat = monitor.named("ads-nat-gateway")
    assert nat.inputs["routeTableId"] == "ads-exit-return-route-table-id"
    (back,) = monitor.named("ads-exit-return-route-table").inputs["routeRules"]
    assert (back["destination"], back["networkEntityId"]) == ("10.20.50.0/24", FIREWALL_IP_ID)


def test_the_firewall_allows_the_declared_flows_first_then_drops_every_parent_range(monitor):
    lists = {monitor.named(f"ads-firewall-{label}-addresses").inputs["name"]:
             monitor.named(f"ads-firewall-{label}-addresses").inputs["addresses"]
             for label in ("estate", "endpoint", "parent-company")}
    assert lists == {"estate": ["10.20.50.0/24"], "parent-endpoints": ["203.0.113.40/32"],
                     "parent-company": list(PARENTS)}
    assert monitor.named("ads-firewall-ports").inputs["services"] == ["tcp-443-443", "udp-5000-5010"]
    assert monitor.named("ads-firewall-service-udp-5000-5010").inputs["portRanges"] == [
        {"minimumPort": 5000, "maximumPort": 5010}]
    allow, to_parent, from_parent = (monitor.named(f"ads-firewall-rule-{n}") for n in (
        "allow-ads-measurement", "drop-to-parent-company", "drop-from-parent-company"))
    assert allow.inputs["action"] == "ALLOW" and "positions" not in allow.inputs
    assert allow.inputs["condition"] == {"sourceAddresses": ["estate"], "destinationAddresses": ["parent-endpoints"],
                                         "services": ["interface-ports"]}
    assert to_parent.inputs["action"] == from_parent.inputs["action"] == "DROP"
    assert to_parent.inputs["condition"] == {"destinationAddresses": ["parent-company"]}
    assert from_parent.inputs["condition"] == {"sourceAddresses": ["parent-company"]}
    assert to_parent.inputs["positions"] == [{"afterRule": "allow-ads-measurement"}]
    assert from_parent.inputs["positions"] == [{"afterRule": "drop-to-parent-company"}]
    # The policy is attached only once every rule exists (an attached policy cannot be edited).
    firewall = monitor.named("ads-firewall")
    for rule in (allow, to_parent, from_parent):
        assert rule.mock_urn in firewall.dependencies


def test_the_firewall_logs_traffic_and_threats_and_they_are_protected(monitor):
    for kind in ("traffic", "threat"):
        log = monitor.named(f"ads-firewall-{kind}-log")
        assert log.inputs["isEnabled"] is True and log.protect is True
        assert log.inputs["logGroupId"] == "ocid1.loggroup.oc1.iad.network"
        assert log.inputs["configuration"]["source"] == {"category": f"{kind}log", "resource": "ads-firewall-id",
                                                         "service": "ocinetworkfirewall", "sourceType": "OCISERVICE"}


def test_outputs_are_registered(monitor):
    (component,) = monitor.of_type(TYPE_TOKEN)
    outputs = monitor.resource_outputs[component.mock_urn]
    assert outputs == {"clientSubnetId": "ads-client-subnet-id", "gatewaySubnetId": "ads-gateway-subnet-id",
                       "firewallId": "ads-firewall-id", "routeTargetId": FIREWALL_IP_ID,
                       "exitRouteTableId": "ads-exit-return-route-table-id",
                       "logIds": {"traffic": "ads-firewall-traffic-log-id", "threat": "ads-firewall-threat-log-id"},
                       "natGatewayId": "ads-nat-gateway-id"}


def test_a_parent_to_estate_interface_admits_the_endpoints_and_uses_the_given_exit():
    monitor = _run(interface=_declaration(direction="parent-to-estate"), exit_gateway_id=DRG_ID)
    assert not monitor.of_type("oci:Core/natGateway:NatGateway")
    (route,) = monitor.named("ads-gateway-route-table").inputs["routeRules"]
    assert route["networkEntityId"] == DRG_ID
    client = monitor.named("ads-client-security-list").inputs
    assert [r["source"] for r in client["ingressSecurityRules"]] == ["203.0.113.40/32"] * 2
    assert client.get("egressSecurityRules", []) == []
    allow = monitor.named("ads-firewall-rule-allow-ads-measurement")
    assert allow.inputs["condition"]["sourceAddresses"] == ["parent-endpoints"]
    assert allow.inputs["condition"]["destinationAddresses"] == ["estate"]


def test_every_problem_in_one_error():
    with pytest.raises(ComponentArgsError) as raised:
        _run(interface=_declaration(direction="parent-to-estate", gateway={"name": "other", "type": FIREWALL},
                                    parentEndpoints=["203.0.113.40/32", "ads.parent.example"]),
             client_subnet_cidr="10.30.0.0/24", gateway_subnet_cidr="203.0.113.0/28", client_tier="data",
             log_retention_days=45)
    lines = str(raised.value).splitlines()
    assert lines[0] == "invalid SanctionedInterfaceArgs for 'ads' (8 problem(s)):"
    assert [line.split(":", 1)[0] for line in lines[1:]] == [
        "  - SanctionedInterfaceArgs.interface.gateway", "  - SanctionedInterfaceArgs.interface.hosts",
        "  - SanctionedInterfaceArgs.exit_gateway_id", "  - SanctionedInterfaceArgs.client_tier",
        "  - SanctionedInterfaceArgs.log_retention_days", "  - SanctionedInterfaceArgs.client_subnet_cidr",
        "  - SanctionedInterfaceArgs.gateway_subnet_cidr", "  - SanctionedInterfaceArgs.gateway_subnet_cidr"]
    assert lines[1] == ("  - SanctionedInterfaceArgs.interface.gateway: {'name': 'other', 'type': '" + FIREWALL + "'} "
                        "does not name the gateway this component builds; allowed: {'name': 'ads-firewall', 'type': '"
                        + FIREWALL + "'} or that firewall's URN")
    assert lines[3] == ("  - SanctionedInterfaceArgs.exit_gateway_id: None is missing, which a parent-to-estate "
                        "interface cannot be (a NAT gateway carries no connection the parent opens); allowed: the DRG "
                        "the parent's traffic arrives through")
    assert lines[6].endswith("'10.30.0.0/24' is outside the VCN range 10.20.0.0/16; allowed: a subnet inside vcn_cidr")
    assert lines[8].endswith("'203.0.113.0/28' overlaps parent-company range(s) 203.0.113.0/24; allowed: a range "
                             "disjoint from every parent-company range")


def test_nothing_is_registered_when_the_args_are_refused():
    registered = []
    with pytest.raises(ComponentArgsError):
        capture(lambda: SanctionedInterface("ads", _args(oci.Provider("p", region="us-ashburn-1"), client_tier="")),
                on_registration=registered.append)
    assert [r.type for r in registered if r.type == TYPE_TOKEN] == []


def _stack_config(stack: str) -> dict:
    config = yaml.safe_load((STACKS / f"Pulumi.{stack}.yaml").read_text())["config"]
    return {k: v for k, v in config.items() if k.startswith("residency:")}


def test_from_settings_builds_the_us_prod_declaration():
    settings = parse_settings(_stack_config("us-prod"))
    args = SanctionedInterfaceArgs.from_settings(settings, "ads-measurement", provider=None, compartment_id="c",
                                                 vcn_id="v", log_group_id="l")
    assert args.interface.name == "ads-measurement" and [str(p) for p in args.interface.ports] == ["tcp/443"]
    assert (args.client_subnet_cidr, args.gateway_subnet_cidr, args.vcn_cidr) == (
        "10.20.50.0/24", "10.20.51.0/24", str(settings.network.vcn_cidr))
    assert [str(c) for c in args.parent_cidrs] == [str(c) for c in settings.parent_company.cidrs]
    assert args.interface.review_by > dt.date.today()
    with pytest.raises(ValueError, match=r"'other' is not both declared \(residency:sanctionedInterfaces: "
                                         r"ads-measurement\) and placed"):
        SanctionedInterfaceArgs.from_settings(settings, "other", provider=None, compartment_id="c", vcn_id="v",
                                              log_group_id="l")


def test_settings_refuse_a_placement_without_a_declaration_or_outside_the_vcn():
    config = _stack_config("us-prod")
    config["residency:interfaceNetworks"] = {"ads-measurement": {"clientSubnetCidr": "10.20.50.0/24",
                                                                 "gatewaySubnetCidr": "10.99.0.0/24"},
                                             "other": {"clientSubnetCidr": "10.20.60.0/24",
                                                       "gatewaySubnetCidr": "10.20.61.0/24"}}
    with pytest.raises(SettingsError) as info:
        parse_settings(config)
    text = str(info.value)
    assert "residency:interfaceNetworks.ads-measurement.gatewaySubnetCidr: '10.99.0.0/24' is outside" in text
    assert "residency:interfaceNetworks.other: 'other' names no sanctioned interface" in text


def test_settings_refuse_a_client_subnet_in_a_protected_tier():
    config = _stack_config("us-prod")
    config["residency:interfaceNetworks"] = {"ads-measurement": {"clientSubnetCidr": "10.20.50.0/24",
                                                                 "gatewaySubnetCidr": "10.20.51.0/24",
                                                                 "clientTier": "data"}}
    with pytest.raises(SettingsError) as info:
        parse_settings(config)
    assert "residency:interfaceNetworks.ads-measurement.clientTier: 'data' is not an internal tier" in str(info.value)
