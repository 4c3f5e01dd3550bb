"""retention-lock-times: a retention lock being set is scheduled no sooner than its service allows (issue 21 item 3).

The issue's hand-written retention rules locked at a time already in the past passed every rule; OCI refuses a
rule lock sooner than 14 days ahead. Fixture times are computed from the clock, as programs compute them.
"""

from __future__ import annotations

import datetime as dt

import pulumi
import pulumi_aws as aws
import pulumi_oci as oci

from residency_policies.analysis.store_durability import LOCK_TIMES
from residency_policies.rules import retention_lock_times
from residency_policies.rules.retention_lock_times import lock_message, parse_time
from residency_policies.rules_file import build_rules
from residency_policies.views import FrozenDict, ResourceView
from tests.policies.conftest import COMPARTMENT, KEY_IAD, flagged, judged, messages, urn

POLICY = "retention-lock-times"
BUCKET = "oci:ObjectStorage/bucket:Bucket"
OBJECT = "aws:s3/bucketObjectv2:BucketObjectv2"
PROTECTION_POLICY = "oci:RecoveryMod/protectionPolicy:ProtectionPolicy"
PROTECT = pulumi.ResourceOptions(protect=True)
NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)
BUCKET_LOCK = LOCK_TIMES[BUCKET][0]


def _in(days: float) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _bucket(name, lock, *, tags=None):
    return oci.objectstorage.Bucket(name, compartment_id=COMPARTMENT, namespace="ns", name=name, kms_key_id=KEY_IAD,
                                    freeform_tags=tags, opts=PROTECT, retention_rules=[oci.objectstorage.BucketRetentionRuleArgs(
                                        display_name="keep", time_rule_locked=lock,
                                        duration=oci.objectstorage.BucketRetentionRuleDurationArgs(time_amount=400,
                                                                                                   time_unit="DAYS"))])


def test_lock_messages_for_every_case():
    assert lock_message(BUCKET_LOCK, "retentionRules[0].timeRuleLocked", "2026-12-22T12:00:00Z",
                        parse_time("2026-12-22T12:00:00Z"), NOW) is None
    # The kit's own lock, computed as now + 14 days a moment before the check, passes.
    assert lock_message(BUCKET_LOCK, "w", "x", NOW + dt.timedelta(days=14, minutes=-5), NOW) is None
    past = lock_message(BUCKET_LOCK, "retentionRules[0].timeRuleLocked", "2026-01-01T00:00:00Z",
                        parse_time("2026-01-01T00:00:00Z"), NOW)
    assert past == (
        "the retention lock time `retentionRules[0].timeRuleLocked` = 2026-01-01T00:00:00Z is in the past: the service "
        "refuses it and the data stays unlocked (OCI Object Storage documentation: A mandatory 14-day delay exists "
        "before a rule is locked). Set it at least 14 days ahead (after 2026-12-21T12:00Z), computed from the "
        "deployment time (and kept with ignore_changes once set, so later runs do not move it)")
    soon = lock_message(BUCKET_LOCK, "w", "2026-12-12T00:00:00Z", parse_time("2026-12-12T00:00:00Z"), NOW)
    assert soon is not None and "= 2026-12-12T00:00:00Z is sooner than the service allows (14 days after the lock " \
                                "is set)" in soon
    bad = lock_message(BUCKET_LOCK, "w", "next year", None, NOW)
    assert bad is not None and bad.startswith("the retention lock time `w` = 'next year' is not an RFC 3339 time")
    s3 = LOCK_TIMES[OBJECT][0]
    assert lock_message(s3, "objectLockRetainUntilDate", "x", NOW + dt.timedelta(hours=1), NOW) is None
    assert "Set it in the future" in lock_message(s3, "objectLockRetainUntilDate", "x", NOW - dt.timedelta(days=1), NOW)


def test_parse_time_reads_rfc3339_forms():
    assert parse_time("2027-01-01T00:00:00Z") == dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    assert parse_time("2027-01-01T02:00:00+02:00") == dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    assert parse_time("2027-01-01") == dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    assert parse_time("01/01/2027") is None


def _program():
    _bucket("locked-later", _in(30))
    _bucket("locked-now-plus-14", _in(14))
    _bucket("locked-in-the-past", "2020-01-01T00:00:00Z")
    _bucket("locked-too-soon", _in(5))
    _bucket("scratch-too-soon", _in(5), tags={"residency-data": "ephemeral"})
    aws.s3.BucketObjectv2("record", bucket="records", key="r.json", content="{}", object_lock_mode="COMPLIANCE",
                          object_lock_retain_until_date="2021-06-01T00:00:00Z")
    aws.s3.BucketObjectv2("record-kept", bucket="records", key="k.json", content="{}", object_lock_mode="COMPLIANCE",
                          object_lock_retain_until_date=_in(400))
    oci.recoverymod.ProtectionPolicy("policy", backup_retention_period_in_days=95, compartment_id=COMPARTMENT,
                                     display_name="p", policy_locked_date_time="2025-01-01T00:00:00Z")


def test_lock_times_in_the_past_or_too_soon_are_flagged(preview):
    result = preview(_program)
    assert flagged(result, POLICY, level="mandatory") == {
        urn(BUCKET, "locked-in-the-past"), urn(BUCKET, "locked-too-soon"), urn(OBJECT, "record"),
        urn(PROTECTION_POLICY, "policy")}
    # Checkov-style: the resources the policy judged and passed, beside those it flagged
    assert judged(result, POLICY).passed == {
        urn("aws:s3/bucketObjectv2:BucketObjectv2", "record-kept"),
        urn("oci:ObjectStorage/bucket:Bucket", "locked-later"),
        urn("oci:ObjectStorage/bucket:Bucket", "locked-now-plus-14"),
    }
    assert flagged(result, POLICY, level="advisory") == {urn(BUCKET, "scratch-too-soon")}
    assert len(messages(result, POLICY)) == 5


def test_a_lock_time_unknown_at_preview_cannot_be_verified(preview):
    def program():
        seed = oci.identity.Compartment("seed", compartment_id=COMPARTMENT, description="seed")
        _bucket("computed", seed.time_created)

    result = preview(program)
    assert flagged(result, POLICY, level="mandatory") == {urn(BUCKET, "computed")}
    assert all("cannot be verified at preview: retentionRules[0].timeRuleLocked is unknown" in m
               for m in messages(result, POLICY))


def _view(name, props):
    return ResourceView(type=BUCKET, urn=urn(BUCKET, name), name=name, props=FrozenDict(props))


def test_only_locks_being_set_are_judged():
    """A bucket that exists keeps the lock it was created with, in the past once it has taken effect (the kit sets
    ignore_changes on it); a rule added to it now is judged; deployed state is never judged."""
    rules, errors = build_rules(None)
    assert errors == [] and rules is not None
    old = {"displayName": "keep", "timeRuleLocked": "2025-01-01T00:00:00Z", "retentionRuleId": "rule-1"}
    new = {"displayName": "more", "timeRuleLocked": "2025-01-01T00:00:00Z"}
    existing = _view("existing", {"id": "n/ns/b/existing", "retentionRules": [old]})
    extended = _view("extended", {"id": "n/ns/b/extended", "retentionRules": [old, new]})
    created = _view("created", {"retentionRules": [old]})
    found = list(retention_lock_times.check_stack([existing, extended, created], rules, now=NOW))
    assert [(f.urn.split("::")[-1], "retentionRules[1]" in f.message) for f in found] == [
        ("extended", True), ("created", False)]
