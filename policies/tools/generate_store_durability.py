"""Regenerate ``residency_policies/data/store_durability.txt``: what keeps each kind of store's data recoverable.

Every curated store of ``generate_data_bearing_types.STORES`` (and the few types that only place a store in a
network, such as file-system mount targets) gets a profile here, checked against the installed SDKs so that a
typo, a renamed input or a changed default fails generation:

* **kind** and whether the kind **holds data at rest whose loss loses it** (``judged``). Databases, object
  stores, block volumes, file systems and backup vaults do. Queues, topics and streams keep messages for a
  bounded time (the bound is quoted from the SDK's own input documentation where it states one), caches and
  search indices are rebuilt from a primary store, image registries from source, clusters, node pools and
  instances are compute, keys and secrets are deleted only after a waiting period: none of those is judged
  for durability. ``docs/durability.md`` gives each decision and its evidence.
* **deletion guards**: the inputs with which the service itself keeps the data when the store is deleted or
  replaced (deletion protection, a final snapshot, retained automated backups, point-in-time recovery, a
  refusal to delete a non-empty bucket unless ``forceDestroy``), and joins to separate backup resources. A
  store whose deletion would lose its data with none of them needs ``protect``. Every input whose name looks
  like such a guard must be used or explicitly set aside (``ignore``), so a new SDK input is not missed.
* **backup retention** (databases): the input, the service's cap and default (read from the input's own
  documentation where it states them, checked), and the switch that turns backups on.
* **regional copies** (databases): the mechanisms that keep a copy in another region (inline region lists,
  or the joins ``analysis.backup_copies`` knows).
* **placement**: the inputs that put the store (or its endpoint) in subnets, derived from the schema
  (``subnetId``, ``subnetIds``, ``*SubnetGroupName`` -> that module's subnet group), minus the ones set aside.
* **lock times**: every input that schedules a retention lock, with the earliest time the service accepts.

Row format (tab-separated, ``-`` = none): ``store`` rows: token, kind, judged (yes/no), guards, retention,
copies, placement, evidence; ``lock`` rows: token, path, minimum days ahead, evidence. Run after upgrading
pulumi-oci / pulumi-aws:

    .venv/bin/python policies/tools/generate_store_durability.py [--check]
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate_data_bearing_types  # noqa: E402
import generated_file  # noqa: E402
import sdk_schema  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "residency_policies" / "data" / "store_durability.txt"

# Kinds whose stores hold data at rest that a deletion or replacement would lose (judged for durability).
JUDGED_KINDS = ("database", "object-store", "block-volume", "file-system", "backup-vault")
# Kinds that are not, each with the reason written into the docs.
NOT_JUDGED_KINDS = {
    "snapshot": "a backup or replica: a copy of a store that is itself judged",
    "cache": "an in-memory copy rebuilt from the primary store",
    "search": "an index rebuilt from the primary store",
    "queue": "messages kept only until consumed, for a bounded time",
    "topic": "messages delivered, not kept (a FIFO topic's archive is bounded)",
    "stream": "records kept for a bounded retention period",
    "registry": "images and artifacts rebuilt from source",
    "cluster": "a control plane: replaceable compute, its configuration re-applied from code",
    "compute": "instances and node pools: their disks hold no data the program cannot recreate",
    "log": "operational records: their retention is a log-retention requirement, not a backup",
    "secret": "credentials, deleted only after a recovery window, re-issued rather than restored",
    "key": "deleted only after a waiting period (7 to 30 days) during which deletion can be cancelled",
}
# Kinds that must sit in a data-tier subnet when they have a subnet input (the stores of user data on disk).
PLACED_KINDS = ("database", "file-system", "cache", "search", "stream")

# Inputs whose names say they keep data on deletion: each must be used by a profile or set aside.
_GUARD_NAME = re.compile(
    r"(?i)^(deletionProtection\w*|isDeleteProtected|skipFinal\w+|finalSnapshot\w*|finalBackup|forceDestroy|"
    r"automaticBackupRetention|backupDeletionPolicy|backupRetentionPolicyOnTerminate|deleteAutomatedBackups)$")
_SUBNET_NAME = re.compile(r"(?i)^(subnetId|subnetIds|clientSubnets|vpcSubnetIds|preferredSubnetId|\w*SubnetGroupName)$")
_LOCK_TIME_NAME = re.compile(r"(?i)(timeRuleLocked|LockedDateTime|RetainUntilDate)$")


@dataclass(frozen=True)
class Evidence:
    """A statement that decides a profile: quoted from an input's SDK documentation (``path`` + ``quote``, a
    regular expression that must match it) or, where the schema is silent, the service documentation named."""

    path: str | None
    quote: str
    source: str = "SDK schema"


@dataclass(frozen=True)
class Retention:
    days: str  # input path of the retention in days
    cap: int  # the most the service allows
    default: int  # what an unset input means
    on: str | None = None  # the switch that turns backups on (None: always on)
    on_default: bool = True
    extra: str | None = None  # further retention paths counted too (long-term backups)
    cap_quote: str | None = None  # regex over the ``days`` input's doc that states the cap (checked); else cap_source
    cap_source: str = ""


@dataclass(frozen=True)
class Profile:
    kind: str
    # "path=value", "path=value+unset" (unset holds too), "path=*" (set), "join:<name>"; "+if-backups": the guard
    # keeps the store's automatic backups after deletion, so it holds only while the store keeps some (retention)
    guards: tuple[str, ...] = ()
    retention: Retention | None = None
    copies: tuple[str, ...] = ()  # "regions:<path>" (inline region list) or a join name of analysis.backup_copies
    ignore: tuple[str, ...] = ()  # guard-like or subnet inputs deliberately not used
    evidence: tuple[Evidence, ...] = ()
    placement_unset: str = "-"  # what an unset subnet input means: "default-vpc" (AWS's default subnets) or "-"


JOINS = frozenset({"oci-volume-backup-policy", "efs-backup-policy", "aws-backup"})
COPY_JOINS = frozenset({"rds-backup-replication", "rds-replica", "global-cluster", "cluster-replica",
                        "dynamodb-table-replica", "redshift-snapshot-copy", "adb-standby", "data-guard",
                        "nosql-replica", "aws-backup-copy"})

_NO_PROTECTION = Evidence(None, "the schema has no deletion-protection, final-backup or retained-backup input for "
                          "this type", "SDK schema (absence)")
_RDS = ("deletionProtection=true", "skipFinalSnapshot=false+unset", "deleteAutomatedBackups=false+if-backups",
        "join:aws-backup")
_DAYS_35 = dict(cap=35, cap_source="AWS: automated backups are kept 1 to 35 days")
_OCI_DB_BACKUP = "database.dbBackupConfig"

PROFILES: dict[str, Profile] = {
    # --- object stores: the service refuses to delete a bucket that holds objects, unless forceDestroy ---
    "aws:s3/bucket:Bucket": Profile("object-store", ("forceDestroy=false+unset",)),
    "aws:s3/bucketV2:BucketV2": Profile("object-store", ("forceDestroy=false+unset",)),
    "aws:s3/directoryBucket:DirectoryBucket": Profile("object-store", ("forceDestroy=false+unset",)),
    "aws:s3tables/tableBucket:TableBucket": Profile("object-store", ("forceDestroy=false+unset",)),
    "aws:s3/vectorsVectorBucket:VectorsVectorBucket": Profile("object-store", ("forceDestroy=false+unset",)),
    "oci:ObjectStorage/bucket:Bucket": Profile("object-store", ("always",), evidence=(Evidence(
        None, "DeleteBucket refuses a bucket that still holds objects (the bucket must be empty)",
        "OCI Object Storage documentation"),)),
    # --- block volumes: nothing but a backup outlives the volume ---
    "aws:ebs/volume:Volume": Profile("block-volume", ("finalSnapshot=true", "join:aws-backup"), evidence=(Evidence(
        "finalSnapshot", r"By default set to false"),)),
    "oci:Core/volume:Volume": Profile("block-volume", ("backupPolicyId=*", "join:oci-volume-backup-policy"),
                                      evidence=(_NO_PROTECTION,)),
    "oci:Core/bootVolume:BootVolume": Profile("block-volume", ("backupPolicyId=*", "join:oci-volume-backup-policy"),
                                              evidence=(_NO_PROTECTION,)),
    "oci:Core/volumeGroup:VolumeGroup": Profile("block-volume", ("backupPolicyId=*", "join:oci-volume-backup-policy"),
                                                evidence=(_NO_PROTECTION,)),
    # --- file systems ---
    "aws:efs/fileSystem:FileSystem": Profile("file-system", ("join:efs-backup-policy", "join:aws-backup"),
                                             evidence=(_NO_PROTECTION,)),
    "aws:fsx/lustreFileSystem:LustreFileSystem": Profile("file-system", ("skipFinalBackup=false", "join:aws-backup"),
                                                         evidence=(Evidence("skipFinalBackup", r"Defaults to `true`"),)),
    "aws:fsx/ontapFileSystem:OntapFileSystem": Profile("file-system", ("join:aws-backup",), evidence=(_NO_PROTECTION,)),
    "aws:fsx/openZfsFileSystem:OpenZfsFileSystem": Profile(
        "file-system", ("skipFinalBackup=false+unset", "join:aws-backup"),
        evidence=(Evidence("skipFinalBackup", r"Defaults to `false`"),)),
    "aws:fsx/windowsFileSystem:WindowsFileSystem": Profile(
        "file-system", ("skipFinalBackup=false+unset", "join:aws-backup"),
        evidence=(Evidence("skipFinalBackup", r"Defaults to `false`"),)),
    "aws:fsx/fileCache:FileCache": Profile("cache"),
    "oci:FileStorage/fileSystem:FileSystem": Profile("file-system", evidence=(_NO_PROTECTION,)),
    "oci:FileStorage/snapshot:Snapshot": Profile("snapshot"),
    "oci:Lustre/fileStorageLustreFileSystem:FileStorageLustreFileSystem": Profile("file-system", evidence=(_NO_PROTECTION,)),
    # --- backups, snapshots and the vaults that hold them ---
    "aws:glacier/vault:Vault": Profile("backup-vault", ("always",), evidence=(Evidence(
        None, "a vault can be deleted only when it holds no archives", "Amazon S3 Glacier documentation"),)),
    "aws:backup/vault:Vault": Profile("backup-vault", ("forceDestroy=false+unset",),
                                      evidence=(Evidence("forceDestroy", r"Default value: `false`"),)),
    "aws:backup/logicallyAirGappedVault:LogicallyAirGappedVault": Profile("backup-vault", ("always",), evidence=(
        Evidence(None, "a vault can be deleted only when it holds no recovery points", "AWS Backup documentation"),)),
    "aws:ebs/snapshot:Snapshot": Profile("snapshot"),
    "aws:ebs/snapshotCopy:SnapshotCopy": Profile("snapshot"),
    "aws:ebs/snapshotImport:SnapshotImport": Profile("snapshot"),
    "aws:ec2/amiCopy:AmiCopy": Profile("snapshot"),
    "aws:rds/snapshot:Snapshot": Profile("snapshot"),
    "aws:rds/clusterSnapshot:ClusterSnapshot": Profile("snapshot"),
    "aws:rds/snapshotCopy:SnapshotCopy": Profile("snapshot"),
    "aws:rds/clusterSnapshotCopy:ClusterSnapshotCopy": Profile("snapshot"),
    "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": Profile("snapshot"),
    "aws:memorydb/snapshot:Snapshot": Profile("snapshot"),
    "aws:dynamodb/tableReplica:TableReplica": Profile("snapshot", ignore=("deletionProtectionEnabled",)),
    "aws:dynamodb/globalTable:GlobalTable": Profile("snapshot"),
    "oci:Core/volumeBackup:VolumeBackup": Profile("snapshot"),
    "oci:Core/bootVolumeBackup:BootVolumeBackup": Profile("snapshot"),
    "oci:Core/volumeGroupBackup:VolumeGroupBackup": Profile("snapshot"),
    "oci:Database/autonomousDatabaseBackup:AutonomousDatabaseBackup": Profile(
        "snapshot", ignore=("backupDestinationDetails.backupRetentionPolicyOnTerminate",)),
    "oci:Database/backup:Backup": Profile("snapshot"),
    "oci:Mysql/mysqlBackup:MysqlBackup": Profile("snapshot"),
    "oci:Psql/backup:Backup": Profile("snapshot"),
    # --- AWS databases ---
    "aws:rds/instance:Instance": Profile(
        "database", _RDS,
        # Unset, the provider sends no retention and the RDS API applies its own default, 1 day (CreateDBInstance
        # BackupRetentionPeriod: "Default: 1"); 0 is what turns automated backups off, and only when set.
        Retention("backupRetentionPeriod", 35, 1, cap_quote=r"Must be between `0` and `35`"),
        ("rds-backup-replication", "rds-replica", "aws-backup-copy"), ignore=("finalSnapshotIdentifier",),
        placement_unset="default-vpc"),
    "aws:rds/cluster:Cluster": Profile(
        "database", _RDS, Retention("backupRetentionPeriod", default=1, **_DAYS_35),
        ("global-cluster", "cluster-replica", "aws-backup-copy"), ignore=("finalSnapshotIdentifier",),
        placement_unset="default-vpc"),
    "aws:docdb/cluster:Cluster": Profile(
        "database", ("deletionProtection=true", "skipFinalSnapshot=false+unset", "join:aws-backup"),
        Retention("backupRetentionPeriod", default=1, **_DAYS_35), ("global-cluster", "aws-backup-copy"),
        ignore=("finalSnapshotIdentifier",), placement_unset="default-vpc"),
    "aws:docdb/elasticCluster:ElasticCluster": Profile(
        "database", (), Retention("backupRetentionPeriod", 35, 1, cap_quote=r"between 1 and 35"),
        evidence=(_NO_PROTECTION,)),
    "aws:neptune/cluster:Cluster": Profile(
        "database", ("deletionProtection=true", "skipFinalSnapshot=false+unset", "join:aws-backup"),
        Retention("backupRetentionPeriod", default=1, **_DAYS_35), ("global-cluster", "aws-backup-copy"),
        ignore=("finalSnapshotIdentifier",), placement_unset="default-vpc"),
    "aws:neptunegraph/graph:Graph": Profile("database", ("deletionProtection=true+unset",), evidence=(Evidence(
        None, "deletion protection is on unless set to false", "Neptune Analytics CreateGraph API"),)),
    "aws:redshift/cluster:Cluster": Profile(
        "database", ("skipFinalSnapshot=false+unset", "join:aws-backup"),
        Retention("automatedSnapshotRetentionPeriod", default=1, cap=35,
                  cap_source="Amazon Redshift: automated snapshots are kept 1 to 35 days"),
        ("redshift-snapshot-copy", "aws-backup-copy"), ignore=("finalSnapshotIdentifier",),
        placement_unset="default-vpc"),
    "aws:redshiftserverless/namespace:Namespace": Profile("database", ("join:aws-backup",), evidence=(_NO_PROTECTION,)),
    "aws:dsql/cluster:Cluster": Profile("database", ("deletionProtectionEnabled=true", "join:aws-backup"),
                                        ignore=("forceDestroy",)),
    "aws:dynamodb/table:Table": Profile(
        "database", ("deletionProtectionEnabled=true", "pointInTimeRecovery.enabled=true", "join:aws-backup"),
        Retention("pointInTimeRecovery.recoveryPeriodInDays", 35, 35, on="pointInTimeRecovery.enabled", on_default=False,
                  cap_quote=r"Default is 35", cap_source="DynamoDB: point-in-time recovery covers 1 to 35 days"),
        ("regions:replicas[].regionName", "dynamodb-table-replica", "aws-backup-copy"),
        ignore=("replicas[].deletionProtectionEnabled",)),
    "aws:keyspaces/table:Table": Profile("database", ("pointInTimeRecovery.status=ENABLED",)),
    "aws:timestreamwrite/database:Database": Profile("database", evidence=(_NO_PROTECTION,)),
    "aws:timestreamwrite/table:Table": Profile("database", evidence=(_NO_PROTECTION,)),
    "aws:qldb/ledger:Ledger": Profile("database", ("deletionProtection=true+unset",), evidence=(Evidence(
        "deletionProtection", r"By default it is `true`"),)),
    "aws:memorydb/cluster:Cluster": Profile("database", ("finalSnapshotName=*",), placement_unset="default-vpc"),
    "aws:elasticache/replicationGroup:ReplicationGroup": Profile("cache", ignore=("finalSnapshotIdentifier",),
                                                                 placement_unset="default-vpc"),
    "aws:elasticache/serverlessCache:ServerlessCache": Profile("cache"),
    "aws:opensearch/domain:Domain": Profile("search"),
    "aws:elasticsearch/domain:Domain": Profile("search"),
    # --- AWS messaging, streams, logs, secrets, registries, clusters, compute ---
    "aws:sqs/queue:Queue": Profile("queue", evidence=(Evidence("messageRetentionSeconds", r"to 1209600 \(14 days\)"),)),
    "aws:sns/topic:Topic": Profile("topic", evidence=(Evidence("archivePolicy", r"message archive policy for FIFO topics"),)),
    "aws:kinesis/stream:Stream": Profile("stream", evidence=(Evidence(
        "retentionPeriod", r"maximum value of a stream's retention period is 8760 hours"),)),
    "aws:kinesis/videoStream:VideoStream": Profile("stream", evidence=(Evidence(
        "dataRetentionInHours", r"default value is `0`, indicating that the stream does not persist data"),)),
    # Its vpcConfig blocks place the delivery to a search domain, not the stream's own buffer.
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": Profile("stream", ignore=(
        "elasticsearchConfiguration.vpcConfig.subnetIds[]", "opensearchConfiguration.vpcConfig.subnetIds[]",
        "opensearchserverlessConfiguration.vpcConfig.subnetIds[]"), evidence=(Evidence(
        None, "records are buffered for at most 24 hours before delivery", "Amazon Data Firehose documentation"),)),
    "aws:msk/cluster:Cluster": Profile("stream", evidence=(Evidence(
        None, "topics keep records for their retention (log.retention.hours, 168 by default)",
        "Amazon MSK default configuration"),)),
    "aws:mq/broker:Broker": Profile("queue"),
    "aws:cloudwatch/logGroup:LogGroup": Profile("log", ignore=("deletionProtectionEnabled",)),
    "aws:secretsmanager/secret:Secret": Profile("secret", evidence=(Evidence(
        "recoveryWindowInDays", r"range from `7` to `30` days"),)),
    "aws:ssm/parameter:Parameter": Profile("secret"),
    "aws:ecr/repository:Repository": Profile("registry", ignore=("forceDelete",)),
    "aws:eks/cluster:Cluster": Profile("cluster", ignore=("deletionProtection",)),
    "aws:ec2/instance:Instance": Profile("compute", ignore=("forceDestroy",)),
    "aws:ec2/spotInstanceRequest:SpotInstanceRequest": Profile("compute", ignore=("forceDestroy",)),
    "aws:ec2/launchTemplate:LaunchTemplate": Profile("compute"),
    "aws:ec2/spotFleetRequest:SpotFleetRequest": Profile("compute"),
    "aws:kms/key:Key": Profile("key", evidence=(Evidence("deletionWindowInDays", r"between `7` and `30`"),)),
    # --- OCI databases ---
    "oci:Database/autonomousDatabase:AutonomousDatabase": Profile(
        "database", (), Retention("backupRetentionPeriodInDays", 60, 60, extra="longTermBackupSchedules[].retentionPeriodInDays",
                                  cap_source="OCI Autonomous Database: automatic backups are kept 1 to 60 days (60 by "
                                  "default); long-term backups 90 days to 10 years"),
        ("adb-standby",), evidence=(_NO_PROTECTION,)),
    "oci:Database/autonomousContainerDatabase:AutonomousContainerDatabase": Profile(
        "database", ("backupConfig.backupDestinationDetails.backupRetentionPolicyOnTerminate=RETAIN_PER_RETENTION_WINDOW"
                     "+if-backups",),
        Retention("backupConfig.recoveryWindowInDays", 60, 15,
                  cap_source="OCI Autonomous Database on dedicated infrastructure: 7 to 60 days (15 by default)"),
        ("regions:backupConfig.backupDestinationDetails.remoteRegion",),
        ignore=("peerAutonomousContainerDatabaseBackupConfig.backupDestinationDetails[].backupRetentionPolicyOnTerminate",)),
    "oci:Database/database:Database": Profile(
        "database", (f"{_OCI_DB_BACKUP}.backupDeletionPolicy=DELETE_AFTER_RETENTION_PERIOD+if-backups",
                     f"{_OCI_DB_BACKUP}.backupDestinationDetails[].backupRetentionPolicyOnTerminate=RETAIN_PER_RETENTION_WINDOW+if-backups"),
        Retention(f"{_OCI_DB_BACKUP}.recoveryWindowInDays", 60, 30, on=f"{_OCI_DB_BACKUP}.autoBackupEnabled",
                  on_default=False, cap_source="OCI Base Database: automatic backups are kept 7 to 60 days"),
        ("data-guard",)),
    "oci:Database/dbHome:DbHome": Profile(
        "database", (f"{_OCI_DB_BACKUP}.backupDeletionPolicy=DELETE_AFTER_RETENTION_PERIOD+if-backups",
                     f"{_OCI_DB_BACKUP}.backupDestinationDetails[].backupRetentionPolicyOnTerminate=RETAIN_PER_RETENTION_WINDOW+if-backups"),
        Retention(f"{_OCI_DB_BACKUP}.recoveryWindowInDays", 60, 30, on=f"{_OCI_DB_BACKUP}.autoBackupEnabled",
                  on_default=False, cap_source="OCI Base Database: automatic backups are kept 7 to 60 days"),
        ("data-guard",)),
    "oci:Database/dbSystem:DbSystem": Profile(
        "database", (f"dbHome.{_OCI_DB_BACKUP}.backupDeletionPolicy=DELETE_AFTER_RETENTION_PERIOD+if-backups",
                     f"dbHome.{_OCI_DB_BACKUP}.backupDestinationDetails[].backupRetentionPolicyOnTerminate="
                     "RETAIN_PER_RETENTION_WINDOW+if-backups"),
        Retention(f"dbHome.{_OCI_DB_BACKUP}.recoveryWindowInDays", 60, 30, on=f"dbHome.{_OCI_DB_BACKUP}.autoBackupEnabled",
                  on_default=False, cap_source="OCI Base Database: automatic backups are kept 7 to 60 days"),
        ("data-guard",), ignore=("backupSubnetId",)),
    "oci:Mysql/mysqlDbSystem:MysqlDbSystem": Profile(
        "database", ("deletionPolicies[].isDeleteProtected=true", "deletionPolicies[].finalBackup=REQUIRE_FINAL_BACKUP",
                     "deletionPolicies[].automaticBackupRetention=RETAIN+if-backups"),
        Retention("backupPolicy.retentionInDays", 35, 7, on="backupPolicy.isEnabled", on_default=True,
                  cap_source="OCI MySQL HeatWave: automatic backups are kept 1 to 35 days (7 by default)"),
        ("regions:backupPolicy.copyPolicies[].copyToRegion",)),
    "oci:Psql/dbSystem:DbSystem": Profile(
        "database", ("always",),
        Retention("managementPolicy.backupPolicy.retentionDays", 35, 7,
                  cap_source="OCI Database with PostgreSQL: backups are kept 1 to 35 days (7 by default)"),
        ("regions:managementPolicy.backupPolicy.copyPolicy.regions[]",), evidence=(Evidence(
            "managementPolicy.backupPolicy.retentionDays",
            r"How many days the data should be stored after the database system deletion"),)),
    "oci:Nosql/table:Table": Profile("database", (), None, ("nosql-replica",), evidence=(_NO_PROTECTION,)),
    "oci:Opensearch/cluster:Cluster": Profile("search"),
    "oci:Redis/redisCluster:RedisCluster": Profile("cache"),
    # --- OCI messaging, streams, logs, secrets, registries, clusters, compute, keys ---
    "oci:Queue/queue:Queue": Profile("queue", evidence=(Evidence(
        None, "messages are kept at most 7 days (retentionInSeconds)", "OCI Queue documentation"),)),
    "oci:Streaming/streamPool:StreamPool": Profile("stream", ignore=("privateEndpointSettings.subnetId",)),
    "oci:Streaming/stream:Stream": Profile("stream", evidence=(Evidence(
        "retentionInHours", r"between 24 and 168 \(7 days\)"),)),
    "oci:Logging/logGroup:LogGroup": Profile("log"),
    "oci:Logging/log:Log": Profile("log", evidence=(Evidence("retentionDuration", r"until 180"),)),
    "oci:Vault/secret:Secret": Profile("secret"),
    "oci:Artifacts/containerRepository:ContainerRepository": Profile("registry"),
    "oci:ContainerEngine/cluster:Cluster": Profile("cluster"),
    "oci:ContainerEngine/nodePool:NodePool": Profile("compute"),
    "oci:Core/instance:Instance": Profile("compute"),
    "oci:Kms/vault:Vault": Profile("key"),
    "oci:Kms/key:Key": Profile("key"),
}

# Types that are no store themselves but put one in a network: a file system is reached through its mount
# targets, a cache cluster through its subnet group.
PLACEMENT_ONLY: dict[str, Profile] = {
    "aws:efs/mountTarget:MountTarget": Profile("file-system"),
    "oci:FileStorage/mountTarget:MountTarget": Profile("file-system"),
    "aws:elasticache/cluster:Cluster": Profile("cache", ignore=("finalSnapshotIdentifier",), placement_unset="default-vpc"),
}

# Inputs that schedule a retention lock: the earliest moment (days from now) the service accepts.
LOCK_TIMES: dict[tuple[str, str], tuple[int, Evidence]] = {
    ("oci:ObjectStorage/bucket:Bucket", "retentionRules[].timeRuleLocked"): (14, Evidence(
        None, "A mandatory 14-day delay exists before a rule is locked", "OCI Object Storage documentation")),
    ("oci:RecoveryMod/protectionPolicy:ProtectionPolicy", "policyLockedDateTime"): (14, Evidence(
        "policyLockedDateTime", r"you must set policyLockedDateTime to a date that occurs 14 days after the current date")),
    ("aws:s3/bucketObject:BucketObject", "objectLockRetainUntilDate"): (0, Evidence(
        None, "the retain-until date must be in the future", "Amazon S3 Object Lock documentation")),
    ("aws:s3/bucketObjectv2:BucketObjectv2", "objectLockRetainUntilDate"): (0, Evidence(
        None, "the retain-until date must be in the future", "Amazon S3 Object Lock documentation")),
    ("aws:s3/objectCopy:ObjectCopy", "objectLockRetainUntilDate"): (0, Evidence(
        None, "the retain-until date must be in the future", "Amazon S3 Object Lock documentation")),
}


def _inputs(token: str) -> tuple[sdk_schema.Package, dict[str, sdk_schema.Input]]:
    for package in sdk_schema.packages():
        if token in package.resources:
            return package, dict(package.paths(package.resources[token]))
    raise KeyError(token)


def _guard_path(guard: str) -> str | None:
    if guard == "always" or guard.startswith("join:"):
        return None
    return guard.partition("=")[0]


def _subnet_inputs(token: str, package: sdk_schema.Package, inputs: dict[str, sdk_schema.Input], profile: Profile,
                   problems: list[str]) -> list[str]:
    """Placement specs: ``path`` (subnet ids) or ``path@<subnet group token>`` (a subnet group's name)."""
    out = []
    for path, item in inputs.items():
        wire = path.split(".")[-1].removesuffix("[]")
        if not _SUBNET_NAME.match(wire) or path in profile.ignore or item.nested:
            continue
        if wire.lower().endswith("subnetgroupname"):
            module = token.split(":")[1].split("/")[0]
            group = f"aws:{module}/subnetGroup:SubnetGroup"
            if group not in package.resources or "subnetIds[]" not in dict(package.paths(package.resources[group])):
                problems.append(f"{token}: {path} names a subnet group, but {group} with subnetIds is not in the SDK")
                continue
            out.append(f"{path}@{group}")
        else:
            out.append(path)
    return sorted(out)


def _check_evidence(token: str, inputs: dict[str, sdk_schema.Input], ev: Evidence, problems: list[str]) -> str:
    if ev.path is None:
        return f"{ev.source}: {ev.quote}"
    item = inputs.get(ev.path)
    if item is None:
        problems.append(f"{token}: evidence input {ev.path} is not in the installed SDK")
        return ""
    found = re.search(ev.quote, item.doc)
    if found is None:
        problems.append(f"{token}: the SDK documentation of {ev.path} no longer says /{ev.quote}/")
        return ""
    return f"{ev.path}: \"{found.group(0)}\" ({ev.source})"


def _retention_cell(token: str, inputs, r: Retention, problems: list[str]) -> str:
    for path in (r.days, r.on, r.extra):
        if path is not None and path not in inputs:
            problems.append(f"{token}: retention input {path} is not in the installed SDK")
    source = r.cap_source
    if r.cap_quote is not None:
        doc = inputs[r.days].doc if r.days in inputs else ""
        found = re.search(r.cap_quote, doc)
        if found is None:
            problems.append(f"{token}: the SDK documentation of {r.days} no longer says /{r.cap_quote}/")
        elif not r.cap_source:
            if str(r.cap) not in found.group(0):
                problems.append(f"{token}: the documented bound /{r.cap_quote}/ does not state the cap {r.cap}")
            source = f"SDK documentation of {r.days}: \"{found.group(0)}\""
    if not source:
        problems.append(f"{token}: retention cap {r.cap} has neither a documented bound nor a source")
    parts = [f"days={r.days}", f"cap={r.cap}", f"default={r.default}"]
    if r.on:
        parts += [f"on={r.on}", f"on-default={'true' if r.on_default else 'false'}"]
    if r.extra:
        parts.append(f"extra={r.extra}")
    parts.append(f"source={source}")
    return ";".join(parts)


def store_rows(problems: list[str]) -> list[str]:
    stores = generate_data_bearing_types.STORES
    for token in stores:
        if token not in PROFILES:
            problems.append(f"STORES names {token}, which has no durability profile here")
    out = []
    for token, profile in sorted({**PROFILES, **PLACEMENT_ONLY}.items()):
        try:
            package, inputs = _inputs(token)
        except KeyError:
            problems.append(f"{token} is not defined by the installed SDKs")
            continue
        if profile.kind not in JUDGED_KINDS and profile.kind not in NOT_JUDGED_KINDS:
            problems.append(f"{token}: unknown kind {profile.kind}")
        judged = profile.kind in JUDGED_KINDS and token not in PLACEMENT_ONLY
        for guard in profile.guards:
            path = _guard_path(guard)
            if guard.startswith("join:") and guard[5:] not in JOINS:
                problems.append(f"{token}: unknown guard join {guard}")
            if guard.endswith("+if-backups") and profile.retention is None:
                problems.append(f"{token}: guard {guard} keeps automatic backups, but the profile has no retention")
            if path is not None:
                item = inputs.get(path)
                if item is None:
                    problems.append(f"{token}: guard input {path} is not in the installed SDK")
                elif item.nested:
                    problems.append(f"{token}: guard input {path} is a block, not a value")
        used = {_guard_path(g) for g in profile.guards}
        for path in inputs:
            if _GUARD_NAME.match(path.split(".")[-1]) and path not in used and path not in profile.ignore:
                problems.append(f"{token}: {path} looks like a deletion guard; use it in the profile or ignore it")
        for copy in profile.copies:
            if copy.startswith("regions:"):
                if copy[8:] not in inputs:
                    problems.append(f"{token}: copy region input {copy[8:]} is not in the installed SDK")
            elif copy not in COPY_JOINS:
                problems.append(f"{token}: unknown copy mechanism {copy}")
        for path in profile.ignore:
            if path not in inputs:
                problems.append(f"{token}: ignored input {path} is not in the installed SDK")
        if judged and not profile.guards and profile.evidence != (_NO_PROTECTION,):
            problems.append(f"{token}: a judged store with no guard must say so with the absence evidence")
        placement = (_subnet_inputs(token, package, inputs, profile, problems)
                     if profile.kind in PLACED_KINDS else [])
        evidence = [e for e in (_check_evidence(token, inputs, ev, problems) for ev in profile.evidence) if e]
        retention = _retention_cell(token, inputs, profile.retention, problems) if profile.retention else "-"
        out.append("\t".join((
            "store", token, profile.kind, "yes" if judged else "no", ",".join(profile.guards) or "-", retention,
            ",".join(profile.copies) or "-",
            ",".join(placement + ([f"unset={profile.placement_unset}"] if placement and profile.placement_unset != "-" else []))
            or "-",
            " | ".join(evidence) or "-",
        )))
    return out


def lock_rows(problems: list[str]) -> list[str]:
    found = set()
    for package in sdk_schema.packages():
        for resource in package.resources.values():
            for path, item in package.paths(resource):
                if _LOCK_TIME_NAME.search(item.wire) and item.scalar == "str":
                    found.add((resource.token, path))
    for key in sorted(found - set(LOCK_TIMES)):
        problems.append(f"{key[0]}: {key[1]} looks like a lock time; give it a minimum in LOCK_TIMES")
    out = []
    for (token, path), (days, ev) in sorted(LOCK_TIMES.items()):
        if (token, path) not in found:
            problems.append(f"LOCK_TIMES names {token} {path}, which the installed SDKs do not define")
            continue
        _, inputs = _inputs(token)
        out.append("\t".join(("lock", token, path, str(days), _check_evidence(token, inputs, ev, problems))))
    return out


def render() -> str:
    problems: list[str] = []
    rows = store_rows(problems) + lock_rows(problems)
    if problems:
        raise SystemExit("\n".join(problems))
    header = [
        "# Generated by policies/tools/generate_store_durability.py; do not edit.",
        *sdk_schema.versions_header(),
        "# store\ttoken\tkind\tjudged\tdeletion guards\tretention\tregional copies\tplacement\tevidence",
        "# lock\ttoken\tpath\tminimum days ahead\tevidence",
    ]
    return "\n".join(header + rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    return generated_file.run(argv, description=__doc__.splitlines()[0], out=OUT, script=__file__, render=render,
                              noun="rows")


if __name__ == "__main__":
    sys.exit(main())
