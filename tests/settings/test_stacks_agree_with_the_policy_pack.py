"""The kit's stacks and the policy pack's rules file describe the same parties and limits.

The program reads its identifiers from stack config; the pack, which must stay self-contained, reads its
own `policies/residency.yaml`. A parent-company range that the stack blocks but the pack does not know
would go unchecked on every deploy, so the two are compared here.
"""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path

import pytest
import yaml

from residency_kit.settings import parse_settings

ROOT = Path(__file__).resolve().parents[2]
RULES = yaml.safe_load((ROOT / "policies" / "residency.yaml").read_text())


def _settings(stack: str):
    raw = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text())["config"]
    return parse_settings({k: json.dumps(v) if isinstance(v, (dict, list)) else str(v)
                           for k, v in raw.items() if k.startswith("residency:")})


@pytest.mark.parametrize("stack", ["dev", "us-prod"])
def test_the_pack_knows_every_parent_company_identifier_of_the_stack(stack):
    parent = _settings(stack).parent_company
    rules = RULES["parentCompany"]
    assert {ipaddress.ip_network(c) for c in parent.cidrs} <= {ipaddress.ip_network(c) for c in rules["cidrs"]}
    assert {t.lower() for t in parent.oci_tenancy_ids} <= {t.lower() for t in rules["ociTenancyIds"]}
    assert set(parent.aws_account_ids) <= set(rules["awsAccountIds"])
    assert set(parent.aws_organization_ids) <= set(rules["awsOrganizationIds"])


@pytest.mark.parametrize("stack", ["dev", "us-prod"])
def test_the_stack_trusts_and_allows_no_more_than_the_pack(stack):
    settings = _settings(stack)
    trusted = RULES["trusted"]
    assert set(settings.trusted.oci_tenancy_ids) <= set(trusted["ociTenancyIds"])
    assert set(settings.trusted.aws_account_ids) <= set(trusted["awsAccountIds"])
    assert set(settings.trusted.aws_organization_ids) <= set(trusted["awsOrganizationIds"])
    assert set(settings.allowed_regions.oci) <= set(RULES["allowedRegions"]["oci"])
    assert set(settings.allowed_regions.aws) <= set(RULES["allowedRegions"]["aws"])
    assert settings.minimum_retention_days >= RULES["minimumRetentionDays"]


@pytest.mark.parametrize("stack", ["dev", "us-prod"])
def test_the_pack_knows_the_estate_of_the_stack(stack):
    """The accounts the program pins its AWS providers to, and its tenancies, are estate ones for the pack."""
    settings = _settings(stack)
    estate = RULES["estate"]
    assert {t.lower() for t in settings.estate_tenancy_ids} <= {t.lower() for t in estate["ociTenancyIds"]}
    assert set(settings.estate.aws_account_ids) <= set(estate["awsAccountIds"])
    assert settings.estate.aws_account_ids, "the stack names no estate AWS account to pin its providers to"
