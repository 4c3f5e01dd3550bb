"""NetworkBoundary: an OCI network that the parent company cannot reach.

A VCN in the residency network compartment with three private tiers (data, app, management), a service
gateway to the region's Oracle Services Network, default-deny security lists and NSGs rendered from one
list of explicit allows (``network_flows``), a Bastion for the management tier, VCN flow logs, and, when
configured, an OCI Network Firewall that drops parent-company traffic both ways with the data tier routed
through it, a NAT gateway, an internet gateway for a non-data tier, and a DRG peered only with trusted
tenancies.

Every range the boundary allows, routes to or peers with is checked against the parent company's ranges
before anything is registered: overlap, not equality, so a supernet such as ``0.0.0.0/0`` is refused.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_oci as oci

from residency_kit.components.arg_problems import ArgProblems
from residency_kit.components.oci.network_flows import (
    TIERS,
    CidrPeer,
    Flow,
    FlowInputs,
    Peer,
    ServicesPeer,
    Tier,
    TierPeer,
    allowed_flows,
)
from residency_kit.settings.network import NetworkSettings, RemotePeeringSettings, VcnAttachmentSettings
from residency_policies.ip_ranges import Network, as_network, parent_overlap_issue

TYPE_TOKEN = "residency:oci:NetworkBoundary"
TIER_TAG = "residency-tier"
ROLE_TAG = "residency-role"
# The service whose CIDR label is all-<region key>-services-in-oracle-services-network: every regional
# Oracle service (Object Storage included) through one service gateway.
OSN_SERVICE_NAME_PATTERN = "All .* Services In Oracle Services Network"
FIREWALL_ADDRESS_LIST_PARENT = "parent-company"
FIREWALL_ADDRESS_LIST_VCN = "residency-vcn"
TCP = "6"
ALL_PROTOCOLS = "all"
ARGS = "NetworkBoundaryArgs"


@dataclass(frozen=True)
class NetworkBoundaryArgs:
    """Inputs of ``NetworkBoundary``. Only the provider, compartment, log group and the ranges are required."""

    provider: oci.Provider
    """Provider for the home region; every child and invoke uses it."""
    compartment_id: pulumi.Input[str]
    """The residency network compartment."""
    log_group_id: pulumi.Input[str] | None
    """The log group flow logs and firewall logs go to; it must be in the provider's region (OCI Logging is
    regional: a log cannot be written to another region's group). None creates one for this boundary, in its
    region, in ``log_compartment_id``: what a second boundary in another region (a DR VCN) needs."""
    operator_cidrs: Sequence[str | Network]
    """US operator ranges: the Bastion's client allow list, and allowed into the app tier."""
    parent_cidrs: Sequence[str | Network]
    """The parent company's ranges: never allowed, routed to or peered with; dropped by the firewall."""
    trusted_tenancy_ids: Sequence[str] = ()
    """Tenancies a DRG may peer with or attach networks of."""
    home_tenancy_id: str | None = None
    """The residency tenancy itself; its own networks may be attached to the DRG."""
    estate_tenancy_ids: Sequence[str] = ()
    """The estate's other tenancies (``residency:estate.ociTenancyIds``): the DRG may peer with them too."""
    required_tags: Mapping[str, str] = field(default_factory=lambda: {"jurisdiction": "US"})
    network: NetworkSettings = field(default_factory=NetworkSettings)
    log_compartment_id: pulumi.Input[str] | None = None
    """Compartment of the log group this boundary creates (``log_group_id=None``); None: ``compartment_id``."""
    dns_label: str = "residency"
    """The VCN's DNS label (1-15 letters and digits, starting with a letter)."""

    @classmethod
    def from_settings(cls, settings, *, provider: oci.Provider, compartment_id: pulumi.Input[str],
                      log_group_id: pulumi.Input[str] | None) -> NetworkBoundaryArgs:
        """Args of the home boundary from the validated ``ResidencySettings``."""
        return cls(
            provider=provider,
            compartment_id=compartment_id,
            log_group_id=log_group_id,
            operator_cidrs=tuple(settings.operator_cidrs),
            parent_cidrs=tuple(settings.parent_company.cidrs),
            trusted_tenancy_ids=tuple(settings.trusted.oci_tenancy_ids),
            home_tenancy_id=settings.tenancy.tenancy_ocid,
            estate_tenancy_ids=tuple(settings.estate.oci_tenancy_ids),
            required_tags=dict(settings.required_tags),
            network=settings.network,
        )

    @classmethod
    def dr_from_settings(cls, settings, *, provider: oci.Provider, compartment_id: pulumi.Input[str],
                         log_compartment_id: pulumi.Input[str]) -> NetworkBoundaryArgs:
        """Args of the DR boundary (``residency:drNetwork``) in the backup region: the home network's choices with
        the DR ranges and no DRG, and a log group of its own in that region."""
        home = cls.from_settings(settings, provider=provider, compartment_id=compartment_id, log_group_id=None)
        return dataclasses.replace(home, network=settings.dr_network.network_for(settings.network),
                                   log_compartment_id=log_compartment_id, dns_label="residencydr")


