"""Registry-wide checks over every policy in the pack (all engineers' policies, as they land)."""

import re
from pathlib import Path

import pytest

from residency.policy_docs import DOCS_DIR, load_policies, main as policy_docs_main
from tests.policies.conftest import PACK_DIR

POLICIES = load_policies(PACK_DIR)
NAMES = [p.name for p in POLICIES]
# Policy tests live in tests/policies; the network-reachability stack policy has its own tests/reachability.
TEST_SOURCES = {
    p: p.read_text()
    for folder in ("policies", "reachability")
    for p in (Path(__file__).parents[1] / folder).glob("test_*.py")
    if p.name != Path(__file__).name
}


def test_names_are_unique_kebab_case():
    assert len(NAMES) == len(set(NAMES)), NAMES
    for name in NAMES:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", name), name


@pytest.mark.parametrize("policy", POLICIES, ids=NAMES)
def test_metadata_is_complete(policy):
    assert policy.severity is not None and policy.severity.value in ("low", "medium", "high", "critical")
    assert policy.enforcement_level is not None and policy.enforcement_level.value in ("advisory", "mandatory")
    assert policy.description and policy.description.endswith(".")
    assert policy.remediation_steps and len(policy.remediation_steps) >= 40
    assert policy.tags and all(isinstance(t, str) and t for t in policy.tags)
    fw = policy.framework
    assert fw is not None and fw.name == "US data residency" and fw.version and fw.reference
    assert policy.url and policy.url.endswith(f"/docs/policies/{policy.name}.md")
    assert (DOCS_DIR / f"{policy.name}.md").is_file()
    assert policy.config_schema is not None and "allowedRegions" in policy.config_schema.properties


def test_only_residency_tags_is_advisory_by_default():
    assert {p.name for p in POLICIES if p.enforcement_level.value == "advisory"} == {"residency-tags"}


@pytest.mark.parametrize("name", NAMES)
def test_every_policy_has_fixture_tests(name):
    """Some test module names the policy and has compliant, violating and unknown-at-preview fixtures."""
    modules = [src for src in TEST_SOURCES.values() if f'"{name}"' in src]
    assert modules, f"no test module exercises {name}"
    joined = "\n".join(modules)
    # residency-waivers reads only the rules file, never a resource value, so it has no unknown-at-preview case.
    kinds = ("compliant",) if name == "residency-waivers" else ("compliant", "unknown")
    for kind in kinds:
        assert re.search(rf"def test_\w*{kind}", joined), f"{name}: no test_*{kind}* fixture"


def test_generated_docs_are_current():
    assert policy_docs_main(["--check"]) == 0, "docs/policies drifted: run python -m residency.policy_docs"
