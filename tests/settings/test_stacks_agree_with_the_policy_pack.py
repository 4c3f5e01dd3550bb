"""The kit's stacks give the policy pack the same parties the program builds with: one source of rules.

The program's settings and the pack both read the stack's `residency:` config (the engine sends it to the pack
with ConfigureStack); the pack lays it over its own rules file, which holds only the kit's floor. What the pack
enforces for each stack is therefore exactly what the stack names: its parent ranges, tenancies and accounts,
its estate (the stack's own tenancy included) and its trusted parties, with nothing loosened.
"""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path

import pytest
import yaml

from residency_kit.engine.pack_rules import rules_in_force
from residency_kit.settings import parse_settings

ROOT = Path(__file__).resolve().parents[2]


def _config(stack: str) -> dict[str, str]:
    raw = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text())["config"]
    return {k: json.dumps(v) if isinstance(v, (dict, list)) else str(v) for k, v in raw.items()}


@pytest.mark.parametrize("stack", ["dev", "us-prod"])
def test_the_pack_enforces_exactly_the_parties_of_the_stack(stack):
    config = _config(stack)
    settings = parse_settings({k: v for k, v in config.items() if k.startswith("residency:")})
    rules = rules_in_force("us-data-residency", ROOT / "policies", {}, stack_config=config, stack=stack)
    assert rules is not None and rules.errors == ()
    values = rules.values
    parent = values["parentCompany"]
    assert {ipaddress.ip_network(c) for c in parent["cidrs"]} == set(settings.parent_company.cidrs)
    assert parent["ociTenancyIds"] == sorted(t.lower() for t in settings.parent_company.oci_tenancy_ids)
    assert parent["awsAccountIds"] == sorted(settings.parent_company.aws_account_ids)
    assert values["estate"]["ociTenancyIds"] == sorted(t.lower() for t in settings.estate_tenancy_ids)
    assert values["estate"]["awsAccountIds"] == sorted(settings.estate.aws_account_ids)
    assert values["trusted"]["awsAccountIds"] == sorted(settings.trusted.aws_account_ids)
    assert set(values["allowedRegions"]["oci"]) == set(settings.allowed_regions.oci)
    assert values["minimumRetentionDays"] == settings.minimum_retention_days
    # Every source is named with its digest: the pack's floor, then the stack's own file.
    assert [s.kind for s in rules.sources] == ["pack rules file", "stack config"]
    assert all(s.digest.startswith("sha256:") for s in rules.sources)
