"""UserDataDatabase: a private, customer-key Autonomous Database with a US standby, and what it refuses."""

from __future__ import annotations

import dataclasses

import pulumi_oci as oci
import pytest

from residency_kit.components.arg_problems import ComponentArgsError
from residency_kit.components.oci.user_data_database import (
    AUTOMATIC_BACKUP_RETENTION_DAYS,
    TYPE_TOKEN,
    UserDataDatabase,
    UserDataDatabaseArgs,
)
from residency_kit.engine.capture import capture
from tests.components.data_tier_fixtures import (
    BACKUP,
    DATA_CID,
    HOME,
    HOME_KEY,
    HOME_VAULT,
    NOW,
    PHX_KEY,
    PHX_VAULT,
    TAGS,
    children_of,
    mocks,
    provider_region,
)

SECRET = "ocid1.vaultsecret.oc1.iad.amaaaaaaadminsecret"
T_ADB = "oci:Database/autonomousDatabase:AutonomousDatabase"


def _args(home, backup, **overrides) -> UserDataDatabaseArgs:
    base = UserDataDatabaseArgs(
        home_region=HOME, backup_region=BACKUP, home_provider=home, backup_provider=backup, compartment_id=DATA_CID,
        db_name="USERPROFILES", subnet_id="ocid1.subnet.oc1.iad.data", nsg_ids=["ocid1.nsg.oc1.iad.data"],
        standby_subnet_id="ocid1.subnet.oc1.phx.data", standby_nsg_ids=["ocid1.nsg.oc1.phx.data"],
        kms_key_id=HOME_KEY, vault_id=HOME_VAULT, standby_kms_key_id=PHX_KEY, standby_vault_id=PHX_VAULT,
        admin_password_secret_id=SECRET, minimum_retention_days=365, tags=TAGS, now=NOW)
    return dataclasses.replace(base, **overrides)


def _run(**overrides):
    def program():
        home = oci.Provider("oci-home", region=HOME)
        backup = oci.Provider("oci-backup", region=BACKUP)
        UserDataDatabase("user-profiles", _args(home, backup, **overrides))

    return capture(program, mocks=mocks())


@pytest.fixture(scope="module")
def monitor():
    return _run()


def test_children_are_a_primary_and_a_standby_both_protected(monitor):
    children = children_of(monitor, TYPE_TOKEN)
    assert sorted((r.type, r.name) for r in children) == [(T_ADB, "user-profiles-primary"), (T_ADB, "user-profiles-standby")]
    assert all(r.protect is True for r in children)


def test_primary_is_private_customer_keyed_and_keeps_backups(monitor):
    primary = monitor.named("user-profiles-primary")
    assert provider_region(monitor, primary) == HOME
    inputs = primary.inputs
    assert inputs["subnetId"] == "ocid1.subnet.oc1.iad.data" and inputs["nsgIds"] == ["ocid1.nsg.oc1.iad.data"]
    assert "whitelistedIps" not in inputs and inputs["isMtlsConnectionRequired"] is True
    assert inputs["kmsKeyId"] == HOME_KEY and inputs["vaultId"] == HOME_VAULT
    # The ADMIN password is a Vault secret: no password is sent or stored.
    assert inputs["secretId"] == SECRET and "adminPassword" not in inputs
    assert inputs["backupRetentionPeriodInDays"] == AUTOMATIC_BACKUP_RETENTION_DAYS == 60
    assert inputs["isBackupRetentionLocked"] is True
    assert inputs["longTermBackupSchedules"] == [{"repeatCadence": "MONTHLY", "retentionPeriodInDays": 365,
                                                  "timeOfBackup": "2030-01-02T03:00:00Z", "isDisabled": False}]
    assert primary.ignore_changes == ["longTermBackupSchedules[0].timeOfBackup"]
    assert inputs["freeformTags"]["residency-role"] == "primary"
    assert inputs["computeModel"] == "ECPU" and inputs["computeCount"] == 2


def test_standby_is_a_cross_region_peer_in_the_backup_region_with_that_regions_key(monitor):
    primary, standby = monitor.named("user-profiles-primary"), monitor.named("user-profiles-standby")
    assert provider_region(monitor, standby) == BACKUP
    inputs = standby.inputs
    assert inputs["source"] == "CROSS_REGION_DISASTER_RECOVERY" and inputs["sourceId"] == primary.id
    assert inputs["remoteDisasterRecoveryType"] == "ADG" and inputs["isReplicateAutomaticBackups"] is True
    assert inputs["kmsKeyId"] == PHX_KEY and inputs["vaultId"] == PHX_VAULT
    assert inputs["subnetId"] == "ocid1.subnet.oc1.phx.data" and inputs["nsgIds"] == ["ocid1.nsg.oc1.phx.data"]
    assert inputs["isMtlsConnectionRequired"] is True and "secretId" not in inputs


def test_tags_carry_the_data_classification(monitor):
    from residency_policies.rules_file import CLASSIFICATION_TAG_KEY, US_USER_DATA
    for name in ("user-profiles-primary", "user-profiles-standby"):
        tags = monitor.named(name).inputs["freeformTags"]
        assert tags[CLASSIFICATION_TAG_KEY] == US_USER_DATA and tags["jurisdiction"] == "US"


def test_outputs_are_registered(monitor):
    (component,) = monitor.of_type(TYPE_TOKEN)
    outputs = monitor.resource_outputs[component.mock_urn]
    assert outputs["databaseId"] == "user-profiles-primary-id"
    assert outputs["standbyDatabaseId"] == "user-profiles-standby-id"
    assert outputs["backupRetentionDays"] == 60 and outputs["longTermBackupRetentionDays"] == 365


def test_every_problem_in_one_error():
    with pytest.raises(ComponentArgsError) as raised:
        _run(backup_region=HOME, db_name="1bad", nsg_ids=[], long_term_backup_retention_days=100,
             standby_kms_key_id=HOME_KEY, disaster_recovery_type="SYNC", admin_password_secret_id="hunter2")
    lines = str(raised.value).splitlines()
    assert lines[0] == "invalid UserDataDatabaseArgs for 'user-profiles' (6 problem(s)):"
    assert lines[1:] == [
        "  - UserDataDatabaseArgs.backup_region: 'us-ashburn-1' equals home_region; allowed: another allowed US "
        "region (the standby is the copy that survives the home region)",
        "  - UserDataDatabaseArgs.db_name: '1bad' is not an Autonomous Database name; allowed: a letter, then up "
        "to 29 letters or digits",
        "  - UserDataDatabaseArgs.nsg_ids: [] is empty; allowed: the data tier's NSG: an endpoint with no NSG is "
        "reached by the subnet's security list alone",
        "  - UserDataDatabaseArgs.long_term_backup_retention_days: 100 is below the minimum retention of 365 days; "
        "allowed: 365 to 3650",
        "  - UserDataDatabaseArgs.disaster_recovery_type: 'SYNC' is not a choice of the service; allowed: ADG or "
        "BACKUP_BASED",
        "  - UserDataDatabaseArgs.admin_password_secret_id: 'hunter2' is not a Vault secret OCID; allowed: "
        "ocid1.vaultsecret.<realm>.<region>.<unique id>",
    ]


def test_a_standby_key_of_the_home_region_is_refused():
    with pytest.raises(ComponentArgsError) as raised:
        _run(standby_kms_key_id=HOME_KEY)
    assert "UserDataDatabaseArgs.standby_kms_key_id: " in str(raised.value)
    assert "is a key of region 'iad', not of us-phoenix-1" in str(raised.value)
