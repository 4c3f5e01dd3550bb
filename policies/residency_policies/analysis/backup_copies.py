"""Backup copies over the stack: which bucket replicates into which, where each database keeps a copy, and which
backups outlive a store.

The one home for the replication and backup joins that ``immutable-backups``, ``backup-coverage``,
``database-backup-retention`` and the data classification (a copy holds what its source holds) read:

* OCI: a ``ReplicationPolicy`` names its source bucket (``bucket``) and its destination
  (``destinationBucketName`` in ``destinationRegionName``), joined by bucket name, or by property dependency
  when the name is unknown at preview;
* AWS: S3 replication rules on the bucket itself or in a ``BucketReplicationConfig`` name the destination
  bucket (an ARN or a name), joined the same way;
* databases: a copy in another region inline (a region list such as MySQL ``backupPolicy.copyPolicies``) or as
  another resource that names the database (a read replica, a replica or global cluster, a DynamoDB table
  replica, a Redshift snapshot copy, an Autonomous Database standby, a Data Guard association, a NoSQL table
  replica, an AWS Backup plan copying to another region's vault), each with the region it lives in;
* backups that outlive a store's deletion: an AWS Backup selection, an OCI volume backup policy assignment, an
  EFS backup policy.

Joins follow the engine's property dependencies (ids are unknown at preview) or a literal id, ARN or name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from residency_policies.analysis.store_durability import unconfigured
from residency_policies.aws_identifiers import parse_arn
from residency_policies.provider_regions import effective_region
from residency_policies.region_tables import OCI_REGIONS
from residency_policies.rules.us_region_replication import S3_BUCKET_TYPES, S3_DESTINATION_PATHS
from residency_policies.values import get, is_unknown, walk
from residency_policies.views import ResourceView, StackView

OCI_BUCKET = "oci:ObjectStorage/bucket:Bucket"
OCI_REPLICATION_POLICY = "oci:ObjectStorage/replicationPolicy:ReplicationPolicy"


@dataclass(frozen=True)
class Replication:
    """One replication: the resource that configures it, its sources, and its destinations (None: not in the
    stack)."""

    via: ResourceView
    sources: tuple[ResourceView, ...]
    destinations: tuple[ResourceView | None, ...]


def _by_name(buckets: Iterable[ResourceView], key: str) -> dict[str, list[ResourceView]]:
    index: dict[str, list[ResourceView]] = {}
    for b in buckets:
        name = b.props.get(key)
        if isinstance(name, str) and not is_unknown(name):
            index.setdefault(name, []).append(b)
    return index


def oci_replications(resources: Iterable[ResourceView]) -> list[Replication]:
    resources = list(resources)
    by_urn = {r.urn: r for r in resources}
    buckets = _by_name((r for r in resources if r.type == OCI_BUCKET), "name")
    out = []
    for policy in (r for r in resources if r.type == OCI_REPLICATION_POLICY):
        out.append(Replication(policy, tuple(_oci_sources(policy, buckets, by_urn)),
                               tuple(_oci_destinations(policy, buckets, by_urn))))
    return out


def _oci_sources(policy: ResourceView, buckets, by_urn) -> list[ResourceView]:
    found = {u: by_urn[u] for u in policy.property_dependencies.get("bucket", ())
             if u in by_urn and by_urn[u].type == OCI_BUCKET}
    name = policy.props.get("bucket")
    if isinstance(name, str) and not is_unknown(name):
        found.update((b.urn, b) for b in buckets.get(name, ()))
    return list(found.values())


def _oci_destinations(policy: ResourceView, buckets, by_urn) -> list[ResourceView | None]:
    name = policy.props.get("destinationBucketName")
    if is_unknown(name):
        deps = [by_urn[u] for u in policy.property_dependencies.get("destinationBucketName", ()) if u in by_urn]
        return [d for d in deps if d.type == OCI_BUCKET] or [None]
    region = policy.props.get("destinationRegionName")
    matches = list(buckets.get(name, ())) if isinstance(name, str) else []
    if len(matches) > 1 and isinstance(region, str):
        matches = [b for b in matches if b.provider is not None and b.provider.props.get("region") == region] or matches
    return matches or [None]


def s3_replications(resources: Iterable[ResourceView]) -> list[Replication]:
    resources = list(resources)
    by_urn = {r.urn: r for r in resources}
    s3_buckets = [r for r in resources if r.type in S3_BUCKET_TYPES]
    buckets = _by_name(s3_buckets, "bucket")
    out = []
    for r in resources:
        paths = S3_DESTINATION_PATHS.get(r.type, ())
        if not paths:
            continue
        destinations: dict[str, ResourceView] = {}
        for path in paths:
            top = path.split(".")[0].split("[")[0]
            for _, value in walk(r.props, path):
                for dest in _s3_targets(value, r.property_dependencies.get(top, ()), buckets, by_urn):
                    destinations[dest.urn] = dest
        if destinations:
            sources = [r] if r.type in S3_BUCKET_TYPES else [b for b in s3_buckets if refers_to_bucket(r, b)]
            out.append(Replication(r, tuple(sources), tuple(destinations.values())))
    return out


def _s3_targets(value, dep_urns, buckets, by_urn) -> list[ResourceView]:
    if is_unknown(value):
        return [by_urn[u] for u in dep_urns if u in by_urn and by_urn[u].type in S3_BUCKET_TYPES]
    arn = parse_arn(value)
    name = arn.resource if arn is not None else value
    return list(buckets.get(name, ())) if isinstance(name, str) else []


def refers_to_bucket(config: ResourceView, bucket: ResourceView) -> bool:
    """True when a separate S3 bucket configuration resource (versioning, Object Lock, replication) is ``bucket``'s."""
    if bucket.urn in config.property_dependencies.get("bucket", ()):
        return True
    name = config.props.get("bucket")
    return isinstance(name, str) and not is_unknown(name) and name == bucket.props.get("bucket")


