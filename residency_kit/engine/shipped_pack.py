"""Where the residency policy pack that ships with the kit is, so that a preview with no ``--policy-pack`` runs it.

The kit's distribution installs the whole pack directory (``PulumiPolicy.yaml``, ``__main__.py``,
``residency.yaml``, ``residency_policies/``) as the package ``residency_policy_pack``, whose ``PACK_DIR`` is
that directory, editable install or not. A source tree that is not installed falls back to the
repository's ``policies/`` next to the ``residency`` package.
"""

from __future__ import annotations

import importlib
from pathlib import Path

PACK_PROJECT_FILE = "PulumiPolicy.yaml"
PACK_PACKAGE = "residency_policy_pack"


def _candidates() -> list[Path]:
    found: list[Path] = []
    try:
        found.append(Path(importlib.import_module(PACK_PACKAGE).PACK_DIR))
    except (ImportError, AttributeError):
        pass
    found.append(Path(__file__).resolve().parents[2] / "policies")
    return found


def shipped_pack_dir() -> Path | None:
    """The shipped pack's directory, or ``None`` when this installation has none."""
    for candidate in _candidates():
        if (candidate / PACK_PROJECT_FILE).is_file():
            return candidate.resolve()
    return None
