"""The kit's own program and stacks pass the pack: no mandatory violation in us-prod or dev."""

import pytest


@pytest.mark.parametrize("stack", ["us-prod", "dev"])
def test_kit_stack_has_no_mandatory_violation(stack, kit_stack_preview):
    result = kit_stack_preview(stack)
    assert len(result.resources) > 20, "the program registered almost nothing: is it wired?"
    assert [(v.policy, v.urn, v.message) for v in result.mandatory] == []


def test_us_prod_is_a_realistic_estate_that_the_pack_passes(kit_stack_preview):
    """The data tier of us-prod (issue 21): a database with a standby, a workload compartment, a log archive, an
    uploads bucket pair and a DR network, each judged by the pack with no violation of any level."""
    result = kit_stack_preview("us-prod")
    types = [r.type for r in result.resources]
    for component, count in (("residency:oci:UserDataDatabase", 1), ("residency:oci:WorkloadCompartment", 1),
                             ("residency:oci:LogArchive", 1), ("residency:oci:NetworkBoundary", 2),
                             ("residency:oci:ReplicatedBucket", 3)):
        assert types.count(component) == count, component
    assert types.count("oci:Database/autonomousDatabase:AutonomousDatabase") == 2
    data_tier = ("user-profiles", "uploads", "us-residency-log-archive", "us-residency-workload",
                 "us-residency-dr-network")
    flagged = [(v.policy, v.urn) for v in result.violations if any(f"::{n}" in v.urn for n in data_tier)]
    assert flagged == []
