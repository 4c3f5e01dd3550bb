"""``residency:aws:ImmutableBackupCopy``: an independent, write-once copy of the backups on AWS, in the US only.

Two S3 buckets in two allowed US regions, each with Object Lock in COMPLIANCE mode (no one, root included,
can shorten retention or delete a locked version), versioning, SSE-KMS with a key of its own region, all four
public-access blocks, bucket-owner-enforced ownership and a perimeter bucket policy. The first replicates to
the second through a role that can do nothing else.

Region: every child gets its region from the explicit provider passed in Args (``aws.Provider`` per region).
The per-resource ``region`` input that pulumi-aws v7 added is deliberately left unset, so each resource has
exactly one source of region (its provider) and a policy reading the provider sees the truth.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from residency_kit.components.arg_problems import ArgProblems
from residency_kit.components.aws.bucket_policy import (
    perimeter_bucket_policy,
    replication_role_policy,
    s3_replication_trust_policy,
)
from residency_kit.settings.backup import S3_BUCKET_NAME
from residency_policies.region_tables import AWS_US_COMMERCIAL_REGIONS, AWS_US_REGIONS

if TYPE_CHECKING:
    from residency_kit.settings.model import ResidencySettings

TYPE_TOKEN = "residency:aws:ImmutableBackupCopy"
ARGS = "ImmutableBackupCopyArgs"


@dataclass
class ImmutableBackupCopyArgs:
    """Inputs of ``ImmutableBackupCopy``; regions are plain strings so they can be checked at construction."""

    region: str
    """Region of the copy bucket; must be the region of ``provider``."""
    replica_region: str
    """Region of the replica bucket; must be the region of ``replica_provider``."""
    provider: aws.Provider
    replica_provider: aws.Provider
    minimum_retention_days: int
    trusted_organization_ids: Sequence[str]
    """AWS organizations whose principals may reach the buckets; the estate's own organization must be one."""
    retention_days: int | None = None
    """Object Lock default retention in COMPLIANCE mode; None means ``minimum_retention_days``."""
    denied_account_ids: Sequence[str] = ()
    """Parent-company accounts, denied by name in the bucket policy."""
    denied_organization_ids: Sequence[str] = ()
    allowed_regions: Sequence[str] = AWS_US_COMMERCIAL_REGIONS
    bucket_name: str | None = None
    """Name of the copy bucket. None: ``<project>-<stack>-<name>-copy`` (see ``default_bucket_name``). S3 names
    are global across every AWS account, so a default can already be taken by someone else: set explicit,
    owned names in production."""
    replica_bucket_name: str | None = None
    """Name of the replica bucket. None: ``<project>-<stack>-<name>-replica``."""
    tags: Mapping[str, str] = field(default_factory=lambda: {"jurisdiction": "US"})

    @classmethod
    def from_settings(cls, settings: ResidencySettings, *, provider: aws.Provider,
                      replica_provider: aws.Provider) -> ImmutableBackupCopyArgs:
        copy = settings.backup.aws_copy
        return cls(
            region=copy.region,
            replica_region=copy.replica_region,
            provider=provider,
            replica_provider=replica_provider,
            minimum_retention_days=settings.minimum_retention_days,
            retention_days=copy.retention_days,
            trusted_organization_ids=settings.trusted.aws_organization_ids,
            denied_account_ids=settings.parent_company.aws_account_ids,
            denied_organization_ids=settings.parent_company.aws_organization_ids,
            allowed_regions=settings.allowed_regions.aws,
            bucket_name=copy.bucket_name,
            replica_bucket_name=copy.replica_bucket_name,
            tags=settings.required_tags,
        )


def validation_problems(args: ImmutableBackupCopyArgs) -> ArgProblems:
    """Every problem with ``args``: regions, retention, trusted organizations, bucket names."""
    problems = ArgProblems(ARGS)
    allowed = [r for r in args.allowed_regions if r in AWS_US_REGIONS]
    for name, region in (("region", args.region), ("replica_region", args.replica_region)):
        if region not in allowed:
            problems.add(name, region, "is not an allowed US AWS region", ", ".join(allowed))
    if args.replica_region == args.region:
        problems.add("replica_region", args.replica_region, "equals region", "another allowed US AWS region")
    retention = args.retention_days if args.retention_days is not None else args.minimum_retention_days
    if retention < args.minimum_retention_days:
        problems.add("retention_days", retention, f"is below the minimum retention of {args.minimum_retention_days} days",
                     f"{args.minimum_retention_days} or more")
    if not args.trusted_organization_ids:
        problems.add("trusted_organization_ids", list(args.trusted_organization_ids), "is empty",
                     "at least one trusted AWS organization ID (the estate's own), e.g. from "
                     "residency:trusted.awsOrganizationIds")
    for name in ("bucket_name", "replica_bucket_name"):
        value = getattr(args, name)
        if value is not None and not _is_s3_bucket_name(value):
            problems.add(name, value, "is not a valid S3 bucket name",
                         "3-63 lowercase letters, digits, '.' and '-', starting and ending with a letter or digit, "
                         "not shaped like an IP address")
    if args.bucket_name is not None and args.bucket_name == args.replica_bucket_name:
        problems.add("replica_bucket_name", args.replica_bucket_name, "equals the copy bucket's name", "a different name")
    overlap = set(args.trusted_organization_ids) & set(args.denied_organization_ids)
    if overlap:
        problems.add("trusted_organization_ids", sorted(overlap), "are also denied (parent company)",
                     "organizations independent of the parent company")
    return problems


