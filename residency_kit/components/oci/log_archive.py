"""``residency:oci:LogArchive``: the estate's logs kept a year or more, in the US, readable only by auditors.

OCI Logging keeps logs 30 to 180 days. The security requirements for restricted transactions that US data
programs are audited against (CISA, under EO 14117 / 28 CFR 202.248) ask for logs kept at least 12 months
with restricted access. So a Service Connector Hub connector moves the tenancy's audit events, the VCN flow
logs and the firewall logs into a ``ReplicatedBucket`` in the home region (retention-locked, at least 365
days, configurable upward only), replicated to its retention-locked twin in the backup region.

Service Connector Hub is regional: this connector reads the logs of the home region. Logs of a boundary in
another region (a DR VCN) stay in that region's log group for its retention (docs/components/log-archive.md).

IAM (one policy, attached to the tenancy so compartments are named by path):

- the connector may write objects to the archive bucket only (``request.principal.type = 'serviceconnector'``
  and the bucket's name), the form OCI documents for connectors writing to Object Storage;
- Object Storage may use the two keys and replicate the archive (the ``ReplicatedBucket`` grants);
- the auditor group may read the two buckets, and nothing else here grants reading them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_oci as oci

from residency_kit.components.arg_problems import ArgProblems
from residency_kit.components.oci.replicated_bucket import (
    COMPARTMENT_PATH,
    ReplicatedBucket,
    ReplicatedBucketArgs,
)
from residency_kit.components.oci.replicated_bucket import validation_problems as bucket_problems
from residency_kit.settings.backup import OCI_RULE_LOCK_MIN_DELAY_DAYS
from residency_kit.settings.data_tier import LOG_ARCHIVE_MIN_RETENTION_DAYS
from residency_policies.oci_identifiers import is_ocid_of
from residency_policies.region_tables import OCI_US_COMMERCIAL_REGIONS

TYPE_TOKEN = "residency:oci:LogArchive"
ARGS = "LogArchiveArgs"
# OCI names the audit log groups of a compartment: "_Audit" (that compartment) and
# "_Audit_Include_Subcompartment" (it and every compartment below). Read from the tenancy, the second is all.
AUDIT_LOG_GROUP = "_Audit_Include_Subcompartment"
# Objects are written when a batch reaches this size or age, whichever comes first (connector limits: up to
# 100 MB and 7 minutes for Object Storage targets).
BATCH_ROLLOVER_SIZE_MB = 100
BATCH_ROLLOVER_TIME_MS = 420_000


@dataclass(frozen=True)
class LogSource:
    """One log to archive: ``log_id`` of ``log_group_id`` (a flow log, a firewall log)."""

    label: str
    log_group_id: pulumi.Input[str]
    log_id: pulumi.Input[str]
    compartment_id: pulumi.Input[str]
    """The compartment of the log group."""


@dataclass
class LogArchiveArgs:
    """Inputs of ``LogArchive``."""

    home_region: str
    backup_region: str
    home_provider: oci.Provider
    backup_provider: oci.Provider
    tenancy_ocid: str
    """Audit events are read from the tenancy (every compartment); the IAM policy is attached there."""
    compartment_id: pulumi.Input[str]
    """The audit compartment: the connector and both archive buckets live there (compartments are global)."""
    compartment_path: str
    """Its path as IAM names it (``us-residency:audit``)."""
    primary_key_id: pulumi.Input[str]
    primary_key_compartment_path: str
    backup_key_id: pulumi.Input[str]
    backup_key_compartment_path: str
    auditor_group_name: str
    """The one group that may read the archive (the estate's security auditors)."""
    log_sources: Sequence[LogSource] = ()
    """Flow and firewall logs of the home region; audit events are always archived."""
    bucket_name: str = "us-residency-log-archive"
    backup_bucket_name: str = "us-residency-log-archive-backup"
    minimum_retention_days: int = LOG_ARCHIVE_MIN_RETENTION_DAYS
    retention_days: int | None = None
    """Locked retention of both buckets; None means the larger of 365 and ``minimum_retention_days``."""
    retention_lock_delay_days: int = OCI_RULE_LOCK_MIN_DELAY_DAYS
    namespace: pulumi.Input[str] | None = None
    allowed_regions: Sequence[str] = OCI_US_COMMERCIAL_REGIONS
    tags: Mapping[str, str] = field(default_factory=lambda: {"jurisdiction": "US"})
    now: dt.datetime | None = None

    @property
    def floor_days(self) -> int:
        return max(LOG_ARCHIVE_MIN_RETENTION_DAYS, self.minimum_retention_days)

    @property
    def effective_retention_days(self) -> int:
        return self.retention_days if self.retention_days is not None else self.floor_days


def _bucket_args(args: LogArchiveArgs, namespace: pulumi.Input[str] | None) -> ReplicatedBucketArgs:
    days = args.effective_retention_days
    return ReplicatedBucketArgs(
        home_region=args.home_region, backup_region=args.backup_region,
        home_provider=args.home_provider, backup_provider=args.backup_provider,
        compartment_id=args.compartment_id, backup_compartment_id=args.compartment_id,
        primary_key_id=args.primary_key_id, backup_key_id=args.backup_key_id,
        primary_bucket_name=args.bucket_name, backup_bucket_name=args.backup_bucket_name,
        minimum_retention_days=args.floor_days, retention_days=days,
        primary_retention_days=days, lock_primary_retention=True,
        retention_lock_delay_days=args.retention_lock_delay_days, namespace=namespace,
        allowed_regions=args.allowed_regions, tags=args.tags, now=args.now,
    )


def validation_problems(args: LogArchiveArgs) -> ArgProblems:
    problems = ArgProblems(ARGS)
    # The bucket pair's checks, named for these Args (its field names are this component's where they differ).
    renamed = {"primary_bucket_name": "bucket_name", "minimum_retention_days": "retention_days",
               "primary_retention_days": "retention_days"}
    seen: set[str] = set()
    for problem in bucket_problems(_bucket_args(args, None)).problems:
        field_name = problem.field.removeprefix("ReplicatedBucketArgs.")
        own = renamed.get(field_name, field_name)
        if own in seen:
            continue  # one retention value feeds both buckets' rules: report it once
        seen.add(own)
        problems.add_line(problem.line.replace(f"ReplicatedBucketArgs.{field_name}", f"{ARGS}.{own}", 1))
    if not is_ocid_of(args.tenancy_ocid, "tenancy"):
        problems.add("tenancy_ocid", args.tenancy_ocid, "is not a tenancy OCID", "ocid1.tenancy.<realm>..<unique id>")
    for name in ("compartment_path", "primary_key_compartment_path", "backup_key_compartment_path"):
        path = getattr(args, name)
        if not (isinstance(path, str) and COMPARTMENT_PATH.match(path)):
            problems.add(name, path, "is not a compartment path", "compartment names joined by ':', e.g. us-residency:audit")
    if not (isinstance(args.auditor_group_name, str) and args.auditor_group_name.strip()
            and " " not in args.auditor_group_name):
        problems.add("auditor_group_name", args.auditor_group_name, "is not a group name",
                     "the name of the one group that may read the archive")
    labels = [s.label for s in args.log_sources]
    for i, label in enumerate(labels):
        if labels.index(label) != i:
            problems.add(f"log_sources[{i}].label", label, "is given twice", "each label once")
    return problems


def policy_statements(args: LogArchiveArgs) -> list[str]:
    path, bucket, backup_bucket = args.compartment_path, args.bucket_name, args.backup_bucket_name
    home_service, backup_service = f"objectstorage-{args.home_region}", f"objectstorage-{args.backup_region}"
    group = args.auditor_group_name
    return [
        # The connector writes into the archive bucket and nowhere else.
        f"Allow any-user to manage objects in compartment {path} where all {{request.principal.type = "
        f"'serviceconnector', target.bucket.name = '{bucket}'}}",
        f"Allow service {home_service} to use keys in compartment {args.primary_key_compartment_path}",
        f"Allow service {backup_service} to use keys in compartment {args.backup_key_compartment_path}",
        f"Allow service {home_service} to manage object-family in compartment {path} where any "
        f"{{target.bucket.name = '{bucket}', target.bucket.name = '{backup_bucket}'}}",
        f"Allow group {group} to read buckets in compartment {path} where any "
        f"{{target.bucket.name = '{bucket}', target.bucket.name = '{backup_bucket}'}}",
        f"Allow group {group} to read objects in compartment {path} where any "
        f"{{target.bucket.name = '{bucket}', target.bucket.name = '{backup_bucket}'}}",
    ]


class LogArchive(pulumi.ComponentResource):
    """Audit, flow and firewall logs moved into a retention-locked, replicated US bucket pair."""

    namespace: pulumi.Output[str]
    bucket_name: pulumi.Output[str]
    backup_bucket_name: pulumi.Output[str]
    connector_id: pulumi.Output[str]
    policy_id: pulumi.Output[str]
    retention_days: int

    def __init__(self, name: str, args: LogArchiveArgs, opts: pulumi.ResourceOptions | None = None):
        validation_problems(args).raise_if_any(name)
        super().__init__(TYPE_TOKEN, name, None, opts)
        home = pulumi.ResourceOptions(parent=self, provider=args.home_provider)
        tags = dict(args.tags)
        self.retention_days = args.effective_retention_days

        policy = oci.identity.Policy(
            f"{name}-policy",
            compartment_id=args.tenancy_ocid,
            name=f"{name}",
            description="Log archive: the connector writes, Object Storage encrypts and replicates, auditors read",
            statements=policy_statements(args),
            freeform_tags=tags,
            opts=home,
        )
        pair = ReplicatedBucket(name, _bucket_args(args, args.namespace),
                                pulumi.ResourceOptions(parent=self, depends_on=[policy]))
        sources = [oci.sch.ConnectorSourceLogSourceArgs(compartment_id=args.tenancy_ocid, log_group_id=AUDIT_LOG_GROUP)]
        sources += [oci.sch.ConnectorSourceLogSourceArgs(compartment_id=s.compartment_id, log_group_id=s.log_group_id,
                                                          log_id=s.log_id) for s in args.log_sources]
        connector = oci.sch.Connector(
            f"{name}-connector",
            compartment_id=args.compartment_id,
            display_name=f"{name}-connector",
            description="Audit, flow and firewall logs into the retention-locked US log archive",
            source=oci.sch.ConnectorSourceArgs(kind="logging", log_sources=sources),
            target=oci.sch.ConnectorTargetArgs(
                kind="objectStorage", bucket=args.bucket_name, namespace=pair.namespace,
                object_name_prefix="logs", batch_rollover_size_in_mbs=BATCH_ROLLOVER_SIZE_MB,
                batch_rollover_time_in_ms=BATCH_ROLLOVER_TIME_MS),
            state="ACTIVE",
            freeform_tags=tags,
            opts=pulumi.ResourceOptions.merge(home, pulumi.ResourceOptions(depends_on=[policy, pair])),
        )

        self.buckets = pair
        self.namespace = pair.namespace
        self.bucket_name = pair.primary_bucket_name
        self.backup_bucket_name = pair.backup_bucket_name
        self.connector_id = connector.id
        self.policy_id = policy.id
        self.register_outputs({
            "namespace": self.namespace,
            "bucketName": self.bucket_name,
            "backupBucketName": self.backup_bucket_name,
            "connectorId": self.connector_id,
            "policyId": self.policy_id,
            "retentionDays": self.retention_days,
        })
