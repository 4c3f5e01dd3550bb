"""Settings that can be derived (validated) and round-trip, and the data tier's settings with their checks."""

from __future__ import annotations

import ipaddress

import pytest

from residency_kit.settings import ResidencySettings, SettingsError, parse_settings
from residency_kit.settings.base import SettingsDerivationError
from residency_kit.settings.network import DrgSettings, DrNetworkSettings, NetworkSettings
from tests.settings.test_settings_model import BASE, as_config

DR = {"enabled": True, "vcnCidr": "10.21.0.0/16", "dataSubnetCidr": "10.21.10.0/24",
      "appSubnetCidr": "10.21.20.0/24", "managementSubnetCidr": "10.21.30.0/24"}
DB = {"name": "user-profiles", "dbName": "USERPROFILES",
      "adminPasswordSecretId": "ocid1.vaultsecret.oc1.iad.amaaaaaaexample"}


def _issues(values: dict) -> list[str]:
    with pytest.raises(SettingsError) as raised:
        parse_settings(as_config({**BASE, **values}))
    return [str(issue) for issue in raised.value.issues]


def test_settings_round_trip_through_model_dump():
    settings = parse_settings(as_config({**BASE, "drNetwork": DR, "databases": [DB]}))
    assert ResidencySettings.model_validate(settings.model_dump()) == settings
    assert NetworkSettings.model_validate(settings.network.model_dump()) == settings.network


def test_derive_validates_and_accepts_either_key_spelling():
    home = NetworkSettings()
    derived = home.derive(vcn_cidr="10.40.0.0/16", dataSubnetCidr="10.40.10.0/24", app_subnet_cidr="10.40.20.0/24",
                          management_subnet_cidr="10.40.30.0/24")
    assert derived.vcn_cidr == ipaddress.ip_network("10.40.0.0/16")
    assert derived.subnet_cidrs()["data"] == ipaddress.ip_network("10.40.10.0/24")
    assert derived.data_tcp_ports == home.data_tcp_ports


def test_derive_refuses_what_validation_refuses_naming_the_key():
    with pytest.raises(SettingsDerivationError) as raised:
        NetworkSettings().derive(vcn_cidr="nope")
    assert str(raised.value).splitlines()[:2] == [
        "invalid derived NetworkSettings (1 problem(s)):",
        "  - vcn_cidr: 'nope' not a CIDR block ('nope' does not appear to be an IPv4 or IPv6 network); allowed: an "
        "IPv4 or IPv6 network such as 198.51.100.0/24 or 2001:db8::/32",
    ]


def test_model_copy_with_update_is_validated_too():
    """The failure issue 21 met: model_copy(update=...) used to skip validation and fail later with
    AttributeError: 'str' object has no attribute 'subnet_of'."""
    with pytest.raises(SettingsDerivationError) as raised:
        NetworkSettings().model_copy(update={"vcn_cidr": "10.40.0.0/16"})
    assert "dataSubnetCidr 10.20.10.0/24 is outside vcnCidr 10.40.0.0/16" in str(raised.value)
    assert NetworkSettings().model_copy() == NetworkSettings()


def test_dr_network_takes_the_home_choices_with_its_ranges_and_no_drg():
    home = NetworkSettings(network_firewall=True, drg=DrgSettings(enabled=True))
    dr = DrNetworkSettings.model_validate({**DR, "firewallSubnetCidr": "10.21.40.0/24"})
    network = dr.network_for(home)
    assert network.network_firewall is True and network.drg == DrgSettings()
    assert network.firewall_subnet_cidr == ipaddress.ip_network("10.21.40.0/24")


