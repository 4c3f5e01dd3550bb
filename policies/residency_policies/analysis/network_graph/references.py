"""Resolve one resource's id-valued inputs to the stack resources they came from.

At preview the ids of resources being created are unknown sentinels, so ``subnet.routeTableId`` says
nothing by itself. The engine's ``propertyDependencies`` do: for each top-level input key, the URNs of
the resources whose outputs flowed into it. We take those URNs, keep the ones of the expected types and
fall back to the literal value (an id of something outside the stack) or to "unresolved".

When one key holds several references (``routeRules`` with an IGW and a DRG), the dependencies cannot
say which element came from which resource; every candidate of the expected type is then returned and
the caller treats each as possible, which is conservative.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from residency_policies.analysis.network_graph.model import NetResource
from residency_policies.values import is_unknown


@dataclass(frozen=True)
class Resolved:
    keys: tuple[str, ...]  # node keys: in-stack URNs, or "external:<id>" / "unresolved:<what>"
    ambiguous: bool = False

    @property
    def unresolved(self) -> bool:
        return any(k.startswith("unresolved:") for k in self.keys)


class References:
    def __init__(self, resources: Iterable[NetResource]):
        self.by_urn: dict[str, NetResource] = {r.urn: r for r in resources}

    def type_of(self, urn: str) -> str | None:
        r = self.by_urn.get(urn)
        return r.type if r is not None else None

    def candidates(self, resource: NetResource, key: str, types: Iterable[str]) -> list[str]:
        wanted = set(types)
        return [u for u in resource.property_dependencies.get(key, ()) if self.type_of(u) in wanted]

    def one(self, resource: NetResource, key: str, value, types: Iterable[str], what: str) -> Resolved:
        """Resolve a single reference ``value`` found under top-level input ``key``.

        ``what`` names the piece for messages, e.g. ``"rt-data.routeRules[0].networkEntityId"``.
        """
        found = self.candidates(resource, key, types)
        if len(found) == 1:
            return Resolved((found[0],))
        if len(found) > 1:
            return Resolved(tuple(found), ambiguous=True)
        if value is None or value == "":
            return Resolved(())
        if is_unknown(value) or not isinstance(value, str):
            return Resolved((f"unresolved:{what}",))
        return Resolved((f"external:{value}",))

    def many(self, resource: NetResource, key: str, values, types: Iterable[str], what: str) -> Resolved:
        """Resolve a list of references (``securityListIds``, ``nsgIds``)."""
        found = self.candidates(resource, key, types)
        if values is None:
            return Resolved(tuple(found))
        if is_unknown(values) or not isinstance(values, (list, tuple)):
            # Unknown, or not a list at all (a malformed document): fail closed, never raise.
            return Resolved(tuple(found) or (f"unresolved:{what}",))
        keys = list(found)
        literal = [v for v in values if isinstance(v, str) and not is_unknown(v)]
        unknown = [v for v in values if not isinstance(v, str) or is_unknown(v)]
        # Literal ids that no in-stack resource explains point outside the stack.
        if len(found) < len(values):
            keys.extend(f"external:{v}" for v in literal[: len(values) - len(found)])
            if unknown and len(found) < len(unknown):
                keys.append(f"unresolved:{what}")
        return Resolved(tuple(dict.fromkeys(keys)))