_S3_NAME = re.compile(S3_BUCKET_NAME)
_IP_SHAPED = re.compile(r"^\d+\.\d+\.\d+\.\d+$")
_S3_NAME_MAX = 63


def _is_s3_bucket_name(value: str) -> bool:
    return bool(_S3_NAME.match(value)) and ".." not in value and not _IP_SHAPED.match(value)


def default_bucket_name(project: str, stack: str, name: str, role: str) -> str:
    """``<project>-<stack>-<name>-<role>`` as a valid S3 name, deterministic so the ARN is known at preview.

    Pulumi's auto-naming adds a random suffix that only exists after the engine has run, which would make the
    bucket ARN, and every policy document naming it, unknown at preview. Names longer than 63 characters keep
    a prefix and end with a hash of the full name, so two stacks never shorten to the same name.
    """
    full = f"{project}-{stack}-{name}-{role}".lower()
    slug = re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9-]+", "-", full)).strip("-")
    if len(slug) > _S3_NAME_MAX:
        digest = hashlib.sha256(full.encode()).hexdigest()[:8]
        slug = f"{slug[:_S3_NAME_MAX - len(digest) - 1].rstrip('-')}-{digest}"
    return slug


def bucket_arn(bucket_name: str) -> str:
    """S3 bucket ARNs carry no region or account: the name alone decides them."""
    return f"arn:aws:s3:::{bucket_name}"


@dataclass
class _ProtectedBucket:
    bucket: aws.s3.Bucket
    key: aws.kms.Key
    versioning: aws.s3.BucketVersioning


