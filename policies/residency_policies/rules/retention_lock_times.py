"""retention-lock-times: a retention lock being set is scheduled no sooner than its service allows.

A retention lock that is scheduled in the past, or sooner than the service accepts, is refused when the
deployment runs (after the preview passed) and leaves the data unlocked: OCI Object Storage locks a retention
rule no sooner than 14 days after it is set, OCI Recovery Service a protection policy likewise, and S3 Object
Lock needs a retain-until date in the future. The inputs that schedule a lock and each one's minimum are
generated from the SDK schemas (``data/store_durability.txt``, ``lock`` rows), with the documentation that
states the minimum.

Only locks being set are judged: on a resource being created (no known ``id``), and, on an OCI bucket that
exists, a retention rule the provider has not created yet (no known ``retentionRuleId``). A lock set earlier
is in the past by design once its time has come, and deployed state (``residency audit``) is never judged
here. The comparison allows one hour for the time between the program computing a lock time ("now + 14 days")
and this check. A lock time unknown at preview (computed by another resource) cannot be verified.

Findings follow the data classification: mandatory for US user data, advisory for data classified as none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from residency_policies.analysis.store_durability import LOCK_TIMES, LockTime, read
from residency_policies.compliance import RESIDENCY
from residency_policies.data_classification import StackClassification, finding
from residency_policies.framework import Finding, ResourceView, stack_policy
from residency_policies.rules_file import Rules
from residency_policies.values import is_unknown

GRACE = dt.timedelta(hours=1)
"""Time allowed between the program computing a lock time from the clock and this check reading it."""
_EXISTING_BLOCK_IDS = ("retentionRuleId",)


def parse_time(value: str) -> dt.datetime | None:
    """An RFC 3339 time (``Z`` or an offset; a date alone is midnight UTC), or None."""
    text = value.strip()
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


def lock_message(lock: LockTime, where: str, value: str, when: dt.datetime | None, now: dt.datetime) -> str | None:
    """What is wrong with one lock time (None: nothing), and the fix."""
    earliest = now + dt.timedelta(days=lock.min_days)
    ahead = (f"at least {lock.min_days} days ahead (after {earliest:%Y-%m-%dT%H:%MZ})" if lock.min_days
             else "in the future")
    fix = (f"Set it {ahead}, computed from the deployment time (and kept with ignore_changes once set, so later "
           "runs do not move it)")
    if when is None:
        return f"the retention lock time `{where}` = {value!r} is not an RFC 3339 time: the service refuses it. {fix}"
    if when < now:
        problem = "is in the past"
    elif when < earliest - GRACE:
        problem = f"is sooner than the service allows ({lock.min_days} days after the lock is set)"
    else:
        return None
    return (f"the retention lock time `{where}` = {value} {problem}: the service refuses it and the data stays "
            f"unlocked ({lock.evidence}). {fix}")


def _being_set(resource: ResourceView, lock: LockTime) -> list[tuple[str, object]]:
    """``(concrete path, value)`` of the lock times this deployment sets on ``resource``."""
    resource_id = resource.props.get("id")
    created = not (isinstance(resource_id, str) and resource_id and not is_unknown(resource_id))
    blocks, _, leaf = lock.path.rpartition(".")
    if not blocks:
        return read(resource, lock.path, stack_phase=True) if created else []
    out = []
    for where, block in read(resource, blocks, stack_phase=True):
        if not isinstance(block, dict) or leaf not in block:
            continue
        existing = any(isinstance(block.get(k), str) and block.get(k) and not is_unknown(block.get(k))
                       for k in _EXISTING_BLOCK_IDS)
        if created or not existing:
            out.append((f"{where}.{leaf}", block[leaf]))
    return out


def check_stack(resources: Sequence[ResourceView], rules: Rules, *, now: dt.datetime | None = None) -> Iterator[Finding]:
    now = now or dt.datetime.now(dt.UTC)
    classes = None
    for r in resources:
        for lock in LOCK_TIMES.get(r.type, ()):
            for where, value in _being_set(r, lock):
                if value is None or value == "":
                    continue
                classes = classes or StackClassification(resources, rules)
                if is_unknown(value):
                    yield finding(f"the retention lock time `{where}`", classes.of(r), urn=r.urn, path=where,
                                  unverifiable=True)
                    continue
                text = str(value)
                message = lock_message(lock, where, text, parse_time(text), now)
                if message is not None:
                    yield finding(message, classes.of(r), urn=r.urn)


POLICY = stack_policy(
    name="retention-lock-times",
    description="A retention lock being set is scheduled no sooner than its service allows (never in the past).",
    severity="medium",
    remediation=(
        "Schedule OCI Object Storage retention rule locks (`retention_rules[].time_rule_locked`) and OCI Recovery "
        "Service policy locks (`policy_locked_date_time`) at least 14 days after they are set, and S3 Object Lock "
        "retain-until dates (`object_lock_retain_until_date`) in the future: compute the time from the deployment "
        "time (the kit's RegionLockedBackup uses now + 14 days) and keep it with ignore_changes so that later runs "
        "do not move a lock that has taken effect. Mandatory for US user data; a resource classified as holding none "
        "(tag dataClassification.tagKey, residency-data, set to one of otherValues) gets the same finding as advisory."
    ),
    tags=["backup", "immutability", "residency"],
    framework=RESIDENCY.control("BAK-4"),
    check=check_stack,
    resource_types=LOCK_TIMES,
)
