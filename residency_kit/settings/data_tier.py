"""Settings of the data tier: user-data databases, replicated buckets, the log archive and the workload compartment.

Each list entry has a ``name``: the component instance is named after it, so names are unique (the base model
refuses a repeated entry). Checks that need other keys (retention minimum, the DR network, bucket names across
the estate) are cross-field rules in ``model.py``, reported with every other bad key.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from residency_kit.settings.backup import OCI_BUCKET_NAME
from residency_kit.settings.base import SettingsModel
from residency_kit.settings.identifiers import VaultSecretOcid

_NAME = r"^[a-z][a-z0-9-]{0,30}$"
# OCI Logging keeps logs 30 to 180 days; the archive is what keeps them a year (CISA security requirements
# for restricted transactions ask for at least 12 months).
LOG_ARCHIVE_MIN_RETENTION_DAYS = 365
# Autonomous Database Serverless long-term backups are kept 90 days to 10 years.
ADB_LONG_TERM_BACKUP_MIN_DAYS = 90
ADB_LONG_TERM_BACKUP_MAX_DAYS = 3650


class DatabaseSettings(SettingsModel):
    """One Autonomous Database (Serverless) holding US user data, with a standby in the backup region."""

    name: str = Field(pattern=_NAME)
    """Component instance name (``<name>-primary``, ``<name>-standby``)."""
    db_name: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9]{0,29}$")
    """The database name: a letter, then up to 29 letters or digits; unique in the tenancy."""
    admin_password_secret_id: VaultSecretOcid
    """A Vault secret in the home region holding the ADMIN password: no password in config or state."""
    compute_count: float = Field(default=2, ge=2, le=512)
    """ECPUs (the ECPU model needs at least 2)."""
    data_storage_size_in_tbs: int = Field(default=1, ge=1, le=384)
    db_workload: Literal["OLTP", "DW", "AJD", "APEX"] = "OLTP"
    db_version: str | None = None
    license_model: Literal["LICENSE_INCLUDED", "BRING_YOUR_OWN_LICENSE"] = "LICENSE_INCLUDED"
    disaster_recovery_type: Literal["ADG", "BACKUP_BASED"] = "ADG"
    """The standby's kind: Autonomous Data Guard (minutes to fail over) or backup-based (cheaper, slower)."""
    long_term_backup_retention_days: int | None = Field(
        default=None, ge=ADB_LONG_TERM_BACKUP_MIN_DAYS, le=ADB_LONG_TERM_BACKUP_MAX_DAYS)
    """Retention of the monthly long-term backup; unset means ``minimumRetentionDays``."""


class BucketSettings(SettingsModel):
    """A bucket of US data (uploads, exports) replicated to a retention-locked bucket in the backup region."""

    name: str = Field(pattern=_NAME)
    bucket_name: str = Field(pattern=OCI_BUCKET_NAME)
    backup_bucket_name: str = Field(pattern=OCI_BUCKET_NAME)
    retention_days: int | None = Field(default=None, ge=1, le=36500)
    """Retention of the backup bucket's locked rule; unset means ``minimumRetentionDays``."""


class LogArchiveSettings(SettingsModel):
    enabled: bool = False
    bucket_name: str = Field(default="us-residency-log-archive", pattern=OCI_BUCKET_NAME)
    backup_bucket_name: str = Field(default="us-residency-log-archive-backup", pattern=OCI_BUCKET_NAME)
    retention_days: int = Field(default=LOG_ARCHIVE_MIN_RETENTION_DAYS, ge=LOG_ARCHIVE_MIN_RETENTION_DAYS, le=36500)
    """Locked retention of both archive buckets: at least 365 days, and at least ``minimumRetentionDays``."""


class WorkloadSettings(SettingsModel):
    enabled: bool = False
    compartment_name: str = Field(default="workload", pattern=r"^[A-Za-z0-9_.-]{1,100}$")
