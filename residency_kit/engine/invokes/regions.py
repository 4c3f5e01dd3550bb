"""Region facts the offline answers need: OCI region keys, AD names, AWS partitions and availability zones.

OCI availability-domain names are ``<tenancy prefix>:<region part>-AD-<n>``; the region part is ``PHX``
for us-phoenix-1, ``US-ASHBURN`` for us-ashburn-1 and the upper-cased region identifier elsewhere
(``EU-FRANKFURT-1``). The tenancy prefix is tenancy-specific, so it is an assumed value.
"""

from __future__ import annotations

from residency_policies import region_tables

# Availability domains per OCI region where there are more than one (the rest have one). Region keys and
# realms come from the pack's one home, ``residency_policies.region_tables``.
_MULTI_AD_REGIONS = {"us-ashburn-1": 3, "us-phoenix-1": 3, "us-chicago-1": 3, "eu-frankfurt-1": 3, "uk-london-1": 3}
TENANCY_AD_PREFIX = "Uocm"


def oci_region_key(region: str) -> str | None:
    return region_tables.oci_region_key(region)


def oci_realm(region: str | None) -> str:
    entry = region_tables.OCI_REGIONS.get(region or "")
    return entry[1] if entry else "oc1"


def oci_region_segment(region: str | None) -> str:
    """The region segment of a regional OCID: the short key for the first regions, else the identifier."""
    if not region:
        return "unknown-region"
    return region_tables.oci_ocid_region_segment(region)


def oci_availability_domain_names(region: str) -> list[str]:
    count = _MULTI_AD_REGIONS.get(region, 1)
    part = region_tables.oci_availability_domain_part(region)
    return [f"{TENANCY_AD_PREFIX}:{part}-AD-{n}" for n in range(1, count + 1)]


def aws_partition(region: str) -> tuple[str, str]:
    """(partition, DNS suffix) of an AWS region."""
    if region.startswith("us-gov-"):
        return "aws-us-gov", "amazonaws.com"
    if region.startswith("cn-"):
        return "aws-cn", "amazonaws.com.cn"
    if region.startswith("us-iso-"):
        return "aws-iso", "c2s.ic.gov"
    if region.startswith("us-isob-"):
        return "aws-iso-b", "sc2s.sgov.gov"
    if region.startswith("eu-isoe-"):
        return "aws-iso-e", "cloud.adc-e.uk"
    if region.startswith("us-isof-"):
        return "aws-iso-f", "csp.hci.ic.gov"
    return "aws", "amazonaws.com"


# Zone letters of each region's default availability zones (others have a, b, c).
AWS_ZONE_LETTERS = {
    "us-east-1": "abcdef", "us-east-2": "abc", "us-west-1": "ac", "us-west-2": "abcd",
    "ca-central-1": "abd", "ap-northeast-1": "acd", "ap-northeast-2": "abcd", "sa-east-1": "abc",
}
AWS_DESCRIPTIONS = {
    "us-east-1": "US East (N. Virginia)", "us-east-2": "US East (Ohio)", "us-west-1": "US West (N. California)",
    "us-west-2": "US West (Oregon)", "us-gov-east-1": "AWS GovCloud (US-East)",
    "us-gov-west-1": "AWS GovCloud (US-West)", "ca-central-1": "Canada (Central)",
    "eu-west-1": "Europe (Ireland)", "eu-west-2": "Europe (London)", "eu-central-1": "Europe (Frankfurt)",
    "ap-southeast-1": "Asia Pacific (Singapore)", "ap-northeast-1": "Asia Pacific (Tokyo)",
}
# Regions enabled by default in every account (the rest need opting in).
AWS_DEFAULT_REGIONS = (
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1", "ap-southeast-2",
    "ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1",
    "us-east-1", "us-east-2", "us-west-1", "us-west-2",
)
_DIRECTIONS = {"east": "e", "west": "w", "north": "n", "south": "s", "central": "c", "northeast": "ne",
               "northwest": "nw", "southeast": "se", "southwest": "sw"}


def aws_zone_names(region: str) -> list[str]:
    return [region + letter for letter in AWS_ZONE_LETTERS.get(region, "abc")]


def aws_zone_id_prefix(region: str) -> str:
    """``us-west-2`` -> ``usw2`` (zone ids are ``usw2-az1``...)."""
    parts = region.split("-")
    if len(parts) < 3:
        return region
    geo, number = parts[0], parts[-1]
    middle = "".join(_DIRECTIONS.get(p, p[:1]) for p in parts[1:-1])
    return f"{geo}{middle}{number}"
