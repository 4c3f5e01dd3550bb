"""``residency:oci:UserDataDatabase``: an Autonomous Database (Serverless) for US user data, with a US standby.

What it builds, and why:

- ``<name>-primary``: the database in the home region, reachable only at a private endpoint in a data-tier
  subnet behind the data tier's NSG (no public endpoint, no IP allow list: access is the network boundary's);
  mTLS required; encrypted with the estate's customer-managed key (``kms_key_id`` with its ``vault_id``); the
  ADMIN password read from a Vault secret (``secret_id``), so no password is in the program, config or state.
- Backups: automatic backups are kept ``AUTOMATIC_BACKUP_RETENTION_DAYS`` (60), the most the service allows
  (1 to 60 days), and the retention is locked (``is_backup_retention_locked``). The rules' minimum (365 days by
  default) is met by a monthly long-term backup kept ``long_term_backup_retention_days`` (the service keeps
  long-term backups 90 days to 10 years).
- ``<name>-standby``: a cross-region disaster-recovery peer (``source = CROSS_REGION_DISASTER_RECOVERY``) in the
  backup region, Autonomous Data Guard or backup-based, with its own private endpoint in the DR network's data
  subnet and that region's key (OCI keys are regional). The primary's automatic backups are replicated to it
  (``is_replicate_automatic_backups``). The standby is the database's only copy outside the home region.
- Both are protected: ``pulumi destroy`` refuses to delete them.

Operator access: OCI Operator Access Control covers Exadata Cloud@Customer and Autonomous Database on dedicated
infrastructure, and Delegate Access Control covers Exadata (Cloud@Customer and Cloud Service) VM clusters; neither
accepts an Autonomous Database Serverless instance (pulumi_oci 5.5.0 ``resource_type`` values; Oracle's service
descriptions). There is nothing this component can gate for this engine; docs/components/user-data-database.md
says what does apply.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_oci as oci

from residency_kit.components.arg_problems import ArgProblems
from residency_kit.components.oci.replicated_bucket import key_problems, region_pair_problems, rfc3339
from residency_kit.settings.data_tier import ADB_LONG_TERM_BACKUP_MAX_DAYS, ADB_LONG_TERM_BACKUP_MIN_DAYS
from residency_policies.oci_identifiers import is_ocid_of
from residency_policies.region_tables import OCI_US_COMMERCIAL_REGIONS
from residency_policies.rules_file import CLASSIFICATION_TAG_KEY, US_USER_DATA

TYPE_TOKEN = "residency:oci:UserDataDatabase"
ARGS = "UserDataDatabaseArgs"
# Autonomous Database Serverless keeps automatic backups 1 to 60 days: the component asks for the most.
AUTOMATIC_BACKUP_RETENTION_DAYS = 60
DR_TYPES = ("ADG", "BACKUP_BASED")
WORKLOADS = ("OLTP", "DW", "AJD", "APEX")
LICENSE_MODELS = ("LICENSE_INCLUDED", "BRING_YOUR_OWN_LICENSE")
_DB_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,29}$")
_LABEL = re.compile(r"^[a-z][a-z0-9]{0,62}$")


@dataclass
class UserDataDatabaseArgs:
    """Inputs of ``UserDataDatabase``: where it sits (subnets, NSGs), what encrypts it, how long backups live."""

    home_region: str
    backup_region: str
    home_provider: oci.Provider
    backup_provider: oci.Provider
    compartment_id: pulumi.Input[str]
    """The data compartment (the standby lives there too: compartments are global)."""
    db_name: str
    subnet_id: pulumi.Input[str]
    """The home network's data-tier subnet: the private endpoint's address is taken there."""
    nsg_ids: Sequence[pulumi.Input[str]]
    """The data tier's NSG (at least one): the app tier reaches the listener through it."""
    standby_subnet_id: pulumi.Input[str]
    """The DR network's data-tier subnet, in the backup region."""
    standby_nsg_ids: Sequence[pulumi.Input[str]]
    kms_key_id: pulumi.Input[str]
    """The estate's master key in the home region (a plain OCID is checked against ``home_region``)."""
    vault_id: pulumi.Input[str]
    standby_kms_key_id: pulumi.Input[str]
    """A key of a vault in the backup region."""
    standby_vault_id: pulumi.Input[str]
    admin_password_secret_id: pulumi.Input[str]
    """Vault secret holding the ADMIN password."""
    minimum_retention_days: int
    long_term_backup_retention_days: int | None = None
    """Monthly long-term backup retention; None means ``minimum_retention_days`` (at least the service's 90)."""
    compute_count: float = 2
    data_storage_size_in_tbs: int = 1
    db_workload: str = "OLTP"
    db_version: str | None = None
    license_model: str = "LICENSE_INCLUDED"
    disaster_recovery_type: str = "ADG"
    private_endpoint_label: str | None = None
    """DNS label of the private endpoint; None derives one from ``db_name``."""
    allowed_regions: Sequence[str] = OCI_US_COMMERCIAL_REGIONS
    tags: Mapping[str, str] = field(default_factory=lambda: {"jurisdiction": "US"})
    now: dt.datetime | None = None
    """Clock for the first long-term backup (tests pin it); None means the current UTC time."""

    @property
    def long_term_days(self) -> int:
        if self.long_term_backup_retention_days is not None:
            return self.long_term_backup_retention_days
        return max(self.minimum_retention_days, ADB_LONG_TERM_BACKUP_MIN_DAYS)


