"""us-region-providers: every OCI/AWS provider, and every resource, lives in an allowed region.

Providers (explicit and the engine's default providers, which it analyzes too) must set ``region``: an
unset region comes from the environment or ``~/.oci/config`` and cannot be verified. One mistake, one
violation: a resource whose region comes from its provider is covered by the provider's violation, so only
an AWS v7 resource's own ``region`` input (which overrides the provider's) is judged on the resource.
"""

from __future__ import annotations

from collections.abc import Iterator

from residency_policies.compliance import RESIDENCY
from residency_policies.framework import Finding, ResourceView, resource_policy
from residency_policies.provider_regions import cloud_of_type, effective_region, is_default_provider, provider_region
from residency_policies.rules_file import Rules
from residency_policies.stack_config_commands import config_set


def in_scope(type_token: str) -> bool:
    """OCI and AWS providers and resources."""
    return cloud_of_type(type_token) is not None


def check(resource: ResourceView, rules: Rules) -> Iterator[Finding]:
    cloud = cloud_of_type(resource.type)
    if cloud is None:
        return
    allowed = rules.allowed_regions(cloud)
    if resource.type.startswith("pulumi:providers:"):
        where = provider_region(resource.props, "provider")
        if where.unknown:
            yield Finding(f"the {cloud} provider's region decides where every resource it creates lives", path="region", unverifiable=True)
        elif where.region is None:
            yield Finding(
                f"the {cloud} provider sets no region, so it would come from the environment"
                + (" or ~/.oci/config" if cloud == "oci" else "")
                + f" and cannot be verified; set region to one of {_list(allowed)}" + _default_fix(resource, cloud, allowed)
            )
        elif where.region not in allowed:
            yield Finding(f"the {cloud} provider's region {where.region!r} is not allowed; allowed: {_list(allowed)}"
                          + _default_fix(resource, cloud, allowed))
        return
    where = effective_region(resource)
    if where is None or not where.source.startswith("region input"):
        # The region comes from the provider: the provider's own violation (it is analyzed like any resource,
        # default providers included) is the one report for every resource it creates.
        return
    if where.unknown:
        yield Finding("the resource's region is unknown", path=where.source, unverifiable=True)
    elif where.region not in allowed:
        yield Finding(f"this resource is created in {where.region!r} ({where.source}); allowed: {_list(allowed)}")


def _list(regions: frozenset[str]) -> str:
    return ", ".join(sorted(regions))


def _default_fix(resource: ResourceView, cloud: str, allowed: frozenset[str]) -> str:
    """For a default provider (its region is the stack's ``<cloud>:region``), the command that sets it."""
    if not is_default_provider(resource.name):
        return ""
    return f" (for the default provider, e.g. `{config_set(f'{cloud}:region', sorted(allowed)[0])}`)"


POLICY = resource_policy(
    name="us-region-providers",
    description="Every OCI and AWS provider, and every resource, is pinned to an allowed (US) region.",
    severity="critical",
    remediation=(
        "Set `region` on every explicit oci.Provider / aws.Provider to an allowed region, set `oci:region` and "
        "`aws:region` in the stack config for default providers, and give AWS resources' own `region` input "
        "only allowed regions (or leave it unset)."
    ),
    tags=["region", "residency"],
    framework=RESIDENCY.control("REG-1"),
    check=check,
    applies_to=in_scope,
)
