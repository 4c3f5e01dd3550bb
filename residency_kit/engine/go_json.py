"""JSON text as Go's ``encoding/json`` writes it, for values the CLI and the providers serialize.

``Marshal``: no spaces, non-ASCII kept as UTF-8, ``<``, ``>``, ``&``, U+2028 and U+2029 escaped as
``\\u003c``..., whole floats (that JSON decoding made floats) written as integers; map keys sorted (structs
keep their field order, so ``sort_keys`` is for maps only); ``MarshalIndent(v, "", "  ")`` with ``indent``.
"""

from __future__ import annotations

import json
from typing import Any

_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def _integral_floats_as_ints(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dict):
        return {k: _integral_floats_as_ints(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_integral_floats_as_ints(v) for v in value]
    return value


def dumps(value: Any, *, sort_keys: bool = False, indent: bool = False) -> str:
    text = json.dumps(
        _integral_floats_as_ints(value), ensure_ascii=False, sort_keys=sort_keys,
        indent=2 if indent else None, separators=(",", ": ") if indent else (",", ":"),
    )
    for char, escape in _ESCAPES:
        text = text.replace(char, escape)
    return text
