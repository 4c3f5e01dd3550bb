"""database-backup-retention: a database of US user data keeps backups for the minimum retention, or as long as
its service allows.

For every database type with a backup retention input (generated ``data/store_durability.txt``: RDS instances
and clusters, DocumentDB, Neptune, Redshift, DynamoDB point-in-time recovery, OCI Autonomous Database, Base
Database, MySQL HeatWave, PostgreSQL), the days of backups it keeps must reach ``minimumRetentionDays``, or the
service's cap when the minimum exceeds it (RDS, Aurora, DocumentDB, Neptune, Redshift, DynamoDB, MySQL and
PostgreSQL cap at 35 days, OCI Autonomous and Base Database at 60). Backups turned off keep 0 days. An unset
retention is the service's default, and the message says so. A longer-term schedule the service offers
(Autonomous Database long-term backups) counts toward the retention. Read replicas and standbys are copies:
their source is judged.

Findings follow the data classification: mandatory for US user data, advisory for a database classified as
holding none. The retention is the database's own input: judged per resource when its own tags decide its class,
over the stack when its compartment does (OCI).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from residency_policies.analysis.backup_copies import is_copy
from residency_policies.analysis.store_durability import (
    STORE_PROFILES,
    Retention,
    RetentionReading,
    StoreProfile,
    days,
    read_retention,
    required_days,
    unconfigured,
)
from residency_policies.compliance import RESIDENCY
from residency_policies.data_classification import StackClassification, classify_own, finding
from residency_policies.framework import Finding, ResourceView, resource_policy
from residency_policies.rules_file import Rules

RETENTION_TYPES = frozenset(t for t, p in STORE_PROFILES.items() if p.judged and p.retention is not None)


def retention_message(spec: Retention, reading: RetentionReading, minimum: int) -> str:
    """What the database keeps, what it must keep and why that much, and the setting that fixes it."""
    need = required_days(spec, minimum)
    if not reading.enabled:
        state = "False" if reading.switch_set else "unset, and backups are off by default"
        kept = f"keeps no automatic backups (`{spec.on}` is {state})"
        fix = f"set `{spec.on}=True` and `{spec.days}={need}`"
    else:
        amount = "no backups" if reading.days == 0 else f"backups for {days(reading.days or 0)}"
        setting = f"`{spec.days}`" if reading.explicit else f"`{spec.days}` is unset: {days(spec.default)} by default"
        kept = f"keeps {amount} ({setting})"
        fix = f"set `{spec.days}={need}`"
    if need == minimum:
        must = f"it must keep them for at least {minimum} days (minimumRetentionDays)"
        longer = ""
    else:
        must = (f"it must keep them for {need} days: the rules ask for {minimum} and the service keeps at most "
                f"{spec.cap} ({spec.source})")
        longer = (f"; a long-term schedule (`{spec.extra}`) can keep them for the full {minimum} days"
                  if spec.extra else "")
    return f"this database {kept}; {must}: {fix}{longer}"


def _judge(resource: ResourceView, profile: StoreProfile, rules: Rules, *, stack_phase: bool) -> Finding | None:
    spec = profile.retention
    if spec is None or is_copy(resource):
        return None
    reading = read_retention(resource, spec, stack_phase=stack_phase)
    if reading.unknown_path is not None:
        return Finding(f"the database's backup retention (`{reading.unknown_path}`)", urn=resource.urn,
                       unverifiable=True, path=reading.unknown_path)
    assert reading.days is not None
    if reading.days >= required_days(spec, rules.minimum_retention_days):
        return None
    return Finding(retention_message(spec, reading, rules.minimum_retention_days), urn=resource.urn)


def check(resource: ResourceView, rules: Rules) -> Iterator[Finding]:
    profile = STORE_PROFILES.get(resource.type)
    if profile is None or resource.type not in RETENTION_TYPES:
        return
    classification = classify_own(resource, rules)
    if classification is None or not classification.decided_alone:
        return
    found = _judge(resource, profile, rules, stack_phase=False)
    if found is not None:
        yield finding(found.message, classification, path=found.path, unverifiable=found.unverifiable)


def check_stack(resources: Sequence[ResourceView], rules: Rules) -> Iterator[Finding]:
    classes = None
    for r in resources:
        if r.type not in RETENTION_TYPES or unconfigured(r):
            continue
        classes = classes or StackClassification(resources, rules)
        classification = classes.of(r)
        if classification.decided_alone:
            continue  # reported in the resource phase
        found = _judge(r, STORE_PROFILES[r.type], rules, stack_phase=True)
        if found is not None:
            yield finding(found.message, classification, urn=r.urn, path=found.path, unverifiable=found.unverifiable)


POLICY = resource_policy(
    name="database-backup-retention",
    description="A database of US user data keeps its backups for minimumRetentionDays, or for as long as its "
    "service allows when the minimum exceeds that.",
    severity="high",
    remediation=(
        "Turn automatic backups on and set the database's backup retention to minimumRetentionDays, or to the "
        "service's cap when the minimum exceeds it: AWS RDS and Aurora `backup_retention_period`, DocumentDB and "
        "Neptune `backup_retention_period`, Redshift `automated_snapshot_retention_period`, DynamoDB "
        "`point_in_time_recovery` (enabled, `recovery_period_in_days`), all at most 35 days; OCI Autonomous Database "
        "`backup_retention_period_in_days` (at most 60; long-term backup schedules keep longer), Base Database "
        "`db_backup_config.recovery_window_in_days` with `auto_backup_enabled` (at most 60), MySQL HeatWave "
        "`backup_policy.retention_in_days` and PostgreSQL `management_policy.backup_policy.retention_days` (at most "
        "35). Mandatory for US user data; untagged databases are US user data. A database that holds none is "
        "classified with the tag dataClassification.tagKey (residency-data) set to one of otherValues (internal, "
        "public, ephemeral), or, untagged on OCI, by its compartment; its finding is then advisory."
    ),
    tags=["backup", "database", "residency"],
    framework=RESIDENCY.control("BAK-3"),
    resource_types=RETENTION_TYPES,
    check=check,
    stack_check=check_stack,
)
