"""IP prefixes as integer intervals, sets of them, and longest-prefix lookups, for the reachability graph.

Parsing and what "the same hosts" means across IP versions are ``residency_policies.ip_ranges``. Every CIDR
is parsed once into ``Prefix(version, start, end, length)``. Overlap tests against a source
(a sorted, disjoint ``RangeSet``) are a bisect, and a route table answers "which rules can carry some
address of this set" with at most one dict probe per prefix length (a hash-per-length prefix trie), so
the proof stays near-linear in the number of rules.
"""

from __future__ import annotations

import bisect
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from residency_policies.ip_ranges import Network, parse_cidr

_MAX_LEN = {4: 32, 6: 128}


@dataclass(frozen=True)
class Prefix:
    version: int
    start: int
    end: int
    length: int
    text: str

    def overlaps(self, other: Prefix) -> bool:
        return self.version == other.version and self.start <= other.end and other.start <= self.end

    def covers(self, start: int, end: int) -> bool:
        return self.start <= start and end <= self.end

    def __str__(self) -> str:
        return self.text


def prefix_of(net: Network) -> Prefix:
    return Prefix(net.version, int(net.network_address), int(net.broadcast_address), net.prefixlen, str(net))


def parse_prefix(value: Any) -> Prefix | None:
    """A ``Prefix`` from a CIDR or bare address (host bits allowed); None for unknowns and non-CIDRs."""
    net = parse_cidr(value)
    return prefix_of(net) if net is not None else None


class RangeSet:
    """A set of addresses as sorted, disjoint intervals per IP version."""

    def __init__(self, prefixes: Iterable[Prefix]):
        by_version: dict[int, list[tuple[int, int]]] = {4: [], 6: []}
        for p in prefixes:
            by_version[p.version].append((p.start, p.end))
        self._starts: dict[int, list[int]] = {}
        self._intervals: dict[int, list[tuple[int, int]]] = {}
        for version, intervals in by_version.items():
            merged: list[tuple[int, int]] = []
            for start, end in sorted(intervals):
                if merged and start <= merged[-1][1] + 1:
                    merged[-1] = (merged[-1][0], max(merged[-1][1], end))
                else:
                    merged.append((start, end))
            self._intervals[version] = merged
            self._starts[version] = [s for s, _ in merged]

    def overlaps(self, prefix: Prefix) -> bool:
        intervals = self._intervals[prefix.version]
        i = bisect.bisect_right(self._starts[prefix.version], prefix.end) - 1
        return i >= 0 and intervals[i][1] >= prefix.start

    def pieces_within(self, prefix: Prefix) -> list[tuple[int, int]]:
        """The parts of this set that fall inside ``prefix``, as intervals."""
        intervals = self._intervals[prefix.version]
        starts = self._starts[prefix.version]
        i = max(bisect.bisect_right(starts, prefix.start) - 1, 0)
        out = []
        while i < len(intervals) and intervals[i][0] <= prefix.end:
            start, end = max(intervals[i][0], prefix.start), min(intervals[i][1], prefix.end)
            if start <= end:
                out.append((start, end))
            i += 1
        return out

    def without(self, prefixes: Iterable[Prefix]) -> RangeSet:
        """This set minus ``prefixes``."""
        holes: dict[int, list[tuple[int, int]]] = {4: [], 6: []}
        for p in prefixes:
            holes[p.version].append((p.start, p.end))
        out = RangeSet([])
        for version, intervals in self._intervals.items():
            kept = []
            for start, end in intervals:
                pieces = [(start, end)]
                for h_start, h_end in sorted(holes[version]):
                    next_pieces = []
                    for a, b in pieces:
                        if h_end < a or h_start > b:
                            next_pieces.append((a, b))
                            continue
                        if a < h_start:
                            next_pieces.append((a, h_start - 1))
                        if h_end < b:
                            next_pieces.append((h_end + 1, b))
                    pieces = next_pieces
                kept.extend(pieces)
            out._intervals[version] = kept
            out._starts[version] = [a for a, _ in kept]
        return out

    def only(self, versions: set[int]) -> RangeSet:
        out = RangeSet([])
        for version in versions:
            out._intervals[version] = self._intervals[version]
            out._starts[version] = self._starts[version]
        return out

    def intervals(self, version: int) -> list[tuple[int, int]]:
        return self._intervals[version]

    def covered_by(self, prefixes: list[Prefix]) -> bool:
        """True when every address of this set lies inside one of ``prefixes``."""
        for version, intervals in self._intervals.items():
            for start, end in intervals:
                if not any(p.version == version and p.covers(start, end) for p in prefixes):
                    return False
        return True

    @property
    def versions(self) -> set[int]:
        return {v for v, items in self._intervals.items() if items}


# Addresses that are never reachable from the public internet: RFC 1918, CGNAT, loopback, link-local,
# "this network", multicast and reserved (v4); unique-local, link-local, loopback, multicast (v6).
_NON_INTERNET_V4 = [
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4",
]  # fmt: skip


def internet_v4() -> list[Prefix]:
    """0.0.0.0/0 without the ranges the internet cannot address."""
    remaining = [ipaddress.IPv4Network("0.0.0.0/0")]
    for excluded in map(ipaddress.IPv4Network, _NON_INTERNET_V4):
        next_remaining: list[ipaddress.IPv4Network] = []
        for net in remaining:
            if excluded.subnet_of(net):
                next_remaining.extend(net.address_exclude(excluded))
            elif not net.subnet_of(excluded):
                next_remaining.append(net)
        remaining = next_remaining
    return [p for p in (parse_prefix(str(n)) for n in remaining) if p is not None]


def internet_v6() -> list[Prefix]:
    """Global unicast IPv6 (2000::/3): what ``::/0`` reaches on the internet."""
    return [parse_prefix("2000::/3")]  # type: ignore[list-item]


class PrefixTable:
    """Rules keyed by exact prefix, for longest-prefix-match shadowing checks."""

    def __init__(self) -> None:
        self._by_key: dict[tuple[int, int, int], list[Any]] = {}
        self._lengths: dict[int, set[int]] = {4: set(), 6: set()}

    def add(self, prefix: Prefix, item: Any) -> None:
        self._by_key.setdefault((prefix.version, prefix.length, prefix.start), []).append(item)
        self._lengths[prefix.version].add(prefix.length)

    def shadowed(self, prefix: Prefix, start: int, end: int) -> bool:
        """True when a strictly more specific prefix than ``prefix`` covers all of ``[start, end]``."""
        max_len = _MAX_LEN[prefix.version]
        for length in self._lengths[prefix.version]:
            if length <= prefix.length:
                continue
            mask = ((1 << max_len) - 1) ^ ((1 << (max_len - length)) - 1)
            key_start = start & mask
            if (prefix.version, length, key_start) in self._by_key and key_start + (1 << (max_len - length)) - 1 >= end:
                return True
        return False
