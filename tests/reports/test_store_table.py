"""The per-data-store table, built from a run's resources with the pack's own analysis."""

from __future__ import annotations

from report_fixtures import UNKNOWN

from residency_kit.engine.api import PreviewResult
from residency_kit.engine.stack import EngineResource, EngineStack
from residency_kit.reports.stores import store_table

U = "urn:pulumi:us-prod::kit::"
OCI_HOME, OCI_DR, AWS = U + "pulumi:providers:oci::home", U + "pulumi:providers:oci::dr", U + "pulumi:providers:aws::east"
KEY_OCID = "ocid1.key.oc1.iad.bbbbbbbbvault.abcdefghijklmnop"


def res(type_, name, provider="", inputs=None, deps=None):
    return EngineResource(urn=f"{U}{type_}::{name}", type=type_, name=name, custom=True,
                          provider=f"{provider}::{UNKNOWN}" if provider else "", inputs=inputs or {},
                          property_dependencies=deps or {})


def run(*resources):
    providers = [
        EngineResource(urn=OCI_HOME, type="pulumi:providers:oci", name="home", custom=True, inputs={"region": "us-ashburn-1"}),
        EngineResource(urn=OCI_DR, type="pulumi:providers:oci", name="dr", custom=True, inputs={"region": "us-phoenix-1"}),
        EngineResource(urn=AWS, type="pulumi:providers:aws", name="east", custom=True, inputs={"region": "us-east-2"}),
    ]
    everything = providers + list(resources)
    stack = EngineStack(project="kit", stack="us-prod", resources=everything)
    regions = {r.urn: (r.inputs.get("region") or {OCI_HOME: "us-ashburn-1", OCI_DR: "us-phoenix-1", AWS: "us-east-2"}
                       .get(r.provider.rsplit("::", 1)[0], "")) for r in everything}
    return {s.name: s for s in store_table(PreviewResult(resources=everything, violations=[], stack=stack), regions)}


def test_a_bucket_with_a_literal_key_replicated_to_another_region():
    primary = res("oci:ObjectStorage/bucket:Bucket", "primary", OCI_HOME,
                  {"name": "primary", "kmsKeyId": KEY_OCID, "accessType": "NoPublicAccess",
                   "freeformTags": {"residency-data": "us-user-data"}})
    backup = res("oci:ObjectStorage/bucket:Bucket", "backup", OCI_DR, {"name": "backup", "kmsKeyId": UNKNOWN},
                 deps={"kmsKeyId": [U + "oci:Kms/key:Key::dr-key"]})
    dr_key = res("oci:Kms/key:Key", "dr-key", OCI_DR, {"displayName": "dr-key"})
    policy = res("oci:ObjectStorage/replicationPolicy:ReplicationPolicy", "replicate", OCI_HOME,
                 {"bucket": "primary", "destinationBucketName": UNKNOWN, "destinationRegionName": "us-phoenix-1"},
                 deps={"destinationBucketName": [backup.urn]})
    stores = run(primary, backup, dr_key, policy)
    assert set(stores) == {"primary", "backup"}  # the key and the replication policy are not stores
    p = stores["primary"]
    assert (p.region, p.key, p.key_region) == ("us-ashburn-1", KEY_OCID, "us-ashburn-1")
    assert p.copies == ("replica 'backup' in us-phoenix-1",)
    assert p.classification == "residency-data=us-user-data"
    assert p.placement == "accessType = NoPublicAccess"
    b = stores["backup"]
    assert (b.key, b.key_region, b.copies) == ("dr-key (Key)", "us-phoenix-1", ())
    assert b.classification == "untagged: its compartment decides"


def test_a_database_in_a_tiered_subnet_with_unknown_retention_and_a_separate_bucket_key():
    subnet = res("aws:ec2/subnet:Subnet", "data-a", AWS, {"tags": {"residency-tier": "data"}})
    group = res("aws:rds/subnetGroup:SubnetGroup", "db-subnets", AWS, {"subnetIds": [UNKNOWN]},
                deps={"subnetIds": [subnet.urn]})
    db = res("aws:rds/instance:Instance", "users", AWS,
             {"dbSubnetGroupName": UNKNOWN, "backupRetentionPeriod": UNKNOWN, "kmsKeyId": UNKNOWN,
              "tags": {"residency-data": "internal"}},
             deps={"dbSubnetGroupName": [group.urn], "backupRetentionPeriod": [U + "random:index/randomInteger:RandomInteger::n"]})
    bucket = res("aws:s3/bucket:Bucket", "exports", AWS, {"bucket": "exports"})
    sse = res("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "exports-sse", AWS,
              {"bucket": "exports", "rules": [{"applyServerSideEncryptionByDefault": {
                  "kmsMasterKeyId": "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                  "sseAlgorithm": "aws:kms"}}]})
    stores = run(subnet, group, db, bucket, sse)
    assert set(stores) == {"users", "exports"}
    users = stores["users"]
    assert users.placement == "group db-subnets: data-a (tier data)"
    assert users.retention == "backupRetentionPeriod: unknown at preview"
    assert (users.key, users.key_region) == ("kmsKeyId: unknown at preview", "unknown at preview")
    assert users.classification == "residency-data=internal"
    exports = stores["exports"]
    assert exports.key.startswith("arn:aws:kms:us-west-2:") and exports.key_region == "us-west-2"
    assert exports.classification == "untagged: judged as US user data"


def test_a_secret_key_is_never_shown():
    secret = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": KEY_OCID}
    stores = run(res("oci:ObjectStorage/bucket:Bucket", "b", OCI_HOME, {"name": "b", "kmsKeyId": secret}))
    assert stores["b"].key == "(secret)" and KEY_OCID not in repr(stores["b"])
