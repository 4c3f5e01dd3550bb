"""NetworkBoundary: the resource graph it registers and every input it refuses."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path

import pulumi_oci as oci
import pytest
import yaml

from residency_kit.components.oci.network_boundary import (
    TYPE_TOKEN,
    NetworkBoundary,
    NetworkBoundaryArgs,
)
from residency_kit.settings import SettingsError, parse_settings
from residency_kit.settings.network import DrgSettings, NetworkSettings, RemotePeeringSettings, VcnAttachmentSettings
from residency_kit.engine.capture import EchoMocks, capture
from residency_policies.ip_ranges import reaches_parent as ranges_overlap

PARENTS = ("203.0.113.0/24", "2001:db8:bad::/48")
OPERATORS = ("198.51.100.0/24", "2001:db8:1::/48")
TRUSTED = "ocid1.tenancy.oc1..aaaaaaaaoversightexample0000000000000000000000000000000000"
HOME_TENANCY = "ocid1.tenancy.oc1..aaaaaaaausdataexample0000000000000000000000000000000000000"
UNTRUSTED = "ocid1.tenancy.oc1..aaaaaaaaparentexample000000000000000000000000000000000000"
COMPARTMENT = "ocid1.compartment.oc1..network"
LOG_GROUP = "ocid1.loggroup.oc1.iad.residency"
OSN_ID = "ocid1.service.oc1.iad.aaaaaaaaallservices"
OSN_LABEL = "all-iad-services-in-oracle-services-network"
FIREWALL_PRIVATE_IP = "ocid1.privateip.oc1.iad.firewall"
TAGS = {"jurisdiction": "US", "data-owner": "us-data-team"}

T_SUBNET = "oci:Core/subnet:Subnet"
T_ROUTE_TABLE = "oci:Core/routeTable:RouteTable"
T_SECURITY_LIST = "oci:Core/securityList:SecurityList"
T_NSG_RULE = "oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule"
T_LOG = "oci:Logging/log:Log"
T_FW_RULE = "oci:NetworkFirewall/networkFirewallPolicySecurityRule:NetworkFirewallPolicySecurityRule"
T_FW_LIST = "oci:NetworkFirewall/networkFirewallPolicyAddressList:NetworkFirewallPolicyAddressList"


IAD_SERVICES = [
    {"id": OSN_ID, "cidrBlock": OSN_LABEL, "name": "All IAD Services In Oracle Services Network",
     "description": "All IAD Services In Oracle Services Network"},
    {"id": "ocid1.service.oc1.iad.aaaaaaaaobjectstorage", "cidrBlock": "oci-iad-objectstorage",
     "name": "OCI IAD Object Storage", "description": "OCI IAD Object Storage"},
]


def _services(args: dict) -> dict:
    """What the Core getServices data source returns in us-ashburn-1, with the call's filters applied the way
    the OCI provider applies them (a ``regex`` filter keeps entries whose field the expression matches
    anywhere, Go ``regexp.MatchString``; otherwise the field must equal one of the values)."""
    services = IAD_SERVICES
    for f in args.get("filters") or []:
        if f.get("regex"):
            services = [s for s in services if any(re.search(v, str(s.get(f["name"], ""))) for v in f["values"])]
        else:
            services = [s for s in services if str(s.get(f["name"], "")) in f["values"]]
    return {"services": services}


def _private_ips(args: dict) -> dict:
    return {"privateIps": [{"id": FIREWALL_PRIVATE_IP, "ipAddress": args["ipAddress"], "subnetId": args["subnetId"],
                            "isPrimary": True}]}


class NetworkMocks(EchoMocks):
    """EchoMocks plus the VCN's default security list and route table, which OCI creates with the VCN."""

    def new_resource(self, args):
        rid, outputs = super().new_resource(args)
        if args.typ == "oci:Core/vcn:Vcn" and not self.preview:
            outputs = {**outputs, "defaultSecurityListId": f"{args.name}-default-sl",
                       "defaultRouteTableId": f"{args.name}-default-rt"}
        return rid, outputs


def _mocks(preview: bool = False) -> NetworkMocks:
    return NetworkMocks(preview=preview, invokes={
        "oci:Core/getServices:getServices": _services,
        "oci:Core/getPrivateIps:getPrivateIps": _private_ips,
    })


