"""Issue 19: one source of rules per team. The pack reads the stack's `residency:` config (what the engine sends
analyzers with ConfigureStack and what the program's settings read), laid over its own rules file (the kit's
floor) and the policy config, and a stack may only tighten what those set.

Through the real pack process: the team's parent range given only in its stack config is enforced; a stack that
loosens the rules is refused when the engine configures the pack, with one error naming both values and where
each came from; the `residency-rules` policy config applies to every policy. The layering itself is unit-tested
on `rules_file.build_rules`.
"""

from __future__ import annotations

import json


import pulumi_oci as oci
import pytest

import illustrative_rules
from residency_kit.engine.api import preview_function
from residency_kit.engine.packs import PolicyPackError
from residency_policies.rules_file import build_rules
from tests.policies.conftest import COMPARTMENT, CONFIG, flagged, judged, start_pack, urn

NSG_RULE = "oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule"
TEAM_PARENT = "100.70.0.0/16"  # a range in no file of the kit: only the team's stack config names it


def _team_config(**rules) -> dict[str, str]:
    return {**{k: v for k, v in CONFIG.items() if not k.startswith("residency:")},
            **illustrative_rules.stack_config({**illustrative_rules.RULES, **rules})}


def _nsg_rules():
    nsg = oci.core.NetworkSecurityGroup("nsg", compartment_id=COMPARTMENT, vcn_id="ocid1.vcn.oc1.iad.aaaa")
    for name, source in (("from-team-parent", TEAM_PARENT), ("from-operators", "10.1.0.0/16")):
        oci.core.NetworkSecurityGroupSecurityRule(name, network_security_group_id=nsg.id, direction="INGRESS",
                                                  protocol="6", source=source, source_type="CIDR_BLOCK")


def test_the_teams_parent_range_from_its_stack_config_is_enforced():
    """The adoption report: an NSG rule admitting the team's parent range passed, because the pack read only the
    rules file inside the installed package."""
    config = _team_config(parentCompany={"cidrs": [TEAM_PARENT]})
    pack = start_pack(config=config)
    try:
        result = preview_function(_nsg_rules, pack=pack, project="test", stack="test", config=config)
        assert flagged(result, "no-parent-company-ingress") == {urn(NSG_RULE, "from-team-parent")}
        # Checkov-style: the resources the policy judged and passed, beside those it flagged
        assert judged(result, "no-parent-company-ingress").passed == {
            urn("oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule", "from-operators"),
        }
        rules = pack.rules_in_force()
        assert rules.values["parentCompany"]["cidrs"] == [TEAM_PARENT]
        assert [s.kind for s in rules.sources] == ["pack rules file", "stack config"]
    finally:
        pack.close()


@pytest.mark.parametrize(("rules", "expected"), [
    ({"allowedRegions": {"oci": ["us-ashburn-1", "eu-frankfurt-1"], "aws": ["us-east-2"]}},
     "invalid residency rules in the stack config of test: allowedRegions.oci = 'eu-frankfurt-1'; allowed: one of "
     "the allowed OCI regions of the rules in force (a stack may remove, not add); the pack's rules file "),
    ({"minimumRetentionDays": 30},
     "invalid residency rules in the stack config of test: minimumRetentionDays = 30; allowed: at least 365 days (a "
     "stack may raise it, not lower it); the pack's rules file "),
    ({"requiredTags": {"jurisdiction": "EU"}},
     "invalid residency rules in the stack config of test: requiredTags.jurisdiction = 'EU'; allowed: 'US' (a stack "
     "may require more tags, not change a required one); the pack's rules file "),
])
def test_a_stack_that_loosens_the_packs_rules_is_one_error_at_configure(rules, expected):
    with pytest.raises(PolicyPackError) as err:
        start_pack(config=_team_config(**rules))
    lines = [line.strip() for line in str(err.value).splitlines()[1:]]
    assert len(lines) == 1 and lines[0].startswith(expected), str(err.value)
    assert "/policies/residency.yaml has " in lines[0]  # the other value, and the file it came from


def test_a_security_teams_policy_config_binds_every_policy_and_the_stack_may_only_narrow_it():
    owner = {"residency-rules": {"trusted": {"awsAccountIds": ["111111111111"]},
                                 "parentCompany": {"cidrs": [TEAM_PARENT]}}}
    # The stack trusts one more account than the rules' owner does: refused, naming both.
    with pytest.raises(PolicyPackError) as err:
        start_pack(policy_config=owner, config=_team_config(trusted={"awsAccountIds": ["111111111111", "333333333333"]}))
    assert ("trusted.awsAccountIds = '333333333333'; allowed: one of the trusted accounts of the rules in force (a "
            "stack may remove, not add); the policy config of 'residency-rules' (--policy-pack-config), for every "
            "policy has trusted.awsAccountIds = ['111111111111']") in str(err.value)
    # Narrowed, and the owner's parent range reaches a policy that has no config of its own.
    config = _team_config(trusted={"awsAccountIds": []})
    pack = start_pack(policy_config=owner, config=config)
    try:
        result = preview_function(_nsg_rules, pack=pack, project="test", stack="test", config=config)
        assert flagged(result, "no-parent-company-ingress") == {urn(NSG_RULE, "from-team-parent")}
        rules = pack.rules_in_force()
        assert rules.values["trusted"]["awsAccountIds"] == []
        assert set(rules.values["parentCompany"]["cidrs"]) == {TEAM_PARENT, *illustrative_rules.PARENT_CIDRS}
        assert [s.kind for s in rules.sources] == ["pack rules file", "policy config for every policy", "stack config"]
    finally:
        pack.close()


