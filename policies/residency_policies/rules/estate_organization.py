"""estate-organization: the estate's tenancies belong to the estate's own organization, and to no other.

OCI Organizations (Tenant Manager) creates child tenancies by API; an organization's parent tenancy can impose
governance rules (quotas, tags, allowed regions) on opted-in children, lock their quotas, assign them
subscriptions and start their termination. A US estate tenancy inside the parent company's organization is
reachable at the organization layer whatever its network and IAM say. What the SDK can express, and is judged:

* ``oci.tenantmanagercontrolplane.ChildTenancy``: ``compartmentId`` is the tenancy the child is created under (the
  organization's parent): it must be an estate tenancy (``estate.ociTenancyIds``); a parent-company tenancy makes
  the new tenancy the parent's child. (Its ``homeRegion``, where the child's IAM and home-region data live for
  good, is ``us-region-replication``'s to judge, once.)
* ``oci.tenantmanagercontrolplane.SubscriptionMapping``: ``compartmentId`` is the tenancy a subscription of the
  organization is assigned to: it must be an estate tenancy (a subscription assigned to a tenancy outside the
  estate joins it to the estate's organization, or the estate to another's).

Links, governance opt-in and invitations are read-only in the SDK (data sources only), and AWS has no resource
that accepts an organization's handshake (``aws:organizations/account`` creates an account in the provider's own
organization, which ``estate-deploy-targets`` pins to the estate): nothing more can be judged. A tenancy unknown at
preview is the estate's when it comes from a resource of this stack (a child created here); otherwise it
cannot be verified.
"""

from __future__ import annotations

from collections.abc import Iterator

from residency_policies.compliance import RESIDENCY
from residency_policies.analysis.organization_plane import CHILD_TENANCY, SUBSCRIPTION_MAPPING
from residency_policies.framework import Finding, ResourceView, StackView, resource_policy
from residency_policies.rules_file import Rules
from residency_policies.values import is_unknown

_WHAT = {CHILD_TENANCY: "the child tenancy would be created under", SUBSCRIPTION_MAPPING: "the subscription would be assigned to"}
_OTHER_STACKS = ("pulumi:pulumi:StackReference", "pulumi:providers:")


def _tenancy(resource: ResourceView, rules: Rules) -> Iterator[Finding]:
    value = resource.props.get("compartmentId")
    if not isinstance(value, str) or is_unknown(value) or not value:
        return
    tenancy, what = value.strip().lower(), _WHAT[resource.type]
    if tenancy in rules.parent_oci_tenancy_ids:
        yield Finding(f"compartmentId: {what} the parent company's tenancy {value}, which would make it part of the "
                      "parent's organization (governance, quotas, subscriptions, termination); use an estate tenancy",
                      path="compartmentId")
    elif not rules.estate_oci_tenancy_ids:
        yield Finding(f"compartmentId: {what} tenancy {value}, which cannot be verified as the estate's: name the "
                      f"estate's tenancies in {rules.where('estate.ociTenancyIds')}", path="compartmentId")
    elif tenancy not in rules.estate_oci_tenancy_ids:
        yield Finding(f"compartmentId: {what} tenancy {value}, which is not an estate tenancy "
                      f"({', '.join(sorted(rules.estate_oci_tenancy_ids))}): the estate's organization would reach "
                      "outside the estate, or the estate into another organization", path="compartmentId")


def check(resource: ResourceView, rules: Rules) -> Iterator[Finding]:
    yield from _tenancy(resource, rules)


def check_stack(stack: StackView, rules: Rules) -> Iterator[Finding]:
    """Tenancies unknown at preview: the estate's when they come from a resource of this stack."""
    for resource in stack.of_type(CHILD_TENANCY, SUBSCRIPTION_MAPPING):
        if not is_unknown(resource.props.get("compartmentId")):
            continue
        deps = resource.property_dependencies.get("compartmentId", ())
        if deps and all(u in stack.by_urn and not stack.by_urn[u].type.startswith(_OTHER_STACKS) for u in deps):
            continue
        yield Finding("compartmentId decides which organization the tenancy belongs to, and it comes from no "
                      "resource of this stack", urn=resource.urn, path="compartmentId", unverifiable=True)


POLICY = resource_policy(
    name="estate-organization",
    description="Child tenancies are created only under estate tenancies, and no subscription "
                "joins a tenancy outside the estate to the estate's organization or the estate to another's.",
    severity="critical",
    remediation=(
        "Create child tenancies (oci.tenantmanagercontrolplane.ChildTenancy) only under an estate tenancy "
        "(compartment_id in estate.ociTenancyIds); assign subscriptions "
        "(SubscriptionMapping) only to estate tenancies; never under or to a parent-company tenancy. Give these as "
        "literal or config values so they can be checked at preview."
    ),
    tags=["organization", "isolation", "residency"],
    framework=RESIDENCY.control("ORG-1"),
    check=check,
    stack_check=check_stack,
    resource_types=[CHILD_TENANCY, SUBSCRIPTION_MAPPING],
)
