"""Backup copies over the stack: which bucket replicates into which.

The one home for the replication joins that ``immutable-backups``, ``backup-coverage`` and the data
classification (a copy holds what its source holds) read:

* OCI: a ``ReplicationPolicy`` names its source bucket (``bucket``) and its destination
  (``destinationBucketName`` in ``destinationRegionName``), joined by bucket name, or by property dependency
  when the name is unknown at preview;
* AWS: S3 replication rules on the bucket itself or in a ``BucketReplicationConfig`` name the destination
  bucket (an ARN or a name), joined the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from residency_policies.aws_identifiers import parse_arn
from residency_policies.rules.us_region_replication import S3_BUCKET_TYPES, S3_DESTINATION_PATHS
from residency_policies.values import is_unknown, walk
from residency_policies.views import ResourceView

OCI_BUCKET = "oci:ObjectStorage/bucket:Bucket"
OCI_REPLICATION_POLICY = "oci:ObjectStorage/replicationPolicy:ReplicationPolicy"


@dataclass(frozen=True)
class Replication:
    """One replication: the resource that configures it, its sources, and its destinations (None: not in the
    stack)."""

    via: ResourceView
    sources: tuple[ResourceView, ...]
    destinations: tuple[ResourceView | None, ...]


def _by_name(buckets: Iterable[ResourceView], key: str) -> dict[str, list[ResourceView]]:
    index: dict[str, list[ResourceView]] = {}
    for b in buckets:
        name = b.props.get(key)
        if isinstance(name, str) and not is_unknown(name):
            index.setdefault(name, []).append(b)
    return index


def oci_replications(resources: Iterable[ResourceView]) -> list[Replication]:
    resources = list(resources)
    by_urn = {r.urn: r for r in resources}
    buckets = _by_name((r for r in resources if r.type == OCI_BUCKET), "name")
    out = []
    for policy in (r for r in resources if r.type == OCI_REPLICATION_POLICY):
        out.append(Replication(policy, tuple(_oci_sources(policy, buckets, by_urn)),
                               tuple(_oci_destinations(policy, buckets, by_urn))))
    return out


def _oci_sources(policy: ResourceView, buckets, by_urn) -> list[ResourceView]:
    found = {u: by_urn[u] for u in policy.property_dependencies.get("bucket", ())
             if u in by_urn and by_urn[u].type == OCI_BUCKET}
    name = policy.props.get("bucket")
    if isinstance(name, str) and not is_unknown(name):
        found.update((b.urn, b) for b in buckets.get(name, ()))
    return list(found.values())


def _oci_destinations(policy: ResourceView, buckets, by_urn) -> list[ResourceView | None]:
    name = policy.props.get("destinationBucketName")
    if is_unknown(name):
        deps = [by_urn[u] for u in policy.property_dependencies.get("destinationBucketName", ()) if u in by_urn]
        return [d for d in deps if d.type == OCI_BUCKET] or [None]
    region = policy.props.get("destinationRegionName")
    matches = list(buckets.get(name, ())) if isinstance(name, str) else []
    if len(matches) > 1 and isinstance(region, str):
        matches = [b for b in matches if b.provider is not None and b.provider.props.get("region") == region] or matches
    return matches or [None]


def s3_replications(resources: Iterable[ResourceView]) -> list[Replication]:
    resources = list(resources)
    by_urn = {r.urn: r for r in resources}
    s3_buckets = [r for r in resources if r.type in S3_BUCKET_TYPES]
    buckets = _by_name(s3_buckets, "bucket")
    out = []
    for r in resources:
        paths = S3_DESTINATION_PATHS.get(r.type, ())
        if not paths:
            continue
        destinations: dict[str, ResourceView] = {}
        for path in paths:
            top = path.split(".")[0].split("[")[0]
            for _, value in walk(r.props, path):
                for dest in _s3_targets(value, r.property_dependencies.get(top, ()), buckets, by_urn):
                    destinations[dest.urn] = dest
        if destinations:
            sources = [r] if r.type in S3_BUCKET_TYPES else [b for b in s3_buckets if refers_to_bucket(r, b)]
            out.append(Replication(r, tuple(sources), tuple(destinations.values())))
    return out


def _s3_targets(value, dep_urns, buckets, by_urn) -> list[ResourceView]:
    if is_unknown(value):
        return [by_urn[u] for u in dep_urns if u in by_urn and by_urn[u].type in S3_BUCKET_TYPES]
    arn = parse_arn(value)
    name = arn.resource if arn is not None else value
    return list(buckets.get(name, ())) if isinstance(name, str) else []


def refers_to_bucket(config: ResourceView, bucket: ResourceView) -> bool:
    """True when a separate S3 bucket configuration resource (versioning, Object Lock, replication) is ``bucket``'s."""
    if bucket.urn in config.property_dependencies.get("bucket", ()):
        return True
    name = config.props.get("bucket")
    return isinstance(name, str) and not is_unknown(name) and name == bucket.props.get("bucket")