def _run(network: NetworkSettings | None = None, preview: bool = False, **overrides):
    mocks = _mocks(preview)

    def program():
        provider = oci.Provider("oci-home", region="us-ashburn-1")
        fields = dict(provider=provider, compartment_id=COMPARTMENT, log_group_id=LOG_GROUP,
                      operator_cidrs=OPERATORS, parent_cidrs=PARENTS, trusted_tenancy_ids=(TRUSTED,),
                      home_tenancy_id=HOME_TENANCY, required_tags=TAGS, network=network or NetworkSettings())
        fields.update(overrides)
        NetworkBoundary("net", NetworkBoundaryArgs(**fields))

    monitor = capture(program, mocks=mocks, preview=preview)
    assert mocks.unanswered_invokes == []
    return monitor


def _refusal(network: NetworkSettings | None = None, **overrides) -> str:
    with pytest.raises(ValueError) as info:
        _run(network, **overrides)
    return str(info.value)


PARENT_NETS = [ipaddress.ip_network(p) for p in PARENTS]
ALL_ON = NetworkSettings(
    network_firewall=True, enable_nat_gateway=True, nat_route_cidrs=("192.0.2.0/24",),
    internet_gateway_tiers=("app",), internet_route_cidrs=("192.0.2.128/25",),
    drg=DrgSettings(enabled=True, remote_peerings=(RemotePeeringSettings(
        name="oversight", peer_id="ocid1.remotepeeringconnection.oc1.phx.aaaaaaaapeer",
        peer_region_name="us-phoenix-1", peer_tenancy_id=TRUSTED, peer_cidrs=("10.50.0.0/16",)),)),
)


@pytest.fixture(scope="module")
def default_run():
    return _run()


@pytest.fixture(scope="module")
def full_run():
    return _run(ALL_ON)


def _route_rules(monitor, tier: str) -> list[dict]:
    return monitor.named(f"net-{tier}-route-table").inputs.get("routeRules", [])


# --- graph: parentage, provider, tags ---------------------------------------------------------------------


@pytest.mark.parametrize("run", ["default_run", "full_run"])
def test_every_child_is_parented_to_the_component_and_uses_the_home_provider(run, request):
    monitor = request.getfixturevalue(run)
    component = monitor.of_type(TYPE_TOKEN)
    assert len(component) == 1
    provider = monitor.named("oci-home")
    assert provider.inputs["region"] == "us-ashburn-1"
    children = [r for r in monitor.registrations if r.custom and not r.is_provider]
    assert len(children) > 20
    for child in children:
        assert child.parent == component[0].mock_urn, child.name
        assert child.provider == f"{provider.mock_urn}::{provider.id}", child.name
        assert child.name.startswith("net-"), child.name


@pytest.mark.parametrize("run", ["default_run", "full_run"])
def test_every_taggable_child_carries_the_required_tags(run, request):
    monitor = request.getfixturevalue(run)
    for child in monitor.registrations:
        if child.custom and not child.is_provider and "freeformTags" in child.inputs:
            assert TAGS.items() <= child.inputs["freeformTags"].items(), child.name
    tagless = {r.type for r in monitor.registrations if r.custom and not r.is_provider and "freeformTags" not in r.inputs}
    # These types take no freeform tags at all.
    assert tagless <= {T_NSG_RULE, T_FW_RULE, T_FW_LIST}


def test_default_subnets_are_private_and_tagged_by_tier(default_run):
    subnets = {s.name: s.inputs for s in default_run.of_type(T_SUBNET)}
    assert set(subnets) == {"net-data-subnet", "net-app-subnet", "net-management-subnet"}
    for tier in ("data", "app", "management"):
        subnet = subnets[f"net-{tier}-subnet"]
        assert subnet["prohibitPublicIpOnVnic"] is True
        assert subnet["prohibitInternetIngress"] is True
        assert subnet["freeformTags"]["residency-tier"] == tier
        assert subnet["compartmentId"] == COMPARTMENT
        assert subnet["vcnId"] == "net-vcn-id"
        assert subnet["routeTableId"] == f"net-{tier}-route-table-id"
        assert subnet["securityListIds"] == [f"net-{tier}-security-list-id"]
    assert subnets["net-data-subnet"]["cidrBlock"] == "10.20.10.0/24"


def test_vcn_lives_in_the_network_compartment(default_run):
    vcn = default_run.named("net-vcn").inputs
    assert vcn["compartmentId"] == COMPARTMENT
    assert vcn["cidrBlocks"] == ["10.20.0.0/16"]


def test_vcn_default_security_list_and_route_table_are_taken_over_and_left_empty(default_run):
    default_sl = default_run.named("net-default-security-list").inputs
    assert default_sl["manageDefaultResourceId"] == "net-vcn-default-sl"
    assert default_sl.get("ingressSecurityRules", []) == []
    assert default_sl.get("egressSecurityRules", []) == []
    default_rt = default_run.named("net-default-route-table").inputs
    assert default_rt["manageDefaultResourceId"] == "net-vcn-default-rt"
    assert default_rt.get("routeRules", []) == []


