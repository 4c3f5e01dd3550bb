"""Wide rules (0.0.0.0/0, ::/0) judged by the paths they open (issue 13 items 8 and 9), through the analyzer
protocol on raw pulumi_aws / pulumi_oci programs written in the styles people use: inline rule blocks and
separate rule resources, network ACLs inline, as rule resources and as the managed default, AWS Network
Firewall with structured rules and with a Suricata rules string, OCI Network Firewall, NSGs on instances,
OCI's built-in default security list and AWS's own default security group.

The parent company is 203.0.113.0/24 and 2001:db8:bad::/48 (the illustrative rules, tests/illustrative_rules.py). Subnets are tagged
``residency-tier: app`` unless the test is about the data tier, which network-reachability owns.
"""

import pulumi_aws as aws
import pulumi_oci as oci

from residency_rules_programs import Judged, flagged, judged, urn_of

INGRESS = "no-parent-company-ingress"
EGRESS = "no-parent-company-egress"
REACH = "network-reachability"
APP = {"residency-tier": "app"}
MGMT = {"residency-tier": "management"}
PARENT = "203.0.113.0/24"
COMP = "ocid1.compartment.oc1..aaaaaaaacompartment"
SG = "aws:ec2/securityGroup:SecurityGroup"


def _vpc(manage_default_sg=True):
    vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
    if manage_default_sg:  # the provider strips AWS's default rules: no implicit egress-all
        aws.ec2.DefaultSecurityGroup("default-sg", vpc_id=vpc.id)
    return vpc


def _web_sg(vpc, name="web", subnet=None, ports=(443, 443)):
    """A group open to the world on ``ports`` with all egress, carried by an interface in ``subnet`` (a group
    governs only the interfaces that carry it)."""
    group = aws.ec2.SecurityGroup(name, vpc_id=vpc.id, ingress=[aws.ec2.SecurityGroupIngressArgs(
        protocol="tcp", from_port=ports[0], to_port=ports[1], cidr_blocks=["0.0.0.0/0"])], egress=[
        aws.ec2.SecurityGroupEgressArgs(protocol="-1", from_port=0, to_port=0, cidr_blocks=["0.0.0.0/0"])])
    if subnet is not None:
        _carry(f"{name}-eni", subnet, group)
    return group


def _carry(name, subnet, *groups):
    """An interface in ``subnet`` carrying ``groups`` (none: the VPC's default security group)."""
    return aws.ec2.NetworkInterface(name, subnet_id=subnet.id, security_groups=[g.id for g in groups] or None)


def _nacl_entries(args, deny_no, allow_no=100):
    return [args(rule_no=deny_no, action="deny", protocol="-1", from_port=0, to_port=0, cidr_block=PARENT),
            args(rule_no=allow_no, action="allow", protocol="-1", from_port=0, to_port=0, cidr_block="0.0.0.0/0")]


def aws_public_web(nacl=None, tier=APP, ports=(443, 443)):
    """A public web tier: IGW, 0.0.0.0/0 route, security group open to the world on 443, all egress."""
    vpc = _vpc()
    igw = aws.ec2.InternetGateway("igw", vpc_id=vpc.id)
    subnet = aws.ec2.Subnet("web-subnet", vpc_id=vpc.id, cidr_block="10.0.1.0/24", map_public_ip_on_launch=True,
                            tags=tier)
    rt = aws.ec2.RouteTable("rt", vpc_id=vpc.id, routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0",
                                                                                     gateway_id=igw.id)])
    aws.ec2.RouteTableAssociation("rta", subnet_id=subnet.id, route_table_id=rt.id)
    _web_sg(vpc, subnet=subnet, ports=ports)
    if nacl in ("deny-first", "deny-after"):
        deny_no = 90 if nacl == "deny-first" else 150
        aws.ec2.NetworkAcl("nacl", vpc_id=vpc.id, subnet_ids=[subnet.id],
                           ingress=_nacl_entries(aws.ec2.NetworkAclIngressArgs, deny_no),
                           egress=_nacl_entries(aws.ec2.NetworkAclEgressArgs, deny_no))
    elif nacl == "rule-resources":
        acl = aws.ec2.NetworkAcl("nacl", vpc_id=vpc.id)
        aws.ec2.NetworkAclAssociation("nacl-assoc", network_acl_id=acl.id, subnet_id=subnet.id)
        for egress in (False, True):
            side = "out" if egress else "in"
            aws.ec2.NetworkAclRule(f"deny-parent-{side}", network_acl_id=acl.id, rule_number=10, egress=egress,
                                   protocol="-1", rule_action="deny", cidr_block=PARENT)
            aws.ec2.NetworkAclRule(f"allow-all-{side}", network_acl_id=acl.id, rule_number=100, egress=egress,
                                   protocol="-1", rule_action="allow", cidr_block="0.0.0.0/0")
    elif nacl == "default-acl":
        aws.ec2.DefaultNetworkAcl("default-nacl", default_network_acl_id=vpc.default_network_acl_id,
                                  ingress=_nacl_entries(aws.ec2.DefaultNetworkAclIngressArgs, 90),
                                  egress=_nacl_entries(aws.ec2.DefaultNetworkAclEgressArgs, 90))


