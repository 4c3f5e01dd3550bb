"""``residency:oci:ReplicatedBucket``: one bucket of US data, replicated to a retention-locked bucket in a second
US region and nowhere else.

The general form of the pair ``RegionLockedBackup`` has always built, for any data (uploads, exports, log
archives): the primary bucket in the home region, versioned and encrypted with a key of the home region; its
only copy a bucket in the backup region, encrypted with a key of that region and held by a locked retention
rule; one replication policy between them. Keys are passed in (the estate has one vault per region), so a
second bucket brings no second vault, no volume-backup policy and, unless asked for, no IAM policy.

OCI rules that shape it:

- A replication destination is read-only and refuses versioning ("Object Versioning"), so the backup bucket
  relies on its locked retention rule instead.
- A retention rule's lock takes effect no sooner than 14 days after it is set ("Creating an Object Storage
  Retention Rule"). The lock time is the construction time plus ``retention_lock_delay_days`` (at least 14);
  it is sent at creation and then ignored (``ignore_changes``), so later runs neither move it nor send a time
  that has passed.
- The primary may carry a retention rule of its own (``primary_retention_days``, unlocked): a bucket with a
  retention rule refuses deletes and overwrites of objects younger than the rule, which suits append-only
  data such as log archives.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import cast
from dataclasses import dataclass, field

import pulumi
import pulumi_oci as oci

from residency_kit.components.arg_problems import ArgProblems
from residency_kit.settings.backup import OCI_BUCKET_NAME, OCI_RULE_LOCK_MIN_DELAY_DAYS
from residency_policies.oci_identifiers import ocid_region, parse_ocid
from residency_policies.region_tables import OCI_REGIONS, OCI_US_COMMERCIAL_REGIONS, OCI_US_REGIONS

TYPE_TOKEN = "residency:oci:ReplicatedBucket"
ARGS = "ReplicatedBucketArgs"
# OCI accepts retention rule durations up to 36,500 days (100 years).
MAX_RETENTION_DAYS = 36_500
COMPARTMENT_PATH = re.compile(r"^[A-Za-z0-9_.-]{1,100}(:[A-Za-z0-9_.-]{1,100})*$")
_BUCKET_NAME = re.compile(OCI_BUCKET_NAME)


@dataclass
class ReplicatedBucketArgs:
    """Inputs of ``ReplicatedBucket``. Regions and bucket names are plain strings so they can be checked here."""

    home_region: str
    """Region of the primary bucket; must be the region of ``home_provider``."""
    backup_region: str
    """Region of the backup bucket; must be the region of ``backup_provider``."""
    home_provider: oci.Provider
    backup_provider: oci.Provider
    compartment_id: pulumi.Input[str]
    """Compartment of the primary bucket."""
    backup_compartment_id: pulumi.Input[str]
    """Compartment of the backup bucket (compartments are global: it may be the same one)."""
    primary_key_id: pulumi.Input[str]
    """Master key of a vault in the home region."""
    backup_key_id: pulumi.Input[str]
    """Master key of a vault in the backup region (OCI keys are regional: a bucket uses a key of its own region)."""
    primary_bucket_name: str
    backup_bucket_name: str
    minimum_retention_days: int
    """The estate's minimum retention (``residency:minimumRetentionDays``)."""
    retention_days: int | None = None
    """Retention of the backup bucket's locked rule; None means ``minimum_retention_days``. Only upward."""
    primary_retention_days: int | None = None
    """A retention rule on the primary too; None: none, objects there may be replaced and deleted."""
    lock_primary_retention: bool = False
    """Lock the primary's rule as the backup's is locked (append-only data such as a log archive)."""
    retention_lock_delay_days: int = OCI_RULE_LOCK_MIN_DELAY_DAYS
    namespace: pulumi.Input[str] | None = None
    """Object Storage namespace; None looks it up with ``oci:objectstorage/getNamespace``."""
    allowed_regions: Sequence[str] = OCI_US_COMMERCIAL_REGIONS
    tags: Mapping[str, str] = field(default_factory=lambda: {"jurisdiction": "US"})
    policy_compartment_id: pulumi.Input[str] | None = None
    """Attach an IAM policy letting Object Storage use the two keys and replicate this pair (the tenancy OCID).
    None (the default): the estate grants that elsewhere, once for all its buckets."""
    compartment_path: str | None = None
    """Path of ``compartment_id`` from the policy's compartment (``us-residency:data``); needed with a policy."""
    backup_compartment_path: str | None = None
    """Path of ``backup_compartment_id``; needed with a policy."""
    primary_key_compartment_path: str | None = None
    """Path of the compartment holding ``primary_key_id``; needed with a policy."""
    backup_key_compartment_path: str | None = None
    """Path of the compartment holding ``backup_key_id``; needed with a policy."""
    now: dt.datetime | None = None
    """Clock for the retention lock time (tests pin it); None means the current UTC time."""


