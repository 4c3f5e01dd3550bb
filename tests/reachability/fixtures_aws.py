"""Pulumi programs (raw pulumi_aws resources) for the ways a path to an AWS data-tier subnet can be assembled.

A security group governs only the interfaces that carry it, so each program places one (an ENI, as any
instance, database or function would) carrying its groups in the data subnet.

Addresses: VPC 10.0.0.0/16, data subnet 10.0.1.0/24; the parent company is 203.0.113.0/24 and
2001:db8:bad::/48 (policies/residency.yaml), its AWS account 999999999999 is not used by these programs
(peering names the owner literally). Every program manages the VPC's default security group with no rules,
as a hardened account does; otherwise AWS's default group (all egress) would count for every subnet.
"""

from __future__ import annotations

import pulumi_aws as aws

PARENT = "203.0.113.0/24"
PARENT_ACCOUNT = "999999999999"
US_RANGE = "198.51.100.0/24"  # an unrelated US range (TEST-NET-2)
DATA = {"residency-tier": "data"}


def vpc(name: str = "vpc", cidr: str = "10.0.0.0/16", harden_default_sg: bool = True) -> aws.ec2.Vpc:
    net = aws.ec2.Vpc(name, cidr_block=cidr)
    if harden_default_sg:
        aws.ec2.DefaultSecurityGroup(f"{name}-default-sg", vpc_id=net.id)
    return net


def subnet(name, net, cidr="10.0.1.0/24", tags=None) -> aws.ec2.Subnet:
    return aws.ec2.Subnet(name, vpc_id=net.id, cidr_block=cidr, tags=DATA if tags is None else tags)


def route_table(name, net, subnets, routes) -> aws.ec2.RouteTable:
    rt = aws.ec2.RouteTable(name, vpc_id=net.id, routes=routes)
    for i, s in enumerate(subnets):
        aws.ec2.RouteTableAssociation(f"{name}-assoc-{i}", route_table_id=rt.id, subnet_id=s.id)
    return rt


def security_group(name, net, ingress_cidrs=("0.0.0.0/0",), egress_cidrs=("10.0.0.0/16",)) -> aws.ec2.SecurityGroup:
    return aws.ec2.SecurityGroup(
        name,
        vpc_id=net.id,
        ingress=[aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=443, to_port=443, cidr_blocks=list(ingress_cidrs))],
        egress=[aws.ec2.SecurityGroupEgressArgs(protocol="-1", from_port=0, to_port=0, cidr_blocks=list(egress_cidrs))],
    )


def workload(name, where, *groups) -> aws.ec2.NetworkInterface:
    """An interface in subnet ``where`` carrying ``groups`` (none: the VPC's default security group)."""
    return aws.ec2.NetworkInterface(name, subnet_id=where.id, security_groups=[g.id for g in groups] or None)


def igw_open_security_group(ingress_cidrs=("0.0.0.0/0",)):
    """IGW + 0.0.0.0/0 route + a security group admitting ``ingress_cidrs`` on 443, in the data subnet's VPC."""
    net = vpc()
    data = subnet("data", net)
    igw = aws.ec2.InternetGateway("igw", vpc_id=net.id)
    route_table("rt-data", net, [data], [aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=igw.id)])
    workload("app", data, security_group("sg-web", net, ingress_cidrs=ingress_cidrs))


def peering_to_parent_account():
    """The parent range routed to a VPC peering connection into the parent's account; a NACL allows it."""
    net = vpc()
    data = subnet("data", net)
    pcx = aws.ec2.VpcPeeringConnection("pcx-parent", vpc_id=net.id, peer_vpc_id="vpc-0aaaabbbbccccdddd", peer_owner_id=PARENT_ACCOUNT)
    aws.ec2.Route("to-parent", route_table_id=route_table("rt-data", net, [data], []).id, destination_cidr_block=PARENT,
                  vpc_peering_connection_id=pcx.id)  # fmt: skip
    aws.ec2.NetworkAcl(
        "nacl-data", vpc_id=net.id, subnet_ids=[data.id],
        ingress=[aws.ec2.NetworkAclIngressArgs(rule_no=100, action="allow", protocol="tcp", from_port=443, to_port=443, cidr_block=PARENT)],
        egress=[aws.ec2.NetworkAclEgressArgs(rule_no=100, action="allow", protocol="-1", from_port=0, to_port=0, cidr_block="10.0.0.0/16")],
    )  # fmt: skip
    workload("db", data, security_group("sg-db", net, ingress_cidrs=[PARENT]))


def nacl_deny_first(deny_rule_no: int = 50):
    """The open IGW path of ``igw_open_security_group`` behind a NACL: deny all (rule ``deny_rule_no``) before
    allow all (rule 100)."""
    net = vpc()
    data = subnet("data", net)
    igw = aws.ec2.InternetGateway("igw", vpc_id=net.id)
    route_table("rt-data", net, [data], [aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=igw.id)])
    workload("app", data, security_group("sg-web", net))
    nacl = aws.ec2.NetworkAcl("nacl-data", vpc_id=net.id)
    aws.ec2.NetworkAclAssociation("nacl-data-assoc", network_acl_id=nacl.id, subnet_id=data.id)
    for number, action in ((deny_rule_no, "deny"), (100, "allow")):
        aws.ec2.NetworkAclRule(
            f"nacl-in-{number}", network_acl_id=nacl.id, rule_number=number, egress=False, protocol="-1",
            rule_action=action, cidr_block="0.0.0.0/0",
        )  # fmt: skip


def unknown_cidr_in_security_group_rule():
    """An ingress rule admitting a partner's NAT address, an Elastic IP's output: unknown at preview."""
    net = vpc()
    data = subnet("data", net)
    igw = aws.ec2.InternetGateway("igw", vpc_id=net.id)
    route_table("rt-data", net, [data], [aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=igw.id)])
    partner = aws.ec2.Eip("partner-eip", domain="vpc")
    sg = security_group("sg-db", net, ingress_cidrs=["10.0.0.0/16"])
    workload("db", data, sg)
    aws.vpc.SecurityGroupIngressRule(
        "sg-db-from-partner", security_group_id=sg.id, ip_protocol="tcp", from_port=5432, to_port=5432,
        cidr_ipv4=partner.public_ip.apply(lambda ip: f"{ip}/32"),
    )  # fmt: skip


def private_subnet_nat_only():
    """A private data subnet whose only route out is a NAT gateway in a public subnet: nothing gets in."""
    net = vpc()
    data = subnet("data", net)
    public = subnet("public", net, cidr="10.0.0.0/24", tags={"residency-tier": "management"})
    igw = aws.ec2.InternetGateway("igw", vpc_id=net.id)
    route_table("rt-public", net, [public], [aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=igw.id)])
    eip = aws.ec2.Eip("nat-eip", domain="vpc")
    nat = aws.ec2.NatGateway("nat", subnet_id=public.id, allocation_id=eip.id)
    route_table("rt-data", net, [data], [aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", nat_gateway_id=nat.id)])
    workload("app", data, security_group("sg-app", net, ingress_cidrs=["0.0.0.0/0"]))


def egress_to_parent_through_igw():
    """No inbound rule from outside, but an egress rule to the parent range and a default route to the IGW."""
    net = vpc()
    data = subnet("data", net)
    igw = aws.ec2.InternetGateway("igw", vpc_id=net.id)
    route_table("rt-data", net, [data], [aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=igw.id)])
    workload("db", data, security_group("sg-db", net, ingress_cidrs=["10.0.0.0/16"], egress_cidrs=[PARENT]))
