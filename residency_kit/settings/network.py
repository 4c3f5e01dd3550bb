"""Settings of the network boundary (VCN, tiers, gateways, firewall, peering).

Defaults are the secure choice: no NAT gateway, no internet gateway, no DRG, no peering. Checks that need
the parent-company ranges or the trusted tenancies live in the NetworkBoundary component, which refuses
them at construction; checks that need only these settings (subnets inside the VCN and disjoint) run here
as well so that ``load_settings`` reports them with every other bad key.
"""

from __future__ import annotations

from ipaddress import IPv4Network
from typing import Annotated, Literal

from pydantic import Field, model_validator

from residency_kit.settings.base import SettingsModel
from residency_kit.settings.identifiers import Cidr, Ipv4Cidr, OciRegion, RemotePeeringConnectionOcid, TenancyOcid, VcnOcid

Port = Annotated[int, Field(ge=1, le=65535)]
_NAME = r"^[a-z][a-z0-9-]{0,30}$"


class RemotePeeringSettings(SettingsModel):
    """A remote peering connection (RPC) on the DRG to a network in a trusted tenancy."""

    name: str = Field(pattern=_NAME)
    peer_id: RemotePeeringConnectionOcid
    """The peer's RPC."""
    peer_region_name: OciRegion
    peer_tenancy_id: TenancyOcid
    """Must be one of ``trusted.ociTenancyIds`` (or the residency tenancy itself)."""
    peer_cidrs: tuple[Cidr, ...] = Field(min_length=1)
    """The ranges reached through this peering; routed from the app and management tiers."""


class VcnAttachmentSettings(SettingsModel):
    """Another VCN attached to the DRG (the residency VCN is always attached when the DRG exists)."""

    name: str = Field(pattern=_NAME)
    vcn_id: VcnOcid
    tenancy_id: TenancyOcid
    """The tenancy owning the VCN: the residency tenancy or one of ``trusted.ociTenancyIds``."""
    cidrs: tuple[Cidr, ...] = Field(min_length=1)


class DrgSettings(SettingsModel):
    enabled: bool = False
    remote_peerings: tuple[RemotePeeringSettings, ...] = ()
    vcn_attachments: tuple[VcnAttachmentSettings, ...] = ()

    @model_validator(mode="after")
    def _peerings_need_the_drg(self) -> DrgSettings:
        if not self.enabled and (self.remote_peerings or self.vcn_attachments):
            raise ValueError("drg.remotePeerings / drg.vcnAttachments are set but drg.enabled is false; "
                             "allowed: enable the DRG or remove the peerings")
        return self


