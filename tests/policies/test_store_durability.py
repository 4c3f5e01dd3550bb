"""Durability means backups, not ``protect`` (issue 21 item 2): which kinds of store are judged, and by what.

The store profiles are generated from the SDK schemas (``policies/tools/generate_store_durability.py`` ->
``data/store_durability.txt``). ``immutable-backups`` asks a store whose deletion would lose its data for one of
the guards its service offers (deletion protection, a final snapshot, retained backups, point-in-time recovery,
no ``forceDestroy``, a backup that outlives it) and for ``protect`` only where the service has none; queues,
topics, streams, registries, clusters, node pools, secrets and keys are not judged at all.
"""

from __future__ import annotations


import pulumi
import pulumi_aws as aws
import pulumi_oci as oci
import pytest

from residency_policies.analysis.store_durability import (
    DATABASE_TYPES,
    JUDGED_TYPES,
    STORE_PROFILES,
    Guard,
    GuardKind,
    alternatives,
)
from residency_policies.rules.immutable_backups import unguarded_message
from tests.policies.conftest import COMPARTMENT, KEY_IAD, PACK_DIR, Judged, flagged, judged, messages, urn
from generator_checks import SDK_SCHEMA_GROUP, check_generated, generator

PROTECTION = "immutable-backups"
RETENTION = "database-backup-retention"
US_KEY = "arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
AD = "Uocm:US-ASHBURN-AD-1"
SUBNET = "ocid1.subnet.oc1.iad.aaaaaaaadatasubnet"
RDS = "aws:rds/instance:Instance"
ADB = "oci:Database/autonomousDatabase:AutonomousDatabase"
MYSQL = "oci:Mysql/mysqlDbSystem:MysqlDbSystem"
OCI_VOLUME = "oci:Core/volume:Volume"
S3 = "aws:s3/bucket:Bucket"
EBS = "aws:ebs/volume:Volume"
EFS = "aws:efs/fileSystem:FileSystem"
DYNAMO = "aws:dynamodb/table:Table"
LUSTRE = "aws:fsx/lustreFileSystem:LustreFileSystem"
PROTECT = pulumi.ResourceOptions(protect=True)


def _unknown(value, seed="seed"):
    """``value``, computed from a resource's output: unknown at preview."""
    compartment = oci.identity.Compartment(seed, compartment_id=COMPARTMENT, description="seed")
    return compartment.id.apply(lambda _: value)


# -- the generated profiles -----------------------------------------------------------------------------------

@SDK_SCHEMA_GROUP
def test_generated_profiles_are_current():
    code, stderr = check_generated("generate_store_durability")
    assert code == 0, stderr


def test_kinds_that_hold_no_data_at_rest_are_not_judged():
    not_judged = {
        "oci:ContainerEngine/cluster:Cluster": "cluster", "aws:eks/cluster:Cluster": "cluster",
        "oci:ContainerEngine/nodePool:NodePool": "compute", "aws:sqs/queue:Queue": "queue",
        "oci:Queue/queue:Queue": "queue", "aws:sns/topic:Topic": "topic", "aws:kinesis/stream:Stream": "stream",
        "oci:Streaming/stream:Stream": "stream", "aws:ecr/repository:Repository": "registry",
        "oci:Artifacts/containerRepository:ContainerRepository": "registry", "aws:kms/key:Key": "key",
        "oci:Kms/vault:Vault": "key", "aws:secretsmanager/secret:Secret": "secret",
        "aws:elasticache/replicationGroup:ReplicationGroup": "cache", "aws:opensearch/domain:Domain": "search",
    }
    for token, kind in not_judged.items():
        assert STORE_PROFILES[token].kind == kind, token
        assert token not in JUDGED_TYPES, token
    # The evidence for a bounded retention is quoted from the SDK's own documentation.
    assert "8760 hours" in STORE_PROFILES["aws:kinesis/stream:Stream"].evidence
    assert "1209600 (14 days)" in STORE_PROFILES["aws:sqs/queue:Queue"].evidence
    for token in (RDS, ADB, MYSQL, DYNAMO, S3, EBS, OCI_VOLUME, "oci:Psql/dbSystem:DbSystem", EFS):
        assert token in JUDGED_TYPES, token
    assert {ADB, MYSQL, RDS, DYNAMO, "aws:rds/cluster:Cluster"} <= DATABASE_TYPES


