"""us-region-replication: every other region a resource names for its data is an allowed region.

Two kinds of input name a region:

* **region inputs and cross-region copies** (``REGION_PATHS``, the region family of the surface map):
  replication destinations, backup copy regions, home regions, replica regions. Region names are compared
  with ``allowedRegions``; a region-deciding value unknown at preview fails closed. Reference values (an
  OCID or ARN produced by another resource of the same stack) unknown at preview, and S3 replication
  destinations (bucket ARNs carry no region), are judged in the stack phase, which follows property
  dependencies / bucket names to the referenced resource and takes its region.
* **identifiers anywhere** (``analysis/data_references.py``): a generic walk over every property of every
  resource reads each OCID, ARN, availability-domain name, AWS zone name and cloud service endpoint (an SQS
  queue URL, an RDS host name, an Object Storage or OCIR host), also inside JSON documents given as strings
  (container definitions, state machine definitions, redrive policies; there also a region name under a
  ``...region`` key of a log or destination block, ``awslogs-region``); one that points at something
  that holds or receives data (a key, a store, a destination, the subnet or AD that places what the
  resource creates) must name an allowed region. Keys at the key inputs ``us-keys-for-data`` judges, and
  references to the resource's own region (``us-region-providers`` judges that), are left to them.

* **edge caches** (``analysis/edge_caching.py``): a CloudFront distribution caches content at the edges of its
  price class, all of which reach outside the United States; only a geo restriction that lets in viewers of the
  allowed regions' countries alone keeps the copies there.

One finding per resource and foreign region, listing every path that names it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from residency_policies.analysis import data_references as refs
from residency_policies.analysis.edge_caching import findings as edge_cache_findings
from residency_policies.analysis.data_bearing_types import DATA_BEARING_TYPES
from residency_policies.compliance import RESIDENCY
from residency_policies.framework import Finding, ResourceView, resource_policy
from residency_policies.aws_identifiers import parse_arn
from residency_policies.oci_identifiers import availability_domain_region, ocid_region
from residency_policies.provider_regions import PROVIDER_TYPE_PREFIX, cloud_of_type, effective_region
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
    # A standby in a new DB system is placed by its subnet and availability domain (cross-region Data Guard).
    "oci:Database/dataGuardAssociation:DataGuardAssociation": (
        ("peerDbSystemId", "oci-ocid"), ("peerVmClusterId", "oci-ocid"), ("subnetId", "oci-ocid"),
        ("availabilityDomain", "oci-ad"),
    ),
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


_CONSEQUENCE = {
    refs.KEY: "the data would be encrypted under a key held there",
    refs.STORE: "data is kept in, copied to or read from a store there",
    refs.DESTINATION: "data is delivered there",
    refs.PLACEMENT: "what this resource creates is placed there",
}


def _shape(path: str) -> str:
    """A concrete or pattern path without list markers (``a[0].b`` and ``a[].b`` both -> ``a.b``)."""
    return re.sub(r"\[\d*\]", "", path)


def _covered_paths(resource_type: str) -> frozenset[str]:
    """Paths judged elsewhere: this policy's own table, and the keys ``us-keys-for-data`` judges."""
    cached = _COVERED.get(resource_type)
    if cached is None:
        spec = DATA_BEARING_TYPES.get(resource_type)
        cached = frozenset(_shape(p) for p, _ in REGION_PATHS.get(resource_type, ())) | frozenset(
            _shape(p) for p in (spec.key_paths if spec else ()))
        _COVERED[resource_type] = cached
    return cached


_COVERED: dict[str, frozenset[str]] = {}


def in_scope(type_token: str) -> bool:
    """OCI and AWS resources (providers' regions are us-region-providers')."""
    return not type_token.startswith(PROVIDER_TYPE_PREFIX) and cloud_of_type(type_token) is not None


