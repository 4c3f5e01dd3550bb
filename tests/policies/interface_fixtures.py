"""Programs (raw pulumi_oci resources) for sanctioned interfaces, and the declaration they are judged against.

The compliant estate: VCN 10.0.0.0/16; the interface's client subnet 10.0.1.0/24 (tier app) sends its traffic for
the parent endpoint 203.0.113.40/32 to an OCI Network Firewall in the interface subnet 10.0.2.0/24, whose policy
allows the client subnet to reach that endpoint on tcp/443 and then drops every parent-company range both ways;
the interface subnet sends the endpoint to a NAT gateway. The firewall's traffic log is a log source of a service
connector writing to a bucket that keeps objects 365 days. A data subnet 10.0.3.0/24 has no route out.

Each knob of ``interface_estate`` makes one mistake an interface can have.
"""

from __future__ import annotations

import copy
from typing import Any

import illustrative_rules
import pulumi
import pulumi_oci as oci

COMPARTMENT = "ocid1.compartment.oc1..aaaaaaaaexamplecompartment"
ENDPOINT = "203.0.113.40/32"
PARENT_RANGES = illustrative_rules.PARENT_CIDRS
FIREWALL = "oci:NetworkFirewall/networkFirewall:NetworkFirewall"
DECLARATION: dict[str, Any] = {
    "name": "ads-measurement",
    "purpose": "Aggregated ad-measurement counts (no user-level data) exported to the parent's measurement service",
    "direction": "estate-to-parent",
    "parentEndpoints": [ENDPOINT],
    "ports": ["tcp/443"],
    "gateway": {"name": "ads-firewall", "type": FIREWALL},
    "approver": "us-security-officer@example.com",
    "reviewBy": "2099-12-31",
}


def declared(*declarations: dict[str, Any]) -> dict[str, str]:
    """The stack config of the test programs with these interfaces declared (the illustrative parties beside)."""
    rules = copy.deepcopy(illustrative_rules.RULES)
    rules["sanctionedInterfaces"] = list(declarations) or [DECLARATION]
    return {"oci:region": "us-ashburn-1", "aws:region": "us-east-2", **illustrative_rules.stack_config(rules)}


def _tcp(port_min: int, port_max: int | None = None):
    return oci.core.SecurityListEgressSecurityRuleTcpOptionsArgs(min=port_min, max=port_max or port_min)


def _route_table(name, vcn, rules):
    return oci.core.RouteTable(name, compartment_id=COMPARTMENT, vcn_id=vcn.id, route_rules=[
        oci.core.RouteTableRouteRuleArgs(destination=d, destination_type="CIDR_BLOCK", network_entity_id=t)
        for d, t in rules])


def _subnet(name, vcn, cidr, tier, route_table, security_list):
    return oci.core.Subnet(name, compartment_id=COMPARTMENT, vcn_id=vcn.id, cidr_block=cidr,
                           route_table_id=route_table.id, security_list_ids=[security_list.id],
                           prohibit_public_ip_on_vnic=True, freeform_tags={"residency-tier": tier})


def _security_list(name, vcn, *, egress_to=(), ingress_from=(), ports=(443,)):
    tcp_in = oci.core.SecurityListIngressSecurityRuleTcpOptionsArgs
    return oci.core.SecurityList(
        name, compartment_id=COMPARTMENT, vcn_id=vcn.id,
        ingress_security_rules=[oci.core.SecurityListIngressSecurityRuleArgs(
            protocol="6", source=c, tcp_options=tcp_in(min=p, max=p)) for c in ingress_from for p in ports],
        egress_security_rules=[oci.core.SecurityListEgressSecurityRuleArgs(
            protocol="6", destination=d, tcp_options=_tcp(p)) for d in egress_to for p in ports])