def test_guards_retention_caps_and_placement_come_from_the_schema():
    rds = STORE_PROFILES[RDS]
    assert [g.path for g in rds.guards if g.kind is GuardKind.VALUE] == [
        "deletionProtection", "skipFinalSnapshot", "deleteAutomatedBackups"]
    assert rds.retention is not None and (rds.retention.days, rds.retention.cap) == ("backupRetentionPeriod", 35)
    assert "Must be between `0` and `35`" in rds.retention.source
    assert [(p.path, p.group) for p in rds.placement] == [("dbSubnetGroupName", "aws:rds/subnetGroup:SubnetGroup")]
    assert rds.placement_unset == "default-vpc"
    adb = STORE_PROFILES[ADB]
    assert adb.guards == () and adb.retention is not None and adb.retention.cap == 60
    assert adb.copy_joins == ("adb-standby",)
    assert STORE_PROFILES[MYSQL].region_lists == ("backupPolicy.copyPolicies[].copyToRegion",)
    # The service refuses to delete a non-empty bucket: an OCI bucket always keeps its objects.
    assert [g.kind for g in STORE_PROFILES["oci:ObjectStorage/bucket:Bucket"].guards] == [GuardKind.ALWAYS]


@SDK_SCHEMA_GROUP
def test_the_generator_refuses_profiles_the_schema_does_not_back():
    gen = generator("generate_store_durability")  # a fresh copy of the module: its PROFILES are this test's
    gen.PROFILES[RDS] = gen.Profile("database", ("deletionProtektion=true",), ignore=("finalSnapshotIdentifier",))
    gen.PROFILES[DYNAMO] = gen.Profile("database", ("pointInTimeRecovery.enabled=true",))
    del gen.PROFILES["aws:sqs/queue:Queue"]
    problems: list[str] = []
    gen.store_rows(problems)
    assert f"{RDS}: guard input deletionProtektion is not in the installed SDK" in problems
    # An input that looks like a guard must be used or set aside, so a new SDK input is not missed.
    assert f"{RDS}: deletionProtection looks like a deletion guard; use it in the profile or ignore it" in problems
    assert f"{DYNAMO}: deletionProtectionEnabled looks like a deletion guard; use it in the profile or ignore it" in problems
    assert "STORES names aws:sqs/queue:Queue, which has no durability profile here" in problems


# -- the message builders ---------------------------------------------------------------------------------------

def test_alternatives_read_correctly_for_any_count():
    assert alternatives(["A"]) == "A"
    assert alternatives(["A", "B"]) == "A or B"
    assert alternatives(["A", "B", "C"]) == "one of A, B or C"


def test_unguarded_messages_for_every_shape_of_profile():
    adb = unguarded_message(STORE_PROFILES[ADB], [])
    assert adb == ("deleting or replacing this database (`pulumi destroy`, or a change that forces a replacement) would "
                   "lose its data, and the service offers no deletion protection, final backup or retained backups for "
                   "it: set `protect=True` (Pulumi then refuses to delete or replace it)")
    s3 = unguarded_message(STORE_PROFILES[S3], ["`forceDestroy` is True"])
    assert s3.endswith("would lose its data: nothing keeps it (`forceDestroy` is True). Keep it with `forceDestroy=False` "
                       "or `protect=True` (Pulumi then refuses to delete or replace it)")
    mysql = unguarded_message(STORE_PROFILES[MYSQL], ["a", "b", "c"])
    assert "nothing keeps it (a; b; c). Keep it with one of `deletionPolicies[].isDeleteProtected=True`, " \
           "`deletionPolicies[].finalBackup='REQUIRE_FINAL_BACKUP'`, `deletionPolicies[].automaticBackupRetention=" \
           "'RETAIN'` with automatic backups kept (`backupPolicy.isEnabled=True` and `backupPolicy.retentionInDays` " \
           "above 0) or `protect=True`" in mysql
    assert "`deleteAutomatedBackups=False` with automatic backups kept (`backupRetentionPeriod` above 0)" in \
        unguarded_message(STORE_PROFILES[RDS], ["x"])
    unknown = unguarded_message(STORE_PROFILES[S3], [], unknown=True)
    assert unknown == ("whether this bucket keeps its data through a deletion or replacement (`pulumi destroy`, or a "
                       "change that forces a replacement). Keep it with `forceDestroy=False` or `protect=True` (Pulumi "
                       "then refuses to delete or replace it)")
    assert ": no other guard keeps it (`skipFinalSnapshot` is True). Keep it with one of" in unguarded_message(
        STORE_PROFILES[RDS], ["`skipFinalSnapshot` is True"], unknown=True)
    volume = unguarded_message(STORE_PROFILES[OCI_VOLUME], ["x"])
    assert "Keep it with one of `backupPolicyId` set, an oci.core.VolumeBackupPolicyAssignment or `protect=True`" in volume
    assert Guard.parse("finalSnapshotName=*").fix() == "`finalSnapshotName` set"
    assert Guard.parse("skipFinalSnapshot=false+unset") == Guard(GuardKind.VALUE, "skipFinalSnapshot", "false", True)
    assert Guard.parse("deleteAutomatedBackups=false+if-backups") == Guard(
        GuardKind.VALUE, "deleteAutomatedBackups", "false", if_backups=True)


