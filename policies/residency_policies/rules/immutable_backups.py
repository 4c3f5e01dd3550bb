"""immutable-backups: a store whose deletion would lose its data is kept by something; backup buckets stay immutable.

Durability means backups, not ``protect``. For every type that holds data at rest whose loss loses it
(databases, buckets, block volumes, file systems, backup vaults: ``judged`` in the generated
``data/store_durability.txt``), the service's own deletion guards are read: deletion protection, a final
snapshot, automated backups retained after deletion, point-in-time recovery (a deleted DynamoDB table keeps a
backup), a refusal to delete a non-empty bucket unless ``forceDestroy``, or a backup that outlives the store (an
AWS Backup selection, an OCI volume backup policy, an EFS backup policy). A store none of them keeps needs
``protect=True`` (Pulumi then refuses to delete or replace it), and the message says why and which guards the
service offers. Queues, topics, streams, caches, search indices, registries, clusters, compute, logs, secrets
and keys are not judged (``docs/durability.md``: why, with the SDK's evidence).

A DynamoDB table without point-in-time recovery is reported once, by ``database-backup-retention`` (its fix,
turning recovery on, also keeps a deleted table's backup).

Stack phase, where the settings live in separate resources:

* OCI backup buckets are ``ReplicationPolicy`` destinations (joined by bucket name, or by property
  dependency when the name is unknown). OCI refuses versioning on a replication destination, so the
  bucket must instead carry a retention rule of at least ``minimumRetentionDays`` (or an indefinite one)
  with a rule lock scheduled (``timeRuleLocked``; when it is valid is ``retention-lock-times``'s question).
* AWS backup buckets are S3 replication destinations and buckets with Object Lock enabled: versioning
  must be ``Enabled`` and Object Lock default retention must be COMPLIANCE mode for at least
  ``minimumRetentionDays`` (inline or in ``BucketVersioning`` / ``BucketObjectLockConfiguration``).

Every finding follows the data classification (``data_classification``): mandatory for US user data (untagged
means US user data), advisory for a resource classified as holding none. What a resource's own inputs decide
as US user data is reported in the resource phase, before anything is created; placement in a compartment,
what a resource copies and guards that are separate resources are joins, judged in the stack phase.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from residency_policies.analysis.backup_copies import (
    JOIN_FIXES,
    JOIN_MISSING,
    OCI_BUCKET,
    OCI_REPLICATION_POLICY,
    backups_outliving,
    is_copy,
    oci_replications,
    refers_to_bucket,
    s3_replications,
)
from residency_policies.analysis.store_durability import (
    JUDGED_TYPES,
    GuardKind,
    GuardReading,
    State,
    StoreProfile,
    STORE_PROFILES,
    alternatives,
    read_guard,
    unconfigured,
)
from residency_policies.compliance import RESIDENCY
from residency_policies.data_classification import StackClassification, classify_own, finding
from residency_policies.framework import Finding, ResourceView, resource_policy
from residency_policies.rules.us_region_replication import S3_BUCKET_TYPES
from residency_policies.rules_file import Rules
from residency_policies.values import get, is_unknown

S3_VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
S3_OBJECT_LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"
_DAYS_PER = {"DAYS": 1, "YEARS": 365}
PROTECT_FIX = "`protect=True` (Pulumi then refuses to delete or replace it)"

__all__ = ["OCI_BUCKET", "OCI_REPLICATION_POLICY", "POLICY", "unguarded_message"]


def unguarded_message(profile: StoreProfile, missing: Sequence[str], *, unknown: bool = False) -> str:
    """Why deleting the store would lose its data and what keeps it: ``missing`` says, per guard the service
    offers, what the program set instead (``"`skipFinalSnapshot` is True"``). ``unknown``: one guard cannot be read
    at preview (the finding names it), so the message says whether, not that, the data would be lost."""
    how = "(`pulumi destroy`, or a change that forces a replacement)"
    fixes = [g.fix(profile.retention) if g.kind is not GuardKind.JOIN else JOIN_FIXES[g.join] for g in profile.guards
             if g.kind is not GuardKind.ALWAYS]
    if not fixes:
        return (f"deleting or replacing this {profile.noun} {how} would lose its data, and the service offers no "
                f"deletion protection, final backup or retained backups for it: set {PROTECT_FIX}")
    keep = f"Keep it with {alternatives([*fixes, PROTECT_FIX])}"
    if unknown:
        others = f": no other guard keeps it ({'; '.join(missing)})" if missing else ""
        return f"whether this {profile.noun} keeps its data through a deletion or replacement {how}{others}. {keep}"
    return (f"deleting or replacing this {profile.noun} {how} would lose its data: nothing keeps it "
            f"({'; '.join(missing)}). {keep}")


def _guarded(resource: ResourceView, profile: StoreProfile, resources: Sequence[ResourceView] | None) -> Finding | None:
    """None when a guard keeps the store's data through a deletion; else the finding (``resources`` None: the
    resource phase, which reads only the store's own inputs)."""
    stack_phase = resources is not None
    readings: list[GuardReading] = []
    missing: list[str] = []
    for guard in profile.guards:
        if guard.kind is GuardKind.JOIN:
            if resources is not None and backups_outliving(resource, guard.join, resources):
                return None
            missing.append(JOIN_MISSING[guard.join])
            continue
        reading = read_guard(resource, guard, retention=profile.retention, stack_phase=stack_phase)
        if reading.state is State.HOLDS:
            return None
        readings.append(reading)
        if reading.state is State.MISSING:
            missing.append(reading.seen)
    spec = profile.retention
    if spec is not None and spec.on is not None and not is_copy(resource) and any(
            r.guard.path == spec.on and r.state is State.MISSING for r in readings):
        return None  # no backups at all: database-backup-retention reports it, and its fix is this guard too
    unknown = next((r for r in readings if r.state is State.UNKNOWN), None)
    if unknown is not None:
        return Finding(unguarded_message(profile, missing, unknown=True), urn=resource.urn, unverifiable=True,
                       path=unknown.unknown_path)
    return Finding(unguarded_message(profile, missing), urn=resource.urn)


