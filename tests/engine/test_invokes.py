"""Invokes the offline preview answers: a program that looks up Oracle-managed resources gets them."""

from __future__ import annotations

import pulumi
import pulumi_oci as oci

from residency.engine.capture import capture
from residency.engine.preview_mocks import PreviewMocks

CONFIG = {"oci:region": "us-phoenix-1"}
TENANCY = "ocid1.tenancy.oc1..aaaaaaaatesttenancy"


def _cloud_guard_lookups():
    home = oci.Provider("home", region="us-ashburn-1")
    opts = pulumi.InvokeOptions(provider=home)
    recipes = oci.cloudguard.get_detector_recipes_output(compartment_id=TENANCY, opts=opts)
    policies = oci.cloudguard.get_security_policies_output(compartment_id=TENANCY, opts=opts)
    recipe_ids = recipes.apply(lambda r: [i.id for c in r.detector_recipe_collections for i in c.items
                                          if i.owner == "ORACLE" and i.detector == "IAAS_ACTIVITY_DETECTOR"])
    oci.cloudguard.SecurityRecipe(
        "recipe", compartment_id=TENANCY, display_name="recipe",
        security_policies=policies.apply(lambda r: [i.id for c in r.security_policy_collections for i in c.items]),
        opts=pulumi.ResourceOptions(provider=home))
    oci.cloudguard.Target(
        "target", compartment_id=TENANCY, display_name="target", target_resource_type="COMPARTMENT",
        target_resource_id=TENANCY, target_detector_recipes=recipe_ids.apply(lambda ids: [{"detector_recipe_id": i} for i in ids]),
        opts=pulumi.ResourceOptions(provider=home))


def test_cloud_guard_lookups_return_oracle_managed_recipes_and_policies_of_the_provider_region():
    mocks = PreviewMocks(CONFIG)
    monitor = capture(_cloud_guard_lookups, preview=True, config=CONFIG, mocks=mocks)
    assert mocks.unanswered_invokes == []
    target = monitor.named("target").inputs["targetDetectorRecipes"]
    # The explicit provider's region (iad), not the config's (phx), names the recipe.
    assert target == [{"detectorRecipeId": "ocid1.cloudguarddetectorrecipe.oc1.iad.previewiaas_activity_detector"}]
    policies = monitor.named("recipe").inputs["securityPolicies"]
    assert len(policies) == 4 and all(p.startswith("ocid1.securityzonessecuritypolicy.oc1.iad.") for p in policies)