def test_public_tier_without_a_deny_is_flagged_with_the_nacl_fix(pack):
    urns, messages = flagged(aws_public_web, pack, INGRESS, with_messages=True)
    assert urns == {urn_of(SG, "web")}
    assert "ingress deny rule (protocol -1) for 203.0.113.0/24" in messages[0]
    assert "default network ACL" in messages[0] and "internet-gateway 'igw'" in messages[0]
    urns, messages = flagged(aws_public_web, pack, EGRESS, with_messages=True)
    assert urns == {urn_of(SG, "web")} and "egress deny rule" in messages[0]


def test_compliant_network_acl_denies_before_the_allow_in_every_style(pack):
    for style in ("deny-first", "rule-resources", "default-acl"):
        program = lambda style=style: aws_public_web(style)  # noqa: E731
        assert flagged(program, pack, INGRESS) == set(), style
        assert flagged(program, pack, EGRESS) == set(), style


def test_a_deny_numbered_after_the_allow_drops_nothing(pack):
    urns, messages = flagged(lambda: aws_public_web("deny-after"), pack, INGRESS, with_messages=True)
    assert urns == {urn_of(SG, "web")}
    assert "add to network ACL 'nacl'" in messages[0] and "numbered below 100" in messages[0]


def test_data_tier_paths_are_reported_once_by_network_reachability(pack):
    program = lambda: aws_public_web(tier={"residency-tier": "data"})  # noqa: E731
    assert flagged(program, pack, INGRESS) == set()
    assert flagged(program, pack, EGRESS) == set()
    assert flagged(program, pack, REACH) == {urn_of("aws:ec2/subnet:Subnet", "web-subnet")}


def aws_untagged_public_subnet():
    """The classic first program: VPC, IGW, public subnet, security group open on 443 and all egress."""
    vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
    igw = aws.ec2.InternetGateway("igw", vpc_id=vpc.id)
    subnet = aws.ec2.Subnet("public", vpc_id=vpc.id, cidr_block="10.0.1.0/24", map_public_ip_on_launch=True)
    rt = aws.ec2.RouteTable("rt", vpc_id=vpc.id, routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0",
                                                                                     gateway_id=igw.id)])
    aws.ec2.RouteTableAssociation("rta", subnet_id=subnet.id, route_table_id=rt.id)
    _web_sg(vpc, subnet=subnet)


def test_one_mistake_one_violation(preview):
    """A public subnet in an untagged stack: one mandatory violation (the subnet's), saying how to tag a tier."""
    # The default AWS provider pinned to the estate's account (the illustrative rules), as estate-deploy-targets asks.
    result = preview(aws_untagged_public_subnet, config={"aws:region": "us-east-2",
                                                         "aws:allowedAccountIds": '["222222222222"]'})
    assert [(v.policy, v.resource_name) for v in result.mandatory] == [(REACH, "public")]
    message = result.mandatory[0].message
    assert message.count("\n  - ") == 4  # internet and parent, ingress and egress: all in the one violation
    assert '{"residency-tier": "public", "residency-public-ports": "443"}' in message and "freeform_tags" in message
    assert '{"residency-tier": "app"}' in message


def aws_private_subnet():
    """No internet or NAT gateway, no peering: all-egress security groups carry nothing anywhere."""
    vpc = _vpc()
    _web_sg(vpc, subnet=aws.ec2.Subnet("app-subnet", vpc_id=vpc.id, cidr_block="10.0.1.0/24", tags=APP))


