"""Every malformed waiver in the rules file is a mandatory ``residency-waivers`` violation and waives nothing.

Run in pulumi_policy's own servicer over the pack's real policies, with the rules file's ``waivers`` replaced:
the violation the waiver aims at (``us-region-providers`` on a provider deployed to Frankfurt) stays mandatory,
and ``residency-waivers`` names the waiver, what is wrong with it and what is allowed.
"""

from __future__ import annotations

import pytest

from residency_policies import framework, rules_file
from residency_policies.registry import ALL_POLICIES
from tests.policies.in_process_servicer import ROOT, analyze, analyze_stack, servicer, urn

BUCKET = "oci:ObjectStorage/bucket:Bucket"
PROVIDER = "pulumi:providers:oci"
TARGET = urn(PROVIDER, "eu")  # a provider's region is judged on the provider (once for all it creates)
GOOD = {
    "policy": "us-region-providers",
    "urns": [TARGET],
    "reason": "Frankfurt test provider creates only synthetic data",
    "approver": "ciso@example.com",
    "expires": "2099-12-31",
}


def _with(**changes):
    entry = {**GOOD, **changes}
    return {k: v for k, v in entry.items() if v is not _DROP}


_DROP = object()

MALFORMED = {
    "not a mapping": ("a waiver as a string", "malformed: must be an object with keys policy, urns, reason, approver, expires"),
    "missing keys": ({"policy": "us-region-providers", "urns": [TARGET]}, "malformed: missing reason, approver, expires"),
    "unknown key": (_with(scope="everything"), "malformed: unknown keys scope"),
    "policy not a name": (_with(policy=5), "malformed: `policy` must be a policy name"),
    "urns not a list": (_with(urns=TARGET), "malformed: `urns` must be a non-empty list of resource URNs"),
    "urns empty": (_with(urns=[]), "malformed: `urns` must be a non-empty list of resource URNs"),
    "urn not a urn": (_with(urns=["b-eu"]), "malformed: `urns` must be a non-empty list of resource URNs"),
    "urn truncated": (_with(urns=["urn:pulumi:test::test::" + BUCKET]), "malformed: `urns` must be a non-empty list"),
    "no approver": (_with(approver="  "), "malformed: `approver` must name who approved it"),
    "approver missing": (_with(approver=_DROP), "malformed: missing approver"),
    "reason too short": (_with(reason="because"), "malformed: `reason` must be at least 20 characters"),
    "date not ISO": (_with(expires="31/12/2099"), "malformed: `expires` must be an ISO date (YYYY-MM-DD)"),
    "date impossible": (_with(expires="2099-13-01"), "malformed: `expires` must be an ISO date (YYYY-MM-DD)"),
    "date a number": (_with(expires=20991231), "malformed: `expires` must be an ISO date (YYYY-MM-DD)"),
    "expired": (_with(expires="2020-01-31"), "expired on 2020-01-31"),
}


@pytest.fixture
def rules_with_waivers(monkeypatch):
    data, errors = rules_file._load_file()
    assert errors == []

    def use(waivers):
        monkeypatch.setattr(rules_file, "_load_file", lambda: ({**data, "waivers": waivers}, []))
        monkeypatch.setattr(framework, "_rules_cache", {})
        return servicer(ALL_POLICIES)

    return use


def _target_levels(served):
    found = analyze(served, PROVIDER, "eu", {"region": "eu-frankfurt-1"})
    return [d.level for d in found if d.policy == "us-region-providers"]


def _waiver_findings(served):
    return [d for d in analyze_stack(served, [(BUCKET, "b-eu", {})]) if d.policy == "residency-waivers"]


def test_the_well_formed_waiver_waives(rules_with_waivers):
    served = rules_with_waivers([GOOD])
    assert _target_levels(served) == ["advisory"]
    assert _waiver_findings(served) == []


@pytest.mark.parametrize("shape", sorted(MALFORMED))
def test_a_malformed_waiver_is_a_mandatory_violation_and_waives_nothing(rules_with_waivers, shape):
    entry, problem = MALFORMED[shape]
    served = rules_with_waivers([entry])
    assert _target_levels(served) == ["mandatory"]
    (finding,) = _waiver_findings(served)
    assert finding.level == "mandatory" and finding.urn == ROOT  # the stack itself
    assert f"waiver #0 in the pack's rules file {rules_file.RULES_PATH} is {problem}" in finding.message
    assert finding.message.endswith("it waives nothing until fixed")


def test_waivers_that_are_not_a_list_are_one_violation(rules_with_waivers):
    served = rules_with_waivers(GOOD)
    assert _target_levels(served) == ["mandatory"]
    (finding,) = _waiver_findings(served)
    assert finding.level == "mandatory" and "malformed: `waivers` must be a list of waiver objects" in finding.message


def test_a_waiver_for_a_policy_the_pack_does_not_have_waives_nothing(rules_with_waivers):
    served = rules_with_waivers([_with(policy="us-region-provider")])
    assert _target_levels(served) == ["mandatory"]
    (finding,) = _waiver_findings(served)
    assert finding.level == "mandatory"
    assert "names policy 'us-region-provider', which is not in this pack" in finding.message
    assert finding.message.endswith("it waives nothing")


def test_each_bad_waiver_is_reported_once_and_a_good_one_beside_them_still_waives(rules_with_waivers):
    served = rules_with_waivers([MALFORMED["expired"][0], GOOD, MALFORMED["no approver"][0]])
    assert _target_levels(served) == ["advisory"]
    messages = [f.message for f in _waiver_findings(served)]
    assert len(messages) == 2
    assert f"waiver #0 in the pack's rules file {rules_file.RULES_PATH} is expired" in messages[0]
    assert f"waiver #2 in the pack's rules file {rules_file.RULES_PATH} is malformed: `approver`" in messages[1]
