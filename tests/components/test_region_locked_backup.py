"""RegionLockedBackup: children, regions via providers, keys, retention, replication target, refusals."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pulumi_oci as oci
import pytest
import yaml

from residency_kit.components.oci.region_locked_backup import RegionLockedBackup, RegionLockedBackupArgs
from residency_kit.settings.backup import VolumeBackupScheduleSettings
from residency_kit.engine.capture import EchoMocks, capture

HOME, BACKUP = "us-ashburn-1", "us-phoenix-1"
HOME_KEY = "ocid1.key.oc1.iad.bbpr2hw5aaeuk.abuwcljrhomekey0000"
PHX_KEY = "ocid1.key.oc1.phx.bbpr2hw5aaeuk.abuwcljrbackupkey000"
TENANCY = "ocid1.tenancy.oc1..aaaaaaaausdataexample"
DATA_CID = "ocid1.compartment.oc1..aaaaaaaadata"
BACKUP_CID = "ocid1.compartment.oc1..aaaaaaaabackup"
NOW = dt.datetime(2030, 1, 1, 12, 0, 0, tzinfo=dt.UTC)
NAMESPACE_TOKEN = "oci:ObjectStorage/getNamespace:getNamespace"


def _stack_residency_config(stack: str) -> dict[str, str]:
    """The stack's ``residency:`` keys as the program receives them (objects as JSON text)."""
    path = Path(__file__).resolve().parents[2] / "stacks" / f"Pulumi.{stack}.yaml"
    config = yaml.safe_load(path.read_text())["config"]
    return {key: json.dumps(value) if isinstance(value, (dict, list, bool)) else str(value)
            for key, value in config.items() if key.startswith("residency:")}


def _args(home_provider, backup_provider, **overrides) -> RegionLockedBackupArgs:
    base = RegionLockedBackupArgs(
        home_region=HOME,
        backup_region=BACKUP,
        home_provider=home_provider,
        backup_provider=backup_provider,
        data_compartment_id=DATA_CID,
        backup_compartment_id=BACKUP_CID,
        primary_key_id=HOME_KEY,
        minimum_retention_days=365,
        policy_compartment_id=TENANCY,
        data_compartment_path="us-residency:data",
        backup_compartment_path="us-residency:backup",
        primary_key_compartment_path="us-residency:security",
        tags={"jurisdiction": "US", "data-owner": "us-data-team"},
        now=NOW,
    )
    return dataclasses.replace(base, **overrides)


def _run(mocks=None, **overrides):
    def program():
        home = oci.Provider("oci-home", region=HOME)
        backup = oci.Provider("oci-backup", region=BACKUP)
        RegionLockedBackup("backups", _args(home, backup, **overrides))

    mocks = mocks or EchoMocks(invokes={NAMESPACE_TOKEN: lambda _args: {"namespace": "usdatans"}})
    return capture(program, mocks=mocks)


def _provider_region(monitor, registration) -> str:
    provider_urn = registration.provider.rsplit("::", 1)[0]
    (provider,) = [r for r in monitor.registrations if r.mock_urn == provider_urn]
    return provider.inputs["region"]


@pytest.fixture(scope="module")
def monitor():
    return _run()


def test_children_are_parented_to_the_component(monitor):
    (component,) = monitor.of_type("residency:oci:RegionLockedBackup")
    children = [r for r in monitor.registrations if r.type.startswith("oci:")]
    assert {r.name for r in children} == {
        "backups-backup-vault", "backups-backup-key", "backups-objectstorage-policy", "backups-primary",
        "backups-backup", "backups-replication", "backups-volume-backups",
    }
    (pair,) = monitor.of_type("residency:oci:ReplicatedBucket")
    assert pair.name == "backups" and pair.parent == component.mock_urn
    moved = {"backups-primary", "backups-backup", "backups-replication"}
    assert all(r.parent == (pair.mock_urn if r.name in moved else component.mock_urn) for r in children)


