"""Settings of the region-locked backups on OCI and the immutable copy on AWS."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from residency_kit.settings.base import SettingsModel
from residency_kit.settings.identifiers import AwsRegion, KeyOcid, VaultOcid

# S3 bucket naming rules (general purpose buckets): 3-63 lowercase letters, digits, dots and hyphens.
S3_BUCKET_NAME = r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"
# OCI bucket names: letters, digits, hyphens, underscores and periods, up to 256 characters.
OCI_BUCKET_NAME = r"^[A-Za-z0-9._-]{1,256}$"

# OCI's retention rule lock only takes effect after a mandatory delay of 14 days ("Creating an Object Storage
# Retention Rule"); a lock time sooner than that is refused by the service.
OCI_RULE_LOCK_MIN_DELAY_DAYS = 14


class AwsCopySettings(SettingsModel):
    enabled: bool = False
    region: AwsRegion = "us-east-2"
    replica_region: AwsRegion = "us-west-2"
    bucket_name: str | None = Field(default=None, pattern=S3_BUCKET_NAME)
    """Name of the copy bucket. Unset: ``<project>-<stack>-immutable-copy-copy``, deterministic so that the
    bucket policy is known at preview. S3 names are global across all AWS accounts: set a name you own."""
    replica_bucket_name: str | None = Field(default=None, pattern=S3_BUCKET_NAME)
    """Name of the replica bucket. Unset: ``<project>-<stack>-immutable-copy-replica``."""
    retention_days: int | None = Field(default=None, ge=1, le=36500)
    """Object Lock default retention (COMPLIANCE mode); unset means ``minimumRetentionDays``."""


class VolumeBackupScheduleSettings(SettingsModel):
    """One schedule of the block-volume backup policy; every backup is also copied to the backup region."""

    backup_type: Literal["FULL", "INCREMENTAL"] = "INCREMENTAL"
    period: Literal["ONE_HOUR", "ONE_DAY", "ONE_WEEK", "ONE_MONTH", "ONE_YEAR"] = "ONE_DAY"
    retention_days: int | None = Field(default=None, ge=1, le=36500)
    """Unset means ``minimumRetentionDays``."""
    hour_of_day: int | None = Field(default=None, ge=0, le=23)
    time_zone: Literal["UTC", "REGIONAL_DATA_CENTER_TIME"] = "UTC"


def _default_schedules() -> tuple[VolumeBackupScheduleSettings, ...]:
    return (
        VolumeBackupScheduleSettings(backup_type="INCREMENTAL", period="ONE_DAY", hour_of_day=2),
        VolumeBackupScheduleSettings(backup_type="FULL", period="ONE_MONTH", hour_of_day=3),
    )


class BackupSettings(SettingsModel):
    primary_bucket_name: str = Field(default="us-residency-data", pattern=OCI_BUCKET_NAME)
    backup_bucket_name: str = Field(default="us-residency-data-backup", pattern=OCI_BUCKET_NAME)
    retention_days: int | None = Field(default=None, ge=1, le=36500)
    """Retention rule of the backup bucket; unset means ``minimumRetentionDays``."""
    retention_lock_delay_days: int = Field(default=OCI_RULE_LOCK_MIN_DELAY_DAYS, ge=OCI_RULE_LOCK_MIN_DELAY_DAYS, le=365)
    """Days from the bucket's creation until its retention rule locks for good."""
    backup_key_id: KeyOcid | None = None
    """An existing master key in a vault of the backup region; unset creates a vault and an HSM key there."""
    backup_vault_id: VaultOcid | None = None
    """The vault of ``backupKeyId``: databases need it beside the key (unused when the kit creates the vault)."""
    vault_type: Literal["DEFAULT", "VIRTUAL_PRIVATE"] = "DEFAULT"
    volume_backup_schedules: tuple[VolumeBackupScheduleSettings, ...] = Field(
        default_factory=_default_schedules, min_length=1
    )
    aws_copy: AwsCopySettings = AwsCopySettings()