@dataclass(frozen=True)
class _DrgPeer:
    kind: str  # "rpc" or "vcn"
    name: str
    settings: RemotePeeringSettings | VcnAttachmentSettings


@dataclass(frozen=True)
class NetworkPlan:
    """The checked, parsed inputs the component builds from."""

    parents: tuple[Network, ...]
    operators: tuple[CidrPeer, ...]
    subnets: dict[str, ipaddress.IPv4Network]
    nat_cidrs: tuple[CidrPeer, ...]
    nat_tiers: tuple[Tier, ...]
    internet_cidrs: tuple[CidrPeer, ...]
    internet_tiers: tuple[Tier, ...]
    peer_cidrs: tuple[CidrPeer, ...]
    drg_peers: tuple[_DrgPeer, ...]
    flows: tuple[Flow, ...]


def _parse_all(values: Sequence[object], field_name: str, issues: ArgProblems) -> list[CidrPeer]:
    peers = []
    for i, value in enumerate(values):
        f = f"{field_name}[{i}]"
        try:
            peers.append(CidrPeer(as_network(value, f), f))
        except ValueError as exc:
            issues.add_line(str(exc))
    return peers


def plan_network(args: NetworkBoundaryArgs, name: str | None = None) -> NetworkPlan:
    """Check ``args`` and return the plan; a ``ComponentArgsError`` lists every refused field and value."""
    issues = ArgProblems(ARGS)
    net = args.network
    parents = tuple(p.cidr for p in _parse_all(args.parent_cidrs, f"{ARGS}.parent_cidrs", issues))
    if not args.parent_cidrs:
        issues.add_line(f"{ARGS}.parent_cidrs: () is empty; allowed: at least one parent-company CIDR to block")
    operators = _parse_all(args.operator_cidrs, f"{ARGS}.operator_cidrs", issues)

    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]{0,14}", str(args.dns_label)):
        issues.add("dns_label", args.dns_label, "is not a VCN DNS label", "1-15 letters and digits, starting with a letter")
    if not isinstance(args.provider, oci.Provider):
        issues.add("provider", type(args.provider).__name__, "is not an OCI provider",
                   "a pulumi_oci.Provider for the boundary's region")

    checked: list[CidrPeer] = list(operators)
    checked.append(CidrPeer(net.vcn_cidr, f"{ARGS}.network.vcn_cidr"))

    subnets = {tier: cidr for tier, cidr in net.subnet_cidrs().items()}
    for tier, cidr, other in net.subnet_layout_problems():
        where = f"is outside the VCN range {net.vcn_cidr}" if other is None else \
            f"overlaps {other}_subnet_cidr {subnets[other]}"
        issues.add_line(f"{ARGS}.network.{tier}_subnet_cidr: '{cidr}' {where}; allowed: disjoint subnets inside vcn_cidr")

    internet_tiers: list[Tier] = []
    for i, tier in enumerate(net.internet_gateway_tiers):
        if tier not in ("app", "management"):
            issues.add_line(f"{ARGS}.network.internet_gateway_tiers[{i}]: {tier!r} may not have an internet "
                          "gateway; allowed: 'app' or 'management' (the data tier never reaches the internet)")
        else:
            internet_tiers.append(tier)
    internet_cidrs = _parse_all(net.internet_route_cidrs, f"{ARGS}.network.internet_route_cidrs", issues)
    if internet_cidrs and not net.internet_gateway_tiers:
        issues.add_line(f"{ARGS}.network.internet_route_cidrs: {[str(c.cidr) for c in internet_cidrs]} are set but "
                      "internet_gateway_tiers is empty; allowed: name the tiers or remove the routes")
    nat_cidrs = _parse_all(net.nat_route_cidrs, f"{ARGS}.network.nat_route_cidrs", issues)
    if nat_cidrs and not net.enable_nat_gateway:
        issues.add_line(f"{ARGS}.network.nat_route_cidrs: {[str(c.cidr) for c in nat_cidrs]} are set but "
                      "enable_nat_gateway is false; allowed: enable the NAT gateway or remove the routes")
    checked += internet_cidrs + nat_cidrs

    trusted = set(args.trusted_tenancy_ids) | set(args.estate_tenancy_ids) | (
        {args.home_tenancy_id} if args.home_tenancy_id else set())
    drg = net.drg
    peer_cidrs: list[CidrPeer] = []
    drg_peers: list[_DrgPeer] = []
    if not drg.enabled and (drg.remote_peerings or drg.vcn_attachments):
        issues.add_line(f"{ARGS}.network.drg.enabled: False but peerings are configured; "
                      "allowed: enable the DRG or remove the peerings")
    for i, rpc in enumerate(drg.remote_peerings):
        f = f"{ARGS}.network.drg.remote_peerings[{i}]"
        if rpc.peer_tenancy_id not in trusted:
            issues.add_line(f"{f}.peer_tenancy_id: {rpc.peer_tenancy_id!r} is neither an estate nor a trusted tenancy; "
                          "allowed: the residency tenancy or one of estate_tenancy_ids or trusted_tenancy_ids")
        peer_cidrs += _parse_all(rpc.peer_cidrs, f"{f}.peer_cidrs", issues)
        drg_peers.append(_DrgPeer("rpc", rpc.name, rpc))
    for i, att in enumerate(drg.vcn_attachments):
        f = f"{ARGS}.network.drg.vcn_attachments[{i}]"
        if att.tenancy_id not in trusted:
            issues.add_line(f"{f}.tenancy_id: {att.tenancy_id!r} is neither an estate nor a trusted tenancy; "
                          "allowed: the residency tenancy or one of estate_tenancy_ids or trusted_tenancy_ids")
        peer_cidrs += _parse_all(att.cidrs, f"{f}.cidrs", issues)
        drg_peers.append(_DrgPeer("vcn", att.name, att))
    checked += peer_cidrs

    for peer in checked:
        issue = parent_overlap_issue(peer.field, peer.cidr, parents)
        if issue:
            issues.add_line(issue)

    nat_tiers: tuple[Tier, ...] = ("app", "management") if net.enable_nat_gateway else ()
    flows = allowed_flows(FlowInputs(
        operator_cidrs=tuple(operators),
        nat_cidrs=tuple(nat_cidrs), nat_tiers=nat_tiers,
        internet_cidrs=tuple(internet_cidrs), internet_tiers=tuple(internet_tiers),
        peer_cidrs=tuple(peer_cidrs),
        data_ports=tuple(net.data_tcp_ports), app_ports=tuple(net.app_tcp_ports),
        management_ports=tuple(net.management_tcp_ports),
        firewall=CidrPeer(net.vcn_cidr, f"{ARGS}.network.vcn_cidr") if net.network_firewall else None,
    ))
    issues.extend_lines(_collisions(flows, net, nat_tiers, tuple(internet_tiers), nat_cidrs, internet_cidrs,
                                    peer_cidrs, drg_peers))
    issues.raise_if_any(name)
    return NetworkPlan(
        parents=parents, operators=tuple(operators), subnets=subnets,
        nat_cidrs=tuple(nat_cidrs), nat_tiers=nat_tiers,
        internet_cidrs=tuple(internet_cidrs), internet_tiers=tuple(internet_tiers),
        peer_cidrs=tuple(peer_cidrs), drg_peers=tuple(drg_peers), flows=tuple(flows),
    )