def _firewall(name, vcn, subnet, estate_cidrs, allow_ports, drop_rest, inbound=False):
    policy = oci.networkfirewall.NetworkFirewallPolicy(f"{name}-policy", compartment_id=COMPARTMENT)
    lists = [
        oci.networkfirewall.NetworkFirewallPolicyAddressList(
            f"{name}-estate", network_firewall_policy_id=policy.id, name="estate", type="IP",
            addresses=estate_cidrs),
        oci.networkfirewall.NetworkFirewallPolicyAddressList(
            f"{name}-endpoints", network_firewall_policy_id=policy.id, name="endpoints", type="IP",
            addresses=[ENDPOINT]),
        oci.networkfirewall.NetworkFirewallPolicyAddressList(
            f"{name}-parent", network_firewall_policy_id=policy.id, name="parent-company", type="IP",
            addresses=list(PARENT_RANGES)),
    ]
    services = [oci.networkfirewall.NetworkFirewallPolicyService(
        f"{name}-tcp-{lo}", network_firewall_policy_id=policy.id, name=f"tcp-{lo}", type="TCP_SERVICE",
        port_ranges=[oci.networkfirewall.NetworkFirewallPolicyServicePortRangeArgs(minimum_port=lo, maximum_port=hi)])
        for lo, hi in allow_ports]
    lists.append(oci.networkfirewall.NetworkFirewallPolicyServiceList(
        f"{name}-ports", network_firewall_policy_id=policy.id, name="interface-ports",
        services=[f"tcp-{lo}" for lo, _ in allow_ports], opts=pulumi.ResourceOptions(depends_on=services)))
    condition = oci.networkfirewall.NetworkFirewallPolicySecurityRuleConditionArgs
    near, far = (["endpoints"], ["estate"]) if inbound else (["estate"], ["endpoints"])
    specs = [("allow-interface", "ALLOW", condition(source_addresses=near, destination_addresses=far,
                                                    services=["interface-ports"]))]
    if drop_rest:
        specs += [("drop-to-parent", "DROP", condition(destination_addresses=["parent-company"])),
                  ("drop-from-parent", "DROP", condition(source_addresses=["parent-company"]))]
    # Rules are evaluated in order: each is positioned after the previous one and created after it.
    previous = None
    for rule_name, action, cond in specs:
        previous = oci.networkfirewall.NetworkFirewallPolicySecurityRule(
            f"{name}-{rule_name}", network_firewall_policy_id=policy.id, name=rule_name, action=action,
            condition=cond, positions=[oci.networkfirewall.NetworkFirewallPolicySecurityRulePositionArgs(
                after_rule=previous.name)] if previous is not None else None,
            opts=pulumi.ResourceOptions(depends_on=[*lists, *([previous] if previous is not None else [])]))
    firewall = oci.networkfirewall.NetworkFirewall(
        name, compartment_id=COMPARTMENT, network_firewall_policy_id=policy.id, subnet_id=subnet.id,
        ipv4address="10.0.2.10")
    address = oci.core.PrivateIp(f"{name}-ip", subnet_id=subnet.id, ip_address=firewall.ipv4address)
    return firewall, address


def _archive(firewall, log_enabled: bool, archived: bool, retention_days: int = 365):
    group = oci.logging.LogGroup("interface-logs", compartment_id=COMPARTMENT, display_name="interface-logs")
    log = oci.logging.Log(
        "ads-firewall-traffic-log", display_name="ads-firewall-traffic-log", log_group_id=group.id, log_type="SERVICE",
        is_enabled=log_enabled, configuration=oci.logging.LogConfigurationArgs(
            source=oci.logging.LogConfigurationSourceArgs(category="trafficlog", resource=firewall.id,
                                                          service="ocinetworkfirewall", source_type="OCISERVICE")))
    oci.objectstorage.Bucket(
        "log-archive", compartment_id=COMPARTMENT, namespace="axaxnpcrorw5", name="log-archive",
        retention_rules=[oci.objectstorage.BucketRetentionRuleArgs(
            display_name="keep", duration=oci.objectstorage.BucketRetentionRuleDurationArgs(
                time_amount=str(retention_days), time_unit="DAYS"))])
    sources = [oci.sch.ConnectorSourceLogSourceArgs(compartment_id=COMPARTMENT, log_group_id="_Audit")]
    if archived:
        sources.append(oci.sch.ConnectorSourceLogSourceArgs(compartment_id=COMPARTMENT, log_group_id=group.id,
                                                            log_id=log.id))
    oci.sch.Connector("log-archive-connector", compartment_id=COMPARTMENT, display_name="log-archive", state="ACTIVE",
                      source=oci.sch.ConnectorSourceArgs(kind="logging", log_sources=sources),
                      target=oci.sch.ConnectorTargetArgs(kind="objectStorage", bucket="log-archive",
                                                         namespace="axaxnpcrorw5"))


