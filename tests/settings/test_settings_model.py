"""The residency settings model: every bad-config case of issue 2 with its exact message, reported together,
and a program that registers nothing when its settings are bad."""

from __future__ import annotations

import json
import runpy
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from residency_kit.settings import ResidencySettings, SettingsError, parse_settings
import pulumi

from residency_kit.engine.capture import install_mocks
from residency_kit.engine.preview_mocks import PreviewMocks

REPO_ROOT = Path(__file__).resolve().parents[2]
PARENT_TENANCY = "ocid1.tenancy.oc1..aaaaaaaaparent"
US_OCI = "us-ashburn-1, us-phoenix-1, us-sanjose-1, us-chicago-1, us-langley-1, us-luke-1, " \
         "us-gov-ashburn-1, us-gov-chicago-1, us-gov-phoenix-1"
BASE = {
    "homeRegion": "us-ashburn-1",
    "backupRegion": "us-phoenix-1",
    "tenancy": {"tenancyOcid": "ocid1.tenancy.oc1..aaaaaaaausdata"},
    "parentCompany": {
        "cidrs": ["203.0.113.0/24", "2001:db8:bad::/48"],
        "ociTenancyIds": [PARENT_TENANCY],
        "awsAccountIds": ["999999999999"],
        "awsOrganizationIds": ["o-parentexample1"],
    },
    "operatorCidrs": ["198.51.100.0/24"],
    "estate": {"awsAccountIds": ["222222222222"]},
}


def as_config(values: dict) -> dict[str, str]:
    """Config as the engine hands it to a program: namespaced keys, objects/lists as JSON, scalars as text."""
    return {f"residency:{key}": json.dumps(value) if isinstance(value, (dict, list, bool)) else str(value)
            for key, value in values.items()}


def issues_for(**patch) -> list[str]:
    with pytest.raises(SettingsError) as raised:
        parse_settings(as_config({**BASE, **patch}))
    return [str(issue) for issue in raised.value.issues]


