"""backup-coverage: every OCI bucket and every database keeps a copy in another allowed (US) region.

A stack policy, because a copy is usually another resource:

* an OCI bucket that is not itself a replication destination needs a ``ReplicationPolicy`` (joined by bucket
  name, or by property dependency when the name is unknown at preview; ``analysis.backup_copies``) into another
  allowed region than its own;
* a database (the generated ``data/store_durability.txt`` lists each type's copy mechanisms) needs a copy in
  another allowed region than its own: an Autonomous Data Guard standby or a backup-based DR peer, a Data Guard
  association, MySQL and PostgreSQL cross-region backup copies, a DynamoDB replica, RDS cross-region automated
  backups or read replicas, an Aurora / DocumentDB / Neptune global cluster or replica cluster, a Redshift
  snapshot copy, a NoSQL table replica, or an AWS Backup plan copying to another region's vault. A replica or
  standby is itself a copy: its source is judged.

A copy whose region is unknown at preview fails closed and says which value is unknown. A copy in the same
region, or in a region the rules do not allow, is no regional backup (``us-region-replication`` and
``us-region-providers`` judge where data may go; this rule, whether a US copy exists). Findings follow the
data classification (``data_classification``): mandatory for US user data (untagged means US user data),
advisory for a store classified as holding none.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from residency_policies.analysis.backup_copies import (
    COPY_FIXES,
    OCI_BUCKET,
    RegionalCopy,
    is_copy,
    oci_replications,
    regional_copies,
)
from residency_policies.analysis.store_durability import STORE_PROFILES, StoreProfile, alternatives, unconfigured
from residency_policies.compliance import RESIDENCY
from residency_policies.data_classification import StackClassification, finding
from residency_policies.framework import Finding, ResourceView, stack_policy
from residency_policies.provider_regions import cloud_of_type, effective_region
from residency_policies.rules_file import Rules
from residency_policies.values import is_unknown

COPIED_TYPES = frozenset(t for t, p in STORE_PROFILES.items() if p.judged and p.kind == "database" and p.copies)


def check_stack(resources: Sequence[ResourceView], rules: Rules) -> Iterator[Finding]:
    classes = None
    buckets = [r for r in resources if r.type == OCI_BUCKET]
    if buckets:
        classes = StackClassification(resources, rules)
        replications = oci_replications(resources)
        destinations = {d.urn for rep in replications for d in rep.destinations if d is not None}
        # Joined once per policy: asking every policy about every bucket was O(buckets^2 x policies).
        replications_of: dict[str, list[ResourceView]] = {}
        for rep in replications:
            for source in rep.sources:
                replications_of.setdefault(source.urn, []).append(rep.via)
        for bucket in buckets:
            if bucket.urn in destinations:
                continue
            problem = _bucket_problem(bucket, replications_of.get(bucket.urn, []), rules)
            if problem is not None:
                message, path = problem
                yield finding(message, classes.of(bucket), urn=bucket.urn, path=path, unverifiable=path is not None)
    for r in resources:
        if r.type not in COPIED_TYPES or is_copy(r) or unconfigured(r):
            continue
        classes = classes or StackClassification(resources, rules)
        found = _database_problem(r, STORE_PROFILES[r.type], resources, rules)
        if found is not None:
            yield finding(found.message, classes.of(r), urn=r.urn, path=found.path, unverifiable=found.unverifiable)


def _bucket_problem(bucket: ResourceView, replications: list[ResourceView], rules: Rules) -> tuple[str, str | None] | None:
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


def copies_message(own_region: str | None, copies: Sequence[RegionalCopy], fixes: Sequence[str]) -> str:
    """No copy in another allowed region: what the stack shows instead, and what would be one."""
    here = f" ({own_region})" if own_region else ""
    if not copies:
        found = f"has no copy outside its own region{here}"
    else:
        where = ", ".join(f"{c.what} in {c.region}" for c in copies)
        found = f"keeps copies only in its own region or regions the rules do not allow ({where})"
    return (f"this database {found}: a regional outage would lose its data. Keep a copy in another allowed US region "
            f"with {alternatives(fixes)}")


def _database_problem(db: ResourceView, profile: StoreProfile, resources: Sequence[ResourceView], rules: Rules) -> Finding | None:
    cloud = cloud_of_type(db.type) or "oci"
    own = effective_region(db)
    own_region = own.region if own is not None else None
    allowed = rules.allowed_regions(cloud)
    copies = regional_copies(db, profile.region_lists, profile.copy_joins, resources)
    if any(c.region in allowed and c.region != own_region for c in copies if c.region is not None):
        return None
    unknown = next((c for c in copies if c.region is None), None)
    if unknown is not None:
        return Finding(f"whether this database's copy ({unknown.what}) is in another allowed US region", urn=db.urn,
                       unverifiable=True, path=unknown.unknown)
    fixes = [*(f"`{p}` set to another allowed region" for p in profile.region_lists),
             *(COPY_FIXES[j] for j in profile.copy_joins)]
    return Finding(copies_message(own_region, copies, fixes), urn=db.urn)


POLICY = stack_policy(
    name="backup-coverage",
    description="Every OCI bucket that is not a replication destination, and every database, keeps a copy in "
    "another allowed (US) region.",
    severity="high",
    remediation=(
        "Add an oci.objectstorage.ReplicationPolicy from the bucket to a bucket in a different allowed region (the "
        "kit's RegionLockedBackup component does this), or make the bucket itself a replication destination. Give "
        "each database a copy in another allowed region: an Autonomous Data Guard standby or backup-based DR peer "
        "(source CROSS_REGION_DATAGUARD / CROSS_REGION_DISASTER_RECOVERY, created with the backup region's "
        "provider), MySQL `backup_policy.copy_policies`, PostgreSQL `management_policy.backup_policy.copy_policy`, "
        "DynamoDB `replicas` or an aws.dynamodb.TableReplica, RDS cross-region automated backups or a read replica, "
        "an Aurora / DocumentDB / Neptune global cluster, a Redshift snapshot copy, or an AWS Backup plan copying to "
        "a vault in another allowed region. Mandatory for US user data; an untagged store is US user data. A store "
        "that holds none is classified with the tag dataClassification.tagKey (residency-data) set to one of "
        "otherValues (internal, public, ephemeral) (AWS `tags`, OCI `freeform_tags` or a defined tag), or, untagged "
        "on OCI, by its compartment (tagged so in the stack, or listed in dataClassification.nonDataCompartmentIds); "
        "its finding is then advisory."
    ),
    tags=["backup", "residency"],
    framework=RESIDENCY.control("BAK-2"),
    check=check_stack,
    resource_types=COPIED_TYPES | {OCI_BUCKET},
)
