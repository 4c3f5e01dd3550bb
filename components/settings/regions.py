"""The US regions of each cloud that the kit knows, and their OCI region keys.

Sources: OCI "Regions and Availability Domains" (region identifier, region key, realm) and the AWS
general reference (region codes). Government realms are listed so that a stack for them validates,
but the defaults allow only the commercial regions.
"""

from __future__ import annotations

# region identifier -> (three-letter region key, realm)
OCI_US_REGIONS: dict[str, tuple[str, str]] = {
    "us-ashburn-1": ("IAD", "oc1"),
    "us-phoenix-1": ("PHX", "oc1"),
    "us-sanjose-1": ("SJC", "oc1"),
    "us-chicago-1": ("ORD", "oc1"),
    "us-langley-1": ("LFI", "oc2"),
    "us-luke-1": ("LUF", "oc2"),
    "us-gov-ashburn-1": ("RIC", "oc3"),
    "us-gov-chicago-1": ("PIA", "oc3"),
    "us-gov-phoenix-1": ("TUS", "oc3"),
}

DEFAULT_OCI_REGIONS: tuple[str, ...] = ("us-ashburn-1", "us-phoenix-1", "us-sanjose-1", "us-chicago-1")

AWS_US_REGIONS: tuple[str, ...] = (
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "us-gov-east-1",
    "us-gov-west-1",
)

DEFAULT_AWS_REGIONS: tuple[str, ...] = ("us-east-1", "us-east-2", "us-west-1", "us-west-2")