def check(resource: ResourceView, rules: Rules) -> Iterator[Finding]:
    # What the resource's own inputs decide (its class and its guards) is judged here, before anything is
    # created; a store with guards that are separate resources, and its class by placement, in the stack phase.
    profile = STORE_PROFILES.get(resource.type)
    if resource.protect or profile is None or not profile.judged or profile.joins:
        return
    classification = classify_own(resource, rules)
    if classification is None or not classification.decided_alone:
        return
    found = _guarded(resource, profile, None)
    if found is not None:
        yield finding(found.message, classification, path=found.path, unverifiable=found.unverifiable)


def check_stack(resources: Sequence[ResourceView], rules: Rules) -> Iterator[Finding]:
    classes = StackClassification(resources, rules)
    for r in resources:
        profile = STORE_PROFILES.get(r.type)
        if r.protect or profile is None or r.type not in JUDGED_TYPES or unconfigured(r):
            continue
        classification = classes.of(r)
        if classification.decided_alone and not profile.joins:
            continue  # reported in the resource phase
        found = _guarded(r, profile, resources)
        if found is not None:
            yield finding(found.message, classification, urn=r.urn, path=found.path, unverifiable=found.unverifiable)
    judged: set[str] = set()
    for replication in oci_replications(resources):
        for dest in replication.destinations:
            if dest is None:
                source = classes.of_any(replication.sources, "replicates a bucket that is not in this stack")
                yield finding("the replication destination bucket is not in this stack, so its retention cannot be "
                              "verified", source, urn=replication.via.urn)
            elif dest.urn not in judged:
                judged.add(dest.urn)
                yield from _classified(_judge_oci_backup_bucket(dest, rules), dest, classes)
    backup_buckets: dict[str, ResourceView] = {}
    for replication in s3_replications(resources):
        for dest in replication.destinations:
            if dest is not None:
                backup_buckets[dest.urn] = dest
    for b in resources:
        if b.type in S3_BUCKET_TYPES and b.props.get("objectLockEnabled") is True:
            backup_buckets.setdefault(b.urn, b)
    for b in backup_buckets.values():
        yield from _classified(_judge_s3_backup_bucket(b, resources, rules), b, classes)


def _classified(findings: Iterator[Finding], bucket: ResourceView, classes: StackClassification) -> Iterator[Finding]:
    for f in findings:
        yield finding(f.message, classes.of(bucket), urn=f.urn, path=f.path, unverifiable=f.unverifiable)


def _judge_oci_backup_bucket(bucket: ResourceView, rules: Rules) -> Iterator[Finding]:
    rules_ = bucket.props.get("retentionRules")
    if is_unknown(rules_):
        yield Finding("the backup bucket's retention rules", urn=bucket.urn, path="retentionRules", unverifiable=True)
        return
    durations: list[int] = []
    locked = unknown = False
    for rule in rules_ or []:
        if not isinstance(rule, dict):
            continue
        days = _oci_rule_days(rule.get("duration"))
        if days is None:
            unknown = True
            continue
        durations.append(days)
        if rule.get("timeRuleLocked"):
            locked = True
    best = -1 if -1 in durations else max(durations, default=0)
    if unknown and best != -1 and best < rules.minimum_retention_days:
        yield Finding("the backup bucket's retention duration", urn=bucket.urn, path="retentionRules[].duration", unverifiable=True)
        return
    if best != -1 and best < rules.minimum_retention_days:
        yield Finding(
            f"backup bucket (a replication destination) keeps data for {best or 'no'} days; it needs a retention rule "
            f"of at least {rules.minimum_retention_days} days (OCI refuses versioning on replication destinations, "
            "so the retention rule is what makes it immutable)",
            urn=bucket.urn,
        )
    elif not locked:
        yield Finding(
            "the backup bucket's retention rule is not locked (timeRuleLocked unset), so an administrator can delete it",
            urn=bucket.urn,
        )


