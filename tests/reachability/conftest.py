"""A policy pack process shared by the reachability tests, and the pack dir on sys.path for pure tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from residency_kit.engine.packs import PolicyPackProcess

PACK_DIR = Path(__file__).resolve().parents[2] / "policies"
if str(PACK_DIR) not in sys.path:
    sys.path.insert(0, str(PACK_DIR))

from fixtures_oci import CONFIG  # noqa: E402 - importable once the pack directory is on sys.path


@pytest.fixture(scope="session")
def reachability_pack():
    with PolicyPackProcess(PACK_DIR, project="test", stack="test", config=CONFIG) as pack:
        yield pack
