"""WorkloadCompartment: compute gets a compartment of its own, an admin group confined to it, no stores."""

from __future__ import annotations

import dataclasses

import pulumi_oci as oci
import pytest

from residency_kit.components.arg_problems import ComponentArgsError
from residency_kit.components.oci.workload_compartment import (
    TYPE_TOKEN,
    WorkloadCompartment,
    WorkloadCompartmentArgs,
)
from residency_kit.engine.capture import capture
from tests.components.data_tier_fixtures import HOME, ROOT_CID, TAGS, TENANCY, children_of, mocks, provider_region


def _run(**overrides):
    def program():
        provider = oci.Provider("oci-home", region=HOME)
        args = WorkloadCompartmentArgs(provider=provider, tenancy_ocid=TENANCY, parent_compartment_id=ROOT_CID,
                                       root_compartment_path="us-residency",
                                       network_compartment_path="us-residency:network", tags=TAGS)
        WorkloadCompartment("workload", dataclasses.replace(args, **overrides))

    return capture(program, mocks=mocks())


@pytest.fixture(scope="module")
def monitor():
    return _run()


def test_children_in_the_home_region(monitor):
    children = children_of(monitor, TYPE_TOKEN)
    assert sorted((r.type, r.name) for r in children) == [
        ("oci:Identity/compartment:Compartment", "workload-compartment"),
        ("oci:Identity/group:Group", "workload-admins"),
        ("oci:Identity/policy:Policy", "workload-admins-policy"),
        ("oci:Limits/quota:Quota", "workload-no-stores"),
    ]
    assert all(provider_region(monitor, r) == HOME for r in children)


def test_compartment_sits_under_the_residency_root_and_holds_no_user_data(monitor):
    compartment = monitor.named("workload-compartment")
    assert compartment.inputs["compartmentId"] == ROOT_CID and compartment.inputs["name"] == "workload"
    assert compartment.inputs["enableDelete"] is False
    assert compartment.inputs["freeformTags"] == {**TAGS, "residency-compartment": "workload",
                                                  "residency-data": "internal"}


def test_admins_manage_compute_here_and_only_use_the_network(monitor):
    policy = monitor.named("workload-admins-policy")
    assert policy.inputs["compartmentId"] == TENANCY
    assert policy.inputs["statements"] == [
        "Allow group us-residency-workload-admins to manage cluster-family in compartment us-residency:workload",
        "Allow group us-residency-workload-admins to manage instance-family in compartment us-residency:workload",
        "Allow group us-residency-workload-admins to manage volume-family in compartment us-residency:workload",
        "Allow group us-residency-workload-admins to manage functions-family in compartment us-residency:workload",
        "Allow group us-residency-workload-admins to manage repos in compartment us-residency:workload",
        "Allow group us-residency-workload-admins to use virtual-network-family in compartment us-residency:network",
    ]
    assert monitor.named("workload-admins").inputs["name"] == "us-residency-workload-admins"


def test_quota_zeroes_the_storage_services_in_the_compartment(monitor):
    quota = monitor.named("workload-no-stores")
    assert quota.inputs["statements"] == [f"zero {family} quotas in compartment us-residency:workload" for family in
                                          ("database", "nosql", "postgresql", "mysql", "filesystem", "object-storage")]


def test_outputs_are_registered(monitor):
    (component,) = monitor.of_type(TYPE_TOKEN)
    outputs = monitor.resource_outputs[component.mock_urn]
    assert outputs["compartmentPath"] == "us-residency:workload"
    assert outputs["compartmentId"] == "workload-compartment-id" and outputs["groupName"] == "us-residency-workload-admins"


def test_every_problem_in_one_error():
    with pytest.raises(ComponentArgsError) as raised:
        _run(tenancy_ocid="ocid1.compartment.oc1..x", compartment_name="no spaces", network_compartment_path="",
             store_quota_families=())
    assert [line.split(":", 1)[0] for line in str(raised.value).splitlines()] == [
        "invalid WorkloadCompartmentArgs for 'workload' (4 problem(s))",
        "  - WorkloadCompartmentArgs.tenancy_ocid", "  - WorkloadCompartmentArgs.compartment_name",
        "  - WorkloadCompartmentArgs.network_compartment_path", "  - WorkloadCompartmentArgs.store_quota_families"]