def test_secure_defaults_create_no_nat_internet_gateway_drg_or_firewall(default_run):
    types = {r.type for r in default_run.registrations}
    for absent in ("oci:Core/natGateway:NatGateway", "oci:Core/internetGateway:InternetGateway",
                   "oci:Core/drg:Drg", "oci:Core/remotePeeringConnection:RemotePeeringConnection",
                   "oci:Core/drgAttachment:DrgAttachment", "oci:NetworkFirewall/networkFirewall:NetworkFirewall"):
        assert absent not in types


# --- gateways and routes ------------------------------------------------------------------------------------


def test_service_gateway_reaches_the_regional_oracle_services_network(default_run):
    sgw = default_run.named("net-service-gateway").inputs
    assert sgw["services"] == [{"serviceId": OSN_ID}]
    assert sgw["vcnId"] == "net-vcn-id"
    assert _route_rules(default_run, "data") == [{
        "destination": OSN_LABEL, "destinationType": "SERVICE_CIDR_BLOCK",
        "networkEntityId": "net-service-gateway-id", "description": "Oracle Services Network in the home region"}]


def test_data_tier_has_no_route_to_an_internet_nat_or_dynamic_routing_gateway(full_run):
    forbidden = {"net-internet-gateway-id", "net-nat-gateway-id", "net-drg-id"}
    data_targets = {r["networkEntityId"] for r in _route_rules(full_run, "data")}
    assert data_targets == {"net-service-gateway-id", FIREWALL_PRIVATE_IP}
    assert not data_targets & forbidden
    subnet = full_run.named("net-data-subnet").inputs
    assert subnet["prohibitPublicIpOnVnic"] is True and subnet["prohibitInternetIngress"] is True


def test_optional_gateways_route_only_the_configured_ranges_of_the_allowed_tiers(full_run):
    app = {(r["destination"], r["networkEntityId"]) for r in _route_rules(full_run, "app")}
    assert ("192.0.2.0/24", "net-nat-gateway-id") in app
    assert ("192.0.2.128/25", "net-internet-gateway-id") in app
    assert ("10.50.0.0/16", "net-drg-id") in app
    mgmt = {(r["destination"], r["networkEntityId"]) for r in _route_rules(full_run, "management")}
    assert ("192.0.2.0/24", "net-nat-gateway-id") in mgmt
    assert not any(target == "net-internet-gateway-id" for _, target in mgmt)
    assert full_run.named("net-app-subnet").inputs["prohibitPublicIpOnVnic"] is False
    assert full_run.named("net-management-subnet").inputs["prohibitPublicIpOnVnic"] is True


@pytest.mark.parametrize("run", ["default_run", "full_run"])
def test_no_route_anywhere_overlaps_a_parent_range(run, request):
    monitor = request.getfixturevalue(run)
    for table in monitor.of_type(T_ROUTE_TABLE) + monitor.of_type("oci:Core/defaultRouteTable:DefaultRouteTable"):
        for rule in table.inputs.get("routeRules", []):
            if rule["destinationType"] == "CIDR_BLOCK":
                dest = ipaddress.ip_network(rule["destination"])
                assert not any(ranges_overlap(dest, p) for p in PARENT_NETS), (table.name, rule)
            else:
                assert rule["destination"] == OSN_LABEL and rule["networkEntityId"] == "net-service-gateway-id"


def test_firewall_routing_sends_data_tier_traffic_through_the_firewall(full_run):
    data = {r["destination"]: r["networkEntityId"] for r in _route_rules(full_run, "data")}
    assert data["10.20.20.0/24"] == FIREWALL_PRIVATE_IP
    assert data["10.20.30.0/24"] == FIREWALL_PRIVATE_IP
    for tier in ("app", "management"):
        back = {r["destination"]: r["networkEntityId"] for r in _route_rules(full_run, tier)}
        assert back["10.20.10.0/24"] == FIREWALL_PRIVATE_IP, tier


# --- security rules -----------------------------------------------------------------------------------------


def _cidr_peers(monitor):
    for sl in monitor.of_type(T_SECURITY_LIST) + monitor.of_type("oci:Core/defaultSecurityList:DefaultSecurityList"):
        for rule in sl.inputs.get("ingressSecurityRules", []):
            yield sl.name, rule["source"], rule["sourceType"]
        for rule in sl.inputs.get("egressSecurityRules", []):
            yield sl.name, rule["destination"], rule["destinationType"]
    for rule in monitor.of_type(T_NSG_RULE):
        if rule.inputs["direction"] == "INGRESS":
            yield rule.name, rule.inputs["source"], rule.inputs["sourceType"]
        else:
            yield rule.name, rule.inputs["destination"], rule.inputs["destinationType"]


