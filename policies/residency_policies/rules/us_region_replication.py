"""us-region-replication: every property that names another region or a cross-region copy is allowed.

Covers the region family of the surface map (``shared/docs/residency-surface.md`` §A). Region names are
compared with ``allowedRegions``; OCI availability-domain names (``Uocm:PHX-AD-1``) and OCIDs
(``ocid1.filesystem.oc1.iad...``) are mapped to their region first. A region-deciding value that is
unknown at preview fails closed. Reference values (an OCID or ARN produced by another resource of the
same stack) that are unknown at preview, and S3 replication destinations (bucket ARNs carry no region),
are judged in the stack phase, which follows property dependencies / bucket names to the referenced
resource and takes its region (own ``region`` input for AWS, else its provider's).
"""

from __future__ import annotations

from collections.abc import Iterator

from residency_policies.framework import Finding, ResourceView, resource_policy
from residency_policies.aws_identifiers import parse_arn
from residency_policies.oci_identifiers import availability_domain_region, ocid_region
from residency_policies.provider_regions import cloud_of_type, effective_region
from residency_policies.rules_file import Rules
from residency_policies.values import is_unknown, walk

# Kinds: "oci" / "aws" region name; "oci-ad" availability domain; "oci-ocid" OCID naming its region;
# "aws-arn" ARN naming its region; "oci-regions" / "aws-regions" a list of region names.
REGION_PATHS: dict[str, tuple[tuple[str, str], ...]] = {
    # --- OCI ---
    "oci:ObjectStorage/replicationPolicy:ReplicationPolicy": (("destinationRegionName", "oci"),),
    "oci:Core/volumeBackupPolicy:VolumeBackupPolicy": (("destinationRegion", "oci"),),
    "oci:Core/volume:Volume": (("blockVolumeReplicas[].availabilityDomain", "oci-ad"),),
    "oci:Core/bootVolume:BootVolume": (("bootVolumeReplicas[].availabilityDomain", "oci-ad"),),
    "oci:Core/volumeGroup:VolumeGroup": (("volumeGroupReplicas[].availabilityDomain", "oci-ad"),),
    "oci:Core/volumeBackup:VolumeBackup": (("sourceDetails.region", "oci"),),
    "oci:Core/bootVolumeBackup:BootVolumeBackup": (("sourceDetails.region", "oci"),),
    "oci:Core/volumeGroupBackup:VolumeGroupBackup": (("sourceDetails.region", "oci"),),
    "oci:Core/remotePeeringConnection:RemotePeeringConnection": (("peerRegionName", "oci"),),
    "oci:Database/autonomousDatabase:AutonomousDatabase": (("sourceId", "oci-ocid"), ("peerDbId", "oci-ocid")),
    "oci:Database/autonomousContainerDatabase:AutonomousContainerDatabase": (
        ("backupConfig.backupDestinationDetails.remoteRegion", "oci"),
        ("peerAutonomousContainerDatabaseBackupConfig.backupDestinationDetails.remoteRegion", "oci"),
        ("peerCloudAutonomousVmClusterId", "oci-ocid"),
    ),
    "oci:Database/autonomousDatabaseBackup:AutonomousDatabaseBackup": (("backupDestinationDetails.remoteRegion", "oci"),),
    "oci:Database/database:Database": (("database.dbBackupConfig.backupDestinationDetails.remoteRegion", "oci"),),
    "oci:Database/dbHome:DbHome": (("database.dbBackupConfig.backupDestinationDetails.remoteRegion", "oci"),),
    "oci:Database/dbSystem:DbSystem": (("dbHome.database.dbBackupConfig.backupDestinationDetails.remoteRegion", "oci"),),
    "oci:Database/dataGuardAssociation:DataGuardAssociation": (("peerDbSystemId", "oci-ocid"), ("peerVmClusterId", "oci-ocid")),
    "oci:Kms/vaultVerification:VaultVerification": (("replicaRegion", "oci"),),
    "oci:Vault/secret:Secret": (
        ("replicationConfig.replicationTargets[].targetRegion", "oci"),
        ("replicationConfig.replicationTargets[].targetKeyId", "oci-ocid"),
    ),
    "oci:FileStorage/replication:Replication": (("targetId", "oci-ocid"),),
    "oci:Identity/domain:Domain": (("homeRegion", "oci"),),
    "oci:Identity/domainReplicationToRegion:DomainReplicationToRegion": (("replicaRegion", "oci"),),
    "oci:Tenantmanagercontrolplane/childTenancy:ChildTenancy": (("homeRegion", "oci"),),
    "oci:Mysql/mysqlDbSystem:MysqlDbSystem": (("backupPolicy.copyPolicies[].copyToRegion", "oci"), ("source.region", "oci")),
    "oci:Psql/dbSystem:DbSystem": (("managementPolicy.backupPolicy.copyPolicy.regions[]", "oci"),),
    "oci:Nosql/tableReplica:TableReplica": (("region", "oci"),),
    "oci:DisasterRecovery/drProtectionGroup:DrProtectionGroup": (("association.peerRegion", "oci"),),
    "oci:ObjectStorage/storageObject:StorageObject": (("sourceUriDetails.region", "oci"),),
    # --- AWS --- (S3 replication destinations carry no region in their ARN: us-region-replication-targets)
    "aws:s3control/multiRegionAccessPoint:MultiRegionAccessPoint": (("details.regions[].region", "aws"),),
    "aws:kms/replicaKey:ReplicaKey": (("primaryKeyArn", "aws-arn"),),
    "aws:kms/replicaExternalKey:ReplicaExternalKey": (("primaryKeyArn", "aws-arn"),),
    "aws:dynamodb/table:Table": (("replicas[].regionName", "aws"), ("globalTableWitness.regionName", "aws")),
    "aws:dynamodb/tableReplica:TableReplica": (("globalTableArn", "aws-arn"),),
    "aws:dynamodb/globalTable:GlobalTable": (("replicas[].regionName", "aws"),),
    "aws:rds/instance:Instance": (("replicateSourceDb", "aws-arn"),),
    "aws:rds/cluster:Cluster": (("sourceRegion", "aws"), ("replicationSourceIdentifier", "aws-arn")),
    "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": (("sourceDbInstanceArn", "aws-arn"),),
    "aws:rds/snapshotCopy:SnapshotCopy": (("destinationRegion", "aws"), ("sourceDbSnapshotIdentifier", "aws-arn")),
    "aws:rds/clusterSnapshotCopy:ClusterSnapshotCopy": (("destinationRegion", "aws"), ("sourceDbClusterSnapshotIdentifier", "aws-arn")),
    "aws:backup/plan:Plan": (("rules[].copyActions[].destinationVaultArn", "aws-arn"),),
    "aws:ecr/replicationConfiguration:ReplicationConfiguration": (
        ("replicationConfiguration.rules[].destinations[].region", "aws"),
    ),
    "aws:secretsmanager/secret:Secret": (("replicas[].region", "aws"),),
    "aws:ebs/snapshotCopy:SnapshotCopy": (("sourceRegion", "aws"),),
    "aws:ec2/amiCopy:AmiCopy": (("sourceAmiRegion", "aws"),),
    "aws:efs/replicationConfiguration:ReplicationConfiguration": (("destination.region", "aws"),),
    "aws:dlm/lifecyclePolicy:LifecyclePolicy": (
        ("policyDetails.schedules[].crossRegionCopyRules[].targetRegion", "aws"),
        ("policyDetails.schedules[].crossRegionCopyRules[].target", "aws-or-arn"),
        ("policyDetails.action.crossRegionCopies[].target", "aws-or-arn"),
    ),
    "aws:keyspaces/keyspace:Keyspace": (("replicationSpecification.regionLists[]", "aws"),),
    "aws:redshift/snapshotCopy:SnapshotCopy": (("destinationRegion", "aws"),),
    "aws:s3tables/tableBucketReplication:TableBucketReplication": (("rule.destinations[].destinationTableBucketArn", "aws-arn"),),
}

