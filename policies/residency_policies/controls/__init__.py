"""Control mappings: the catalogue of controls, each policy's stable ID and controls, and the coverage matrix.

Data only; the reports (through the installed package), the generated policy docs and
``docs/coverage-matrix.md`` are built from it.
"""

from residency_policies.controls.catalogue import CATALOGUES, Catalogue, CatalogueItem, item
from residency_policies.controls.coverage import COVERAGE, Coverage, Status, coverage_of
from residency_policies.controls.mappings import MAPPINGS, ControlRefs, FindingKind, PolicyMapping, mapping_for, policy_id

__all__ = [
    "CATALOGUES", "COVERAGE", "Catalogue", "CatalogueItem", "ControlRefs", "Coverage", "FindingKind", "MAPPINGS",
    "PolicyMapping", "Status", "coverage_of", "item", "mapping_for", "policy_id",
]