def stack_config(stack: str) -> dict[str, str]:
    document = yaml.safe_load((REPO_ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text())
    return {k: json.dumps(v) if isinstance(v, (dict, list, bool)) else str(v) for k, v in document["config"].items()}


# --- valid settings -------------------------------------------------------------------------------

def test_base_config_is_valid_and_immutable():
    settings = parse_settings(as_config(BASE))
    assert isinstance(settings, ResidencySettings)
    assert (settings.jurisdiction, settings.home_region, settings.backup_region) == ("US", "us-ashburn-1", "us-phoenix-1")
    assert settings.tenancy.compartments.root == "us-residency"
    assert settings.tenancy.vault_type == "VIRTUAL_PRIVATE"
    with pytest.raises(ValidationError, match="frozen"):
        settings.home_region = "us-chicago-1"  # type: ignore[misc]


@pytest.mark.parametrize("stack", ["us-prod", "dev"])
def test_shipped_stacks_are_valid(stack):
    settings = parse_settings({k: v for k, v in stack_config(stack).items() if k.startswith("residency:")})
    assert settings.home_region != settings.backup_region
    assert not set(settings.trusted.oci_tenancy_ids) & set(settings.parent_company.oci_tenancy_ids)


def test_trusted_auditor_groups_are_read_from_camel_case_keys():
    tenancy = {"tenancyOcid": "ocid1.tenancy.oc1..aaaaaaaausdata",
               "trustedAuditorGroups": [{"tenancyId": "ocid1.tenancy.oc1..aaaaaaaaoversight",
                                         "groupId": "ocid1.group.oc1..aaaaaaaaauditors"}]}
    settings = parse_settings(as_config({**BASE, "tenancy": tenancy,
                                         "trusted": {"ociTenancyIds": ["ocid1.tenancy.oc1..aaaaaaaaoversight"]}}))
    (group,) = settings.tenancy.trusted_auditor_groups
    assert (group.tenancy_id, group.group_id) == ("ocid1.tenancy.oc1..aaaaaaaaoversight",
                                                  "ocid1.group.oc1..aaaaaaaaauditors")
    assert parse_settings(as_config(BASE)).tenancy.trusted_auditor_groups == ()


# --- every bad value: one issue naming the key, the value and what is allowed ---------------------

BAD_CASES = {
    "non-US home region": (
        {"homeRegion": "eu-frankfurt-1"},
        [f"residency:homeRegion: 'eu-frankfurt-1' not a US OCI region; allowed: {US_OCI}"]),
    "backup region equals home region": (
        {"backupRegion": "us-ashburn-1"},
        ["residency:backupRegion: 'us-ashburn-1' equals residency:homeRegion; allowed: another allowed US region "
         "(us-phoenix-1, us-sanjose-1, us-chicago-1)"]),
    "backup region not allowed": (
        {"allowedRegions": {"oci": ["us-ashburn-1", "us-chicago-1"]}},
        ["residency:backupRegion: 'us-phoenix-1' is not in residency:allowedRegions.oci; "
         "allowed: us-ashburn-1, us-chicago-1"]),
    "home region not allowed": (
        {"allowedRegions": {"oci": ["us-phoenix-1", "us-chicago-1"]}},
        ["residency:homeRegion: 'us-ashburn-1' is not in residency:allowedRegions.oci; "
         "allowed: us-phoenix-1, us-chicago-1"]),
    "non-US AWS region": (
        {"allowedRegions": {"aws": ["us-east-1", "eu-west-1"]}},
        ["residency:allowedRegions.aws[1]: 'eu-west-1' not a US AWS region; allowed: us-east-1, us-east-2, "
         "us-west-1, us-west-2, us-gov-east-1, us-gov-west-1"]),
    "malformed OCID": (
        {"tenancy": {"tenancyOcid": "ocid1.compartment.oc1..aaaa"}},
        ["residency:tenancy.tenancyOcid: 'ocid1.compartment.oc1..aaaa' not a tenancy OCID; "
         "allowed: ocid1.tenancy.<realm>..<unique id>"]),
    "operator CIDR overlaps parent IPv4 range": (
        {"operatorCidrs": ["203.0.113.128/25"]},
        ["residency:operatorCidrs[0]: '203.0.113.128/25' overlaps parent-company range 203.0.113.0/24 "
         "(residency:parentCompany.cidrs); allowed: US operator ranges disjoint from every parent-company range"]),
    "operator CIDR overlaps parent IPv6 range": (
        {"operatorCidrs": ["198.51.100.0/24", "2001:db8:bad:1::/64"]},
        ["residency:operatorCidrs[1]: '2001:db8:bad:1::/64' overlaps parent-company range 2001:db8:bad::/48 "
         "(residency:parentCompany.cidrs); allowed: US operator ranges disjoint from every parent-company range"]),
    "trusted tenancy is a parent tenancy": (
        {"trusted": {"ociTenancyIds": [PARENT_TENANCY]}},
        [f"residency:trusted.ociTenancyIds[0]: '{PARENT_TENANCY}' is also a parent-company identifier "
         "(residency:parentCompany.ociTenancyIds); allowed: parties independent of the parent company"]),
    "trusted AWS account and organization are parent ones": (
        {"trusted": {"awsAccountIds": ["999999999999"], "awsOrganizationIds": ["o-parentexample1"]}},
        ["residency:trusted.awsAccountIds[0]: '999999999999' is also a parent-company identifier "
         "(residency:parentCompany.awsAccountIds); allowed: parties independent of the parent company",
         "residency:trusted.awsOrganizationIds[0]: 'o-parentexample1' is also a parent-company identifier "
         "(residency:parentCompany.awsOrganizationIds); allowed: parties independent of the parent company"]),
    "estate account or tenancy is a parent one": (
        {"estate": {"awsAccountIds": ["999999999999"], "ociTenancyIds": [PARENT_TENANCY]}},
        [f"residency:estate.ociTenancyIds[0]: '{PARENT_TENANCY}' is a parent-company identifier "
         "(residency:parentCompany.ociTenancyIds); allowed: the estate's own",
         "residency:estate.awsAccountIds[0]: '999999999999' is a parent-company identifier "
         "(residency:parentCompany.awsAccountIds); allowed: the estate's own"]),
    "AWS copy without estate accounts to pin its providers to": (
        {"estate": {}, "backup": {"awsCopy": {"enabled": True, "bucketName": "copy-bucket-name",
                                              "replicaBucketName": "replica-bucket-name"}}},
        ["residency:estate.awsAccountIds: [] is empty while backup.awsCopy is enabled; allowed: the estate's AWS "
         "account IDs, which the AWS providers pin as allowedAccountIds (so they refuse to run in any other account)"]),
    "estate tenancy is the parent tenancy": (
        {"tenancy": {"tenancyOcid": PARENT_TENANCY}},
        [f"residency:tenancy.tenancyOcid: '{PARENT_TENANCY}' is a parent-company tenancy; "
         "allowed: the dedicated US tenancy"]),
    "child tenancy home region not allowed": (
        {"allowedRegions": {"oci": ["us-ashburn-1", "us-phoenix-1"]},
         "tenancy": {"tenancyOcid": "ocid1.tenancy.oc1..aaaaaaaausdata",
                     "childTenancy": {"tenancyName": "usdata", "adminEmail": "a@example.com",
                                      "homeRegion": "us-chicago-1"}}},
        ["residency:tenancy.childTenancy.homeRegion: 'us-chicago-1' is not in residency:allowedRegions.oci; "
         "allowed: us-ashburn-1, us-phoenix-1"]),
    "AWS copy replica region not allowed": (
        {"allowedRegions": {"aws": ["us-east-1", "us-east-2"]},
         "backup": {"awsCopy": {"enabled": True, "region": "us-east-2", "replicaRegion": "us-west-2"}}},
        ["residency:backup.awsCopy.replicaRegion: 'us-west-2' is not in residency:allowedRegions.aws; "
         "allowed: us-east-1, us-east-2"]),
    "AWS copy replica equals copy region": (
        {"backup": {"awsCopy": {"enabled": True, "region": "us-east-2", "replicaRegion": "us-east-2"}}},
        ["residency:backup.awsCopy.replicaRegion: 'us-east-2' equals residency:backup.awsCopy.region; "
         "allowed: another allowed US AWS region"]),
    "malformed AWS account ID": (
        {"trusted": {"awsAccountIds": ["12345"]}},
        ["residency:trusted.awsAccountIds[0]: '12345' not an AWS account ID; allowed: exactly 12 digits"]),
    "malformed AWS organization ID": (
        {"trusted": {"awsOrganizationIds": ["org-1"]}},
        ["residency:trusted.awsOrganizationIds[0]: 'org-1' not an AWS organization ID; "
         "allowed: o- followed by 10 to 32 lowercase letters or digits"]),
    "unknown key": (
        {"homeRegon": "us-ashburn-1"},
        ["residency:homeRegon: 'us-ashburn-1' is not a known setting"]),
    "non-US jurisdiction": (
        {"jurisdiction": "EU"},
        ["residency:jurisdiction: 'EU' Input should be 'US'"]),
    "retention below one day": (
        {"minimumRetentionDays": 0},
        ["residency:minimumRetentionDays: '0' Input should be greater than or equal to 1"]),
    "no operator CIDRs": (
        {"operatorCidrs": []},
        ["residency:operatorCidrs: [] Tuple should have at least 1 item after validation, not 0"]),
    "trusted auditor group with a tenancy OCID as group": (
        {"tenancy": {"tenancyOcid": "ocid1.tenancy.oc1..aaaaaaaausdata",
                     "trustedAuditorGroups": [{"tenancyId": "ocid1.tenancy.oc1..aaaaaaaaoversight",
                                               "groupId": "ocid1.tenancy.oc1..aaaaaaaaoversight"}]}},
        ["residency:tenancy.trustedAuditorGroups[0].groupId: 'ocid1.tenancy.oc1..aaaaaaaaoversight' not a group "
         "OCID; allowed: ocid1.group.<realm>..<unique id>"]),
    "unknown vault type": (
        {"tenancy": {"tenancyOcid": "ocid1.tenancy.oc1..aaaaaaaausdata", "vaultType": "EXTERNAL"}},
        ["residency:tenancy.vaultType: 'EXTERNAL' Input should be 'DEFAULT' or 'VIRTUAL_PRIVATE'"]),
}


@pytest.mark.parametrize(("patch", "expected"), BAD_CASES.values(), ids=BAD_CASES.keys())
def test_bad_value_gets_one_exact_message(patch, expected):
    assert issues_for(**patch) == expected


@pytest.mark.parametrize(("patch", "expected"), [
    ({"operatorCidrs": ["198.51.100.7/24"]},
     ["residency:operatorCidrs[0]: '198.51.100.7/24' not a CIDR block (198.51.100.7/24 has host bits set); "
      "allowed: an IPv4 or IPv6 network such as 198.51.100.0/24 or 2001:db8::/32"]),
    ({"parentCompany": {**BASE["parentCompany"], "cidrs": ["203.0.113.0/33"]}},
     ["residency:parentCompany.cidrs[0]: '203.0.113.0/33' not a CIDR block ('203.0.113.0/33' does not appear "
      "to be an IPv4 or IPv6 network); allowed: an IPv4 or IPv6 network such as 198.51.100.0/24 or 2001:db8::/32"]),
], ids=["operator CIDR with host bits", "parent CIDR with prefix 33"])
def test_malformed_cidr_gets_one_exact_message(patch, expected):
    assert issues_for(**patch) == expected


def test_malformed_cidr_is_named_with_key_value_and_what_is_allowed():
    issues = issues_for(operatorCidrs=["198.51.100.7/24"])
    assert issues[0] == ("residency:operatorCidrs[0]: '198.51.100.7/24' not a CIDR block (198.51.100.7/24 has "
                         "host bits set); allowed: an IPv4 or IPv6 network such as 198.51.100.0/24 or 2001:db8::/32")


def test_missing_required_key():
    config = as_config(BASE)
    del config["residency:homeRegion"]
    with pytest.raises(SettingsError) as raised:
        parse_settings(config)
    assert str(raised.value) == ("invalid stack configuration (1 problem(s)):\n"
                                 "  - residency:homeRegion: None is required but not set")


# --- reported together ----------------------------------------------------------------------------

def test_every_field_error_is_reported_at_once():
    issues = issues_for(homeRegion="eu-frankfurt-1", jurisdiction="EU",
                        trusted={"awsAccountIds": ["12345"], "awsOrganizationIds": ["org-1"]},
                        tenancy={"tenancyOcid": "ocid1.compartment.oc1..aaaa"})
    assert [issue.split(": ", 1)[0] for issue in issues] == ["residency:jurisdiction", "residency:homeRegion", "residency:trusted.awsAccountIds[0]",
                    "residency:trusted.awsOrganizationIds[0]", "residency:tenancy.tenancyOcid"]


def test_every_cross_field_error_is_reported_at_once():
    issues = issues_for(backupRegion="us-ashburn-1", operatorCidrs=["203.0.113.0/25", "2001:db8:bad::/64"],
                        trusted={"ociTenancyIds": [PARENT_TENANCY]}, tenancy={"tenancyOcid": PARENT_TENANCY})
    assert [issue.split(": ", 1)[0] for issue in issues] == [
        "residency:backupRegion", "residency:operatorCidrs[0]", "residency:operatorCidrs[1]",
        "residency:trusted.ociTenancyIds[0]", "residency:tenancy.tenancyOcid"]


def test_field_and_cross_field_errors_are_reported_together():
    issues = issues_for(homeRegion="eu-frankfurt-1", operatorCidrs=["203.0.113.128/25"])
    assert [issue.split(": ", 1)[0] for issue in issues] == ["residency:homeRegion", "residency:operatorCidrs[0]"]


def test_error_message_lists_every_problem():
    with pytest.raises(SettingsError) as raised:
        parse_settings(as_config({**BASE, "backupRegion": "us-ashburn-1", "operatorCidrs": ["203.0.113.0/25"]}))
    lines = str(raised.value).splitlines()
    assert lines[0] == "invalid stack configuration (2 problem(s)):"
    assert lines[1].startswith("  - residency:backupRegion: 'us-ashburn-1' equals residency:homeRegion")
    assert lines[2].startswith("  - residency:operatorCidrs[0]: '203.0.113.0/25' overlaps parent-company range")


# --- nothing registered ---------------------------------------------------------------------------

def run_program(stack: str, config: dict[str, str]):
    """Run ``__main__.py`` as the offline preview does; return the monitor and the program's exception."""
    monitor = install_mocks(PreviewMocks(config), project="us-data-residency", stack=stack, preview=True,
                            config=config)
    try:
        pulumi.runtime.test(lambda: runpy.run_path(str(REPO_ROOT / "__main__.py")))()
    except Exception as error:  # noqa: BLE001 (the test inspects it)
        return monitor, error
    return monitor, None


@pytest.mark.parametrize("stack", ["us-prod", "dev"])
def test_program_registers_nothing_when_settings_are_bad(stack):
    config = stack_config(stack)
    config["residency:homeRegion"] = "eu-frankfurt-1"
    monitor, error = run_program(stack, config)
    assert isinstance(error, SettingsError)
    assert "residency:homeRegion: 'eu-frankfurt-1' not a US OCI region" in str(error)
    assert monitor.registrations == []


def test_program_registers_resources_when_settings_are_good():
    # The counterpart of the test above: the same harness records registrations for a valid stack.
    monitor, error = run_program("dev", stack_config("dev"))
    assert error is None
    assert [r.name for r in monitor.registrations if r.type == "residency:oci:IsolatedTenancy"] == ["us-residency"]


# --- repeated values (a component would register two resources with one name) -----------------------------

_BASE = {
    "homeRegion": "us-ashburn-1", "backupRegion": "us-phoenix-1", "parentCompany": {"cidrs": ["203.0.113.0/24"]},
    "operatorCidrs": ["198.51.100.0/24"], "tenancy": {"tenancyOcid": "ocid1.tenancy.oc1..aaaaaaaausdata"},
}
_PEER = {"name": "oversight", "peerId": "ocid1.remotepeeringconnection.oc1.phx.aaaaaaaapeer",
         "peerRegionName": "us-phoenix-1", "peerTenancyId": "ocid1.tenancy.oc1..aaaaaaaausdata",
         "peerCidrs": ["10.50.0.0/16"]}


@pytest.mark.parametrize(
    ("overrides", "key", "value"),
    [
        ({"operatorCidrs": ["198.51.100.0/24", "198.51.100.0/24"]}, "residency:operatorCidrs", "198.51.100.0/24"),
        ({"operatorCidrs": ["2001:db8:1::/48", "2001:0db8:0001::/48"]}, "residency:operatorCidrs", "2001:db8:1::/48"),
        ({"network": {"dataTcpPorts": [1521, 1522, 1521]}}, "residency:network.dataTcpPorts", "1521"),
        ({"network": {"enableNatGateway": True, "natRouteCidrs": ["192.0.2.0/24", "192.0.2.0/24"]}},
         "residency:network.natRouteCidrs", "192.0.2.0/24"),
        ({"network": {"drg": {"enabled": True, "remotePeerings": [_PEER, {**_PEER, "peerCidrs": ["10.60.0.0/16"]}]}}},
         "residency:network.drg.remotePeerings", "the name 'oversight'"),
        ({"tenancy": {"tenancyOcid": "ocid1.tenancy.oc1..aaaaaaaausdata", "trustedAuditorGroups": [
            {"tenancyId": "ocid1.tenancy.oc1..aaaaaaaaoversight", "groupId": "ocid1.group.oc1..aaaa"}] * 2},
          "trusted": {"ociTenancyIds": ["ocid1.tenancy.oc1..aaaaaaaaoversight"]}},
         "residency:tenancy.trustedAuditorGroups", "the same entry"),
    ],
)
def test_a_value_given_twice_is_refused_naming_the_key_and_the_value(overrides, key, value):
    with pytest.raises(SettingsError) as err:
        parse_settings({**_BASE, **overrides})
    (issue,) = err.value.issues
    assert issue.key == key
    assert f"holds {value if value.startswith('the ') else repr(value)} twice" in issue.message
    assert issue.message.endswith("allowed: each value once")


@pytest.mark.parametrize(
    ("overrides", "key", "also"),
    [
        ({"network": {"drg": {"enabled": True, "remotePeerings": [{**_PEER, "peerCidrs": ["198.51.100.0/24"]}]}}},
         "residency:network.drg.remotePeerings[0].peerCidrs[0]", "residency:operatorCidrs[0]"),
        ({"network": {"enableNatGateway": True, "natRouteCidrs": ["192.0.2.0/24"], "internetGatewayTiers": ["app"],
                      "internetRouteCidrs": ["192.0.2.0/24"]}},
         "residency:network.internetRouteCidrs[0]", "residency:network.natRouteCidrs[0]"),
    ],
)
def test_a_range_in_two_roles_is_refused(overrides, key, also):
    with pytest.raises(SettingsError) as err:
        parse_settings({**_BASE, **overrides})
    (issue,) = err.value.issues
    assert issue.key == key and f"is also {also}" in issue.message