def _slug(value: object) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(value).lower()).strip("-")


def nsg_rule_suffixes(flow: Flow) -> list[str]:
    """The name suffixes of the NSG rules one flow registers (none for firewall flows and any-protocol flows)."""
    if flow.port is None or TierPeer("firewall") in (flow.source, flow.destination):
        return []
    names = []
    if isinstance(flow.source, TierPeer):
        names.append(f"{flow.source.tier}-nsg-out-{_peer_slug(flow.destination)}-{flow.port}")
    if isinstance(flow.destination, TierPeer):
        names.append(f"{flow.destination.tier}-nsg-in-{_peer_slug(flow.source)}-{flow.port}")
    return names


def _flow_origin(flow: Flow) -> str:
    """The Args field a flow comes from, for messages (``network_flows.allowed_flows`` builds them)."""
    for peer in (flow.source, flow.destination):
        if isinstance(peer, CidrPeer):
            return peer.field
    if flow.source == TierPeer("management"):
        return f"{ARGS}.network.management_tcp_ports"
    if flow.destination == TierPeer("data"):
        return f"{ARGS}.network.data_tcp_ports"
    return f"{ARGS}.network.app_tcp_ports"


def _collisions(flows, net, nat_tiers, internet_tiers, nat_cidrs, internet_cidrs, peer_cidrs, drg_peers) -> list[str]:
    """Inputs that would make the boundary register two resources with one name, or one route table two rules
    for one destination (OCI refuses both, at deploy): refused here, once per cause, naming fields and value."""
    found: dict[tuple[str, ...], str] = {}
    by_name: dict[str, list[Flow]] = {}
    for flow in flows:
        for suffix in nsg_rule_suffixes(flow):
            by_name.setdefault(suffix, []).append(flow)
    for suffix, same in by_name.items():
        if len(same) < 2:
            continue
        origins = tuple(dict.fromkeys(_flow_origin(f) for f in same))
        value = next((str(p.cidr) for f in same for p in (f.source, f.destination) if isinstance(p, CidrPeer)),
                     str(same[0].port))
        if len(origins) == 1:
            found.setdefault(origins, f"{origins[0]}: {value!r} is given twice; allowed: each value once")
        else:
            found.setdefault(origins, f"{' and '.join(origins)}: both give {value!r}, so two NSG rules would be named "
                             f"'<name>-{suffix}'; allowed: a range in one role only (one rule already allows it)")
    for tier in ("app", "management"):
        routes: dict[object, list[str]] = {}
        for cidrs, tiers in ((nat_cidrs, nat_tiers), (internet_cidrs, internet_tiers), (peer_cidrs, None)):
            if tiers is None or tier in tiers:
                for c in cidrs:
                    routes.setdefault(c.cidr, []).append(c.field)
        if net.network_firewall:
            routes.setdefault(net.data_subnet_cidr, []).append(f"{ARGS}.network.data_subnet_cidr")
        for destination, fields in routes.items():
            if len(fields) > 1:
                found.setdefault(tuple(fields), f"{' and '.join(fields)}: the {tier} route table would route "
                                 f"{str(destination)!r} twice; allowed: one route per destination")
    # Child names: f"<name>-rpc-<peering>" and f"<name>-drg-<attachment>" next to f"<name>-drg-residency-vcn".
    for kind, taken in (("rpc", {}), ("vcn", {"residency-vcn": "the residency VCN's own attachment"})):
        for i, peer in enumerate(p for p in drg_peers if p.kind == kind):
            field = f"{ARGS}.network.drg.{'remote_peerings' if kind == 'rpc' else 'vcn_attachments'}[{i}].name"
            if peer.name in taken:
                found.setdefault((field,), f"{field}: {peer.name!r} is also {taken[peer.name]}; allowed: distinct "
                                 "names, and not 'residency-vcn' for an attachment")
            else:
                taken[peer.name] = field
    return list(found.values())


