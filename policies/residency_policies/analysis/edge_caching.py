"""Content delivery: copies of content cached at edge locations, and where those edges are.

The class, read from the SDK schemas (inputs ``priceClass`` / ``geoRestriction``): CloudFront distributions and
multi-tenant distributions. A distribution caches what it serves at the edge locations of its price class, every
one of which reaches outside the United States (``PriceClass_100``: North America, Europe and Israel;
``PriceClass_200`` adds Asia, the Middle East and Africa; ``PriceClass_All``, the default and the only class of a
multi-tenant distribution, everywhere). What stays in the allowed regions' countries is what a geo restriction
lets only their viewers request: a ``whitelist`` of those countries (the allowed AWS regions' countries: ``us-*``
regions are the United States and its territories). Without one, content (user data among it) is copied to
edges abroad.
"""

from __future__ import annotations

from collections.abc import Iterator

from residency_policies.findings import Finding
from residency_policies.rules_file import Rules
from residency_policies.values import get, is_unknown
from residency_policies.views import ResourceView

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
MULTITENANT = "aws:cloudfront/multitenantDistribution:MultitenantDistribution"
EDGE_TYPES = frozenset({DISTRIBUTION, MULTITENANT})
_REACH = {
    "PriceClass_100": "North America, Europe and Israel",
    "PriceClass_200": "North America, Europe, Israel, Asia, the Middle East and Africa",
    "PriceClass_All": "every continent",
}
# Countries (ISO 3166-1 alpha-2) of an AWS region code's prefix.
_COUNTRIES = {"us": ("US", "PR", "GU", "VI", "AS", "MP", "UM"), "ca": ("CA",), "mx": ("MX",)}


def allowed_countries(rules: Rules) -> frozenset[str]:
    return frozenset(c for region in rules.allowed_regions_aws for c in _COUNTRIES.get(region.split("-", 1)[0], ()))


def findings(resource: ResourceView, rules: Rules) -> Iterator[Finding]:
    if resource.type not in EDGE_TYPES:
        return
    price = resource.props.get("priceClass") if resource.type == DISTRIBUTION else "PriceClass_All"
    restriction = get(resource.props, "restrictions.geoRestriction")
    kind = get(resource.props, "restrictions.geoRestriction.restrictionType")
    locations = get(resource.props, "restrictions.geoRestriction.locations")
    if any(is_unknown(v) for v in (price, restriction, kind, locations)):
        yield Finding("the price class and geo restriction decide in which countries content is cached",
                      path="restrictions.geoRestriction", unverifiable=True)
        return
    countries = allowed_countries(rules)
    listed = {str(c).upper() for c in locations} if isinstance(locations, list) else set()
    if isinstance(kind, str) and kind.lower() == "whitelist" and listed and listed <= countries:
        return
    price = price if isinstance(price, str) and price in _REACH else "PriceClass_All"
    shown = ", ".join(sorted(countries)) or "the allowed regions' countries"
    what = f"whitelist {sorted(listed)} names countries outside them" if listed - countries and \
        isinstance(kind, str) and kind.lower() == "whitelist" else f"no geo restriction keeps viewers to {shown}"
    yield Finding(f"priceClass {price} caches content at edge locations in {_REACH[price]}, outside the allowed "
                  f"regions, and {what}: set restrictions.geoRestriction to restrictionType 'whitelist' with locations "
                  f"in {shown}", path="restrictions.geoRestriction")
