"""us-keys-for-data: data stores use a customer-managed key held in an allowed region, inside the estate.

Which types and which inputs: the generated ``data/data_bearing_types.txt`` (every SDK type with an
encryption-key input, ~280; see ``analysis/data_bearing_types.py``). Every key given, on any of them,
must be held in an allowed region inside the estate; the curated stores of user data (queues, topics,
streams, log groups, secrets, registries, databases, file systems, EBS devices of instances and launch
templates, EKS/OKE secrets, SSM SecureString parameters, Firehose Direct PUT streams, ...) must have one:
``required`` (one of these paths) and ``each`` (every block present at a list path, e.g. each EBS device,
carries its own key), under the store's conditions (``when``: an SSM parameter only of type ``SecureString``;
``unless``: a Firehose stream reading a Kinesis stream or MSK topic keeps records under the source's key).

A literal OCI key OCID names the vault's region (``ocid1.key.oc1.iad...``); a literal AWS key ARN names
region and account. A key id produced by a resource of this stack is unknown at preview: it counts as
present (presence is all the resource shows), and the stack phase follows the property dependency to
the key resource and checks the key's own region (its provider's, or its AWS ``region`` input). Keys in
external key managers (OCI external vaults / EKM, ADB keys in AWS/Azure/GCP/OKV, AWS XKS key stores) are
outside the estate and fail. Keys that may live elsewhere in the stack are judged there: an AWS bucket's
``BucketServerSideEncryptionConfiguration``, and EBS encryption by default with a ``DefaultKmsKey`` in the
same region, which covers every EBS volume (instance disks, launch templates) created without a key.

One mistake, one violation: a key whose region is already ``us-region-providers``' finding is not reported
again here. A key created in this stack takes its region from its provider (or its own AWS ``region`` input),
which ``us-region-providers`` reports whenever it is not allowed (or not set); a literal key in the very region
the data store itself is reported for (a provider in ap-southeast-1 whose resources use ap-southeast-1 keys)
is part of that one mistake. A key in a region that differs from the store's reported one is its own finding.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from residency_policies.analysis.data_bearing_types import DATA_BEARING_TYPES, KEYED_TYPES, DataBearingType
from residency_policies.compliance import RESIDENCY
from residency_policies.framework import Finding, ResourceView, resource_policy
from residency_policies.aws_identifiers import parse_arn
from residency_policies.oci_identifiers import ocid_region
from residency_policies.region_tables import oci_region_name
from residency_policies.provider_regions import cloud_of_type, effective_region
from residency_policies.rules_file import Rules
from residency_policies.values import get, is_unknown, walk


# Resources that put keys outside the estate: (type, path, predicate on the value, explanation).
EXTERNAL_KEY_MARKERS: tuple[tuple[str, str, Callable[[Any], bool], str], ...] = (
    ("oci:Kms/vault:Vault", "vaultType", lambda v: str(v).upper() == "EXTERNAL", "an external (EKM) vault keeps keys outside OCI"),
    ("oci:Kms/vault:Vault", "externalKeyManagerMetadata", lambda v: bool(v), "an external key manager keeps keys outside OCI"),
    ("oci:Kms/key:Key", "externalKeyReference", lambda v: bool(v), "the key material lives in an external key manager"),
    (
        "oci:Database/autonomousDatabase:AutonomousDatabase",
        "encryptionKey.autonomousDatabaseProvider",
        lambda v: str(v).upper() in ("AWS", "AZURE", "GCP", "OKV"),
        "the database key is held outside the OCI estate",
    ),
    ("oci:Database/autonomousDatabase:AutonomousDatabase", "encryptionKey.keyArn", lambda v: bool(v),
     "the database key is held in AWS KMS"),
    (
        "oci:Database/database:Database",
        "database.encryptionKeyLocationDetails.providerType",
        lambda v: bool(v),
        "the database key is held in an external HSM or another cloud",
    ),
    ("aws:kms/customKeyStore:CustomKeyStore", "customKeyStoreType", lambda v: str(v).upper() == "EXTERNAL_KEY_STORE",
     "an external key store (XKS) keeps keys outside AWS"),
    ("aws:kms/key:Key", "xksKeyId", lambda v: bool(v), "the key is backed by an external key store (XKS)"),
)
_EXTERNAL_TYPES = {t for t, *_ in EXTERNAL_KEY_MARKERS}
KEY_RESOURCE_TYPES = ("oci:Kms/key:Key", "aws:kms/key:Key", "aws:kms/replicaKey:ReplicaKey", "aws:kms/externalKey:ExternalKey")
BUCKET_SSE_TYPES = frozenset({
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
})
_SSE_KEY_PATH = "rules[].applyServerSideEncryptionByDefault.kmsMasterKeyId"
EBS_ENCRYPTION_BY_DEFAULT = "aws:ebs/encryptionByDefault:EncryptionByDefault"
EBS_DEFAULT_KMS_KEY = "aws:ebs/defaultKmsKey:DefaultKmsKey"


def reported_region(resource: ResourceView, rules: Rules) -> str | None:
    """The region ``us-region-providers`` already reports for this resource (its provider's, or its own AWS
    ``region`` input, when known and not allowed); None when it reports none."""
    cloud = cloud_of_type(resource.type)
    eff = effective_region(resource)
    if cloud is None or eff is None or eff.unknown or not eff.region:
        return None
    region = _region_id(cloud, eff.region)
    return None if region in rules.allowed_regions(cloud) else region


def _region_id(cloud: str, region: str) -> str:
    return (oci_region_name(region) or region) if cloud == "oci" else region


def judge_key(where: str, value: object, cloud: str | None, rules: Rules, covered: str | None = None) -> Iterator[str]:
    """Problems with one literal key reference (empty when it is fine or unknown = created in the stack).

    ``covered``: the store's own disallowed region, already reported by ``us-region-providers``; a key held in
    that same region is part of that finding, not a second one.
    """
    if is_unknown(value) or not isinstance(value, str) or not value:
        return
    if cloud == "oci":
        ref = ocid_region(value)
        if ref.unrecognised:
            yield f"{where} = {value!r}: region segment {ref.unrecognised!r} of the key OCID is not a known region"
        elif ref.region and ref.region not in rules.allowed_regions_oci and ref.region != covered:
            yield f"{where}: the key {value!r} is held in {ref.region}, outside the allowed OCI regions"
        return
    arn = parse_arn(value)
    if arn is None:
        if value.startswith("alias/aws/"):
            yield f"{where} = {value!r} is an AWS-managed key, not a customer-managed one"
        return  # a bare key id / alias resolves in the resource's own (checked) region
    if arn.resource.startswith("alias/aws/"):
        yield f"{where} = {value!r} is an AWS-managed key, not a customer-managed one"
    if arn.region and arn.region not in rules.allowed_regions_aws and arn.region != covered:
        yield f"{where}: the key {value!r} is held in {arn.region}, outside the allowed AWS regions"
    if arn.account in rules.parent_aws_account_ids:
        yield f"{where}: the key {value!r} belongs to the parent company's account {arn.account}"


def _has_key(value: object) -> bool:
    return is_unknown(value) or (isinstance(value, str) and bool(value.strip()))


def _site(path: str) -> tuple[str, str]:
    """``("ebsBlockDevices[]", "kmsKeyId")``: the block that must carry the key, and the key's input name."""
    head, _, leaf = path.rpartition(".")
    return head, leaf


