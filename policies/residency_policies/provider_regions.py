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


def cloud_of_type(type_token: str) -> str | None:
    """``oci`` / ``aws`` for resource and provider type tokens of those packages, else None."""
    if type_token.startswith(PROVIDER_TYPE_PREFIX):
        pkg = type_token.removeprefix(PROVIDER_TYPE_PREFIX)
    else:
        pkg = type_token.split(":", 1)[0]
    return pkg if pkg in ("oci", "aws") else None


@dataclass(frozen=True)
class EffectiveRegion:
    """The region a resource is created in, and which input decided it (for messages)."""

    region: str | None
    source: str  # e.g. "region input", "provider <urn> region"
    unknown: bool = False


def effective_region(resource: "ResourceView") -> EffectiveRegion | None:
    """Region of an OCI/AWS custom resource; None when it cannot apply (not OCI/AWS, or no provider at all)."""
    cloud = cloud_of_type(resource.type)
    if cloud is None or resource.type.startswith(PROVIDER_TYPE_PREFIX):
        return None
    if cloud == "aws":
        own = resource.props.get("region")
        if is_unknown(own):
            return EffectiveRegion(None, "region input", unknown=True)
        if isinstance(own, str) and own:
            return EffectiveRegion(own, "region input")
    provider = resource.provider
    if provider is None:
        return None
    return provider_region(provider.props, f"provider {provider.urn}")


def provider_region(props: Mapping[str, Any], source: str = "provider") -> EffectiveRegion:
    region = props.get("region")
    if is_unknown(region):
        return EffectiveRegion(None, f"{source} region", unknown=True)
    if isinstance(region, str) and region.strip():
        return EffectiveRegion(region.strip(), f"{source} region")
    return EffectiveRegion(None, f"{source} region")
