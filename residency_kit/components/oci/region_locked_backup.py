"""``residency:oci:RegionLockedBackup``: US data replicated to a second US region, and nowhere else.

The primary bucket lives in the home region and is encrypted with the tenancy's master key. Its only copy is
a retention-locked bucket in the backup region, encrypted with a key of a vault in that same region (OCI keys
are regional: a bucket can only use a key of its own region). Block-volume backups are copied to the backup
region only.

Two OCI rules shape the buckets:

- A replication destination bucket is read-only and cannot have versioning enabled ("Object Versioning":
  "You can't enable versioning on a replication destination bucket"), so only the primary is versioned; the
  backup bucket is protected by its locked retention rule instead.
- A retention rule lock takes effect no sooner than 14 days after it is set. The lock time is computed at
  creation and then ignored (``ignore_changes``), so later runs neither move nor re-validate it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi
import pulumi_oci as oci

from residency_kit.settings.backup import OCI_RULE_LOCK_MIN_DELAY_DAYS, VolumeBackupScheduleSettings
from residency_policies.oci_identifiers import ocid_region, parse_ocid
from residency_policies.region_tables import OCI_REGIONS, OCI_US_COMMERCIAL_REGIONS, OCI_US_REGIONS

if TYPE_CHECKING:
    from residency_kit.settings.model import ResidencySettings

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
    backup_key_id: str | None = None
    """Existing key of a vault in the backup region; None creates a vault and an HSM key there."""
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


_COMPARTMENT_PATH = re.compile(r"^[A-Za-z0-9_.-]{1,100}(:[A-Za-z0-9_.-]{1,100})*$")


def _check(args: RegionLockedBackupArgs) -> int:
    """Refuse insecure input before anything is registered; returns the effective retention in days."""
    allowed = list(args.allowed_regions)
    for name, region in (("home_region", args.home_region), ("backup_region", args.backup_region)):
        if region not in OCI_US_REGIONS or region not in allowed:
            raise ValueError(f"RegionLockedBackupArgs.{name}: {region!r} is not an allowed US OCI region; "
                             f"allowed: {', '.join(r for r in allowed if r in OCI_US_REGIONS)}")
    if args.backup_region == args.home_region:
        others = [r for r in allowed if r != args.home_region and r in OCI_US_REGIONS]
        raise ValueError(f"RegionLockedBackupArgs.backup_region: {args.backup_region!r} equals home_region; "
                         f"allowed: another allowed US region ({', '.join(others)})")
    retention = args.retention_days if args.retention_days is not None else args.minimum_retention_days
    if retention < args.minimum_retention_days:
        raise ValueError(f"RegionLockedBackupArgs.retention_days: {retention} is below the minimum retention of "
                         f"{args.minimum_retention_days} days; allowed: {args.minimum_retention_days} or more")
    if args.retention_lock_delay_days < OCI_RULE_LOCK_MIN_DELAY_DAYS:
        raise ValueError(f"RegionLockedBackupArgs.retention_lock_delay_days: {args.retention_lock_delay_days} "
                         f"is shorter than OCI's mandatory rule-lock delay; allowed: "
                         f"{OCI_RULE_LOCK_MIN_DELAY_DAYS} or more")
    for i, schedule in enumerate(args.volume_backup_schedules):
        days = schedule.retention_days if schedule.retention_days is not None else args.minimum_retention_days
        if days < args.minimum_retention_days:
            raise ValueError(f"RegionLockedBackupArgs.volume_backup_schedules[{i}].retention_days: {days} is below "
                             f"the minimum retention of {args.minimum_retention_days} days; allowed: "
                             f"{args.minimum_retention_days} or more")
    if args.policy_compartment_id is not None:
        for name in ("data_compartment_path", "backup_compartment_path", "primary_key_compartment_path"):
            if getattr(args, name) is None:
                raise ValueError(f"RegionLockedBackupArgs.{name}: None while policy_compartment_id is set; allowed: "
                                 "the compartment's path from the policy's compartment, e.g. us-residency:data")
    for name in ("data_compartment_path", "backup_compartment_path", "primary_key_compartment_path",
                 "backup_key_compartment_path"):
        path = getattr(args, name)
        if path is not None and not (isinstance(path, str) and _COMPARTMENT_PATH.match(path)):
            raise ValueError(f"RegionLockedBackupArgs.{name}: {path!r} is not a compartment path; allowed: "
                             "compartment names joined by ':', e.g. us-residency:data")
    for name, key_id, region in (("primary_key_id", args.primary_key_id, args.home_region),
                                 ("backup_key_id", args.backup_key_id, args.backup_region)):
        # Outputs (a key created in this program) are checked by the policy pack, not here.
        if isinstance(key_id, str) and ocid_region(key_id).region != region:
            short = OCI_REGIONS[region][0].lower()
            raise ValueError(f"RegionLockedBackupArgs.{name}: {key_id!r} is a key of region "
                             f"{getattr(parse_ocid(key_id), 'region', '') or '(none)'!r}, not of {region}; allowed: a key OCID "
                             f"of the form ocid1.key.<realm>.{short}.<...> (a vault in {region})")
    return retention


def _use_key(service: str, compartment_path: str, key_id: pulumi.Input[str] | None) -> str:
    statement = f"Allow service {service} to use keys in compartment {compartment_path}"
    # A key OCID known now narrows the grant to that key; a key created in this run is only known after
    # creation, and an OCID-less statement keeps the policy readable at preview.
    if isinstance(key_id, str):
        statement += f" where target.key.id = '{key_id}'"
    return statement


def policy_statements(args: RegionLockedBackupArgs) -> list[str]:
    """Object Storage's service principals: each region's service may use the keys of its own bucket, and the
    home region's service (which runs replication) may manage objects of the two buckets only.

    Follows OCI "Object Storage Replication" (the source region's ``objectstorage-<region>`` service manages
    object-family in the source and destination compartments) and "Using Your Own Keys in Vault for Server-Side
    Encryption" (``use keys`` for ``objectstorage-<region>``). Compartments are named by path.
    """
    home_service = f"objectstorage-{args.home_region}"
    backup_service = f"objectstorage-{args.backup_region}"
    backup_key_path = args.backup_key_compartment_path or args.backup_compartment_path
    return [
        _use_key(home_service, args.primary_key_compartment_path, args.primary_key_id),
        _use_key(backup_service, backup_key_path, args.backup_key_id),
        f"Allow service {home_service} to manage object-family in compartment {args.data_compartment_path} "
        f"where target.bucket.name = '{args.primary_bucket_name}'",
        f"Allow service {home_service} to manage object-family in compartment {args.backup_compartment_path} "
        f"where target.bucket.name = '{args.backup_bucket_name}'",
    ]


def _rfc3339(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class RegionLockedBackup(pulumi.ComponentResource):
    """Primary bucket (home region) replicated to a retention-locked bucket in the backup region only."""

    primary_bucket_name: pulumi.Output[str]
    backup_bucket_name: pulumi.Output[str]
    backup_key_id: pulumi.Output[str]
    volume_backup_policy_id: pulumi.Output[str]

    def __init__(self, name: str, args: RegionLockedBackupArgs, opts: pulumi.ResourceOptions | None = None):
        retention_days = _check(args)
        super().__init__("residency:oci:RegionLockedBackup", name, None, opts)
        tags = dict(args.tags)
        home = pulumi.ResourceOptions(parent=self, provider=args.home_provider)
        backup = pulumi.ResourceOptions(parent=self, provider=args.backup_provider)

        namespace = args.namespace
        if namespace is None:
            namespace = oci.objectstorage.get_namespace_output(
                compartment_id=args.data_compartment_id,
                opts=pulumi.InvokeOutputOptions(parent=self, provider=args.home_provider),
            ).namespace

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
        after_policy = [policy] if policy is not None else []

        primary = oci.objectstorage.Bucket(
            f"{name}-primary",
            compartment_id=args.data_compartment_id,
            namespace=namespace,
            name=args.primary_bucket_name,
            access_type="NoPublicAccess",
            versioning="Enabled",
            kms_key_id=args.primary_key_id,
            object_events_enabled=True,
            freeform_tags={**tags, "residency-role": "primary"},
            opts=pulumi.ResourceOptions.merge(home, pulumi.ResourceOptions(protect=True, depends_on=after_policy)),
        )

        lock_time = _rfc3339((args.now or dt.datetime.now(dt.timezone.utc))
                             + dt.timedelta(days=args.retention_lock_delay_days))
        backup_bucket = oci.objectstorage.Bucket(
            f"{name}-backup",
            compartment_id=args.backup_compartment_id,
            namespace=namespace,
            name=args.backup_bucket_name,
            access_type="NoPublicAccess",
            # OCI refuses versioning on a replication destination; the locked retention rule protects it.
            versioning="Disabled",
            kms_key_id=backup_key_id,
            object_events_enabled=True,
            retention_rules=[
                oci.objectstorage.BucketRetentionRuleArgs(
                    display_name="residency-minimum-retention",
                    duration=oci.objectstorage.BucketRetentionRuleDurationArgs(
                        time_amount=str(retention_days), time_unit="DAYS"
                    ),
                    time_rule_locked=lock_time,
                )
            ],
            freeform_tags={**tags, "residency-role": "backup"},
            opts=pulumi.ResourceOptions.merge(backup, pulumi.ResourceOptions(
                protect=True,
                depends_on=after_policy,
                # Computed from the clock at creation: later runs must not try to move a (soon) locked rule.
                ignore_changes=["retentionRules[0].timeRuleLocked"],
            )),
        )

        replication = oci.objectstorage.ReplicationPolicy(
            f"{name}-replication",
            bucket=primary.name,
            namespace=namespace,
            name=f"{name}-to-{args.backup_region}",
            destination_bucket_name=backup_bucket.name,
            destination_region_name=args.backup_region,
            opts=pulumi.ResourceOptions.merge(home, pulumi.ResourceOptions(depends_on=after_policy)),
        )

        volume_policy = oci.core.VolumeBackupPolicy(
            f"{name}-volume-backups",
            compartment_id=args.data_compartment_id,
            display_name=f"{name}-volume-backups",
            destination_region=args.backup_region,
            schedules=[self._schedule(s, args.minimum_retention_days) for s in args.volume_backup_schedules],
            freeform_tags=tags,
            opts=home,
        )

        self.primary_bucket_name = primary.name
        self.backup_bucket_name = backup_bucket.name
        self.backup_key_id = pulumi.Output.from_input(backup_key_id)
        self.replication_policy_id = replication.id
        self.volume_backup_policy_id = volume_policy.id
        self.register_outputs({
            "primaryBucketName": self.primary_bucket_name,
            "backupBucketName": self.backup_bucket_name,
            "backupKeyId": self.backup_key_id,
            "volumeBackupPolicyId": self.volume_backup_policy_id,
        })

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