@pytest.mark.parametrize("run", ["default_run", "full_run"])
def test_every_security_rule_peer_is_disjoint_from_every_parent_range(run, request):
    monitor = request.getfixturevalue(run)
    seen = 0
    for name, peer, peer_type in _cidr_peers(monitor):
        seen += 1
        if peer_type == "CIDR_BLOCK":
            network = ipaddress.ip_network(peer)
            assert network.prefixlen > 0, (name, peer)
            assert not any(ranges_overlap(network, p) for p in PARENT_NETS), (name, peer)
        elif peer_type == "SERVICE_CIDR_BLOCK":
            assert peer == OSN_LABEL, name
        else:
            assert peer_type == "NETWORK_SECURITY_GROUP" and peer.endswith("-nsg-id"), (name, peer)
    assert seen > 20


def test_data_tier_allows_only_tier_traffic_in_and_services_out(default_run):
    sl = default_run.named("net-data-security-list").inputs
    ingress = {(r["source"], r["tcpOptions"]["min"]) for r in sl["ingressSecurityRules"]}
    assert ingress == {("10.20.20.0/24", 1521), ("10.20.20.0/24", 1522), ("10.20.30.0/24", 22)}
    assert [(r["destination"], r["destinationType"], r["tcpOptions"]["min"]) for r in sl["egressSecurityRules"]] == [
        (OSN_LABEL, "SERVICE_CIDR_BLOCK", 443)]
    assert all(r["protocol"] == "6" and r["stateless"] is False
               for r in sl["ingressSecurityRules"] + sl["egressSecurityRules"])


def test_operators_reach_the_app_tier_and_nothing_reaches_management_from_outside(default_run):
    app_sources = {r["source"] for r in default_run.named("net-app-security-list").inputs["ingressSecurityRules"]}
    assert set(OPERATORS) <= app_sources
    mgmt_sources = {r["source"] for r in default_run.named("net-management-security-list").inputs["ingressSecurityRules"]}
    assert mgmt_sources == {"10.20.30.0/24"}


def test_nsgs_mirror_the_tier_flows_with_nsg_peers(default_run):
    rule = default_run.named("net-data-nsg-in-app-1521").inputs
    assert rule["networkSecurityGroupId"] == "net-data-nsg-id"
    assert (rule["direction"], rule["source"], rule["sourceType"]) == ("INGRESS", "net-app-nsg-id",
                                                                        "NETWORK_SECURITY_GROUP")
    assert rule["tcpOptions"] == {"destinationPortRange": {"min": 1521, "max": 1521}}
    data_egress = [r for r in default_run.of_type(T_NSG_RULE)
                   if r.inputs["networkSecurityGroupId"] == "net-data-nsg-id" and r.inputs["direction"] == "EGRESS"]
    assert [(r.inputs["destination"], r.inputs["destinationType"]) for r in data_egress] == [
        (OSN_LABEL, "SERVICE_CIDR_BLOCK")]
    nsgs = default_run.of_type("oci:Core/networkSecurityGroup:NetworkSecurityGroup")
    assert {n.inputs["freeformTags"]["residency-tier"] for n in nsgs} == {"data", "app", "management"}


# --- bastion, logs, firewall, peering -------------------------------------------------------------------------


def test_bastion_targets_the_management_subnet_and_allows_only_operators(default_run):
    bastion = default_run.named("net-bastion").inputs
    assert bastion["bastionType"] == "STANDARD"
    assert bastion["targetSubnetId"] == "net-management-subnet-id"
    assert bastion["clientCidrBlockAllowLists"] == list(OPERATORS)
    assert bastion["maxSessionTtlInSeconds"] == 3600


@pytest.mark.parametrize("run,subnets", [("default_run", 3), ("full_run", 4)])
def test_every_subnet_has_a_flow_log_in_the_residency_log_group(run, subnets, request):
    monitor = request.getfixturevalue(run)
    flow_logs = [log.inputs for log in monitor.of_type(T_LOG)
                 if log.inputs["configuration"]["source"]["service"] == "flowlogs"]
    subnet_ids = {f"{s.name}-id" for s in monitor.of_type(T_SUBNET)}
    assert len(subnet_ids) == subnets
    assert {log["configuration"]["source"]["resource"] for log in flow_logs} == subnet_ids
    for log in flow_logs:
        assert log["logGroupId"] == LOG_GROUP and log["logType"] == "SERVICE" and log["isEnabled"] is True
        assert log["configuration"]["source"] == {**log["configuration"]["source"], "category": "all",
                                                  "sourceType": "OCISERVICE"}