def _oci_rule_days(duration) -> int | None:
    """Days a rule retains; -1 for an indefinite rule (no duration); None when unknown."""
    if duration is None:
        return -1
    if is_unknown(duration) or not isinstance(duration, dict):
        return None
    amount, unit = duration.get("timeAmount"), duration.get("timeUnit")
    if is_unknown(amount) or is_unknown(unit):
        return None
    try:
        return int(float(amount)) * _DAYS_PER[str(unit).upper()]  # type: ignore[arg-type]  # None: TypeError below
    except (KeyError, ValueError, TypeError):
        return 0


def _judge_s3_backup_bucket(bucket: ResourceView, resources, rules: Rules) -> Iterator[Finding]:
    versioning = [get(bucket.props, "versioning.enabled")] + [
        get(r.props, "versioningConfiguration.status") for r in resources if r.type == S3_VERSIONING and refers_to_bucket(r, bucket)
    ]
    if not any(v is True or v == "Enabled" or is_unknown(v) for v in versioning):
        yield Finding("backup bucket has no versioning: add a BucketVersioning with status Enabled", urn=bucket.urn)
    retentions = [get(bucket.props, "objectLockConfiguration.rule.defaultRetention")] + [
        get(r.props, "rule.defaultRetention") for r in resources if r.type == S3_OBJECT_LOCK and refers_to_bucket(r, bucket)
    ]
    retentions = [r for r in retentions if r is not None]
    ok = False
    for ret in retentions:
        if is_unknown(ret):
            yield Finding("the backup bucket's Object Lock retention", urn=bucket.urn, path="rule.defaultRetention", unverifiable=True)
            return
        days = ret.get("days") if isinstance(ret, dict) else None
        years = ret.get("years") if isinstance(ret, dict) else None
        if is_unknown(days) or is_unknown(years) or is_unknown(ret.get("mode")):
            yield Finding("the backup bucket's Object Lock retention", urn=bucket.urn, path="rule.defaultRetention", unverifiable=True)
            return
        total = int(float(days or 0)) + 365 * int(float(years or 0))
        if str(ret.get("mode", "")).upper() == "COMPLIANCE" and total >= rules.minimum_retention_days:
            ok = True
    if not ok:
        yield Finding(
            f"backup bucket lacks Object Lock default retention in COMPLIANCE mode of at least "
            f"{rules.minimum_retention_days} days: add a BucketObjectLockConfiguration (objectLockEnabled on the bucket)",
            urn=bucket.urn,
        )


POLICY = resource_policy(
    name="immutable-backups",
    description="A store whose deletion would lose its data is kept by a deletion guard or a backup, and backup "
    "buckets keep data immutable for the minimum retention.",
    severity="high",
    remediation=(
        "Keep every database, bucket, volume, file system and backup vault through its deletion: turn on the "
        "service's own guard (deletion protection, a final snapshot, automated backups retained after deletion, "
        "point-in-time recovery, forceDestroy=False), or back it up with something that outlives it (an AWS Backup "
        "plan, an OCI volume backup policy, an EFS backup policy); where the service offers none, set protect=True. "
        "Give OCI replication destination buckets a locked retention rule of at least minimumRetentionDays; give "
        "AWS backup buckets versioning and Object Lock (COMPLIANCE) default retention of at least "
        "minimumRetentionDays. Mandatory for US user data; untagged resources are US user data. A resource that holds "
        "none is classified with the tag dataClassification.tagKey (residency-data) set to one of otherValues "
        "(internal, public, ephemeral): AWS `tags` (provider defaultTags count), OCI `freeform_tags` or a defined tag "
        "<namespace>.residency-data; or, for an untagged OCI resource, by its compartment (tagged so in the stack, or "
        "listed in dataClassification.nonDataCompartmentIds). Its findings are then advisory, unless it is a backup "
        "copy of US user data in the stack."
    ),
    tags=["backup", "immutability", "residency"],
    framework=RESIDENCY.control("BAK-1"),
    resource_types=JUDGED_TYPES,
    check=check,
    stack_check=check_stack,
    stack_judges=[OCI_REPLICATION_POLICY],  # a replication into a bucket the stack does not create
)