def test_wide_rules_without_any_path_are_compliant(pack):
    assert flagged(aws_private_subnet, pack, INGRESS) == set()
    assert flagged(aws_private_subnet, pack, EGRESS) == set()


def aws_rule_resources_and_references():
    """Rules as separate resources, and groups referencing each other (never an address of the parent)."""
    vpc = _vpc()
    igw = aws.ec2.InternetGateway("igw", vpc_id=vpc.id)
    subnet = aws.ec2.Subnet("web-subnet", vpc_id=vpc.id, cidr_block="10.0.1.0/24", tags=APP)
    rt = aws.ec2.RouteTable("rt", vpc_id=vpc.id)
    aws.ec2.Route("default-route", route_table_id=rt.id, destination_cidr_block="0.0.0.0/0", gateway_id=igw.id)
    aws.ec2.RouteTableAssociation("rta", subnet_id=subnet.id, route_table_id=rt.id)
    lb = aws.ec2.SecurityGroup("lb", vpc_id=vpc.id)
    app = aws.ec2.SecurityGroup("app", vpc_id=vpc.id)
    aws.vpc.SecurityGroupIngressRule("lb-https", security_group_id=lb.id, ip_protocol="tcp", from_port=443,
                                     to_port=443, cidr_ipv4="0.0.0.0/0")
    aws.ec2.SecurityGroupRule("app-from-lb", type="ingress", security_group_id=app.id, protocol="tcp",
                              from_port=8080, to_port=8080, source_security_group_id=lb.id)
    aws.ec2.SecurityGroupRule("app-out", type="egress", security_group_id=app.id, protocol="-1", from_port=0,
                              to_port=0, cidr_blocks=["0.0.0.0/0"])
    _carry("lb-eni", subnet, lb)
    _carry("app-eni", subnet, app)