def _peer_slug(peer: Peer) -> str:
    if isinstance(peer, TierPeer):
        return peer.tier
    if isinstance(peer, ServicesPeer):
        return "osn"
    return _slug(peer.cidr)


def _pick_osn_service(result: oci.core.GetServicesResult) -> oci.core.outputs.GetServicesServiceResult:
    matches = [s for s in result.services if re.fullmatch(OSN_SERVICE_NAME_PATTERN, s.name or "")]
    if len(matches) != 1:
        raise ValueError(f"expected one '{OSN_SERVICE_NAME_PATTERN}' service in the home region, found "
                         f"{[s.name for s in result.services]}")
    return matches[0]


class NetworkBoundary(pulumi.ComponentResource):
    """The residency VCN and everything that keeps the parent company out of it."""

    vcn_id: pulumi.Output[str]
    vcn_cidr: str
    subnet_ids: dict[str, pulumi.Output[str]]
    """By tier: data, app, management (and firewall when the firewall is on)."""
    subnet_cidrs: dict[str, str]
    """By tier, as ``subnet_ids``: for security rules and IAM conditions written by consumers."""
    nsg_ids: dict[str, pulumi.Output[str]]
    flow_log_ids: dict[str, pulumi.Output[str]]
    """The VCN flow log of each subnet, by tier (what a log archive collects)."""
    firewall_log_ids: dict[str, pulumi.Output[str]]
    """``traffic`` and ``threat`` when the firewall is on; empty otherwise."""
    log_group_id: pulumi.Output[str]
    """The log group holding the flow and firewall logs (created here when ``log_group_id`` was None)."""
    firewall_id: pulumi.Output[str] | None
    nat_gateway_id: pulumi.Output[str] | None
    """The NAT gateway when ``enable_nat_gateway`` is on (a sanctioned interface may use it as its exit)."""
    bastion_id: pulumi.Output[str]
    drg_id: pulumi.Output[str] | None

    def __init__(self, name: str, args: NetworkBoundaryArgs, opts: pulumi.ResourceOptions | None = None):
        # Refuse before registering anything, the component included.
        plan = plan_network(args, name)
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._name = name
        self._args = args
        self._plan = plan
        self._child = pulumi.ResourceOptions(parent=self, provider=args.provider)
        net = args.network
        compartment = args.compartment_id
        self.firewall_log_ids = {}
        if args.log_group_id is not None:
            self.log_group_id = pulumi.Output.from_input(args.log_group_id)
        else:
            self.log_group_id = oci.logging.LogGroup(
                f"{name}-log-group", compartment_id=args.log_compartment_id or compartment,
                display_name=f"{name}-logs", description="Flow and firewall logs of this network boundary",
                freeform_tags=self._tags(),
                opts=pulumi.ResourceOptions.merge(self._child, pulumi.ResourceOptions(protect=True))).id

        self._vcn = oci.core.Vcn(
            f"{name}-vcn", compartment_id=compartment, cidr_blocks=[str(net.vcn_cidr)],
            display_name=f"{name}-vcn", dns_label=args.dns_label, freeform_tags=self._tags(), opts=self._child)
        vcn_id = self._vcn.id
        # The VCN's defaults allow SSH from anywhere and would serve any subnet created without a table:
        # take them over and leave them empty.
        oci.core.DefaultSecurityList(
            f"{name}-default-security-list", manage_default_resource_id=self._vcn.default_security_list_id,
            compartment_id=compartment, display_name=f"{name}-default-deny", ingress_security_rules=[],
            egress_security_rules=[], freeform_tags=self._tags(), opts=self._child)
        oci.core.DefaultRouteTable(
            f"{name}-default-route-table", manage_default_resource_id=self._vcn.default_route_table_id,
            compartment_id=compartment, display_name=f"{name}-default-no-routes", route_rules=[],
            freeform_tags=self._tags(), opts=self._child)

        services = oci.core.get_services_output(
            filters=[oci.core.GetServicesFilterArgs(name="name", values=[OSN_SERVICE_NAME_PATTERN], regex=True)],
            opts=pulumi.InvokeOutputOptions(parent=self, provider=args.provider))
        osn = services.apply(_pick_osn_service)
        self._osn_id = osn.apply(lambda s: s.id)
        self._osn_label = osn.apply(lambda s: s.cidr_block)

        nat = None
        if net.enable_nat_gateway:
            nat = oci.core.NatGateway(
                f"{name}-nat-gateway", compartment_id=compartment, vcn_id=vcn_id, block_traffic=False,
                display_name=f"{name}-nat-gateway", freeform_tags=self._tags(), opts=self._child)
        igw = None
        if plan.internet_tiers:
            igw = oci.core.InternetGateway(
                f"{name}-internet-gateway", compartment_id=compartment, vcn_id=vcn_id, enabled=True,
                display_name=f"{name}-internet-gateway", freeform_tags=self._tags(), opts=self._child)
        drg = self._drg(vcn_id) if net.drg.enabled else None

        firewall_ip_id = None
        self.firewall_id = None
        subnets: dict[str, oci.core.Subnet] = {}
        security_lists = {tier: self._security_list(tier, vcn_id) for tier in plan.subnets}
        if net.network_firewall:
            # The firewall only forwards traffic inside the VCN, so its subnet needs no route of its own.
            subnets["firewall"] = self._subnet("firewall", vcn_id, security_lists["firewall"],
                                               route_table=self._route_table("firewall", vcn_id, []))
            firewall = self._firewall(subnets["firewall"])
            self.firewall_id = firewall.id
            firewall_ip_id = oci.core.get_private_ips_output(
                ip_address=firewall.ipv4address, subnet_id=subnets["firewall"].id,
                opts=pulumi.InvokeOutputOptions(parent=self, provider=args.provider),
            ).apply(lambda r: r.private_ips[0].id)
        sgw = oci.core.ServiceGateway(
            f"{name}-service-gateway", compartment_id=compartment, vcn_id=vcn_id,
            services=[oci.core.ServiceGatewayServiceArgs(service_id=self._osn_id)],
            display_name=f"{name}-service-gateway", freeform_tags=self._tags(), opts=self._child)

        for tier in TIERS:
            rules = self._tier_routes(tier, sgw, firewall_ip_id, nat, igw, drg)
            table = self._route_table(tier, vcn_id, rules)
            subnets[tier] = self._subnet(tier, vcn_id, security_lists[tier], route_table=table)
        self._nsgs = self._network_security_groups(vcn_id)

        self._bastion = oci.bastion.Bastion(
            f"{name}-bastion", bastion_type="STANDARD", compartment_id=compartment,
            target_subnet_id=subnets["management"].id,
            client_cidr_block_allow_lists=[str(p.cidr) for p in plan.operators],
            max_session_ttl_in_seconds=net.bastion_max_session_ttl_seconds,
            freeform_tags=self._tags(), opts=self._child)
        self.flow_log_ids = {tier: self._service_log(f"{tier}-flow-log", "flowlogs", "all", subnet.id).id
                             for tier, subnet in subnets.items()}

        self.vcn_id = vcn_id
        self.vcn_cidr = str(net.vcn_cidr)
        self.subnet_ids = {tier: s.id for tier, s in subnets.items()}
        self.subnet_cidrs = {tier: str(cidr) for tier, cidr in plan.subnets.items()}
        self.nsg_ids = {tier: nsg.id for tier, nsg in self._nsgs.items()}
        self.bastion_id = self._bastion.id
        self.drg_id = drg.id if drg is not None else None
        self.nat_gateway_id = nat.id if nat is not None else None
        outputs = {"vcnId": self.vcn_id, "vcnCidr": self.vcn_cidr, "subnetIds": self.subnet_ids,
                   "subnetCidrs": self.subnet_cidrs, "nsgIds": self.nsg_ids, "flowLogIds": self.flow_log_ids,
                   "firewallLogIds": self.firewall_log_ids, "logGroupId": self.log_group_id,
                   "bastionId": self.bastion_id}
        if self.firewall_id is not None:
            outputs["firewallId"] = self.firewall_id
        if self.drg_id is not None:
            outputs["drgId"] = self.drg_id
        if self.nat_gateway_id is not None:
            outputs["natGatewayId"] = self.nat_gateway_id
        self.register_outputs(outputs)

    # --- helpers -------------------------------------------------------------------------------------------

    def _tags(self, **own: str) -> dict[str, str]:
        return {**self._args.required_tags, **own}

    def _peer_cidr(self, peer: Peer) -> str | pulumi.Output[str]:
        if isinstance(peer, TierPeer):
            return str(self._plan.subnets[peer.tier])
        if isinstance(peer, ServicesPeer):
            return self._osn_label
        # Defence in depth: plan_network already refused these.
        issue = parent_overlap_issue(peer.field, peer.cidr, self._plan.parents)
        if issue:
            raise ValueError(issue)
        return str(peer.cidr)

    def _route(self, destination, target, description: str) -> oci.core.RouteTableRouteRuleArgs:
        return oci.core.RouteTableRouteRuleArgs(
            destination=str(destination), destination_type="CIDR_BLOCK", network_entity_id=target,
            description=description)

    def _osn_route(self, target) -> oci.core.RouteTableRouteRuleArgs:
        return oci.core.RouteTableRouteRuleArgs(
            destination=self._osn_label, destination_type="SERVICE_CIDR_BLOCK", network_entity_id=target,
            description="Oracle Services Network in the home region")

    def _tier_routes(self, tier: Tier, sgw, firewall_ip_id, nat, igw, drg) -> list:
        plan, net = self._plan, self._args.network
        # OCI accepts a service CIDR label only with a service gateway as the target, so Oracle Services
        # Network traffic goes straight to the gateway, which reaches nothing but Oracle's regional services.
        rules = [self._osn_route(sgw.id)]
        if tier == "data":
            if firewall_ip_id is not None:
                # Every other packet of the data tier crosses the firewall; the other tiers route the data
                # range through it too, so both directions take the same path.
                rules += [self._route(net.app_subnet_cidr, firewall_ip_id, "app tier through the network firewall"),
                          self._route(net.management_subnet_cidr, firewall_ip_id,
                                      "management tier through the network firewall")]
            return rules
        if firewall_ip_id is not None:
            rules.append(self._route(net.data_subnet_cidr, firewall_ip_id, "data tier through the network firewall"))
        if nat is not None and tier in plan.nat_tiers:
            rules += [self._route(self._peer_cidr(c), nat.id, f"NAT egress ({c.field})") for c in plan.nat_cidrs]
        if igw is not None and tier in plan.internet_tiers:
            rules += [self._route(self._peer_cidr(c), igw.id, f"internet egress ({c.field})")
                      for c in plan.internet_cidrs]
        if drg is not None:
            rules += [self._route(self._peer_cidr(c), drg.id, f"trusted peer ({c.field})") for c in plan.peer_cidrs]
        return rules

    def _route_table(self, label: str, vcn_id, rules: list) -> oci.core.RouteTable:
        return oci.core.RouteTable(
            f"{self._name}-{label}-route-table", compartment_id=self._args.compartment_id, vcn_id=vcn_id,
            display_name=f"{self._name}-{label}", route_rules=rules, freeform_tags=self._tags(),
            opts=self._child)

    def _security_list(self, tier: str, vcn_id) -> oci.core.SecurityList:
        ingress, egress = [], []
        for flow in self._plan.flows:
            protocol = ALL_PROTOCOLS if flow.port is None else TCP
            if flow.destination == TierPeer(tier):  # type: ignore[arg-type]  # a tier of the plan's subnets
                source = flow.source
                ingress.append(oci.core.SecurityListIngressSecurityRuleArgs(
                    protocol=protocol, source=self._peer_cidr(source),
                    source_type="SERVICE_CIDR_BLOCK" if isinstance(source, ServicesPeer) else "CIDR_BLOCK",
                    stateless=False, description=flow.description,
                    tcp_options=oci.core.SecurityListIngressSecurityRuleTcpOptionsArgs(min=flow.port, max=flow.port)
                    if flow.port is not None else None))
            if flow.source == TierPeer(tier):  # type: ignore[arg-type]
                dest = flow.destination
                egress.append(oci.core.SecurityListEgressSecurityRuleArgs(
                    protocol=protocol, destination=self._peer_cidr(dest),
                    destination_type="SERVICE_CIDR_BLOCK" if isinstance(dest, ServicesPeer) else "CIDR_BLOCK",
                    stateless=False, description=flow.description,
                    tcp_options=oci.core.SecurityListEgressSecurityRuleTcpOptionsArgs(min=flow.port, max=flow.port)
                    if flow.port is not None else None))
        return oci.core.SecurityList(
            f"{self._name}-{tier}-security-list", compartment_id=self._args.compartment_id, vcn_id=vcn_id,
            display_name=f"{self._name}-{tier}", ingress_security_rules=ingress, egress_security_rules=egress,
            freeform_tags=self._tags(), opts=self._child)

    def _subnet(self, tier: str, vcn_id, security_list, route_table) -> oci.core.Subnet:
        public = tier in self._plan.internet_tiers
        tags = (self._tags(**{TIER_TAG: "management", ROLE_TAG: "network-firewall"}) if tier == "firewall"
                else self._tags(**{TIER_TAG: tier}))
        return oci.core.Subnet(
            f"{self._name}-{tier}-subnet", compartment_id=self._args.compartment_id, vcn_id=vcn_id,
            cidr_block=str(self._plan.subnets[tier]), display_name=f"{self._name}-{tier}",
            dns_label={"management": "mgmt", "firewall": "fw"}.get(tier, tier),
            prohibit_public_ip_on_vnic=not public, prohibit_internet_ingress=not public,
            route_table_id=route_table.id if route_table is not None else None,
            security_list_ids=[security_list.id], freeform_tags=tags, opts=self._child)

    def _network_security_groups(self, vcn_id) -> dict[str, oci.core.NetworkSecurityGroup]:
        nsgs: dict[str, oci.core.NetworkSecurityGroup] = {tier: oci.core.NetworkSecurityGroup(
            f"{self._name}-{tier}-nsg", compartment_id=self._args.compartment_id, vcn_id=vcn_id,
            display_name=f"{self._name}-{tier}", freeform_tags=self._tags(**{TIER_TAG: tier}), opts=self._child)
            for tier in TIERS}

        def endpoint(peer: Peer):
            if isinstance(peer, TierPeer):
                return nsgs[peer.tier].id, "NETWORK_SECURITY_GROUP"
            if isinstance(peer, ServicesPeer):
                return self._osn_label, "SERVICE_CIDR_BLOCK"
            return self._peer_cidr(peer), "CIDR_BLOCK"

        for flow in self._plan.flows:
            if not nsg_rule_suffixes(flow) or flow.port is None:
                continue  # firewall-subnet and any-protocol flows live in the security lists only
            tcp = oci.core.NetworkSecurityGroupSecurityRuleTcpOptionsArgs(
                destination_port_range=oci.core.NetworkSecurityGroupSecurityRuleTcpOptionsDestinationPortRangeArgs(
                    min=flow.port, max=flow.port))
            if isinstance(flow.source, TierPeer):
                dest, dest_type = endpoint(flow.destination)
                oci.core.NetworkSecurityGroupSecurityRule(
                    f"{self._name}-{flow.source.tier}-nsg-out-{_peer_slug(flow.destination)}-{flow.port}",
                    network_security_group_id=nsgs[flow.source.tier].id, direction="EGRESS", protocol=TCP,
                    destination=dest, destination_type=dest_type, stateless=False, tcp_options=tcp,
                    description=flow.description, opts=self._child)
            if isinstance(flow.destination, TierPeer):
                source, source_type = endpoint(flow.source)
                oci.core.NetworkSecurityGroupSecurityRule(
                    f"{self._name}-{flow.destination.tier}-nsg-in-{_peer_slug(flow.source)}-{flow.port}",
                    network_security_group_id=nsgs[flow.destination.tier].id, direction="INGRESS", protocol=TCP,
                    source=source, source_type=source_type, stateless=False, tcp_options=tcp,
                    description=flow.description, opts=self._child)
        return nsgs

    def _firewall(self, subnet: oci.core.Subnet) -> oci.networkfirewall.NetworkFirewall:
        name, args, net = self._name, self._args, self._args.network
        policy = oci.networkfirewall.NetworkFirewallPolicy(
            f"{name}-firewall-policy", compartment_id=args.compartment_id, display_name=f"{name}-firewall-policy",
            description="Drops every packet to or from the parent company's ranges",
            freeform_tags=self._tags(), opts=self._child)
        parent_list = oci.networkfirewall.NetworkFirewallPolicyAddressList(
            f"{name}-firewall-parent-company-addresses", network_firewall_policy_id=policy.id,
            name=FIREWALL_ADDRESS_LIST_PARENT, type="IP", addresses=[str(p) for p in self._plan.parents],
            description="Parent-company CIDRs: blocked both ways", opts=self._child)
        vcn_list = oci.networkfirewall.NetworkFirewallPolicyAddressList(
            f"{name}-firewall-residency-vcn-addresses", network_firewall_policy_id=policy.id,
            name=FIREWALL_ADDRESS_LIST_VCN, type="IP", addresses=[str(net.vcn_cidr)],
            description="The residency VCN", opts=self._child)
        rules = self._firewall_rules(policy, [parent_list, vcn_list])
        # OCI keeps the first two addresses of a subnet (network and gateway): take the first usable one.
        firewall_ip = str(net.firewall_subnet_cidr.network_address + 2)
        firewall = oci.networkfirewall.NetworkFirewall(
            f"{name}-firewall", compartment_id=args.compartment_id, network_firewall_policy_id=policy.id,
            subnet_id=subnet.id, ipv4address=firewall_ip, display_name=f"{name}-firewall",
            freeform_tags=self._tags(),
            # An attached policy can no longer be edited: attach it only once every list and rule exists.
            opts=pulumi.ResourceOptions.merge(self._child, pulumi.ResourceOptions(
                depends_on=[parent_list, vcn_list, *rules])))
        for kind in ("traffic", "threat"):
            log = self._service_log(f"firewall-{kind}-log", "ocinetworkfirewall", f"{kind}log", firewall.id)
            self.firewall_log_ids[kind] = log.id
        return firewall

    def _firewall_rules(self, policy, address_lists: list) -> list[oci.networkfirewall.NetworkFirewallPolicySecurityRule]:
        """The deny rules for the parent ranges first, then allows with explicit source and destination lists.

        An allow rule without an address condition matches every address, the parent company's included. The
        data tier's routes send only intra-VCN traffic (to and from the app and management tiers) through the
        firewall, so the one allow names the VCN range on both sides; that range is checked against the parent
        ranges before anything is registered. Lists are named literally (they are created first) so that the
        policy pack can read every condition at preview.
        """
        name = self._name
        parent, vcn = [FIREWALL_ADDRESS_LIST_PARENT], [FIREWALL_ADDRESS_LIST_VCN]
        specs = [
            ("deny-from-parent-company", "DROP", {"source_addresses": parent}),
            ("deny-to-parent-company", "DROP", {"destination_addresses": parent}),
            ("allow-from-residency-vcn", "ALLOW", {"source_addresses": vcn, "destination_addresses": vcn}),
        ]
        # Rules are evaluated in order and a new rule goes first unless positioned: create them one after
        # the other, each placed after the previous one, so the deny rules always come before the allow.
        rules: list[oci.networkfirewall.NetworkFirewallPolicySecurityRule] = []
        for rule_name, action, condition in specs:
            previous = rules[-1] if rules else None
            rules.append(oci.networkfirewall.NetworkFirewallPolicySecurityRule(
                f"{name}-firewall-rule-{rule_name}", network_firewall_policy_id=policy.id, name=rule_name,
                action=action, condition=oci.networkfirewall.NetworkFirewallPolicySecurityRuleConditionArgs(**condition),
                positions=[oci.networkfirewall.NetworkFirewallPolicySecurityRulePositionArgs(
                    after_rule=previous.name)] if previous is not None else None,
                opts=pulumi.ResourceOptions.merge(self._child, pulumi.ResourceOptions(
                    depends_on=[*address_lists, *([previous] if previous is not None else [])]))))
        return rules

    def _drg(self, vcn_id) -> oci.core.Drg:
        name, args = self._name, self._args
        drg = oci.core.Drg(f"{name}-drg", compartment_id=args.compartment_id, display_name=f"{name}-drg",
                           freeform_tags=self._tags(), opts=self._child)
        oci.core.DrgAttachment(
            f"{name}-drg-residency-vcn", drg_id=drg.id, display_name=f"{name}-residency-vcn",
            network_details=oci.core.DrgAttachmentNetworkDetailsArgs(type="VCN", id=vcn_id),
            freeform_tags=self._tags(), opts=self._child)
        for peer in self._plan.drg_peers:
            s = peer.settings
            if isinstance(s, RemotePeeringSettings):  # kind "rpc"
                oci.core.RemotePeeringConnection(
                    f"{name}-rpc-{peer.name}", compartment_id=args.compartment_id, drg_id=drg.id,
                    peer_id=s.peer_id, peer_region_name=s.peer_region_name, display_name=f"{name}-{peer.name}",
                    freeform_tags=self._tags(**{"residency-peer-tenancy": s.peer_tenancy_id}), opts=self._child)
            else:
                oci.core.DrgAttachment(
                    f"{name}-drg-{peer.name}", drg_id=drg.id, display_name=f"{name}-{peer.name}",
                    network_details=oci.core.DrgAttachmentNetworkDetailsArgs(type="VCN", id=s.vcn_id),
                    freeform_tags=self._tags(**{"residency-peer-tenancy": s.tenancy_id}), opts=self._child)
        return drg

    def _service_log(self, label: str, service: str, category: str, resource_id) -> oci.logging.Log:
        return oci.logging.Log(
            f"{self._name}-{label}", display_name=f"{self._name}-{label}", log_group_id=self.log_group_id,
            log_type="SERVICE", is_enabled=True, retention_duration=self._args.network.log_retention_days,
            configuration=oci.logging.LogConfigurationArgs(source=oci.logging.LogConfigurationSourceArgs(
                category=category, resource=resource_id, service=service, source_type="OCISERVICE")),
            # Log objects hold the evidence (and users' addresses): deleting one deletes its records.
            freeform_tags=self._tags(), opts=pulumi.ResourceOptions.merge(self._child, pulumi.ResourceOptions(protect=True)))
