from __future__ import annotations

from pathlib import Path

import pytest

from residency.engine.packs import PolicyPackProcess

PACKS = Path(__file__).resolve().parent.parent / "packs"
CONFIG = {"oci:region": "us-ashburn-1"}


@pytest.fixture(scope="session")
def tiny_pack():
    with PolicyPackProcess(PACKS / "tiny", project="test", stack="test", config=CONFIG) as pack:
        yield pack