class NetworkSettings(SettingsModel):
    vcn_cidr: Ipv4Cidr = IPv4Network("10.20.0.0/16")
    data_subnet_cidr: Ipv4Cidr = IPv4Network("10.20.10.0/24")
    app_subnet_cidr: Ipv4Cidr = IPv4Network("10.20.20.0/24")
    management_subnet_cidr: Ipv4Cidr = IPv4Network("10.20.30.0/24")
    firewall_subnet_cidr: Ipv4Cidr = IPv4Network("10.20.40.0/24")
    """Only used when ``network_firewall`` is on: the firewall sits in its own subnet."""
    network_firewall: bool = False
    """OCI Network Firewall that drops parent-company traffic both ways; data-tier traffic is routed through it."""
    enable_nat_gateway: bool = False
    nat_route_cidrs: tuple[Cidr, ...] = ()
    """Destinations the app and management tiers reach through the NAT gateway (never ``0.0.0.0/0``
    while a parent-company range exists: a default route overlaps it)."""
    internet_gateway_tiers: tuple[Literal["app", "management"], ...] = ()
    internet_route_cidrs: tuple[Cidr, ...] = ()
    """Destinations the tiers in ``internet_gateway_tiers`` reach through the internet gateway."""
    data_tcp_ports: tuple[Port, ...] = Field(default=(1521, 1522), min_length=1)
    """Ports the app tier may open to the data tier (Oracle Database listener and TLS listener)."""
    app_tcp_ports: tuple[Port, ...] = Field(default=(443,), min_length=1)
    """Ports the operator CIDRs and trusted peers may open to the app tier."""
    management_tcp_ports: tuple[Port, ...] = Field(default=(22,), min_length=1)
    """Ports the management tier (where the Bastion's private endpoint lives) may open to every tier."""
    bastion_max_session_ttl_seconds: int = Field(default=3600, ge=1800, le=10800)
    log_retention_days: Literal[30, 60, 90, 120, 150, 180] = 180
    """Flow and firewall log retention; OCI Logging keeps service logs 30 to 180 days in 30-day steps."""
    drg: DrgSettings = DrgSettings()

    def subnet_layout_problems(self) -> list[tuple[str, IPv4Network, str | None]]:
        """``(tier, its subnet, None)`` for a tier subnet outside the VCN and ``(tier, its subnet, other tier)``
        for one overlapping an earlier tier's subnet.

        The one check of the subnet layout: the settings refuse it at validation, and ``NetworkBoundary``
        refuses settings built without validation (``model_construct``) with its own argument names.
        """
        problems: list[tuple[str, IPv4Network, str | None]] = []
        subnets = self.subnet_cidrs()
        for tier, cidr in subnets.items():
            if not cidr.subnet_of(self.vcn_cidr):
                problems.append((tier, cidr, None))
        tiers = list(subnets)
        for i, a in enumerate(tiers):
            for b in tiers[i + 1:]:
                if subnets[a].overlaps(subnets[b]):
                    problems.append((b, subnets[b], a))
        return problems

    @model_validator(mode="after")
    def _subnets_fit_the_vcn(self) -> NetworkSettings:
        subnets = self.subnet_cidrs()
        problems = [
            f"{tier}SubnetCidr {cidr} is outside vcnCidr {self.vcn_cidr}" if other is None
            else f"{tier}SubnetCidr {cidr} overlaps {other}SubnetCidr {subnets[other]}"
            for tier, cidr, other in self.subnet_layout_problems()
        ]
        if problems:
            raise ValueError("; ".join(problems) + "; allowed: disjoint subnets inside vcnCidr")
        return self

    def subnet_cidrs(self) -> dict[str, IPv4Network]:
        """Subnet CIDR by tier; the firewall subnet only when the firewall is on."""
        cidrs = {"data": self.data_subnet_cidr, "app": self.app_subnet_cidr,
                 "management": self.management_subnet_cidr}
        if self.network_firewall:
            cidrs["firewall"] = self.firewall_subnet_cidr
        return cidrs


class DrNetworkSettings(SettingsModel):
    """A second VCN in the backup region, for disaster recovery (database standbys, restored workloads).

    It takes every choice of ``network`` (ports, firewall, gateways, log retention) and its own ranges; it has no
    DRG (peerings belong to the home network). ``network_for`` derives and validates it.
    """

    enabled: bool = False
    vcn_cidr: Ipv4Cidr | None = None
    data_subnet_cidr: Ipv4Cidr | None = None
    app_subnet_cidr: Ipv4Cidr | None = None
    management_subnet_cidr: Ipv4Cidr | None = None
    firewall_subnet_cidr: Ipv4Cidr | None = None
    """Needed when the home network has the firewall on."""

    def required_keys(self, home: NetworkSettings) -> tuple[str, ...]:
        keys = ("vcn_cidr", "data_subnet_cidr", "app_subnet_cidr", "management_subnet_cidr")
        return (*keys, "firewall_subnet_cidr") if home.network_firewall else keys

    def network_for(self, home: NetworkSettings) -> NetworkSettings:
        """The DR VCN's settings: ``home`` with these ranges and no DRG, validated (``SettingsDerivationError``)."""
        ranges = {key: getattr(self, key) for key in self.required_keys(home)}
        return home.derive(**ranges, drg=DrgSettings())
