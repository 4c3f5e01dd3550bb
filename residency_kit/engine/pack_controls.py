"""A residency pack's policy IDs and control mappings, read through the pack's installed package.

As with the rules in force (``engine.pack_rules``), the analyzer protocol carries no control mappings, so the
CLI asks ``residency_policies.controls`` for a pack that is a residency pack. Another pack's policies have no ID
and no controls: the reports say nothing about them rather than guess.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from residency_kit.engine.pack_rules import RESIDENCY_PACK_PACKAGE, is_residency_pack


@dataclass(frozen=True)
class ControlLink:
    """One control a policy maps to: its catalogue, its identifier as the catalogue writes it, its title."""

    catalogue: str
    id: str
    title: str

    @property
    def label(self) -> str:
        return f"{self.id} {self.title}"

    def as_json(self) -> dict[str, str]:
        return {"catalogue": self.catalogue, "id": self.id, "title": self.title}


@dataclass(frozen=True)
class PolicyControls:
    """A policy's stable ID and every control its findings bear on (each kind's included)."""

    policy_id: str
    controls: tuple[ControlLink, ...]

    def of(self, catalogue_name: str) -> tuple[ControlLink, ...]:
        return tuple(c for c in self.controls if c.catalogue == catalogue_name)


NIST = "NIST SP 800-53 rev. 5"
CISA = "CISA security requirements for restricted transactions"
CCC = "FINOS Common Cloud Controls"


def _module() -> Any | None:
    try:
        return importlib.import_module(f"{RESIDENCY_PACK_PACKAGE}.controls")
    except ImportError:
        return None


def controls_for(pack_dir: str | Path | None, policy: str) -> PolicyControls | None:
    """The ID and controls of ``policy`` when ``pack_dir`` is a residency pack that maps it, else ``None``."""
    if not pack_dir or not is_residency_pack(Path(pack_dir)):
        return None
    module = _module()
    if module is None:
        return None
    mapping = module.mapping_for(policy)
    if mapping is None:
        return None
    links = tuple(ControlLink(c.catalogue.value, c.id, c.title) for c in mapping.all_controls.items())
    return PolicyControls(mapping.id, links)


def policy_id_in(result: Any, pack_name: str, policy: str) -> str:
    """The stable ID of ``policy`` of the run's pack ``pack_name`` (empty when it has none)."""
    for index, info in enumerate(result.packs):
        if info.name == pack_name:
            pack_dir = result.pack_dirs[index] if index < len(result.pack_dirs) else None
            found = controls_for(pack_dir, policy)
            return found.policy_id if found is not None else ""
    return ""
