"""An invoke's answer converted to the types of the SDK's result class, as the provider converts it.

The SDK sends arguments as the program gave them (``aws.ec2.get_ami(most_recent="true")`` sends a string),
the provider converts each one to its schema type (Terraform's ``cty`` conversion) and the result echoes
the converted value; the SDK's ``Get...Result`` then checks every field's type and raises ``TypeError`` on a
mismatch. So every answer (echoed arguments, a handler's fields, pinned values) is converted field by field
to the result's shape (``sdk_shapes``), as ``cty`` converts:

- **bool**: ``"true"``/``"1"`` -> true, ``"false"``/``"0"`` -> false (exactly these strings);
- **number**: decimal text -> the number;
- **string**: a bool -> ``"true"``/``"false"``, a number -> its decimal text;
- lists, maps and objects element by element, field by field; ``any`` and null stay as they are.

A string holding an unknown marker (``ledger``) where a bool or number belongs is unknown: null, recorded as
unknown. A value ``cty`` refuses to convert is what the provider refuses: ``ResultTypeError`` names the field.

``check_fits`` then builds the SDK's result class from the answer exactly as the SDK will (through the
protobuf ``Struct`` the monitor sends, then ``translate_output_properties``), so an answer the SDK would
reject fails as an invoke failure naming the token instead of a ``TypeError`` deep inside the program.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from google.protobuf import struct_pb2
from pulumi.runtime import rpc

from residency_kit.engine.invokes.ledger import MARKER_RE
from residency_kit.engine.invokes.sdk_shapes import Shape, result_class

_TRUE = ("true", "1")
_FALSE = ("false", "0")


class ResultTypeError(ValueError):
    """A value the provider would not convert to its field's type; the message names the field path."""


def _number_text(value: float | int) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        value = int(value)
    if isinstance(value, int):
        return str(value)
    return format(Decimal(repr(value)).normalize(), "f")


def _parse_number(text: str) -> float | int | None:
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        return None
    if not number.is_finite() or not text.strip():
        return None
    return int(number) if number == number.to_integral_value() and abs(number) < 2**53 else float(number)


def coerce(value: Any, shape: Shape, path: str, on_unknown: Callable[[str], None]) -> Any:
    """``value`` converted to ``shape``; ``on_unknown(path)`` is told of each value that became unknown."""
    if value is None or shape.kind == "any":
        return value
    kind = shape.kind
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            if value in _TRUE:
                return True
            if value in _FALSE:
                return False
            if MARKER_RE.search(value):
                on_unknown(path)
                return None
        raise ResultTypeError(f"{path}: {value!r} is not a bool (the provider converts only the texts true, false, 1 and 0)")
    if kind == "number":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if isinstance(value, float) and not math.isfinite(value):
                raise ResultTypeError(f"{path}: {value!r} is not a finite number")
            return value
        if isinstance(value, str):
            parsed = _parse_number(value)
            if parsed is not None:
                return parsed
            if MARKER_RE.search(value):
                on_unknown(path)
                return None
        raise ResultTypeError(f"{path}: {value!r} is not a number")
    if kind == "str":
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return _number_text(value)
        raise ResultTypeError(f"{path}: {_kind_of(value)} where the result has a string")
    if kind == "list":
        if not isinstance(value, list):
            raise ResultTypeError(f"{path}: {_kind_of(value)} where the result has a list")
        item = shape.item or Shape("any")
        return [coerce(v, item, f"{path}[]", on_unknown) for v in value]
    if kind in ("map", "object") and not isinstance(value, dict):
        raise ResultTypeError(f"{path}: {_kind_of(value)} where the result has {'a map' if kind == 'map' else 'an object'}")
    if kind == "map":
        item = shape.item or Shape("any")
        return {k: coerce(v, item, f"{path}.{k}", on_unknown) for k, v in value.items()}
    fields = {f.wire_name: f.shape for f in shape.fields}
    out = {}
    for key, v in value.items():
        sub = f"{path}.{key}" if path else key
        out[key] = coerce(v, fields[key], sub, on_unknown) if key in fields else v
    return out


def coerce_arguments(
    args: dict[str, Any], shape: Shape, arguments: frozenset[str], on_unknown: Callable[[str], None]
) -> dict[str, Any]:
    """The arguments the result echoes, converted to their fields' types (what the provider computes with)."""
    fields = {f.wire_name: f.shape for f in shape.fields if f.wire_name in arguments}
    return {k: coerce(v, fields[k], k, on_unknown) if k in fields else v for k, v in args.items()}


def _kind_of(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"the bool {value!r}"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    return f"{value!r}"


def check_fits(token: str, result: dict[str, Any]) -> None:
    """Build ``token``'s SDK result class from ``result`` as the SDK will; raises what the SDK would raise."""
    cls = result_class(token)
    if cls is None:
        return
    wire = struct_pb2.Struct()
    wire.update(result)
    rpc.translate_output_properties(rpc.deserialize_properties(wire), lambda name: name, cls)
