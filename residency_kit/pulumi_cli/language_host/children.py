"""The processes the language host started (programs and policy packs), so that none outlives it."""

from __future__ import annotations

import subprocess
import threading
import time
from typing import NoReturn

import grpc

# How long a child has to exit after SIGTERM before it is killed.
TERMINATE_GRACE_SECONDS = 5.0


def stop_processes(processes: list[subprocess.Popen]) -> None:
    """SIGTERM to each, then SIGKILL to those still running after the grace period; reaps them all."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + TERMINATE_GRACE_SECONDS
    for process in processes:
        try:
            process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Children:
    """A thread-safe set of running child processes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: set[subprocess.Popen] = set()

    def add(self, process: subprocess.Popen) -> None:
        with self._lock:
            self._running.add(process)

    def discard(self, process: subprocess.Popen) -> None:
        with self._lock:
            self._running.discard(process)

    def stop_all(self) -> None:
        """Stop every child still running (the engine cancelled, or the host is shutting down)."""
        with self._lock:
            running = list(self._running)
            self._running.clear()
        stop_processes(running)


def abort(context: grpc.ServicerContext, code: grpc.StatusCode, message: str) -> NoReturn:
    """End the call with ``code`` and ``message``."""
    context.abort(code, message)
    raise AssertionError("grpc's abort returned")  # it raises; this tells type checkers so
