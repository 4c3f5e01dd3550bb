"""{project}: a US-only Oracle Cloud estate for US user data, built with Residency Kit.

The settings are read and validated before anything is registered; the residency rules they carry (the parent
company, the estate, the allowed regions) are the same ones the residency policy pack enforces.
"""

import pulumi
import pulumi_oci as oci

from residency_kit.components.oci.isolated_tenancy import IsolatedTenancy, IsolatedTenancyArgs
from residency_kit.components.oci.network_boundary import NetworkBoundary, NetworkBoundaryArgs
from residency_kit.components.oci.region_locked_backup import RegionLockedBackup, RegionLockedBackupArgs
from residency_kit.components.provider_credentials import oci_provider_credentials
from residency_kit.settings import load_settings

settings = load_settings()
credentials = oci_provider_credentials(settings.tenancy.tenancy_ocid)
home = oci.Provider("oci-home", region=settings.home_region, **credentials)
backup = oci.Provider("oci-backup", region=settings.backup_region, **credentials)

tenancy = IsolatedTenancy("estate", IsolatedTenancyArgs.from_settings(settings, home))
network = NetworkBoundary("estate-network", NetworkBoundaryArgs.from_settings(
    settings, provider=home, compartment_id=tenancy.compartment_ids["network"], log_group_id=tenancy.log_group_id))
backups = RegionLockedBackup("backups", RegionLockedBackupArgs.from_settings(
    settings, home_provider=home, backup_provider=backup, data_compartment_id=tenancy.compartment_ids["data"],
    backup_compartment_id=tenancy.compartment_ids["backup"], primary_key_id=tenancy.key_id))

# Your own resources go here, on the same providers and in the kit's compartments and subnets, e.g.
#   oci.objectstorage.Bucket("uploads", compartment_id=tenancy.compartment_ids["data"], ..., opts=pulumi.ResourceOptions(provider=home))

pulumi.export("compartmentIds", tenancy.compartment_ids)
pulumi.export("subnetIds", network.subnet_ids)
pulumi.export("primaryBucketName", backups.primary_bucket_name)
