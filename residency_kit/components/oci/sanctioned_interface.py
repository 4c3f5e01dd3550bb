"""SanctionedInterface: one declared, approved interface with the parent company, built from its declaration.

The declaration is the rules' (``residency:sanctionedInterfaces``: endpoints, ports, direction, the gateway it must
cross, approver, review date; ``residency_policies.sanctioned_interfaces``). This component builds exactly that,
inside an existing VCN, so that the policy pack's proof (``analysis/interface_proof.py``) accepts its paths and no
other:

* a client subnet (an internal tier, ``app`` by default): the estate side, where the workloads that use the
  interface run. Its route table sends the declared endpoints, and nothing else, to the gateway; its security
  list admits only the declared ports to (or from) the endpoints. No other subnet of the VCN gets a route to the
  parent, so the interface's paths are the only ones;
* the interface subnet, holding nothing but the gateway: an OCI Network Firewall whose policy allows the client
  subnet to reach the endpoints on the declared ports (or the endpoints to reach the client subnet, for a
  parent-to-estate interface) and then drops every parent-company range both ways. Its route table sends the
  endpoints to the exit: a NAT gateway (created here when none is given) or the DRG the parent is reached through;
* the exit's return route (the client range through the firewall), so that replies cross the firewall too: the
  NAT gateway created here uses it; for a given exit it is an output (``exit_route_table_id``) to set as that
  gateway's (or DRG attachment's) route table;
* the firewall's traffic and threat logs, in the given log group, for the log archive to collect (``log_ids``).

Not verified against a real cloud (see docs/components/sanctioned-interface.md).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_oci as oci

from residency_kit.components.arg_problems import ArgProblems
from residency_policies.ip_ranges import Network, parse_cidr, shares_address
from residency_policies.sanctioned_interfaces import OCI_NETWORK_FIREWALL, Direction
from residency_policies.sanctioned_interfaces import SanctionedInterface as InterfaceDeclaration

TYPE_TOKEN = "residency:oci:SanctionedInterface"
ARGS = "SanctionedInterfaceArgs"
TIER_TAG = "residency-tier"
ROLE_TAG = "residency-role"
INTERFACE_TAG = "residency-interface"
GATEWAY_TIER = "interface"
PROTECTED_TIERS = ("data", "management", "public")
PROTOCOL_NUMBERS = {"tcp": "6", "udp": "17"}
SERVICE_TYPES = {"tcp": "TCP_SERVICE", "udp": "UDP_SERVICE"}
ESTATE_LIST, ENDPOINT_LIST, PARENT_LIST, PORT_LIST = "estate", "parent-endpoints", "parent-company", "interface-ports"
LOG_CATEGORIES = ("traffic", "threat")


@dataclass(frozen=True)
class SanctionedInterfaceArgs:
    """Inputs of ``SanctionedInterface``."""

    provider: oci.Provider
    """Provider of the VCN's region; every child and invoke uses it."""
    compartment_id: pulumi.Input[str]
    """The network compartment."""
    vcn_id: pulumi.Input[str]
    interface: InterfaceDeclaration
    """The declaration (``ResidencySettings.interfaces``, parsed by the pack's own code)."""
    client_subnet_cidr: str
    gateway_subnet_cidr: str
    parent_cidrs: Sequence[str | Network]
    """Every parent-company range: the gateway drops them all, beyond the declared endpoints."""
    log_group_id: pulumi.Input[str]
    """Where the firewall's logs go (the log archive collects them from there)."""
    vcn_cidr: str | None = None
    """The VCN's range, to check that both subnets lie inside it (None: not checked)."""
    exit_gateway_id: pulumi.Input[str] | None = None
    """Where the interface subnet sends the endpoints: a NAT gateway or a DRG of the VCN. None creates a NAT gateway
    (estate to parent only: a parent-to-estate interface needs the DRG the parent's traffic arrives through)."""
    client_tier: str = "app"
    required_tags: Mapping[str, str] = field(default_factory=lambda: {"jurisdiction": "US"})
    log_retention_days: int = 180
    """Retention of the firewall's logs in OCI Logging (30 to 180, a multiple of 30); the archive keeps them longer."""

    @classmethod
    def from_settings(cls, settings, name: str, *, provider: oci.Provider, compartment_id: pulumi.Input[str],
                      vcn_id: pulumi.Input[str], log_group_id: pulumi.Input[str],
                      exit_gateway_id: pulumi.Input[str] | None = None) -> SanctionedInterfaceArgs:
        """Args for the declared interface ``name`` placed by ``residency:interfaceNetworks.<name>``."""
        declared = {i.name: i for i in settings.interfaces}
        if name not in settings.interface_networks or name not in declared:
            raise ValueError(f"sanctioned interface {name!r} is not both declared (residency:sanctionedInterfaces: "
                             f"{', '.join(declared) or 'none'}) and placed (residency:interfaceNetworks: "
                             f"{', '.join(settings.interface_networks) or 'none'}); allowed: a name in both")
        placement, interface = settings.interface_networks[name], declared[name]
        return cls(provider=provider, compartment_id=compartment_id, vcn_id=vcn_id, interface=interface,
                   client_subnet_cidr=str(placement.client_subnet_cidr),
                   gateway_subnet_cidr=str(placement.gateway_subnet_cidr),
                   parent_cidrs=tuple(settings.parent_company.cidrs), log_group_id=log_group_id,
                   vcn_cidr=str(settings.network.vcn_cidr), exit_gateway_id=exit_gateway_id,
                   client_tier=placement.client_tier, required_tags=dict(settings.required_tags),
                   log_retention_days=settings.network.log_retention_days)


