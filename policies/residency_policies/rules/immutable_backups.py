"""immutable-backups: data-bearing resources are protected; backup buckets keep data for the minimum retention.

Resource phase: every store of user data (buckets, volumes, file systems, databases, queues, streams,
log groups, secrets, registries, vaults and keys: the ``protect`` types of the generated
``data/data_bearing_types.txt``) must have ``protect``. (The
engine does not send ``retainOnDelete`` to analyzers, so protect is the only deletion guard a pack can
see.) Stack phase, where the settings live in separate resources:

* OCI backup buckets are ``ReplicationPolicy`` destinations (joined by bucket name, or by property
  dependency when the name is unknown). OCI refuses versioning on a replication destination, so the
  bucket must instead carry a retention rule of at least ``minimumRetentionDays`` (or an indefinite one)
  with a rule lock scheduled (``timeRuleLocked``).
* AWS backup buckets are S3 replication destinations and buckets with Object Lock enabled: versioning
  must be ``Enabled`` and Object Lock default retention must be COMPLIANCE mode for at least
  ``minimumRetentionDays`` (inline or in ``BucketVersioning`` / ``BucketObjectLockConfiguration``).
"""

from __future__ import annotations

from collections.abc import Iterator

from residency_policies.analysis.data_bearing_types import PROTECTED_TYPES
from residency_policies.framework import Finding, ResourceView, resource_policy
from residency_policies.rules.us_region_replication import S3_BUCKET_TYPES, S3_DESTINATION_PATHS
from residency_policies.aws_identifiers import parse_arn
from residency_policies.rules_file import Rules
from residency_policies.values import get, is_unknown, walk

# The curated stores of user data marked ``protect`` in the generated data/data_bearing_types.txt.
DATA_BEARING_TYPES = PROTECTED_TYPES
OCI_BUCKET = "oci:ObjectStorage/bucket:Bucket"
OCI_REPLICATION_POLICY = "oci:ObjectStorage/replicationPolicy:ReplicationPolicy"
S3_VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
S3_OBJECT_LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"
_DAYS_PER = {"DAYS": 1, "YEARS": 365}


def check(resource: ResourceView, rules: Rules) -> Iterator[Finding]:
    if not resource.protect:
        yield Finding(
            "this data-bearing resource is not protected: `pulumi destroy` or a replacement would delete it; "
            "set protect=True"
        )


def check_stack(resources: list[ResourceView], rules: Rules) -> Iterator[Finding]:
    by_urn = {r.urn: r for r in resources}
    oci_buckets = [r for r in resources if r.type == OCI_BUCKET]
    for policy in (r for r in resources if r.type == OCI_REPLICATION_POLICY):
        for dest in _oci_destinations(policy, oci_buckets, by_urn):
            if dest is None:
                yield Finding(
                    "the replication destination bucket is not in this stack, so its retention cannot be verified",
                    urn=policy.urn,
                )
            else:
                yield from _judge_oci_backup_bucket(dest, rules)
    s3_buckets = [r for r in resources if r.type in S3_BUCKET_TYPES]
    backup_buckets: dict[str, ResourceView] = {}
    for r in resources:
        for path in S3_DESTINATION_PATHS.get(r.type, ()):
            top = path.split(".")[0].split("[")[0]
            for _, value in walk(r.props, path):
                for dest in _s3_targets(value, r.property_dependencies.get(top, ()), s3_buckets, by_urn):
                    backup_buckets[dest.urn] = dest
    for b in s3_buckets:
        if b.props.get("objectLockEnabled") is True:
            backup_buckets.setdefault(b.urn, b)
    for b in backup_buckets.values():
        yield from _judge_s3_backup_bucket(b, resources, rules)


def _oci_destinations(policy: ResourceView, buckets, by_urn) -> Iterator[ResourceView | None]:
    name = policy.props.get("destinationBucketName")
    if is_unknown(name):
        deps = [by_urn[u] for u in policy.property_dependencies.get("destinationBucketName", ()) if u in by_urn]
        found = [d for d in deps if d.type == OCI_BUCKET]
        yield from found or [None]
        return
    region = policy.props.get("destinationRegionName")
    matches = [b for b in buckets if b.props.get("name") == name]
    if len(matches) > 1 and isinstance(region, str):
        matches = [b for b in matches if b.provider is not None and b.provider.props.get("region") == region] or matches
    yield from matches or [None]


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


def _s3_targets(value, dep_urns, buckets, by_urn) -> list[ResourceView]:
    if is_unknown(value):
        return [by_urn[u] for u in dep_urns if u in by_urn and by_urn[u].type in S3_BUCKET_TYPES]
    arn = parse_arn(value)
    name = arn.resource if arn is not None else value
    return [b for b in buckets if b.props.get("bucket") == name]


def _refers(config: ResourceView, bucket: ResourceView) -> bool:
    if bucket.urn in config.property_dependencies.get("bucket", ()):
        return True
    name = config.props.get("bucket")
    return isinstance(name, str) and not is_unknown(name) and name == bucket.props.get("bucket")


def _judge_s3_backup_bucket(bucket: ResourceView, resources, rules: Rules) -> Iterator[Finding]:
    versioning = [get(bucket.props, "versioning.enabled")] + [
        get(r.props, "versioningConfiguration.status") for r in resources if r.type == S3_VERSIONING and _refers(r, bucket)
    ]
    if not any(v is True or v == "Enabled" or is_unknown(v) for v in versioning):
        yield Finding("backup bucket has no versioning: add a BucketVersioning with status Enabled", urn=bucket.urn)
    retentions = [get(bucket.props, "objectLockConfiguration.rule.defaultRetention")] + [
        get(r.props, "rule.defaultRetention") for r in resources if r.type == S3_OBJECT_LOCK and _refers(r, bucket)
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
        "versioning and Object Lock (COMPLIANCE) default retention of at least minimumRetentionDays."
    ),
    tags=["backup", "immutability", "residency"],
    framework=("US data residency", "1.0", "BAK-1"),
    resource_types=DATA_BEARING_TYPES,
    check=check,
    stack_check=check_stack,
)