def test_rule_resources_are_flagged_and_group_references_are_not(pack):
    assert flagged(aws_rule_resources_and_references, pack, INGRESS) == {
        urn_of("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "lb-https")}
    assert flagged(aws_rule_resources_and_references, pack, EGRESS) == {
        urn_of("aws:ec2/securityGroupRule:SecurityGroupRule", "app-out")}


def aws_default_vpc_group(carried=True):
    """A group with no vpcId (the account's default VPC), open to the world on SSH, on an instance that names no
    subnet (so it sits in the default VPC too)."""
    group = aws.ec2.SecurityGroup("ssh", ingress=[aws.ec2.SecurityGroupIngressArgs(
        protocol="tcp", from_port=22, to_port=22, cidr_blocks=["0.0.0.0/0"])])
    if carried:
        aws.ec2.Instance("bastion", ami="ami-0123456789abcdef0", instance_type="t3.micro",
                         vpc_security_group_ids=[group.id])


def test_a_wide_group_in_the_default_vpc_is_flagged(pack):
    urns, messages = flagged(aws_default_vpc_group, pack, INGRESS, with_messages=True)
    assert urns == {urn_of(SG, "ssh")} and "default VPC" in messages[0]
    assert "cannot be verified" not in messages[0] and "on tcp 22" in messages[0]
    # Carried by nothing, it governs nothing.
    assert flagged(lambda: aws_default_vpc_group(carried=False), pack, INGRESS) == set()


def aws_network_firewall(style="structured"):
    """Public app subnet routed through an AWS Network Firewall (vpcEndpointId from the firewall's outputs)."""
    vpc = _vpc()
    igw = aws.ec2.InternetGateway("igw", vpc_id=vpc.id)
    fw_subnet = aws.ec2.Subnet("fw-subnet", vpc_id=vpc.id, cidr_block="10.0.2.0/24", tags=MGMT)
    fw_rt = aws.ec2.RouteTable("fw-rt", vpc_id=vpc.id, routes=[aws.ec2.RouteTableRouteArgs(
        cidr_block="0.0.0.0/0", gateway_id=igw.id)])
    aws.ec2.RouteTableAssociation("fw-rta", subnet_id=fw_subnet.id, route_table_id=fw_rt.id)
    nfw = aws.networkfirewall
    if style == "structured":
        rule_group = nfw.RuleGroupRuleGroupArgs(rules_source=nfw.RuleGroupRuleGroupRulesSourceArgs(stateful_rules=[
            nfw.RuleGroupRuleGroupRulesSourceStatefulRuleArgs(
                action="DROP", header=nfw.RuleGroupRuleGroupRulesSourceStatefulRuleHeaderArgs(
                    protocol="IP", source=PARENT, source_port="ANY", destination="ANY", destination_port="ANY",
                    direction="ANY"),
                rule_options=[nfw.RuleGroupRuleGroupRulesSourceStatefulRuleRuleOptionArgs(keyword="sid", settings=["1"])])]))
    elif style == "suricata":
        rule_group = nfw.RuleGroupRuleGroupArgs(
            rule_variables=nfw.RuleGroupRuleGroupRuleVariablesArgs(ip_sets=[
                nfw.RuleGroupRuleGroupRuleVariablesIpSetArgs(key="PARENT", ip_set=nfw.RuleGroupRuleGroupRuleVariablesIpSetIpSetArgs(
                    definitions=[PARENT]))]),
            rules_source=nfw.RuleGroupRuleGroupRulesSourceArgs(rules_string="drop ip $PARENT any <> any any (sid:1;)\n"))
    else:  # "pass": the rule lets the parent through
        rule_group = nfw.RuleGroupRuleGroupArgs(rules_source=nfw.RuleGroupRuleGroupRulesSourceArgs(
            rules_string=f"pass ip {PARENT} any <> any any (sid:1;)\ndrop ip any any <> 198.51.100.0/24 any (sid:2;)"))
    group = nfw.RuleGroup("block-parent", capacity=10, name="block-parent", type="STATEFUL", rule_group=rule_group)
    policy = nfw.FirewallPolicy("fw-policy", name="fw-policy", firewall_policy=nfw.FirewallPolicyFirewallPolicyArgs(
        stateless_default_actions=["aws:forward_to_sfe"], stateless_fragment_default_actions=["aws:forward_to_sfe"],
        stateful_rule_group_references=[nfw.FirewallPolicyFirewallPolicyStatefulRuleGroupReferenceArgs(
            resource_arn=group.arn)]))
    firewall = nfw.Firewall("fw", name="fw", vpc_id=vpc.id, firewall_policy_arn=policy.arn,
                            subnet_mappings=[nfw.FirewallSubnetMappingArgs(subnet_id=fw_subnet.id)])
    endpoint = firewall.firewall_statuses.apply(lambda s: s[0].sync_states[0].attachments[0].endpoint_id)
    app = aws.ec2.Subnet("app-subnet", vpc_id=vpc.id, cidr_block="10.0.1.0/24", tags=APP)
    app_rt = aws.ec2.RouteTable("app-rt", vpc_id=vpc.id, routes=[aws.ec2.RouteTableRouteArgs(
        cidr_block="0.0.0.0/0", vpc_endpoint_id=endpoint)])
    aws.ec2.RouteTableAssociation("app-rta", subnet_id=app.id, route_table_id=app_rt.id)
    _web_sg(vpc, subnet=app)


def test_aws_network_firewall_drop_rules_clear_the_path(pack):
    for style in ("structured", "suricata"):
        program = lambda style=style: aws_network_firewall(style)  # noqa: E731
        assert flagged(program, pack, INGRESS) == set(), style
        assert flagged(program, pack, EGRESS) == set(), style


def test_aws_network_firewall_that_passes_the_parent_leaves_the_path_open(pack):
    urns, messages = flagged(lambda: aws_network_firewall("pass"), pack, INGRESS, with_messages=True)
    assert urns == {urn_of(SG, "web")} and "network-firewall 'fw'" in messages[0]


def aws_implicit_default_group():
    """No security group at all: AWS's own default group of the VPC (all egress) is what instances get."""
    vpc = _vpc(manage_default_sg=False)
    igw = aws.ec2.InternetGateway("igw", vpc_id=vpc.id)
    subnet = aws.ec2.Subnet("web-subnet", vpc_id=vpc.id, cidr_block="10.0.1.0/24", tags=APP)
    rt = aws.ec2.RouteTable("rt", vpc_id=vpc.id, routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0",
                                                                                     gateway_id=igw.id)])
    aws.ec2.RouteTableAssociation("rta", subnet_id=subnet.id, route_table_id=rt.id)
    _carry("web-eni", subnet)


