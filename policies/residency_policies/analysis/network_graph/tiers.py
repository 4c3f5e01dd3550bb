"""Subnet tiers, as a stack declares them with the ``residency-tier`` tag, and a public tier's declared ports.

* ``data`` (and every subnet without the tag: fail closed) and ``management``: nothing from the internet or a
  parent-company range may reach them; a data subnet may not send to a parent range either.
* ``public``: may face the internet on its declared ports, parent ranges included (a public website is
  reachable from the parent's offices as from anywhere). The ports are the ``residency-public-ports`` tag
  (``"443"``, ``"80,443"``, ``"8000-8080 443"``), HTTP and HTTPS (80, 443) when the tag is absent. ICMP is
  admitted too (path-MTU discovery and reachability checks carry no data).
* any other value (``app``, ``web`` ...): an internal tier that holds no US user data; it may not face the
  internet or the parent company, and the rules that open such a path are reported where they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from residency_policies.values import is_unknown

TIER_TAG = "residency-tier"
PORTS_TAG = "residency-public-ports"
DATA, MANAGEMENT, PUBLIC = "data", "management", "public"
PROTECTED = frozenset({DATA, MANAGEMENT})  # tiers nothing outside may reach
DEFAULT_PUBLIC_PORTS = ((80, 80), (443, 443))

_RANGE = re.compile(r"^(\d{1,5})(?:-(\d{1,5}))?$")


@dataclass(frozen=True)
class Ports:
    """What a security rule admits: ``protocol`` (``all``, ``tcp``, ``udp``, ``icmp`` ...) and a port range
    (``low``/``high`` None = every port)."""

    protocol: str
    low: int | None = None
    high: int | None = None

    def within(self, declared: tuple[tuple[int, int], ...]) -> bool:
        """True when every port this admits is a declared public port (ICMP carries no service)."""
        if self.protocol in ("icmp", "icmpv6"):
            return True
        if self.protocol not in ("tcp", "udp") or self.low is None or self.high is None:
            return False
        return any(lo <= self.low and self.high <= hi for lo, hi in declared)

    def __str__(self) -> str:
        if self.low is None or self.protocol not in ("tcp", "udp"):
            return self.protocol
        return f"{self.protocol} {self.low}" if self.low == self.high else f"{self.protocol} {self.low}-{self.high}"


ALL = Ports("all")


def parse_public_ports(value: Any) -> tuple[tuple[int, int], ...] | None:
    """The declared ports of a ``residency-public-ports`` tag value; None when it cannot be read (unknown at
    preview, or not a list of ports and ranges), which declares none (fail closed)."""
    if not isinstance(value, str) or is_unknown(value):
        return None
    out = []
    for token in re.split(r"[\s,]+", value.strip()):
        if not token:
            continue
        match = _RANGE.match(token)
        if not match:
            return None
        lo, hi = int(match[1]), int(match[2] or match[1])
        if not (0 < lo <= hi <= 65535):
            return None
        out.append((lo, hi))
    return tuple(out) or None


def public_ports(tags: Any) -> tuple[tuple[int, int], ...]:
    """A public subnet's declared ports from its tags (the default when the tag is absent, none when unreadable)."""
    if not isinstance(tags, dict) or PORTS_TAG not in tags:
        return DEFAULT_PUBLIC_PORTS
    return parse_public_ports(tags[PORTS_TAG]) or ()


def describe_ports(declared: tuple[tuple[int, int], ...]) -> str:
    if not declared:
        return "none (its residency-public-ports tag cannot be read)"
    return ", ".join(str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in declared)