def validation_problems(args: ReplicatedBucketArgs) -> ArgProblems:
    """Every problem with ``args``: regions, retention (upward only), lock delay, names, key regions, paths."""
    problems = ArgProblems(ARGS)
    region_pair_problems(problems, args.home_region, args.backup_region, args.allowed_regions)
    for name in ("retention_days", "primary_retention_days"):
        retention_problems(problems, name, getattr(args, name), args.minimum_retention_days)
    if args.lock_primary_retention and args.primary_retention_days is None:
        problems.add("lock_primary_retention", True, "is set but primary_retention_days is None",
                     "a primary retention to lock, or lock_primary_retention=False")
    if args.retention_lock_delay_days < OCI_RULE_LOCK_MIN_DELAY_DAYS:
        problems.add("retention_lock_delay_days", args.retention_lock_delay_days,
                     "is shorter than OCI's mandatory rule-lock delay", f"{OCI_RULE_LOCK_MIN_DELAY_DAYS} or more")
    for name in ("primary_bucket_name", "backup_bucket_name"):
        value = getattr(args, name)
        if not (isinstance(value, str) and _BUCKET_NAME.match(value)):
            problems.add(name, value, "is not an OCI bucket name",
                         "1-256 letters, digits, '-', '_' and '.'")
    if args.primary_bucket_name == args.backup_bucket_name:
        problems.add("backup_bucket_name", args.backup_bucket_name, "equals primary_bucket_name",
                     "a different name (a namespace holds one bucket of each name)")
    key_problems(problems, (("primary_key_id", args.primary_key_id, args.home_region),
                            ("backup_key_id", args.backup_key_id, args.backup_region)))
    path_problems(problems, args.policy_compartment_id,
                  ("compartment_path", "backup_compartment_path", "primary_key_compartment_path",
                   "backup_key_compartment_path"), args)
    return problems


def region_pair_problems(problems: ArgProblems, home_region: str, backup_region: str,
                         allowed_regions: Iterable[str], other_region: str | None = None) -> None:
    """``home_region`` and ``backup_region`` must be allowed US OCI regions, and two of them; ``other_region`` says
    what to give as the backup region instead (by default, the other allowed regions)."""
    allowed = [r for r in allowed_regions if r in OCI_US_REGIONS]
    for name, region in (("home_region", home_region), ("backup_region", backup_region)):
        if region not in allowed:
            problems.add(name, region, "is not an allowed US OCI region", ", ".join(allowed))
    if backup_region == home_region:
        others = ", ".join(r for r in allowed if r != home_region)
        problems.add("backup_region", backup_region, "equals home_region",
                     other_region or f"another allowed US region ({others})")


def retention_problems(problems: ArgProblems, name: str, days: int | None, minimum: int,
                       maximum: int = MAX_RETENTION_DAYS) -> None:
    """Retention is configurable upward only: from the estate's minimum to the service's maximum."""
    if days is None:
        return
    if days < minimum:
        problems.add(name, days, f"is below the minimum retention of {minimum} days", f"{minimum} or more")
    elif days > maximum:
        problems.add(name, days, f"is above the service's maximum of {maximum} days", f"{minimum} to {maximum}")