def gateway_name(name: str) -> str:
    """The name of the firewall a ``SanctionedInterface`` called ``name`` builds (what its declaration names)."""
    return f"{name}-firewall"


def _subnet_problems(args: SanctionedInterfaceArgs, issues: ArgProblems, parents: list[Network]) -> dict[str, Network]:
    found: dict[str, Network] = {}
    vcn = parse_cidr(args.vcn_cidr, strict=True) if args.vcn_cidr is not None else None
    if args.vcn_cidr is not None and vcn is None:
        issues.add("vcn_cidr", args.vcn_cidr, "is not a CIDR block", "the VCN's IPv4 range, such as 10.20.0.0/16")
    for key in ("client_subnet_cidr", "gateway_subnet_cidr"):
        value = getattr(args, key)
        cidr = parse_cidr(value, strict=True)
        if not isinstance(cidr, ipaddress.IPv4Network) or cidr.prefixlen > 30:
            issues.add(key, value, "is not an IPv4 subnet", "an IPv4 CIDR block of /30 or larger, no host bits")
            continue
        if vcn is not None and not cidr.subnet_of(vcn):  # type: ignore[arg-type]
            issues.add(key, value, f"is outside the VCN range {vcn}", "a subnet inside vcn_cidr")
        hits = [str(p) for p in parents if shares_address(cidr, p)]
        if hits:
            issues.add(key, value, f"overlaps parent-company range(s) {', '.join(hits)}",
                       "a range disjoint from every parent-company range")
        found[key] = cidr
    if len(found) == 2 and found["client_subnet_cidr"].overlaps(found["gateway_subnet_cidr"]):
        issues.add("gateway_subnet_cidr", args.gateway_subnet_cidr, f"overlaps client_subnet_cidr {args.client_subnet_cidr}",
                   "a subnet of its own: the gateway sits there alone")
    return found