def test_aws_default_group_egress_is_reported_on_the_vpc(pack):
    assert flagged(aws_implicit_default_group, pack, EGRESS) == {urn_of("aws:ec2/vpc:Vpc", "vpc")}
    assert flagged(aws_implicit_default_group, pack, INGRESS) == set()


# --- OCI ------------------------------------------------------------------------------------------

def _oci_public_subnet(vcn, route_rules, lists, name="app-subnet"):
    rt = oci.core.RouteTable(f"{name}-rt", compartment_id=COMP, vcn_id=vcn.id, route_rules=route_rules)
    return oci.core.Subnet(name, compartment_id=COMP, vcn_id=vcn.id, cidr_block="10.0.1.0/24", route_table_id=rt.id,
                           security_list_ids=lists, prohibit_public_ip_on_vnic=False, freeform_tags=APP)


def _open_list(vcn, name="sl-app"):
    return oci.core.SecurityList(name, compartment_id=COMP, vcn_id=vcn.id, ingress_security_rules=[
        oci.core.SecurityListIngressSecurityRuleArgs(protocol="6", source="0.0.0.0/0",
                                                     tcp_options=oci.core.SecurityListIngressSecurityRuleTcpOptionsArgs(
                                                         min=443, max=443))],
        egress_security_rules=[oci.core.SecurityListEgressSecurityRuleArgs(protocol="all", destination="0.0.0.0/0")])


def oci_public_app(firewall=False):
    vcn = oci.core.Vcn("vcn", compartment_id=COMP, cidr_blocks=["10.0.0.0/16"])
    igw = oci.core.InternetGateway("igw", compartment_id=COMP, vcn_id=vcn.id)
    if not firewall:
        _oci_public_subnet(vcn, [oci.core.RouteTableRouteRuleArgs(destination="0.0.0.0/0", network_entity_id=igw.id)],
                           [_open_list(vcn).id])
        return
    nfw = oci.networkfirewall
    fw_rt = oci.core.RouteTable("fw-rt", compartment_id=COMP, vcn_id=vcn.id, route_rules=[
        oci.core.RouteTableRouteRuleArgs(destination="0.0.0.0/0", network_entity_id=igw.id)])
    fw_subnet = oci.core.Subnet("fw-subnet", compartment_id=COMP, vcn_id=vcn.id, cidr_block="10.0.2.0/24",
                                route_table_id=fw_rt.id, freeform_tags=MGMT,
                                security_list_ids=[oci.core.SecurityList("sl-fw", compartment_id=COMP, vcn_id=vcn.id).id])
    policy = nfw.NetworkFirewallPolicy("fw-policy", compartment_id=COMP)
    nfw.NetworkFirewallPolicyAddressList("parents", network_firewall_policy_id=policy.id, name="parents", type="IP",
                                         addresses=[PARENT, "2001:db8:bad::/48"])
    for name, key in (("drop-from-parent", "source_addresses"), ("drop-to-parent", "destination_addresses")):
        nfw.NetworkFirewallPolicySecurityRule(name, network_firewall_policy_id=policy.id, name=name, action="DROP",
                                              condition=nfw.NetworkFirewallPolicySecurityRuleConditionArgs(**{key: ["parents"]}),
                                              priority_order=1 if name == "drop-from-parent" else 2)
    nfw.NetworkFirewallPolicySecurityRule("allow-rest", network_firewall_policy_id=policy.id, name="allow-rest",
                                          action="ALLOW", condition=nfw.NetworkFirewallPolicySecurityRuleConditionArgs(),
                                          priority_order=3)
    fw = nfw.NetworkFirewall("fw", compartment_id=COMP, network_firewall_policy_id=policy.id, subnet_id=fw_subnet.id,
                             ipv4address="10.0.2.10")
    fw_ip = oci.core.PrivateIp("fw-ip", subnet_id=fw_subnet.id, ip_address=fw.ipv4address)
    _oci_public_subnet(vcn, [oci.core.RouteTableRouteRuleArgs(destination="0.0.0.0/0", network_entity_id=fw_ip.id)],
                       [_open_list(vcn).id])