def test_firewall_policy_drops_parent_ranges_in_both_directions_before_any_allow(full_run):
    lists = {r.inputs["name"]: r.inputs for r in full_run.of_type(T_FW_LIST)}
    assert lists["parent-company"]["addresses"] == list(PARENTS)
    assert lists["parent-company"]["type"] == "IP"
    assert lists["parent-company"]["networkFirewallPolicyId"] == "net-firewall-policy-id"
    rules = {r.inputs["name"]: r for r in full_run.of_type(T_FW_RULE)}
    deny_from = rules["deny-from-parent-company"].inputs
    deny_to = rules["deny-to-parent-company"].inputs
    allow = rules["allow-from-residency-vcn"].inputs
    assert (deny_from["action"], deny_from["condition"]) == ("DROP", {"sourceAddresses": ["parent-company"]})
    assert (deny_to["action"], deny_to["condition"]) == ("DROP", {"destinationAddresses": ["parent-company"]})
    # An allow without a destination condition would match every address, parent ranges included.
    assert allow["action"] == "ALLOW" and allow["condition"] == {"sourceAddresses": ["residency-vcn"],
                                                                 "destinationAddresses": ["residency-vcn"]}
    assert lists["residency-vcn"]["addresses"] == [full_run.named("net-vcn").inputs["cidrBlocks"][0]]
    list_urns = {r.mock_urn for r in full_run.of_type(T_FW_LIST)}
    assert all(list_urns <= set(rule.dependencies) for rule in rules.values())
    # Order: deny-from first, then deny-to after it, then the allow after that.
    assert "positions" not in deny_from or deny_from["positions"] == []
    assert deny_to["positions"] == [{"afterRule": "deny-from-parent-company"}]
    assert allow["positions"] == [{"afterRule": "deny-to-parent-company"}]
    assert rules["deny-from-parent-company"].mock_urn in rules["deny-to-parent-company"].dependencies
    firewall = full_run.named("net-firewall")
    assert firewall.inputs["subnetId"] == "net-firewall-subnet-id"
    assert firewall.inputs["networkFirewallPolicyId"] == "net-firewall-policy-id"
    assert {r.mock_urn for r in rules.values()} <= set(firewall.dependencies)


def test_firewall_logs_traffic_and_threats(full_run):
    fw_logs = {log.inputs["configuration"]["source"]["category"]: log.inputs for log in full_run.of_type(T_LOG)
               if log.inputs["configuration"]["source"]["service"] == "ocinetworkfirewall"}
    assert set(fw_logs) == {"trafficlog", "threatlog"}
    for log in fw_logs.values():
        assert log["configuration"]["source"]["resource"] == "net-firewall-id"
        assert log["logGroupId"] == LOG_GROUP


def test_firewall_subnet_is_private_and_marked(full_run):
    subnet = full_run.named("net-firewall-subnet").inputs
    assert subnet["prohibitPublicIpOnVnic"] is True and subnet["prohibitInternetIngress"] is True
    assert subnet["freeformTags"]["residency-role"] == "network-firewall"
    assert subnet["cidrBlock"] == "10.20.40.0/24"


def test_drg_attaches_the_residency_vcn_and_peers_only_with_the_trusted_tenancy(full_run):
    attachment = full_run.named("net-drg-residency-vcn").inputs
    assert attachment["networkDetails"] == {"type": "VCN", "id": "net-vcn-id"}
    rpc = full_run.named("net-rpc-oversight").inputs
    assert rpc["drgId"] == "net-drg-id"
    assert rpc["peerRegionName"] == "us-phoenix-1"
    assert rpc["freeformTags"]["residency-peer-tenancy"] == TRUSTED


def test_preview_with_unknown_ids_registers_the_same_graph():
    preview = _run(ALL_ON, preview=True)
    full = _run(ALL_ON)
    assert sorted(r.name for r in preview.registrations) == sorted(r.name for r in full.registrations)


def test_component_outputs():
    from residency_kit.engine.capture import install_mocks
    import pulumi

    install_mocks(_mocks())
    outputs = {}

    @pulumi.runtime.test
    def program():
        provider = oci.Provider("oci-home", region="us-ashburn-1")
        nb = NetworkBoundary("net", NetworkBoundaryArgs(provider=provider, compartment_id=COMPARTMENT,
                                                        log_group_id=LOG_GROUP, operator_cidrs=OPERATORS,
                                                        parent_cidrs=PARENTS))
        assert nb.firewall_id is None and nb.drg_id is None
        return pulumi.Output.all(nb.vcn_id, nb.subnet_ids, nb.nsg_ids, nb.bastion_id).apply(
            lambda v: outputs.update(vcn=v[0], subnets=v[1], nsgs=v[2], bastion=v[3]))

    program()
    assert outputs == {"vcn": "net-vcn-id",
                       "subnets": {t: f"net-{t}-subnet-id" for t in ("data", "app", "management")},
                       "nsgs": {t: f"net-{t}-nsg-id" for t in ("data", "app", "management")},
                       "bastion": "net-bastion-id"}


