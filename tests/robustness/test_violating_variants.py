"""Generated violating variants of the compliant estate are always caught, and only while the policy is on.

For every policy in the registry a generator (``mutations.py``) edits the compliant estate the way a
program could; the pack, driven over the analyzer protocol, must flag the edited resource under that
policy. The mutation check then disables the policy through the engine's ``Configure`` and requires the
same violation to disappear: each policy is something this suite depends on, not dead weight.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from residency_kit.engine.pack_config import PolicyConfig
from residency_policies.registry import ALL_POLICIES
from tests.robustness.conftest import clone, configure, crashes
from tests.robustness.mutations import MUTATIONS

POLICY_NAMES = [p.name for p in ALL_POLICIES]
SETTINGS = dict(deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _analyze(pack, base_stack, policy, data):
    stack = clone(base_stack)
    urn, policy_config = MUTATIONS[policy](data, stack)
    overrides = {}
    if policy_config:
        overrides = {name: PolicyConfig(pack.info.config[name].enforcement_level, props) for name, props in policy_config.items()}
        configure(pack, overrides)
    try:
        violations = pack.analyze(stack)
    finally:
        if overrides:
            configure(pack, {})
    return stack, (urn or stack.root.urn), violations


def test_every_policy_has_a_violation_generator():
    assert sorted(MUTATIONS) == sorted(POLICY_NAMES), "add a generator to tests/robustness/mutations.py for each new policy"


def test_the_compliant_estate_is_clean(pack, base_stack):
    violations = pack.analyze(clone(base_stack))
    # Only the notice that the rules in force (CONFIG's stack config) still hold the kit's illustrative parties.
    notices = [v for v in violations if v.policy == "residency-rules"]
    assert [(v.enforcement_level, v.urn) for v in notices] == [("advisory", base_stack.root.urn)]
    assert "still hold the kit's illustrative identifiers" in notices[0].message
    assert [(v.policy, v.resource_name, v.message) for v in violations if v not in notices] == []


@pytest.mark.parametrize("policy", POLICY_NAMES)
@settings(max_examples=4, **SETTINGS)
@given(data=st.data())
def test_generated_violations_are_caught(pack, base_stack, policy, data):
    if policy not in MUTATIONS:
        pytest.fail(f"no violation generator for {policy}")
    _, urn, violations = _analyze(pack, base_stack, policy, data)
    assert crashes(violations) == []
    flagged = {v.urn for v in violations if v.policy == policy}
    assert urn in flagged, f"{policy} missed the generated violation on {urn}; it flagged {sorted(flagged)}"


@pytest.mark.parametrize("policy", POLICY_NAMES)
@settings(max_examples=1, **SETTINGS)
@given(data=st.data())
def test_disabling_the_policy_loses_its_violation(pack, base_stack, policy, data):
    if policy not in MUTATIONS:
        pytest.fail(f"no violation generator for {policy}")
    stack = clone(base_stack)
    urn, policy_config = MUTATIONS[policy](data, stack)
    urn = urn or stack.root.urn
    props = (policy_config or {}).get(policy)
    level = pack.info.config[policy].enforcement_level
    try:
        configure(pack, {policy: PolicyConfig(level, props)})
        enabled = pack.analyze(stack)
        configure(pack, {policy: PolicyConfig("disabled", props)})
        disabled = pack.analyze(stack)
    finally:
        configure(pack, {})
    assert urn in {v.urn for v in enabled if v.policy == policy}
    assert [v.message for v in disabled if v.policy == policy] == []
