"""backup-coverage: every OCI bucket that is not itself a replication destination replicates elsewhere in the US.

A stack policy: bucket and ``ReplicationPolicy`` are separate resources, joined by bucket name (or by
property dependency when the name is unknown at preview; ``analysis.backup_copies``). The destination must be
a different allowed region than the bucket's own (its provider's region): a copy in the same region is no
regional backup. Findings follow the data classification (``data_classification``): mandatory for US user
data (untagged means US user data), advisory for a bucket classified as holding none.
"""

from __future__ import annotations

from collections.abc import Iterator

from residency_policies.analysis.backup_copies import OCI_BUCKET, oci_replications
from residency_policies.data_classification import StackClassification, finding
from residency_policies.framework import Finding, ResourceView, stack_policy
from residency_policies.provider_regions import effective_region
from residency_policies.rules_file import Rules
from residency_policies.values import is_unknown


def check_stack(resources: list[ResourceView], rules: Rules) -> Iterator[Finding]:
    replications = oci_replications(resources)
    destinations = {d.urn for rep in replications for d in rep.destinations if d is not None}
    # Joined once per policy: asking every policy about every bucket was O(buckets^2 x policies).
    replications_of: dict[str, list[ResourceView]] = {}
    for rep in replications:
        for source in rep.sources:
            replications_of.setdefault(source.urn, []).append(rep.via)
    classes = StackClassification(resources, rules)
    for bucket in (r for r in resources if r.type == OCI_BUCKET):
        if bucket.urn in destinations:
            continue
        problem = _problem(bucket, replications_of.get(bucket.urn, []), rules)
        if problem is not None:
            message, path = problem
            yield finding(message, classes.of(bucket), urn=bucket.urn, path=path, unverifiable=path is not None)


def _problem(bucket: ResourceView, replications: list[ResourceView], rules: Rules) -> tuple[str, str | None] | None:
    """What is wrong with the bucket's regional backup, and the unknown value that hides it (None: nothing)."""
    own = effective_region(bucket)
    own_region = own.region if own is not None else None
    if not replications:
        return ("the bucket has no ReplicationPolicy to a bucket in another allowed region: a regional outage or "
                "deletion would lose the data", None)
    verdicts = []
    for p in replications:
        region = p.props.get("destinationRegionName")
        if is_unknown(region):
            verdicts.append("unknown")
        elif isinstance(region, str) and region in rules.allowed_regions_oci and region != own_region:
            verdicts.append("ok")
        else:
            verdicts.append("bad")
    if "ok" in verdicts:
        return None
    if "unknown" in verdicts:
        return "the destination region of the bucket's replication", "destinationRegionName"
    regions = sorted({str(p.props.get("destinationRegionName")) for p in replications})
    return (f"the bucket replicates only to {regions}; it needs a destination in another allowed region than its "
            f"own ({own_region})", None)


POLICY = stack_policy(
    name="backup-coverage",
    description="Every OCI bucket that is not a replication destination replicates to another allowed (US) region.",
    severity="high",
    remediation=(
        "Add an oci.objectstorage.ReplicationPolicy from the bucket to a bucket in a different allowed region (the "
        "kit's RegionLockedBackup component does this), or make the bucket itself a replication destination. "
        "Mandatory for US user data; an untagged bucket is US user data. A bucket that holds none is classified "
        "with the tag dataClassification.tagKey (residency-data) set to one of otherValues (internal, public, "
        "ephemeral) in `freeform_tags` or as a defined tag, or, untagged, by its compartment (tagged so in the "
        "stack, or listed in dataClassification.nonDataCompartmentIds); its finding is then advisory."
    ),
    tags=["backup", "residency"],
    framework=("US data residency", "1.0", "BAK-2"),
    check=check_stack,
)
