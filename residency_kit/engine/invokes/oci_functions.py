"""OCI provider functions answered from the provider's region and the arguments, offline.

``identity.getRegions`` is the public list of regions (computed). Availability and fault domains, the
Object Storage namespace, Oracle Services Network services and Oracle-managed Cloud Guard recipes and
Security Zone policies are assumed, consistent with the provider's region (``Uocm:PHX-AD-1``,
``All PHX Services In Oracle Services Network``). A tenancy's region subscriptions and home region decide
residency and stay unknown. ``filters`` (exact or ``regex``) are applied to the list they filter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from residency_kit.engine.invokes.aws_functions import Handler
from residency_kit.engine.invokes.ledger import InvokeRecord, Ledger
from residency_kit.engine.invokes.regions import oci_availability_domain_names, oci_region_key, oci_region_segment
from residency_policies import region_tables


def _camel(name: str) -> str:
    return re.sub(r"_([a-z])", lambda m: m.group(1).upper(), name)


def apply_filters(filters: Any, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The OCI provider's ``filter`` blocks: every filter must match (a value equal, or fully matching a regex)."""

    def matches(item: Mapping[str, Any]) -> bool:
        for f in filters or ():
            if not isinstance(f, Mapping):
                continue
            value = item.get(_camel(str(f.get("name", ""))))
            text = str(value).lower() if isinstance(value, bool) else str(value)
            values = [str(v) for v in f.get("values") or ()]
            if f.get("regex"):
                if not any(re.fullmatch(v, text) for v in values):
                    return False
            elif text not in values:
                return False
        return True

    return [item for item in items if matches(item)]


def _region_or_marker(ctx, record: InvokeRecord, ledger: Ledger, path: str) -> str | None:
    if ctx.region is None:
        record.note = "the provider's region is unknown"
    return ctx.region


def regions(args, ctx, record, ledger):
    items = [{"key": key, "name": name} for name, (key, _) in sorted(region_tables.OCI_REGIONS.items())]
    return {"regions": apply_filters(args.get("filters"), items), "id": "regions"}


def availability_domains(args, ctx, record, ledger):
    compartment = args.get("compartmentId")
    region = _region_or_marker(ctx, record, ledger, "availabilityDomains[].name")
    names = oci_availability_domain_names(region) if region else [ledger.marker(record, "availabilityDomains[].name")]
    ads = [
        {"name": ledger.assumed_exact(record, "availabilityDomains[].name", name) if region else name,
         "id": f"ocid1.availabilitydomain.oc1..{ledger.assumed_tag(record, 'availabilityDomains[].id')}",
         "compartmentId": compartment}
        for name in names
    ]
    return {"availabilityDomains": apply_filters(args.get("filters"), ads), "id": "availability-domains"}


def availability_domain(args, ctx, record, ledger):
    region = _region_or_marker(ctx, record, ledger, "name")
    number = args.get("adNumber")
    number = int(number) if isinstance(number, (int, float)) else 1
    if region is None:
        name = ledger.marker(record, "name")
    else:
        names = oci_availability_domain_names(region)
        name = ledger.assumed_exact(record, "name", names[min(max(number, 1), len(names)) - 1])
    return {"name": name, "adNumber": number, "compartmentId": args.get("compartmentId"),
            "id": f"ocid1.availabilitydomain.oc1..{ledger.assumed_tag(record, 'id')}"}


def fault_domains(args, ctx, record, ledger):
    ad = args.get("availabilityDomain")
    items = [
        {"name": f"FAULT-DOMAIN-{n}", "availabilityDomain": ad, "compartmentId": args.get("compartmentId"),
         "id": f"ocid1.faultdomain.oc1.{oci_region_segment(ctx.region)}.{ledger.assumed_tag(record, 'faultDomains[].id')}"}
        for n in (1, 2, 3)
    ]
    return {"faultDomains": apply_filters(args.get("filters"), items), "id": "fault-domains"}


def namespace(args, ctx, record, ledger):
    value = "ns" + ledger.assumed_tag(record, "namespace")
    return {"namespace": value, "id": value}


