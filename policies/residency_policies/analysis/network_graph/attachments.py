"""Which resources carry which security groups (AWS) or network security groups (OCI), and in which subnets.

A group admits nothing by itself: it governs the network interfaces of the resources that carry it, in the
subnets those resources sit in. The inputs through which a resource attaches groups and places interfaces are
generated from the SDK schemas (``policies/tools/generate_network_attachments.py`` ->
``data/network_attachments.txt``, with a drift test), so every type that takes ``securityGroupIds``,
``vpcSecurityGroupIds``, ``nsgIds`` ... is covered, not a hand-kept list.

Placement is read from the engine's ``propertyDependencies`` (ids of resources being created are unknown at
preview): the subnets a resource names directly, the subnets of a subnet group it names (an RDS or ElastiCache
subnet group), or, for a resource that names none (a launch template), the subnets of the resources built
from it (an Auto Scaling group, an EKS node group). A group attached to nothing in the stack governs nothing.
A resource that names no group at all gets its VPC's default security group (AWS), which is the only way that
group governs anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from residency_policies.analysis.network_graph.model import NetResource
from residency_policies.analysis.network_graph.references import References
from residency_policies.values import is_unknown, walk

DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "network_attachments.txt"


@dataclass(frozen=True)
class AttachmentInputs:
    groups: tuple[str, ...]  # input paths naming attached groups
    subnets: tuple[str, ...]  # input paths placing the resource in subnets (or a subnet group)

    @property
    def group_keys(self) -> frozenset[str]:
        return frozenset(_top(p) for p in self.groups)

    @property
    def subnet_keys(self) -> frozenset[str]:
        return frozenset(_top(p) for p in self.subnets)


def _top(path: str) -> str:
    return path.split(".", 1)[0].removesuffix("[]").removesuffix("{}")


@lru_cache(maxsize=1)
def load(path: Path = DATA_FILE) -> dict[str, AttachmentInputs]:
    groups: dict[str, list[str]] = {}
    subnets: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        token, kind, input_path = line.split("\t")
        (groups if kind == "groups" else subnets).setdefault(token, []).append(input_path)
    return {t: AttachmentInputs(tuple(g), tuple(subnets.get(t, ()))) for t, g in groups.items()}


@dataclass(frozen=True)
class Attachment:
    """One resource carrying groups on interfaces it places in subnets."""

    holder: str  # URN of the resource that carries the groups
    name: str
    type: str
    groups: tuple[str, ...]  # URNs of in-stack groups it carries
    unresolved_groups: tuple[str, ...]  # groups it carries that the stack cannot show (clauses for messages)
    uses_default: bool  # names no group: its VPC's default security group (AWS)
    subnets: tuple[str, ...]  # URNs of the in-stack subnets it sits in
    placed_outside: str | None  # where it sits when that is outside the stack ("subnets this stack does not create (...)")


def read(resources: Iterable[NetResource], refs: References, group_types: Iterable[str], subnet_type: str,
         ) -> list[Attachment]:
    """Every attachment of a group (of ``group_types``) by a resource of the stack."""
    table = load()
    group_types = tuple(group_types)
    items = list(resources)
    dependents: dict[str, list[NetResource]] = {}
    for r in items:
        for urn in {u for urns in r.property_dependencies.values() for u in urns}:
            dependents.setdefault(urn, []).append(r)
    out = []
    for r in items:
        inputs = table.get(r.type)
        if inputs is None:
            continue
        groups, unresolved, named = _groups(r, refs, inputs, group_types)
        if not r.type.startswith("aws:") and not groups and not unresolved:
            continue  # OCI has no default group: a VNIC without NSGs carries none
        subnets, outside = _subnets(r, refs, inputs, subnet_type, dependents)
        if not subnets and outside is None:
            if not (named and r.type.startswith("aws:")):
                continue  # not placed anywhere (an unused template, a function outside any VPC)
            # AWS places an interface that names groups but no subnet in the account's default VPC.
            outside = f"the account's default VPC ({r.name} names no subnet)"
        out.append(Attachment(r.urn, r.name, r.type, groups, unresolved, not named, subnets, outside))
    return out


def _groups(r: NetResource, refs: References, inputs: AttachmentInputs, group_types: tuple[str, ...],
            ) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    """(in-stack groups, clauses for groups the stack cannot show, whether any group is named at all)."""
    found: list[str] = []
    for key in inputs.group_keys:
        found += refs.candidates(r, key, group_types)
    found = list(dict.fromkeys(found))
    values = [(p, v) for path in inputs.groups for p, v in walk(r.props, path) if v not in (None, "", [])]
    unresolved: list[str] = []
    # Ids no in-stack group explains: literal ids of another stack's groups, or unknown ids from a lookup.
    # Either way their rules cannot be read here.
    leftover = len(values) - len(found)
    if leftover > 0:
        literal = [v for _, v in values if isinstance(v, str) and not is_unknown(v)]
        shown = ", ".join(literal[:3]) if literal else f"{r.name}.{values[0][0]}, unknown at preview"
        unresolved.append(f"{r.name} carries security group(s) this stack does not create ({shown}), whose rules "
                          "cannot be read")
    return tuple(dict.fromkeys(found)), tuple(unresolved), bool(values or found)


def _subnets(r: NetResource, refs: References, inputs: AttachmentInputs, subnet_type: str,
             dependents: dict[str, list[NetResource]]) -> tuple[tuple[str, ...], str | None]:
    found: list[str] = []
    via_groups = False
    if not inputs.subnets:
        # An association of groups with another resource (an interface, an endpoint): that resource's subnets.
        for urn in {u for urns in r.property_dependencies.values() for u in urns}:
            other = refs.by_urn.get(urn)
            if other is not None:
                found += [u for urns in other.property_dependencies.values() for u in urns if refs.type_of(u) == subnet_type]
        return tuple(dict.fromkeys(found)), None
    for key in inputs.subnet_keys:
        for urn in r.property_dependencies.get(key, ()):
            kind = refs.type_of(urn)
            if kind == subnet_type:
                found.append(urn)
            elif kind is not None:  # a subnet group: the subnets it names
                group = refs.by_urn[urn]
                found += [u for urns in group.property_dependencies.values() for u in urns if refs.type_of(u) == subnet_type]
                via_groups = True
    values = [(p, v) for path in inputs.subnets for p, v in walk(r.props, path) if v not in (None, "", [])]
    if not found and not values:
        # A template: the resources built from it place its interfaces.
        for other in dependents.get(r.urn, []):
            found += [u for urns in other.property_dependencies.values() for u in urns if refs.type_of(u) == subnet_type]
        return tuple(dict.fromkeys(found)), None
    outside = None
    if not found and not via_groups:
        shown = ", ".join(f"{r.name}.{p}" for p, _ in values[:2])
        outside = (f"subnets this stack does not create ({shown}: the account's default VPC, or a lookup)"
                   if values else None)
    return tuple(dict.fromkeys(found)), outside


__all__ = ["Attachment", "AttachmentInputs", "load", "read"]
