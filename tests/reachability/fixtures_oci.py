"""Pulumi programs (raw pulumi_oci resources) for each way a path to a data-tier subnet can be assembled.

Addresses: VCN 10.0.0.0/16, data subnet 10.0.1.0/24, firewall subnet 10.0.2.0/24; the parent company is
203.0.113.0/24 and 2001:db8:bad::/48 (policies/residency.yaml).
"""

from __future__ import annotations

import illustrative_rules
import pulumi_oci as oci

COMPARTMENT = "ocid1.compartment.oc1..aaaaaaaaexamplecompartment"
PARENT = "203.0.113.0/24"
CONFIG = {"oci:region": "us-ashburn-1", "aws:region": "us-east-2", **illustrative_rules.stack_config()}
DATA = {"residency-tier": "data"}


def vcn(name: str = "vcn", cidr: str = "10.0.0.0/16") -> oci.core.Vcn:
    return oci.core.Vcn(name, compartment_id=COMPARTMENT, cidr_blocks=[cidr])


def security_list(name, net, source="0.0.0.0/0", egress_to="10.0.0.0/16"):
    return oci.core.SecurityList(
        name,
        compartment_id=COMPARTMENT,
        vcn_id=net.id,
        ingress_security_rules=[
            oci.core.SecurityListIngressSecurityRuleArgs(
                protocol="6", source=source, tcp_options=oci.core.SecurityListIngressSecurityRuleTcpOptionsArgs(min=443, max=443)
            )
        ],
        egress_security_rules=[oci.core.SecurityListEgressSecurityRuleArgs(protocol="all", destination=egress_to)],
    )


def closed_list(name, net):
    return security_list(name, net, source="10.0.0.0/16")


def subnet(name, net, route_table, lists, cidr="10.0.1.0/24", tags=None, public=False):
    return oci.core.Subnet(
        name,
        compartment_id=COMPARTMENT,
        vcn_id=net.id,
        cidr_block=cidr,
        route_table_id=route_table.id,
        security_list_ids=[s.id for s in lists],
        prohibit_public_ip_on_vnic=not public,
        freeform_tags=DATA if tags is None else tags,
    )


def route_table(name, net, rules):
    return oci.core.RouteTable(
        name,
        compartment_id=COMPARTMENT,
        vcn_id=net.id,
        route_rules=[oci.core.RouteTableRouteRuleArgs(destination=d, network_entity_id=t.id) for d, t in rules],
    )


def igw_open_security_list():
    """Internet gateway + 0.0.0.0/0 route + a security list open to the world, on a public data subnet."""
    net = vcn()
    igw = oci.core.InternetGateway("igw", compartment_id=COMPARTMENT, vcn_id=net.id)
    rt = route_table("rt-data", net, [("0.0.0.0/0", igw)])
    subnet("data", net, rt, [security_list("sl-data", net)], public=True)


def igw_private_subnet():
    """The same, but the data subnet prohibits public IPs: nothing from the internet gets in; the open
    egress rule is only to the VCN."""
    net = vcn()
    igw = oci.core.InternetGateway("igw", compartment_id=COMPARTMENT, vcn_id=net.id)
    rt = route_table("rt-data", net, [("0.0.0.0/0", igw)])
    subnet("data", net, rt, [security_list("sl-data", net)], public=False)


def drg_parent_route_nsg():
    """A parent-range route to a DRG, plus an NSG (on a database VNIC) admitting the parent range."""
    net = vcn()
    drg = oci.core.Drg("drg", compartment_id=COMPARTMENT)
    oci.core.DrgAttachment("drg-att", drg_id=drg.id, network_details=oci.core.DrgAttachmentNetworkDetailsArgs(id=net.id, type="VCN"))
    rt = route_table("rt-data", net, [(PARENT, drg)])
    data = subnet("data", net, rt, [closed_list("sl-data", net)])
    nsg = oci.core.NetworkSecurityGroup("nsg-db", compartment_id=COMPARTMENT, vcn_id=net.id)
    oci.core.NetworkSecurityGroupSecurityRule(
        "nsg-db-from-parent", network_security_group_id=nsg.id, direction="INGRESS", protocol="6",
        source=PARENT, source_type="CIDR_BLOCK",
    )  # fmt: skip
    oci.core.Instance(
        "db-host", availability_domain="Uocm:US-ASHBURN-AD-1", compartment_id=COMPARTMENT, shape="VM.Standard.E4.Flex",
        create_vnic_details=oci.core.InstanceCreateVnicDetailsArgs(subnet_id=data.id, nsg_ids=[nsg.id], assign_public_ip="false"),
        source_details=oci.core.InstanceSourceDetailsArgs(source_type="image", source_id="ocid1.image.oc1..aaaaexample"),
    )  # fmt: skip


