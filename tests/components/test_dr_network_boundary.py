"""NetworkBoundary in a second region (the DR VCN): its own log group there, settings derived and validated."""

from __future__ import annotations

import pulumi
import pulumi_oci as oci
import pytest

from residency_kit.components.oci.network_boundary import TYPE_TOKEN, NetworkBoundary, NetworkBoundaryArgs
from residency_kit.engine.capture import capture, install_mocks
from residency_kit.settings import parse_settings
from tests.components.conftest import load_stack_config
from tests.components.test_network_boundary import _mocks

NETWORK_CID = "ocid1.compartment.oc1..network"
AUDIT_CID = "ocid1.compartment.oc1..audit"


def _prod():
    return parse_settings({k: v for k, v in load_stack_config("us-prod").items() if k.startswith("residency:")})


def _dr(settings, provider):
    return NetworkBoundary("dr", NetworkBoundaryArgs.dr_from_settings(
        settings, provider=provider, compartment_id=NETWORK_CID, log_compartment_id=AUDIT_CID))


@pytest.fixture(scope="module")
def monitor():
    settings = _prod()

    def program():
        _dr(settings, oci.Provider("oci-backup", region=settings.backup_region))

    return capture(program, mocks=_mocks())


def test_every_child_uses_the_backup_region_provider(monitor):
    (component,) = monitor.of_type(TYPE_TOKEN)
    (provider,) = monitor.of_type("pulumi:providers:oci")
    assert provider.inputs["region"] == "us-phoenix-1"
    children = [r for r in monitor.registrations if r.custom and not r.is_provider]
    assert children and all(r.provider.rsplit("::", 1)[0] == provider.mock_urn for r in children)
    assert {r.parent for r in children} <= {component.mock_urn}


def test_flow_and_firewall_logs_go_to_a_log_group_of_the_dr_region(monitor):
    group = monitor.named("dr-log-group")
    assert group.type == "oci:Logging/logGroup:LogGroup" and group.protect is True
    assert group.inputs["compartmentId"] == AUDIT_CID
    logs = monitor.of_type("oci:Logging/log:Log")
    assert sorted(r.name for r in logs) == sorted(
        ["dr-data-flow-log", "dr-app-flow-log", "dr-management-flow-log", "dr-firewall-flow-log",
         "dr-firewall-traffic-log", "dr-firewall-threat-log"])
    assert all(r.inputs["logGroupId"] == group.id for r in logs)


def test_the_dr_vcn_has_its_own_ranges_and_no_drg(monitor):
    vcn = monitor.named("dr-vcn")
    assert vcn.inputs["cidrBlocks"] == ["10.21.0.0/16"] and vcn.inputs["dnsLabel"] == "residencydr"
    subnets = {r.name: r.inputs["cidrBlock"] for r in monitor.of_type("oci:Core/subnet:Subnet")}
    assert subnets == {"dr-data-subnet": "10.21.10.0/24", "dr-app-subnet": "10.21.20.0/24",
                       "dr-management-subnet": "10.21.30.0/24", "dr-firewall-subnet": "10.21.40.0/24"}
    assert monitor.of_type("oci:Core/drg:Drg") == []


def test_outputs_by_tier():
    settings = _prod()
    install_mocks(_mocks())
    seen = {}

    @pulumi.runtime.test
    def program():
        dr = _dr(settings, oci.Provider("oci-backup", region=settings.backup_region))
        assert dr.vcn_cidr == "10.21.0.0/16"
        assert dr.subnet_cidrs == {"data": "10.21.10.0/24", "app": "10.21.20.0/24", "management": "10.21.30.0/24",
                                   "firewall": "10.21.40.0/24"}
        return pulumi.Output.all(dr.flow_log_ids, dr.firewall_log_ids, dr.log_group_id).apply(
            lambda v: seen.update(flow=v[0], firewall=v[1], group=v[2]))

    program()
    assert seen == {"flow": {t: f"dr-{t}-flow-log-id" for t in ("firewall", "data", "app", "management")},
                    "firewall": {"traffic": "dr-firewall-traffic-log-id", "threat": "dr-firewall-threat-log-id"},
                    "group": "dr-log-group-id"}


def test_a_boundary_given_a_log_group_creates_none():
    settings = _prod()

    def program():
        provider = oci.Provider("oci-home", region=settings.home_region)
        NetworkBoundary("home", NetworkBoundaryArgs.from_settings(
            settings, provider=provider, compartment_id=NETWORK_CID, log_group_id="ocid1.loggroup.oc1.iad.x"))

    monitor = capture(program, mocks=_mocks())
    assert monitor.of_type("oci:Logging/logGroup:LogGroup") == []
    assert {r.inputs["logGroupId"] for r in monitor.of_type("oci:Logging/log:Log")} == {"ocid1.loggroup.oc1.iad.x"}