def validation_problems(args: UserDataDatabaseArgs) -> ArgProblems:
    problems = ArgProblems(ARGS)
    region_pair_problems(problems, args.home_region, args.backup_region, args.allowed_regions,
                         "another allowed US region (the standby is the copy that survives the home region)")
    for name in ("home_provider", "backup_provider"):
        if not isinstance(getattr(args, name), oci.Provider):
            problems.add(name, type(getattr(args, name)).__name__, "is not an OCI provider",
                         "a pulumi_oci.Provider for that region")
    if not (isinstance(args.db_name, str) and _DB_NAME.match(args.db_name)):
        problems.add("db_name", args.db_name, "is not an Autonomous Database name",
                     "a letter, then up to 29 letters or digits")
    label = args.private_endpoint_label
    if label is not None and not _LABEL.match(label):
        problems.add("private_endpoint_label", label, "is not a DNS label", "a lowercase letter, then letters or digits")
    for name in ("nsg_ids", "standby_nsg_ids"):
        if not list(getattr(args, name)):
            problems.add(name, [], "is empty", "the data tier's NSG: an endpoint with no NSG is reached by the "
                         "subnet's security list alone")
    days = args.long_term_days
    floor = max(args.minimum_retention_days, ADB_LONG_TERM_BACKUP_MIN_DAYS)
    if days < floor:
        problems.add("long_term_backup_retention_days", days, f"is below the minimum retention of {floor} days",
                     f"{floor} to {ADB_LONG_TERM_BACKUP_MAX_DAYS}")
    elif days > ADB_LONG_TERM_BACKUP_MAX_DAYS:
        problems.add("long_term_backup_retention_days", days,
                     f"is above the service's maximum of {ADB_LONG_TERM_BACKUP_MAX_DAYS} days",
                     f"{floor} to {ADB_LONG_TERM_BACKUP_MAX_DAYS}")
    if not 2 <= args.compute_count <= 512:
        problems.add("compute_count", args.compute_count, "is outside the ECPU range", "2 to 512 ECPUs")
    for name, value, choices in (("db_workload", args.db_workload, WORKLOADS),
                                 ("license_model", args.license_model, LICENSE_MODELS),
                                 ("disaster_recovery_type", args.disaster_recovery_type, DR_TYPES)):
        if value not in choices:
            problems.add(name, value, "is not a choice of the service", " or ".join(choices))
    if isinstance(args.admin_password_secret_id, str) and not is_ocid_of(args.admin_password_secret_id, "vaultsecret"):
        problems.add("admin_password_secret_id", args.admin_password_secret_id, "is not a Vault secret OCID",
                     "ocid1.vaultsecret.<realm>.<region>.<unique id>")
    key_problems(problems, (("kms_key_id", args.kms_key_id, args.home_region),
                            ("standby_kms_key_id", args.standby_kms_key_id, args.backup_region)))
    return problems


