from __future__ import annotations

from pathlib import Path

import pytest

from process_watch import leftover_processes, pid_dir, process_alive  # noqa: F401  (shared fixtures)

from residency_kit.engine.packs import PolicyPackProcess

PACKS = Path(__file__).resolve().parent.parent / "packs"
CONFIG = {"oci:region": "us-ashburn-1"}


@pytest.fixture(scope="session")
def tiny_pack():
    with PolicyPackProcess(PACKS / "tiny", project="test", stack="test", config=CONFIG) as pack:
        yield pack
