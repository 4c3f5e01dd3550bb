"""immutable-backups and backup-coverage on buckets and volumes: backup-bucket retention, deletion guards, regional
backup coverage (databases: test_database_backups.py; the store kinds: test_store_durability.py)."""

import pulumi
import pulumi_aws as aws
import pulumi_oci as oci

from tests.policies.conftest import COMPARTMENT, KEY_IAD, flagged, judged, messages, urn

BUCKET = "oci:ObjectStorage/bucket:Bucket"
S3 = "aws:s3/bucket:Bucket"
PROTECT = pulumi.ResourceOptions(protect=True)


def _bucket(name, bucket_name, *, provider=None, retention_days=None, locked=True, protect=True):
    rules = None
    if retention_days is not None:
        rules = [oci.objectstorage.BucketRetentionRuleArgs(
            display_name="keep",
            duration=oci.objectstorage.BucketRetentionRuleDurationArgs(time_amount=retention_days, time_unit="DAYS"),
            time_rule_locked="2030-01-01T00:00:00Z" if locked else None)]
    return oci.objectstorage.Bucket(name, compartment_id=COMPARTMENT, namespace="ns", name=bucket_name, kms_key_id=KEY_IAD,
                                    retention_rules=rules, opts=pulumi.ResourceOptions(provider=provider, protect=protect))


def _replicate(name, source, dest_name, region):
    return oci.objectstorage.ReplicationPolicy(name, bucket=source, namespace="ns", name=name,
                                               destination_bucket_name=dest_name, destination_region_name=region)


def _s3_backup(name, *, versioned=True, lock_days=365, mode="COMPLIANCE"):
    b = aws.s3.Bucket(name, object_lock_enabled=True, opts=PROTECT)
    if versioned:
        aws.s3.BucketVersioning(f"{name}-ver", bucket=b.id,
                                versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"))
    if lock_days is not None:
        aws.s3.BucketObjectLockConfiguration(f"{name}-lock", bucket=b.id, rule=aws.s3.BucketObjectLockConfigurationRuleArgs(
            default_retention=aws.s3.BucketObjectLockConfigurationRuleDefaultRetentionArgs(mode=mode, days=lock_days)))
    return b


def _compliant_estate():
    phx = oci.Provider("phx", region="us-phoenix-1")
    _bucket("primary", "data")
    _bucket("backup", "data-backup", provider=phx, retention_days=400)
    _replicate("rp", "data", "data-backup", "us-phoenix-1")
    _s3_backup("s3-backup")


def test_compliant_estate(preview):
    result = preview(_compliant_estate)
    assert flagged(result, "immutable-backups") == set()
    assert flagged(result, "backup-coverage") == set()


def test_weak_backups_and_unguarded_stores_are_flagged(preview):
    def program():
        phx = oci.Provider("phx", region="us-phoenix-1")
        # OCI refuses to delete a bucket that holds objects: an unprotected primary keeps its data.
        _bucket("primary", "data", protect=False)
        _bucket("short", "data-short", provider=phx, retention_days=30)
        _bucket("unlocked", "data-unlocked", provider=phx, retention_days=400, locked=False)
        _replicate("rp-short", "data", "data-short", "us-phoenix-1")
        _replicate("rp-unlocked", "data", "data-unlocked", "us-phoenix-1")
        _replicate("rp-missing", "data", "not-in-stack", "us-phoenix-1")
        _s3_backup("no-versioning", versioned=False)
        _s3_backup("governance", mode="GOVERNANCE")
        # An EBS volume deleted without a final snapshot loses its data.
        aws.ebs.Volume("ebs", availability_zone="us-east-2a", size=8)
        aws.ebs.Volume("ebs-final-snapshot", availability_zone="us-east-2a", size=8, final_snapshot=True)

    assert flagged(preview(program), "immutable-backups") == {
        urn(BUCKET, "short"),
        urn(BUCKET, "unlocked"),
        urn("oci:ObjectStorage/replicationPolicy:ReplicationPolicy", "rp-missing"),
        urn(S3, "no-versioning"),
        urn(S3, "governance"),
        urn("aws:ebs/volume:Volume", "ebs"),
    }


def test_backup_retention_unknown_fails_closed(preview):
    def program():
        seed = oci.identity.Compartment("seed", compartment_id=COMPARTMENT, description="d")
        _bucket("primary", "data")
        _bucket("backup", "data-backup", provider=oci.Provider("phx", region="us-phoenix-1"),
                retention_days=seed.id.apply(lambda _: "400"))
        _replicate("rp", "data", "data-backup", "us-phoenix-1")

    result = preview(program)
    assert flagged(result, "immutable-backups", level="mandatory") == {urn(BUCKET, "backup")}
    assert all("cannot be verified at preview" in m for m in messages(result, "immutable-backups"))


def test_backup_coverage_flags_unreplicated_and_same_region_buckets(preview):
    def program():
        _bucket("lonely", "lonely")
        _bucket("same-region", "same")
        _bucket("same-region-copy", "same-copy", retention_days=400)
        _replicate("rp-same", "same", "same-copy", "us-ashburn-1")

    result = preview(program)
    assert flagged(result, "backup-coverage") == {urn(BUCKET, "lonely"), urn(BUCKET, "same-region")}
    # Checkov-style: the resources the policy judged and passed, beside those it flagged
    assert judged(result, "backup-coverage").passed == {urn("oci:ObjectStorage/bucket:Bucket", "same-region-copy")}


def test_backup_coverage_unknown_destination_region_fails_closed(preview):
    def program():
        seed = oci.identity.Compartment("seed", compartment_id=COMPARTMENT, description="d")
        _bucket("primary", "data")
        _bucket("backup", "data-backup", retention_days=400)
        _replicate("rp", "data", "data-backup", seed.id.apply(lambda _: "us-phoenix-1"))

    result = preview(program)
    assert flagged(result, "backup-coverage", level="mandatory") == {urn(BUCKET, "primary")}
    assert all("cannot be verified at preview" in m for m in messages(result, "backup-coverage"))
