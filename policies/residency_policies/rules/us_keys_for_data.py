"""us-keys-for-data: data stores use a customer-managed key held in an allowed region, inside the estate.

A literal OCI key OCID names the vault's region (``ocid1.key.oc1.iad...``); a literal AWS key ARN names
region and account. A key id produced by a resource of this stack is unknown at preview: it counts as
present (presence is all the resource shows), and the stack phase follows the property dependency to
the key resource and checks the key's own region (its provider's, or its AWS ``region`` input). Keys in
external key managers (OCI external vaults / EKM, ADB keys in AWS/Azure/GCP/OKV, AWS XKS key stores) are
outside the estate and fail. AWS buckets usually take their key from a separate
``BucketServerSideEncryptionConfiguration``, so whether a bucket has a key at all is judged at stack level.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from residency_policies.framework import Finding, ResourceView, resource_policy
from residency_policies.aws_identifiers import parse_arn
from residency_policies.oci_identifiers import ocid_region
from residency_policies.provider_regions import cloud_of_type, effective_region
from residency_policies.rules_file import Rules
from residency_policies.values import get, is_unknown, walk


@dataclass(frozen=True)
class KeySpec:
    required: tuple[str, ...] = ()  # at least one of these paths must hold a key
    optional: tuple[str, ...] = ()  # keys that, when given, must also be in an allowed region
    bucket_needs_stack: bool = False  # an AWS bucket's key may live in a separate resource


KEY_PATHS: dict[str, KeySpec] = {
    "oci:ObjectStorage/bucket:Bucket": KeySpec(("kmsKeyId",)),
    "oci:Core/volume:Volume": KeySpec(("kmsKeyId",), ("xrcKmsKeyId", "blockVolumeReplicas[].xrrKmsKeyId")),
    "oci:Core/bootVolume:BootVolume": KeySpec(("kmsKeyId",), ("bootVolumeReplicas[].xrrKmsKeyId",)),
    "oci:FileStorage/fileSystem:FileSystem": KeySpec(("kmsKeyId",)),
    "oci:Database/autonomousDatabase:AutonomousDatabase": KeySpec(("kmsKeyId", "encryptionKey.kmsKeyId")),
    "oci:Database/database:Database": KeySpec(("database.kmsKeyId",)),
    "oci:Database/dbSystem:DbSystem": KeySpec(("dbHome.database.kmsKeyId",)),
    "aws:s3/bucket:Bucket": KeySpec(
        optional=("serverSideEncryptionConfiguration.rule.applyServerSideEncryptionByDefault.kmsMasterKeyId",),
        bucket_needs_stack=True,
    ),
    "aws:ebs/volume:Volume": KeySpec(("kmsKeyId",)),
    "aws:rds/instance:Instance": KeySpec(("kmsKeyId",)),
    "aws:rds/cluster:Cluster": KeySpec(("kmsKeyId",)),
    "aws:dynamodb/table:Table": KeySpec(("serverSideEncryption.kmsKeyArn",)),
    "aws:efs/fileSystem:FileSystem": KeySpec(("kmsKeyId",)),
}

# Resources that put keys outside the estate: (type, path, predicate on the value, explanation).
EXTERNAL_KEY_MARKERS: tuple[tuple[str, str, object, str], ...] = (
    ("oci:Kms/vault:Vault", "vaultType", lambda v: str(v).upper() == "EXTERNAL", "an external (EKM) vault keeps keys outside OCI"),
    ("oci:Kms/vault:Vault", "externalKeyManagerMetadata", lambda v: bool(v), "an external key manager keeps keys outside OCI"),
    ("oci:Kms/key:Key", "externalKeyReference", lambda v: bool(v), "the key material lives in an external key manager"),
    (
        "oci:Database/autonomousDatabase:AutonomousDatabase",
        "encryptionKey.autonomousDatabaseProvider",
        lambda v: str(v).upper() in ("AWS", "AZURE", "GCP", "OKV"),
        "the database key is held outside the OCI estate",
    ),
    ("oci:Database/autonomousDatabase:AutonomousDatabase", "encryptionKey.keyArn", lambda v: bool(v), "the database key is held in AWS KMS"),
    (
        "oci:Database/database:Database",
        "database.encryptionKeyLocationDetails.providerType",
        lambda v: bool(v),
        "the database key is held in an external HSM or another cloud",
    ),
    ("aws:kms/customKeyStore:CustomKeyStore", "customKeyStoreType", lambda v: str(v).upper() == "EXTERNAL_KEY_STORE", "an external key store (XKS) keeps keys outside AWS"),
    ("aws:kms/key:Key", "xksKeyId", lambda v: bool(v), "the key is backed by an external key store (XKS)"),
)
_EXTERNAL_TYPES = {t for t, *_ in EXTERNAL_KEY_MARKERS}
KEY_RESOURCE_TYPES = ("oci:Kms/key:Key", "aws:kms/key:Key", "aws:kms/replicaKey:ReplicaKey", "aws:kms/externalKey:ExternalKey")
BUCKET_SSE_TYPE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
_SSE_KEY_PATH = "rules[].applyServerSideEncryptionByDefault.kmsMasterKeyId"


def judge_key(where: str, value: object, cloud: str, rules: Rules) -> Iterator[str]:
    """Problems with one literal key reference (empty when it is fine or unknown = created in the stack)."""
    if is_unknown(value) or not isinstance(value, str) or not value:
        return
    if cloud == "oci":
        ref = ocid_region(value)
        if ref.unrecognised:
            yield f"{where} = {value!r}: region segment {ref.unrecognised!r} of the key OCID is not a known region"
        elif ref.region and ref.region not in rules.allowed_regions_oci:
            yield f"{where}: the key {value!r} is held in {ref.region}, outside the allowed OCI regions"
        return
    arn = parse_arn(value)
    if arn is None:
        if value.startswith("alias/aws/"):
            yield f"{where} = {value!r} is an AWS-managed key, not a customer-managed one"
        return  # a bare key id / alias resolves in the resource's own (checked) region
    if arn.resource.startswith("alias/aws/"):
        yield f"{where} = {value!r} is an AWS-managed key, not a customer-managed one"
    if arn.region and arn.region not in rules.allowed_regions_aws:
        yield f"{where}: the key {value!r} is held in {arn.region}, outside the allowed AWS regions"
    if arn.account in rules.parent_aws_account_ids:
        yield f"{where}: the key {value!r} belongs to the parent company's account {arn.account}"


def check(resource: ResourceView, rules: Rules) -> Iterator[Finding]:
    cloud = cloud_of_type(resource.type)
    for type_, path, predicate, why in EXTERNAL_KEY_MARKERS:
        if type_ == resource.type:
            value = get(resource.props, path)
            if value is not None and not is_unknown(value) and predicate(value):
                yield Finding(f"{path} = {value!r}: {why}")
            elif is_unknown(value):
                yield Finding("whether the key is held outside the estate", path=path, unverifiable=True)
    spec = KEY_PATHS.get(resource.type)
    if spec is None:
        return
    present = False
    for path in spec.required + spec.optional:
        for where, value in walk(resource.props, path):
            if path in spec.required and (is_unknown(value) or (isinstance(value, str) and value)):
                present = True
            for problem in judge_key(where, value, cloud, rules):
                yield Finding(problem)
    if spec.required and not present:
        yield Finding(
            f"no customer-managed key: set {' or '.join(spec.required)} to a key held in an allowed region "
            "(without it the provider uses a provider-managed key)"
        )


def check_stack(resources: list[ResourceView], rules: Rules) -> Iterator[Finding]:
    by_urn = {r.urn: r for r in resources}
    for r in resources:
        spec = KEY_PATHS.get(r.type)
        if spec is None:
            continue
        # Keys created in this stack: follow the dependency to the key and check the key's region.
        for path in spec.required + spec.optional:
            top = path.split(".")[0].split("[")[0]
            for where, value in walk(r.props, path):
                if is_unknown(value):
                    yield from _judge_key_resources(r, where, r.property_dependencies.get(top, ()), by_urn, rules)
        if spec.bucket_needs_stack:
            yield from _judge_bucket(r, resources, by_urn, rules)


def _judge_key_resources(r, where, dep_urns, by_urn, rules) -> Iterator[Finding]:
    for urn in dep_urns:
        key = by_urn.get(urn)
        if key is None or key.type not in KEY_RESOURCE_TYPES:
            continue
        eff = effective_region(key)
        cloud = cloud_of_type(key.type)
        if eff is None or eff.region is None:
            yield Finding(f"{where} uses key {key.urn}, whose region cannot be verified", urn=r.urn, path=where, unverifiable=True)
        elif eff.region not in rules.allowed_regions(cloud):
            yield Finding(f"{where} uses key {key.urn} held in {eff.region} ({eff.source}), outside the allowed regions", urn=r.urn)


def _bucket_refers(sse: ResourceView, bucket: ResourceView) -> bool:
    if bucket.urn in sse.property_dependencies.get("bucket", ()):
        return True
    name = sse.props.get("bucket")
    return isinstance(name, str) and not is_unknown(name) and name == bucket.props.get("bucket")


def _judge_bucket(bucket: ResourceView, resources, by_urn, rules) -> Iterator[Finding]:
    inline = [v for _, v in walk(bucket.props, KEY_PATHS[bucket.type].optional[0])]
    configs = [s for s in resources if s.type == BUCKET_SSE_TYPE and _bucket_refers(s, bucket)]
    keys = inline + [v for s in configs for _, v in walk(s.props, _SSE_KEY_PATH)]
    if not any(is_unknown(k) or (isinstance(k, str) and k) for k in keys):
        yield Finding(
            "the bucket has no customer-managed KMS key: add a BucketServerSideEncryptionConfiguration with "
            "sseAlgorithm aws:kms and kmsMasterKeyId set to a key in an allowed region",
            urn=bucket.urn,
        )
    for sse in configs:
        for where, value in walk(sse.props, _SSE_KEY_PATH):
            for problem in judge_key(where, value, "aws", rules):
                yield Finding(problem, urn=sse.urn)
            if is_unknown(value):
                yield from _judge_key_resources(sse, where, sse.property_dependencies.get("rules", ()), by_urn, rules)


POLICY = resource_policy(
    name="us-keys-for-data",
    description="Data stores are encrypted with a customer-managed key held in an allowed (US) region, inside the estate.",
    severity="high",
    remediation=(
        "Create a key in an OCI Vault / AWS KMS in an allowed region (in this stack, or reference it by OCID/ARN) and "
        "set kmsKeyId (AWS buckets: a BucketServerSideEncryptionConfiguration with kmsMasterKeyId); do not use "
        "external key managers, AWS-managed keys or keys of the parent company."
    ),
    tags=["encryption", "keys", "residency"],
    framework=("US data residency", "1.0", "KEY-1"),
    resource_types=set(KEY_PATHS) | _EXTERNAL_TYPES,
    check=check,
    stack_check=check_stack,
)
