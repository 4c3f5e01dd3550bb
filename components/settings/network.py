"""Settings of the network boundary (VCN, tiers, gateways, firewall, peering)."""

from __future__ import annotations

from typing import Literal

from components.settings.base import SettingsModel
from components.settings.identifiers import Ipv4Cidr


class NetworkSettings(SettingsModel):
    vcn_cidr: Ipv4Cidr = "10.20.0.0/16"
    data_subnet_cidr: Ipv4Cidr = "10.20.10.0/24"
    app_subnet_cidr: Ipv4Cidr = "10.20.20.0/24"
    management_subnet_cidr: Ipv4Cidr = "10.20.30.0/24"
    enable_nat_gateway: bool = False
    internet_gateway_tiers: tuple[Literal["app", "management"], ...] = ()
    network_firewall: bool = False
