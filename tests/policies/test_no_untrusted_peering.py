"""no-untrusted-peering through the analyzer protocol: raw OCI/AWS programs, exact flagged URNs."""

import pulumi
import pulumi_aws as aws
import pulumi_oci as oci

from residency_rules_programs import Judged, aws_provider, flagged, judged, oci_provider, urn_of

POLICY = "no-untrusted-peering"
COMP = "ocid1.compartment.oc1..aaaaaaaacompartment"
ESTATE_ACCOUNT = "222222222222"  # estate.awsAccountIds of the illustrative rules
OTHER_ACCOUNT = "333333333333"  # neither estate, trusted nor parent


def compliant():
    o = pulumi.ResourceOptions(provider=oci_provider())
    ao = pulumi.ResourceOptions(provider=aws_provider())
    vcn = oci.core.Vcn("vcn", compartment_id=COMP, cidr_blocks=["10.0.0.0/16"], opts=o)
    drg = oci.core.Drg("drg", compartment_id=COMP, opts=o)
    oci.core.DrgAttachment("drg-own-vcn", drg_id=drg.id, network_details=oci.core.DrgAttachmentNetworkDetailsArgs(
        id=vcn.id, type="VCN"), opts=o)
    a = oci.core.RemotePeeringConnection("rpc-a", compartment_id=COMP, drg_id=drg.id, opts=o)
    oci.core.RemotePeeringConnection("rpc-b", compartment_id=COMP, drg_id=drg.id, peer_id=a.id,
                                     peer_region_name="us-ashburn-1", opts=o)
    oci.core.Cpe("cpe-ok", compartment_id=COMP, ip_address="198.51.100.1", opts=o)
    req = aws.ec2.VpcPeeringConnection("pcx-trusted", vpc_id="vpc-1", peer_vpc_id="vpc-2",
                                       peer_owner_id="111111111111", opts=ao)
    aws.ec2.VpcPeeringConnectionAccepter("accept-own", vpc_peering_connection_id=req.id, auto_accept=True, opts=ao)
    aws.ec2.VpcEndpoint("s3-endpoint", vpc_id="vpc-1", service_name="com.amazonaws.us-east-2.s3", opts=ao)
    # Peering, sharing and endpoint access inside the estate's own account.
    aws.ec2.VpcPeeringConnection("pcx-estate", vpc_id="vpc-1", peer_vpc_id="vpc-3", peer_owner_id=ESTATE_ACCOUNT,
                                 opts=ao)
    aws.ec2transitgateway.PeeringAttachment("tgw-estate", transit_gateway_id="tgw-1", peer_transit_gateway_id="tgw-3",
                                            peer_region="us-west-2", peer_account_id=ESTATE_ACCOUNT, opts=ao)
    aws.ram.PrincipalAssociation("ram-estate", resource_share_arn="arn:aws:ram:us-east-2:1:resource-share/y",
                                 principal=ESTATE_ACCOUNT, opts=ao)
    aws.ec2.VpcEndpointServiceAllowedPrinciple("endpoint-estate", vpc_endpoint_service_id="vpce-svc-1",
                                               principal_arn=f"arn:aws:iam::{ESTATE_ACCOUNT}:root", opts=ao)


def violating():
    o = pulumi.ResourceOptions(provider=oci_provider())
    ao = pulumi.ResourceOptions(provider=aws_provider())
    oci.core.Cpe("cpe-parent", compartment_id=COMP, ip_address="203.0.113.10", opts=o)
    aws.ec2.VpcPeeringConnection("pcx-parent", vpc_id="vpc-1", peer_vpc_id="vpc-2", peer_owner_id="999999999999",
                                 opts=ao)
    aws.ec2transitgateway.PeeringAttachment("tgw-unlisted", transit_gateway_id="tgw-1", peer_transit_gateway_id="tgw-2",
                                            peer_region="us-west-2", peer_account_id=OTHER_ACCOUNT, opts=ao)
    aws.ram.PrincipalAssociation("ram-parent-org", resource_share_arn="arn:aws:ram:us-east-2:1:resource-share/x",
                                 principal="arn:aws:organizations::999999999999:organization/o-parentexample1", opts=ao)
    aws.ec2.VpcEndpointService("endpoint-service-star", acceptance_required=False, allowed_principals=["*"],
                               network_load_balancer_arns=["arn:aws:elasticloadbalancing:us-east-2:1:lb/x"], opts=ao)
    aws.ec2.CustomerGateway("cgw-parent", bgp_asn="65000", ip_address="203.0.113.20", type="ipsec.1", opts=ao)


def unknown_at_preview():
    o = pulumi.ResourceOptions(provider=oci_provider())
    ao = pulumi.ResourceOptions(provider=aws_provider())
    oci.core.RemotePeeringConnection("rpc-foreign", compartment_id=COMP, drg_id="ocid1.drg.oc1..d",
                                     peer_id="ocid1.remotepeeringconnection.oc1.iad.aaaa", peer_region_name="us-ashburn-1",
                                     opts=o)
    oci.core.LocalPeeringGateway("lpg-foreign", compartment_id=COMP, vcn_id="ocid1.vcn.oc1..v",
                                 peer_id="ocid1.localpeeringgateway.oc1.phx.bbbb", opts=o)
    oci.core.DrgAttachment("drg-foreign-vcn", drg_id="ocid1.drg.oc1..d", vcn_id="ocid1.vcn.oc1.phx.foreign", opts=o)
    aws.ec2.VpcPeeringConnectionAccepter("accept-foreign", vpc_peering_connection_id="pcx-0abc", auto_accept=True,
                                         opts=ao)
    aws.ec2.VpcEndpoint("third-party", vpc_id="vpc-1", service_name="com.amazonaws.vpce.us-east-2.vpce-svc-0abc",
                        vpc_endpoint_type="Interface", opts=ao)