def validation_problems(args: SanctionedInterfaceArgs, name: str) -> tuple[ArgProblems, dict[str, Network], list[Network]]:
    """Every problem of ``args`` (and the parsed subnets and parent ranges)."""
    issues = ArgProblems(ARGS)
    if not isinstance(args.provider, oci.Provider):
        issues.add("provider", type(args.provider).__name__, "is not an OCI provider", "a pulumi_oci.Provider")
    parents: list[Network] = []
    for i, value in enumerate(args.parent_cidrs):
        network = parse_cidr(value, strict=True)
        if network is None:
            issues.add(f"parent_cidrs[{i}]", value, "is not a CIDR block", "an IPv4 or IPv6 network")
        else:
            parents.append(network)
    if not args.parent_cidrs:
        issues.add("parent_cidrs", tuple(args.parent_cidrs), "is empty", "every parent-company range, for the gateway to drop")
    interface = args.interface
    if not isinstance(interface, InterfaceDeclaration):
        issues.add("interface", type(interface).__name__, "is not a declaration",
                   "a residency_policies.sanctioned_interfaces.SanctionedInterface (ResidencySettings.interfaces)")
        return issues, {}, parents
    expected = gateway_name(name)
    ref = interface.gateway
    if ref.type != OCI_NETWORK_FIREWALL or (ref.urn is None and ref.name != expected) or (
            ref.urn is not None and not ref.urn.endswith(f"::{expected}")):
        issues.add("interface.gateway", ref.as_json(), "does not name the gateway this component builds",
                   f"{{'name': '{expected}', 'type': '{OCI_NETWORK_FIREWALL}'}} or that firewall's URN")
    if interface.hosts:
        issues.add("interface.hosts", interface.hosts, "are host names, which give no route to send through the gateway",
                   "CIDR endpoints (declare the host's addresses)")
    for endpoint in interface.cidrs:
        if not any(endpoint.version == p.version and endpoint.subnet_of(p) for p in parents):  # type: ignore[arg-type]
            issues.add("interface.cidrs", str(endpoint), "is not inside a parent-company range",
                       "endpoints inside parent_cidrs")
    if interface.direction is Direction.PARENT_TO_ESTATE and args.exit_gateway_id is None:
        issues.add("exit_gateway_id", None, "is missing, which a parent-to-estate interface cannot be (a NAT gateway "
                   "carries no connection the parent opens)", "the DRG the parent's traffic arrives through")
    if not args.client_tier or args.client_tier in PROTECTED_TIERS or not args.client_tier.replace("-", "").isalnum():
        issues.add("client_tier", args.client_tier, "is not an internal tier",
                   f"a tier such as 'app', never {', '.join(PROTECTED_TIERS)} (an interface never reaches them)")
    days = args.log_retention_days
    if not isinstance(days, int) or isinstance(days, bool) or not 30 <= days <= 180 or days % 30:
        issues.add("log_retention_days", days, "is not a retention OCI Logging accepts", "30 to 180, a multiple of 30")
    subnets = _subnet_problems(args, issues, parents)
    return issues, subnets, parents


