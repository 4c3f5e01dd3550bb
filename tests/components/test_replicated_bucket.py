"""ReplicatedBucket: the primary / retention-locked backup pair for any data, and what it refuses."""

from __future__ import annotations

import dataclasses

import pulumi_oci as oci
import pytest

from residency_kit.components.arg_problems import ComponentArgsError
from residency_kit.components.oci.replicated_bucket import TYPE_TOKEN, ReplicatedBucket, ReplicatedBucketArgs
from residency_kit.engine.capture import capture
from tests.components.data_tier_fixtures import (
    BACKUP,
    BACKUP_CID,
    DATA_CID,
    HOME,
    HOME_KEY,
    NOW,
    PHX_KEY,
    TAGS,
    TENANCY,
    children_of,
    mocks,
    provider_region,
)


def _args(home, backup, **overrides) -> ReplicatedBucketArgs:
    base = ReplicatedBucketArgs(
        home_region=HOME, backup_region=BACKUP, home_provider=home, backup_provider=backup,
        compartment_id=DATA_CID, backup_compartment_id=BACKUP_CID, primary_key_id=HOME_KEY, backup_key_id=PHX_KEY,
        primary_bucket_name="us-uploads", backup_bucket_name="us-uploads-backup", minimum_retention_days=365,
        tags=TAGS, now=NOW)
    return dataclasses.replace(base, **overrides)


def _run(**overrides):
    def program():
        home = oci.Provider("oci-home", region=HOME)
        backup = oci.Provider("oci-backup", region=BACKUP)
        ReplicatedBucket("uploads", _args(home, backup, **overrides))

    return capture(program, mocks=mocks())


@pytest.fixture(scope="module")
def monitor():
    return _run()


def test_children_types_names_and_parent(monitor):
    children = children_of(monitor, TYPE_TOKEN)
    assert sorted((r.type, r.name) for r in children) == [
        ("oci:ObjectStorage/bucket:Bucket", "uploads-backup"),
        ("oci:ObjectStorage/bucket:Bucket", "uploads-primary"),
        ("oci:ObjectStorage/replicationPolicy:ReplicationPolicy", "uploads-replication"),
    ]
    # No vault, no volume-backup policy, no IAM policy unless asked for.
    assert monitor.of_type("oci:Kms/vault:Vault") == [] and monitor.of_type("oci:Identity/policy:Policy") == []
    assert monitor.of_type("oci:Core/volumeBackupPolicy:VolumeBackupPolicy") == []


def test_primary_in_home_region_backup_in_backup_region_each_with_its_regions_key(monitor):
    primary, backup = monitor.named("uploads-primary"), monitor.named("uploads-backup")
    assert provider_region(monitor, primary) == HOME and provider_region(monitor, backup) == BACKUP
    assert primary.inputs["kmsKeyId"] == HOME_KEY and backup.inputs["kmsKeyId"] == PHX_KEY
    assert primary.protect is True and backup.protect is True
    assert primary.inputs["accessType"] == backup.inputs["accessType"] == "NoPublicAccess"
    assert primary.inputs["versioning"] == "Enabled" and backup.inputs["versioning"] == "Disabled"
    assert primary.inputs["compartmentId"] == DATA_CID and backup.inputs["compartmentId"] == BACKUP_CID
    assert primary.inputs["freeformTags"] == {**TAGS, "residency-role": "primary"}
    assert "retentionRules" not in primary.inputs


def test_backup_retention_is_locked_after_the_mandatory_delay_and_never_moved(monitor):
    backup = monitor.named("uploads-backup")
    (rule,) = backup.inputs["retentionRules"]
    assert rule["duration"] == {"timeAmount": "365", "timeUnit": "DAYS"}
    assert rule["timeRuleLocked"] == "2030-01-15T12:00:00Z"
    assert backup.ignore_changes == ["retentionRules[0].timeRuleLocked"]


def test_replication_goes_to_the_backup_region_only(monitor):
    replication = monitor.named("uploads-replication")
    assert provider_region(monitor, replication) == HOME
    assert replication.inputs["destinationRegionName"] == BACKUP
    assert replication.inputs["destinationBucketName"] == "us-uploads-backup"
    assert replication.inputs["bucket"] == "us-uploads"


def test_outputs_are_registered(monitor):
    (component,) = monitor.of_type(TYPE_TOKEN)
    outputs = monitor.resource_outputs[component.mock_urn]
    assert outputs["namespace"] == "usdatans"
    assert outputs["primaryBucketName"] == "us-uploads" and outputs["backupBucketName"] == "us-uploads-backup"
    assert outputs["replicationPolicyId"] == "uploads-replication-id"
    assert outputs["retentionDays"] == 365 and "policyId" not in outputs


