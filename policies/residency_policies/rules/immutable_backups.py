"""immutable-backups: data-bearing resources are protected; backup buckets keep data for the minimum retention.

Every store of data (buckets, volumes, file systems, databases, queues, streams, log groups, secrets,
registries, vaults and keys: the ``protect`` types of the generated ``data/data_bearing_types.txt``) must have
``protect`` (the engine does not send ``retainOnDelete`` to analyzers, so protect is the only deletion guard a
pack can see). Stack phase, where the settings live in separate resources:

* OCI backup buckets are ``ReplicationPolicy`` destinations (joined by bucket name, or by property
  dependency when the name is unknown). OCI refuses versioning on a replication destination, so the
  bucket must instead carry a retention rule of at least ``minimumRetentionDays`` (or an indefinite one)
  with a rule lock scheduled (``timeRuleLocked``).
* AWS backup buckets are S3 replication destinations and buckets with Object Lock enabled: versioning
  must be ``Enabled`` and Object Lock default retention must be COMPLIANCE mode for at least
  ``minimumRetentionDays`` (inline or in ``BucketVersioning`` / ``BucketObjectLockConfiguration``).

Every finding follows the data classification (``data_classification``): mandatory for US user data (untagged
means US user data), advisory for a resource classified as holding none. What a resource's own inputs decide
as US user data is reported in the resource phase, before anything is created; placement in a compartment and
what a resource copies or encrypts are joins, judged in the stack phase.
"""

from __future__ import annotations

from collections.abc import Iterator

from residency_policies.analysis.backup_copies import (
    OCI_BUCKET,
    OCI_REPLICATION_POLICY,
    oci_replications,
    refers_to_bucket,
    s3_replications,
)
from residency_policies.analysis.data_bearing_types import PROTECTED_TYPES
from residency_policies.data_classification import StackClassification, classify_own, finding
from residency_policies.framework import Finding, ResourceView, resource_policy
from residency_policies.rules.us_region_replication import S3_BUCKET_TYPES
from residency_policies.rules_file import Rules
from residency_policies.values import get, is_unknown

# The curated stores of user data marked ``protect`` in the generated data/data_bearing_types.txt.
DATA_BEARING_TYPES = PROTECTED_TYPES
S3_VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
S3_OBJECT_LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"
_DAYS_PER = {"DAYS": 1, "YEARS": 365}
UNPROTECTED = (
    "this data-bearing resource is not protected: `pulumi destroy` or a replacement would delete it; set protect=True"
)

__all__ = ["OCI_BUCKET", "OCI_REPLICATION_POLICY", "POLICY"]


def check(resource: ResourceView, rules: Rules) -> Iterator[Finding]:
    # What the resource's own inputs decide as US user data is judged here, before anything is created; the
    # rest (its compartment, what it copies or encrypts) in the stack phase.
    if resource.protect:
        return
    classification = classify_own(resource, rules)
    if classification is not None and classification.decided_alone:
        yield finding(UNPROTECTED, classification)


def check_stack(resources: list[ResourceView], rules: Rules) -> Iterator[Finding]:
    classes = StackClassification(resources, rules)
    for r in resources:
        if r.type in DATA_BEARING_TYPES and not r.protect:
            classification = classes.of(r)
            if not classification.decided_alone:
                yield finding(UNPROTECTED, classification, urn=r.urn)
    judged: set[str] = set()
    for replication in oci_replications(resources):
        for dest in replication.destinations:
            if dest is None:
                source = classes.of_any(replication.sources, "its source bucket is not in this stack")
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
        return int(float(amount)) * _DAYS_PER[str(unit).upper()]
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
    description="Data-bearing resources are protected, and backup buckets keep data immutable for the minimum retention.",
    severity="high",
    remediation=(
        "Set protect=True on buckets, volumes, file systems, databases, vaults and keys. Give OCI replication "
        "destination buckets a locked retention rule of at least minimumRetentionDays; give AWS backup buckets "
        "versioning and Object Lock (COMPLIANCE) default retention of at least minimumRetentionDays. Mandatory for "
        "US user data; untagged resources are US user data. A resource that holds none is classified with the tag "
        "dataClassification.tagKey (residency-data) set to one of otherValues (internal, public, ephemeral): AWS "
        "`tags` (provider defaultTags count), OCI `freeform_tags` or a defined tag <namespace>.residency-data; or, "
        "for an untagged OCI resource, by its compartment (tagged so in the stack, or listed in "
        "dataClassification.nonDataCompartmentIds). Its findings are then advisory, unless it is a backup copy of, "
        "or a key or vault that encrypts, US user data in the stack."
    ),
    tags=["backup", "immutability", "residency"],
    framework=("US data residency", "1.0", "BAK-1"),
    resource_types=DATA_BEARING_TYPES,
    check=check,
    stack_check=check_stack,
)
