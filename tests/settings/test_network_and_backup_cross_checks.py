"""Cross-field checks between the parent-company identifiers and the network / backup sections."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from residency_kit.settings import SettingsError, parse_settings

STACK = Path(__file__).resolve().parents[2] / "stacks" / "Pulumi.us-prod.yaml"


def _config(**overrides: object) -> dict[str, str]:
    raw = yaml.safe_load(STACK.read_text())["config"]
    raw.update({f"residency:{k}": v for k, v in overrides.items()})
    return {k: json.dumps(v) if isinstance(v, (dict, list)) else str(v)
            for k, v in raw.items() if k.startswith("residency:")}


def _issues(config: dict[str, str]) -> dict[str, str]:
    with pytest.raises(SettingsError) as caught:
        parse_settings(config)
    return {issue.key: issue.message for issue in caught.value.issues}


def test_default_route_through_nat_is_refused_because_it_overlaps_the_parent_ranges():
    network = yaml.safe_load(STACK.read_text())["config"]["residency:network"]
    network.update(enableNatGateway=True, natRouteCidrs=["0.0.0.0/0", "192.0.2.0/24"])
    issues = _issues(_config(network=network))
    assert list(issues) == ["residency:network.natRouteCidrs[0]"]
    assert "overlaps parent-company range(s) 203.0.113.0/24" in issues["residency:network.natRouteCidrs[0]"]


def test_peering_to_an_untrusted_tenancy_is_refused():
    network = yaml.safe_load(STACK.read_text())["config"]["residency:network"]
    network["drg"] = {
        "enabled": True,
        "remotePeerings": [{
            "name": "oversight",
            "peerId": "ocid1.remotepeeringconnection.oc1.iad.aaaaaaaaexamplepeer",
            "peerRegionName": "us-ashburn-1",
            "peerTenancyId": "ocid1.tenancy.oc1..aaaaaaaaparentexample000000000000000000000000000000000000",
            "peerCidrs": ["192.0.2.0/24"],
        }],
    }
    issues = _issues(_config(network=network))
    assert list(issues) == ["residency:network.drg.remotePeerings[0].peerTenancyId"]
    assert "is neither an estate nor a trusted tenancy" in issues["residency:network.drg.remotePeerings[0].peerTenancyId"]


def test_retention_below_the_minimum_is_refused_in_every_backup_setting():
    backup = {
        "retentionDays": 30,
        "awsCopy": {"enabled": True, "region": "us-east-2", "replicaRegion": "us-west-2", "retentionDays": 364},
        "volumeBackupSchedules": [{"retentionDays": 7}],
    }
    issues = _issues(_config(backup=backup))
    assert set(issues) == {
        "residency:backup.retentionDays",
        "residency:backup.awsCopy.retentionDays",
        "residency:backup.volumeBackupSchedules[0].retentionDays",
    }
    assert all("below residency:minimumRetentionDays (365)" in m for m in issues.values())


def test_the_stacks_as_committed_are_valid():
    assert parse_settings(_config()).backup.aws_copy.enabled is True


def test_peering_to_another_estate_tenancy_is_accepted():
    # The estate's own tenancies (dev, a second production tenancy) are as much the estate as the home one:
    # the pack's no-untrusted-peering accepts them, so the settings do too.
    estate_tenancy = "ocid1.tenancy.oc1..aaaaaaaasecondestate000000000000000000000000000000000000"
    network = yaml.safe_load(STACK.read_text())["config"]["residency:network"]
    network["drg"] = {
        "enabled": True,
        "remotePeerings": [{
            "name": "second-estate",
            "peerId": "ocid1.remotepeeringconnection.oc1.phx.aaaaaaaaexamplepeer",
            "peerRegionName": "us-phoenix-1",
            "peerTenancyId": estate_tenancy,
            "peerCidrs": ["10.60.0.0/16"],
        }],
    }
    estate = yaml.safe_load(STACK.read_text())["config"]["residency:estate"]
    estate["ociTenancyIds"] = [*estate.get("ociTenancyIds", []), estate_tenancy]
    settings = parse_settings(_config(network=network, estate=estate))
    assert settings.network.drg.remote_peerings[0].peer_tenancy_id == estate_tenancy
