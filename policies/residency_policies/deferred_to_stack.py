"""What a policy's ``Analyze`` left to its ``AnalyzeStack``: the paths of each resource that were unknown.

``AnalyzeStack`` sees outputs, which for a create hold every property the provider computes as unknown; only
what ``Analyze`` judged unknown among the program's inputs is judged again over the stack, where the engine's
property dependencies show where it came from. ``Analyze`` of every resource precedes ``AnalyzeStack`` in one
preview, in one pack process; a resource ``Analyze`` never saw (``pulumi policy analyze`` of a state) is
judged in full.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Generic, TypeVar

T = TypeVar("T")


class DeferredPaths:
    """Per URN, the property paths one policy's ``Analyze`` found unknown (recorded for every resource it
    judged, empty when nothing was, so a value known at ``Analyze`` is never judged again)."""

    def __init__(self) -> None:
        self._paths: dict[str, frozenset[str]] = {}
        self._lock = threading.Lock()

    def record(self, urn: str, paths: Iterable[str]) -> None:
        with self._lock:
            self._paths[urn] = frozenset(paths)

    def deferred(self, urn: str, path: str) -> bool:
        """True when ``path`` of ``urn`` is to be judged over the stack: ``Analyze`` left it, or never saw the
        resource."""
        with self._lock:
            seen = self._paths.get(urn)
        return seen is None or path in seen


class DeferredValues(Generic[T]):
    """Per URN, what one policy's ``Analyze`` left for its ``AnalyzeStack`` to decide (recorded for every resource
    it judged, empty when nothing was left); ``None`` for a resource ``Analyze`` never saw."""

    def __init__(self) -> None:
        self._values: dict[str, tuple[T, ...]] = {}
        self._lock = threading.Lock()

    def record(self, urn: str, values: Iterable[T]) -> None:
        with self._lock:
            self._values[urn] = tuple(values)

    def get(self, urn: str) -> tuple[T, ...] | None:
        with self._lock:
            return self._values.get(urn)