def key_problems(problems: ArgProblems, keys: Sequence[tuple[str, object, str]]) -> None:
    """A key OCID known now must name the region of the store it encrypts. Outputs (keys created in the same
    program) are left to the policy pack, which reads them once they exist."""
    for name, key_id, region in keys:
        if isinstance(key_id, str) and ocid_region(key_id).region != region:
            short = OCI_REGIONS[region][0].lower() if region in OCI_REGIONS else region
            found = getattr(parse_ocid(key_id), "region", "") or "(none)"
            problems.add(name, key_id, f"is a key of region {found!r}, not of {region}",
                         f"a key OCID of the form ocid1.key.<realm>.{short}.<...> (a vault in {region})")


def path_problems(problems: ArgProblems, policy_compartment_id: object, names: Sequence[str], args: object) -> None:
    """Compartment paths: required while a policy is written, and always of the form ``a:b``."""
    for name in names:
        path = getattr(args, name)
        if path is None:
            if policy_compartment_id is not None:
                problems.add(name, None, "while policy_compartment_id is set",
                             "the compartment's path from the policy's compartment, e.g. us-residency:data")
        elif not (isinstance(path, str) and COMPARTMENT_PATH.match(path)):
            problems.add(name, path, "is not a compartment path", "compartment names joined by ':', e.g. us-residency:data")


def use_key_statement(service: str, compartment_path: str, key_id: pulumi.Input[str] | None) -> str:
    statement = f"Allow service {service} to use keys in compartment {compartment_path}"
    # A key OCID known now narrows the grant to that key; a key created in this run is only known after
    # creation, and an OCID-less statement keeps the policy readable at preview.
    if isinstance(key_id, str):
        statement += f" where target.key.id = '{key_id}'"
    return statement


def policy_statements(args: ReplicatedBucketArgs) -> list[str]:
    """Each region's Object Storage service may use the key of its own bucket; the home region's service (which
    runs replication) may manage objects of these two buckets only ("Object Storage Replication")."""
    home_service = f"objectstorage-{args.home_region}"
    backup_service = f"objectstorage-{args.backup_region}"
    return [
        use_key_statement(home_service, str(args.primary_key_compartment_path), args.primary_key_id),
        use_key_statement(backup_service, str(args.backup_key_compartment_path), args.backup_key_id),
        f"Allow service {home_service} to manage object-family in compartment {args.compartment_path} "
        f"where target.bucket.name = '{args.primary_bucket_name}'",
        f"Allow service {home_service} to manage object-family in compartment {args.backup_compartment_path} "
        f"where target.bucket.name = '{args.backup_bucket_name}'",
    ]


