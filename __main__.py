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
# The backup region's provider: backups, standbys and the DR network are written there.
backup_provider = oci.Provider("oci-backup", region=settings.backup_region, **oci_credentials)
tenancy = IsolatedTenancy("us-residency", IsolatedTenancyArgs.from_settings(settings, home_provider))
pulumi.export("compartmentIds", tenancy.compartment_ids)
pulumi.export("compartmentPaths", tenancy.compartment_paths)
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
pulumi.export("subnetCidrs", network.subnet_cidrs)
pulumi.export("flowLogIds", network.flow_log_ids)
pulumi.export("nsgIds", network.nsg_ids)
pulumi.export("bastionId", network.bastion_id)
pulumi.export("networkFirewallId", network.firewall_id)

# --- Sanctioned interfaces (residency_kit/components/oci/sanctioned_interface.py) ---
# The only paths between the estate and the parent company: each declared in residency:sanctionedInterfaces (the
# rules the policy pack proves them against) and placed by residency:interfaceNetworks. Each gets its client
# subnet, its gateway alone in the interface subnet, and its logs, which the log archive below collects.

from residency_kit.components.oci.sanctioned_interface import (  # noqa: E402
    SanctionedInterface,
    SanctionedInterfaceArgs,
)

interfaces = {
    name: SanctionedInterface(name, SanctionedInterfaceArgs.from_settings(
        settings, name, provider=home_provider, compartment_id=tenancy.compartment_ids["network"],
        vcn_id=network.vcn_id, log_group_id=network.log_group_id, exit_gateway_id=network.nat_gateway_id))
    for name in settings.interface_networks
}
for name, interface in interfaces.items():
    pulumi.export(f"{name}InterfaceFirewallId", interface.firewall_id)

# --- Region-locked backups (residency_kit/components/oci/region_locked_backup.py,
#     residency_kit/components/aws/immutable_backup_copy.py) ---

import pulumi_aws as aws  # noqa: E402  (section-local imports keep the sections independent)

from residency_kit.components.aws.immutable_backup_copy import ImmutableBackupCopy, ImmutableBackupCopyArgs  # noqa: E402
from residency_kit.components.oci.region_locked_backup import RegionLockedBackup, RegionLockedBackupArgs  # noqa: E402

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
pulumi.export("namespace", region_locked_backup.namespace)
# The estate's keys, one per region: every store of a region uses that region's key (no second vault).
backup_vault_id = region_locked_backup.backup_vault_id or settings.backup.backup_vault_id
pulumi.export("vaultIds", {settings.home_region: tenancy.vault_id, settings.backup_region: backup_vault_id})
pulumi.export("keyIds", {settings.home_region: tenancy.key_id, settings.backup_region: region_locked_backup.backup_key_id})

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

# --- The data tier (residency_kit/components/oci/: network_boundary, workload_compartment, replicated_bucket,
# user_data_database, log_archive). Each part is on only when its settings say so (residency:drNetwork,
# residency:workload, residency:buckets, residency:databases, residency:logArchive). ---

from residency_kit.components.oci.log_archive import LogArchive, LogArchiveArgs, LogSource  # noqa: E402
from residency_kit.components.oci.replicated_bucket import ReplicatedBucket, ReplicatedBucketArgs  # noqa: E402
from residency_kit.components.oci.user_data_database import UserDataDatabase, UserDataDatabaseArgs  # noqa: E402
from residency_kit.components.oci.workload_compartment import (  # noqa: E402
    WorkloadCompartment,
    WorkloadCompartmentArgs,
)

paths = tenancy.compartment_paths
dr_network = None
if settings.dr_network.enabled:
    # The DR VCN in the backup region: its flow logs go to a log group of its own region (OCI Logging is regional).
    dr_network = NetworkBoundary("us-residency-dr-network", NetworkBoundaryArgs.dr_from_settings(
        settings, provider=backup_provider, compartment_id=tenancy.compartment_ids["network"],
        log_compartment_id=tenancy.compartment_ids["audit"]))
    pulumi.export("drVcnId", dr_network.vcn_id)
    pulumi.export("drSubnetIds", dr_network.subnet_ids)
    pulumi.export("drSubnetCidrs", dr_network.subnet_cidrs)
    pulumi.export("drFlowLogIds", dr_network.flow_log_ids)

if settings.workload.enabled:
    workload = WorkloadCompartment("us-residency-workload", WorkloadCompartmentArgs.from_settings(
        settings, provider=home_provider, parent_compartment_id=tenancy.compartment_ids["root"],
        compartment_paths=paths))
    pulumi.export("workloadCompartmentId", workload.compartment_id)
    pulumi.export("workloadCompartmentPath", workload.compartment_path)