def test_oci_open_security_list_is_flagged_with_the_firewall_fix(pack):
    urns, messages = flagged(oci_public_app, pack, INGRESS, with_messages=True)
    assert urns == {urn_of("oci:Core/securityList:SecurityList", "sl-app")}
    assert "OCI Network Firewall" in messages[0] and "action DROP" in messages[0]
    assert flagged(oci_public_app, pack, EGRESS) == {urn_of("oci:Core/securityList:SecurityList", "sl-app")}


def test_oci_network_firewall_drop_rules_clear_the_path(pack):
    program = lambda: oci_public_app(firewall=True)  # noqa: E731
    assert flagged(program, pack, INGRESS) == set()
    assert flagged(program, pack, EGRESS) == set()


def oci_nsg_and_builtin_default():
    """An NSG rule open to the world on an instance's VNIC, and a subnet naming no security list (OCI's
    built-in default list: SSH from anywhere, all egress)."""
    vcn = oci.core.Vcn("vcn", compartment_id=COMP, cidr_blocks=["10.0.0.0/16"])
    igw = oci.core.InternetGateway("igw", compartment_id=COMP, vcn_id=vcn.id)
    subnet = _oci_public_subnet(vcn, [oci.core.RouteTableRouteRuleArgs(destination="0.0.0.0/0",
                                                                       network_entity_id=igw.id)], None)
    nsg = oci.core.NetworkSecurityGroup("nsg-web", compartment_id=COMP, vcn_id=vcn.id)
    oci.core.NetworkSecurityGroupSecurityRule("nsg-web-https", network_security_group_id=nsg.id, direction="INGRESS",
                                              protocol="6", source="0.0.0.0/0", source_type="CIDR_BLOCK")
    oci.core.Instance("web", availability_domain="Uocm:PHX-AD-1", compartment_id=COMP, shape="VM.Standard.E4.Flex",
                      create_vnic_details=oci.core.InstanceCreateVnicDetailsArgs(subnet_id=subnet.id, nsg_ids=[nsg.id]),
                      source_details=oci.core.InstanceSourceDetailsArgs(source_type="image", source_id="ocid1.image.oc1..i"))


def test_oci_nsg_rules_and_the_builtin_default_list(pack):
    assert flagged(oci_nsg_and_builtin_default, pack, INGRESS) == {
        urn_of("oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule", "nsg-web-https"),
        urn_of("oci:Core/vcn:Vcn", "vcn")}
    assert flagged(oci_nsg_and_builtin_default, pack, EGRESS) == {urn_of("oci:Core/vcn:Vcn", "vcn")}


# --- unknown at preview ---------------------------------------------------------------------------

def aws_unknown_next_hop():
    vpc = _vpc()
    bucket = aws.s3.Bucket("b")
    subnet = aws.ec2.Subnet("web-subnet", vpc_id=vpc.id, cidr_block="10.0.1.0/24", tags=APP)
    rt = aws.ec2.RouteTable("rt", vpc_id=vpc.id, routes=[aws.ec2.RouteTableRouteArgs(
        cidr_block="0.0.0.0/0", gateway_id=bucket.id.apply(lambda _: "igw-0123456789abcdef0"))])
    aws.ec2.RouteTableAssociation("rta", subnet_id=subnet.id, route_table_id=rt.id)
    _web_sg(vpc, subnet=subnet)


def test_unknown_hops_on_the_path_of_a_wide_rule_fail_closed(pack):
    urns, messages = flagged(aws_unknown_next_hop, pack, INGRESS, with_messages=True)
    assert urns == {urn_of(SG, "web")}
    assert all("cannot be verified at preview" in m for m in messages)


# --- dual stack: IPv6 rules reach IPv4 parent ranges only through a NAT64 translator ---------------------

NAT64_PARENT = "64:ff9b::cb00:7100/120"  # the NAT64 form of 203.0.113.0/24