def test_locked_primary_retention_and_the_optional_policy():
    monitor = _run(primary_retention_days=400, lock_primary_retention=True, retention_days=400,
                   policy_compartment_id=TENANCY, compartment_path="us-residency:data",
                   backup_compartment_path="us-residency:backup", primary_key_compartment_path="us-residency:security",
                   backup_key_compartment_path="us-residency:backup")
    primary = monitor.named("uploads-primary")
    (rule,) = primary.inputs["retentionRules"]
    assert rule["duration"] == {"timeAmount": "400", "timeUnit": "DAYS"} and rule["timeRuleLocked"] == "2030-01-15T12:00:00Z"
    assert primary.ignore_changes == ["retentionRules[0].timeRuleLocked"]
    policy = monitor.named("uploads-objectstorage-policy")
    assert policy.inputs["compartmentId"] == TENANCY
    assert policy.inputs["statements"] == [
        f"Allow service objectstorage-{HOME} to use keys in compartment us-residency:security where target.key.id = '{HOME_KEY}'",
        f"Allow service objectstorage-{BACKUP} to use keys in compartment us-residency:backup where target.key.id = '{PHX_KEY}'",
        f"Allow service objectstorage-{HOME} to manage object-family in compartment us-residency:data "
        "where target.bucket.name = 'us-uploads'",
        f"Allow service objectstorage-{HOME} to manage object-family in compartment us-residency:backup "
        "where target.bucket.name = 'us-uploads-backup'",
    ]
    for name in ("uploads-primary", "uploads-backup", "uploads-replication"):
        assert policy.mock_urn in monitor.named(name).dependencies


def test_every_problem_in_one_error_and_nothing_registered():
    refusals = []

    def program():
        home = oci.Provider("oci-home", region=HOME)
        backup = oci.Provider("oci-backup", region=BACKUP)
        try:
            # The backup key is Ashburn's, which is right for a backup_region of us-ashburn-1: no key problem.
            ReplicatedBucket("uploads", _args(home, backup, backup_region=HOME, retention_days=30,
                                              retention_lock_delay_days=3, backup_key_id=HOME_KEY,
                                              backup_bucket_name="us-uploads", policy_compartment_id=TENANCY))
        except ComponentArgsError as exc:
            refusals.append(exc)

    monitor = capture(program, mocks=mocks())
    (error,) = refusals
    assert [r.type for r in monitor.registrations] == ["pulumi:providers:oci", "pulumi:providers:oci"]
    assert str(error).splitlines() == [
        "invalid ReplicatedBucketArgs for 'uploads' (8 problem(s)):",
        "  - ReplicatedBucketArgs.backup_region: 'us-ashburn-1' equals home_region; allowed: another allowed US region "
        "(us-phoenix-1, us-sanjose-1, us-chicago-1)",
        "  - ReplicatedBucketArgs.retention_days: 30 is below the minimum retention of 365 days; allowed: 365 or more",
        "  - ReplicatedBucketArgs.retention_lock_delay_days: 3 is shorter than OCI's mandatory rule-lock delay; "
        "allowed: 14 or more",
        "  - ReplicatedBucketArgs.backup_bucket_name: 'us-uploads' equals primary_bucket_name; allowed: a different "
        "name (a namespace holds one bucket of each name)",
        "  - ReplicatedBucketArgs.compartment_path: None while policy_compartment_id is set; allowed: the "
        "compartment's path from the policy's compartment, e.g. us-residency:data",
        "  - ReplicatedBucketArgs.backup_compartment_path: None while policy_compartment_id is set; allowed: the "
        "compartment's path from the policy's compartment, e.g. us-residency:data",
        "  - ReplicatedBucketArgs.primary_key_compartment_path: None while policy_compartment_id is set; allowed: "
        "the compartment's path from the policy's compartment, e.g. us-residency:data",
        "  - ReplicatedBucketArgs.backup_key_compartment_path: None while policy_compartment_id is set; allowed: "
        "the compartment's path from the policy's compartment, e.g. us-residency:data",
    ]


def test_a_key_of_another_region_is_refused_naming_both_regions():
    with pytest.raises(ComponentArgsError) as raised:
        _run(backup_key_id=HOME_KEY)
    assert (f"ReplicatedBucketArgs.backup_key_id: '{HOME_KEY}' is a key of region 'iad', not of us-phoenix-1; "
            "allowed: a key OCID of the form ocid1.key.<realm>.phx.<...> (a vault in us-phoenix-1)") in str(raised.value)


@pytest.mark.parametrize(("overrides", "line"), [
    ({"retention_days": 40_000}, "retention_days: 40000 is above the service's maximum of 36500 days; allowed: 365 to 36500"),
    ({"primary_bucket_name": "bad name"}, "primary_bucket_name: 'bad name' is not an OCI bucket name"),
    ({"lock_primary_retention": True}, "lock_primary_retention: True is set but primary_retention_days is None"),
    ({"home_region": "eu-frankfurt-1"}, "home_region: 'eu-frankfurt-1' is not an allowed US OCI region"),
])
def test_single_refusals(overrides, line):
    with pytest.raises(ComponentArgsError) as raised:
        _run(**overrides)
    assert f"ReplicatedBucketArgs.{line}" in str(raised.value)
