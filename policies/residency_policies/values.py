"""Unknown sentinels, and walking paths through a resource's properties.

Checks see properties with unknowns kept as the engine's sentinel strings (``views``, built by the framework
through ``sdk_compat.plain_properties``) rather than behind pulumi_policy's unknown-checking proxy, whose
``UnknownValueError`` the SDK would turn into an *advisory* "can't run during preview". So every policy
decides for itself: fail closed for residency-deciding values, "present" for presence-only values.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
UNKNOWN = UNKNOWN_STRING
"""The sentinel the engine sends for an unknown value (string-typed); compare with ``is_unknown``."""

UNKNOWN_SENTINELS: frozenset[str] = frozenset(
    {
        "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",  # boolean
        "3eeb2bf0-c639-47a8-9e75-3b44932eb421",  # number
        UNKNOWN_STRING,
        "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",  # array
        "030794c1-ac77-496b-92df-f27374a8bd58",  # asset
        "e48ece36-62e2-4504-bad9-02848725956a",  # archive
        "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",  # object
    }
)


def is_unknown(value: Any) -> bool:
    """True when ``value`` is one of the engine's unknown sentinels (a value not known at preview)."""
    return isinstance(value, str) and value in UNKNOWN_SENTINELS


def walk(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Yield ``(concrete_path, leaf)`` for every match of ``path`` in ``value``.

    ``path`` uses the surface doc's notation: ``a.b[].c`` (``[]`` = each list element, ``{}`` = each map
    value). Missing keys and nulls yield nothing. If a container on the way is unknown, the unknown
    itself is yielded at the path reached so far, so callers fail closed instead of seeing "absent".
    """
    tokens: list[str] = []
    for part in path.split("."):
        while part.endswith("[]") or part.endswith("{}"):
            suffix = part[-2:]
            part = part[:-2]
            if part:
                tokens.append(part)
            part = ""
            tokens.append(suffix)
        if part:
            tokens.append(part)
    yield from _walk(value, tokens, "")


def _walk(value: Any, tokens: list[str], here: str) -> Iterator[tuple[str, Any]]:
    if value is None:
        return
    if is_unknown(value):
        yield here, value
        return
    if not tokens:
        yield here, value
        return
    head, rest = tokens[0], tokens[1:]
    if head == "[]":
        if isinstance(value, list):
            for i, item in enumerate(value):
                yield from _walk(item, rest, f"{here}[{i}]")
        return
    if head == "{}":
        if isinstance(value, dict):
            for k, item in value.items():
                yield from _walk(item, rest, f"{here}.{k}" if here else k)
        return
    if isinstance(value, list):
        # The SDKs model some single blocks as one-element lists (and vice versa): walk each element.
        for i, item in enumerate(value):
            yield from _walk(item, tokens, f"{here}[{i}]")
        return
    if isinstance(value, dict) and head in value:
        yield from _walk(value[head], rest, f"{here}.{head}" if here else head)


def get(value: Any, path: str, default: Any = None) -> Any:
    """The single value at a dotted path without ``[]``, or ``default`` when absent (unknown is returned as is)."""
    for _, leaf in walk(value, path):
        return leaf
    return default


def maybe_json(value: Any) -> Any:
    """Decode a JSON-encoded string input (AWS provider ``assumeRoles``, policy documents); else return it."""
    if isinstance(value, str) and not is_unknown(value):
        text = value.strip()
        if text[:1] in "{[":
            try:
                return json.loads(text)
            except ValueError:
                return value
    return value


def contains_unknown(value: Any) -> bool:
    """True when ``value`` or anything nested in it is unknown."""
    if is_unknown(value):
        return True
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknown(v) for v in value)
    return False
