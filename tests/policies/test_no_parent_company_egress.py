"""no-parent-company-egress through the analyzer protocol: raw OCI/AWS programs, exact flagged URNs."""

import pulumi
import pulumi_aws as aws
import pulumi_oci as oci

from residency_rules_programs import Judged, aws_provider, flagged, judged, oci_provider, urn_of

POLICY = "no-parent-company-egress"
COMP = "ocid1.compartment.oc1..aaaaaaaacompartment"
VCN = "ocid1.vcn.oc1.phx.aaaaaaaavcn"


def compliant():
    o = pulumi.ResourceOptions(provider=oci_provider())
    ao = pulumi.ResourceOptions(provider=aws_provider())
    oci.core.RouteTable("rt-ok", compartment_id=COMP, vcn_id=VCN, route_rules=[
        oci.core.RouteTableRouteRuleArgs(network_entity_id="ocid1.servicegateway.oc1..s",
                                         destination="all-phx-services-in-oracle-services-network",
                                         destination_type="SERVICE_CIDR_BLOCK"),
        oci.core.RouteTableRouteRuleArgs(network_entity_id="ocid1.drg.oc1..d", destination="10.20.0.0/16")], opts=o)
    oci.core.SecurityList("sl-in-from-anywhere", compartment_id=COMP, vcn_id=VCN, ingress_security_rules=[
        oci.core.SecurityListIngressSecurityRuleArgs(protocol="6", source="0.0.0.0/0")], opts=o)
    # Firewall rules run in order: an allow-to-anywhere after a drop of every parent range is safe.
    fw = "ocid1.networkfirewallpolicy.oc1..p"
    nfw = oci.networkfirewall
    nfw.NetworkFirewallPolicyAddressList("parents", network_firewall_policy_id=fw, name="parents", type="IP",
                                         addresses=["203.0.113.0/24", "2001:db8:bad::/48"], opts=o)
    nfw.NetworkFirewallPolicySecurityRule("drop-parents", network_firewall_policy_id=fw, name="drop", action="DROP",
                                          condition=nfw.NetworkFirewallPolicySecurityRuleConditionArgs(
                                              destination_addresses=["parents"]), opts=o)
    nfw.NetworkFirewallPolicySecurityRule("allow-after-drop", network_firewall_policy_id=fw, name="allow",
                                          action="ALLOW", condition=nfw.NetworkFirewallPolicySecurityRuleConditionArgs(),
                                          positions=[nfw.NetworkFirewallPolicySecurityRulePositionArgs(after_rule="drop")],
                                          opts=o)
    aws.ec2.Route("route-ok", route_table_id="rtb-1", destination_cidr_block="10.30.0.0/16",
                  transit_gateway_id="tgw-1", opts=ao)
    aws.ec2transitgateway.Route("tgw-blackhole", transit_gateway_route_table_id="tgw-rtb-1",
                                destination_cidr_block="203.0.113.0/24", blackhole=True, opts=ao)


def violating():
    o = pulumi.ResourceOptions(provider=oci_provider())
    ao = pulumi.ResourceOptions(provider=aws_provider())
    # Default routes (0.0.0.0/0, ::/0) are hops of a path, not admissions: never a finding by themselves
    # (tests/policies/test_wide_network_rules.py judges the paths they carry).
    oci.core.DefaultRouteTable("default-rt", manage_default_resource_id="ocid1.routetable.oc1..r", route_rules=[
        oci.core.DefaultRouteTableRouteRuleArgs(network_entity_id="ocid1.natgateway.oc1..n", destination="0.0.0.0/0")],
        opts=o)
    oci.core.RouteTable("rt-legacy", compartment_id=COMP, vcn_id=VCN, route_rules=[
        oci.core.RouteTableRouteRuleArgs(network_entity_id="ocid1.drg.oc1..d", cidr_block="203.0.113.0/25")], opts=o)
    oci.core.DrgRouteTableRouteRule("drg-rule", drg_route_table_id="ocid1.drgroutetable.oc1..t",
                                    destination="203.0.113.0/24", destination_type="CIDR_BLOCK",
                                    next_hop_drg_attachment_id="ocid1.drgattachment.oc1..a", opts=o)
    oci.core.SecurityList("sl-egress", compartment_id=COMP, vcn_id=VCN, egress_security_rules=[
        oci.core.SecurityListEgressSecurityRuleArgs(protocol="all", destination="2001:db8:bad::1/128")], opts=o)
    egress_all = aws.ec2.SecurityGroup("sg-egress-all", vpc_id="vpc-1", egress=[aws.ec2.SecurityGroupEgressArgs(
        protocol="-1", from_port=0, to_port=0, cidr_blocks=["0.0.0.0/0"])], opts=ao)
    # A group governs the interfaces that carry it: here an instance in a subnet of another stack.
    aws.ec2.Instance("web", ami="ami-0123456789abcdef0", instance_type="t3.micro", subnet_id="subnet-0123456789abcdef0",
                     vpc_security_group_ids=[egress_all.id], opts=ao)
    nfw = oci.networkfirewall
    nfw.NetworkFirewallPolicySecurityRule("allow-anywhere", network_firewall_policy_id="ocid1.networkfirewallpolicy.oc1..q",
                                          name="allow", action="ALLOW",
                                          condition=nfw.NetworkFirewallPolicySecurityRuleConditionArgs(), opts=o)
    aws.vpc.SecurityGroupEgressRule("egress-rule", security_group_id="sg-1", ip_protocol="-1",
                                    cidr_ipv4="203.0.113.0/24", opts=ao)
    aws.ec2.Route("default-route", route_table_id="rtb-1", destination_cidr_block="0.0.0.0/0",
                  nat_gateway_id="nat-1", opts=ao)
    aws.ec2.RouteTable("rtb-v6", vpc_id="vpc-1", routes=[aws.ec2.RouteTableRouteArgs(
        ipv6_cidr_block="::/0", egress_only_gateway_id="eigw-1")], opts=ao)
    aws.ec2.NetworkAclRule("nacl-egress", network_acl_id="acl-1", rule_number=1, protocol="-1", rule_action="allow",
                           egress=True, cidr_block="203.0.113.0/24", opts=ao)
    aws.ec2.VpnConnection("vpn", customer_gateway_id="cgw-1", type="ipsec.1", transit_gateway_id="tgw-1",
                          remote_ipv4_network_cidr="203.0.113.0/24", opts=ao)