def key_required(resource: ResourceView, spec: DataBearingType) -> bool | None:
    """Whether the store's conditions make a key required: True / False, None when an unknown input decides."""
    for path in spec.unless:
        value = get(resource.props, path)
        if is_unknown(value):
            return None
        if value not in (None, "", [], {}):
            return False
    if spec.when is not None:
        path, wanted = spec.when
        value = get(resource.props, path)
        if is_unknown(value):
            return None
        return isinstance(value, str) and value.lower() == wanted.lower()
    return True


def missing_keys(resource: ResourceView, spec: DataBearingType) -> Iterator[Finding]:
    """A store's required key (one of ``required``) and every block's own key (``each``), where its
    conditions (``when`` / ``unless``) require one."""
    has_key = any(_has_key(v) for p in spec.required for _, v in walk(resource.props, p))
    required = key_required(resource, spec)
    if required is None:
        if not has_key:
            condition = spec.when[0] if spec.when and is_unknown(get(resource.props, spec.when[0])) else next(
                (p for p in spec.unless if is_unknown(get(resource.props, p))), "a condition")
            yield Finding(f"whether a customer-managed key is required ({' or '.join(spec.required)})",
                          path=condition, unverifiable=True)
        return
    if not required:
        return
    if spec.required and not has_key:
        condition = f" ({spec.when[0]} is {spec.when[1]})" if spec.when else ""
        yield Finding(
            f"no customer-managed key{condition}: set {' or '.join(spec.required)} to a key held in an allowed "
            "region (without it the provider uses a provider-managed key)"
            + (EBS_DEFAULT_HINT if spec.ebs_default else "")
        )
    for path in spec.each:
        site, leaf = _site(path)
        for where, block in walk(resource.props, site):
            if is_unknown(block):
                yield Finding(f"whether every block at {where} names a customer-managed key", path=where, unverifiable=True)
            elif isinstance(block, dict) and not _has_key(block.get(leaf)):
                yield Finding(
                    f"{where} has no customer-managed key: set its {leaf} to a key held in an allowed region"
                    + (EBS_DEFAULT_HINT if spec.ebs_default else "")
                )


