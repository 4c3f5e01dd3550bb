"""no-untrusted-peering: no peering, attachment, share or VPN reaches a party that is not trusted.

The estate's own AWS accounts (``estate.awsAccountIds``: VPC peering inside the estate) and the trusted
parties' may be peered with; a parent-company account never is.

OCI: remote peering connections, local peering gateways, DRG attachments (and attachment management),
FastConnect virtual circuits' remote account, CPEs in a parent-company range. OCI peer OCIDs do not
encode a tenancy, so a peer is accepted only when it is created in this stack (the engine's
propertyDependencies say so at preview and at update alike); any other peer cannot be verified.
AWS: VPC peering (peerOwnerId), transit-gateway peering (peerAccountId), acceptors of peering/attachments
(only for requests created in this stack), RAM principal associations and accepted shares, PrivateLink
endpoint services' allowed principals and endpoints to third-party services, Direct Connect hosted
interfaces and gateway associations, customer gateways in a parent-company range.

Peer accounts and VPN peer addresses are judged per resource, before anything is created; peers, shares
and services that are acceptable only when created in this stack are judged over the stack.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from residency_policies.analysis import aws_principals as ap
from residency_policies.analysis import cidrs
from residency_policies.compliance import RESIDENCY
from residency_policies.framework import Finding, ResourceView, resource_policy
from residency_policies.rules_file import Rules
from residency_policies.values import is_unknown

VCNS = ("oci:Core/vcn:Vcn", "oci:Core/virtualNetwork:VirtualNetwork")
DRG_NETWORKS = VCNS + ("oci:Core/remotePeeringConnection:RemotePeeringConnection", "oci:Core/ipsec:Ipsec",
                       "oci:Core/virtualCircuit:VirtualCircuit", "oci:Core/ipsecConnectionTunnelManagement:IpsecConnectionTunnelManagement")

# type -> (input key, in-stack types that make the peer our own, what the peer is)
IN_STACK_PEERS: dict[str, list[tuple[str, tuple[str, ...], str]]] = {
    "oci:Core/remotePeeringConnection:RemotePeeringConnection":
        [("peerId", ("oci:Core/remotePeeringConnection:RemotePeeringConnection",), "peer remote peering connection")],
    "oci:Core/localPeeringGateway:LocalPeeringGateway":
        [("peerId", ("oci:Core/localPeeringGateway:LocalPeeringGateway",), "peer local peering gateway")],
    "oci:Core/drgAttachment:DrgAttachment":
        [("vcnId", VCNS, "attached VCN"), ("networkDetails", DRG_NETWORKS, "attached network")],
    "oci:Core/drgAttachmentManagement:DrgAttachmentManagement":
        [("networkId", DRG_NETWORKS, "attached network"), ("networkDetails", DRG_NETWORKS, "attached network")],
    "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter":
        [("vpcPeeringConnectionId", ("aws:ec2/vpcPeeringConnection:VpcPeeringConnection",), "peering request")],
    "aws:ec2transitgateway/peeringAttachmentAccepter:PeeringAttachmentAccepter":
        [("transitGatewayAttachmentId", ("aws:ec2transitgateway/peeringAttachment:PeeringAttachment",),
          "transit gateway peering request")],
    "aws:ec2transitgateway/vpcAttachmentAccepter:VpcAttachmentAccepter":
        [("transitGatewayAttachmentId", ("aws:ec2transitgateway/vpcAttachment:VpcAttachment",),
          "transit gateway VPC attachment")],
}

# type -> input keys naming the AWS account on the other side (absent = this account)
PEER_ACCOUNTS: dict[str, tuple[str, ...]] = {
    "aws:ec2/vpcPeeringConnection:VpcPeeringConnection": ("peerOwnerId",),
    "aws:ec2transitgateway/peeringAttachment:PeeringAttachment": ("peerAccountId",),
    "aws:directconnect/hostedConnection:HostedConnection": ("ownerAccountId",),
    "aws:directconnect/hostedPrivateVirtualInterface:HostedPrivateVirtualInterface": ("ownerAccountId",),
    "aws:directconnect/hostedPublicVirtualInterface:HostedPublicVirtualInterface": ("ownerAccountId",),
    "aws:directconnect/hostedTransitVirtualInterface:HostedTransitVirtualInterface": ("ownerAccountId",),
    "aws:directconnect/gatewayAssociationProposal:GatewayAssociationProposal": ("dxGatewayOwnerAccountId",),
    "aws:directconnect/gatewayAssociation:GatewayAssociation": ("associatedGatewayOwnerAccountId",),
    "aws:ram/principalAssociation:PrincipalAssociation": ("principal",),
    "aws:ram/resourceShareAssociationsExclusive:ResourceShareAssociationsExclusive": ("principals",),
    "aws:ec2/vpcEndpointService:VpcEndpointService": ("allowedPrincipals",),
    "aws:ec2/vpcEndpointServiceAllowedPrinciple:VpcEndpointServiceAllowedPrinciple": ("principalArn",),
    "oci:Core/virtualCircuit:VirtualCircuit": ("remoteAccountId",),
}

GATEWAY_ADDRESSES = {"oci:Core/cpe:Cpe": "ipAddress", "aws:ec2/customerGateway:CustomerGateway": "ipAddress"}


def _deps(view: ResourceView, key: str, by_urn: dict[str, ResourceView], types: tuple[str, ...]) -> bool:
    return any(u in by_urn and by_urn[u].type in types for u in (view.property_dependencies or {}).get(key, ()))


def _in_stack_peers(view, by_urn) -> Iterator[Finding]:
    for key, types, what in IN_STACK_PEERS.get(view.type, []):
        value = view.props.get(key)
        if isinstance(value, dict):  # networkDetails: {type, id}
            value = value.get("id")
        if value is None or value == "":
            continue
        if _deps(view, key, by_urn, types):
            continue
        shown = "is not known at preview" if is_unknown(value) else f"{value!r}"
        yield Finding(f"the {what} ({key}) {shown} and is not created in this stack, so the tenancy or account "
                      "it belongs to cannot be verified; create both sides in the stack", view.urn,
                      unverifiable=True, path=key)


def _peer_accounts(view, trust: ap.Trust) -> Iterator[Finding]:
    for key in PEER_ACCOUNTS.get(view.type, ()):
        value = view.props.get(key)
        values = value if isinstance(value, list) else [value]
        for i, item in enumerate(values):
            if item is None or item == "":
                continue
            path = f"{key}[{i}]" if isinstance(value, list) else key
            verdict = ap.judge_principal(item, trust, path=path)
            if not verdict.ok:
                yield Finding(f"{path}: peers with or shares to a party that is not trusted: {verdict.message}",
                              view.urn, unverifiable=verdict.unverifiable, path=path)


def _share_accepter(view, by_urn, trust) -> Iterator[Finding]:
    arn = view.props.get("shareArn")
    if arn is None or _deps(view, "shareArn", by_urn, ("aws:ram/resourceShare:ResourceShare",)):
        return
    if is_unknown(arn):
        yield Finding("the accepted share's owner cannot be verified", view.urn, unverifiable=True, path="shareArn")
        return
    account = ap.account_of_arn(arn)
    verdict = ap.judge_principal(account or arn, trust, path="shareArn")
    if not verdict.ok:
        yield Finding(f"accepts a resource share owned by a party that is not trusted: {verdict.message}", view.urn,
                      path="shareArn")


def _endpoint(view, by_urn) -> Iterator[Finding]:
    name = view.props.get("serviceName")
    if _deps(view, "serviceName", by_urn, ("aws:ec2/vpcEndpointService:VpcEndpointService",)):
        return
    if is_unknown(name):
        yield Finding("the endpoint's service decides which party receives the traffic", view.urn,
                      unverifiable=True, path="serviceName")
    elif isinstance(name, str) and name.startswith("com.amazonaws.vpce."):
        yield Finding(f"connects to PrivateLink service {name!r}, which is not created in this stack, so its owner "
                      "cannot be verified", view.urn, unverifiable=True, path="serviceName")


def _gateway_address(view, rules: Rules) -> Iterator[Finding]:
    key = GATEWAY_ADDRESSES[view.type]
    verdict = cidrs.judge_range(view.props.get(key), rules.parent_cidrs)
    if verdict.kind == cidrs.OVERLAPS:
        yield Finding(f"the VPN peer address {verdict.value} is in parent-company range(s) "
                      + ", ".join(str(p) for p in verdict.parents), view.urn, path=key)
    elif verdict.kind == cidrs.UNKNOWN:
        yield Finding("the VPN peer address decides who the tunnel reaches", view.urn, unverifiable=True, path=key)


def check(view: ResourceView, rules: Rules) -> Iterator[Finding]:
    """What a resource states by itself (peer accounts, VPN peer addresses): refused before it is created."""
    if not isinstance(view.props, dict):
        return
    if view.type in PEER_ACCOUNTS:
        yield from _peer_accounts(view, ap.trust_of(rules))
    if view.type in GATEWAY_ADDRESSES:
        yield from _gateway_address(view, rules)


def check_stack(resources: Sequence[ResourceView], rules: Rules) -> Iterator[Finding]:
    """Peers, shares and services that are the estate's own only when the stack creates them."""
    by_urn = {r.urn: r for r in resources}
    trust = ap.trust_of(rules)
    for view in resources:
        if not isinstance(view.props, dict):
            continue
        if view.type in IN_STACK_PEERS:
            yield from _in_stack_peers(view, by_urn)
        if view.type == "aws:ram/resourceShareAccepter:ResourceShareAccepter":
            yield from _share_accepter(view, by_urn, trust)
        elif view.type == "aws:ec2/vpcEndpoint:VpcEndpoint":
            yield from _endpoint(view, by_urn)


# What either phase judges: what a resource states by itself, and what only the stack can clear.
JUDGED_TYPES = frozenset(PEER_ACCOUNTS) | frozenset(GATEWAY_ADDRESSES) | frozenset(IN_STACK_PEERS) | {
    "aws:ram/resourceShareAccepter:ResourceShareAccepter", "aws:ec2/vpcEndpoint:VpcEndpoint"}

POLICY = resource_policy(
    name="no-untrusted-peering",
    description="No peering connection, DRG attachment, transit-gateway peering, RAM share, PrivateLink or VPN "
                "reaches a tenancy, account or network that is neither the estate's own nor trusted.",
    severity="critical",
    remediation=(
        "Peer only with the estate's own accounts (`estate.awsAccountIds`) and parties in `trusted` (never a "
        "parent-company identifier): set AWS peer accounts to estate or trusted account IDs, create both sides of OCI "
        "peerings and DRG attachments in the stack, accept only requests and "
        "shares created in the stack, and keep VPN peers out of `parentCompany.cidrs`."
    ),
    tags=["network", "peering", "cross-tenancy", "residency"],
    framework=RESIDENCY.control("NET-3"),
    check=check,
    resource_types=JUDGED_TYPES,
    stack_check=check_stack,
)
