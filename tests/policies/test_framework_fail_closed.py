"""The framework's promises, run in pulumi_policy's own servicer (``in_process_servicer``):

- a check that crashes is one mandatory violation naming the policy, for resource, stack and dual policies,
  even when the policy is configured advisory, and its message quotes no property value;
- a finding can ask for advisory; nothing lets a check raise itself above its policy's level;
- when a level cannot be set the run fails loudly (``SdkCompatibilityError``), never at the wrong level;
- invalid rules are refused at ``Configure`` as one error; any that remain are reported once per policy, on
  the root stack, not once per resource;
- every policy of one request reads the same frozen view: no check can change what another sees;
- concurrent requests (the SDK serves them on a thread pool) each see their own resource.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest
from pulumi_policy import EnforcementLevel

from residency_policies import rules_file, sdk_compat
from residency_policies.compliance import Framework
from residency_policies.findings import Finding
from residency_policies.framework import resource_policy, stack_policy
from residency_policies.registry import ALL_POLICIES
from residency_policies.rules_file import pack_config_errors
from tests.policies.in_process_servicer import ROOT, Aborted, analyze, analyze_stack, configure, servicer, urn

BUCKET = "oci:ObjectStorage/bucket:Bucket"
SECRET = "s3cr3t-value-that-must-not-leak"
META = dict(severity="high", remediation="Fix it.", tags=["test"], framework=Framework("t", "1").control("T-1"))


def _crash(view, rules):
    raise ValueError(f"bad value {view.props.get('name')}")


def _crash_stack(resources, rules):
    raise KeyError(SECRET)


def _crashing_policies():
    return [
        resource_policy(name="crash-resource", description="Crashes per resource.", check=_crash, **META),
        resource_policy(name="crash-advisory", description="Crashes, configured advisory.", check=_crash,
                        enforcement=EnforcementLevel.ADVISORY, **META),
        stack_policy(name="crash-stack", description="Crashes over the stack.", check=_crash_stack,
                     enforcement=EnforcementLevel.ADVISORY, **META),
        resource_policy(name="crash-dual", description="Crashes in both phases.", check=_crash,
                        stack_check=_crash_stack, **META),
    ]


def test_a_crash_is_one_mandatory_violation_per_policy_in_each_phase_whatever_the_configured_level():
    served = servicer(_crashing_policies(), {"crash-resource": ("advisory", None)})
    found = analyze(served, BUCKET, "b", {"name": SECRET})
    assert sorted((d.policy, d.level) for d in found) == [
        ("crash-advisory", "mandatory"), ("crash-dual", "mandatory"), ("crash-resource", "mandatory")
    ]
    for d in found:
        assert f"policy '{d.policy}' failed while checking (ValueError at test_framework_fail_closed.py:" in d.message
        assert "failing closed" in d.message
        assert SECRET not in d.message  # the exception's text may quote a (secret) property value

    stack = analyze_stack(served, [(BUCKET, "b", {"name": SECRET})])
    assert sorted((d.policy, d.level, d.urn) for d in stack) == [
        ("crash-dual", "mandatory", ""), ("crash-stack", "mandatory", "")
    ]
    assert all("KeyError at test_framework_fail_closed.py:" in d.message and SECRET not in d.message for d in stack)


def test_a_disabled_policy_does_not_run_at_all():
    served = servicer(_crashing_policies(), {name: ("disabled", None) for name in
                                             ("crash-resource", "crash-advisory", "crash-dual", "crash-stack")})
    assert analyze(served, BUCKET, "b", {}) == []
    assert analyze_stack(served, []) == []


def test_a_crash_while_building_the_rules_fails_closed(monkeypatch):
    def broken(config, **_):
        raise RuntimeError("rules unreadable")

    monkeypatch.setattr("residency_policies.framework.build_rules", broken)
    monkeypatch.setattr("residency_policies.framework._rules_cache", {})
    served = servicer([resource_policy(name="p", description="d", check=lambda v, r: (), enforcement=EnforcementLevel.ADVISORY, **META)])
    (found,) = analyze(served, BUCKET, "b", {})
    assert (found.policy, found.level) == ("p", "mandatory") and "RuntimeError" in found.message


def test_a_finding_may_ask_for_advisory_and_never_for_more():
    policy = resource_policy(
        name="classified", description="d", **META,
        check=lambda v, r: [Finding("holds no US user data (classified by tag)", level=EnforcementLevel.ADVISORY), Finding("plain")],
    )
    found = analyze(servicer([policy]), BUCKET, "b", {})
    assert sorted((d.level, d.message.splitlines()[-1]) for d in found) == [
        ("advisory", "holds no US user data (classified by tag)"), ("mandatory", "plain")
    ]
    with pytest.raises(ValueError, match="allowed: None"):
        Finding("x", level=EnforcementLevel.MANDATORY)


def test_when_the_level_cannot_be_set_the_run_fails_instead_of_reporting_at_the_wrong_level():
    policy = resource_policy(name="p", description="d", check=_crash, **META)
    reported = []

    class Args:  # what a caller other than pulumi_policy's servicer might pass
        resource_type, urn, name, props, provider = BUCKET, urn(BUCKET, "b"), "b", {}, None

        class opts:
            protect, parent = False, None

        def get_config(self):
            return {}

    with pytest.raises(sdk_compat.SdkCompatibilityError, match="cannot report at level 'mandatory'"):
        policy.validate(Args(), lambda message, urn=None: reported.append(message))
    assert reported == []


def test_invalid_policy_config_is_refused_at_configure_with_one_error_naming_key_value_and_allowed():
    served = servicer(ALL_POLICIES, config_check=lambda c: pack_config_errors([p.name for p in ALL_POLICIES], c))
    with pytest.raises(Aborted) as err:
        configure(served, {"us-region-providers": ("mandatory", {"bogusKey": 1}), "all": ("mandatory", None)})
    assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT
    lines = err.value.details.splitlines()
    assert lines[0] == "invalid policy pack config:"
    assert lines[1:] == [
        "  invalid residency rules in the policy config of 'us-region-providers' (--policy-pack-config): bogusKey = 1.0; allowed: "
        "top-level keys " + ", ".join(rules_file.TOP_LEVEL_KEYS)
    ]


def test_policy_config_naming_no_policy_of_the_pack_is_refused():
    names = [p.name for p in ALL_POLICIES]
    (line,) = pack_config_errors(names, {"us-region-provider": {"allowedRegions": {}}, "all": None})
    assert "'us-region-provider', which is not in this pack; allowed: all, us-region-providers" in line


def test_rules_errors_that_reach_analysis_are_reported_once_per_policy_on_the_root_stack():
    # No config check installed: the config reaches analysis (an engine that sent no Configure, say).
    served = servicer(ALL_POLICIES, {"us-region-providers": ("mandatory", {"bogusKey": 1}),
                                     "residency-waivers": ("mandatory", {"bogusKey": 1})})
    per_resource = analyze(served, "oci:Core/vcn:Vcn", "v", {"compartmentId": "ocid1.compartment.oc1..x"})
    assert [d for d in per_resource if d.policy in ("us-region-providers", "residency-waivers")] == []
    on_root = [d for d in analyze(served, "pulumi:pulumi:Stack", "test-test", {}) if d.policy == "us-region-providers"]
    assert [(d.level, d.urn) for d in on_root] == [("mandatory", ROOT)]
    assert "bogusKey = 1.0" in on_root[0].message
    stack = analyze_stack(served, [])
    assert [(d.policy, d.level) for d in stack if "bogusKey" in d.message] == [("residency-waivers", "mandatory")]


def test_every_policy_of_one_request_reads_the_same_frozen_view():
    seen = []

    def mutate(view, rules):
        seen.append(view)
        view.props["region"] = "eu-frankfurt-1"

    def read(view, rules):
        seen.append(view)
        yield Finding(f"region is {view.props['region']}; tags {list(view.props['tags'])}")

    def mutate_nested(view, rules):
        view.props["tags"].append("x")

    served = servicer([
        resource_policy(name="mutates", description="d", check=mutate, **META),
        resource_policy(name="mutates-nested", description="d", check=mutate_nested, **META),
        resource_policy(name="reads", description="d", check=read, **META),
    ])
    found = {d.policy: d for d in analyze(served, BUCKET, "b", {"region": "us-ashburn-1", "tags": ["a"]})}
    assert "TypeError" in found["mutates"].message and found["mutates"].level == "mandatory"
    assert "TypeError" in found["mutates-nested"].message
    assert found["reads"].message.endswith("region is us-ashburn-1; tags ['a']")
    assert seen[0] is seen[1]  # built once for the request, shared

    # The next request gets a view of its own.
    analyze(served, BUCKET, "c", {"region": "us-phoenix-1", "tags": []})
    assert seen[2] is not seen[0] and seen[2].props["region"] == "us-phoenix-1"


def test_unknowns_reach_checks_as_sentinels_not_as_an_advisory_cannot_run():
    from residency_policies.values import UNKNOWN, is_unknown

    def check(view, rules):
        if is_unknown(view.props["region"]) and is_unknown(view.props["nested"]["value"]):
            yield Finding("region unknown", unverifiable=True, path="region")

    found = analyze(servicer([resource_policy(name="p", description="d", check=check, **META)]), BUCKET, "b",
                    {"region": UNKNOWN, "nested": {"value": UNKNOWN}})
    assert [(d.level, "cannot be verified at preview: region is unknown" in d.message) for d in found] == [("mandatory", True)]


def test_concurrent_requests_each_see_their_own_resource():
    def check(view, rules):
        yield Finding(f"{view.name}={view.props['n']}")

    policies = [resource_policy(name=f"p{i}", description="d", check=check, **META) for i in range(4)]
    served = servicer(policies)

    def one(i):
        return i, analyze(served, BUCKET, f"b{i}", {"n": i})

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(one, range(200)))
    for i, found in results:
        assert sorted(d.message.splitlines()[-1] for d in found) == [f"b{i}={float(i)}"] * 4


def test_resource_phase_of_the_root_stack_runs_no_check_of_other_types():
    ran = []
    policy = resource_policy(name="p", description="d", check=lambda v, r: ran.append(v.type) or (),
                             resource_types=[BUCKET], **META)
    served = servicer([policy])
    analyze(served, "pulumi:pulumi:Stack", "test-test", {})
    analyze(served, BUCKET, "b", {})
    assert ran == [BUCKET]
    assert ROOT.endswith("pulumi:pulumi:Stack::test-test")
