"""LogArchive: audit, flow and firewall logs into a retention-locked, replicated US bucket pair."""

from __future__ import annotations

import dataclasses

import pulumi_oci as oci
import pytest

from residency_kit.components.arg_problems import ComponentArgsError
from residency_kit.components.oci.log_archive import (
    AUDIT_LOG_GROUP,
    TYPE_TOKEN,
    LogArchive,
    LogArchiveArgs,
    LogSource,
)
from residency_kit.engine.capture import capture
from tests.components.data_tier_fixtures import (
    AUDIT_CID,
    BACKUP,
    HOME,
    HOME_KEY,
    NOW,
    PHX_KEY,
    TAGS,
    TENANCY,
    children_of,
    mocks,
    provider_region,
)

LOG_GROUP = "ocid1.loggroup.oc1.iad.audit"
SOURCES = (LogSource("data-flow-log", LOG_GROUP, "ocid1.log.oc1.iad.dataflow", AUDIT_CID),
           LogSource("firewall-traffic-log", LOG_GROUP, "ocid1.log.oc1.iad.fwtraffic", AUDIT_CID))


def _args(home, backup, **overrides) -> LogArchiveArgs:
    base = LogArchiveArgs(
        home_region=HOME, backup_region=BACKUP, home_provider=home, backup_provider=backup, tenancy_ocid=TENANCY,
        compartment_id=AUDIT_CID, compartment_path="us-residency:audit", primary_key_id=HOME_KEY,
        primary_key_compartment_path="us-residency:security", backup_key_id=PHX_KEY,
        backup_key_compartment_path="us-residency:backup", auditor_group_name="us-residency-security-auditors",
        log_sources=SOURCES, tags=TAGS, now=NOW)
    return dataclasses.replace(base, **overrides)


def _run(**overrides):
    def program():
        home = oci.Provider("oci-home", region=HOME)
        backup = oci.Provider("oci-backup", region=BACKUP)
        LogArchive("logs", _args(home, backup, **overrides))

    return capture(program, mocks=mocks())


@pytest.fixture(scope="module")
def monitor():
    return _run()


def test_children(monitor):
    assert sorted((r.type, r.name) for r in children_of(monitor, TYPE_TOKEN)) == [
        ("oci:Identity/policy:Policy", "logs-policy"),
        ("oci:Sch/connector:Connector", "logs-connector"),
        ("residency:oci:ReplicatedBucket", "logs"),
    ]
    assert sorted(r.name for r in children_of(monitor, "residency:oci:ReplicatedBucket")) == [
        "logs-backup", "logs-primary", "logs-replication"]


def test_both_buckets_are_retention_locked_for_a_year_in_the_audit_compartment(monitor):
    for name, region, key in (("logs-primary", HOME, HOME_KEY), ("logs-backup", BACKUP, PHX_KEY)):
        bucket = monitor.named(name)
        assert provider_region(monitor, bucket) == region and bucket.inputs["kmsKeyId"] == key
        assert bucket.inputs["compartmentId"] == AUDIT_CID and bucket.protect is True
        (rule,) = bucket.inputs["retentionRules"]
        assert rule["duration"] == {"timeAmount": "365", "timeUnit": "DAYS"}
        assert rule["timeRuleLocked"] == "2030-01-15T12:00:00Z"
        assert bucket.ignore_changes == ["retentionRules[0].timeRuleLocked"]


def test_connector_moves_audit_flow_and_firewall_logs_into_the_archive(monitor):
    connector = monitor.named("logs-connector")
    assert provider_region(monitor, connector) == HOME
    assert connector.inputs["source"] == {"kind": "logging", "logSources": [
        {"compartmentId": TENANCY, "logGroupId": AUDIT_LOG_GROUP},
        {"compartmentId": AUDIT_CID, "logGroupId": LOG_GROUP, "logId": "ocid1.log.oc1.iad.dataflow"},
        {"compartmentId": AUDIT_CID, "logGroupId": LOG_GROUP, "logId": "ocid1.log.oc1.iad.fwtraffic"},
    ]}
    target = connector.inputs["target"]
    assert target["kind"] == "objectStorage" and target["bucket"] == "us-residency-log-archive"
    assert target["namespace"] == "usdatans"
    assert connector.inputs["state"] == "ACTIVE" and connector.inputs["compartmentId"] == AUDIT_CID


def test_policy_lets_the_connector_write_and_only_the_auditors_read(monitor):
    policy = monitor.named("logs-policy")
    assert policy.inputs["compartmentId"] == TENANCY
    statements = policy.inputs["statements"]
    both = "where any {target.bucket.name = 'us-residency-log-archive', target.bucket.name = 'us-residency-log-archive-backup'}"
    assert statements[0] == ("Allow any-user to manage objects in compartment us-residency:audit where all "
                             "{request.principal.type = 'serviceconnector', target.bucket.name = 'us-residency-log-archive'}")
    assert statements[-2:] == [
        f"Allow group us-residency-security-auditors to read buckets in compartment us-residency:audit {both}",
        f"Allow group us-residency-security-auditors to read objects in compartment us-residency:audit {both}",
    ]
    readers = [s for s in statements if " to read " in s]
    assert all(s.startswith("Allow group us-residency-security-auditors ") for s in readers)
    for name in ("logs-primary", "logs-backup", "logs-connector"):
        assert policy.mock_urn in monitor.named(name).dependencies


def test_outputs_are_registered(monitor):
    (component,) = monitor.of_type(TYPE_TOKEN)
    outputs = monitor.resource_outputs[component.mock_urn]
    assert outputs["bucketName"] == "us-residency-log-archive" and outputs["retentionDays"] == 365
    assert outputs["connectorId"] == "logs-connector-id" and outputs["policyId"] == "logs-policy-id"


def test_retention_is_configurable_upward_only():
    monitor = _run(retention_days=730)
    (rule,) = monitor.named("logs-backup").inputs["retentionRules"]
    assert rule["duration"]["timeAmount"] == "730"
    with pytest.raises(ComponentArgsError) as raised:
        _run(retention_days=180)
    assert str(raised.value).splitlines() == [
        "invalid LogArchiveArgs for 'logs' (1 problem(s)):",
        "  - LogArchiveArgs.retention_days: 180 is below the minimum retention of 365 days; allowed: 365 or more",
    ]


def test_the_estate_minimum_raises_the_floor():
    with pytest.raises(ComponentArgsError, match="retention_days: 400 is below the minimum retention of 500 days"):
        _run(minimum_retention_days=500, retention_days=400)


def test_every_problem_in_one_error():
    with pytest.raises(ComponentArgsError) as raised:
        _run(backup_region="eu-frankfurt-1", auditor_group_name="", compartment_path="us residency",
             log_sources=SOURCES + (SOURCES[0],))
    lines = str(raised.value).splitlines()
    assert lines[0] == "invalid LogArchiveArgs for 'logs' (5 problem(s)):"
    assert [line.split(":", 1)[0] for line in lines[1:]] == [
        # A Phoenix key for a Frankfurt bucket is refused as well as the region itself.
        "  - LogArchiveArgs.backup_region", "  - LogArchiveArgs.backup_key_id", "  - LogArchiveArgs.compartment_path",
        "  - LogArchiveArgs.auditor_group_name", "  - LogArchiveArgs.log_sources[2].label"]