class SanctionedInterface(pulumi.ComponentResource):
    """A declared interface with the parent company: its client subnet, its gateway alone in its subnet, its logs."""

    client_subnet_id: pulumi.Output[str]
    gateway_subnet_id: pulumi.Output[str]
    firewall_id: pulumi.Output[str]
    route_target_id: pulumi.Output[str]
    """The firewall's private IP: what a route through the gateway names."""
    exit_route_table_id: pulumi.Output[str]
    """The return route for the exit gateway (the client range through the firewall)."""
    log_ids: dict[str, pulumi.Output[str]]
    """``traffic`` and ``threat``: the firewall's logs, for the log archive."""
    nat_gateway_id: pulumi.Output[str] | None
    """The NAT gateway created here (None when ``exit_gateway_id`` was given)."""

    def __init__(self, name: str, args: SanctionedInterfaceArgs, opts: pulumi.ResourceOptions | None = None):
        issues, subnets, parents = validation_problems(args, name)
        issues.raise_if_any(name)
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._name, self._args = name, args
        self._child = pulumi.ResourceOptions(parent=self, provider=args.provider)
        interface = args.interface
        inbound = interface.direction is Direction.PARENT_TO_ESTATE
        client_cidr, gateway_cidr = str(subnets["client_subnet_cidr"]), subnets["gateway_subnet_cidr"]
        endpoints = [str(c) for c in interface.cidrs]

        # The interface subnet is created without a route table and given one by an attachment: its table routes to
        # the exit, whose return route leads back to the firewall in this subnet (a cycle a subnet's own
        # routeTableId could not express).
        gateway_list = self._security_list("gateway", ingress=[client_cidr] if not inbound else endpoints,
                                           egress=endpoints if not inbound else [client_cidr])
        gateway_subnet = oci.core.Subnet(
            f"{name}-gateway-subnet", compartment_id=args.compartment_id, vcn_id=args.vcn_id, cidr_block=str(gateway_cidr),
            display_name=f"{name}-gateway", prohibit_public_ip_on_vnic=True, prohibit_internet_ingress=True,
            security_list_ids=[gateway_list.id],
            freeform_tags=self._tags(**{TIER_TAG: GATEWAY_TIER, ROLE_TAG: "sanctioned-interface-gateway"}),
            opts=pulumi.ResourceOptions.merge(self._child, pulumi.ResourceOptions(ignore_changes=["routeTableId"])))
        firewall = self._firewall(gateway_subnet, gateway_cidr, client_cidr, endpoints, parents, inbound)
        address_id = oci.core.get_private_ips_output(
            ip_address=firewall.ipv4address, subnet_id=gateway_subnet.id,
            opts=pulumi.InvokeOutputOptions(parent=self, provider=args.provider),
        ).apply(lambda r: r.private_ips[0].id)
        # At preview the lookup is unknown (its subnet is being created) and an unknown invoke result carries none
        # of its inputs' dependencies: joining it to the firewall's id keeps the firewall as the dependency of every
        # route through it, which is how the pack's proof sees that the route's next hop is this gateway.
        self.route_target_id = pulumi.Output.all(firewall.id, address_id).apply(lambda ids: ids[1])
        exit_table = self._route_table("exit-return", [(client_cidr, self.route_target_id)])
        self.exit_route_table_id = exit_table.id
        self.nat_gateway_id = None
        exit_id = args.exit_gateway_id
        if exit_id is None:
            nat = oci.core.NatGateway(
                f"{name}-nat-gateway", compartment_id=args.compartment_id, vcn_id=args.vcn_id, block_traffic=False,
                route_table_id=exit_table.id, display_name=f"{name}-nat-gateway", freeform_tags=self._tags(),
                opts=self._child)
            self.nat_gateway_id = exit_id = nat.id
        gateway_table = self._route_table("gateway", [(e, exit_id) for e in endpoints])
        oci.core.RouteTableAttachment(f"{name}-gateway-route-table-attachment", subnet_id=gateway_subnet.id,
                                      route_table_id=gateway_table.id, opts=self._child)

        client_list = self._security_list("client", ingress=endpoints if inbound else [],
                                          egress=[] if inbound else endpoints)
        client_table = self._route_table("client", [(e, self.route_target_id) for e in endpoints])
        client_subnet = oci.core.Subnet(
            f"{name}-client-subnet", compartment_id=args.compartment_id, vcn_id=args.vcn_id, cidr_block=client_cidr,
            display_name=f"{name}-client", prohibit_public_ip_on_vnic=True, prohibit_internet_ingress=True,
            route_table_id=client_table.id, security_list_ids=[client_list.id],
            freeform_tags=self._tags(**{TIER_TAG: args.client_tier, ROLE_TAG: "sanctioned-interface-client"}),
            opts=self._child)
        self.log_ids = {kind: self._log(kind, firewall).id for kind in LOG_CATEGORIES}

        self.client_subnet_id = client_subnet.id
        self.gateway_subnet_id = gateway_subnet.id
        self.firewall_id = firewall.id
        outputs = {"clientSubnetId": self.client_subnet_id, "gatewaySubnetId": self.gateway_subnet_id,
                   "firewallId": self.firewall_id, "routeTargetId": self.route_target_id,
                   "exitRouteTableId": self.exit_route_table_id, "logIds": self.log_ids}
        if self.nat_gateway_id is not None:
            outputs["natGatewayId"] = self.nat_gateway_id
        self.register_outputs(outputs)

    # --- helpers -------------------------------------------------------------------------------------------

    def _tags(self, **own: str) -> dict[str, str]:
        return {**self._args.required_tags, INTERFACE_TAG: self._args.interface.name, **own}

    def _route_table(self, label: str, routes: list) -> oci.core.RouteTable:
        return oci.core.RouteTable(
            f"{self._name}-{label}-route-table", compartment_id=self._args.compartment_id, vcn_id=self._args.vcn_id,
            display_name=f"{self._name}-{label}", freeform_tags=self._tags(), opts=self._child,
            route_rules=[oci.core.RouteTableRouteRuleArgs(
                destination=destination, destination_type="CIDR_BLOCK", network_entity_id=target,
                description=f"sanctioned interface {self._args.interface.name}") for destination, target in routes])

    def _security_list(self, label: str, *, ingress: list[str], egress: list[str]) -> oci.core.SecurityList:
        """Stateful rules for the declared ports only: replies need no rule of their own."""
        ports = self._args.interface.ports
        description = f"sanctioned interface {self._args.interface.name}"

        def options(kind: str, port):
            cls = {"ingress-tcp": oci.core.SecurityListIngressSecurityRuleTcpOptionsArgs,
                   "ingress-udp": oci.core.SecurityListIngressSecurityRuleUdpOptionsArgs,
                   "egress-tcp": oci.core.SecurityListEgressSecurityRuleTcpOptionsArgs,
                   "egress-udp": oci.core.SecurityListEgressSecurityRuleUdpOptionsArgs}[f"{kind}-{port.protocol}"]
            return {f"{port.protocol}_options": cls(min=port.low, max=port.high)}

        return oci.core.SecurityList(
            f"{self._name}-{label}-security-list", compartment_id=self._args.compartment_id, vcn_id=self._args.vcn_id,
            display_name=f"{self._name}-{label}", freeform_tags=self._tags(), opts=self._child,
            ingress_security_rules=[oci.core.SecurityListIngressSecurityRuleArgs(
                protocol=PROTOCOL_NUMBERS[p.protocol], source=cidr, source_type="CIDR_BLOCK", stateless=False,
                description=description, **options("ingress", p)) for cidr in ingress for p in ports],
            egress_security_rules=[oci.core.SecurityListEgressSecurityRuleArgs(
                protocol=PROTOCOL_NUMBERS[p.protocol], destination=cidr, destination_type="CIDR_BLOCK",
                stateless=False, description=description, **options("egress", p)) for cidr in egress for p in ports])

    def _firewall(self, subnet, subnet_cidr, client_cidr: str, endpoints: list[str], parents: list[Network],
                  inbound: bool) -> oci.networkfirewall.NetworkFirewall:
        name, args, interface = self._name, self._args, self._args.interface
        policy = oci.networkfirewall.NetworkFirewallPolicy(
            f"{name}-firewall-policy", compartment_id=args.compartment_id, display_name=f"{name}-firewall-policy",
            description=f"Sanctioned interface {interface.name}: the declared flows only, every other parent-company "
                        "packet dropped", freeform_tags=self._tags(), opts=self._child)
        lists = [oci.networkfirewall.NetworkFirewallPolicyAddressList(
            f"{name}-firewall-{label}-addresses", network_firewall_policy_id=policy.id, name=list_name, type="IP",
            addresses=addresses, description=description, opts=self._child)
            for label, list_name, addresses, description in (
                ("estate", ESTATE_LIST, [client_cidr], "The interface's client subnet"),
                ("endpoint", ENDPOINT_LIST, endpoints, "The declared parent-company endpoints"),
                ("parent-company", PARENT_LIST, [str(p) for p in parents], "Every parent-company range"))]
        services = [oci.networkfirewall.NetworkFirewallPolicyService(
            f"{name}-firewall-service-{p.protocol}-{p.low}-{p.high}", network_firewall_policy_id=policy.id,
            name=f"{p.protocol}-{p.low}-{p.high}", type=SERVICE_TYPES[p.protocol],
            port_ranges=[oci.networkfirewall.NetworkFirewallPolicyServicePortRangeArgs(minimum_port=p.low,
                                                                                       maximum_port=p.high)],
            opts=self._child) for p in interface.ports]
        # A service list names services that already exist in the policy.
        port_list = oci.networkfirewall.NetworkFirewallPolicyServiceList(
            f"{name}-firewall-ports", network_firewall_policy_id=policy.id, name=PORT_LIST,
            services=[f"{p.protocol}-{p.low}-{p.high}" for p in interface.ports],
            opts=pulumi.ResourceOptions.merge(self._child, pulumi.ResourceOptions(depends_on=services)))
        near, far = ([ENDPOINT_LIST], [ESTATE_LIST]) if inbound else ([ESTATE_LIST], [ENDPOINT_LIST])
        condition = oci.networkfirewall.NetworkFirewallPolicySecurityRuleConditionArgs
        specs = [
            (f"allow-{interface.name}", "ALLOW", condition(source_addresses=near, destination_addresses=far,
                                                            services=[PORT_LIST])),
            ("drop-to-parent-company", "DROP", condition(destination_addresses=[PARENT_LIST])),
            ("drop-from-parent-company", "DROP", condition(source_addresses=[PARENT_LIST])),
        ]
        # Rules are evaluated in order and a new rule goes first unless positioned: each is placed after the
        # previous one and created after it, so the allow stays first and the drops follow.
        rules: list[oci.networkfirewall.NetworkFirewallPolicySecurityRule] = []
        for rule_name, action, cond in specs:
            previous = rules[-1] if rules else None
            rules.append(oci.networkfirewall.NetworkFirewallPolicySecurityRule(
                f"{name}-firewall-rule-{rule_name}", network_firewall_policy_id=policy.id, name=rule_name,
                action=action, condition=cond,
                positions=[oci.networkfirewall.NetworkFirewallPolicySecurityRulePositionArgs(
                    after_rule=previous.name)] if previous is not None else None,
                opts=pulumi.ResourceOptions.merge(self._child, pulumi.ResourceOptions(
                    depends_on=[*lists, port_list, *([previous] if previous is not None else [])]))))
        # OCI keeps a subnet's first two addresses (network and gateway): the firewall takes the first usable one.
        return oci.networkfirewall.NetworkFirewall(
            gateway_name(name), compartment_id=args.compartment_id, network_firewall_policy_id=policy.id,
            subnet_id=subnet.id, ipv4address=str(subnet_cidr.network_address + 2), display_name=gateway_name(name),
            freeform_tags=self._tags(),
            # An attached policy can no longer be edited: attach it only once every list and rule exists.
            opts=pulumi.ResourceOptions.merge(self._child, pulumi.ResourceOptions(depends_on=[*lists, port_list, *rules])))

    def _log(self, kind: str, firewall) -> oci.logging.Log:
        return oci.logging.Log(
            f"{self._name}-firewall-{kind}-log", display_name=f"{self._name}-firewall-{kind}-log",
            log_group_id=self._args.log_group_id, log_type="SERVICE", is_enabled=True,
            retention_duration=self._args.log_retention_days,
            configuration=oci.logging.LogConfigurationArgs(source=oci.logging.LogConfigurationSourceArgs(
                category=f"{kind}log", resource=firewall.id, service="ocinetworkfirewall", source_type="OCISERVICE")),
            # The records are the interface's evidence: deleting the log deletes them.
            freeform_tags=self._tags(), opts=pulumi.ResourceOptions.merge(self._child, pulumi.ResourceOptions(protect=True)))