def services(args, ctx, record, ledger):
    region = ctx.region
    key = oci_region_key(region) if region else None
    if key is None:
        record.note = "the provider's region is unknown"
        return {"services": [{"name": ledger.marker(record, "services[].name"),
                              "cidrBlock": ledger.marker(record, "services[].cidrBlock"),
                              "description": ledger.marker(record, "services[].description"),
                              "id": ledger.marker(record, "services[].id")}], "id": "services"}
    lower = key.lower()
    items = [
        {"name": f"All {key} Services In Oracle Services Network",
         "cidrBlock": f"all-{lower}-services-in-oracle-services-network",
         "description": f"All {key} Services In Oracle Services Network",
         "id": f"ocid1.service.oc1.{oci_region_segment(region)}.{ledger.assumed_tag(record, 'services[].id')}"},
        {"name": f"OCI {key} Object Storage", "cidrBlock": f"oci-{lower}-objectstorage",
         "description": f"OCI {key} Object Storage",
         "id": f"ocid1.service.oc1.{oci_region_segment(region)}.{ledger.assumed_tag(record, 'services[].id')}"},
    ]
    return {"services": apply_filters(args.get("filters"), items), "id": "services"}


def region_subscriptions(args, ctx, record, ledger):
    record.note = "a tenancy's subscribed and home regions decide residency: unknown offline"
    tenancy = args.get("tenancyId")
    item = {"isHomeRegion": True, "regionKey": ledger.marker(record, "regionSubscriptions[].regionKey"),
            "regionName": ledger.marker(record, "regionSubscriptions[].regionName"),
            "state": ledger.assumed_exact(record, "regionSubscriptions[].state", "READY"), "tenancyId": tenancy}
    record.add("assumed", "regionSubscriptions[].isHomeRegion")
    return {"regionSubscriptions": [item], "id": "region-subscriptions"}


# Oracle-managed Cloud Guard detector recipes and Security Zone policies exist in every tenancy; programs
# look them up to attach them to their targets and security recipes.
_ORACLE_DETECTOR_RECIPES = (
    ("IAAS_CONFIGURATION_DETECTOR", "OCI Configuration Detector Recipe"),
    ("IAAS_ACTIVITY_DETECTOR", "OCI Activity Detector Recipe"),
    ("IAAS_THREAT_DETECTOR", "OCI Threat Detector Recipe"),
)
_ORACLE_SECURITY_POLICIES = ("deny_public_buckets", "deny_db_system_public_access", "deny_buckets_without_vault_key",
                             "deny_block_volume_without_vault_key")


def detector_recipes(args, ctx, record, ledger):
    segment = oci_region_segment(ctx.region)
    items = [
        {"id": f"ocid1.cloudguarddetectorrecipe.oc1.{segment}.{ledger.assumed_tag(record, 'detectorRecipeCollections[].items[].id')}",
         "owner": ledger.assumed_exact(record, "detectorRecipeCollections[].items[].owner", "ORACLE"), "detector": detector,
         "displayName": name, "compartmentId": args.get("compartmentId"), "state": "ACTIVE"}
        for detector, name in _ORACLE_DETECTOR_RECIPES
    ]
    return {"detectorRecipeCollections": [{"items": items}], "id": "detector-recipes"}


def security_policies(args, ctx, record, ledger):
    segment = oci_region_segment(ctx.region)
    items = [
        {"id": f"ocid1.securityzonessecuritypolicy.oc1.{segment}.{ledger.assumed_tag(record, 'securityPolicyCollections[].items[].id')}",
         "owner": ledger.assumed_exact(record, "securityPolicyCollections[].items[].owner", "ORACLE"),
         "friendlyName": name, "displayName": name, "compartmentId": args.get("compartmentId"), "state": "ACTIVE"}
        for name in _ORACLE_SECURITY_POLICIES
    ]
    return {"securityPolicyCollections": [{"items": items}], "id": "security-policies"}


HANDLERS: dict[str, Handler] = {
    "oci:identity/getregions:getregions": regions,
    "oci:identity/getavailabilitydomains:getavailabilitydomains": availability_domains,
    "oci:identity/getavailabilitydomain:getavailabilitydomain": availability_domain,
    "oci:identity/getfaultdomains:getfaultdomains": fault_domains,
    "oci:identity/getregionsubscriptions:getregionsubscriptions": region_subscriptions,
    "oci:objectstorage/getnamespace:getnamespace": namespace,
    "oci:core/getservices:getservices": services,
    "oci:cloudguard/getdetectorrecipes:getdetectorrecipes": detector_recipes,
    "oci:cloudguard/getsecuritypolicies:getsecuritypolicies": security_policies,
}