EBS_DEFAULT_HINT = (
    " (or give the stack an aws.ebs.EncryptionByDefault and an aws.ebs.DefaultKmsKey in the same region, which "
    "cover every EBS volume created without a key)"
)


def check(resource: ResourceView, rules: Rules) -> Iterator[Finding]:
    cloud = cloud_of_type(resource.type)
    for type_, path, predicate, why in EXTERNAL_KEY_MARKERS:
        if type_ == resource.type:
            value = get(resource.props, path)
            if value is not None and not is_unknown(value) and predicate(value):
                yield Finding(f"{path} = {value!r}: {why}")
            elif is_unknown(value):
                yield Finding("whether the key is held outside the estate", path=path, unverifiable=True)
    spec = DATA_BEARING_TYPES.get(resource.type)
    if spec is None:
        return
    covered = reported_region(resource, rules)
    for path in spec.key_paths:
        for where, value in walk(resource.props, path):
            for problem in judge_key(where, value, cloud, rules, covered):
                yield Finding(problem)
    # Keys that may come from elsewhere in the stack (an S3 encryption resource, an EBS default key) are
    # judged in the stack phase.
    if spec.needs_key and not spec.ebs_default and not spec.separate_sse:
        yield from missing_keys(resource, spec)


def check_stack(resources: Sequence[ResourceView], rules: Rules) -> Iterator[Finding]:
    by_urn = {r.urn: r for r in resources}
    ebs_default_regions = _ebs_default_key_regions(resources)
    for r in resources:
        spec = DATA_BEARING_TYPES.get(r.type)
        if spec is None:
            continue
        # Keys created in this stack: follow the dependency to the key and check the key's region.
        for path in spec.key_paths:
            top = path.split(".")[0].split("[")[0]
            for where, value in walk(r.props, path):
                if is_unknown(value):
                    yield from _judge_key_resources(r, where, r.property_dependencies.get(top, ()), by_urn, rules)
        if spec.separate_sse:
            yield from _judge_bucket(r, spec, resources, by_urn, rules)
        elif spec.ebs_default and spec.needs_key:
            region = effective_region(r)
            if region is not None and region.region is not None and region.region in ebs_default_regions:
                continue
            for finding in missing_keys(r, spec):
                yield Finding(finding.message, urn=r.urn, unverifiable=finding.unverifiable, path=finding.path)


