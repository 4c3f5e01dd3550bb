"""backup-coverage: every OCI bucket that is not itself a replication destination replicates elsewhere in the US.

A stack policy: bucket and ``ReplicationPolicy`` are separate resources, joined by bucket name (or by
property dependency when the name is unknown at preview). The destination must be a different allowed
region than the bucket's own (its provider's region): a copy in the same region is no regional backup.
"""

from __future__ import annotations

from collections.abc import Iterator

from residency_policies.framework import Finding, ResourceView, stack_policy
from residency_policies.provider_regions import effective_region
from residency_policies.rules.immutable_backups import OCI_BUCKET, OCI_REPLICATION_POLICY, _oci_destinations
from residency_policies.rules_file import Rules
from residency_policies.values import is_unknown


def _sources(policy: ResourceView, buckets: list[ResourceView]) -> list[ResourceView]:
    deps = set(policy.property_dependencies.get("bucket", ()))
    name = policy.props.get("bucket")
    return [b for b in buckets if b.urn in deps or (not is_unknown(name) and name is not None and b.props.get("name") == name)]


def check_stack(resources: list[ResourceView], rules: Rules) -> Iterator[Finding]:
    by_urn = {r.urn: r for r in resources}
    buckets = [r for r in resources if r.type == OCI_BUCKET]
    policies = [r for r in resources if r.type == OCI_REPLICATION_POLICY]
    destinations = {d.urn for p in policies for d in _oci_destinations(p, buckets, by_urn) if d is not None}
    # Joined once per policy: asking every policy about every bucket was O(buckets^2 x policies).
    replications_of: dict[str, list[ResourceView]] = {}
    for p in policies:
        for source in _sources(p, buckets):
            replications_of.setdefault(source.urn, []).append(p)
    for bucket in buckets:
        if bucket.urn in destinations:
            continue
        own = effective_region(bucket)
        own_region = own.region if own is not None else None
        replications = replications_of.get(bucket.urn, [])
        if not replications:
            yield Finding(
                "the bucket has no ReplicationPolicy to a bucket in another allowed region: a regional outage or "
                "deletion would lose the data",
                urn=bucket.urn,
            )
            continue
        verdicts = []
        for p in replications:
            region = p.props.get("destinationRegionName")
            if is_unknown(region):
                verdicts.append(("unknown", p))
            elif isinstance(region, str) and region in rules.allowed_regions_oci and region != own_region:
                verdicts.append(("ok", p))
            else:
                verdicts.append(("bad", p))
        if any(v == "ok" for v, _ in verdicts):
            continue
        if any(v == "unknown" for v, _ in verdicts):
            yield Finding("the destination region of the bucket's replication", urn=bucket.urn, path="destinationRegionName", unverifiable=True)
        else:
            yield Finding(
                f"the bucket replicates only to {sorted({str(p.props.get('destinationRegionName')) for _, p in verdicts})}; "
                f"it needs a destination in another allowed region than its own ({own_region})",
                urn=bucket.urn,
            )


POLICY = stack_policy(
    name="backup-coverage",
    description="Every OCI bucket that is not a replication destination replicates to another allowed (US) region.",
    severity="high",
    remediation=(
        "Add an oci.objectstorage.ReplicationPolicy from the bucket to a bucket in a different allowed region (the "
        "kit's RegionLockedBackup component does this), or make the bucket itself a replication destination."
    ),
    tags=["backup", "residency"],
    framework=("US data residency", "1.0", "BAK-2"),
    check=check_stack,
)
