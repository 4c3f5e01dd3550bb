"""Issue 20: every mandatory network violation is one an auditor would uphold, through the analyzer protocol on
programs in the shape of public ones (written here): a hub-and-spoke network whose spokes leave through a transit
gateway and an inspection VPC, with and without its AWS Network Firewall; a web tier whose VPC's default group
is carried by nothing; a declared public tier. Each asserts the exact flagged set of every network policy.

The parent company is 203.0.113.0/24 and 2001:db8:bad::/48 (the illustrative rules, tests/illustrative_rules.py).
"""

import pulumi_aws as aws

from residency_rules_programs import Judged, flagged, judged, urn_of

INGRESS = "no-parent-company-ingress"
EGRESS = "no-parent-company-egress"
REACH = "network-reachability"
NETWORK = (INGRESS, EGRESS, REACH)
SUBNET = "aws:ec2/subnet:Subnet"
SG = "aws:ec2/securityGroup:SecurityGroup"
APP = {"residency-tier": "app"}
nfw = aws.networkfirewall


def _subnet_with_table(name, vpc, cidr, routes, tags=None):
    subnet = aws.ec2.Subnet(name, vpc_id=vpc.id, cidr_block=cidr, tags=tags)
    table = aws.ec2.RouteTable(f"{name}-rt", vpc_id=vpc.id, routes=routes)
    aws.ec2.RouteTableAssociation(f"{name}-rta", subnet_id=subnet.id, route_table_id=table.id)
    return subnet, table


def _firewall_policy():
    """Stateful strict order, default action drop: only the TCP handshake and TLS to *.amazonaws.com pass."""
    group = nfw.RuleGroup("allow-aws-tls", capacity=100, name="allow-aws-tls", type="STATEFUL",
                          rule_group=nfw.RuleGroupRuleGroupArgs(
                              rules_source=nfw.RuleGroupRuleGroupRulesSourceArgs(rules_string=(
                                  'pass tcp any any <> $EXTERNAL_NET 443 (flow:not_established; sid:10;)\n'
                                  'pass tls any any -> $EXTERNAL_NET 443 (tls.sni; content:".amazonaws.com"; endswith; '
                                  'sid:11;)\n')),
                              stateful_rule_options=nfw.RuleGroupRuleGroupStatefulRuleOptionsArgs(rule_order="STRICT_ORDER")))
    return nfw.FirewallPolicy("egress-policy", name="egress-policy", firewall_policy=nfw.FirewallPolicyFirewallPolicyArgs(
        stateless_default_actions=["aws:forward_to_sfe"], stateless_fragment_default_actions=["aws:forward_to_sfe"],
        stateful_default_actions=["aws:drop_strict"],
        stateful_engine_options=nfw.FirewallPolicyFirewallPolicyStatefulEngineOptionsArgs(rule_order="STRICT_ORDER"),
        stateful_rule_group_references=[nfw.FirewallPolicyFirewallPolicyStatefulRuleGroupReferenceArgs(
            priority=10, resource_arn=group.arn)]))