# -- copies of databases in other regions, and the backups that outlive a store -----------------------------

OCI_ADB = "oci:Database/autonomousDatabase:AutonomousDatabase"
ADB_STANDBY_SOURCES = frozenset({"CROSS_REGION_DATAGUARD", "CROSS_REGION_DISASTER_RECOVERY"})
RDS_INSTANCE = "aws:rds/instance:Instance"
RDS_BACKUP_REPLICATION = "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication"
GLOBAL_CLUSTERS = {
    "aws:rds/cluster:Cluster": "aws:rds/globalCluster:GlobalCluster",
    "aws:docdb/cluster:Cluster": "aws:docdb/globalCluster:GlobalCluster",
    "aws:neptune/cluster:Cluster": "aws:neptune/globalCluster:GlobalCluster",
}
DYNAMODB_TABLE_REPLICA = "aws:dynamodb/tableReplica:TableReplica"
REDSHIFT_SNAPSHOT_COPY = "aws:redshift/snapshotCopy:SnapshotCopy"
OCI_DATA_GUARD = "oci:Database/dataGuardAssociation:DataGuardAssociation"
OCI_NOSQL_REPLICA = "oci:Nosql/tableReplica:TableReplica"
AWS_BACKUP_SELECTION = "aws:backup/selection:Selection"
AWS_BACKUP_PLAN = "aws:backup/plan:Plan"
AWS_BACKUP_VAULT = "aws:backup/vault:Vault"
OCI_VOLUME_BACKUP_ASSIGNMENT = "oci:Core/volumeBackupPolicyAssignment:VolumeBackupPolicyAssignment"
EFS_BACKUP_POLICY = "aws:efs/backupPolicy:BackupPolicy"

COPY_FIXES = {
    "rds-backup-replication": "an aws.rds.InstanceAutomatedBackupsReplication in another allowed region",
    "rds-replica": "a cross-region read replica (an aws.rds.Instance with replicate_source_db set to its ARN)",
    "global-cluster": "a global cluster with a secondary cluster in another allowed region",
    "cluster-replica": "a cross-region replica cluster (replication_source_identifier set to its ARN)",
    "dynamodb-table-replica": "an aws.dynamodb.TableReplica in another allowed region",
    "redshift-snapshot-copy": "an aws.redshift.SnapshotCopy to another allowed region",
    "adb-standby": "a standby in the backup region (an Autonomous Database with source CROSS_REGION_DATAGUARD or "
                   "CROSS_REGION_DISASTER_RECOVERY and source_id set to it, created with that region's provider)",
    "data-guard": "a Data Guard association whose standby is in another allowed region",
    "nosql-replica": "an oci.nosql.TableReplica in another allowed region",
    "aws-backup-copy": "an AWS Backup plan that selects it and copies to a vault in another allowed region",
}


@dataclass(frozen=True)
class RegionalCopy:
    """A copy of a store kept by ``via`` (the store itself for an inline setting) in ``region`` (None: unknown;
    ``unknown`` then names the value that is, as a noun phrase or an input path)."""

    via: ResourceView
    what: str
    region: str | None
    unknown: str | None = None


def _referrers(resources: Iterable[ResourceView], types: Iterable[str], key: str, target: ResourceView) -> list[ResourceView]:
    """Resources of ``types`` whose input ``key`` came from ``target`` (a property dependency) or names its id,
    ARN or name literally."""
    wanted = frozenset(types)
    names = {target.props.get(k) for k in ("id", "arn", "name", "identifier", "clusterIdentifier")}
    names = {n for n in names if isinstance(n, str) and n and not is_unknown(n)}
    # A stack view indexes by type: asking for every store's referrers stays linear in the stack.
    candidates = resources.of_type(*wanted) if isinstance(resources, StackView) else resources
    out = []
    for r in candidates:
        if r.type not in wanted or r.urn == target.urn:
            continue
        value = r.props.get(key)
        if target.urn in r.property_dependencies.get(key, ()) or (isinstance(value, str) and value in names):
            out.append(r)
    return out


