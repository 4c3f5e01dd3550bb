from __future__ import annotations

from process_watch import leftover_processes, pid_dir, process_alive  # noqa: F401  (shared fixtures)