# -- immutable-backups over programs --------------------------------------------------------------------------

def _rds(name, **kw):
    kw.setdefault("backup_retention_period", 35)
    return aws.rds.Instance(name, instance_class="db.t3.micro", engine="postgres", allocated_storage=20,
                            kms_key_id=US_KEY, storage_encrypted=True, **kw)


def _adb(name, **kw):
    return oci.database.AutonomousDatabase(name, compartment_id=COMPARTMENT, db_name=name.replace("-", ""),
                                           kms_key_id=KEY_IAD, subnet_id=SUBNET, **kw)


def _mysql(name, **kw):
    return oci.mysql.MysqlDbSystem(name, compartment_id=COMPARTMENT, availability_domain=AD, shape_name="MySQL.2",
                                   subnet_id=SUBNET, **kw)


def _oci_volume(name, **kw):
    return oci.core.Volume(name, compartment_id=COMPARTMENT, availability_domain=AD, kms_key_id=KEY_IAD, **kw)


def _not_judged_stores():
    """Stores of kinds that hold no data a deletion would lose, none of them protected."""
    aws.sqs.Queue("queue", kms_master_key_id=US_KEY)
    aws.sns.Topic("topic", kms_master_key_id=US_KEY)
    aws.kinesis.Stream("stream", shard_count=1, kms_key_id=US_KEY, encryption_type="KMS")
    aws.ecr.Repository("repo")
    aws.eks.Cluster("eks", role_arn="arn:aws:iam::111111111111:role/eks",
                    vpc_config=aws.eks.ClusterVpcConfigArgs(subnet_ids=["subnet-1", "subnet-2"]))
    aws.kms.Key("cmk")
    aws.secretsmanager.Secret("secret", kms_key_id=US_KEY)
    oci.containerengine.Cluster("oke", compartment_id=COMPARTMENT, kubernetes_version="v1.30.1", name="oke",
                                vcn_id="ocid1.vcn.oc1.iad.aaaa", kms_key_id=KEY_IAD)
    oci.containerengine.NodePool("pool", cluster_id="ocid1.cluster.oc1.iad.aaaa", compartment_id=COMPARTMENT,
                                 name="pool", node_shape="VM.Standard.E4.Flex")
    oci.queue.Queue("oci-queue", compartment_id=COMPARTMENT, display_name="q", custom_encryption_key_id=KEY_IAD)
    oci.kms.Vault("vault", compartment_id=COMPARTMENT, display_name="v", vault_type="DEFAULT")


