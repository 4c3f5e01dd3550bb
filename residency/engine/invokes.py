"""Plausible answers to the provider functions programs commonly call at preview time.

Results use wire (camelCase) names, as a provider would return them. The region comes from the invoke's
explicit provider when it has one, else from the stack's ``oci:region`` / ``aws:region`` config.
Any other invoke is answered with an empty result and reported by token.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from residency_policies import region_tables

# Regions with a single availability domain.
_SINGLE_AD_PREFIXES = ("us-sanjose", "us-chicago", "ca-", "eu-", "ap-", "sa-", "me-", "af-", "il-", "mx-", "uk-cardiff")


def oci_region_key(region: str) -> str:
    """The region key (``IAD``); for a region missing from the table, a stand-in made from its name."""
    known = region_tables.oci_region_key(region)
    if known:
        return known
    return region.split("-")[1][:3].upper() if "-" in region else region.upper()


def _ad_count(region: str) -> int:
    if region in ("uk-london-1", "eu-frankfurt-1"):
        return 3
    return 1 if region.startswith(_SINGLE_AD_PREFIXES) else 3


def _matches(filters: Any, item: Mapping[str, Any]) -> bool:
    for f in filters or []:
        key = re.sub(r"_([a-z])", lambda m: m.group(1).upper(), str(f.get("name", "")))
        value = str(item.get(key, ""))
        values = [str(v) for v in f.get("values", [])]
        if f.get("regex"):
            if not any(re.fullmatch(v, value) for v in values):
                return False
        elif value not in values:
            return False
    return True


def oci_namespace(args: Mapping[str, Any], region: str) -> dict[str, Any]:
    return {"namespace": "residencypreviewns", "id": "residencypreviewns", "compartmentId": args.get("compartmentId")}


def oci_availability_domains(args: Mapping[str, Any], region: str) -> dict[str, Any]:
    compartment = args.get("compartmentId", "")
    ads = [
        {"name": f"Uocm:{region.upper()}-AD-{i}", "id": f"ocid1.availabilitydomain.oc1..preview{region}ad{i}",
         "compartmentId": compartment}
        for i in range(1, _ad_count(region) + 1)
    ]
    ads = [ad for ad in ads if _matches(args.get("filters"), ad)]
    return {"availabilityDomains": ads, "compartmentId": compartment, "filters": args.get("filters"), "id": "ads"}


def oci_services(args: Mapping[str, Any], region: str) -> dict[str, Any]:
    key = oci_region_key(region)
    services = [
        {
            "name": f"All {key} Services In Oracle Services Network",
            "cidrBlock": f"all-{key.lower()}-services-in-oracle-services-network",
            "description": f"All {key} Services In Oracle Services Network",
            "id": f"ocid1.service.oc1.{key.lower()}.all-services-preview",
        },
        {
            "name": f"OCI {key} Object Storage",
            "cidrBlock": f"oci-{key.lower()}-objectstorage",
            "description": f"OCI {key} Object Storage",
            "id": f"ocid1.service.oc1.{key.lower()}.objectstorage-preview",
        },
    ]
    services = [s for s in services if _matches(args.get("filters"), s)]
    return {"services": services, "filters": args.get("filters"), "id": "services"}


# Oracle-managed Cloud Guard detector recipes and Security Zone policies exist in every tenancy; programs
# look them up to attach them to their targets and security recipes.
_ORACLE_DETECTOR_RECIPES = (
    ("IAAS_CONFIGURATION_DETECTOR", "OCI Configuration Detector Recipe"),
    ("IAAS_ACTIVITY_DETECTOR", "OCI Activity Detector Recipe"),
    ("IAAS_THREAT_DETECTOR", "OCI Threat Detector Recipe"),
)
_ORACLE_SECURITY_POLICIES = (
    "deny_public_buckets",
    "deny_db_system_public_access",
    "deny_buckets_without_vault_key",
    "deny_block_volume_without_vault_key",
)


def oci_detector_recipes(args: Mapping[str, Any], region: str) -> dict[str, Any]:
    key = oci_region_key(region).lower()
    items = [
        {"id": f"ocid1.cloudguarddetectorrecipe.oc1.{key}.preview{detector.lower()}", "owner": "ORACLE",
         "detector": detector, "displayName": name, "compartmentId": args.get("compartmentId"), "state": "ACTIVE"}
        for detector, name in _ORACLE_DETECTOR_RECIPES
    ]
    return {"detectorRecipeCollections": [{"items": items}], "compartmentId": args.get("compartmentId"),
            "id": "detector-recipes"}


def oci_security_policies(args: Mapping[str, Any], region: str) -> dict[str, Any]:
    key = oci_region_key(region).lower()
    items = [
        {"id": f"ocid1.securityzonessecuritypolicy.oc1.{key}.preview{name.replace('_', '')}", "owner": "ORACLE",
         "friendlyName": name, "displayName": name, "compartmentId": args.get("compartmentId"), "state": "ACTIVE"}
        for name in _ORACLE_SECURITY_POLICIES
    ]
    return {"securityPolicyCollections": [{"items": items}], "compartmentId": args.get("compartmentId"),
            "id": "security-policies"}


PREVIEW_ACCOUNT_ID = "123456789012"


def _aws_partition(region: str) -> str:
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("cn-"):
        return "aws-cn"
    return "aws"


def aws_caller_identity(args: Mapping[str, Any], region: str) -> dict[str, Any]:
    partition = _aws_partition(region)
    return {
        "accountId": PREVIEW_ACCOUNT_ID,
        "arn": f"arn:{partition}:iam::{PREVIEW_ACCOUNT_ID}:user/residency-preview",
        "userId": "AIDAPREVIEWRESIDENCY00",
        "id": PREVIEW_ACCOUNT_ID,
    }


def aws_region(args: Mapping[str, Any], region: str) -> dict[str, Any]:
    region = args.get("region") or args.get("name") or region
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return {"name": region, "region": region, "id": region, "description": region,
            "endpoint": f"ec2.{region}.{suffix}"}


def aws_partition(args: Mapping[str, Any], region: str) -> dict[str, Any]:
    partition = _aws_partition(region)
    suffix = "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"
    return {"partition": partition, "id": partition, "dnsSuffix": suffix,
            "reverseDnsPrefix": ".".join(reversed(suffix.split(".")))}


InvokeHandler = Callable[[Mapping[str, Any], str], dict[str, Any]]

# Keys are lower-cased tokens: provider SDKs differ in module case (``oci:Core/...`` vs ``oci:core/...``).
INVOKE_HANDLERS: dict[str, InvokeHandler] = {
    "oci:objectstorage/getnamespace:getnamespace": oci_namespace,
    "oci:identity/getavailabilitydomains:getavailabilitydomains": oci_availability_domains,
    "oci:core/getservices:getservices": oci_services,
    "oci:cloudguard/getdetectorrecipes:getdetectorrecipes": oci_detector_recipes,
    "oci:cloudguard/getsecuritypolicies:getsecuritypolicies": oci_security_policies,
    "aws:index/getcalleridentity:getcalleridentity": aws_caller_identity,
    "aws:index/getregion:getregion": aws_region,
    "aws:index/getpartition:getpartition": aws_partition,
}

DEFAULT_REGIONS = {"oci": "us-ashburn-1", "aws": "us-east-1"}


def handler_for(token: str) -> InvokeHandler | None:
    return INVOKE_HANDLERS.get(token.lower())
