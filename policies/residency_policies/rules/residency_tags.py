"""residency-tags: taggable resources carry the required tags (advisory by default).

Only types whose inputs accept tags are checked: OCI types taking ``freeformTags`` (571 of 1,023) and
AWS types taking a ``tags`` map (863 of 1,748). The set is generated at development time from the
installed SDKs (``policies/tools/generate_taggable_types.py`` -> ``data/taggable_types.txt``), because
importing the SDKs inside the pack would take seconds and hundreds of MB. AWS provider ``defaultTags``
are merged into every resource's tags by the provider, so they count as carried (``resource_tags``).
"""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel

from residency_policies.compliance import RESIDENCY
from residency_policies.framework import Finding, ResourceView, resource_policy
from residency_policies.resource_tags import TAGGABLE_TYPES, provider_default_tags
from residency_policies.rules_file import Rules
from residency_policies.values import is_unknown


def check(resource: ResourceView, rules: Rules) -> Iterator[Finding]:
    prop = TAGGABLE_TYPES.get(resource.type)
    if prop is None or not rules.required_tags:
        return
    tags = resource.props.get(prop)
    if is_unknown(tags):
        yield Finding("the resource's tags", path=prop, unverifiable=True)
        return
    carried = {**provider_default_tags(resource), **(tags if isinstance(tags, dict) else {})}
    missing = [
        f"{k}={v}"
        for k, v in sorted(rules.required_tags.items())
        if not (is_unknown(carried.get(k)) or carried.get(k) == v)
    ]
    if missing:
        yield Finding(f"{prop} lacks the required tags {', '.join(missing)}")


POLICY = resource_policy(
    name="residency-tags",
    description="Taggable resources carry the required residency tags.",
    severity="low",
    enforcement=EnforcementLevel.ADVISORY,
    remediation=(
        "Add every requiredTags entry to the resource's freeformTags (OCI) or tags (AWS; provider defaultTags also "
        "count). The kit's components do this from residency:requiredTags."
    ),
    tags=["tagging", "evidence"],
    framework=RESIDENCY.control("TAG-1"),
    resource_types=TAGGABLE_TYPES,
    check=check,
)