def rfc3339(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def retention_rule(display_name: str, days: int, lock_time: str | None) -> oci.objectstorage.BucketRetentionRuleArgs:
    return oci.objectstorage.BucketRetentionRuleArgs(
        display_name=display_name,
        duration=oci.objectstorage.BucketRetentionRuleDurationArgs(time_amount=str(days), time_unit="DAYS"),
        time_rule_locked=lock_time,
    )


def _resources(depends_on: object) -> list[pulumi.Resource]:
    if depends_on is None:
        return []
    if isinstance(depends_on, pulumi.Resource):
        return [depends_on]
    return [d for d in cast(Iterable[object], depends_on) if isinstance(d, pulumi.Resource)]


class ReplicatedBucket(pulumi.ComponentResource):
    """A home-region bucket whose only copy is a retention-locked bucket in the backup region."""

    namespace: pulumi.Output[str]
    primary_bucket_name: pulumi.Output[str]
    primary_bucket_id: pulumi.Output[str]
    backup_bucket_name: pulumi.Output[str]
    backup_bucket_id: pulumi.Output[str]
    replication_policy_id: pulumi.Output[str]
    policy_id: pulumi.Output[str] | None
    retention_days: int

    def __init__(self, name: str, args: ReplicatedBucketArgs, opts: pulumi.ResourceOptions | None = None):
        validation_problems(args).raise_if_any(name)
        super().__init__(TYPE_TOKEN, name, None, opts)
        tags = dict(args.tags)
        # The engine does not make a component's children wait for what the component depends on: a caller's
        # depends_on (grants the buckets need, say) is passed on to every child here.
        caller_after = _resources(opts.depends_on if opts is not None else None)
        home = pulumi.ResourceOptions(parent=self, provider=args.home_provider, depends_on=caller_after or None)
        backup = pulumi.ResourceOptions(parent=self, provider=args.backup_provider, depends_on=caller_after or None)
        self.retention_days = args.retention_days or args.minimum_retention_days

        namespace = args.namespace
        if namespace is None:
            namespace = oci.objectstorage.get_namespace_output(
                compartment_id=args.compartment_id,
                opts=pulumi.InvokeOutputOptions(parent=self, provider=args.home_provider),
            ).namespace

        policy = None
        if args.policy_compartment_id is not None:
            policy = oci.identity.Policy(
                f"{name}-objectstorage-policy",
                compartment_id=args.policy_compartment_id,
                name=f"{name}-objectstorage",
                description=f"Object Storage may use the keys of, and replicate, {args.primary_bucket_name} "
                            "to its US backup bucket (residency kit)",
                # Plain strings only: the policy pack must read every statement at preview.
                statements=policy_statements(args),
                freeform_tags=tags,
                opts=home,
            )
        after_policy = [policy] if policy is not None else []

        lock_time = rfc3339((args.now or dt.datetime.now(dt.UTC))
                            + dt.timedelta(days=args.retention_lock_delay_days))
        primary_rules = None
        if args.primary_retention_days is not None:
            primary_rules = [retention_rule("residency-primary-retention", args.primary_retention_days,
                                            lock_time if args.lock_primary_retention else None)]
        primary = oci.objectstorage.Bucket(
            f"{name}-primary",
            compartment_id=args.compartment_id,
            namespace=namespace,
            name=args.primary_bucket_name,
            access_type="NoPublicAccess",
            versioning="Enabled",
            kms_key_id=args.primary_key_id,
            object_events_enabled=True,
            retention_rules=primary_rules,
            freeform_tags={**tags, "residency-role": "primary"},
            opts=pulumi.ResourceOptions.merge(home, pulumi.ResourceOptions(
                protect=True, depends_on=after_policy,
                ignore_changes=["retentionRules[0].timeRuleLocked"] if args.lock_primary_retention else None)),
        )

        backup_bucket = oci.objectstorage.Bucket(
            f"{name}-backup",
            compartment_id=args.backup_compartment_id,
            namespace=namespace,
            name=args.backup_bucket_name,
            access_type="NoPublicAccess",
            # OCI refuses versioning on a replication destination; the locked retention rule protects it.
            versioning="Disabled",
            kms_key_id=args.backup_key_id,
            object_events_enabled=True,
            retention_rules=[retention_rule("residency-minimum-retention", self.retention_days, lock_time)],
            freeform_tags={**tags, "residency-role": "backup"},
            opts=pulumi.ResourceOptions.merge(backup, pulumi.ResourceOptions(
                protect=True,
                depends_on=after_policy,
                # Computed from the clock at creation: later runs must not try to move a (soon) locked rule.
                ignore_changes=["retentionRules[0].timeRuleLocked"],
            )),
        )

        replication = oci.objectstorage.ReplicationPolicy(
            f"{name}-replication",
            bucket=primary.name,
            namespace=namespace,
            name=f"{name}-to-{args.backup_region}",
            destination_bucket_name=backup_bucket.name,
            destination_region_name=args.backup_region,
            opts=pulumi.ResourceOptions.merge(home, pulumi.ResourceOptions(depends_on=after_policy)),
        )

        self.namespace = pulumi.Output.from_input(namespace)
        self.primary_bucket_name = primary.name
        self.primary_bucket_id = primary.id
        self.backup_bucket_name = backup_bucket.name
        self.backup_bucket_id = backup_bucket.id
        self.replication_policy_id = replication.id
        self.policy_id = policy.id if policy is not None else None
        outputs: dict[str, object] = {
            "namespace": self.namespace,
            "primaryBucketName": self.primary_bucket_name,
            "primaryBucketId": self.primary_bucket_id,
            "backupBucketName": self.backup_bucket_name,
            "backupBucketId": self.backup_bucket_id,
            "replicationPolicyId": self.replication_policy_id,
            "retentionDays": self.retention_days,
        }
        if self.policy_id is not None:
            outputs["policyId"] = self.policy_id
        self.register_outputs(outputs)
