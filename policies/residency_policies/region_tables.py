"""Region tables of both clouds: OCI region identifiers with their keys and realms, the US regions of OCI
and AWS, and the patterns region names follow. The one home for these facts: the settings, the components,
the offline engine and the pack all read them from here.

Sources: OCI "Regions and Availability Domains" (region identifier, three-letter region key, realm) and the
AWS General Reference "Regions and endpoints" (region codes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# region identifier -> (region key, realm). Keys are upper case as OCI writes them (availability domains
# ``Uocm:PHX-AD-1``, service names); OCIDs carry them in lower case.
OCI_REGIONS: dict[str, tuple[str, str]] = {
    "us-ashburn-1": ("IAD", "oc1"),
    "us-phoenix-1": ("PHX", "oc1"),
    "us-sanjose-1": ("SJC", "oc1"),
    "us-chicago-1": ("ORD", "oc1"),
    "us-langley-1": ("LFI", "oc2"),
    "us-luke-1": ("LUF", "oc2"),
    "us-gov-ashburn-1": ("RIC", "oc3"),
    "us-gov-chicago-1": ("PIA", "oc3"),
    "us-gov-phoenix-1": ("TUS", "oc3"),
    "ca-toronto-1": ("YYZ", "oc1"),
    "ca-montreal-1": ("YUL", "oc1"),
    "sa-saopaulo-1": ("GRU", "oc1"),
    "sa-vinhedo-1": ("VCP", "oc1"),
    "sa-santiago-1": ("SCL", "oc1"),
    "sa-valparaiso-1": ("VAP", "oc1"),
    "sa-bogota-1": ("BOG", "oc1"),
    "mx-queretaro-1": ("QRO", "oc1"),
    "mx-monterrey-1": ("MTY", "oc1"),
    "uk-london-1": ("LHR", "oc1"),
    "uk-cardiff-1": ("CWL", "oc1"),
    "uk-gov-london-1": ("LTN", "oc4"),
    "uk-gov-cardiff-1": ("BRS", "oc4"),
    "eu-frankfurt-1": ("FRA", "oc1"),
    "eu-amsterdam-1": ("AMS", "oc1"),
    "eu-paris-1": ("CDG", "oc1"),
    "eu-marseille-1": ("MRS", "oc1"),
    "eu-milan-1": ("LIN", "oc1"),
    "eu-madrid-1": ("MAD", "oc1"),
    "eu-stockholm-1": ("ARN", "oc1"),
    "eu-zurich-1": ("ZRH", "oc1"),
    "eu-jovanovac-1": ("BEG", "oc1"),
    "il-jerusalem-1": ("MTZ", "oc1"),
    "me-jeddah-1": ("JED", "oc1"),
    "me-riyadh-1": ("RUH", "oc1"),
    "me-dubai-1": ("DXB", "oc1"),
    "me-abudhabi-1": ("AUH", "oc1"),
    "af-johannesburg-1": ("JNB", "oc1"),
    "ap-mumbai-1": ("BOM", "oc1"),
    "ap-hyderabad-1": ("HYD", "oc1"),
    "ap-singapore-1": ("SIN", "oc1"),
    "ap-singapore-2": ("XSP", "oc1"),
    "ap-tokyo-1": ("NRT", "oc1"),
    "ap-osaka-1": ("KIX", "oc1"),
    "ap-seoul-1": ("ICN", "oc1"),
    "ap-chuncheon-1": ("YNY", "oc1"),
    "ap-sydney-1": ("SYD", "oc1"),
    "ap-melbourne-1": ("MEL", "oc1"),
    "ap-batam-1": ("HSG", "oc1"),
}

OCI_REGION_BY_KEY: dict[str, str] = {key.lower(): region for region, (key, _realm) in OCI_REGIONS.items()}
"""Lower-case region key -> region identifier."""

OCI_OCID_SHORT_SEGMENTS: dict[str, str] = {"us-ashburn-1": "iad", "us-phoenix-1": "phx", "eu-frankfurt-1": "fra", "uk-london-1": "lhr"}
"""The first OCI regions write their lower-case key, not their identifier, in regional OCIDs
(``ocid1.instance.oc1.iad...``); the rest write the identifier (``ocid1.instance.oc1.us-chicago-1...``)."""

OCI_AD_REGION_PARTS: dict[str, str] = {"us-phoenix-1": "PHX", "us-ashburn-1": "US-ASHBURN"}
"""The region part of an availability-domain name (``Uocm:PHX-AD-1``, ``Uocm:US-ASHBURN-AD-1``) where it is not
the upper-cased identifier (``xxxx:EU-FRANKFURT-1-AD-1``)."""

OCI_REGION_BY_AD_PART: dict[str, str] = {part.lower(): region for region, part in OCI_AD_REGION_PARTS.items()}

OCI_US_REGIONS: tuple[str, ...] = tuple(r for r in OCI_REGIONS if r.startswith("us-"))
"""Every US OCI region, commercial (oc1) and government realms."""

OCI_US_COMMERCIAL_REGIONS: tuple[str, ...] = tuple(r for r in OCI_US_REGIONS if OCI_REGIONS[r][1] == "oc1")

AWS_US_REGIONS: tuple[str, ...] = ("us-east-1", "us-east-2", "us-west-1", "us-west-2", "us-gov-east-1", "us-gov-west-1")
AWS_US_COMMERCIAL_REGIONS: tuple[str, ...] = tuple(r for r in AWS_US_REGIONS if "-gov-" not in r)

OCI_REGION_ID_PATTERN = r"^[a-z]{2,3}(-[a-z]+)+-[0-9]+$"
"""What an OCI region identifier looks like (``us-ashburn-1``, ``us-gov-phoenix-1``)."""
AWS_REGION_PATTERN = r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]+$"
"""What an AWS region code looks like (``us-east-2``, ``us-gov-west-1``, ``us-isob-east-1``)."""

_OCI_REGION_ID_RE = re.compile(OCI_REGION_ID_PATTERN)


@dataclass(frozen=True)
class RegionRef:
    """Where a value says something lives. ``region`` is None when the value names no region."""

    region: str | None
    unknown: bool = False
    unrecognised: str | None = None  # a region segment that maps to no region (fail closed)


def oci_region_name(segment: str) -> str | None:
    """The region identifier for a region key or identifier in any case (``iad``, ``IAD``, ``us-ashburn-1``).

    A well-formed identifier not in the table (a region newer than this table) is returned as is; anything
    else is None.
    """
    s = segment.strip().lower()
    if s in OCI_REGION_BY_KEY:
        return OCI_REGION_BY_KEY[s]
    if _OCI_REGION_ID_RE.match(s):
        return s
    return None


def oci_region_key(region: str) -> str | None:
    """The upper-case region key of a known region identifier (``us-ashburn-1`` -> ``IAD``), else None."""
    entry = OCI_REGIONS.get(region)
    return entry[0] if entry else None


def oci_ocid_region_segment(region: str) -> str:
    """The region segment a regional OCID of ``region`` carries (``iad`` for us-ashburn-1, else the identifier)."""
    return OCI_OCID_SHORT_SEGMENTS.get(region, region)


def oci_availability_domain_part(region: str) -> str:
    """The region part of ``region``'s availability-domain names (``PHX``, ``US-ASHBURN``, ``EU-FRANKFURT-1``)."""
    return OCI_AD_REGION_PARTS.get(region, region.upper())


def is_oci_region_id(value: object) -> bool:
    return isinstance(value, str) and bool(_OCI_REGION_ID_RE.match(value))


def is_aws_region_code(value: object) -> bool:
    return isinstance(value, str) and bool(re.match(AWS_REGION_PATTERN, value))