# Reference kinds whose unknown value names a resource of this stack; resolved at stack level.
_REFERENCE_KINDS = {"oci-ocid", "aws-arn", "aws-or-arn"}


def region_of(kind: str, value: object) -> tuple[str | None, str | None]:
    """``(cloud, region)`` named by ``value``; region None when the value names no region."""
    if kind == "oci":
        return "oci", str(value)
    if kind == "aws":
        return "aws", str(value)
    if kind == "oci-ad":
        ref = availability_domain_region(value)
        return "oci", ref.region or (f"<unrecognised {ref.unrecognised}>" if ref.unrecognised else None)
    if kind == "oci-ocid":
        ref = ocid_region(value)
        return "oci", ref.region or (f"<unrecognised {ref.unrecognised}>" if ref.unrecognised else None)
    if kind in ("aws-arn", "aws-or-arn"):
        arn = parse_arn(value)
        if arn is not None:
            return "aws", arn.region or None
        if kind == "aws-or-arn" and isinstance(value, str) and value:
            return "aws", value
        return "aws", None  # a bare identifier resolves in the resource's own region
    raise ValueError(kind)


def check(resource: ResourceView, rules: Rules) -> Iterator[Finding]:
    for path, kind in REGION_PATHS.get(resource.type, ()):
        for where, value in walk(resource.props, path):
            if is_unknown(value):
                if kind in _REFERENCE_KINDS:
                    continue  # produced by another resource: judged in the stack phase
                yield Finding(f"{where} names the region a copy of the data goes to", path=where, unverifiable=True)
                continue
            cloud, region = region_of(kind, value)
            if region is None:
                continue
            allowed = rules.allowed_regions(cloud)
            if region not in allowed:
                yield Finding(
                    f"{where} = {value!r} sends a copy of the data to {region}, outside the allowed {cloud} regions "
                    f"({', '.join(sorted(allowed))})"
                )