def unknown_at_preview():
    o = pulumi.ResourceOptions(provider=oci_provider())
    ao = pulumi.ResourceOptions(provider=aws_provider())
    vcn = oci.core.Vcn("vcn", compartment_id=COMP, cidr_blocks=["10.0.0.0/16"], opts=o)
    oci.core.RouteTable("rt-unknown", compartment_id=COMP, vcn_id=vcn.id, route_rules=[
        oci.core.RouteTableRouteRuleArgs(network_entity_id="ocid1.drg.oc1..d", destination=vcn.id)], opts=o)
    aws.ec2.Route("route-outside-pl", route_table_id="rtb-1", destination_prefix_list_id="pl-0abc",
                  gateway_id="igw-1", opts=ao)


def test_compliant_program_is_not_flagged(pack):
    assert flagged(compliant, pack, POLICY) == set()


def test_every_violating_resource_is_flagged(pack):
    assert flagged(violating, pack, POLICY) == {urn_of(t, n) for t, n in [
        ("oci:Core/routeTable:RouteTable", "rt-legacy"),
        ("oci:Core/drgRouteTableRouteRule:DrgRouteTableRouteRule", "drg-rule"),
        ("oci:Core/securityList:SecurityList", "sl-egress"),
        ("aws:ec2/securityGroup:SecurityGroup", "sg-egress-all"),
        ("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "egress-rule"),
        ("oci:NetworkFirewall/networkFirewallPolicySecurityRule:NetworkFirewallPolicySecurityRule", "allow-anywhere"),
        ("aws:ec2/networkAclRule:NetworkAclRule", "nacl-egress"),
        ("aws:ec2/vpnConnection:VpnConnection", "vpn"),
    ]}


def test_unknown_and_unresolvable_destinations_fail_closed(pack):
    urns, messages = flagged(unknown_at_preview, pack, POLICY, with_messages=True)
    assert urns == {urn_of("oci:Core/routeTable:RouteTable", "rt-unknown"),
                    urn_of("aws:ec2/route:Route", "route-outside-pl")}
    assert all("cannot be verified at preview" in m for m in messages)


def test_violating_program_flags_and_passes_exact_sets(pack):
    """Checkov-style: the resources no-parent-company-egress judged and passed, beside those it flagged."""
    assert judged(violating, pack, POLICY) == Judged(
        flagged={
            urn_of("aws:ec2/networkAclRule:NetworkAclRule", "nacl-egress"),
            urn_of("aws:ec2/securityGroup:SecurityGroup", "sg-egress-all"),
            urn_of("aws:ec2/vpnConnection:VpnConnection", "vpn"),
            urn_of("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "egress-rule"),
            urn_of("oci:Core/drgRouteTableRouteRule:DrgRouteTableRouteRule", "drg-rule"),
            urn_of("oci:Core/routeTable:RouteTable", "rt-legacy"),
            urn_of("oci:Core/securityList:SecurityList", "sl-egress"),
            urn_of("oci:NetworkFirewall/networkFirewallPolicySecurityRule:NetworkFirewallPolicySecurityRule", "allow-anywhere"),
        },
        passed={
            urn_of("aws:ec2/route:Route", "default-route"),
            urn_of("aws:ec2/routeTable:RouteTable", "rtb-v6"),
            urn_of("oci:Core/defaultRouteTable:DefaultRouteTable", "default-rt"),
        },
    )
