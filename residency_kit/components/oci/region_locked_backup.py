"""``residency:oci:RegionLockedBackup``: US data replicated to a second US region, and nowhere else.

The primary bucket lives in the home region and is encrypted with the tenancy's master key. Its only copy is
a retention-locked bucket in the backup region, encrypted with a key of a vault in that same region (OCI keys
are regional: a bucket can only use a key of its own region). Block-volume backups are copied to the backup
region only.

The bucket pair is a ``ReplicatedBucket`` (``replicated_bucket.py``, where the OCI rules that shape it are
written down). The pair's children were this component's own before that component existed: they carry an
alias naming this component as their old parent, so a stack deployed before keeps them (docs/components/aliases.md).
This component adds what only the estate's one backup set needs: the backup region's vault and key (which
other replicated buckets, the log archive and the databases reuse), the Object Storage grants, and the
block-volume backup policy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

import pulumi
import pulumi_oci as oci

from residency_kit.components.arg_problems import ArgProblems
from residency_kit.components.oci.replicated_bucket import (
    ReplicatedBucket,
    ReplicatedBucketArgs,
    key_problems,
    path_problems,
    region_pair_problems,
    retention_problems,
    use_key_statement,
)
from residency_kit.settings.backup import OCI_RULE_LOCK_MIN_DELAY_DAYS, VolumeBackupScheduleSettings
from residency_policies.region_tables import OCI_US_COMMERCIAL_REGIONS

if TYPE_CHECKING:
    from residency_kit.settings.model import ResidencySettings

TYPE_TOKEN = "residency:oci:RegionLockedBackup"
ARGS = "RegionLockedBackupArgs"
SECONDS_PER_DAY = 86_400


@dataclass
class RegionLockedBackupArgs:
    """Inputs of ``RegionLockedBackup``. Regions and key OCIDs are plain strings so they can be checked here."""

    home_region: str
    """Region of the primary bucket; must be the region of ``home_provider``."""
    backup_region: str
    """Region of the backup bucket and of volume-backup copies; must be the region of ``backup_provider``."""
    home_provider: oci.Provider
    backup_provider: oci.Provider
    data_compartment_id: pulumi.Input[str]
    """Compartment of the primary bucket and of the volume backup policy."""
    backup_compartment_id: pulumi.Input[str]
    """Compartment of the backup bucket and of the backup-region vault."""
    primary_key_id: pulumi.Input[str]
    """Master key in a vault of the home region (the tenancy's key)."""
    minimum_retention_days: int
    policy_compartment_id: pulumi.Input[str] | None = None
    """Where the service-principal IAM policy is attached: the tenancy OCID, so that the compartment paths
    below resolve from the root. None skips the policy, for estates that grant these permissions elsewhere."""
    data_compartment_path: str | None = None
    """Path of ``data_compartment_id`` from the policy's compartment, e.g. ``us-residency:data``. Statements
    name compartments by path, not OCID, so the policy pack can read them at preview. Required with a policy."""
    backup_compartment_path: str | None = None
    """Path of ``backup_compartment_id``, e.g. ``us-residency:backup``. Required with a policy."""
    primary_key_compartment_path: str | None = None
    """Path of the compartment holding ``primary_key_id``, e.g. ``us-residency:security``. Required with a
    policy."""
    backup_key_compartment_path: str | None = None
    """Path of the compartment holding ``backup_key_id``; None means ``backup_compartment_path``, where the
    key this component creates lives."""
    allowed_regions: Sequence[str] = OCI_US_COMMERCIAL_REGIONS
    retention_days: int | None = None
    """Retention of the backup bucket's rule; None means ``minimum_retention_days``."""
    retention_lock_delay_days: int = OCI_RULE_LOCK_MIN_DELAY_DAYS
    backup_key_id: pulumi.Input[str] | None = None
    """Key of a vault in the backup region (an OCID, or the output of a key made elsewhere in the program); None
    creates a vault and an HSM key there. A plain OCID is checked against ``backup_region`` here."""
    vault_type: str = "DEFAULT"
    namespace: pulumi.Input[str] | None = None
    """Object Storage namespace; None looks it up with ``oci:objectstorage/getNamespace``."""
    primary_bucket_name: str = "us-residency-data"
    backup_bucket_name: str = "us-residency-data-backup"
    volume_backup_schedules: Sequence[VolumeBackupScheduleSettings] = field(
        default_factory=lambda: (VolumeBackupScheduleSettings(),)
    )
    tags: Mapping[str, str] = field(default_factory=lambda: {"jurisdiction": "US"})
    now: dt.datetime | None = None
    """Clock for the retention lock time (tests pin it); None means the current UTC time."""

    @classmethod
    def from_settings(
        cls,
        settings: ResidencySettings,
        *,
        home_provider: oci.Provider,
        backup_provider: oci.Provider,
        data_compartment_id: pulumi.Input[str],
        backup_compartment_id: pulumi.Input[str],
        primary_key_id: pulumi.Input[str],
    ) -> RegionLockedBackupArgs:
        """Args from the stack settings; the IAM policy is attached to the tenancy (root compartment)."""
        backup = settings.backup
        names = settings.tenancy.compartments
        return cls(
            home_region=settings.home_region,
            backup_region=settings.backup_region,
            home_provider=home_provider,
            backup_provider=backup_provider,
            data_compartment_id=data_compartment_id,
            backup_compartment_id=backup_compartment_id,
            primary_key_id=primary_key_id,
            minimum_retention_days=settings.minimum_retention_days,
            policy_compartment_id=settings.tenancy.tenancy_ocid,
            data_compartment_path=f"{names.root}:{names.data}",
            backup_compartment_path=f"{names.root}:{names.backup}",
            # IsolatedTenancy keeps the vault and master key in the security compartment.
            primary_key_compartment_path=f"{names.root}:{names.security}",
            allowed_regions=settings.allowed_regions.oci,
            retention_days=backup.retention_days,
            retention_lock_delay_days=backup.retention_lock_delay_days,
            backup_key_id=backup.backup_key_id,
            vault_type=backup.vault_type,
            primary_bucket_name=backup.primary_bucket_name,
            backup_bucket_name=backup.backup_bucket_name,
            volume_backup_schedules=backup.volume_backup_schedules,
            tags=settings.required_tags,
        )


def validation_problems(args: RegionLockedBackupArgs) -> ArgProblems:
    """Every problem with ``args``; the bucket pair's own checks are ``ReplicatedBucket``'s, named for these Args."""
    problems = ArgProblems(ARGS)
    region_pair_problems(problems, args.home_region, args.backup_region, args.allowed_regions)
    retention_problems(problems, "retention_days", args.retention_days, args.minimum_retention_days)
    if args.retention_lock_delay_days < OCI_RULE_LOCK_MIN_DELAY_DAYS:
        problems.add("retention_lock_delay_days", args.retention_lock_delay_days,
                     "is shorter than OCI's mandatory rule-lock delay", f"{OCI_RULE_LOCK_MIN_DELAY_DAYS} or more")
    for i, schedule in enumerate(args.volume_backup_schedules):
        retention_problems(problems, f"volume_backup_schedules[{i}].retention_days", schedule.retention_days,
                           args.minimum_retention_days)
    path_problems(problems, args.policy_compartment_id,
                  ("data_compartment_path", "backup_compartment_path", "primary_key_compartment_path"), args)
    path_problems(problems, None, ("backup_key_compartment_path",), args)
    key_problems(problems, (("primary_key_id", args.primary_key_id, args.home_region),
                            ("backup_key_id", args.backup_key_id, args.backup_region)))
    return problems


def policy_statements(args: RegionLockedBackupArgs) -> list[str]:
    """Object Storage's service principals: each region's service may use the keys of its own bucket, and the
    home region's service (which runs replication) may manage objects of the two buckets only.

    Follows OCI "Object Storage Replication" (the source region's ``objectstorage-<region>`` service manages
    object-family in the source and destination compartments) and "Using Your Own Keys in Vault for Server-Side
    Encryption" (``use keys`` for ``objectstorage-<region>``). Compartments are named by path.
    """
    home_service = f"objectstorage-{args.home_region}"
    backup_service = f"objectstorage-{args.backup_region}"
    # Both paths are required while a policy is written (path_problems refuses the arguments otherwise).
    home_key_path = cast(str, args.primary_key_compartment_path)
    backup_key_path = cast(str, args.backup_key_compartment_path or args.backup_compartment_path)
    return [
        use_key_statement(home_service, home_key_path, args.primary_key_id),
        use_key_statement(backup_service, backup_key_path, args.backup_key_id),
        f"Allow service {home_service} to manage object-family in compartment {args.data_compartment_path} "
        f"where target.bucket.name = '{args.primary_bucket_name}'",
        f"Allow service {home_service} to manage object-family in compartment {args.backup_compartment_path} "
        f"where target.bucket.name = '{args.backup_bucket_name}'",
    ]


def _keep_urns_under(component: pulumi.Resource, child_names: set[str]):
    """A transformation for the ``ReplicatedBucket`` child: the buckets and replication policy that used to be
    direct children of ``component`` keep their state through an alias naming that old parent (see
    docs/components/aliases.md). Only those names are aliased; anything new under the pair is not."""

    def transformation(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
        if args.name not in child_names or not isinstance(args.resource, pulumi.CustomResource):
            return None
        extra = pulumi.ResourceOptions(aliases=[pulumi.Alias(parent=component)])
        return pulumi.ResourceTransformationResult(args.props, pulumi.ResourceOptions.merge(args.opts, extra))

    return transformation


class RegionLockedBackup(pulumi.ComponentResource):
    """The estate's backups: a ``ReplicatedBucket`` pair, the backup region's vault and key, and block-volume
    backups copied to the backup region only."""

    namespace: pulumi.Output[str]
    primary_bucket_name: pulumi.Output[str]
    backup_bucket_name: pulumi.Output[str]
    backup_vault_id: pulumi.Output[str] | None
    """The backup region's vault, when this component created it (None with ``backup_key_id`` given)."""
    backup_key_id: pulumi.Output[str]
    replication_policy_id: pulumi.Output[str]
    policy_id: pulumi.Output[str] | None
    volume_backup_policy_id: pulumi.Output[str]

    def __init__(self, name: str, args: RegionLockedBackupArgs, opts: pulumi.ResourceOptions | None = None):
        validation_problems(args).raise_if_any(name)
        super().__init__(TYPE_TOKEN, name, None, opts)
        tags = dict(args.tags)
        home = pulumi.ResourceOptions(parent=self, provider=args.home_provider)
        backup = pulumi.ResourceOptions(parent=self, provider=args.backup_provider)

        namespace = args.namespace
        if namespace is None:
            namespace = oci.objectstorage.get_namespace_output(
                compartment_id=args.data_compartment_id,
                opts=pulumi.InvokeOutputOptions(parent=self, provider=args.home_provider),
            ).namespace

        self.backup_vault_id = None
        if args.backup_key_id is not None:
            backup_key_id: pulumi.Input[str] = args.backup_key_id
        else:
            vault = oci.kms.Vault(
                f"{name}-backup-vault",
                compartment_id=args.backup_compartment_id,
                display_name=f"{name}-backup-vault",
                vault_type=args.vault_type,
                freeform_tags=tags,
                opts=pulumi.ResourceOptions.merge(backup, pulumi.ResourceOptions(protect=True)),
            )
            key = oci.kms.Key(
                f"{name}-backup-key",
                compartment_id=args.backup_compartment_id,
                display_name=f"{name}-backup-key",
                key_shape=oci.kms.KeyKeyShapeArgs(algorithm="AES", length=32),
                management_endpoint=vault.management_endpoint,
                protection_mode="HSM",
                freeform_tags=tags,
                opts=pulumi.ResourceOptions.merge(backup, pulumi.ResourceOptions(protect=True)),
            )
            backup_key_id = key.id
            self.backup_vault_id = vault.id

        # Object Storage encrypts with a vault key only when its service principal may use that key, and
        # replicates only when the source region's service may manage objects in both buckets.
        policy = None
        if args.policy_compartment_id is not None:
            policy = oci.identity.Policy(
                f"{name}-objectstorage-policy",
                compartment_id=args.policy_compartment_id,
                name=f"{name}-objectstorage",
                description="Object Storage may use the bucket keys and replicate the primary bucket to the "
                            "US backup bucket (residency kit)",
                # Plain strings only: the policy pack must read every statement at preview.
                statements=policy_statements(args),
                freeform_tags=tags,
                opts=home,
            )

        # The pair was built here before ReplicatedBucket existed: its children keep their state (aliases).
        pair_opts = pulumi.ResourceOptions(
            parent=self, depends_on=[policy] if policy is not None else None,
            transformations=[_keep_urns_under(self, {f"{name}-primary", f"{name}-backup", f"{name}-replication"})])
        pair = ReplicatedBucket(name, ReplicatedBucketArgs(
            home_region=args.home_region,
            backup_region=args.backup_region,
            home_provider=args.home_provider,
            backup_provider=args.backup_provider,
            compartment_id=args.data_compartment_id,
            backup_compartment_id=args.backup_compartment_id,
            primary_key_id=args.primary_key_id,
            backup_key_id=backup_key_id,
            primary_bucket_name=args.primary_bucket_name,
            backup_bucket_name=args.backup_bucket_name,
            minimum_retention_days=args.minimum_retention_days,
            retention_days=args.retention_days,
            retention_lock_delay_days=args.retention_lock_delay_days,
            namespace=namespace,
            allowed_regions=args.allowed_regions,
            tags=tags,
            now=args.now,
        ), pair_opts)

        volume_policy = oci.core.VolumeBackupPolicy(
            f"{name}-volume-backups",
            compartment_id=args.data_compartment_id,
            display_name=f"{name}-volume-backups",
            destination_region=args.backup_region,
            schedules=[self._schedule(s, args.minimum_retention_days) for s in args.volume_backup_schedules],
            freeform_tags=tags,
            opts=home,
        )

        self.buckets = pair
        self.namespace = pair.namespace
        self.primary_bucket_name = pair.primary_bucket_name
        self.backup_bucket_name = pair.backup_bucket_name
        self.backup_key_id = pulumi.Output.from_input(backup_key_id)
        self.replication_policy_id = pair.replication_policy_id
        self.policy_id = policy.id if policy is not None else None
        self.volume_backup_policy_id = volume_policy.id
        outputs: dict[str, object] = {
            "namespace": self.namespace,
            "primaryBucketName": self.primary_bucket_name,
            "backupBucketName": self.backup_bucket_name,
            "backupKeyId": self.backup_key_id,
            "replicationPolicyId": self.replication_policy_id,
            "volumeBackupPolicyId": self.volume_backup_policy_id,
        }
        if self.backup_vault_id is not None:
            outputs["backupVaultId"] = self.backup_vault_id
        if self.policy_id is not None:
            outputs["policyId"] = self.policy_id
        self.register_outputs(outputs)

    @staticmethod
    def _schedule(schedule: VolumeBackupScheduleSettings, minimum_days: int) -> oci.core.VolumeBackupPolicyScheduleArgs:
        days = schedule.retention_days if schedule.retention_days is not None else minimum_days
        structured = schedule.hour_of_day is not None
        return oci.core.VolumeBackupPolicyScheduleArgs(
            backup_type=schedule.backup_type,
            period=schedule.period,
            retention_seconds=days * SECONDS_PER_DAY,
            hour_of_day=schedule.hour_of_day,
            offset_type="STRUCTURED" if structured else None,
            time_zone=schedule.time_zone,
        )