def hub_and_spoke(firewall: bool):
    """Two spoke VPCs with workloads in untagged private subnets, all egress (0.0.0.0/0) through a transit gateway
    to an inspection VPC, which sends it out through a NAT gateway (through its firewall first when ``firewall``).
    The spokes' interface endpoints admit everything (0.0.0.0/0), which no path can deliver: nothing routes in."""
    tgw = aws.ec2transitgateway.TransitGateway("tgw", default_route_table_association="disable",
                                               default_route_table_propagation="disable")
    spoke_rt = aws.ec2transitgateway.RouteTable("spoke-tgw-rt", transit_gateway_id=tgw.id)
    hub_rt = aws.ec2transitgateway.RouteTable("hub-tgw-rt", transit_gateway_id=tgw.id)

    hub = aws.ec2.Vpc("hub", cidr_block="10.100.0.0/24")
    aws.ec2.DefaultSecurityGroup("hub-default-sg", vpc_id=hub.id)
    igw = aws.ec2.InternetGateway("hub-igw", vpc_id=hub.id)
    public, public_rt = _subnet_with_table("hub-public", hub, "10.100.0.0/28",
                                           [aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=igw.id)])
    nat = aws.ec2.NatGateway("hub-nat", subnet_id=public.id, allocation_id=aws.ec2.Eip("hub-nat-ip", domain="vpc").id)
    tgw_subnet, tgw_subnet_rt = _subnet_with_table("hub-tgw", hub, "10.100.0.16/28", [])
    hub_att = aws.ec2transitgateway.VpcAttachment("hub-att", transit_gateway_id=tgw.id, vpc_id=hub.id,
                                                  subnet_ids=[tgw_subnet.id],
                                                  transit_gateway_default_route_table_association=False,
                                                  transit_gateway_default_route_table_propagation=False)
    aws.ec2transitgateway.RouteTableAssociation("hub-assoc", transit_gateway_attachment_id=hub_att.id,
                                                transit_gateway_route_table_id=hub_rt.id)
    aws.ec2transitgateway.Route("spokes-to-hub", destination_cidr_block="0.0.0.0/0",
                                transit_gateway_attachment_id=hub_att.id, transit_gateway_route_table_id=spoke_rt.id)
    aws.ec2.Route("public-to-spokes", route_table_id=public_rt.id, destination_cidr_block="10.0.0.0/8",
                  transit_gateway_id=tgw.id)
    if firewall:
        fw_subnet, _ = _subnet_with_table("hub-firewall", hub, "10.100.0.32/28",
                                          [aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", nat_gateway_id=nat.id)])
        fw = nfw.Firewall("hub-fw", name="hub-fw", vpc_id=hub.id, firewall_policy_arn=_firewall_policy().arn,
                          subnet_mappings=[nfw.FirewallSubnetMappingArgs(subnet_id=fw_subnet.id)])
        endpoint = fw.firewall_statuses.apply(lambda s: s[0].sync_states[0].attachments[0].endpoint_id)
        aws.ec2.Route("hub-tgw-to-firewall", route_table_id=tgw_subnet_rt.id, destination_cidr_block="0.0.0.0/0",
                      vpc_endpoint_id=endpoint)
    else:
        aws.ec2.Route("hub-tgw-to-nat", route_table_id=tgw_subnet_rt.id, destination_cidr_block="0.0.0.0/0",
                      nat_gateway_id=nat.id)

    for i, cidr in enumerate(("10.0.0.0/16", "10.1.0.0/16"), start=1):
        vpc = aws.ec2.Vpc(f"spoke{i}", cidr_block=cidr)
        aws.ec2.DefaultSecurityGroup(f"spoke{i}-default-sg", vpc_id=vpc.id)
        private, private_rt = _subnet_with_table(f"spoke{i}-private", vpc, cidr.replace("0.0/16", "0.0/24"), [])
        attach_subnet, _ = _subnet_with_table(f"spoke{i}-tgw", vpc, cidr.replace("0.0/16", "1.0/28"), [])
        att = aws.ec2transitgateway.VpcAttachment(f"spoke{i}-att", transit_gateway_id=tgw.id, vpc_id=vpc.id,
                                                  subnet_ids=[attach_subnet.id],
                                                  transit_gateway_default_route_table_association=False,
                                                  transit_gateway_default_route_table_propagation=False)
        aws.ec2transitgateway.RouteTableAssociation(f"spoke{i}-assoc", transit_gateway_attachment_id=att.id,
                                                    transit_gateway_route_table_id=spoke_rt.id)
        aws.ec2transitgateway.RouteTablePropagation(f"spoke{i}-to-hub", transit_gateway_attachment_id=att.id,
                                                    transit_gateway_route_table_id=hub_rt.id)
        aws.ec2.Route(f"spoke{i}-default", route_table_id=private_rt.id, destination_cidr_block="0.0.0.0/0",
                      transit_gateway_id=tgw.id)
        endpoint_sg = aws.ec2.SecurityGroup(f"spoke{i}-endpoint-sg", vpc_id=vpc.id, ingress=[
            aws.ec2.SecurityGroupIngressArgs(protocol="-1", from_port=0, to_port=0, cidr_blocks=["0.0.0.0/0"])])
        aws.ec2.VpcEndpoint(f"spoke{i}-ssm", vpc_id=vpc.id, service_name="com.amazonaws.us-east-2.ssm",
                            vpc_endpoint_type="Interface", subnet_ids=[private.id], security_group_ids=[endpoint_sg.id])
        workload_sg = aws.ec2.SecurityGroup(f"spoke{i}-workload-sg", vpc_id=vpc.id, egress=[
            aws.ec2.SecurityGroupEgressArgs(protocol="-1", from_port=0, to_port=0, cidr_blocks=["0.0.0.0/0"])])
        aws.ec2.NetworkInterface(f"spoke{i}-workload", subnet_id=private.id, security_groups=[workload_sg.id])


def test_hub_and_spoke_without_its_firewall_lets_each_spoke_send_to_the_parent(pack):
    """One violation per spoke subnet that holds a workload (untagged: judged as data), its egress path through
    the transit gateway and the hub's NAT gateway; nothing on the transit-gateway route, the endpoint groups
    (no path delivers their ingress) or the hub's subnets (nothing there carries a group)."""
    program = lambda: hub_and_spoke(firewall=False)  # noqa: E731
    urns, messages = flagged(program, pack, REACH, with_messages=True)
    assert urns == {urn_of(SUBNET, "spoke1-private"), urn_of(SUBNET, "spoke2-private")}
    for message in messages:
        assert message.count("\n  - ") == 2  # the internet and the parent range, egress only
        assert "transit gateway route spokes-to-hub 0.0.0.0/0" in message and "nat-gateway 'hub-nat'" in message
        assert "(ingress)" not in message and "cannot be verified" not in message
    assert flagged(program, pack, INGRESS) == set()
    assert flagged(program, pack, EGRESS) == set()


def test_hub_and_spoke_with_its_firewall_has_no_path(pack):
    """The firewall drops everything but the handshake and TLS to allow-listed names: no path is left."""
    program = lambda: hub_and_spoke(firewall=True)  # noqa: E731
    for policy in NETWORK:
        assert flagged(program, pack, policy) == set(), policy


def web_tier(tier=None, ports=None, ssh=False):
    """A web subnet behind an internet gateway, an instance carrying a web group open on 80 and 443 (and SSH when
    ``ssh``), and the VPC's default group managed with an all-open rule that nothing carries."""
    vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
    aws.ec2.DefaultSecurityGroup("default-sg", vpc_id=vpc.id, ingress=[aws.ec2.DefaultSecurityGroupIngressArgs(
        protocol="-1", from_port=0, to_port=0, cidr_blocks=["0.0.0.0/0"])])
    igw = aws.ec2.InternetGateway("igw", vpc_id=vpc.id)
    tags = {**({"residency-tier": tier} if tier else {}), **({"residency-public-ports": ports} if ports else {})}
    subnet, _ = _subnet_with_table("web", vpc, "10.0.1.0/24",
                                   [aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=igw.id)], tags or None)
    ingress = [aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=p, to_port=p, cidr_blocks=["0.0.0.0/0"])
               for p in (80, 443, *((22,) if ssh else ()))]
    group = aws.ec2.SecurityGroup("web-sg", vpc_id=vpc.id, ingress=ingress)
    aws.ec2.Instance("web-server", ami="ami-0123456789abcdef0", instance_type="t3.micro", subnet_id=subnet.id,
                     vpc_security_group_ids=[group.id])