def _copy_at(via: ResourceView, what: str) -> RegionalCopy:
    """A copy kept by ``via`` in the region it is created in (its ``region`` input or its provider's)."""
    if unconfigured(via):
        return RegionalCopy(via, what, None, f"the region of {what} (its provider's configuration)")
    found = effective_region(via)
    if found is None:
        return RegionalCopy(via, what, None, f"the region of {what} (it has no provider)")
    if found.region is None:
        return RegionalCopy(via, what, None, f"the region of {what} ({found.source})")
    return RegionalCopy(via, what, found.region)


def _region_value(via: ResourceView, path: str, value) -> RegionalCopy:
    if is_unknown(value) or not isinstance(value, str):
        return RegionalCopy(via, path, None, f"{via.name}.{path}")
    return RegionalCopy(via, path, value)


def is_copy(store: ResourceView) -> bool:
    """A store that is itself the copy of another (a read replica, a replica cluster, a standby): its source
    is the one judged for backups and copies."""
    props = store.props
    if store.type == RDS_INSTANCE and props.get("replicateSourceDb") not in (None, ""):
        return True
    if store.type in GLOBAL_CLUSTERS and props.get("replicationSourceIdentifier") not in (None, ""):
        return True
    source = props.get("source")
    return store.type == OCI_ADB and isinstance(source, str) and source.upper() in ADB_STANDBY_SOURCES


def regional_copies(store: ResourceView, region_lists: Iterable[str], joins: Iterable[str],
                    resources: Sequence[ResourceView]) -> list[RegionalCopy]:
    """Every copy of ``store`` the stack shows, inline (``region_lists``) or through the named ``joins``."""
    out: list[RegionalCopy] = []
    for path in region_lists:
        out.extend(_region_value(store, where, value) for where, value in walk(store.props, path))
    for join in joins:
        out.extend(_JOINS[join](store, resources))
    return out


def _rds_backup_replication(store, resources):
    return [_copy_at(r, f"automated backups replicated by '{r.name}'")
            for r in _referrers(resources, (RDS_BACKUP_REPLICATION,), "sourceDbInstanceArn", store)]


def _rds_replica(store, resources):
    return [_copy_at(r, f"read replica '{r.name}'") for r in _referrers(resources, (RDS_INSTANCE,), "replicateSourceDb", store)]


def _global_cluster(store, resources):
    global_type = GLOBAL_CLUSTERS[store.type]
    groups = [r for r in resources if r.type == global_type and (
        r.urn in store.property_dependencies.get("globalClusterIdentifier", ())
        or (store.props.get("globalClusterIdentifier") not in (None, "")
            and r.props.get("globalClusterIdentifier") == store.props.get("globalClusterIdentifier"))
        or store.urn in r.property_dependencies.get("sourceDbClusterIdentifier", ()))]
    out = []
    for group in groups:
        for member in _referrers(resources, (store.type,), "globalClusterIdentifier", group):
            if member.urn != store.urn:
                out.append(_copy_at(member, f"cluster '{member.name}' of global cluster '{group.name}'"))
    return out


def _cluster_replica(store, resources):
    return [_copy_at(r, f"replica cluster '{r.name}'")
            for r in _referrers(resources, (store.type,), "replicationSourceIdentifier", store)]


def _dynamodb_table_replica(store, resources):
    return [_copy_at(r, f"table replica '{r.name}'")
            for r in _referrers(resources, (DYNAMODB_TABLE_REPLICA,), "globalTableArn", store)]


def _redshift_snapshot_copy(store, resources):
    return [_region_value(r, "destinationRegion", r.props.get("destinationRegion"))
            for r in _referrers(resources, (REDSHIFT_SNAPSHOT_COPY,), "clusterIdentifier", store)]


def _adb_standby(store, resources):
    out = []
    for r in _referrers(resources, (OCI_ADB,), "sourceId", store):
        if unconfigured(r):
            out.append(_copy_at(r, f"standby '{r.name}'"))
            continue
        source = r.props.get("source")
        if is_unknown(source) or (isinstance(source, str) and source.upper() in ADB_STANDBY_SOURCES):
            copy = _copy_at(r, f"standby '{r.name}'")
            out.append(copy if not is_unknown(source) else RegionalCopy(r, copy.what, None, f"{r.name}.source"))
    return out