def test_children_moved_under_the_bucket_pair_keep_their_old_urns_by_alias(monitor):
    """The pair's children were RegionLockedBackup's own: each carries the URN it had then as an alias (and
    nothing else does), so a deployed stack keeps its buckets."""
    (component,) = monitor.of_type("residency:oci:RegionLockedBackup")
    stack, project = component.mock_urn.split("::")[:2]  # urn:pulumi:<stack>, <project>
    for registration in monitor.registrations:
        if registration.name in {"backups-primary", "backups-backup", "backups-replication"}:
            old = f"{stack}::{project}::{component.type}${registration.type}::{registration.name}"
            assert registration.aliases == [old], registration.name
        else:
            assert registration.aliases == [], registration.name
    policy = monitor.named("backups-objectstorage-policy")
    for name in ("backups-primary", "backups-backup", "backups-replication"):
        assert policy.mock_urn in monitor.named(name).dependencies


def test_primary_bucket_home_region_locked_down(monitor):
    primary = monitor.named("backups-primary")
    assert _provider_region(monitor, primary) == HOME
    assert primary.protect is True
    inputs = primary.inputs
    assert inputs["accessType"] == "NoPublicAccess"
    assert inputs["versioning"] == "Enabled"
    assert inputs["kmsKeyId"] == HOME_KEY
    assert inputs["objectEventsEnabled"] is True
    assert inputs["namespace"] == "usdatans"
    assert inputs["compartmentId"] == DATA_CID
    assert inputs["freeformTags"]["jurisdiction"] == "US"
    assert inputs["freeformTags"]["data-owner"] == "us-data-team"


def test_backup_bucket_in_backup_region_with_key_of_that_region_and_locked_retention(monitor):
    bucket = monitor.named("backups-backup")
    key = monitor.named("backups-backup-key")
    vault = monitor.named("backups-backup-vault")
    assert _provider_region(monitor, bucket) == BACKUP
    assert _provider_region(monitor, key) == BACKUP
    assert _provider_region(monitor, vault) == BACKUP
    assert bucket.protect is True and key.protect is True and vault.protect is True
    assert bucket.inputs["kmsKeyId"] == key.id
    assert key.inputs["protectionMode"] == "HSM"
    assert key.inputs["keyShape"] == {"algorithm": "AES", "length": 32}
    assert bucket.inputs["accessType"] == "NoPublicAccess"
    # OCI refuses versioning on a replication destination.
    assert bucket.inputs["versioning"] == "Disabled"
    (rule,) = bucket.inputs["retentionRules"]
    assert rule["duration"] == {"timeAmount": "365", "timeUnit": "DAYS"}
    locked = dt.datetime.fromisoformat(rule["timeRuleLocked"].replace("Z", "+00:00"))
    assert locked == NOW + dt.timedelta(days=14)
    assert rule["timeRuleLocked"] == "2030-01-15T12:00:00Z"
    assert bucket.ignore_changes == ["retentionRules[0].timeRuleLocked"]


def test_lock_time_defaults_to_the_clock_plus_delay():
    monitor = _run(now=None, retention_lock_delay_days=30)
    (rule,) = monitor.named("backups-backup").inputs["retentionRules"]
    locked = dt.datetime.fromisoformat(rule["timeRuleLocked"].replace("Z", "+00:00"))
    expected = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    assert abs((locked - expected).total_seconds()) < 300


def test_replication_goes_only_to_the_backup_bucket_and_region(monitor):
    (replication,) = monitor.of_type("oci:ObjectStorage/replicationPolicy:ReplicationPolicy")
    assert replication.inputs["destinationRegionName"] == BACKUP
    assert replication.inputs["destinationBucketName"] == "us-residency-data-backup"
    assert replication.inputs["bucket"] == "us-residency-data"
    assert _provider_region(monitor, replication) == HOME
    copiers = [r for r in monitor.registrations
               if "replication" in r.type.lower() or "destinationRegion" in r.inputs]
    assert {r.name for r in copiers} == {"backups-replication", "backups-volume-backups"}


def test_volume_backup_copies_only_to_backup_region():
    schedules = (
        VolumeBackupScheduleSettings(backup_type="INCREMENTAL", period="ONE_DAY", hour_of_day=2),
        VolumeBackupScheduleSettings(backup_type="FULL", period="ONE_MONTH", retention_days=730),
    )
    monitor = _run(volume_backup_schedules=schedules)
    policy = monitor.named("backups-volume-backups")
    assert policy.inputs["destinationRegion"] == BACKUP
    assert _provider_region(monitor, policy) == HOME
    first, second = policy.inputs["schedules"]
    assert first == {"backupType": "INCREMENTAL", "period": "ONE_DAY", "retentionSeconds": 365 * 86400,
                     "hourOfDay": 2, "offsetType": "STRUCTURED", "timeZone": "UTC"}
    assert second["retentionSeconds"] == 730 * 86400 and second["backupType"] == "FULL"


