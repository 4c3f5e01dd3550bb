"""The explicit allows of the network boundary, as plain data.

Everything not listed here is denied: the tiers' security lists and network security groups are both
rendered from this one list, so the two layers cannot drift apart. A flow's peer is a tier, a CIDR block
(carrying the Args field it came from, so that a refusal can name it), or the Oracle Services Network.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from residency_policies.ip_ranges import Network

Tier = Literal["data", "app", "management", "firewall"]
TIERS: tuple[Tier, ...] = ("data", "app", "management")
HTTPS = 443


@dataclass(frozen=True)
class TierPeer:
    tier: Tier


@dataclass(frozen=True)
class CidrPeer:
    cidr: Network
    field: str
    """The Args field this range came from, e.g. ``operator_cidrs[0]``."""


@dataclass(frozen=True)
class ServicesPeer:
    """The region's Oracle Services Network, reached through the service gateway."""


Peer = TierPeer | CidrPeer | ServicesPeer


@dataclass(frozen=True)
class Flow:
    """``source`` may open a TCP connection to ``destination`` on ``port`` (``None``: any protocol)."""

    source: Peer
    destination: Peer
    port: int | None
    description: str


@dataclass(frozen=True)
class FlowInputs:
    operator_cidrs: tuple[CidrPeer, ...]
    nat_cidrs: tuple[CidrPeer, ...]
    nat_tiers: tuple[Tier, ...]
    internet_cidrs: tuple[CidrPeer, ...]
    internet_tiers: tuple[Tier, ...]
    peer_cidrs: tuple[CidrPeer, ...]
    """Ranges of trusted networks behind the DRG."""
    data_ports: tuple[int, ...]
    app_ports: tuple[int, ...]
    management_ports: tuple[int, ...]
    firewall: CidrPeer | None
    """The VCN range, allowed through the firewall subnet when the firewall is on."""


def allowed_flows(inputs: FlowInputs) -> list[Flow]:
    """Every allow of the boundary. The data tier opens nothing but HTTPS to the Oracle Services Network."""
    data, app, mgmt = TierPeer("data"), TierPeer("app"), TierPeer("management")
    osn = ServicesPeer()
    flows: list[Flow] = []
    flows += [Flow(app, data, p, f"app tier to data tier on {p}") for p in inputs.data_ports]
    # The Bastion's private endpoint sits in the management subnet: sessions to any tier start there.
    for target in (data, app, mgmt):
        flows += [Flow(mgmt, target, p, f"management tier to {target.tier} tier on {p}")
                  for p in inputs.management_ports]
    for operator in inputs.operator_cidrs:
        flows += [Flow(operator, app, p, f"US operators to app tier on {p}") for p in inputs.app_ports]
    for peer in inputs.peer_cidrs:
        flows += [Flow(peer, app, p, f"trusted peer network to app tier on {p}") for p in inputs.app_ports]
        flows.append(Flow(app, peer, HTTPS, "app tier to trusted peer network"))
    for tier in (data, app, mgmt):
        flows.append(Flow(tier, osn, HTTPS, f"{tier.tier} tier to the Oracle Services Network"))
    for tier in inputs.nat_tiers:
        flows += [Flow(TierPeer(tier), c, HTTPS, f"{tier} tier through the NAT gateway") for c in inputs.nat_cidrs]
    for tier in inputs.internet_tiers:
        flows += [Flow(TierPeer(tier), c, HTTPS, f"{tier} tier through the internet gateway")
                  for c in inputs.internet_cidrs]
    if inputs.firewall is not None:
        fw = TierPeer("firewall")
        flows.append(Flow(inputs.firewall, fw, None, "residency VCN traffic routed through the network firewall"))
        flows.append(Flow(fw, inputs.firewall, None, "network firewall forwarding to the residency VCN"))
    return flows
