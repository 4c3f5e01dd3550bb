"""Fixtures shared by the engine and CLI tests: checking that no pack or program process outlives a run.

Each test that checks gets its own directory (``pid_dir``, under the test's ``tmp_path``); the test packs and
programs it starts record their pids there (``RESIDENCY_TEST_PID_DIR``), so the check sees only the processes
of that test: never another test's, on this worker or on another xdist worker running at the same time.

A pid can be reused once its process is gone (pid_max is 32768 here, and parallel workers and other users
start processes all the time): a recorded pid counts as still running only when the process holding it now
started no later than the pid file was written, i.e. when it is the process that wrote it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _boot_time() -> float:
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith("btime "):
            return float(line.split()[1])
    raise RuntimeError("/proc/stat has no btime line")


def _started_at(stat_fields: list[str]) -> float:
    """The process's start as a Unix time (``starttime``, field 22 of /proc/<pid>/stat, in clock ticks since boot)."""
    return _boot_time() + int(stat_fields[19]) / _CLOCK_TICKS


def process_alive(pid: int, recorded_at: float | None = None) -> bool:
    """True while ``pid`` runs; a zombie waiting for a reaper counts as stopped. With ``recorded_at`` (when the
    process recorded its pid), a process that started after that is another one that reused the pid."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return False
    if fields[0] in ("Z", "X"):
        return False
    # Start times have clock-tick resolution (and btime whole seconds): allow a second of slack.
    return recorded_at is None or _started_at(fields) <= recorded_at + 1.0


def recorded_alive(pid_file: Path) -> bool:
    """Whether the process that wrote ``pid_file`` (named ``<kind>-<pid>``) still runs."""
    return process_alive(int(pid_file.name.rsplit("-", 1)[1]), recorded_at=pid_file.stat().st_mtime)


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
        return [p.name for p in recorded if recorded_alive(p)]

    return check