def check(resource: ResourceView, rules: Rules) -> Iterator[Finding]:
    if not in_scope(resource.type):
        return
    yield from edge_cache_findings(resource, rules)
    # Foreign regions named by this resource: region -> [(path, value, why)]; one finding per region.
    foreign: dict[tuple[str | None, str], list[tuple[str, object, str]]] = {}
    for path, kind in REGION_PATHS.get(resource.type, ()):
        for where, value in walk(resource.props, path):
            if is_unknown(value):
                if kind in _REFERENCE_KINDS:
                    continue  # produced by another resource: judged in the stack phase
                yield Finding(f"{where} names the region a copy of the data goes to", path=where, unverifiable=True)
                continue
            cloud, region = region_of(kind, value)
            if region is None or region in rules.allowed_regions(cloud):
                continue
            foreign.setdefault((cloud, region), []).append((where, value, "a copy of the data goes there"))
    covered = _covered_paths(resource.type)
    # The resource's own region is us-region-providers' finding: a reference to it hides nothing.
    own = effective_region(resource)
    own_region = (cloud_of_type(resource.type), own.region) if own is not None and own.region else None
    for ref in refs.references(resource.props):
        if not ref.data_bearing or _shape(ref.path) in covered or (ref.cloud, ref.region) == own_region:
            continue
        if ref.unrecognised:
            foreign.setdefault((ref.cloud, f"<unrecognised {ref.unrecognised}>"), []).append(
                (ref.path, ref.value, f"the {ref.what}'s region segment {ref.unrecognised!r} is not a known region"))
        elif ref.region and ref.region not in rules.allowed_regions(ref.cloud):
            foreign.setdefault((ref.cloud, ref.region), []).append((ref.path, ref.value, f"a {ref.what}: {_CONSEQUENCE[ref.kind]}"))
    for (cloud, region), hits in foreign.items():
        allowed = ", ".join(sorted(rules.allowed_regions(cloud)))
        named = "; ".join(f"{where} = {value!r} ({why})" for where, value, why in hits)
        yield Finding(f"names {region}, outside the allowed {cloud} regions ({allowed}): {named}", path=hits[0][0])


# Destinations that name a bucket, not a region; resolved against the stack's buckets.
S3_DESTINATION_PATHS: dict[str, tuple[str, ...]] = {
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": ("rules[].destination.bucket",),
    "aws:s3/bucket:Bucket": ("replicationConfiguration.rules[].destination.bucket",),
}
S3_BUCKET_TYPES = ("aws:s3/bucket:Bucket",)


def check_stack(resources: Sequence[ResourceView], rules: Rules) -> Iterator[Finding]:
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
            yield Finding(f"{where} refers to {target.urn}, whose region is unknown or unset ({eff.source})",
                          urn=resource.urn, path=where, unverifiable=True)
        elif eff.region not in allowed:
            yield Finding(
                f"{where} refers to {target.urn} in {eff.region} ({eff.source}), outside the allowed {cloud} regions "
                f"({', '.join(sorted(allowed))})",
                urn=resource.urn,
            )


POLICY = resource_policy(
    name="us-region-replication",
    description=(
        "Every region a resource names for its data is an allowed (US) region: replication, copy and home-region "
        "inputs, and the region inside any OCID, ARN, availability-domain or zone name or service endpoint of a key, "
        "store, destination, subnet or placement, also inside JSON documents given as strings."
    ),
    severity="critical",
    remediation=(
        "Point the replication / copy / replica / home region, and every key, store, destination, subnet or "
        "availability domain the resource names, at an allowed region (see allowedRegions), or remove the "
        "cross-region copy; give CloudFront distributions a geo restriction (whitelist) of the allowed regions' "
        "countries. Use literal values or config values so the preview can verify them."
    ),
    tags=["region", "replication", "residency"],
    framework=RESIDENCY.control("REG-2"),
    check=check,
    applies_to=in_scope,
    stack_check=check_stack,
)