def _kept_stores():
    """Every judged kind, each kept through its deletion by the guard its service offers."""
    _rds("rds-deletion-protection", deletion_protection=True, skip_final_snapshot=True)
    _rds("rds-final-snapshot", final_snapshot_identifier="rds-final")  # skipFinalSnapshot defaults to false
    _rds("rds-retained-backups", skip_final_snapshot=True, delete_automated_backups=False)
    aws.dynamodb.Table("table-pitr", attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")], hash_key="id",
                       point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True))
    aws.s3.Bucket("bucket")  # a non-empty bucket is not deleted unless forceDestroy
    aws.ebs.Volume("ebs", availability_zone="us-east-2a", size=8, final_snapshot=True)
    efs = aws.efs.FileSystem("efs", kms_key_id=US_KEY, encrypted=True)
    aws.efs.BackupPolicy("efs-backup", file_system_id=efs.id,
                         backup_policy=aws.efs.BackupPolicyBackupPolicyArgs(status="ENABLED"))
    volume = _oci_volume("volume")
    oci.core.VolumeBackupPolicyAssignment("volume-backups", asset_id=volume.id, policy_id="ocid1.volumebackuppolicy.oc1..gold")
    _oci_volume("volume-policy-inline", backup_policy_id="ocid1.volumebackuppolicy.oc1..gold")
    _adb("adb-protected", opts=PROTECT)  # the service has no guard of its own: protect is the one
    _mysql("mysql-delete-protected", deletion_policies=[oci.mysql.MysqlDbSystemDeletionPolicyArgs(is_delete_protected=True)])
    # An RDS instance backed up by an AWS Backup plan: its recovery points outlive it.
    backed = _rds("rds-aws-backup", skip_final_snapshot=True)
    plan = aws.backup.Plan("plan", name="p", rules=[aws.backup.PlanRuleArgs(rule_name="daily", target_vault_name="v",
                                                                           schedule="cron(0 5 * * ? *)")])
    aws.backup.Selection("selection", name="s", iam_role_arn="arn:aws:iam::111111111111:role/backup", plan_id=plan.id,
                         resources=[backed.arn])


def test_kept_stores_and_kinds_that_are_not_judged_pass(preview):
    def program():
        _kept_stores()
        _not_judged_stores()

    result = preview(program)
    assert flagged(result, PROTECTION) == set(), messages(result, PROTECTION)
    # Checkov-style: the resources the policy judged and passed, beside those it flagged
    assert judged(result, PROTECTION).passed == {
        urn("aws:dynamodb/table:Table", "table-pitr"),
        urn("aws:ebs/volume:Volume", "ebs"),
        urn("aws:efs/fileSystem:FileSystem", "efs"),
        urn("aws:rds/instance:Instance", "rds-aws-backup"),
        urn("aws:rds/instance:Instance", "rds-deletion-protection"),
        urn("aws:rds/instance:Instance", "rds-final-snapshot"),
        urn("aws:rds/instance:Instance", "rds-retained-backups"),
        urn("aws:s3/bucket:Bucket", "bucket"),
        urn("oci:Core/volume:Volume", "volume"),
        urn("oci:Core/volume:Volume", "volume-policy-inline"),
        urn("oci:Database/autonomousDatabase:AutonomousDatabase", "adb-protected"),
        urn("oci:Mysql/mysqlDbSystem:MysqlDbSystem", "mysql-delete-protected"),
    }


def _lost_stores():
    _rds("rds-skip-snapshot", skip_final_snapshot=True)
    aws.s3.Bucket("force-destroyed", force_destroy=True)
    aws.ebs.Volume("ebs", availability_zone="us-east-2a", size=8)
    aws.fsx.LustreFileSystem("lustre", subnet_ids="subnet-1", storage_capacity=1200, deployment_type="PERSISTENT_2",
                             per_unit_storage_throughput=125, kms_key_id=US_KEY)  # skipFinalBackup defaults to true
    _oci_volume("volume")
    _adb("adb")
    _mysql("mysql")
    aws.efs.FileSystem("efs", kms_key_id=US_KEY, encrypted=True)


LOST = {urn(RDS, "rds-skip-snapshot"), urn(S3, "force-destroyed"), urn(EBS, "ebs"), urn(LUSTRE, "lustre"),
        urn(OCI_VOLUME, "volume"), urn(ADB, "adb"), urn(MYSQL, "mysql"), urn(EFS, "efs")}


def test_stores_whose_deletion_would_lose_their_data_are_flagged_each_once(preview):
    result = preview(_lost_stores)
    assert flagged(result, PROTECTION, level="mandatory") == LOST
    assert len(messages(result, PROTECTION)) == len(LOST)
    by_urn = {v.urn: v.message for v in result.violations_of(PROTECTION)}
    rds = by_urn[urn(RDS, "rds-skip-snapshot")]
    assert ("nothing keeps it (`deletionProtection` is unset, not True; `skipFinalSnapshot` is True; "
            "`deleteAutomatedBackups` is unset, not False; no AWS Backup plan selects it)") in rds
    assert "Keep it with one of `deletionProtection=True`, `skipFinalSnapshot=False`" in rds
    assert "the service offers no deletion protection" in by_urn[urn(ADB, "adb")]
    assert "`skipFinalBackup` is unset, not False" in by_urn[urn(LUSTRE, "lustre")]
    assert "no aws.efs.BackupPolicy enables its backups" in by_urn[urn(EFS, "efs")]


