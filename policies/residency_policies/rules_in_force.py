"""Which rules are in force: the rules file the pack reads, its digest, and the illustrative identifiers it
still holds.

The kit ships ``residency.yaml`` with identifiers that only illustrate the format (RFC 5737 / RFC 3849
documentation ranges, OCIDs and organization IDs marked "example", AWS's documentation account IDs): an
estate that keeps them enforces nothing about its real parent company. ``describe_rules_file`` names the file
and its digest for the evidence (the CLI's text output and every report show them), and
``illustrative_identifiers`` lists what must be replaced; the ``residency-rules`` policy says the same to a
user of the real ``pulumi preview --policy-pack policies``, as an advisory notice on the stack.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from residency_policies.ip_ranges import parse_cidr

DOCUMENTATION_RANGES = tuple(
    ipaddress.ip_network(n)
    for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32", "3fff::/20")
)
"""RFC 5737 (IPv4) and RFC 3849 / RFC 9637 (IPv6) ranges reserved for documentation: no real network uses them."""

DOCUMENTATION_ACCOUNT_IDS = frozenset({"123456789012", "000000000000"} | {d * 12 for d in "0123456789"})
"""AWS account IDs used in AWS's documentation and the kit's examples (twelve equal digits)."""

SHIPPED_EXAMPLE_IDS = frozenset({"o-usoversight01"})
"""Identifiers of the shipped rules file that no generic rule above recognises."""

IDENTIFIER_SECTIONS = ("parentCompany", "trusted", "estate")
"""Top-level keys of the rules that name real parties and networks."""


@dataclass(frozen=True)
class RulesFileInfo:
    path: Path
    digest: str
    """``sha256:<hex>`` of the file's bytes (empty when the file cannot be read)."""
    illustrative: tuple[str, ...]


def _leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, Mapping):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def is_illustrative(value: Any) -> bool:
    """True for an identifier that only illustrates the format (see the module doc)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = f"{value:012d}"
    if not isinstance(value, str):
        return False
    text = value.strip()
    if text in SHIPPED_EXAMPLE_IDS or text in DOCUMENTATION_ACCOUNT_IDS:
        return True
    if "example" in text.lower() and (text.lower().startswith(("ocid1.", "o-", "arn:"))):
        return True
    network = parse_cidr(text) if "/" in text or ":" in text or text.count(".") == 3 else None
    if network is not None:
        return any(network.version == d.version and network.subnet_of(d) for d in DOCUMENTATION_RANGES)
    return False


def illustrative_identifiers(data: Any) -> tuple[str, ...]:
    """The illustrative identifiers in the identifier sections of rules data, in file order, each once."""
    if not isinstance(data, Mapping):
        return ()
    found = (str(v) for key in IDENTIFIER_SECTIONS for v in _leaves(data.get(key)) if is_illustrative(v))
    return tuple(dict.fromkeys(found))


@lru_cache(maxsize=8)
def _describe(path: Path, mtime_ns: int, size: int) -> RulesFileInfo:
    import yaml

    raw = path.read_bytes()
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError):
        data = None
    return RulesFileInfo(path, "sha256:" + hashlib.sha256(raw).hexdigest(), illustrative_identifiers(data))


def describe_rules_file(path: Path | None = None) -> RulesFileInfo:
    """The rules file in force (the pack's own ``residency.yaml`` unless ``path`` says otherwise)."""
    if path is None:
        from residency_policies.rules_file import RULES_PATH

        path = RULES_PATH
    path = Path(path).resolve()
    try:
        stat = path.stat()
    except OSError:
        return RulesFileInfo(path, "", ())
    return _describe(path, stat.st_mtime_ns, stat.st_size)