# --- refusals ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("operators,field,value", [
    (("198.51.100.0/24", "203.0.113.128/25"), "operator_cidrs[1]", "203.0.113.128/25"),  # subnet of a parent
    (("203.0.0.0/16",), "operator_cidrs[0]", "203.0.0.0/16"),  # supernet of a parent
    (("0.0.0.0/0",), "operator_cidrs[0]", "0.0.0.0/0"),
    (("::/0",), "operator_cidrs[0]", "::/0"),  # overlaps the IPv4 parent too: it means anywhere
    (("2001:db8:bad:1::/64",), "operator_cidrs[0]", "2001:db8:bad:1::/64"),
    (("::ffff:203.0.113.0/120",), "operator_cidrs[0]", "::ffff:cb00:7100/120"),  # IPv4-mapped parent
])
def test_refuses_operator_ranges_that_overlap_a_parent_range(operators, field, value):
    message = _refusal(operator_cidrs=operators)
    assert f"NetworkBoundaryArgs.{field}: '{value}' overlaps parent-company range" in message


def test_refusal_registers_nothing():
    mocks = _mocks()

    def program():
        provider = oci.Provider("oci-home", region="us-ashburn-1")
        NetworkBoundary("net", NetworkBoundaryArgs(provider=provider, compartment_id=COMPARTMENT,
                                                   log_group_id=LOG_GROUP, operator_cidrs=("0.0.0.0/0",),
                                                   parent_cidrs=PARENTS))

    from residency_kit.engine.capture import install_mocks
    import pulumi

    monitor = install_mocks(mocks)
    with pytest.raises(ValueError):
        pulumi.runtime.test(program)()
    assert [r.type for r in monitor.registrations] == ["pulumi:providers:oci"]


def test_refuses_nat_and_internet_routes_that_overlap_a_parent_range():
    message = _refusal(NetworkSettings(enable_nat_gateway=True, nat_route_cidrs=("0.0.0.0/0",),
                                       internet_gateway_tiers=("app",), internet_route_cidrs=("203.0.113.7/32",)))
    assert "NetworkBoundaryArgs.network.nat_route_cidrs[0]: '0.0.0.0/0' overlaps parent-company range(s) " \
           "203.0.113.0/24, 2001:db8:bad::/48" in message
    assert "NetworkBoundaryArgs.network.internet_route_cidrs[0]: '203.0.113.7/32' overlaps" in message
    assert message.startswith("invalid NetworkBoundaryArgs for 'net' (2 problem(s))")


def test_refuses_an_internet_gateway_on_the_data_tier():
    # The settings model already refuses "data"; the component refuses it too, for Args built another way.
    network = NetworkSettings.model_construct(**{**NetworkSettings().__dict__, "internet_gateway_tiers": ("data",)})
    message = _refusal(network)
    assert "NetworkBoundaryArgs.network.internet_gateway_tiers[0]: 'data' may not have an internet gateway" in message


def test_refuses_a_peer_tenancy_that_is_not_trusted():
    network = NetworkSettings(drg=DrgSettings(enabled=True, remote_peerings=(RemotePeeringSettings(
        name="parent", peer_id="ocid1.remotepeeringconnection.oc1.phx.aaaaaaaapeer", peer_region_name="us-phoenix-1",
        peer_tenancy_id=UNTRUSTED, peer_cidrs=("10.60.0.0/16",)),)))
    message = _refusal(network)
    assert (f"NetworkBoundaryArgs.network.drg.remote_peerings[0].peer_tenancy_id: '{UNTRUSTED}' "
            "is neither an estate nor a trusted tenancy") in message


def test_refuses_a_vcn_attachment_of_an_untrusted_tenancy_and_peer_ranges_overlapping_a_parent():
    network = NetworkSettings(drg=DrgSettings(enabled=True, vcn_attachments=(VcnAttachmentSettings(
        name="other", vcn_id="ocid1.vcn.oc1.iad.aaaaaaaaother", tenancy_id=UNTRUSTED,
        cidrs=("10.70.0.0/16", "203.0.112.0/23")),)))
    message = _refusal(network)
    assert f"drg.vcn_attachments[0].tenancy_id: '{UNTRUSTED}' is neither an estate nor a trusted tenancy" in message
    assert "NetworkBoundaryArgs.network.drg.vcn_attachments[0].cidrs[1]: '203.0.112.0/23' overlaps" in message