def peering_into_trusted_vcn():
    """Data VCN peers (LPG) with a trusted VCN whose LPG transit route table sends the parent range to a DRG."""
    net = vcn()
    trusted = vcn("trusted-vcn", "10.1.0.0/16")
    drg = oci.core.Drg("trusted-drg", compartment_id=COMPARTMENT)
    oci.core.DrgAttachment("trusted-drg-att", drg_id=drg.id, vcn_id=trusted.id)
    transit = route_table("rt-trusted-transit", trusted, [(PARENT, drg)])
    trusted_lpg = oci.core.LocalPeeringGateway("lpg-trusted", compartment_id=COMPARTMENT, vcn_id=trusted.id, route_table_id=transit.id)
    lpg = oci.core.LocalPeeringGateway("lpg-data", compartment_id=COMPARTMENT, vcn_id=net.id, peer_id=trusted_lpg.id)
    rt = route_table("rt-data", net, [(PARENT, lpg)])
    subnet("data", net, rt, [security_list("sl-data", net, source=PARENT, egress_to=PARENT)])


def firewall_denies(deny: bool = True):
    """A public data subnet behind an IGW whose only route is through a network firewall (private IP in the
    firewall subnet). With ``deny`` the firewall policy drops everything to the data subnet."""
    net = vcn()
    igw = oci.core.InternetGateway("igw", compartment_id=COMPARTMENT, vcn_id=net.id)
    rt_fw = route_table("rt-fw", net, [("0.0.0.0/0", igw)])
    fw_subnet = subnet("fw-subnet", net, rt_fw, [closed_list("sl-fw", net)], cidr="10.0.2.0/24", tags={"residency-tier": "management"})
    policy = oci.networkfirewall.NetworkFirewallPolicy("fw-policy", compartment_id=COMPARTMENT)
    oci.networkfirewall.NetworkFirewallPolicyAddressList(
        "fw-any", network_firewall_policy_id=policy.id, name="any-v4", type="IP", addresses=["0.0.0.0/0"]
    )
    oci.networkfirewall.NetworkFirewallPolicyAddressList(
        "fw-data", network_firewall_policy_id=policy.id, name="data-subnet", type="IP", addresses=["10.0.1.0/24"]
    )
    oci.networkfirewall.NetworkFirewallPolicySecurityRule(
        "fw-rule", network_firewall_policy_id=policy.id, name="to-data", action="DROP" if deny else "ALLOW",
        condition=oci.networkfirewall.NetworkFirewallPolicySecurityRuleConditionArgs(
            source_addresses=["any-v4"], destination_addresses=["data-subnet"]
        ),
        positions=[oci.networkfirewall.NetworkFirewallPolicySecurityRulePositionArgs()],
    )  # fmt: skip
    fw = oci.networkfirewall.NetworkFirewall(
        "fw", compartment_id=COMPARTMENT, network_firewall_policy_id=policy.id, subnet_id=fw_subnet.id, ipv4address="10.0.2.10"
    )
    fw_ip = oci.core.PrivateIp("fw-ip", subnet_id=fw_subnet.id, ip_address=fw.ipv4address)
    rt = route_table("rt-data", net, [("0.0.0.0/0", fw_ip)])
    subnet("data", net, rt, [security_list("sl-data", net)], public=True)


def unknown_cidr():
    """A security rule whose source comes from another resource's output: unknown at preview."""
    net = vcn()
    drg = oci.core.Drg("drg", compartment_id=COMPARTMENT)
    oci.core.DrgAttachment("drg-att", drg_id=drg.id, vcn_id=net.id)
    rt = route_table("rt-data", net, [("10.9.0.0/16", drg), (PARENT, drg)])
    partner = oci.core.Vcn("partner-vcn", compartment_id=COMPARTMENT, cidr_blocks=["10.9.0.0/16"])
    subnet("data", net, rt, [security_list("sl-data", net, source=partner.cidr_block)])
