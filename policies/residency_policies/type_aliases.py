"""Deprecated type tokens the pinned SDKs still ship, judged as their current types.

A correct program may still use ``aws.s3.BucketVersioningV2`` or ``aws.s3.BucketV2``; a rule that knows only
``aws:s3/bucketVersioning:BucketVersioning`` would miss it (and fail an Object Lock copy written with the
older classes). The framework rewrites every such resource, before any rule sees it, to its current token
and, where the deprecated class models single blocks as one-element lists (``versionings[0]``), to the current
shape (``versioning``). The table is generated from the SDKs (``policies/tools/generate_type_aliases.py``,
``data/type_aliases.txt``) and a drift test keeps it current.

The resource's URN keeps the token it was declared with (``ResourceView.declared_type``), so messages and
waivers still name what the program wrote.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).resolve().parent / "data" / "type_aliases.txt"


@dataclass
class _Node:
    """Renames at one level of the deprecated shape: ``{list key: object key}``, and the levels below."""

    renames: dict[str, str] = field(default_factory=dict)
    children: dict[str, _Node] = field(default_factory=dict)  # by key in the current shape; "[]" = list items


@dataclass(frozen=True)
class Alias:
    current: str
    shape: _Node


def _load() -> dict[str, Alias]:
    aliases: dict[str, str] = {}
    shapes: dict[str, _Node] = {}
    for line in DATA_FILE.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        if parts[0] == "alias":
            aliases[parts[1]] = parts[2]
        elif parts[0] == "rename":
            _, token, parent, old_key, new_key = parts
            node = shapes.setdefault(token, _Node())
            for step in ([] if parent == "." else parent.split(".")):
                node = node.children.setdefault(step.removesuffix("[]"), _Node())
                if step.endswith("[]"):
                    node = node.children.setdefault("[]", _Node())
            node.renames[old_key] = new_key
        else:
            raise ValueError(f"{DATA_FILE}: unreadable line {line!r}")
    return {old: Alias(new, shapes.get(old, _Node())) for old, new in aliases.items()}


ALIASES: Mapping[str, Alias] = _load()
"""Deprecated token -> its current token and the shape changes between them."""


def canonical_type(type_token: str) -> str:
    alias = ALIASES.get(type_token)
    return alias.current if alias else type_token


def canonical(type_token: str, props: Any) -> tuple[str, Any]:
    """``(current token, properties in the current shape)``; unchanged for any token that is not an alias.

    A one-element list under a renamed key becomes its element; a list of any other length keeps its key's new
    name and stays a list (the provider would refuse it; rules read lists at single-block paths element by
    element, ``values.walk``). Unknown values stay as they are.
    """
    alias = ALIASES.get(type_token)
    if alias is None:
        return type_token, props
    return alias.current, _reshape(props, alias.shape)


def _reshape(value: Any, node: _Node) -> Any:
    if isinstance(value, list):
        items = node.children.get("[]")
        return [_reshape(v, items) for v in value] if items is not None else value
    if not isinstance(value, dict) or (not node.renames and not node.children):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        new_key = node.renames.get(key)
        if new_key is not None and isinstance(item, list) and len(item) == 1:
            item = item[0]
        key = new_key or key
        child = node.children.get(key)
        if child is not None:
            if new_key is not None and isinstance(item, list):  # several blocks where one is expected
                item = [_reshape(i, child) for i in item]
            else:
                item = _reshape(item, child)
        out[key] = item
    return out
