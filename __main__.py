"""The Residency Kit program: an isolated, US-only OCI estate for US user data.

Settings are read and validated before anything is registered: a bad stack config stops the program
with one message listing every bad key, and no resource is created.
"""

import pulumi
import pulumi_oci as oci

from residency_kit.components.oci.isolated_tenancy import IsolatedTenancy, IsolatedTenancyArgs
from residency_kit.components.provider_credentials import aws_provider_credentials, oci_provider_credentials
from residency_kit.settings import load_settings

settings = load_settings()
# Explicit providers get none of the `oci:*` / `aws:*` stack config by themselves: pass the credential keys
# (residency_kit/components/provider_credentials.py); regions come from the settings.
oci_credentials = oci_provider_credentials(settings.tenancy.tenancy_ocid)

# --- Isolated tenancy (residency_kit/components/oci/isolated_tenancy.py) ---
# IAM, tags, quotas, Cloud Guard and the master key must be written in the tenancy's home region; the
# other sections reuse this provider for home-region resources.
# Every provider is pinned to the estate: OCI providers name the estate tenancy (oci_provider_credentials
# sets it and refuses an oci:tenancyOcid naming another), AWS providers refuse to run in any account but the
# estate's (allowedAccountIds); the pack's estate-deploy-targets checks both.
home_provider = oci.Provider("oci-home", region=settings.home_region, **oci_credentials)
tenancy = IsolatedTenancy("us-residency", IsolatedTenancyArgs.from_settings(settings, home_provider))
pulumi.export("compartmentIds", tenancy.compartment_ids)
pulumi.export("vaultId", tenancy.vault_id)
pulumi.export("keyId", tenancy.key_id)
pulumi.export("logGroupId", tenancy.log_group_id)
pulumi.export("groupNames", tenancy.group_names)
pulumi.export("tagNamespace", tenancy.tag_namespace_name)

# --- Network boundary (residency_kit/components/oci/network_boundary.py) ---

from residency_kit.components.oci.network_boundary import NetworkBoundary, NetworkBoundaryArgs  # noqa: E402

network = NetworkBoundary(
    "us-residency-network",
    NetworkBoundaryArgs.from_settings(
        settings,
        provider=home_provider,
        compartment_id=tenancy.compartment_ids["network"],
        log_group_id=tenancy.log_group_id,
    ),
)
pulumi.export("vcnId", network.vcn_id)
pulumi.export("subnetIds", network.subnet_ids)
pulumi.export("nsgIds", network.nsg_ids)
pulumi.export("bastionId", network.bastion_id)
pulumi.export("networkFirewallId", network.firewall_id)

# --- Region-locked backups (residency_kit/components/oci/region_locked_backup.py, residency_kit/components/aws/immutable_backup_copy.py) ---

import pulumi_aws as aws  # noqa: E402  (section-local imports keep the sections independent)

from residency_kit.components.aws.immutable_backup_copy import ImmutableBackupCopy, ImmutableBackupCopyArgs  # noqa: E402
from residency_kit.components.oci.region_locked_backup import RegionLockedBackup, RegionLockedBackupArgs  # noqa: E402

backup_provider = oci.Provider("oci-backup", region=settings.backup_region, **oci_credentials)
region_locked_backup = RegionLockedBackup(
    "backups",
    RegionLockedBackupArgs.from_settings(
        settings,
        home_provider=home_provider,
        backup_provider=backup_provider,
        data_compartment_id=tenancy.compartment_ids["data"],
        backup_compartment_id=tenancy.compartment_ids["backup"],
        primary_key_id=tenancy.key_id,
    ),
)
pulumi.export("primaryBucketName", region_locked_backup.primary_bucket_name)
pulumi.export("backupBucketName", region_locked_backup.backup_bucket_name)

if settings.backup.aws_copy.enabled:
    estate_accounts = list(settings.estate.aws_account_ids)
    aws_credentials = aws_provider_credentials()
    aws_copy_provider = aws.Provider("aws-copy", region=settings.backup.aws_copy.region,
                                     allowed_account_ids=estate_accounts, **aws_credentials)
    aws_replica_provider = aws.Provider("aws-replica", region=settings.backup.aws_copy.replica_region,
                                        allowed_account_ids=estate_accounts, **aws_credentials)
    immutable_copy = ImmutableBackupCopy(
        "immutable-copy",
        ImmutableBackupCopyArgs.from_settings(
            settings, provider=aws_copy_provider, replica_provider=aws_replica_provider
        ),
    )
    pulumi.export("awsCopyBucketArn", immutable_copy.bucket_arn)
    pulumi.export("awsReplicaBucketArn", immutable_copy.replica_bucket_arn)


pulumi.export("jurisdiction", settings.jurisdiction)
pulumi.export("homeRegion", settings.home_region)
pulumi.export("backupRegion", settings.backup_region)