def test_compliant_program_is_not_flagged(pack):
    assert flagged(compliant, pack, POLICY) == set()


def test_every_untrusted_peer_is_flagged(pack):
    assert flagged(violating, pack, POLICY) == {urn_of(t, n) for t, n in [
        ("oci:Core/cpe:Cpe", "cpe-parent"),
        ("aws:ec2/vpcPeeringConnection:VpcPeeringConnection", "pcx-parent"),
        ("aws:ec2transitgateway/peeringAttachment:PeeringAttachment", "tgw-unlisted"),
        ("aws:ram/principalAssociation:PrincipalAssociation", "ram-parent-org"),
        ("aws:ec2/vpcEndpointService:VpcEndpointService", "endpoint-service-star"),
        ("aws:ec2/customerGateway:CustomerGateway", "cgw-parent"),
    ]}


def test_peers_outside_the_stack_cannot_be_verified(pack):
    urns, messages = flagged(unknown_at_preview, pack, POLICY, with_messages=True)
    assert urns == {urn_of(t, n) for t, n in [
        ("oci:Core/remotePeeringConnection:RemotePeeringConnection", "rpc-foreign"),
        ("oci:Core/localPeeringGateway:LocalPeeringGateway", "lpg-foreign"),
        ("oci:Core/drgAttachment:DrgAttachment", "drg-foreign-vcn"),
        ("aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter", "accept-foreign"),
        ("aws:ec2/vpcEndpoint:VpcEndpoint", "third-party"),
    ]}
    assert all("cannot be verified at preview" in m for m in messages)


def unknown_peer_values():
    """Peer identities wired from outputs of resources created in the same run: unknown at preview."""
    o = pulumi.ResourceOptions(provider=oci_provider())
    ao = pulumi.ResourceOptions(provider=aws_provider())
    other_vpc = aws.ec2.Vpc("other-vpc", cidr_block="10.9.0.0/16", opts=ao)
    aws.ec2.VpcPeeringConnection("pcx-unknown-owner", vpc_id="vpc-1", peer_vpc_id=other_vpc.id,
                                 peer_owner_id=other_vpc.owner_id, opts=ao)
    other_gateway = aws.ec2transitgateway.TransitGateway("other-tgw", opts=ao)
    aws.ec2transitgateway.PeeringAttachment("tgw-unknown-account", transit_gateway_id="tgw-1",
                                            peer_transit_gateway_id=other_gateway.id, peer_region="us-west-2",
                                            peer_account_id=other_gateway.owner_id, opts=ao)
    cpe_address = oci.core.PublicIp("cpe-address", compartment_id=COMP, lifetime="RESERVED", opts=o)
    oci.core.Cpe("cpe-unknown-address", compartment_id=COMP, ip_address=cpe_address.ip_address, opts=o)


def test_unknown_peer_identities_fail_closed(pack):
    urns, messages = flagged(unknown_peer_values, pack, POLICY, with_messages=True)
    assert urns == {urn_of(t, n) for t, n in [
        ("aws:ec2/vpcPeeringConnection:VpcPeeringConnection", "pcx-unknown-owner"),
        ("aws:ec2transitgateway/peeringAttachment:PeeringAttachment", "tgw-unknown-account"),
        ("oci:Core/cpe:Cpe", "cpe-unknown-address"),
    ]}
    assert all("cannot be verified at preview" in m for m in messages)


def test_compliant_program_flags_and_passes_exact_sets(pack):
    """Checkov-style: the resources no-untrusted-peering judged and passed, beside those it flagged."""
    assert judged(compliant, pack, POLICY) == Judged(
        flagged=set(),
        passed={
            urn_of("aws:ec2/vpcEndpoint:VpcEndpoint", "s3-endpoint"),
            urn_of("aws:ec2/vpcEndpointServiceAllowedPrinciple:VpcEndpointServiceAllowedPrinciple", "endpoint-estate"),
            urn_of("aws:ec2/vpcPeeringConnection:VpcPeeringConnection", "pcx-estate"),
            urn_of("aws:ec2/vpcPeeringConnection:VpcPeeringConnection", "pcx-trusted"),
            urn_of("aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter", "accept-own"),
            urn_of("aws:ec2transitgateway/peeringAttachment:PeeringAttachment", "tgw-estate"),
            urn_of("aws:ram/principalAssociation:PrincipalAssociation", "ram-estate"),
            urn_of("oci:Core/cpe:Cpe", "cpe-ok"),
            urn_of("oci:Core/drgAttachment:DrgAttachment", "drg-own-vcn"),
            urn_of("oci:Core/remotePeeringConnection:RemotePeeringConnection", "rpc-a"),
            urn_of("oci:Core/remotePeeringConnection:RemotePeeringConnection", "rpc-b"),
        },
    )


def test_violating_program_flags_and_passes_exact_sets(pack):
    """Checkov-style: beside every resource flagged, those the policy judged and passed."""
    assert judged(violating, pack, POLICY) == Judged(
        flagged={
            urn_of("aws:ec2/customerGateway:CustomerGateway", "cgw-parent"),
            urn_of("aws:ec2/vpcEndpointService:VpcEndpointService", "endpoint-service-star"),
            urn_of("aws:ec2/vpcPeeringConnection:VpcPeeringConnection", "pcx-parent"),
            urn_of("aws:ec2transitgateway/peeringAttachment:PeeringAttachment", "tgw-unlisted"),
            urn_of("aws:ram/principalAssociation:PrincipalAssociation", "ram-parent-org"),
            urn_of("oci:Core/cpe:Cpe", "cpe-parent"),
        },
        passed=set(),
    )
