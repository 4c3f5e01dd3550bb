"""One mistake, one violation: the safety net (``no-parent-company-identifiers``) never repeats what a specific
policy reports.

Every generated violation of ``mutations.py`` is a single mistake; where it names a parent identifier (a parent
range in a rule, a parent tenancy as a compartment, a parent account in a provider's role...), the specific policy
reports it and the safety net must stay silent on that resource.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st


from tests.robustness.mutations import MUTATIONS
from tests.robustness.test_violating_variants import SETTINGS, _analyze

SAFETY_NET = "no-parent-company-identifiers"


@pytest.mark.parametrize("policy", sorted(set(MUTATIONS) - {SAFETY_NET}))
@settings(max_examples=3, **SETTINGS)
@given(data=st.data())
def test_the_safety_net_does_not_repeat_a_specific_finding(pack, base_stack, policy, data):
    _, _, violations = _analyze(pack, base_stack, policy, data)
    assert [v.message for v in violations if v.policy == SAFETY_NET] == []