def test_protect_keeps_a_store_the_service_would_not(preview):
    def program():
        _rds("rds-skip-snapshot", skip_final_snapshot=True, opts=PROTECT)
        aws.s3.Bucket("force-destroyed", force_destroy=True, opts=PROTECT)
        _adb("adb", opts=PROTECT)

    assert flagged(preview(program), PROTECTION) == set()


def test_a_table_without_point_in_time_recovery_is_reported_once_by_retention(preview):
    def program():
        aws.dynamodb.Table("table", attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")], hash_key="id")

    result = preview(program)
    assert flagged(result, PROTECTION) == set()
    assert flagged(result, RETENTION) == {urn(DYNAMO, "table")}


def test_retaining_automatic_backups_keeps_nothing_when_there_are_none(preview):
    """A guard that keeps a store's automatic backups after deletion (RDS `deleteAutomatedBackups=False`, MySQL
    `automaticBackupRetention=RETAIN`) holds only while the store keeps backups; unknown retention cannot be read."""
    kept_none = [oci.mysql.MysqlDbSystemDeletionPolicyArgs(automatic_backup_retention="RETAIN")]

    def program():
        _rds("rds-retained-none", skip_final_snapshot=True, delete_automated_backups=False, backup_retention_period=0)
        _rds("rds-retained-week", skip_final_snapshot=True, delete_automated_backups=False, backup_retention_period=7)
        _rds("rds-retained-unknown", skip_final_snapshot=True, delete_automated_backups=False,
             backup_retention_period=_unknown(7))
        _mysql("mysql-retained-off", deletion_policies=kept_none,
               backup_policy=oci.mysql.MysqlDbSystemBackupPolicyArgs(is_enabled=False))
        _mysql("mysql-retained-default", deletion_policies=kept_none)  # backups are on by default, 7 days

    result = preview(program)
    assert judged(result, PROTECTION) == Judged(
        flagged={urn(RDS, "rds-retained-none"), urn(RDS, "rds-retained-unknown"), urn(MYSQL, "mysql-retained-off")},
        passed={urn(RDS, "rds-retained-week"), urn(MYSQL, "mysql-retained-default")},
    )
    by_urn = {v.urn: v.message for v in result.violations_of(PROTECTION)}
    assert ("`deleteAutomatedBackups` is False but no automatic backups are kept (`backupRetentionPeriod` is 0)"
            in by_urn[urn(RDS, "rds-retained-none")])
    assert ("`deletionPolicies[].automaticBackupRetention` is 'RETAIN' but no automatic backups are kept "
            "(`backupPolicy.isEnabled` is off)" in by_urn[urn(MYSQL, "mysql-retained-off")])
    assert ("cannot be verified at preview: backupRetentionPeriod is unknown"
            in by_urn[urn(RDS, "rds-retained-unknown")])


def test_guards_unknown_at_preview_cannot_be_verified(preview):
    def program():
        _rds("rds", skip_final_snapshot=True, deletion_protection=_unknown(True))
        aws.s3.Bucket("bucket", force_destroy=_unknown(False, "seed-2"))

    result = preview(program)
    assert flagged(result, PROTECTION, level="mandatory") == {urn(RDS, "rds"), urn(S3, "bucket")}
    assert all("cannot be verified at preview: deletionProtection is unknown" in m or
               "cannot be verified at preview: forceDestroy is unknown" in m for m in messages(result, PROTECTION))


@pytest.mark.parametrize("token", sorted(JUDGED_TYPES))
def test_every_judged_type_has_guards_or_says_the_service_has_none(token):
    profile = STORE_PROFILES[token]
    assert profile.guards or "no deletion-protection" in profile.evidence, token


def test_the_durability_doc_names_every_kind_and_each_database_cap():
    lines = (PACK_DIR.parent / "docs" / "durability.md").read_text(encoding="utf-8").splitlines()
    for profile in STORE_PROFILES.values():
        verdict = "yes" if profile.kind in {p.kind for p in STORE_PROFILES.values() if p.judged} else "no"
        assert any(line.startswith(f"| {profile.kind} | {verdict} |") for line in lines), profile.kind
        if profile.retention is not None:
            leaf = profile.retention.days.split(".")[-1]
            assert any(f"{leaf}`" in line and f"| {profile.retention.cap} |" in line for line in lines), profile.token