for bucket in settings.buckets:
    replicated = ReplicatedBucket(bucket.name, ReplicatedBucketArgs(
        home_region=settings.home_region, backup_region=settings.backup_region,
        home_provider=home_provider, backup_provider=backup_provider,
        compartment_id=tenancy.compartment_ids["data"], backup_compartment_id=tenancy.compartment_ids["backup"],
        primary_key_id=tenancy.key_id, backup_key_id=region_locked_backup.backup_key_id,
        primary_bucket_name=bucket.bucket_name, backup_bucket_name=bucket.backup_bucket_name,
        minimum_retention_days=settings.minimum_retention_days, retention_days=bucket.retention_days,
        retention_lock_delay_days=settings.backup.retention_lock_delay_days,
        namespace=region_locked_backup.namespace, allowed_regions=settings.allowed_regions.oci,
        tags=settings.required_tags,
        policy_compartment_id=settings.tenancy.tenancy_ocid, compartment_path=paths["data"],
        backup_compartment_path=paths["backup"], primary_key_compartment_path=paths["security"],
        backup_key_compartment_path=paths["backup"]))
    pulumi.export(f"{bucket.name}BucketName", replicated.primary_bucket_name)

for database in settings.databases:
    assert dr_network is not None  # the settings refuse databases without residency:drNetwork
    db = UserDataDatabase(database.name, UserDataDatabaseArgs(
        home_region=settings.home_region, backup_region=settings.backup_region,
        home_provider=home_provider, backup_provider=backup_provider,
        compartment_id=tenancy.compartment_ids["data"], db_name=database.db_name,
        subnet_id=network.subnet_ids["data"], nsg_ids=[network.nsg_ids["data"]],
        standby_subnet_id=dr_network.subnet_ids["data"], standby_nsg_ids=[dr_network.nsg_ids["data"]],
        kms_key_id=tenancy.key_id, vault_id=tenancy.vault_id,
        standby_kms_key_id=region_locked_backup.backup_key_id, standby_vault_id=backup_vault_id,
        admin_password_secret_id=database.admin_password_secret_id,
        minimum_retention_days=settings.minimum_retention_days,
        long_term_backup_retention_days=database.long_term_backup_retention_days,
        compute_count=database.compute_count, data_storage_size_in_tbs=database.data_storage_size_in_tbs,
        db_workload=database.db_workload, db_version=database.db_version, license_model=database.license_model,
        disaster_recovery_type=database.disaster_recovery_type, allowed_regions=settings.allowed_regions.oci,
        tags=settings.required_tags))
    pulumi.export(f"{database.name}DatabaseId", db.database_id)

if settings.log_archive.enabled:
    archive_sources = [LogSource(f"{tier}-flow-log", network.log_group_id, log_id, tenancy.compartment_ids["audit"])
                       for tier, log_id in network.flow_log_ids.items()]
    archive_sources += [LogSource(f"firewall-{kind}-log", network.log_group_id, log_id,
                                  tenancy.compartment_ids["audit"])
                        for kind, log_id in network.firewall_log_ids.items()]
    archive_sources += [LogSource(f"interface-{name}-{kind}-log", network.log_group_id, log_id,
                                  tenancy.compartment_ids["audit"])
                        for name, interface in interfaces.items() for kind, log_id in interface.log_ids.items()]
    archive = LogArchive("us-residency-log-archive", LogArchiveArgs(
        home_region=settings.home_region, backup_region=settings.backup_region,
        home_provider=home_provider, backup_provider=backup_provider,
        tenancy_ocid=settings.tenancy.tenancy_ocid, compartment_id=tenancy.compartment_ids["audit"],
        compartment_path=paths["audit"], primary_key_id=tenancy.key_id, primary_key_compartment_path=paths["security"],
        backup_key_id=region_locked_backup.backup_key_id, backup_key_compartment_path=paths["backup"],
        auditor_group_name=tenancy.group_names["security-auditors"], log_sources=archive_sources,
        bucket_name=settings.log_archive.bucket_name, backup_bucket_name=settings.log_archive.backup_bucket_name,
        minimum_retention_days=settings.minimum_retention_days, retention_days=settings.log_archive.retention_days,
        retention_lock_delay_days=settings.backup.retention_lock_delay_days,
        namespace=region_locked_backup.namespace, allowed_regions=settings.allowed_regions.oci,
        tags=settings.required_tags))
    pulumi.export("logArchiveBucketName", archive.bucket_name)


pulumi.export("jurisdiction", settings.jurisdiction)
pulumi.export("homeRegion", settings.home_region)
pulumi.export("backupRegion", settings.backup_region)