def test_trusted_and_home_tenancy_peers_are_accepted():
    network = NetworkSettings(drg=DrgSettings(enabled=True, vcn_attachments=(VcnAttachmentSettings(
        name="own", vcn_id="ocid1.vcn.oc1.iad.aaaaaaaaown", tenancy_id=HOME_TENANCY, cidrs=("10.80.0.0/16",)),)))
    monitor = _run(network)
    assert monitor.named("net-drg-own").inputs["networkDetails"]["id"] == "ocid1.vcn.oc1.iad.aaaaaaaaown"


def test_refuses_peer_ranges_that_overlap_a_parent_range():
    network = NetworkSettings(drg=DrgSettings(enabled=True, remote_peerings=(RemotePeeringSettings(
        name="oversight", peer_id="ocid1.remotepeeringconnection.oc1.phx.aaaaaaaapeer",
        peer_region_name="us-phoenix-1", peer_tenancy_id=TRUSTED, peer_cidrs=("2001:db8::/32",)),)))
    message = _refusal(network)
    assert "drg.remote_peerings[0].peer_cidrs[0]: '2001:db8::/32' overlaps parent-company range(s) " \
           "2001:db8:bad::/48" in message


def _unchecked(**changes) -> NetworkSettings:
    return NetworkSettings.model_construct(**{**NetworkSettings().__dict__, **changes})


def test_refuses_overlapping_subnets():
    message = _refusal(_unchecked(app_subnet_cidr=ipaddress.ip_network("10.20.10.128/25")))
    assert ("NetworkBoundaryArgs.network.app_subnet_cidr: '10.20.10.128/25' overlaps data_subnet_cidr "
            "10.20.10.0/24; allowed: disjoint subnets inside vcn_cidr") in message


def test_refuses_subnets_outside_the_vcn():
    message = _refusal(_unchecked(management_subnet_cidr=ipaddress.ip_network("10.99.0.0/24")))
    assert "NetworkBoundaryArgs.network.management_subnet_cidr: '10.99.0.0/24' is outside the VCN range" in message


def test_refuses_a_vcn_overlapping_a_parent_range():
    message = _refusal(parent_cidrs=("10.20.40.0/22",))
    assert "NetworkBoundaryArgs.network.vcn_cidr: '10.20.0.0/16' overlaps parent-company range(s) 10.20.40.0/22" in message


def test_refuses_no_parent_ranges_and_malformed_ranges():
    assert "NetworkBoundaryArgs.parent_cidrs: () is empty" in _refusal(parent_cidrs=())
    message = _refusal(operator_cidrs=("198.51.100.1/24",))
    assert "NetworkBoundaryArgs.operator_cidrs[0]: '198.51.100.1/24' is not a CIDR block" in message


def test_refuses_routes_without_their_gateway():
    message = _refusal(NetworkSettings(nat_route_cidrs=("192.0.2.0/24",)))
    assert "nat_route_cidrs: ['192.0.2.0/24'] are set but enable_nat_gateway is false" in message


# --- settings ---------------------------------------------------------------------------------------------


STACKS = Path(__file__).resolve().parents[2] / "stacks"


def _stack_config(stack: str) -> dict:
    config = yaml.safe_load((STACKS / f"Pulumi.{stack}.yaml").read_text())["config"]
    return {k: v for k, v in config.items() if k.startswith("residency:")}


def test_stacks_configure_the_network_and_prod_turns_the_firewall_on():
    assert parse_settings(_stack_config("us-prod")).network.network_firewall is True
    assert parse_settings(_stack_config("dev")).network.network_firewall is False


def test_settings_refuse_overlapping_subnets_and_a_data_tier_internet_gateway():
    config = _stack_config("dev")
    config["residency:network"] = {**config["residency:network"], "appSubnetCidr": "10.30.10.0/25"}
    with pytest.raises(SettingsError) as info:
        parse_settings(config)
    assert "residency:network" in str(info.value) and "overlaps dataSubnetCidr" in str(info.value)
    config["residency:network"] = {"internetGatewayTiers": ["data"]}
    with pytest.raises(SettingsError) as info:
        parse_settings(config)
    assert "residency:network.internetGatewayTiers[0]: 'data'" in str(info.value)