def test_no_rules_at_all_is_refused_rather_than_enforcing_examples():
    with pytest.raises(PolicyPackError) as err:
        start_pack(config={"oci:region": "us-ashburn-1"})
    assert "parentCompany = None" in str(err.value)
    assert "set it as `residency:parentCompany` in the stack config (Pulumi.test.yaml or Pulumi.yaml)" in str(err.value)


# --- the layering, unit by unit --------------------------------------------------------------------------------

FLOOR = {"allowedRegions": {"oci": ["us-ashburn-1", "us-phoenix-1"], "aws": ["us-east-2"]},
         "minimumRetentionDays": 365, "requiredTags": {"jurisdiction": "US"}}
PARTIES = {"parentCompany": {"cidrs": ["203.0.113.0/24"]}}


def _build(stack, file_data=FLOOR, config=None, pack_config=None):
    return build_rules(config, file_data=dict(file_data), stack_data=stack, pack_config=pack_config, policy="p")


@pytest.mark.parametrize(("stack", "check"), [
    # Narrower regions, more retention, more tags, more parent ranges: all tighten.
    ({**PARTIES, "allowedRegions": {"oci": ["us-phoenix-1"], "aws": ["us-east-2"]}},
     lambda r: r.allowed_regions_oci == {"us-phoenix-1"}),
    ({**PARTIES, "minimumRetentionDays": 400}, lambda r: r.minimum_retention_days == 400),
    ({**PARTIES, "requiredTags": {"data-owner": "us-team"}},
     lambda r: r.required_tags == {"jurisdiction": "US", "data-owner": "us-team"}),
    # A key the pack's layers leave unset is the stack's: its waivers, its estate, its classification.
    ({**PARTIES, "estate": {"awsAccountIds": ["222222222222"]}},
     lambda r: r.estate_aws_account_ids == {"222222222222"}),
    ({**PARTIES, "dataClassification": {"otherValues": ["internal"]}},
     lambda r: r.data_classification.other_values == ("internal",)),
])
def test_tightening_values_are_in_force(stack, check):
    rules, errors = _build(stack)
    assert errors == [] and check(rules)


def test_a_parent_range_from_either_layer_is_in_force():
    rules, errors = _build({"parentCompany": {"cidrs": ["198.18.0.0/15"]}},
                           file_data={**FLOOR, "parentCompany": {"cidrs": ["203.0.113.0/24"]}})
    assert errors == []
    assert sorted(str(c) for c in rules.parent_cidrs) == ["198.18.0.0/15", "203.0.113.0/24"]


def test_waivers_belong_to_the_rules_owner_when_the_owner_sets_them():
    waiver = {"policy": "us-keys-for-data", "urns": ["urn:pulumi:s::p::oci:ObjectStorage/bucket:Bucket::b"],
              "reason": "a synthetic-data bucket for load tests", "approver": "ciso@example.com", "expires": "2099-01-01"}
    _, errors = _build({**PARTIES, "waivers": [waiver]}, file_data={**FLOOR, "waivers": []})
    assert [e.key for e in errors] == ["waivers"]
    assert "no waivers in the stack config: the rules' owner sets waivers beside the rules" in errors[0].message()
    rules, errors = _build({**PARTIES, "waivers": [waiver]})  # nobody else sets waivers: the stack's are in force
    assert errors == [] and [w.policy for w in rules.waivers] == ["us-keys-for-data"]


def test_a_parent_identifier_named_as_the_estate_in_one_layer_is_refused_though_another_narrows_it_away():
    owner = {"estate": {"awsAccountIds": ["999999999999", "222222222222"]}}
    _, errors = _build({"parentCompany": {"cidrs": ["203.0.113.0/24"], "awsAccountIds": ["999999999999"]},
                        "estate": {"awsAccountIds": ["222222222222"]}}, config=owner)
    assert [(e.source.kind.value, e.key, e.value) for e in errors] == [
        ("policy config", "estate.awsAccountIds", "999999999999")]


def test_the_stacks_own_tenancy_is_an_estate_tenancy():
    tenancy = illustrative_rules.ESTATE_TENANCIES[0]
    from residency_policies.rules_layers import stack_rules
    from residency_policies.rules_file import TOP_LEVEL_KEYS

    stack = stack_rules({"residency:tenancy": json.dumps({"tenancyOcid": tenancy}),
                         "residency:parentCompany": json.dumps({"cidrs": ["203.0.113.0/24"]})}, TOP_LEVEL_KEYS)
    rules, errors = _build(stack)
    assert errors == [] and rules.estate_oci_tenancy_ids == {tenancy}
    assert rules.where("estate.ociTenancyIds") == (
        "`ociTenancyIds` of `residency:estate` in the stack config (Pulumi.<stack>.yaml or Pulumi.yaml)")



@pytest.mark.parametrize("bad", [
    {"parentCompany": "203.0.113.0/24"}, {"requiredTags": ["jurisdiction"]}, {"minimumRetentionDays": "a year"},
    {"allowedRegions": {"oci": "us-ashburn-1", "aws": ["us-east-2"]}},
])
def test_a_malformed_value_of_the_packs_layers_is_refused_even_where_the_stack_gives_a_good_one(bad):
    stack = {**PARTIES, "requiredTags": {"owner": "us"}, "minimumRetentionDays": 400,
             "allowedRegions": {"oci": ["us-ashburn-1"], "aws": ["us-east-2"]}}
    rules, errors = _build(stack, config=bad)
    assert rules is None
    assert [e.source.kind.value for e in errors] == ["policy config"], [e.message() for e in errors]