def _data_guard(store, resources):
    by_key = {key: region for region, (key, _) in OCI_REGIONS.items()}
    by_urn = {r.urn: r for r in resources}
    out: list[RegionalCopy] = []
    for assoc in _referrers(resources, (OCI_DATA_GUARD,), "databaseId", store) + [
            r for r in resources if r.type == OCI_DATA_GUARD and store.urn in r.dependencies]:
        peers = [by_urn[u] for k in ("peerDbSystemId", "peerDbHomeId") for u in assoc.property_dependencies.get(k, ())
                 if u in by_urn]
        if peers:
            out.extend(_copy_at(p, f"Data Guard standby '{p.name}'") for p in peers)
            continue
        domain = assoc.props.get("availabilityDomain")
        if isinstance(domain, str) and not is_unknown(domain):
            key = domain.split(":")[-1].split("-")[0].upper()
            out.append(RegionalCopy(assoc, f"Data Guard standby of '{assoc.name}'", by_key.get(key),
                                    None if key in by_key else f"{assoc.name}.availabilityDomain ({domain!r})"))
        else:
            # No availability domain: the standby goes into the primary's own region.
            out.append(_copy_at(assoc, f"Data Guard standby of '{assoc.name}'") if domain is None else
                       RegionalCopy(assoc, "Data Guard standby", None, f"{assoc.name}.availabilityDomain"))
    return list({(c.via.urn, c.what): c for c in out}.values())


def _nosql_replica(store, resources):
    return [_region_value(r, "region", r.props.get("region"))
            for r in _referrers(resources, (OCI_NOSQL_REPLICA,), "tableNameOrId", store)]


def aws_backup_plans(store: ResourceView, resources: Sequence[ResourceView]) -> list[ResourceView]:
    """The AWS Backup plans whose selections name ``store`` (a property dependency or its literal ARN)."""
    by_urn = {r.urn: r for r in resources}
    plans: list[ResourceView] = []
    for selection in _referrers(resources, (AWS_BACKUP_SELECTION,), "resources", store):
        plans.extend(by_urn[u] for u in selection.property_dependencies.get("planId", ())
                     if u in by_urn and by_urn[u].type == AWS_BACKUP_PLAN)
    return list({p.urn: p for p in plans}.values())


def _aws_backup_copy(store, resources):
    by_urn = {r.urn: r for r in resources}
    out = []
    for plan in aws_backup_plans(store, resources):
        vaults = [by_urn[u] for u in plan.property_dependencies.get("rules", ())
                  if u in by_urn and by_urn[u].type == AWS_BACKUP_VAULT]
        for where, arn in walk(plan.props, "rules[].copyActions[].destinationVaultArn"):
            parsed = parse_arn(arn) if isinstance(arn, str) and not is_unknown(arn) else None
            if parsed is not None and parsed.region:
                out.append(RegionalCopy(plan, f"copy to vault {arn}", parsed.region))
            elif vaults:
                out.extend(_copy_at(v, f"copy to vault '{v.name}'") for v in vaults)
            else:
                out.append(RegionalCopy(plan, where, None, f"{plan.name}.{where}"))
    return out


_JOINS = {
    "rds-backup-replication": _rds_backup_replication, "rds-replica": _rds_replica, "global-cluster": _global_cluster,
    "cluster-replica": _cluster_replica, "dynamodb-table-replica": _dynamodb_table_replica,
    "redshift-snapshot-copy": _redshift_snapshot_copy, "adb-standby": _adb_standby, "data-guard": _data_guard,
    "nosql-replica": _nosql_replica, "aws-backup-copy": _aws_backup_copy,
}


def backups_outliving(store: ResourceView, join: str, resources: Sequence[ResourceView]) -> list[ResourceView]:
    """The resources that keep backups of ``store`` after it is deleted, through the guard ``join``."""
    if join == "aws-backup":
        return aws_backup_plans(store, resources)
    if join == "oci-volume-backup-policy":
        return _referrers(resources, (OCI_VOLUME_BACKUP_ASSIGNMENT,), "assetId", store)
    if join == "efs-backup-policy":
        return [p for p in _referrers(resources, (EFS_BACKUP_POLICY,), "fileSystemId", store)
                if str(get(p.props, "backupPolicy.status", "")).upper() == "ENABLED"]
    raise KeyError(join)


JOIN_FIXES = {
    "aws-backup": "an AWS Backup plan whose selection names it",
    "oci-volume-backup-policy": "an oci.core.VolumeBackupPolicyAssignment",
    "efs-backup-policy": "an aws.efs.BackupPolicy with status ENABLED",
}
JOIN_MISSING = {
    "aws-backup": "no AWS Backup plan selects it",
    "oci-volume-backup-policy": "no VolumeBackupPolicyAssignment gives it a backup policy",
    "efs-backup-policy": "no aws.efs.BackupPolicy enables its backups",
}
