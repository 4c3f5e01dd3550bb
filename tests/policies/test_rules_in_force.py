"""Which rules are in force: the rules file, its digest, and the shipped illustrative identifiers it holds."""

from __future__ import annotations

import hashlib

import pytest
import yaml

from residency_policies.rules_file import RULES_PATH, build_rules
from residency_policies.rules_in_force import describe_rules_file, illustrative_identifiers, is_illustrative


def test_the_shipped_rules_file_is_described_with_its_digest_and_every_illustrative_identifier():
    info = describe_rules_file()
    assert info.path == RULES_PATH.resolve()
    assert info.digest == "sha256:" + hashlib.sha256(RULES_PATH.read_bytes()).hexdigest()
    data = yaml.safe_load(RULES_PATH.read_text())
    named = [v for key in ("parentCompany", "trusted", "estate") for section in [data.get(key) or {}]
             for values in section.values() for v in values]
    # Every identifier the kit ships is illustrative (the file says so in its header).
    assert set(info.illustrative) == {str(v) for v in named}


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
    rules, errors = build_rules({"parentCompany": {"cidrs": ["100.70.0.0/16"]}})
    assert errors == []
    # The override replaces parentCompany for this policy; trusted still comes from the file.
    assert "203.0.113.0/24" not in rules.illustrative and "999999999999" not in rules.illustrative
    assert "111111111111" in rules.illustrative
