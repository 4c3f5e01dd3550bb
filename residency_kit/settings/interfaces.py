"""Settings of the sanctioned interfaces the program builds (``residency:interfaceNetworks``).

The declarations themselves are rules (``residency:sanctionedInterfaces``), read by the policy pack and the
program alike and validated by the pack's own code (``residency_policies.sanctioned_interfaces``). Where each
declared interface sits in the home VCN is a setting of the program only.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import field_validator

from residency_kit.settings.base import SettingsModel
from residency_kit.settings.identifiers import Ipv4Cidr

PROTECTED_TIERS = ("data", "management", "public")


class InterfaceNetworkSettings(SettingsModel):
    """Where one declared interface is built (``residency:interfaceNetworks.<name>``)."""

    client_subnet_cidr: Ipv4Cidr
    """The interface's estate side: the subnet whose workloads use the interface (inside the home VCN)."""
    gateway_subnet_cidr: Ipv4Cidr
    """The interface subnet: the gateway (an OCI Network Firewall) sits there alone."""
    client_tier: str = "app"
    """The ``residency-tier`` of the client subnet: an internal tier, never data, management or public."""

    @field_validator("client_tier")
    @classmethod
    def _internal_tier(cls, value: str) -> str:
        if not value or value in PROTECTED_TIERS or not value.replace("-", "").isalnum():
            raise ValueError(f"is not an internal tier; allowed: a tier name such as 'app' (letters, digits, "
                             f"hyphens), never {', '.join(PROTECTED_TIERS)}")
        return value


def declaration_issues(s, ns: str) -> Iterator[tuple[str, object, str]]:
    """``(key, value, message)`` for every malformed declaration, by the pack's own validation. One past its
    review date is the pack's ``sanctioned-interfaces`` violation, not a settings error (as with waivers)."""
    from residency_policies.sanctioned_interfaces import parse_interfaces

    _, problems = parse_interfaces(list(s.sanctioned_interfaces), parent_cidrs=s.parent_company.cidrs,
                                   keep_overdue=True)
    for p in problems:
        if not p.overdue:
            yield f"{ns}:{p.key}", p.value, f"is invalid; allowed: {p.allowed}"


def placement_issues(s, ns: str) -> Iterator[tuple[str, object, str]]:
    """``(key, value, message)`` for every interface placement naming no declaration, or a subnet outside the
    home VCN or overlapping another subnet."""
    names = {entry.get("name") for entry in s.sanctioned_interfaces if isinstance(entry, dict)}
    net = s.network
    taken = {f"network.{tier}SubnetCidr": cidr for tier, cidr in net.subnet_cidrs().items()}
    for name, placement in s.interface_networks.items():
        key = f"{ns}:interfaceNetworks.{name}"
        if name not in names:
            declared = sorted(n for n in names if isinstance(n, str))
            yield key, name, (f"names no sanctioned interface of {ns}:sanctionedInterfaces; allowed: "
                              f"{', '.join(declared) or 'none declared'}")
        for field, cidr in (("clientSubnetCidr", placement.client_subnet_cidr),
                            ("gatewaySubnetCidr", placement.gateway_subnet_cidr)):
            where = f"{key}.{field}"
            if not cidr.subnet_of(net.vcn_cidr):
                yield where, str(cidr), f"is outside {ns}:network.vcnCidr {net.vcn_cidr}; allowed: a subnet inside it"
            clash = next((other for other, used in taken.items() if used.overlaps(cidr)), None)
            if clash is not None:
                yield where, str(cidr), f"overlaps {ns}:{clash} {taken[clash]}; allowed: a range no other subnet uses"
            taken[f"interfaceNetworks.{name}.{field}"] = cidr
