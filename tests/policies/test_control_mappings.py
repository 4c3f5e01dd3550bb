"""The control mappings: every registered policy has a unique stable ID and controls the catalogue holds; the
coverage matrix covers every catalogued item once and agrees with the mappings; the docs are generated from them."""

import re
from collections import Counter

import pytest

from residency_kit.coverage_matrix import COVERAGE_FILE, policies_for, render_matrix, totals
from residency_kit.policy_docs import DOCS_DIR, load_controls, load_policies
from tests.policies.conftest import PACK_DIR

POLICIES = load_policies(PACK_DIR)
NAMES = [p.name for p in POLICIES]
CONTROLS = load_controls(PACK_DIR)
MANDATORY = {p.name for p in POLICIES if p.enforcement_level.value == "mandatory"}


def test_every_registered_policy_has_exactly_one_mapping():
    mapped = [m.policy for m in CONTROLS.MAPPINGS]
    assert sorted(mapped) == sorted(NAMES), "a registered policy without a mapping, or a mapping without a policy"


def test_policy_ids_are_unique_stable_shaped_and_match_their_area_numbering():
    ids = [m.id for m in CONTROLS.MAPPINGS]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    for ident in ids:
        assert re.fullmatch(r"RK-[A-Z]{2,4}-[0-9]{3}", ident), ident
    # Numbers in an area run from 001 without gaps: a new policy takes the next one, none is reused.
    areas: dict[str, list[int]] = {}
    for ident in ids:
        _, area, number = ident.split("-")
        areas.setdefault(area, []).append(int(number))
    for area, numbers in areas.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), (area, numbers)


@pytest.mark.parametrize("mapping", CONTROLS.MAPPINGS, ids=lambda m: m.policy)
def test_each_mapping_names_only_catalogued_controls_and_maps_to_some(mapping):
    items = mapping.all_controls.items()  # raises KeyError for an item the catalogue lacks
    assert items, f"{mapping.policy} maps to no control"
    assert mapping.controls.nist, f"{mapping.policy}: no 800-53 control"
    for kind in mapping.kinds:
        assert kind.controls.items() and kind.description.endswith(".")


def test_lookup_by_policy_name():
    assert CONTROLS.policy_id("network-reachability") == "RK-NET-003"
    assert CONTROLS.policy_id("no-such-policy") is None
    assert CONTROLS.mapping_for("us-keys-for-data").all_controls.cisa == ("II.B",)


def test_the_coverage_matrix_covers_every_cisa_item_and_every_catalogued_800_53_control_once():
    for catalogue in (CONTROLS.Catalogue.CISA_RESTRICTED, CONTROLS.Catalogue.NIST_800_53):
        covered = [c.item for c in CONTROLS.COVERAGE if c.catalogue is catalogue]
        assert len(covered) == len(set(covered))
        assert sorted(covered) == sorted(CONTROLS.CATALOGUES[catalogue])


def test_every_mapped_800_53_control_and_cisa_item_is_in_the_matrix():
    mapped_nist = {i for m in CONTROLS.MAPPINGS for i in m.all_controls.nist}
    mapped_cisa = {i for m in CONTROLS.MAPPINGS for i in m.all_controls.cisa}
    in_matrix = {(c.catalogue, c.item) for c in CONTROLS.COVERAGE}
    assert {(CONTROLS.Catalogue.NIST_800_53, i) for i in mapped_nist} <= in_matrix
    assert {(CONTROLS.Catalogue.CISA_RESTRICTED, i) for i in mapped_cisa} <= in_matrix


@pytest.mark.parametrize("coverage", CONTROLS.COVERAGE, ids=lambda c: f"{c.catalogue.name}:{c.item}")
def test_statuses_agree_with_the_mappings(coverage):
    """Enforced or partly enforced: a mandatory policy maps to it. Not covered: no mandatory policy does."""
    enforcing = {m.policy for m in policies_for(CONTROLS, coverage.catalogue, coverage.item)} & MANDATORY
    status = CONTROLS.Status
    if coverage.status in (status.ENFORCED, status.PARTLY_ENFORCED):
        assert enforcing, f"{coverage.item} is {coverage.status.value} but no mandatory policy maps to it"
        assert coverage.remains or coverage.status is status.ENFORCED
    if coverage.status is status.NOT_COVERED:
        assert not enforcing, f"{coverage.item} is not covered, yet {sorted(enforcing)} map to it"
    assert coverage.checks.endswith(".") and coverage.remains.endswith(".")


def test_organisational_cisa_items_are_never_claimed():
    status = CONTROLS.Status
    for item_id, entry in CONTROLS.CATALOGUES[CONTROLS.Catalogue.CISA_RESTRICTED].items():
        if not entry.technical:
            assert CONTROLS.coverage_of(entry.catalogue, item_id).status is status.NOT_COVERED, item_id


def test_the_matrix_file_is_generated_from_the_data_with_its_totals():
    text = COVERAGE_FILE.read_text(encoding="utf-8")
    assert text == render_matrix(CONTROLS, POLICIES), "run: python -m residency_kit.policy_docs"
    cisa = totals(CONTROLS, CONTROLS.Catalogue.CISA_RESTRICTED)
    row = next(line for line in text.splitlines() if line.startswith("| CISA security requirements"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[1:] == [str(sum(cisa.values()))] + [str(cisa[s.value]) for s in CONTROLS.Status]
    assert "| **I.B.4** Deny by default |" in text and "RK-NET-003 `network-reachability`" in text


@pytest.mark.parametrize("name", NAMES)
def test_each_policy_doc_shows_its_id_and_controls(name):
    mapping = CONTROLS.mapping_for(name)
    text = (DOCS_DIR / f"{name}.md").read_text(encoding="utf-8")
    assert f"| ID | {mapping.id} |" in text
    for control in mapping.all_controls.items():
        assert f"**{control.id}** {control.title}" in text
