"""The kit's own program and stacks pass the pack: no mandatory violation in us-prod or dev."""

import pytest

from residency_kit.engine.api import preview_directory
from tests.policies.conftest import PACK_DIR, REPO


@pytest.mark.parametrize("stack", ["us-prod", "dev"])
def test_kit_stack_has_no_mandatory_violation(stack):
    result = preview_directory(REPO, stack=stack, policy_packs=[PACK_DIR])
    assert len(result.resources) > 20, "the program registered almost nothing: is it wired?"
    assert [(v.policy, v.urn, v.message) for v in result.mandatory] == []
