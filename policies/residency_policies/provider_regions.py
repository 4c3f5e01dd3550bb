"""Which region a resource is created in: its own ``region`` input (AWS v7) or its provider's region.

OCI resources take their region only from the provider; AWS (v7) resources take a ``region`` input that
overrides the provider's. A provider with no region set yields ``region=None``: the region would come from
the environment or ``~/.oci/config`` and cannot be verified.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from residency_policies.values import is_unknown

if TYPE_CHECKING:  # pragma: no cover
    from residency_policies.framework import ResourceView

PROVIDER_TYPE_PREFIX = "pulumi:providers:"


def is_default_provider(name: str) -> bool:
    """True for the engine's default providers (``default``, ``default_5_5_0``): their inputs are the stack's
    ``<package>:*`` config, so a fix is a ``pulumi config set`` command."""
    return name == "default" or name.startswith("default_")


def package_of_type(type_token: str) -> str:
    """The package a resource or provider type token belongs to (``oci``, ``aws``, ``pulumi``, ...)."""
    if type_token.startswith(PROVIDER_TYPE_PREFIX):
        return type_token.removeprefix(PROVIDER_TYPE_PREFIX)
    return type_token.split(":", 1)[0]


def cloud_of_type(type_token: str) -> str | None:
    """``oci`` / ``aws`` for resource and provider type tokens of those packages, else None."""
    pkg = package_of_type(type_token)
    return pkg if pkg in ("oci", "aws") else None


@dataclass(frozen=True)
class EffectiveRegion:
    """The region a resource is created in, and which input decided it (for messages)."""

    region: str | None
    source: str  # e.g. "region input", "provider <urn> region"
    unknown: bool = False


def effective_region(resource: ResourceView) -> EffectiveRegion | None:
    """Region of an OCI/AWS custom resource; None when it cannot apply (not OCI/AWS, or no provider at all)."""
    provider = resource.provider
    return resource_region(
        resource.type, resource.props, provider.props if provider is not None else None,
        provider.urn if provider is not None else "",
    )


def resource_region(
    type_token: str, props: Mapping[str, Any], provider_props: Mapping[str, Any] | None, provider_urn: str = "",
) -> EffectiveRegion | None:
    """Region of an OCI/AWS custom resource from its own inputs and its provider's (None when none applies:
    not OCI/AWS, a provider itself, or no provider at all). The pack and the reports both decide it here."""
    cloud = cloud_of_type(type_token)
    if cloud is None or type_token.startswith(PROVIDER_TYPE_PREFIX):
        return None
    if cloud == "aws":
        own = props.get("region")
        if is_unknown(own):
            return EffectiveRegion(None, "region input", unknown=True)
        if isinstance(own, str) and own:
            return EffectiveRegion(own, "region input")
    if provider_props is None:
        return None
    return provider_region(provider_props, f"provider {provider_urn}" if provider_urn else "provider")


def provider_region(props: Mapping[str, Any], source: str = "provider") -> EffectiveRegion:
    region = props.get("region")
    if is_unknown(region):
        return EffectiveRegion(None, f"{source} region", unknown=True)
    if isinstance(region, str) and region.strip():
        return EffectiveRegion(region.strip(), f"{source} region")
    return EffectiveRegion(None, f"{source} region")
