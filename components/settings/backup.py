"""Settings of the region-locked backups on OCI and the immutable copy on AWS."""

from __future__ import annotations

from components.settings.base import SettingsModel
from components.settings.identifiers import AwsRegion


class AwsCopySettings(SettingsModel):
    enabled: bool = False
    region: AwsRegion = "us-east-2"
    replica_region: AwsRegion = "us-west-2"


class BackupSettings(SettingsModel):
    aws_copy: AwsCopySettings = AwsCopySettings()
