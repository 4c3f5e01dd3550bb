"""Regenerate ``residency_policies/data/data_bearing_types.txt``: resource types that hold or protect data.

Two sources, merged per type token:

* **derived from the SDKs** (``sdk_schema``): every resource type with an input that names an encryption
  key (a KMS key ARN / Vault key OCID): wire names that say so outright (``kmsKeyId``, ``kmsMasterKeyId``,
  ``encryptionKeyArn``, ``cmkArn``, ``customerManagedKey``, ...) or a generic key name (``keyId``,
  ``keyArn``, ``keyIds``, ``keyIdentifier``) whose description talks about KMS, a vault or encryption.
  The key-management services themselves (``oci:Kms/*``, ``aws:kms/*``) are excluded: keys are not data.
  Every such key, when given, must be held in an allowed region inside the estate (``us-keys-for-data``).
* **known stores** (``STORES`` below, curated, each checked against the SDK here so a typo or an SDK
  change fails generation): the types that hold user data. For those, ``us-keys-for-data``
  *requires* a customer-managed key (``required``: at least one of these paths holds a key; ``each``:
  every block present at this list path holds its own key). What keeps each one's data recoverable, and
  whether its kind holds data at rest at all, is ``generate_store_durability.py``'s (every store here must
  have a profile there).

Columns (tab-separated): token, flags (``store``: a curated store, ``ebs-default``: an EBS default key in the stack
covers a missing key, ``separate-sse``: the key may live in a separate encryption resource,
``when=<input>:<value>``: the key is required only when the input has that value, e.g. an SSM parameter of
type ``SecureString``, ``unless=<input>|<input>``: not required when one of these inputs is set, e.g. a
Firehose stream that reads a Kinesis stream), required key paths, per-block key paths, every key path
(``-`` = none). Run after upgrading pulumi-oci / pulumi-aws:

    .venv/bin/python policies/tools/generate_data_bearing_types.py [--check]
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generated_file  # noqa: E402
import sdk_schema  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "residency_policies" / "data" / "data_bearing_types.txt"

# Key inputs: names that say "key for encryption" outright, and generic key names that need the description.
_KEY_NAME = re.compile(r"(?i)(kms|cmk|encryptionkey|masterkey|customermanagedkey)")
_GENERIC_KEY_NAME = re.compile(r"(?:^|[a-z])(keyId|keyArn|keyIds|keyIdentifier)$")
_KEY_DOC = re.compile(r"(?i)(\bkms\b|vault|encrypt|master key|\bcmk\b|OCID of the key|key to use|(AWS|Azure|GCP) key)")
# Inputs whose names match but that are not a key reference (flags, specs, credentials, other key kinds).
_NOT_A_KEY = frozenset({
    "accessKeyId", "apiKeyArn", "tokenKeyId", "publicKeyId", "tsigKeyId", "appleKeyId", "sslClientKeyArn",
    "bdsApiKeyId", "kmsKeyState", "kmsKeyVersionId", "kmsKeyRotation", "kmsKeyMigration",
    "kmsDataKeyReusePeriodSeconds", "kmsEncrypted", "kmsEncryptionContext", "kmsPolicyDocument", "kmsAccess",
    "kmsRestEndpoint", "customerMasterKeySpec", "encryptionKeyProvider", "kmsKeyProviderUri",
    "defaultEncryptionKey", "customerManagedKeyEnabled", "disableKmsiTokenAuthentication", "masterKey",
})
_KEY_SERVICES = ("oci:Kms/", "aws:kms/")


@dataclass(frozen=True)
class Store:
    """A type that holds user data: the key it must have."""

    required: tuple[str, ...] = ()  # at least one of these paths holds a key (empty: no key requirement)
    each: tuple[str, ...] = ()  # every block present at these list paths holds its own key
    flags: tuple[str, ...] = ()
    when: tuple[str, str] | None = None  # (path, value): the key is required only when the input has this value
    unless: tuple[str, ...] = ()  # the key is not required when one of these inputs is set (encrypted elsewhere)


_EBS = ("ebs-default",)

STORES: dict[str, Store] = {
    # --- AWS object, block and file storage ---
    "aws:s3/bucket:Bucket": Store(flags=("separate-sse",)),
    "aws:s3/bucketV2:BucketV2": Store(flags=("separate-sse",)),
    "aws:s3/directoryBucket:DirectoryBucket": Store(),
    "aws:s3tables/tableBucket:TableBucket": Store(("encryptionConfiguration.kmsKeyArn",)),
    "aws:s3/vectorsVectorBucket:VectorsVectorBucket": Store(("encryptionConfigurations[].kmsKeyArn",)),
    "aws:ebs/volume:Volume": Store(("kmsKeyId",), flags=_EBS),
    "aws:ebs/snapshot:Snapshot": Store(),
    "aws:ebs/snapshotCopy:SnapshotCopy": Store(("kmsKeyId",), flags=_EBS),
    "aws:ebs/snapshotImport:SnapshotImport": Store(("kmsKeyId",), flags=_EBS),
    "aws:ec2/amiCopy:AmiCopy": Store(("kmsKeyId",), flags=_EBS),
    "aws:efs/fileSystem:FileSystem": Store(("kmsKeyId",)),
    "aws:fsx/lustreFileSystem:LustreFileSystem": Store(("kmsKeyId",)),
    "aws:fsx/ontapFileSystem:OntapFileSystem": Store(("kmsKeyId",)),
    "aws:fsx/openZfsFileSystem:OpenZfsFileSystem": Store(("kmsKeyId",)),
    "aws:fsx/windowsFileSystem:WindowsFileSystem": Store(("kmsKeyId",)),
    "aws:fsx/fileCache:FileCache": Store(("kmsKeyId",)),
    "aws:glacier/vault:Vault": Store(),
    "aws:backup/vault:Vault": Store(("kmsKeyArn",)),
    "aws:backup/logicallyAirGappedVault:LogicallyAirGappedVault": Store(("encryptionKeyArn",)),
    # --- AWS compute disks: a key for every EBS device ---
    "aws:ec2/instance:Instance": Store(("rootBlockDevice.kmsKeyId",), ("ebsBlockDevices[].kmsKeyId",), flags=_EBS),
    "aws:ec2/spotInstanceRequest:SpotInstanceRequest": Store(("rootBlockDevice.kmsKeyId",), ("ebsBlockDevices[].kmsKeyId",), flags=_EBS),
    "aws:ec2/launchTemplate:LaunchTemplate": Store((), ("blockDeviceMappings[].ebs.kmsKeyId",), flags=_EBS),
    "aws:ec2/spotFleetRequest:SpotFleetRequest": Store(
        (), ("launchSpecifications[].rootBlockDevices[].kmsKeyId", "launchSpecifications[].ebsBlockDevices[].kmsKeyId"),
        flags=_EBS),
    # --- AWS databases ---
    "aws:rds/instance:Instance": Store(("kmsKeyId",)),
    "aws:rds/cluster:Cluster": Store(("kmsKeyId",)),
    "aws:rds/snapshotCopy:SnapshotCopy": Store(("kmsKeyId",)),
    "aws:rds/clusterSnapshotCopy:ClusterSnapshotCopy": Store(("kmsKeyId",)),
    "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": Store(("kmsKeyId",)),
    "aws:rds/snapshot:Snapshot": Store(),
    "aws:rds/clusterSnapshot:ClusterSnapshot": Store(),
    "aws:docdb/cluster:Cluster": Store(("kmsKeyId",)),
    "aws:docdb/elasticCluster:ElasticCluster": Store(("kmsKeyId",)),
    "aws:neptune/cluster:Cluster": Store(("kmsKeyArn",)),
    "aws:neptunegraph/graph:Graph": Store(("kmsKeyIdentifier",)),
    "aws:redshift/cluster:Cluster": Store(("kmsKeyId",)),
    "aws:redshiftserverless/namespace:Namespace": Store(("kmsKeyId",)),
    "aws:dsql/cluster:Cluster": Store(("kmsEncryptionKey",)),
    "aws:dynamodb/table:Table": Store(("serverSideEncryption.kmsKeyArn",), ("replicas[].kmsKeyArn",)),
    "aws:dynamodb/tableReplica:TableReplica": Store(("kmsKeyArn",)),
    "aws:dynamodb/globalTable:GlobalTable": Store(),
    "aws:keyspaces/table:Table": Store(("encryptionSpecification.kmsKeyIdentifier",)),
    "aws:timestreamwrite/database:Database": Store(("kmsKeyId",)),
    "aws:timestreamwrite/table:Table": Store(),
    "aws:qldb/ledger:Ledger": Store(("kmsKey",)),
    "aws:elasticache/replicationGroup:ReplicationGroup": Store(("kmsKeyId",)),
    "aws:elasticache/serverlessCache:ServerlessCache": Store(("kmsKeyId",)),
    "aws:memorydb/cluster:Cluster": Store(("kmsKeyArn",)),
    "aws:memorydb/snapshot:Snapshot": Store(("kmsKeyArn",)),
    "aws:opensearch/domain:Domain": Store(("encryptAtRest.kmsKeyId",)),
    "aws:elasticsearch/domain:Domain": Store(("encryptAtRest.kmsKeyId",)),
    # --- AWS messaging, streams, logs, secrets, registries ---
    "aws:sqs/queue:Queue": Store(("kmsMasterKeyId",)),
    "aws:sns/topic:Topic": Store(("kmsMasterKeyId",)),
    "aws:kinesis/stream:Stream": Store(("kmsKeyId",)),
    "aws:kinesis/videoStream:VideoStream": Store(("kmsKeyId",)),
    "aws:msk/cluster:Cluster": Store(("encryptionInfo.encryptionAtRestKmsKeyArn",)),
    "aws:mq/broker:Broker": Store(("encryptionOptions.kmsKeyId",)),
    "aws:cloudwatch/logGroup:LogGroup": Store(("kmsKeyId",)),
    "aws:secretsmanager/secret:Secret": Store(("kmsKeyId",), ("replicas[].kmsKeyId",)),
    # SSM parameters: a SecureString holds a secret, encrypted with ``keyId`` (else the AWS-managed aws/ssm key).
    "aws:ssm/parameter:Parameter": Store(("keyId",), when=("type", "SecureString")),
    # Firehose keeps records until delivery; Direct PUT streams encrypt them with ``serverSideEncryption``
    # (a stream reading a Kinesis stream or MSK topic keeps them under the source's own key).
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": Store(
        ("serverSideEncryption.keyArn",),
        unless=("kinesisSourceConfiguration", "mskSourceConfiguration")),
    "aws:ecr/repository:Repository": Store(("encryptionConfigurations[].kmsKey",)),
    # EKS: Kubernetes secrets in etcd, encrypted with the cluster's key.
    "aws:eks/cluster:Cluster": Store(("encryptionConfig.provider.keyArn",)),
    # --- OCI object, block and file storage ---
    "oci:ObjectStorage/bucket:Bucket": Store(("kmsKeyId",)),
    "oci:Core/volume:Volume": Store(("kmsKeyId",)),
    "oci:Core/bootVolume:BootVolume": Store(("kmsKeyId",)),
    "oci:Core/volumeGroup:VolumeGroup": Store(),  # each member volume carries its own key
    "oci:Core/volumeBackup:VolumeBackup": Store(),
    "oci:Core/bootVolumeBackup:BootVolumeBackup": Store(),
    "oci:Core/volumeGroupBackup:VolumeGroupBackup": Store(),
    "oci:FileStorage/fileSystem:FileSystem": Store(("kmsKeyId",)),
    "oci:FileStorage/snapshot:Snapshot": Store(),
    "oci:Lustre/fileStorageLustreFileSystem:FileStorageLustreFileSystem": Store(("kmsKeyId",)),
    # --- OCI compute disks: a key for the boot volume and every volume created at launch ---
    "oci:Core/instance:Instance": Store(("sourceDetails.kmsKeyId",), ("launchVolumeAttachments[].launchCreateVolumeDetails.kmsKeyId",)),
    "oci:ContainerEngine/nodePool:NodePool": Store(("nodeConfigDetails.kmsKeyId",)),
    # --- OCI databases ---
    "oci:Database/autonomousDatabase:AutonomousDatabase": Store(("kmsKeyId", "encryptionKey.kmsKeyId")),
    "oci:Database/autonomousContainerDatabase:AutonomousContainerDatabase": Store(("kmsKeyId",)),
    "oci:Database/database:Database": Store(("database.kmsKeyId", "kmsKeyId")),
    "oci:Database/dbHome:DbHome": Store(("database.kmsKeyId", "kmsKeyId")),
    "oci:Database/dbSystem:DbSystem": Store(("dbHome.database.kmsKeyId", "kmsKeyId")),
    "oci:Database/autonomousDatabaseBackup:AutonomousDatabaseBackup": Store(),
    "oci:Database/backup:Backup": Store(),
    "oci:Mysql/mysqlDbSystem:MysqlDbSystem": Store(("encryptData.keyId",)),
    "oci:Mysql/mysqlBackup:MysqlBackup": Store(),
    "oci:Psql/dbSystem:DbSystem": Store(("storageDetails.kmsKeyId",)),
    "oci:Psql/backup:Backup": Store(),
    "oci:Nosql/table:Table": Store(),  # NoSQL tables take no customer key
    "oci:Opensearch/cluster:Cluster": Store(),
    "oci:Redis/redisCluster:RedisCluster": Store(),
    # --- OCI messaging, streams, logs, secrets, registries ---
    "oci:Queue/queue:Queue": Store(("customEncryptionKeyId",)),
    "oci:Streaming/streamPool:StreamPool": Store(("customEncryptionKey.kmsKeyId",)),
    "oci:Streaming/stream:Stream": Store(),  # encrypted by its stream pool's key
    "oci:Logging/logGroup:LogGroup": Store(),
    "oci:Logging/log:Log": Store(),
    "oci:Vault/secret:Secret": Store(("keyId",)),
    "oci:Artifacts/containerRepository:ContainerRepository": Store(),
    # OKE: Kubernetes secrets in etcd, encrypted with the cluster's key.
    "oci:ContainerEngine/cluster:Cluster": Store(("kmsKeyId",)),
    # Keys and vaults hold no user data themselves; listed so that their durability profile is decided too.
    "oci:Kms/vault:Vault": Store(),
    "oci:Kms/key:Key": Store(),
    "aws:kms/key:Key": Store(),
}


def key_paths(package: sdk_schema.Package, resource: sdk_schema.Resource) -> list[str]:
    if resource.token.startswith(_KEY_SERVICES) or ":" not in resource.token:
        return []
    out = []
    for path, item in package.paths(resource):
        if item.nested or item.shape == "map" or item.scalar not in ("str", None) or item.wire in _NOT_A_KEY:
            continue
        if _KEY_NAME.search(item.wire) or (_GENERIC_KEY_NAME.search(item.wire) and _KEY_DOC.search(item.doc)):
            out.append(path)
    return sorted(set(out))


def rows() -> list[str]:
    found: dict[str, list[str]] = {}
    for package in sdk_schema.packages():
        for resource in package.resources.values():
            paths = key_paths(package, resource)
            if paths:
                found[resource.token] = paths
    all_tokens = {t for p in sdk_schema.packages() for t in p.resources}
    problems = []
    for token, store in STORES.items():
        if token not in all_tokens:
            problems.append(f"STORES names {token}, which the installed SDKs do not define")
            continue
        for path in store.required + store.each:
            if path not in found.get(token, ()):
                problems.append(f"STORES {token}: {path} is not a key input of this type in the installed SDK")
        for path in store.each:
            if "[]" not in path:
                problems.append(f"STORES {token}: per-block path {path} has no list ([]) in it")
        inputs = {path for package in sdk_schema.packages() if token in package.resources
                  for path, _ in package.paths(package.resources[token])}
        for path in ((store.when[0],) if store.when else ()) + store.unless:
            if path not in inputs:
                problems.append(f"STORES {token}: condition input {path} is not an input of this type in the installed SDK")
    if problems:
        raise SystemExit("\n".join(problems))
    out = []
    for token in sorted(set(found) | set(STORES)):
        store = STORES.get(token)
        flags = (("store",) if store else ()) + (store.flags if store else ())
        if store and store.when:
            flags += (f"when={store.when[0]}:{store.when[1]}",)
        if store and store.unless:
            flags += ("unless=" + "|".join(store.unless),)
        out.append("\t".join((
            token,
            ",".join(flags) or "-",
            ",".join(store.required) if store and store.required else "-",
            ",".join(store.each) if store and store.each else "-",
            ",".join(found.get(token, ())) or "-",
        )))
    return out


def render() -> str:
    header = [
        "# Generated by policies/tools/generate_data_bearing_types.py; do not edit.",
        *sdk_schema.versions_header(),
        "# token\tflags\trequired key paths\tper-block key paths\tevery key path",
    ]
    return "\n".join(header + rows()) + "\n"


def main(argv: list[str] | None = None) -> int:
    return generated_file.run(argv, description=__doc__.splitlines()[0], out=OUT, script=__file__, render=render,
                              noun="types")


if __name__ == "__main__":
    sys.exit(main())