def test_iam_policy_is_service_principal_only_and_scoped_to_buckets_and_keys(monitor):
    policy = monitor.named("backups-objectstorage-policy")
    assert policy.inputs["compartmentId"] == TENANCY
    assert _provider_region(monitor, policy) == HOME
    # The backup key is created in this run, so its grant is scoped by compartment (its OCID comes later).
    assert policy.inputs["statements"] == [
        f"Allow service objectstorage-{HOME} to use keys in compartment us-residency:security "
        f"where target.key.id = '{HOME_KEY}'",
        f"Allow service objectstorage-{BACKUP} to use keys in compartment us-residency:backup",
        f"Allow service objectstorage-{HOME} to manage object-family in compartment us-residency:data "
        "where target.bucket.name = 'us-residency-data'",
        f"Allow service objectstorage-{HOME} to manage object-family in compartment us-residency:backup "
        "where target.bucket.name = 'us-residency-data-backup'",
    ]


def test_existing_backup_key_of_backup_region_is_used_without_a_new_vault():
    monitor = _run(backup_key_id=PHX_KEY, backup_key_compartment_path="us-residency:security")
    assert monitor.of_type("oci:Kms/vault:Vault") == []
    assert monitor.of_type("oci:Kms/key:Key") == []
    assert monitor.named("backups-backup").inputs["kmsKeyId"] == PHX_KEY
    # A key OCID known at construction narrows the grant to that key.
    assert monitor.named("backups-objectstorage-policy").inputs["statements"][1] == (
        f"Allow service objectstorage-{BACKUP} to use keys in compartment us-residency:security "
        f"where target.key.id = '{PHX_KEY}'")


UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the engine's unknown sentinel, as the pack receives it


def test_policy_statements_are_known_at_preview_even_with_created_ids():
    """Compartments and the master key created by IsolatedTenancy are unknown at preview; the statements aren't."""
    def program():
        import pulumi
        home = oci.Provider("oci-home", region=HOME)
        backup = oci.Provider("oci-backup", region=BACKUP)
        unknown_compartment = oci.identity.Compartment("data", compartment_id=TENANCY, description="d")
        RegionLockedBackup("backups", _args(
            home, backup, data_compartment_id=unknown_compartment.id,
            backup_compartment_id=unknown_compartment.id,
            primary_key_id=pulumi.Output.from_input(unknown_compartment.id), namespace="ns"))

    monitor = capture(program, preview=True)
    policy = monitor.named("backups-objectstorage-policy")
    assert monitor.named("backups-primary").inputs["compartmentId"] == UNKNOWN  # the shape the engine sends
    assert UNKNOWN not in json.dumps(policy.inputs["statements"])
    assert len(policy.inputs["statements"]) == 4
    assert all("ocid1." not in statement for statement in policy.inputs["statements"])


def test_namespace_can_be_given_without_the_lookup():
    mocks = EchoMocks()
    monitor = _run(mocks=mocks, namespace="givenns")
    assert monitor.named("backups-primary").inputs["namespace"] == "givenns"
    assert mocks.unanswered_invokes == []


