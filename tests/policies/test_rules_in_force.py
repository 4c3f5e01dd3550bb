"""Which rules are in force: illustrative identifiers, and the kit's floor of a rules file that names no party."""

from __future__ import annotations


import pytest
import yaml

import illustrative_rules
from residency_policies.rules_file import RULES_PATH, build_rules
from residency_policies.rules_in_force import illustrative_identifiers, is_illustrative


def test_the_shipped_rules_file_is_the_kits_floor_and_names_no_party():
    """Issue 19: the kit's illustrative identifiers are never silently in force in a consumer's project: the
    pack's own rules file names no parent company, estate or trusted party, only the floor every stack keeps."""
    data = yaml.safe_load(RULES_PATH.read_text())
    assert set(data) == {"allowedRegions", "minimumRetentionDays", "requiredTags"}
    assert illustrative_identifiers(data) == ()
    rules, errors = build_rules(None, stack_data={})
    assert rules is None
    assert [e.key for e in errors] == ["parentCompany"]
    assert "set it as `residency:parentCompany` in the stack config" in errors[0].message()


@pytest.mark.parametrize("value", [
    "203.0.113.0/24", "198.51.100.7/32", "192.0.2.0/25", "2001:db8:bad::/48", "3fff:1::/32", "999999999999",
    111111111111, "123456789012", "ocid1.tenancy.oc1..aaaaaaaaparentexample0000", "o-parentexample1",
])
def test_illustrative(value):
    assert is_illustrative(value)


@pytest.mark.parametrize("value", [
    "100.70.0.0/16", "203.0.112.0/23", "0.0.0.0/0", "2001:db9::/32", "403958271635",
    "ocid1.tenancy.oc1..aaaaaaaaq7parentco", "o-k2j4h5g6f7", "us-ashburn-1", None, True,
])
def test_not_illustrative(value):
    assert not is_illustrative(value)


def test_only_identifier_sections_count():
    data = {"parentCompany": {"cidrs": ["203.0.113.0/24", "100.70.0.0/16"]},
            "requiredTags": {"owner": "123456789012"}, "waivers": [{"urns": ["203.0.113.0/24"]}]}
    assert illustrative_identifiers(data) == ("203.0.113.0/24",)


def test_rules_carry_the_illustrative_identifiers_of_what_is_in_force():
    stack = {k: v for k, v in illustrative_rules.RULES.items() if k != "parentCompany"}
    rules, errors = build_rules({"parentCompany": {"cidrs": ["100.70.0.0/16"]}}, stack_data=stack)
    assert errors == []
    # The policy config gives parentCompany for this policy; trusted still comes from the stack config.
    assert "203.0.113.0/24" not in rules.illustrative and "999999999999" not in rules.illustrative
    assert "111111111111" in rules.illustrative