def interface_estate(*, allow_ports=((443, 443),), drop_rest: bool = True, log_enabled: bool = True,
                     archived: bool = True, bypass: bool = False, client_tier: str = "app",
                     second_path: bool = False, second_gateway: bool = False, inbound: bool = False,
                     unknown_estate: bool = False):
    """The compliant interface, or one mistake:

    * ``allow_ports``: the ports the gateway's allow rule carries (an extra port);
    * ``drop_rest``: the gateway drops the rest of the parent's ranges;
    * ``log_enabled`` / ``archived``: the traffic log is on / is a log source of the archive's connector;
    * ``bypass``: the client subnet's route for the endpoint goes straight to the exit (the gateway removed from
      the path);
    * ``client_tier``: the client subnet's tier (``data``: the interface reaches the data tier);
    * ``second_path``: an app subnet beside the client sends to the same endpoint straight to the exit;
    * ``second_gateway``: the firewall is named 'other-firewall', not the declared gateway;
    * ``inbound``: a parent-to-estate interface, reached through a DRG: the parent opens connections to the
      client subnet on tcp/443;
    * ``unknown_estate``: the gateway's estate address list comes from an output unknown at preview.
    """
    vcn = oci.core.Vcn("vcn", compartment_id=COMPARTMENT, cidr_blocks=["10.0.0.0/16"])
    if inbound:
        exit_gateway = oci.core.Drg("drg", compartment_id=COMPARTMENT)
        oci.core.DrgAttachment("drg-attachment", drg_id=exit_gateway.id, network_details=
                               oci.core.DrgAttachmentNetworkDetailsArgs(id=vcn.id, type="VCN"))
    else:
        exit_gateway = oci.core.NatGateway("nat", compartment_id=COMPARTMENT, vcn_id=vcn.id)
    client_cidr = "10.0.1.0/24"
    gateway_rt = _route_table("rt-interface", vcn, [(ENDPOINT, exit_gateway.id)])
    if inbound:
        gateway_list = _security_list("sl-interface", vcn, ingress_from=[ENDPOINT], egress_to=[client_cidr])
    else:
        gateway_list = _security_list("sl-interface", vcn, ingress_from=[client_cidr], egress_to=[ENDPOINT])
    gateway_subnet = _subnet("interface", vcn, "10.0.2.0/24", "interface", gateway_rt, gateway_list)
    name = "other-firewall" if second_gateway else "ads-firewall"
    estate = vcn.id.apply(lambda _: [client_cidr]) if unknown_estate else [client_cidr]
    firewall, address = _firewall(name, vcn, gateway_subnet, estate, allow_ports, drop_rest, inbound)
    client_rt = _route_table("rt-client", vcn, [(ENDPOINT, exit_gateway.id if bypass else address.id)])
    client_list = (_security_list("sl-client", vcn, ingress_from=[ENDPOINT]) if inbound
                   else _security_list("sl-client", vcn, egress_to=[ENDPOINT]))
    _subnet("client", vcn, client_cidr, client_tier, client_rt, client_list)
    if second_path:
        app_rt = _route_table("rt-app", vcn, [(ENDPOINT, exit_gateway.id)])
        app_list = (_security_list("sl-app", vcn, ingress_from=[ENDPOINT]) if inbound
                    else _security_list("sl-app", vcn, egress_to=[ENDPOINT]))
        _subnet("app", vcn, "10.0.4.0/24", "app", app_rt, app_list)
    closed = oci.core.SecurityList("sl-data", compartment_id=COMPARTMENT, vcn_id=vcn.id,
                                   ingress_security_rules=[], egress_security_rules=[])
    _subnet("data", vcn, "10.0.3.0/24", "data", _route_table("rt-data", vcn, []), closed)
    _archive(firewall, log_enabled, archived)
