"""OCI identifiers that carry a region: OCIDs and availability-domain names.

OCI "Resource Identifiers": ``ocid1.<resource type>.<realm>.[region][.future use].<unique id>``. The region
segment is the region key (``iad``) or the region identifier (``us-chicago-1``); tenancy-level resources
(tenancies, compartments, users, groups, policies) leave it empty. Availability-domain names carry the
region too: ``Uocm:PHX-AD-1`` (a tenancy-specific prefix, the region key) or ``xxxx:EU-FRANKFURT-1-AD-1``
(the region identifier). The one home for reading them: settings, components and the pack use these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from residency_policies.hosts import url_host
from residency_policies.region_tables import OCI_REGION_BY_AD_PART, RegionRef, oci_region_name
from residency_policies.values import is_unknown

OCID_PATTERN = re.compile(
    r"^ocid1\.(?P<type>[a-z0-9]+)\.(?P<realm>oc[0-9]+)\.(?P<region>[a-z0-9-]*)(?:\.(?P<future>[a-z0-9-]+))?"
    r"\.(?P<unique>[a-z0-9_-]+)$"
)
TENANCY_OCID_PATTERN = r"^ocid1\.tenancy\.oc[0-9]+\.[a-z0-9-]*(\.[a-z0-9-]+)?\.[a-z0-9_-]+$"
"""A tenancy OCID (tenancies are region-less: ``ocid1.tenancy.oc1..<unique>``)."""

_AD_RE = re.compile(r"^(?:[^:\s]+:)?(?P<region>[A-Za-z]{3}|[A-Za-z]{2,3}(?:-[A-Za-z]+)+(?:-\d+)?)-AD-\d+$")


@dataclass(frozen=True)
class Ocid:
    """The parts of an OCID. ``region`` is the raw segment ("" for region-less OCIDs)."""

    resource_type: str
    realm: str
    region: str
    unique: str
    text: str


def is_ocid(value: Any) -> bool:
    """True for any string that claims to be an OCID (``ocid1.`` prefix), well-formed or not."""
    return isinstance(value, str) and value.lower().startswith("ocid1.")


def parse_ocid(value: Any) -> Ocid | None:
    """The parts of a well-formed OCID, exactly as OCI writes them (lower case, no spaces); else None."""
    if not isinstance(value, str) or is_unknown(value):
        return None
    match = OCID_PATTERN.match(value)
    if not match:
        return None
    return Ocid(match["type"], match["realm"], match["region"], match["unique"], value)


def is_ocid_of(value: Any, resource_type: str) -> bool:
    """True when ``value`` is a well-formed OCID of ``resource_type`` (``tenancy``, ``vcn``, ``key``...)."""
    parsed = parse_ocid(value)
    return parsed is not None and parsed.resource_type == resource_type


def ocid_region(value: Any) -> RegionRef:
    """The region an OCID names.

    ``RegionRef(None)`` for region-less OCIDs and for values that are not OCIDs at all; ``unknown`` for an
    unknown value; ``unrecognised`` for an OCID whose region segment maps to no region, or for a string that
    claims to be an OCID but is malformed (its region cannot be read: fail closed).
    """
    if is_unknown(value):
        return RegionRef(None, unknown=True)
    if not is_ocid(value):
        return RegionRef(None)
    parsed = parse_ocid(value.strip().lower())  # read leniently: the region is what matters here
    if parsed is None:
        return RegionRef(None, unrecognised=value)
    if not parsed.region:
        return RegionRef(None)
    name = oci_region_name(parsed.region)
    if name is None:
        return RegionRef(None, unrecognised=parsed.region)
    return RegionRef(name)


def availability_domain_region(value: Any) -> RegionRef:
    """The region of an availability-domain name such as ``Uocm:PHX-AD-1`` or ``xxxx:EU-FRANKFURT-1-AD-1``."""
    if is_unknown(value):
        return RegionRef(None, unknown=True)
    if not isinstance(value, str):
        return RegionRef(None)
    match = _AD_RE.match(value.strip())
    if not match:
        return RegionRef(None, unrecognised=value)
    part = match["region"].lower()
    # PHX is a region key; Ashburn's ADs drop the identifier's number (``kIdk:US-ASHBURN-AD-1``).
    name = OCI_REGION_BY_AD_PART.get(part) or oci_region_name(part) or oci_region_name(f"{part}-1")
    return RegionRef(name) if name else RegionRef(None, unrecognised=match["region"])


# --- Service endpoints ---------------------------------------------------------------------------------
# OCI "API Reference and Endpoints": ``<service>.<region>.oraclecloud.com`` (``objectstorage.us-ashburn-1``),
# ``<prefix>.<service>.<region>.oci.oraclecloud.com`` (``cell-1.streaming``, ``cell-1.queue.messaging``,
# ``<vault>-management.kms``), the customer-specific Object Storage domain
# (``<namespace>.objectstorage.<region>.oci.customer-oci.com``), Autonomous Database hosts
# (``<id>.adb.<region>.oraclecloudapps.com``) and the Container Registry (OCIR: ``<region key>.ocir.io``,
# ``<region identifier>.ocir.io``). The region label is a region identifier; OCIR's may be a region key.
OCI_ENDPOINT_DOMAINS = ("oci.oraclecloud.com", "oraclecloud.com", "oci.customer-oci.com", "oraclecloudapps.com",
                        "ocir.io")
_OCI_REGION_LABEL = re.compile(r"^[a-z]{2,3}(?:-[a-z]+)+-\d+$")


@dataclass(frozen=True)
class OciEndpoint:
    """An OCI service endpoint named by a URL or host name: the service label and the region."""

    host: str
    service: str
    region: RegionRef


def parse_oci_endpoint(value: Any) -> OciEndpoint | None:
    """The OCI service endpoint a URL or host name names (region from its region label); else None."""
    found = url_host(value)
    if found is None:
        return None
    host = found[0]
    domain = next((d for d in OCI_ENDPOINT_DOMAINS if host.endswith("." + d)), None)
    if domain is None:
        return None
    labels = host[: -len(domain) - 1].split(".")
    if domain == "ocir.io":
        name = oci_region_name(labels[-1])
        ref = RegionRef(name) if name else RegionRef(None, unrecognised=labels[-1])
        return OciEndpoint(host, "ocir", ref)
    index = next((i for i, label in enumerate(labels) if _OCI_REGION_LABEL.match(label)), None)
    if index is None:
        return OciEndpoint(host, labels[-1], RegionRef(None))
    service = labels[index - 1] if index > 0 else (labels[index + 1] if index + 1 < len(labels) else "")
    if service.endswith("-management") or service.endswith("-crypto"):
        service = "kms"
    return OciEndpoint(host, service, RegionRef(oci_region_name(labels[index])))
