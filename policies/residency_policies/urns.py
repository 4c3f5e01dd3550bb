"""Pulumi resource URNs: ``urn:pulumi:<stack>::<project>::<qualified type>::<name>``.

The qualified type is the chain of parent types and the resource's own type joined by ``$`` (the engine
leaves out the root Stack's type, ``Deployment.generateURN`` in pulumi/pulumi); the name may itself contain
``::``. The one home for building and reading URNs: the engine, the reports and the pack's waivers use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

URN_PREFIX = "urn:pulumi:"


@dataclass(frozen=True)
class Urn:
    stack: str
    project: str
    qualified_type: str
    name: str

    @property
    def type(self) -> str:
        """The resource's own type token (the last link of the qualified type)."""
        return self.qualified_type.split("$")[-1]

    @property
    def parent_types(self) -> tuple[str, ...]:
        return tuple(self.qualified_type.split("$")[:-1])


def make_urn(stack: str, project: str, type_: str, name: str, parent_qualified_type: str = "") -> str:
    qualified = f"{parent_qualified_type}${type_}" if parent_qualified_type else type_
    return f"{URN_PREFIX}{stack}::{project}::{qualified}::{name}"


def parse_urn(value: Any) -> Urn | None:
    """The parts of a well-formed URN (every part non-empty); None for anything else."""
    if not isinstance(value, str) or not value.startswith(URN_PREFIX):
        return None
    parts = value[len(URN_PREFIX):].split("::", 3)
    if len(parts) != 4 or not all(parts):
        return None
    stack, project, qualified_type, name = parts
    if any(not link for link in qualified_type.split("$")):
        return None
    return Urn(stack, project, qualified_type, name)


def is_urn(value: Any) -> bool:
    return parse_urn(value) is not None


def urn_qualified_type(urn: str) -> str:
    parsed = parse_urn(urn)
    return parsed.qualified_type if parsed else ""


def urn_type(urn: str) -> str:
    """The resource type a URN names; "" when ``urn`` is not a URN."""
    parsed = parse_urn(urn)
    return parsed.type if parsed else ""


def urn_name(urn: str) -> str:
    """The resource name a URN names; "" when ``urn`` is not a URN."""
    parsed = parse_urn(urn)
    return parsed.name if parsed else ""


def provider_reference_urn(reference: str) -> str:
    """The provider's URN in a provider reference ``<provider urn>::<provider id>`` ("" for "")."""
    return reference.rsplit("::", 1)[0] if reference else ""


def provider_reference_id(reference: str) -> str:
    """The provider's ID in a provider reference ``<provider urn>::<provider id>`` ("" when there is none)."""
    return reference.rsplit("::", 1)[1] if reference and reference.count("::") > 3 else ""