def test_from_settings_carries_every_range_and_tenancy():
    settings = parse_settings(_stack_config("us-prod"))
    args = NetworkBoundaryArgs.from_settings(settings, provider=None, compartment_id="c", log_group_id="l")
    assert [str(c) for c in args.parent_cidrs] == list(PARENTS)
    assert [str(c) for c in args.operator_cidrs] == list(OPERATORS)
    assert args.trusted_tenancy_ids == (TRUSTED,)
    assert args.home_tenancy_id == HOME_TENANCY
    assert args.required_tags == TAGS
    assert args.network.network_firewall is True


# --- the overlap test itself ----------------------------------------------------------------------------------


@pytest.mark.parametrize("a,b,expected", [
    ("203.0.113.0/24", "203.0.113.0/24", True),
    ("203.0.113.64/26", "203.0.113.0/24", True),
    ("203.0.0.0/8", "203.0.113.0/24", True),
    ("203.0.114.0/24", "203.0.113.0/24", False),
    ("0.0.0.0/0", "2001:db8:bad::/48", True),
    ("::/0", "203.0.113.0/24", True),
    ("2001:db8::/32", "2001:db8:bad::/48", True),
    ("2001:db9::/32", "2001:db8:bad::/48", False),
    ("::ffff:203.0.113.5/128", "203.0.113.0/24", True),
    ("::/64", "203.0.113.0/24", True),  # contains every IPv4-mapped address
    ("10.0.0.0/8", "2001:db8:bad::/48", False),
])
def test_ranges_overlap(a, b, expected):
    assert ranges_overlap(ipaddress.ip_network(a), ipaddress.ip_network(b)) is expected
    assert ranges_overlap(ipaddress.ip_network(b), ipaddress.ip_network(a)) is expected


# --- collisions: inputs that would register two resources with one name are refused at construction ----------


def test_the_same_operator_range_twice_is_refused_before_anything_is_registered():
    message = _refusal(operator_cidrs=("198.51.100.0/24", "198.51.100.0/24"))
    assert message == ("invalid NetworkBoundaryArgs for 'net' (1 problem(s)):\n"
                       "  - NetworkBoundaryArgs.operator_cidrs[0] and NetworkBoundaryArgs.operator_cidrs[1]: both give "
                       "'198.51.100.0/24', so two NSG rules would be named '<name>-app-nsg-in-198-51-100-0-24-443'; "
                       "allowed: a range in one role only (one rule already allows it)")


def test_an_operator_range_that_is_also_a_peer_range_is_refused():
    network = NetworkSettings(drg=DrgSettings(enabled=True, vcn_attachments=(VcnAttachmentSettings(
        name="own", vcn_id="ocid1.vcn.oc1.iad.aaaaaaaaown", tenancy_id=HOME_TENANCY, cidrs=(OPERATORS[0],)),)))
    message = _refusal(network)
    assert ("NetworkBoundaryArgs.operator_cidrs[0] and NetworkBoundaryArgs.network.drg.vcn_attachments[0].cidrs[0]: "
            f"both give '{OPERATORS[0]}'") in message


def test_a_port_given_twice_is_refused():
    network = NetworkSettings.model_construct(**{**NetworkSettings().__dict__, "data_tcp_ports": (1521, 1521)})
    assert "NetworkBoundaryArgs.network.data_tcp_ports: '1521' is given twice; allowed: each value once" in _refusal(network)


def test_a_nat_route_that_is_also_an_internet_route_is_refused():
    network = NetworkSettings(enable_nat_gateway=True, nat_route_cidrs=("192.0.2.0/24",),
                              internet_gateway_tiers=("app",), internet_route_cidrs=("192.0.2.0/24",))
    message = _refusal(network)
    assert message.startswith("invalid NetworkBoundaryArgs for 'net' (1 problem(s)):\n  - NetworkBoundaryArgs.network.nat_route_cidrs[0] "
                              "and NetworkBoundaryArgs.network.internet_route_cidrs[0]: both give '192.0.2.0/24'")


def test_an_attachment_named_like_the_residency_vcn_attachment_is_refused():
    network = NetworkSettings(drg=DrgSettings(enabled=True, vcn_attachments=(VcnAttachmentSettings(
        name="residency-vcn", vcn_id="ocid1.vcn.oc1.iad.aaaaaaaaown", tenancy_id=HOME_TENANCY, cidrs=("10.80.0.0/16",)),)))
    assert ("NetworkBoundaryArgs.network.drg.vcn_attachments[0].name: 'residency-vcn' is also the residency VCN's own "
            "attachment") in _refusal(network)


def test_every_child_name_is_unique_with_every_option_on(full_run):
    names = [r.name for r in full_run.registrations]
    assert len(names) == len(set(names))
