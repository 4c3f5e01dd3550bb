"""IP ranges: parsing CIDR blocks and deciding whether two ranges share an address. The one home for it:
the settings, the components, the per-rule network checks and the reachability graph all use these.

Two questions, two answers:

* **Does a range name parent-company addresses?** (``shares_address``, ``reaches_parent``: the settings and
  the per-resource refusal.) Two ranges share an address when any address is in both, counting the IPv6 forms
  that write an IPv4 address: IPv4-mapped (``::ffff:0:0/96``), the NAT64 well-known prefix (``64:ff9b::/96``)
  and 6to4 (``2002::/16``, the IPv4 address in bits 16-47). So ``64:ff9b::cb00:7100/120`` names
  ``203.0.113.0/24``, and ``::/0`` (which contains every such form) holds every IPv4 range. A range *reaches* a
  parent-company range when it shares an address with it or is a default route (``/0``) of either version:
  "anywhere" is refused wherever a range is configured by itself (fail closed).
* **Which ranges carry a parent range's packets on a path?** (``path_forms``: the reachability proof and the
  judgement of wide rules such as ``::/0`` by their paths.) The range itself, and for IPv4 its NAT64 form,
  which reaches the IPv4 hosts only through a NAT64 translator on the path (an AWS NAT gateway with a route for
  ``64:ff9b::/96``). The IPv4-mapped form never appears on the wire, and 6to4 is relayed outside any stack
  (deprecated, RFC 7526): neither makes an IPv6 rule reach an IPv4 host. So an allow ``::/0`` reaches
  ``203.0.113.0/24`` only where the stack translates, and the range to deny there is
  ``64:ff9b::cb00:7100/120``; the parent's own IPv6 ranges are listed in ``parentCompany.cidrs``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from residency_policies.values import is_unknown

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")
"""The NAT64 well-known prefix (RFC 6052), which AWS NAT gateways translate (DNS64 answers with it)."""

# (prefix, bit offset of the embedded IPv4 address from the top of the IPv6 address)
IPV4_EMBEDDINGS: tuple[tuple[ipaddress.IPv6Network, int], ...] = (
    (ipaddress.IPv6Network("::ffff:0:0/96"), 96),  # IPv4-mapped
    (NAT64_PREFIX, 96),  # NAT64 well-known prefix (RFC 6052)
    (ipaddress.IPv6Network("2002::/16"), 16),  # 6to4 (RFC 3056)
)
_ALL_V4 = ipaddress.IPv4Network("0.0.0.0/0")


def parse_cidr(value: Any, *, strict: bool = False) -> Network | None:
    """A network from a CIDR block or a bare address; None for anything else (unknowns, non-strings, "").

    ``strict`` refuses host bits set (``10.0.0.1/8``), as settings do; rules in resources are read as the
    clouds read them, host bits ignored.
    """
    if isinstance(value, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
        return value
    if not isinstance(value, str) or is_unknown(value):
        return None
    return _parse_text(value, strict)


@lru_cache(maxsize=65536)
def _parse_text(value: str, strict: bool) -> Network | None:
    # Networks are immutable; a stack repeats the same few ranges in thousands of rules.
    text = value.strip()
    if not text:
        return None
    try:
        return ipaddress.ip_network(text, strict=strict)
    except ValueError:
        return None


def as_network(value: Any, field: str | None = None) -> Network:
    """Parse a CIDR block strictly, or raise a ``ValueError`` saying (for ``field``) what is allowed."""
    network = parse_cidr(value, strict=True)
    if network is not None:
        return network
    reason = ""
    if isinstance(value, str):
        try:
            ipaddress.ip_network(value.strip(), strict=True)
        except ValueError as exc:
            reason = f" ({exc})"
    prefix = f"{field}: {value!r} is " if field else ""
    raise ValueError(
        f"{prefix}not a CIDR block{reason}; allowed: an IPv4 or IPv6 network such as 198.51.100.0/24 or "
        "2001:db8::/32"
    )


def _embedded_ipv4(network: ipaddress.IPv6Network) -> list[ipaddress.IPv4Network]:
    """The IPv4 ranges an IPv6 range carries through the embeddings above."""
    out: list[ipaddress.IPv4Network] = []
    for prefix, offset in IPV4_EMBEDDINGS:
        if network.prefixlen <= prefix.prefixlen:
            if prefix.subnet_of(network):
                out.append(_ALL_V4)
            continue
        if not network.subnet_of(prefix):
            continue
        shift = 128 - offset - 32
        address = (int(network.network_address) >> shift) & 0xFFFFFFFF
        length = min(network.prefixlen - offset, 32)
        out.append(ipaddress.IPv4Network((address >> (32 - length) << (32 - length), length)))
    return out


def _ipv6_form(network: ipaddress.IPv4Network, prefix: ipaddress.IPv6Network, offset: int) -> ipaddress.IPv6Network:
    shift = 128 - offset - 32
    base = int(prefix.network_address) | (int(network.network_address) << shift)
    return ipaddress.IPv6Network((base, offset + network.prefixlen))


def _ipv6_forms(network: ipaddress.IPv4Network) -> list[ipaddress.IPv6Network]:
    return [_ipv6_form(network, prefix, offset) for prefix, offset in IPV4_EMBEDDINGS]


def nat64_form(network: ipaddress.IPv4Network) -> ipaddress.IPv6Network:
    """The NAT64 (``64:ff9b::/96``) form of an IPv4 range: ``203.0.113.0/24`` -> ``64:ff9b::cb00:7100/120``."""
    return _ipv6_form(network, NAT64_PREFIX, 96)


@lru_cache(maxsize=65536)
def path_forms(network: Network) -> tuple[tuple[Network, bool], ...]:
    """``(range, translated)`` for each range that carries ``network``'s packets on a path (see module doc):
    the range itself, and for IPv4 its NAT64 form, ``translated`` (reached only through a NAT64 translator)."""
    if isinstance(network, ipaddress.IPv4Network):
        return ((network, False), (nat64_form(network), True))
    return ((network, False),)


@lru_cache(maxsize=65536)
def address_forms(network: Network) -> tuple[Network, ...]:
    """``network`` and every range of the other IP version that holds the same hosts (see module doc)."""
    if isinstance(network, ipaddress.IPv4Network):
        return (network, *_ipv6_forms(network))
    return (network, *_embedded_ipv4(network))


@lru_cache(maxsize=262144)
def shares_address(a: Network, b: Network) -> bool:
    """True when ``a`` and ``b`` have an address in common, counting IPv4-in-IPv6 forms."""
    if a.version == b.version and a.overlaps(b):
        return True
    return any(x.version == y.version and x.overlaps(y) for x in address_forms(a) for y in address_forms(b))


def reaches_parent(candidate: Network, parent: Network) -> bool:
    """True when ``candidate`` shares an address with ``parent`` or either is a ``/0`` default route."""
    if candidate.prefixlen == 0 or parent.prefixlen == 0:
        return True
    return shares_address(candidate, parent)


def overlapping_parents(candidate: Network, parents: Iterable[Network]) -> tuple[Network, ...]:
    """The parent-company ranges that ``candidate`` reaches, in the order given."""
    return tuple(parent for parent in parents if reaches_parent(candidate, parent))


def parent_overlap_issue(field: str, candidate: Network, parents: Iterable[Network]) -> str | None:
    """One line naming ``field``, the range and the parent ranges it reaches; None if it reaches none."""
    hits = overlapping_parents(candidate, parents)
    if not hits:
        return None
    return (
        f"{field}: '{candidate}' overlaps parent-company range(s) {', '.join(str(h) for h in hits)}; "
        "allowed: ranges disjoint from every parent-company CIDR (IPv4-mapped, NAT64 and 6to4 forms included)"
    )
