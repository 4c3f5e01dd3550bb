"""estate-organization (issue 22 item 5): the estate's tenancies belong to the estate's organization and no other.

Estate tenancies ``...usdataexample...`` and ``...devtenancyexample...``, parent ``...parentexample...``, trusted
``...oversightexample...`` (the shipped rules file); allowed OCI regions are the four commercial US regions.
"""

from __future__ import annotations

import pulumi
import pulumi_oci as oci

from tests.policies.conftest import flagged, judged, messages, urn

POLICY = "estate-organization"
CHILD = "oci:Tenantmanagercontrolplane/childTenancy:ChildTenancy"
MAPPING = "oci:Tenantmanagercontrolplane/subscriptionMapping:SubscriptionMapping"
ESTATE = "ocid1.tenancy.oc1..aaaaaaaausdataexample0000000000000000000000000000000000000"
PARENT = "ocid1.tenancy.oc1..aaaaaaaaparentexample000000000000000000000000000000000000"
TRUSTED = "ocid1.tenancy.oc1..aaaaaaaaoversightexample0000000000000000000000000000000000"
SUBSCRIPTION = "ocid1.organizationssubscription.oc1..aaaaaaaasub"


def child(name, under, region="us-ashburn-1"):
    return oci.tenantmanagercontrolplane.ChildTenancy(name, compartment_id=under, home_region=region,
                                                      tenancy_name=name, admin_email="admin@us.example")


def test_children_under_the_estate_are_compliant(preview):
    def program():
        child("us-child", ESTATE)
        child("us-child-by-key", ESTATE, region="PHX")
        oci.tenantmanagercontrolplane.SubscriptionMapping("to-estate", compartment_id=ESTATE, subscription_id=SUBSCRIPTION)

    result = preview(program)
    assert flagged(result, POLICY) == set()
    assert flagged(result, "estate-deploy-targets") & {urn(CHILD, "us-child"), urn(MAPPING, "to-estate")} == set()


def test_children_and_subscriptions_outside_the_estate_are_flagged(preview):
    def program():
        child("under-parent", PARENT)
        child("under-trusted", TRUSTED)
        child("abroad", ESTATE, region="eu-frankfurt-1")
        oci.tenantmanagercontrolplane.SubscriptionMapping("to-parent", compartment_id=PARENT, subscription_id=SUBSCRIPTION)
        child("fine", ESTATE)

    result = preview(program)
    assert flagged(result, POLICY) == {urn(CHILD, "under-parent"), urn(CHILD, "under-trusted"), urn(MAPPING, "to-parent")}
    # Checkov-style: the resources the policy judged and passed, beside those it flagged
    assert judged(result, POLICY).passed == {
        urn("oci:Tenantmanagercontrolplane/childTenancy:ChildTenancy", "abroad"),
        urn("oci:Tenantmanagercontrolplane/childTenancy:ChildTenancy", "fine"),
    }
    # A home region abroad is us-region-replication's, once.
    assert urn(CHILD, "abroad") in flagged(result, "us-region-replication")
    text = [m.split("\n", 1)[1] for m in messages(result, POLICY)]
    assert f"compartmentId: the child tenancy would be created under the parent company's tenancy {PARENT}, which would " \
           "make it part of the parent's organization (governance, quotas, subscriptions, termination); use an estate " \
           "tenancy" in text
    assert any(m.startswith("compartmentId: the subscription would be assigned to the parent company's tenancy") for m in text)
    # One violation each: estate-deploy-targets leaves the organization's tenancy to this policy, and so does the
    # safety net.
    assert flagged(result, "estate-deploy-targets") & flagged(result, POLICY) == set()
    assert flagged(result, "no-parent-company-identifiers") == set()


def test_a_tenancy_unknown_at_preview(preview):
    def program():
        elsewhere = pulumi.StackReference("org/tenancies/prod")
        child("from-elsewhere", elsewhere.get_output("tenancy"))
        parent = child("created-here", ESTATE)
        child("grandchild", parent.id)

    result = preview(program)
    assert flagged(result, POLICY) == {urn(CHILD, "from-elsewhere")}
    assert all("cannot be verified at preview" in m for m in messages(result, POLICY))