def _ebs_default_key_regions(resources: Sequence[ResourceView]) -> set[str]:
    """Regions where EBS encryption by default is on and the default key is a customer-managed key."""
    def regions(type_, ok) -> set[str]:
        out = set()
        for r in resources:
            if r.type == type_ and ok(r):
                eff = effective_region(r)
                if eff is not None and eff.region:
                    out.add(eff.region)
        return out

    enabled = regions(EBS_ENCRYPTION_BY_DEFAULT, lambda r: r.props.get("enabled") is not False)
    keyed = regions(EBS_DEFAULT_KMS_KEY, lambda r: _has_key(r.props.get("keyArn")))
    return enabled & keyed


def _judge_key_resources(r, where, dep_urns, by_urn, rules) -> Iterator[Finding]:
    keys = [by_urn[u] for u in dep_urns if u in by_urn and by_urn[u].type in KEY_RESOURCE_TYPES]
    if not keys:
        # Unknown, and not the id of a key created in this stack: where the key is held cannot be known.
        yield Finding(f"the region of the key {where} names (it is not a key created in this stack)", urn=r.urn,
                      path=where, unverifiable=True)
    for key in keys:
        # A key of this stack is a resource ``us-region-providers`` judges: a region that is not allowed, unset
        # or unknown is reported there, on the key's provider (or on the key, for its own region input), as the
        # one violation for the key and every store that uses it. Only a key whose region nothing else can
        # report (no provider to read it from) is judged here.
        if effective_region(key) is None:
            yield Finding(f"{where} uses key {key.urn}, whose region cannot be verified", urn=r.urn, path=where,
                          unverifiable=True)


def _bucket_refers(sse: ResourceView, bucket: ResourceView) -> bool:
    if bucket.urn in sse.property_dependencies.get("bucket", ()):
        return True
    name = sse.props.get("bucket")
    return isinstance(name, str) and not is_unknown(name) and name == bucket.props.get("bucket")


def _judge_bucket(bucket: ResourceView, spec: DataBearingType, resources, by_urn, rules) -> Iterator[Finding]:
    inline = [v for p in spec.key_paths if "erverSideEncryption" in p for _, v in walk(bucket.props, p)]
    configs = [s for s in resources if s.type in BUCKET_SSE_TYPES and _bucket_refers(s, bucket)]
    keys = inline + [v for s in configs for _, v in walk(s.props, _SSE_KEY_PATH)]
    if not any(_has_key(k) for k in keys):
        yield Finding(
            "the bucket has no customer-managed KMS key: add a BucketServerSideEncryptionConfiguration with "
            "sseAlgorithm aws:kms and kmsMasterKeyId set to a key in an allowed region",
            urn=bucket.urn,
        )
    for sse in configs:
        if sse.type in DATA_BEARING_TYPES:
            continue  # its own key paths are judged as a keyed type (resource and stack phases)
        for where, value in walk(sse.props, _SSE_KEY_PATH):
            for problem in judge_key(where, value, "aws", rules, reported_region(sse, rules)):
                yield Finding(problem, urn=sse.urn)
            if is_unknown(value):
                yield from _judge_key_resources(sse, where, sse.property_dependencies.get("rules", ()), by_urn, rules)


POLICY = resource_policy(
    name="us-keys-for-data",
    description="Data stores are encrypted with a customer-managed key held in an allowed (US) region, inside the estate.",
    severity="high",
    remediation=(
        "Create a key in an OCI Vault / AWS KMS in an allowed region (in this stack, or reference it by OCID/ARN) and "
        "set the store's key input named in the message (kmsKeyId, kmsMasterKeyId, an encryption block, every EBS "
        "device's kmsKeyId; AWS buckets: a BucketServerSideEncryptionConfiguration with kmsMasterKeyId; EBS: or an "
        "EncryptionByDefault with a DefaultKmsKey; SSM SecureString parameters: keyId; Firehose Direct PUT streams: "
        "serverSideEncryption with keyType CUSTOMER_MANAGED_CMK and keyArn); do not use external key managers, AWS-managed keys or keys of "
        "the parent company."
    ),
    tags=["encryption", "keys", "residency"],
    framework=RESIDENCY.control("KEY-1"),
    resource_types=KEYED_TYPES | _EXTERNAL_TYPES | {t for t, d in DATA_BEARING_TYPES.items() if d.needs_key or d.separate_sse},
    check=check,
    stack_check=check_stack,
)