class ImmutableBackupCopy(pulumi.ComponentResource):
    """Object-locked S3 bucket in one US region, replicated to a second one in another US region."""

    bucket_name: pulumi.Output[str]
    bucket_arn: pulumi.Output[str]
    replica_bucket_name: pulumi.Output[str]
    replica_bucket_arn: pulumi.Output[str]
    replication_role_arn: pulumi.Output[str]
    replication_id: pulumi.Output[str]

    def __init__(self, name: str, args: ImmutableBackupCopyArgs, opts: pulumi.ResourceOptions | None = None):
        validation_problems(args).raise_if_any(name)
        retention_days = args.retention_days if args.retention_days is not None else args.minimum_retention_days
        project, stack = pulumi.get_project(), pulumi.get_stack()
        source_name = args.bucket_name or default_bucket_name(project, stack, name, "copy")
        replica_name = args.replica_bucket_name or default_bucket_name(project, stack, name, "replica")
        if source_name == replica_name:
            problems = ArgProblems(ARGS)
            problems.add("replica_bucket_name", replica_name, "equals the copy bucket's name", "a different name")
            problems.raise_if_any(name)
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._args = args
        self._tags = dict(args.tags)

        source = self._protected_bucket(f"{name}-copy", args.provider, source_name, retention_days)
        replica = self._protected_bucket(f"{name}-replica", args.replica_provider, replica_name, retention_days)
        source_arn, replica_arn = bucket_arn(source_name), bucket_arn(replica_name)

        role = aws.iam.Role(
            f"{name}-replication-role",
            description="S3 replication of the immutable US backup copy to its US replica (residency kit)",
            assume_role_policy=json.dumps(s3_replication_trust_policy()),
            tags=self._tags,
            opts=pulumi.ResourceOptions(parent=self, provider=args.provider),
        )
        role_policy = aws.iam.RolePolicy(
            f"{name}-replication-policy",
            role=role.id,
            # KMS key ARNs hold a random key ID, so this identity policy is only known after the keys exist;
            # it can name no principal, and the bucket ARNs in it are literal.
            policy=pulumi.Output.all(source.key.arn, replica.key.arn).apply(
                lambda keys: json.dumps(replication_role_policy(
                    source_arn, replica_arn, keys[0], keys[1], args.region, args.replica_region))
            ),
            opts=pulumi.ResourceOptions(parent=self, provider=args.provider),
        )
        replication = aws.s3.BucketReplicationConfig(
            f"{name}-replication",
            bucket=source.bucket.id,
            role=role.arn,
            rules=[aws.s3.BucketReplicationConfigRuleArgs(
                id="to-us-replica",
                status="Enabled",
                filter=aws.s3.BucketReplicationConfigRuleFilterArgs(),
                # Deletes stay local: the replica is the copy that survives a compromised source.
                delete_marker_replication=aws.s3.BucketReplicationConfigRuleDeleteMarkerReplicationArgs(
                    status="Disabled"),
                source_selection_criteria=aws.s3.BucketReplicationConfigRuleSourceSelectionCriteriaArgs(
                    sse_kms_encrypted_objects=aws.s3.BucketReplicationConfigRuleSourceSelectionCriteriaSseKmsEncryptedObjectsArgs(
                        status="Enabled"),
                ),
                destination=aws.s3.BucketReplicationConfigRuleDestinationArgs(
                    bucket=replica_arn,
                    encryption_configuration=aws.s3.BucketReplicationConfigRuleDestinationEncryptionConfigurationArgs(
                        replica_kms_key_id=replica.key.arn),
                ),
            )],
            # S3 refuses a replication configuration until versioning is on at both ends.
            opts=pulumi.ResourceOptions(parent=self, provider=args.provider,
                                        depends_on=[source.versioning, replica.versioning, role_policy]),
        )

        self.bucket_name = source.bucket.bucket
        self.bucket_arn = source.bucket.arn
        self.replica_bucket_name = replica.bucket.bucket
        self.replica_bucket_arn = replica.bucket.arn
        self.replication_role_arn = role.arn
        self.replication_id = replication.id
        self.register_outputs({
            "replicationId": self.replication_id,
            "bucketName": self.bucket_name,
            "bucketArn": self.bucket_arn,
            "replicaBucketName": self.replica_bucket_name,
            "replicaBucketArn": self.replica_bucket_arn,
            "replicationRoleArn": self.replication_role_arn,
        })

    def _protected_bucket(self, prefix: str, provider: aws.Provider, bucket_name: str,
                          retention_days: int) -> _ProtectedBucket:
        args = self._args
        child = pulumi.ResourceOptions(parent=self, provider=provider)
        protected = pulumi.ResourceOptions(parent=self, provider=provider, protect=True)

        key = aws.kms.Key(
            f"{prefix}-key",
            description=f"SSE-KMS key of {prefix} (residency kit)",
            enable_key_rotation=True,
            # A single-region key: a multi-Region key could be replicated outside the US.
            multi_region=False,
            deletion_window_in_days=30,
            tags=self._tags,
            opts=protected,
        )
        bucket = aws.s3.Bucket(
            f"{prefix}-bucket",
            bucket=bucket_name,
            object_lock_enabled=True,
            force_destroy=False,
            tags=self._tags,
            opts=protected,
        )
        versioning = aws.s3.BucketVersioning(
            f"{prefix}-versioning",
            bucket=bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
            opts=child,
        )
        aws.s3.BucketObjectLockConfiguration(
            f"{prefix}-object-lock",
            bucket=bucket.id,
            rule=aws.s3.BucketObjectLockConfigurationRuleArgs(
                default_retention=aws.s3.BucketObjectLockConfigurationRuleDefaultRetentionArgs(
                    mode="COMPLIANCE", days=retention_days),
            ),
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[versioning])),
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{prefix}-encryption",
            bucket=bucket.id,
            rules=[aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=(
                    aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm="aws:kms", kms_master_key_id=key.arn)),
            )],
            opts=child,
        )
        access_block = aws.s3.BucketPublicAccessBlock(
            f"{prefix}-public-access-block",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        aws.s3.BucketOwnershipControls(
            f"{prefix}-ownership",
            bucket=bucket.id,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
            opts=child,
        )
        aws.s3.BucketPolicy(
            f"{prefix}-policy",
            bucket=bucket.id,
            # Built from the literal name, not the bucket's ``arn`` output: the policy pack must read every
            # principal and condition at preview, before the bucket exists.
            policy=json.dumps(perimeter_bucket_policy(
                bucket_arn(bucket_name), args.trusted_organization_ids, args.denied_account_ids,
                args.denied_organization_ids)),
            # Concurrent bucket-level writes can fail with OperationAborted; write the policy after the block.
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[access_block])),
        )
        return _ProtectedBucket(bucket=bucket, key=key, versioning=versioning)
