"""Fixtures shared by the engine and CLI tests: checking that no pack or program process outlives a run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def process_alive(pid: int) -> bool:
    """True while ``pid`` runs; a zombie waiting for a reaper counts as stopped."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


@pytest.fixture
def pid_dir(tmp_path, monkeypatch):
    """Test packs and programs record their pids here, so tests can check none outlives a preview."""
    directory = tmp_path / "pids"
    directory.mkdir()
    monkeypatch.setenv("RESIDENCY_TEST_PID_DIR", str(directory))
    return directory


@pytest.fixture
def leftover_processes(pid_dir):
    """A function returning the recorded processes still running (after asserting some were recorded)."""

    def check(required: bool = True) -> list[str]:
        recorded = list(pid_dir.iterdir())
        assert recorded or not required, "the test pack or program did not record its pid"
        return [p.name for p in recorded if process_alive(int(p.name.rsplit("-", 1)[1]))]

    return check
