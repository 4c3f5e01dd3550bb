"""The Residency Kit program: an isolated, US-only OCI estate for US user data.

Settings are read and validated before anything is registered: a bad stack config stops the program
with one message listing every bad key, and no resource is created.
"""

import pulumi

from components.settings import load_settings

settings = load_settings()

# --- Isolated tenancy (components/oci/isolated_tenancy.py) ---

# --- Network boundary (components/oci/network_boundary.py) ---

# --- Region-locked backups (components/oci/region_locked_backup.py, components/aws/immutable_backup_copy.py) ---

pulumi.export("jurisdiction", settings.jurisdiction)
pulumi.export("homeRegion", settings.home_region)
pulumi.export("backupRegion", settings.backup_region)