class UserDataDatabase(pulumi.ComponentResource):
    """A private, customer-key Autonomous Database for US user data and its standby in the backup region."""

    database_id: pulumi.Output[str]
    standby_database_id: pulumi.Output[str]
    private_endpoint: pulumi.Output[str]
    private_endpoint_ip: pulumi.Output[str]
    standby_private_endpoint: pulumi.Output[str]
    backup_retention_days: int
    """Automatic backups (the service's maximum)."""
    long_term_backup_retention_days: int

    def __init__(self, name: str, args: UserDataDatabaseArgs, opts: pulumi.ResourceOptions | None = None):
        validation_problems(args).raise_if_any(name)
        super().__init__(TYPE_TOKEN, name, None, opts)
        self.backup_retention_days = AUTOMATIC_BACKUP_RETENTION_DAYS
        self.long_term_backup_retention_days = args.long_term_days
        tags = {**args.tags, CLASSIFICATION_TAG_KEY: US_USER_DATA}
        label = args.private_endpoint_label or args.db_name.lower()
        first_backup = rfc3339((args.now or dt.datetime.now(dt.UTC)).replace(
            hour=3, minute=0, second=0, microsecond=0) + dt.timedelta(days=1))

        primary = oci.database.AutonomousDatabase(
            f"{name}-primary",
            compartment_id=args.compartment_id,
            db_name=args.db_name,
            display_name=f"{name}-primary",
            db_workload=args.db_workload,
            db_version=args.db_version,
            license_model=args.license_model,
            compute_model="ECPU",
            compute_count=args.compute_count,
            data_storage_size_in_tbs=args.data_storage_size_in_tbs,
            is_auto_scaling_for_storage_enabled=True,
            # Private endpoint only: subnet and NSGs set, no public access list.
            subnet_id=args.subnet_id,
            nsg_ids=list(args.nsg_ids),
            private_endpoint_label=label,
            is_mtls_connection_required=True,
            kms_key_id=args.kms_key_id,
            vault_id=args.vault_id,
            secret_id=args.admin_password_secret_id,
            backup_retention_period_in_days=AUTOMATIC_BACKUP_RETENTION_DAYS,
            is_backup_retention_locked=True,
            long_term_backup_schedules=[oci.database.AutonomousDatabaseLongTermBackupScheduleArgs(
                repeat_cadence="MONTHLY", retention_period_in_days=args.long_term_days,
                time_of_backup=first_backup, is_disabled=False)],
            freeform_tags={**tags, "residency-role": "primary"},
            opts=pulumi.ResourceOptions(
                parent=self, provider=args.home_provider, protect=True,
                # The first backup's time comes from the clock at creation; later runs must not move it.
                ignore_changes=["longTermBackupSchedules[0].timeOfBackup"]),
        )
        standby = oci.database.AutonomousDatabase(
            f"{name}-standby",
            compartment_id=args.compartment_id,
            # A cross-region peer carries the source's name (the typed SDK requires the field).
            db_name=args.db_name,
            display_name=f"{name}-standby",
            source="CROSS_REGION_DISASTER_RECOVERY",
            source_id=primary.id,
            remote_disaster_recovery_type=args.disaster_recovery_type,
            is_replicate_automatic_backups=True,
            subnet_id=args.standby_subnet_id,
            nsg_ids=list(args.standby_nsg_ids),
            private_endpoint_label=label,
            is_mtls_connection_required=True,
            kms_key_id=args.standby_kms_key_id,
            vault_id=args.standby_vault_id,
            freeform_tags={**tags, "residency-role": "standby"},
            opts=pulumi.ResourceOptions(parent=self, provider=args.backup_provider, protect=True),
        )

        self.database_id = primary.id
        self.standby_database_id = standby.id
        self.private_endpoint = primary.private_endpoint
        self.private_endpoint_ip = primary.private_endpoint_ip
        self.standby_private_endpoint = standby.private_endpoint
        self.register_outputs({
            "databaseId": self.database_id,
            "standbyDatabaseId": self.standby_database_id,
            "privateEndpoint": self.private_endpoint,
            "privateEndpointIp": self.private_endpoint_ip,
            "standbyPrivateEndpoint": self.standby_private_endpoint,
            "backupRetentionDays": self.backup_retention_days,
            "longTermBackupRetentionDays": self.long_term_backup_retention_days,
        })