def test_dr_network_issues_name_the_key():
    assert _issues({"drNetwork": {"enabled": True, "vcnCidr": "10.20.0.0/16", "dataSubnetCidr": "10.20.10.0/24",
                                  "appSubnetCidr": "10.20.20.0/24", "managementSubnetCidr": "10.20.30.0/24"}}) == [
        "residency:drNetwork.vcnCidr: '10.20.0.0/16' overlaps residency:network.vcnCidr 10.20.0.0/16; allowed: a range "
        "disjoint from the home VCN, so the two can be peered for replication and failover"]
    assert _issues({"drNetwork": {"enabled": True, "vcnCidr": "10.21.0.0/16"}}) == [
        f"residency:drNetwork.{key}: None is required while drNetwork.enabled is true; allowed: an IPv4 CIDR block"
        for key in ("dataSubnetCidr", "appSubnetCidr", "managementSubnetCidr")]
    assert _issues({"drNetwork": {**DR, "dataSubnetCidr": "10.22.10.0/24"}}) == [
        "residency:drNetwork.vcnCidr: '10.21.0.0/16' does not hold the DR subnets: dataSubnetCidr 10.22.10.0/24 is "
        "outside vcnCidr 10.21.0.0/16; allowed: disjoint subnets inside vcnCidr (keys of residency:drNetwork)"]
    assert _issues({"drNetwork": {**DR, "vcnCidr": "203.0.0.0/8", "dataSubnetCidr": "203.1.10.0/24",
                                  "appSubnetCidr": "203.1.20.0/24", "managementSubnetCidr": "203.1.30.0/24"}}) == [
        "residency:drNetwork.vcnCidr: '203.0.0.0/8' overlaps parent-company range(s) 203.0.113.0/24; allowed: ranges "
        "disjoint from every parent-company range"]


def test_data_tier_issues_are_reported_together():
    issues = _issues({
        "minimumRetentionDays": 400,
        "databases": [{**DB, "longTermBackupRetentionDays": 365}],
        "buckets": [{"name": "uploads", "bucketName": "us-residency-data", "backupBucketName": "up-backup",
                     "retentionDays": 100}],
        "logArchive": {"enabled": True, "retentionDays": 365},
    })
    assert issues == [
        "residency:databases[0].longTermBackupRetentionDays: 365 is below residency:minimumRetentionDays (400); "
        "allowed: at least 400",
        "residency:databases[0]: 'user-profiles' needs a standby subnet in the backup region, but "
        "residency:drNetwork.enabled is false; allowed: enable residency:drNetwork",
        "residency:buckets[0].retentionDays: 100 is below residency:minimumRetentionDays (400); allowed: at least 400",
        "residency:logArchive.retentionDays: 365 is below residency:minimumRetentionDays (400); allowed: at least 400",
        "residency:buckets[0].bucketName: 'us-residency-data' is also residency:backup.primaryBucketName; allowed: a "
        "bucket name used once",
    ]


def test_field_rules_of_the_data_tier():
    issues = _issues({"logArchive": {"enabled": True, "retentionDays": 180},
                      "databases": [{**DB, "dbName": "user-profiles", "adminPasswordSecretId": "hunter2"}],
                      "workload": {"enabled": True, "compartmentName": "no spaces"}})
    assert issues == [
        "residency:workload.compartmentName: 'no spaces' String should match pattern '^[A-Za-z0-9_.-]{1,100}$'",
        "residency:logArchive.retentionDays: 180 Input should be greater than or equal to 365",
        "residency:databases[0].dbName: 'user-profiles' String should match pattern '^[A-Za-z][A-Za-z0-9]{0,29}$'",
        "residency:databases[0].adminPasswordSecretId: 'hunter2' not a vaultsecret OCID; allowed: "
        "ocid1.vaultsecret.<realm>..<unique id>",
    ]


def test_an_existing_backup_key_needs_its_vault_for_a_database():
    issues = _issues({"drNetwork": DR, "databases": [DB],
                      "backup": {"backupKeyId": "ocid1.key.oc1.phx.bbpr2hw5aaeuk.abuwcljrbackupkey000"}})
    assert issues == [
        "residency:backup.backupVaultId: None is required by residency:databases[0] while residency:backup.backupKeyId "
        "is set; allowed: the OCID of that key's vault (a database names the vault beside the key)"]


def test_the_two_databases_may_not_share_a_name():
    issues = _issues({"drNetwork": DR, "databases": [DB, {**DB, "dbName": "OTHER"}]})
    assert issues == ["residency:databases: [{'name': 'user-profiles', 'dbName': 'USERPROFILES', 'adminPasswordSecretId': "
                      "'ocid1.vaultsecret.oc1.iad.amaaaaaaexample'}, {'name': 'user-profiles', 'dbName': 'OTHER', "
                      "'adminPasswordSecretId': 'ocid1.vaultsecret.oc1.iad.amaaaaaaexample'}] holds the name "
                      "'user-profiles' twice (items 0 and 1); allowed: each value once"]