def test_policy_can_be_skipped():
    monitor = _run(policy_compartment_id=None)
    assert monitor.of_type("oci:Identity/policy:Policy") == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"backup_region": HOME}, "RegionLockedBackupArgs.backup_region: 'us-ashburn-1' equals home_region"),
        ({"backup_region": "eu-frankfurt-1"},
         "RegionLockedBackupArgs.backup_region: 'eu-frankfurt-1' is not an allowed US OCI region"),
        ({"backup_region": "us-chicago-1", "allowed_regions": ("us-ashburn-1", "us-phoenix-1")},
         "RegionLockedBackupArgs.backup_region: 'us-chicago-1' is not an allowed US OCI region; "
         "allowed: us-ashburn-1, us-phoenix-1"),
        ({"home_region": "ap-singapore-1"},
         "RegionLockedBackupArgs.home_region: 'ap-singapore-1' is not an allowed US OCI region"),
        ({"retention_days": 30},
         "RegionLockedBackupArgs.retention_days: 30 is below the minimum retention of 365 days"),
        ({"retention_lock_delay_days": 7},
         "RegionLockedBackupArgs.retention_lock_delay_days: 7 is shorter than OCI's mandatory rule-lock delay"),
        ({"volume_backup_schedules": (VolumeBackupScheduleSettings(retention_days=35),)},
         "RegionLockedBackupArgs.volume_backup_schedules[0].retention_days: 35 is below the minimum"),
        ({"backup_key_id": HOME_KEY},
         "RegionLockedBackupArgs.backup_key_id: 'ocid1.key.oc1.iad.bbpr2hw5aaeuk.abuwcljrhomekey0000' is a key "
         "of region 'iad', not of us-phoenix-1; allowed: a key OCID of the form ocid1.key.<realm>.phx.<...>"),
        ({"backup_key_id": "ocid1.key.oc1.eu-frankfurt-1.bbpr2hw5aaeuk.abuwcljrfra0000"},
         "RegionLockedBackupArgs.backup_key_id: 'ocid1.key.oc1.eu-frankfurt-1.bbpr2hw5aaeuk.abuwcljrfra0000' is "
         "a key of region 'eu-frankfurt-1', not of us-phoenix-1"),
        ({"data_compartment_path": None},
         "RegionLockedBackupArgs.data_compartment_path: None while policy_compartment_id is set"),
        ({"backup_compartment_path": "us-residency backup"},
         "RegionLockedBackupArgs.backup_compartment_path: 'us-residency backup' is not a compartment path"),
        ({"primary_key_compartment_path": "ocid1.compartment.oc1..x:security'"},
         "RegionLockedBackupArgs.primary_key_compartment_path: \"ocid1.compartment.oc1..x:security'\" is not a"),
        ({"primary_key_id": PHX_KEY},
         "RegionLockedBackupArgs.primary_key_id: 'ocid1.key.oc1.phx.bbpr2hw5aaeuk.abuwcljrbackupkey000' is a key "
         "of region 'phx', not of us-ashburn-1"),
    ],
)
def test_refusals_name_the_field(overrides, message):
    with pytest.raises(ValueError) as info:
        _run(**overrides)
    assert message in str(info.value)


def test_refusal_registers_nothing_of_the_component():
    refusals = []

    def program():
        home = oci.Provider("oci-home", region=HOME)
        backup = oci.Provider("oci-backup", region=BACKUP)
        try:
            RegionLockedBackup("backups", _args(home, backup, retention_days=1))
        except ValueError as exc:
            refusals.append(exc)

    monitor = capture(program)
    assert len(refusals) == 1
    assert [r.type for r in monitor.registrations] == ["pulumi:providers:oci", "pulumi:providers:oci"]


@pytest.mark.parametrize("stack", ["dev", "us-prod"])
def test_stack_settings_build_the_component(stack):
    from residency_kit.settings import parse_settings
    config = _stack_residency_config(stack)
    settings = parse_settings(config)
    home_key = f"ocid1.key.oc1.{settings.home_region}.bbpr2hw5aaeuk.abuwcljrhomekey0000"

    def program():
        home = oci.Provider("oci-home", region=settings.home_region)
        backup = oci.Provider("oci-backup", region=settings.backup_region)
        RegionLockedBackup("backups", RegionLockedBackupArgs.from_settings(
            settings, home_provider=home, backup_provider=backup, data_compartment_id=DATA_CID,
            backup_compartment_id=BACKUP_CID, primary_key_id=home_key))

    monitor = capture(program, mocks=EchoMocks(invokes={NAMESPACE_TOKEN: lambda _args: {"namespace": "ns"}}))
    bucket = monitor.named("backups-backup")
    assert _provider_region(monitor, bucket) == settings.backup_region != settings.home_region
    assert bucket.inputs["name"] == settings.backup.backup_bucket_name
    (rule,) = bucket.inputs["retentionRules"]
    assert int(rule["duration"]["timeAmount"]) >= settings.minimum_retention_days
    assert monitor.named("backups-volume-backups").inputs["destinationRegion"] == settings.backup_region
    assert monitor.named("backups-objectstorage-policy").inputs["compartmentId"] == settings.tenancy.tenancy_ocid
    assert monitor.named("backups-primary").inputs["freeformTags"]["jurisdiction"] == "US"
