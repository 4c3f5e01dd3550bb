"""The stray-process check (``process_watch``): a recorded process counts while it runs, and only that process."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from process_watch import process_alive, recorded_alive


def _record(pid_dir, proc) -> object:
    path = pid_dir / f"pack-{proc.pid}"
    path.touch()
    return path


def test_a_recorded_process_counts_while_it_runs_and_not_after(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        path = _record(tmp_path, proc)
        assert recorded_alive(path)
    finally:
        proc.kill()
        proc.wait()
    assert not recorded_alive(path)


def test_a_zombie_counts_as_stopped(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    path = _record(tmp_path, proc)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # exited but not yet reaped: a zombie
        with open(f"/proc/{proc.pid}/stat") as stat:
            if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                break
        time.sleep(0.05)
    assert not recorded_alive(path)
    proc.wait()


def test_a_pid_reused_by_a_process_started_after_the_record_is_not_the_recorded_one(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        path = _record(tmp_path, proc)
        # As if this pid had been written down a minute before the process now holding it started.
        earlier = time.time() - 60
        os.utime(path, (earlier, earlier))
        assert process_alive(proc.pid)
        assert not recorded_alive(path)
    finally:
        proc.kill()
        proc.wait()