# Destinations that name a bucket, not a region; resolved against the stack's buckets.
S3_DESTINATION_PATHS: dict[str, tuple[str, ...]] = {
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": ("rules[].destination.bucket",),
    "aws:s3/bucket:Bucket": ("replicationConfiguration.rules[].destination.bucket",),
}
S3_BUCKET_TYPES = ("aws:s3/bucket:Bucket",)


def check_stack(resources: list[ResourceView], rules: Rules) -> Iterator[Finding]:
    by_urn = {r.urn: r for r in resources}
    buckets_by_name = {
        r.props.get("bucket"): r for r in resources if r.type in S3_BUCKET_TYPES and isinstance(r.props.get("bucket"), str)
    }
    for r in resources:
        refs = [(p, k) for p, k in REGION_PATHS.get(r.type, ()) if k in _REFERENCE_KINDS]
        refs += [(p, "s3-bucket") for p in S3_DESTINATION_PATHS.get(r.type, ())]
        for path, kind in refs:
            top = path.split(".")[0].split("[")[0]
            for where, value in walk(r.props, path):
                if is_unknown(value):
                    targets = [by_urn[u] for u in r.property_dependencies.get(top, ()) if u in by_urn]
                    if kind == "s3-bucket":  # a destination is a bucket; other inputs of the rule are not
                        targets = [t for t in targets if t.type in S3_BUCKET_TYPES]
                    yield from _judge_targets(r, where, targets, rules)
                elif kind == "s3-bucket":
                    arn = parse_arn(value)
                    name = arn.resource if arn is not None else value
                    target = buckets_by_name.get(name)
                    if target is None:
                        yield Finding(
                            f"{where} = {value!r} replicates to a bucket that is not in this stack, so its region "
                            "cannot be verified; manage the destination bucket in this stack",
                            urn=r.urn,
                        )
                    else:
                        yield from _judge_targets(r, where, [target], rules)


def _judge_targets(resource: ResourceView, where: str, targets: list[ResourceView], rules: Rules) -> Iterator[Finding]:
    regions = [(t, effective_region(t)) for t in targets]
    regions = [(t, e) for t, e in regions if e is not None]
    if not regions:
        yield Finding(
            f"{where} is unknown and comes from no resource of this stack whose region is known",
            urn=resource.urn,
            path=where,
            unverifiable=True,
        )
        return
    for target, eff in regions:
        cloud = cloud_of_type(target.type)
        allowed = rules.allowed_regions(cloud)
        if eff.region is None:
            yield Finding(f"{where} refers to {target.urn}, whose region is unknown or unset ({eff.source})", urn=resource.urn, path=where, unverifiable=True)
        elif eff.region not in allowed:
            yield Finding(
                f"{where} refers to {target.urn} in {eff.region} ({eff.source}), outside the allowed {cloud} regions "
                f"({', '.join(sorted(allowed))})",
                urn=resource.urn,
            )


POLICY = resource_policy(
    name="us-region-replication",
    description="Every replication, cross-region copy or home-region property names an allowed (US) region.",
    severity="critical",
    remediation=(
        "Point the replication / copy / replica / home region at an allowed region (see allowedRegions), or remove "
        "the cross-region copy. Use literal region names or config values so the preview can verify them."
    ),
    tags=["region", "replication", "residency"],
    framework=("US data residency", "1.0", "REG-2"),
    resource_types=REGION_PATHS,
    check=check,
    stack_check=check_stack,
)
