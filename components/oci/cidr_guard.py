"""Overlap checks between a peer range and the parent company's ranges.

Blocking the parent company means refusing any range that shares even one address with theirs, so the
test is overlap, not equality: ``0.0.0.0/0`` or a supernet of a parent range is refused as surely as the
range itself. A default route (``/0``) of either family is treated as overlapping every parent range,
whatever its family, because it stands for "anywhere". IPv4-mapped IPv6 ranges (``::ffff:0:0/96``) are
compared against IPv4 parent ranges too, since they reach the same hosts.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

_IPV4_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")


def as_network(value: object, field: str) -> Network:
    """Parse ``value`` as a CIDR block; a ``ValueError`` names ``field`` and the value if it is not one."""
    if isinstance(value, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
        return value
    try:
        return ipaddress.ip_network(str(value), strict=True)
    except ValueError as exc:
        raise ValueError(
            f"{field}: {value!r} is not a CIDR block ({exc}); allowed: an IPv4 or IPv6 network such as "
            "198.51.100.0/24 or 2001:db8::/32"
        ) from None


def _comparable_forms(network: Network) -> list[Network]:
    forms: list[Network] = [network]
    if isinstance(network, ipaddress.IPv6Network) and network.subnet_of(_IPV4_MAPPED):
        host_bits = 128 - network.prefixlen
        forms.append(ipaddress.IPv4Network((int(network.network_address) & 0xFFFFFFFF, 32 - host_bits)))
    elif isinstance(network, ipaddress.IPv6Network) and _IPV4_MAPPED.subnet_of(network):
        forms.append(ipaddress.IPv4Network("0.0.0.0/0"))
    return forms


def ranges_overlap(a: Network, b: Network) -> bool:
    """True when ``a`` and ``b`` share an address, or either is a ``/0`` default route."""
    if a.prefixlen == 0 or b.prefixlen == 0:
        return True
    return any(x.version == y.version and x.overlaps(y) for x in _comparable_forms(a) for y in _comparable_forms(b))


def overlapping_parents(peer: Network, parents: Iterable[Network]) -> list[Network]:
    """The parent-company ranges that ``peer`` overlaps, in the order given."""
    return [parent for parent in parents if ranges_overlap(peer, parent)]


def parent_overlap_issue(field: str, peer: Network, parents: Iterable[Network]) -> str | None:
    """One line naming ``field``, the peer range and the parent ranges it overlaps; None if disjoint."""
    hits = overlapping_parents(peer, parents)
    if not hits:
        return None
    return (
        f"{field}: '{peer}' overlaps parent-company range(s) {', '.join(str(h) for h in hits)}; "
        "allowed: ranges disjoint from every parent-company CIDR"
    )