def test_untagged_web_tier_is_one_finding_on_its_subnet_saying_how_to_tag_it(pack):
    urns, messages = flagged(web_tier, pack, REACH, with_messages=True)
    assert urns == {urn_of(SUBNET, "web")}
    (message,) = messages
    assert "no residency-tier tag" in message and '"residency-tier": "public"' in message
    # The unused default group (open to everything) governs nothing: it is in no path.
    assert "default-sg" not in message
    assert flagged(web_tier, pack, INGRESS) == set()  # the subnet's paths are network-reachability's, once
    assert flagged(web_tier, pack, EGRESS) == set()


def test_declared_public_tier_serves_its_ports_without_a_finding(pack):
    program = lambda: web_tier(tier="public")  # noqa: E731
    for policy in NETWORK:
        assert flagged(program, pack, policy) == set(), policy


def test_public_tier_admitting_an_undeclared_port_is_flagged_on_that_rule(pack):
    program = lambda: web_tier(tier="public", ssh=True)  # noqa: E731
    urns, messages = flagged(program, pack, INGRESS, with_messages=True)
    assert urns == {urn_of(SG, "web-sg")}
    (message,) = messages
    assert "on tcp 22 (web-sg.ingress[2].cidrBlocks[0])" in message
    assert "ingress[0]" not in message and "ingress[1]" not in message  # 80 and 443 are its declared ports
    assert flagged(program, pack, REACH) == set()
    # Declaring only 443 makes port 80 a finding too.
    urns, messages = flagged(lambda: web_tier(tier="public", ports="443"), pack, INGRESS, with_messages=True)
    assert urns == {urn_of(SG, "web-sg")} and "on tcp 80 (web-sg.ingress[0].cidrBlocks[0])" in messages[0]