def aws_dual_stack(nat64=None, deny_nat64=False):
    """A dual-stack app subnet: routes 0.0.0.0/0 and ::/0 to the internet gateway, a security group open on
    443 and all egress for both versions, and a network ACL that denies both parent ranges (rules 10, 11) before
    allowing 0.0.0.0/0 (100) and ::/0 (101). ``nat64``: also route 64:ff9b::/96 to a NAT gateway ("literal"),
    or to a next hop unknown at preview ("unknown")."""
    vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16", assign_generated_ipv6_cidr_block=True)
    aws.ec2.DefaultSecurityGroup("default-sg", vpc_id=vpc.id)
    igw = aws.ec2.InternetGateway("igw", vpc_id=vpc.id)
    subnet = aws.ec2.Subnet("web-subnet", vpc_id=vpc.id, cidr_block="10.0.1.0/24",
                            ipv6_cidr_block="2600:1f14:abc:100::/64", tags=APP)
    routes = [aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=igw.id),
              aws.ec2.RouteTableRouteArgs(ipv6_cidr_block="::/0", gateway_id=igw.id)]
    if nat64 == "literal":
        public = aws.ec2.Subnet("nat-subnet", vpc_id=vpc.id, cidr_block="10.0.9.0/24", tags=MGMT)
        nat = aws.ec2.NatGateway("nat", subnet_id=public.id, allocation_id=aws.ec2.Eip("nat-ip", domain="vpc").id)
        routes.append(aws.ec2.RouteTableRouteArgs(ipv6_cidr_block="64:ff9b::/96", nat_gateway_id=nat.id))
    elif nat64 == "unknown":
        seed = aws.s3.Bucket("seed")
        routes.append(aws.ec2.RouteTableRouteArgs(ipv6_cidr_block="64:ff9b::/96",
                                                  nat_gateway_id=seed.id.apply(lambda _: "nat-0123456789abcdef0")))
    rt = aws.ec2.RouteTable("rt", vpc_id=vpc.id, routes=routes)
    aws.ec2.RouteTableAssociation("rta", subnet_id=subnet.id, route_table_id=rt.id)
    _carry("web-eni", subnet, aws.ec2.SecurityGroup("web", vpc_id=vpc.id, ingress=[aws.ec2.SecurityGroupIngressArgs(
        protocol="tcp", from_port=443, to_port=443, cidr_blocks=["0.0.0.0/0"], ipv6_cidr_blocks=["::/0"])],
        egress=[aws.ec2.SecurityGroupEgressArgs(protocol="-1", from_port=0, to_port=0, cidr_blocks=["0.0.0.0/0"],
                                                ipv6_cidr_blocks=["::/0"])]))

    def entries(args):
        rules = [args(rule_no=10, action="deny", protocol="-1", from_port=0, to_port=0, cidr_block=PARENT),
                 args(rule_no=11, action="deny", protocol="-1", from_port=0, to_port=0, ipv6_cidr_block="2001:db8:bad::/48"),
                 args(rule_no=100, action="allow", protocol="-1", from_port=0, to_port=0, cidr_block="0.0.0.0/0"),
                 args(rule_no=101, action="allow", protocol="-1", from_port=0, to_port=0, ipv6_cidr_block="::/0")]
        if deny_nat64:
            rules.append(args(rule_no=12, action="deny", protocol="-1", from_port=0, to_port=0,
                              ipv6_cidr_block=NAT64_PARENT))
        return rules

    aws.ec2.NetworkAcl("nacl", vpc_id=vpc.id, subnet_ids=[subnet.id], ingress=entries(aws.ec2.NetworkAclIngressArgs),
                       egress=entries(aws.ec2.NetworkAclEgressArgs))


def test_dual_stack_network_acl_denying_both_parent_ranges_is_compliant(pack):
    """Issue 13 item 8: ::/0 does not reach 203.0.113.0/24 through an internet gateway (no 6to4 or mapped
    path exists in a stack), so the ACL's two denies close every path."""
    for policy in (INGRESS, EGRESS):
        assert flagged(aws_dual_stack, pack, policy) == set(), policy


def test_a_nat64_route_opens_the_translated_path_and_the_fix_names_its_range(pack):
    program = lambda: aws_dual_stack(nat64="literal")  # noqa: E731
    assert flagged(program, pack, INGRESS) == set()  # a NAT gateway admits nothing inbound
    urns, messages = flagged(program, pack, EGRESS, with_messages=True)
    assert urns == {urn_of(SG, "web")}
    (message,) = messages
    assert f"parent-company range {PARENT} through NAT64 ({NAT64_PARENT})" in message
    assert "nat-gateway 'nat'" in message
    assert (f"add to network ACL 'nacl' (subnet 'web-subnet') an egress deny rule (protocol -1) for {NAT64_PARENT} "
            f"(the NAT64 form of {PARENT}) numbered below 101") in message
    # The rule that carries it is the IPv6 one, not the IPv4 rule the ACL already closes.
    assert "egress[0].ipv6CidrBlocks[0]" in message and "egress[0].cidrBlocks[0]" not in message


