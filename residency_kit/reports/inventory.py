"""Where each resource lives: cloud, region and (for OCI) compartment, from its inputs and its provider.

A resource's region is its own ``region`` input (pulumi-aws v7 resources take one) or else its provider's
``region``; a compartment is named after the compartment resource in the stack that ``compartmentId``
points at (by id, or by property dependency when the id is still unknown at preview).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from residency_kit.engine.secrets import SECRET_SIG_KEY
from residency_kit.engine.stack import UNKNOWN
from residency_policies.provider_regions import package_of_type, provider_region, resource_region
from residency_policies.urns import provider_reference_urn

COMPARTMENT_TYPE = "oci:Identity/compartment:Compartment"
PROVIDER_PREFIX = "pulumi:providers:"
CLOUD_NAMES = {"oci": "OCI", "aws": "AWS", "pulumi": "Pulumi"}


@dataclass(frozen=True)
class Placement:
    cloud: str
    region: str
    compartment: str


def plain(value: Any) -> Any:
    """A secret's value (wire form ``{sig: ..., value: ...}``; a state export's may be ``plaintext``) or the value."""
    if isinstance(value, Mapping) and SECRET_SIG_KEY in value:
        return value.get("value", value.get("plaintext"))
    return value


def _plain_values(props: Mapping[str, Any]) -> dict[str, Any]:
    """Top-level secrets unwrapped and the engine's unknown as the pack's unknown, as the pack reads them."""
    return {k: plain(v) for k, v in props.items()}


def known_text(value: Any) -> str | None:
    value = plain(value)
    if isinstance(value, str) and value and value != UNKNOWN:
        return value
    return None


def cloud_of(type_token: str, custom: bool) -> str:
    package = package_of_type(type_token).split(":", 1)[0]
    if not custom and package not in ("pulumi",):
        return "component"
    return CLOUD_NAMES.get(package, package)


class Inventory:
    """Placement of every resource of one stack (the preview document's ``resources`` list)."""

    def __init__(
        self,
        resources: Sequence[Mapping[str, Any]],
        outputs: Mapping[str, Mapping[str, Any]] | None = None,
        property_dependencies: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
    ):
        self.resources = list(resources)
        self.by_urn = {r["urn"]: r for r in self.resources}
        self.outputs = dict(outputs or {})
        self.property_dependencies = dict(property_dependencies or {})
        self._compartments_by_id: dict[str, str] = {}
        for r in self.resources:
            if r["type"] != COMPARTMENT_TYPE:
                continue
            for candidate in (r.get("id"), self.outputs.get(r["urn"], {}).get("id")):
                if known_text(candidate):
                    self._compartments_by_id[known_text(candidate)] = r["name"]

    def _props(self, resource: Mapping[str, Any]) -> Mapping[str, Any]:
        inputs = resource.get("inputs") or {}
        return inputs if inputs else self.outputs.get(resource["urn"], {})

    def region(self, resource: Mapping[str, Any]) -> str:
        """The region as the pack decides it (``provider_regions``): "unknown", "not set", or "—" (none applies)."""
        props = _plain_values(self._props(resource))
        if resource["type"].startswith(PROVIDER_PREFIX):
            decided = provider_region(props)
        else:
            provider_ref = resource.get("provider") or ""
            provider = self.by_urn.get(provider_reference_urn(provider_ref)) if provider_ref else None
            if provider_ref and provider is None:
                return "unknown"
            decided = resource_region(
                resource["type"], props, _plain_values(self._props(provider)) if provider is not None else None,
            )
        if decided is None:
            return "—"
        if decided.unknown:
            return "unknown"
        return decided.region or "not set"

    def compartment(self, resource: Mapping[str, Any]) -> str:
        props = self._props(resource)
        if "compartmentId" not in props:
            return "—"
        ocid = known_text(props.get("compartmentId"))
        if ocid:
            if ocid in self._compartments_by_id:
                return self._compartments_by_id[ocid]
            if ocid.startswith("ocid1.tenancy."):
                return "tenancy (root)"
            return ocid if len(ocid) <= 32 else ocid[:20] + "…" + ocid[-8:]
        deps = self.property_dependencies.get(resource["urn"], {}).get("compartmentId", [])
        for dep in deps:
            target = self.by_urn.get(dep)
            if target is not None and target["type"] == COMPARTMENT_TYPE:
                return target["name"]
        return "unknown"

    def placement(self, resource: Mapping[str, Any]) -> Placement:
        return Placement(
            cloud=cloud_of(resource["type"], resource.get("custom", _guess_custom(resource))),
            region=self.region(resource),
            compartment=self.compartment(resource),
        )


def _guess_custom(resource: Mapping[str, Any]) -> bool:
    # The preview document has no ``custom`` flag: providers and resources with a provider reference are
    # custom; the root Stack and components have neither.
    return resource["type"].startswith(PROVIDER_PREFIX) or bool(resource.get("provider"))