def test_an_internal_tier_facing_the_internet_is_flagged(pack):
    urns, messages = flagged(lambda: web_tier(tier="app"), pack, INGRESS, with_messages=True)
    assert urns == {urn_of(SG, "web-sg")}
    assert "app-tier subnet 'web'" in messages[0]


def test_management_tier_is_protected_inbound(pack):
    program = lambda: web_tier(tier="management")  # noqa: E731
    urns, messages = flagged(program, pack, REACH, with_messages=True)
    assert urns == {urn_of(SUBNET, "web")}
    assert "management-tier subnet 'web'" in messages[0] and "(egress)" not in messages[0]
    assert flagged(program, pack, INGRESS) == set()


def carried_outside_the_stack(carriers):
    """A web group in a VPC of another stack, carried by resources whose subnets this stack does not create."""
    group = aws.ec2.SecurityGroup("web-sg", vpc_id="vpc-0123456789abcdef0", ingress=[aws.ec2.SecurityGroupIngressArgs(
        protocol="tcp", from_port=80, to_port=80, cidr_blocks=["0.0.0.0/0"])])
    aws.lb.LoadBalancer("app-lb", subnets=["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"],
                        security_groups=[group.id])
    if carriers > 1:
        aws.ec2.Instance("app-server", ami="ami-0123456789abcdef0", instance_type="t3.micro",
                         subnet_id="subnet-0aaaaaaaaaaaaaaaa", vpc_security_group_ids=[group.id])


def test_carriers_outside_the_stack_are_named_in_one_sentence(pack):
    one = flagged(lambda: carried_outside_the_stack(1), pack, INGRESS, with_messages=True)[1][0]
    assert one.split("\n", 1)[1].startswith("cannot be verified at preview: web-sg is carried by app-lb, which sits in subnets this "
                          "stack does not create (app-lb.subnets[0], app-lb.subnets[1]: the account's default VPC, or "
                          "a lookup), so the tier of those subnets and what lies on their paths cannot be seen. ")
    assert "admits 0.0.0.0/0 on tcp 80 (web-sg.ingress[0].cidrBlocks[0])" in one
    two = flagged(lambda: carried_outside_the_stack(2), pack, INGRESS, with_messages=True)[1][0]
    assert "web-sg is carried by app-lb and app-server, which sit in subnets this stack does not create" in two


def test_web_tier_program_flags_and_passes_exact_sets(pack):
    """Checkov-style: the resources network-reachability judged and passed, beside those it flagged."""
    assert judged(web_tier, pack, REACH) == Judged(
        flagged={
            urn_of("aws:ec2/subnet:Subnet", "web"),
        },
        passed={
            urn_of("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "default-sg"),
            urn_of("aws:ec2/internetGateway:InternetGateway", "igw"),
            urn_of("aws:ec2/routeTable:RouteTable", "web-rt"),
            urn_of("aws:ec2/routeTableAssociation:RouteTableAssociation", "web-rta"),
            urn_of("aws:ec2/securityGroup:SecurityGroup", "web-sg"),
            urn_of("aws:ec2/vpc:Vpc", "vpc"),
        },
    )
