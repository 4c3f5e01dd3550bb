"""Registry-wide checks over every policy in the pack (all engineers' policies, as they land)."""

import re

import pytest

from residency_kit.engine.packs import PolicyPackProcess
from residency_kit.policy_docs import DOCS_DIR, load_policies, main as policy_docs_main
import illustrative_rules
from tests.policies.conftest import CONFIG, PACK_DIR, start_pack
from tests.policies.registry_fixtures import FIXTURES

POLICIES = load_policies(PACK_DIR)
NAMES = [p.name for p in POLICIES]


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


def test_only_the_governance_notices_are_advisory_by_default():
    assert {p.name for p in POLICIES if p.enforcement_level.value == "advisory"} == {"residency-tags", "residency-rules"}


def test_every_policy_has_registry_fixtures():
    assert sorted(FIXTURES) == sorted(NAMES)
    for name, fixtures in FIXTURES.items():
        assert fixtures.unknown is not None or fixtures.no_unknown_because, f"{name}: no unknown-at-preview fixture"


@pytest.fixture(scope="module")
def rules_pack(tmp_path_factory):
    """A pack for fixtures that need their own rules, one per set of overrides, started on use: the overrides
    replace those keys of the stack's `residency:` config, as a team's stack file would give them."""
    started: dict[str, PolicyPackProcess] = {}

    def get(overrides) -> PolicyPackProcess:
        key = repr(overrides)
        if key not in started:
            started[key] = start_pack(config={**CONFIG, **illustrative_rules.stack_config(overrides)})
        return started[key]

    yield get
    for process in started.values():
        process.close()


CASES = [(name, kind) for name in sorted(FIXTURES) for kind in ("compliant", "violating", "unknown")
         if getattr(FIXTURES[name], kind) is not None]
CASES += [(name, kind) for name in sorted(FIXTURES) for kind in FIXTURES[name].extra]


def _fixture(name, kind):
    return FIXTURES[name].extra[kind] if kind in FIXTURES[name].extra else getattr(FIXTURES[name], kind)


@pytest.mark.parametrize(("name", "kind"), CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_registry_fixture_flags_exactly_its_expected_resources(preview, rules_pack, name, kind):
    fixture = _fixture(name, kind)
    using = rules_pack(fixture.rules) if fixture.rules is not None else None
    result = preview(fixture.program, using=using, config=fixture.config)
    found = result.violations_of(name)
    assert {v.urn for v in found} == set(fixture.flagged), [v.message for v in found]
    assert {v.enforcement_level for v in found} <= {fixture.level}
    if kind == "unknown" or kind.endswith("-unknown"):
        assert all("cannot be verified at preview" in v.message for v in found), [v.message for v in found]


def test_generated_docs_are_current():
    assert policy_docs_main(["--check"]) == 0, "docs/policies drifted: run python -m residency_kit.policy_docs"
