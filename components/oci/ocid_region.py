"""Which region an OCID names: regional OCIDs (keys, vaults, buckets...) embed the region of their resource.

OCI "Resource Identifiers": ``ocid1.<type>.<realm>.[region][.future use].<unique id>``. The region segment is
either the lowercase three-letter region key (``iad``, ``phx``) or the region identifier (``us-chicago-1``).
"""

from __future__ import annotations

from components.settings.identifiers import OCID_PATTERN
from components.settings.regions import OCI_US_REGIONS

_BY_KEY = {key.lower(): region for region, (key, _realm) in OCI_US_REGIONS.items()}


def ocid_region(ocid: str) -> str | None:
    """The region identifier an OCID names, or None when its region segment is empty or not a known US region.

    Unknown segments map to None on purpose: a caller that requires a given region treats that as a mismatch.
    """
    match = OCID_PATTERN.match(ocid)
    if not match or not match["region"]:
        return None
    segment = match["region"]
    if segment in OCI_US_REGIONS:
        return segment
    return _BY_KEY.get(segment)


def ocid_region_segment(ocid: str) -> str:
    """The raw region segment, for error messages."""
    match = OCID_PATTERN.match(ocid)
    return match["region"] if match else ""