def test_denying_the_nat64_form_closes_the_translated_path(pack):
    program = lambda: aws_dual_stack(nat64="literal", deny_nat64=True)  # noqa: E731
    for policy in (INGRESS, EGRESS):
        assert flagged(program, pack, policy) == set(), policy


def test_a_nat64_route_to_a_hop_unknown_at_preview_fails_closed(pack):
    urns, messages = flagged(lambda: aws_dual_stack(nat64="unknown"), pack, EGRESS, with_messages=True)
    assert urns == {urn_of(SG, "web")}
    assert all("cannot be verified at preview" in m for m in messages)


def aws_dual_stack_data_subnet(nat64):
    """A data-tier dual-stack subnet with no internet route; ``nat64`` adds a 64:ff9b::/96 route to a NAT gateway."""
    vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16", assign_generated_ipv6_cidr_block=True)
    aws.ec2.DefaultSecurityGroup("default-sg", vpc_id=vpc.id)
    subnet = aws.ec2.Subnet("data-subnet", vpc_id=vpc.id, cidr_block="10.0.1.0/24",
                            ipv6_cidr_block="2600:1f14:abc:100::/64", tags={"residency-tier": "data"})
    routes = []
    if nat64:
        public = aws.ec2.Subnet("nat-subnet", vpc_id=vpc.id, cidr_block="10.0.9.0/24", tags=MGMT)
        nat = aws.ec2.NatGateway("nat", subnet_id=public.id, allocation_id=aws.ec2.Eip("nat-ip", domain="vpc").id)
        routes.append(aws.ec2.RouteTableRouteArgs(ipv6_cidr_block="64:ff9b::/96", nat_gateway_id=nat.id))
    rt = aws.ec2.RouteTable("rt", vpc_id=vpc.id, routes=routes)
    aws.ec2.RouteTableAssociation("rta", subnet_id=subnet.id, route_table_id=rt.id)
    _carry("app-eni", subnet, aws.ec2.SecurityGroup("app", vpc_id=vpc.id, egress=[aws.ec2.SecurityGroupEgressArgs(
        protocol="-1", from_port=0, to_port=0, ipv6_cidr_blocks=["::/0"])]))


def test_network_reachability_follows_nat64_from_a_data_subnet(pack):
    """The same translation rule in the data-tier proof: an IPv6 egress rule reaches the IPv4 internet and the
    parent's IPv4 range only through the NAT gateway the 64:ff9b::/96 route names."""
    assert flagged(lambda: aws_dual_stack_data_subnet(False), pack, REACH) == set()
    urns, messages = flagged(lambda: aws_dual_stack_data_subnet(True), pack, REACH, with_messages=True)
    assert urns == {urn_of("aws:ec2/subnet:Subnet", "data-subnet")}
    (message,) = messages
    assert "can send to the internet through NAT64 (64:ff9b::/96)" in message
    assert f"can send to parent-company range {PARENT} through NAT64 ({NAT64_PARENT})" in message
    assert message.count("\n  - ") == 2  # egress only: a NAT gateway admits nothing inbound


def test_aws_rule_resources_and_references_program_flags_and_passes_exact_sets(pack):
    """Checkov-style: the resources no-parent-company-ingress judged and passed, beside those it flagged."""
    assert judged(aws_rule_resources_and_references, pack, INGRESS) == Judged(
        flagged={
            urn_of("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "lb-https"),
        },
        passed={
            urn_of("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "default-sg"),
            urn_of("aws:ec2/route:Route", "default-route"),
            urn_of("aws:ec2/routeTable:RouteTable", "rt"),
            urn_of("aws:ec2/securityGroup:SecurityGroup", "app"),
            urn_of("aws:ec2/securityGroup:SecurityGroup", "lb"),
            urn_of("aws:ec2/securityGroupRule:SecurityGroupRule", "app-from-lb"),
            urn_of("aws:ec2/securityGroupRule:SecurityGroupRule", "app-out"),
            urn_of("aws:ec2/subnet:Subnet", "web-subnet"),
            urn_of("aws:ec2/vpc:Vpc", "vpc"),
        },
    )
