"""Source positions of resources the program builds from the SDK's base classes directly.

The SDK finds a registration's source position by walking up from ``Resource.__init__`` to the *third*
``__init__`` frame (``Resource``, then ``CustomResource``/``ComponentResource``, then the concrete class) and
taking the frame that called it (``pulumi.runtime.resource._get_stack_trace``). A program that instantiates
``pulumi.ComponentResource(...)`` or ``pulumi.CustomResource(...)`` itself has no concrete class, so the
SDK sends no position (or, when the call happens inside some unrelated ``__init__``, that one's caller).

``install()`` wraps the two base classes' ``__init__`` (public classes; no SDK internals are touched): when
the object being built is exactly the base class, it records the program's frame that made the call (the
first frame outside installed libraries and the kit), keyed by type and name; ``take(type, name)`` hands it
to the monitor for that registration. Subclasses (every generated resource, every component class) are
left to the SDK, whose position is right for them.
"""

from __future__ import annotations

import functools
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi

_WRAPPED = "_residency_direct_positions"
_KIT = os.path.realpath(Path(__file__).resolve().parent.parent) + os.sep
_lock = threading.Lock()
_positions: dict[tuple[str, str], list[tuple[str, int]]] = {}


def _program_frame(is_library: Callable[[str], bool]) -> tuple[str, int]:
    frame = sys._getframe(2)  # the caller of the wrapped __init__
    while frame is not None:
        path = frame.f_code.co_filename
        if not path.startswith("<") and not is_library(path) and not os.path.realpath(path).startswith(_KIT):
            return os.path.abspath(path), frame.f_lineno
        frame = frame.f_back
    return "", 0


def _wrap(cls: type, is_library: Callable[[str], bool]) -> None:
    original = cls.__init__  # type: ignore[misc]  # the class's own constructor, wrapped as found
    if getattr(original, _WRAPPED, False):
        return

    @functools.wraps(original)
    def direct_init(self: Any, t: str, name: str, *args: Any, **kwargs: Any) -> None:
        if type(self) is cls:
            position = _program_frame(is_library)
            if position[0]:
                with _lock:
                    _positions.setdefault((t, name), []).append(position)
        original(self, t, name, *args, **kwargs)

    setattr(direct_init, _WRAPPED, True)
    cls.__init__ = direct_init  # type: ignore[misc]


def install(is_library: Callable[[str], bool]) -> None:
    """Record positions of direct instantiations from now on (idempotent)."""
    _wrap(pulumi.ComponentResource, is_library)
    _wrap(pulumi.CustomResource, is_library)


def take(type_: str, name: str) -> tuple[str, int] | None:
    """The recorded position of the next direct instantiation of ``type_`` named ``name``, if any."""
    with _lock:
        found = _positions.get((type_, name))
        if not found:
            return None
        position = found.pop(0)
        if not found:
            del _positions[(type_, name)]
        return position
