"""Region tables and region resolution: provider regions, OCID / ARN / availability-domain parsing.

OCI identifiers carry the region as a segment (``ocid1.<type>.<realm>.<region>.<unique>``), written as
either the three-letter region key (``iad``) or the region identifier (``us-ashburn-1``); tenancy-level
OCIDs leave it empty. Availability-domain names carry the key (``Uocm:PHX-AD-1``). AWS ARNs carry region
and account (``arn:aws:kms:us-east-2:111111111111:key/...``); S3 bucket ARNs carry neither region nor
account. Sources: OCI "Regions and Availability Domains", "Resource Identifiers"; AWS "ARN format".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from residency_policies.values import is_unknown

if TYPE_CHECKING:  # pragma: no cover
    from residency_policies.framework import ResourceView

# Region key (lower case) -> region identifier. Keys not listed are treated as unrecognised (fail closed).
OCI_REGION_KEYS: dict[str, str] = {
    "iad": "us-ashburn-1",
    "phx": "us-phoenix-1",
    "sjc": "us-sanjose-1",
    "ord": "us-chicago-1",
    "lfi": "us-langley-1",
    "luf": "us-luke-1",
    "ric": "us-gov-ashburn-1",
    "pia": "us-gov-chicago-1",
    "tus": "us-gov-phoenix-1",
    "yyz": "ca-toronto-1",
    "yul": "ca-montreal-1",
    "gru": "sa-saopaulo-1",
    "vcp": "sa-vinhedo-1",
    "scl": "sa-santiago-1",
    "vap": "sa-valparaiso-1",
    "bog": "sa-bogota-1",
    "qro": "mx-queretaro-1",
    "mty": "mx-monterrey-1",
    "lhr": "uk-london-1",
    "cwl": "uk-cardiff-1",
    "ltn": "uk-gov-london-1",
    "brs": "uk-gov-cardiff-1",
    "fra": "eu-frankfurt-1",
    "ams": "eu-amsterdam-1",
    "cdg": "eu-paris-1",
    "mrs": "eu-marseille-1",
    "lin": "eu-milan-1",
    "mad": "eu-madrid-1",
    "arn": "eu-stockholm-1",
    "zrh": "eu-zurich-1",
    "beg": "eu-jovanovac-1",
    "mtz": "il-jerusalem-1",
    "jed": "me-jeddah-1",
    "ruh": "me-riyadh-1",
    "dxb": "me-dubai-1",
    "auh": "me-abudhabi-1",
    "jnb": "af-johannesburg-1",
    "bom": "ap-mumbai-1",
    "hyd": "ap-hyderabad-1",
    "sin": "ap-singapore-1",
    "xsp": "ap-singapore-2",
    "nrt": "ap-tokyo-1",
    "kix": "ap-osaka-1",
    "icn": "ap-seoul-1",
    "yny": "ap-chuncheon-1",
    "syd": "ap-sydney-1",
    "mel": "ap-melbourne-1",
    "hsg": "ap-batam-1",
}
OCI_REGION_IDS: frozenset[str] = frozenset(OCI_REGION_KEYS.values())

_OCI_REGION_ID_RE = re.compile(r"^[a-z]{2,3}(-[a-z]+)+-\d+$")
_AD_RE = re.compile(r"^(?:[^:]+:)?([A-Za-z]{3})-AD-\d+$")
_ARN_RE = re.compile(r"^arn:(?P<partition>[^:]*):(?P<service>[^:]*):(?P<region>[^:]*):(?P<account>[^:]*):(?P<resource>.*)$")


@dataclass(frozen=True)
class RegionRef:
    """Where a value says something lives. ``region`` is None when the value names no region."""

    region: str | None
    unknown: bool = False
    unrecognised: str | None = None  # a region segment we could not map (fail closed)


def oci_region_name(segment: str) -> str | None:
    """Map an OCID region segment or AD prefix (``iad``, ``IAD``, ``us-ashburn-1``) to a region identifier."""
    s = segment.strip().lower()
    if s in OCI_REGION_KEYS:
        return OCI_REGION_KEYS[s]
    if _OCI_REGION_ID_RE.match(s):
        return s
    return None


def ocid_region(ocid: Any) -> RegionRef:
    """Region named by an OCID; ``RegionRef(None)`` for region-less (tenancy-level) OCIDs and non-OCIDs."""
    if is_unknown(ocid):
        return RegionRef(None, unknown=True)
    if not isinstance(ocid, str) or not ocid.lower().startswith("ocid1."):
        return RegionRef(None)
    parts = ocid.split(".")
    if len(parts) < 5 or not parts[3]:
        return RegionRef(None)
    name = oci_region_name(parts[3])
    if name is None:
        return RegionRef(None, unrecognised=parts[3])
    return RegionRef(name)


def is_ocid(value: Any) -> bool:
    return isinstance(value, str) and value.lower().startswith("ocid1.")


def availability_domain_region(ad: Any) -> RegionRef:
    """Region of an availability-domain name such as ``Uocm:PHX-AD-1``."""
    if is_unknown(ad):
        return RegionRef(None, unknown=True)
    if not isinstance(ad, str):
        return RegionRef(None)
    m = _AD_RE.match(ad.strip())
    if not m:
        return RegionRef(None, unrecognised=ad)
    name = oci_region_name(m.group(1))
    return RegionRef(name) if name else RegionRef(None, unrecognised=m.group(1))


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str


def parse_arn(value: Any) -> Arn | None:
    if not isinstance(value, str) or is_unknown(value):
        return None
    m = _ARN_RE.match(value.strip())
    if not m:
        return None
    return Arn(**m.groupdict())


def cloud_of_type(type_token: str) -> str | None:
    """``oci`` / ``aws`` for resource and provider type tokens of those packages, else None."""
    if type_token.startswith("pulumi:providers:"):
        pkg = type_token.removeprefix("pulumi:providers:")
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
    """Region of an OCI/AWS custom resource; None when it cannot apply (not OCI/AWS, or no provider at all).

    AWS (v7) resources take a ``region`` input that overrides the provider; OCI resources take their
    region only from the provider. A provider with no region set yields ``region=None`` (the region
    would come from the environment or ``~/.oci/config`` and cannot be verified).
    """
    cloud = cloud_of_type(resource.type)
    if cloud is None or resource.type.startswith("pulumi:providers:"):
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


def provider_region(props: dict, source: str = "provider") -> EffectiveRegion:
    region = props.get("region")
    if is_unknown(region):
        return EffectiveRegion(None, f"{source} region", unknown=True)
    if isinstance(region, str) and region.strip():
        return EffectiveRegion(region.strip(), f"{source} region")
    return EffectiveRegion(None, f"{source} region")
