"""The shape of every provider function's result, read from the provider SDK's own ``Get...Result`` classes.

Every invoke of pulumi_aws and pulumi_oci is generated the same way: token ``<pkg>:<module>/<fn>:<fn>``
lives in ``pulumi_<pkg>/<module>/<snake fn>.py`` (``index`` is the package root; a Python keyword gets a
trailing ``_``, as ``lambda_``) and returns ``Get<Fn>Result``. Its getters carry the wire name and the
type (``str``, ``bool``, ``int``/``float``, ``Sequence[...]``, ``Mapping[...]`` or a nested output type,
whose getters are read the same way). ``result_shape(token)`` returns that tree, or ``None`` when the token
is not one of an installed provider SDK's functions.

The wire name of a getter is only recorded on the getter function by ``pulumi.getter`` (a private
attribute); ``sdk_getter_wire_name`` is the one place that reads it.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import keyword
import re
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# pulumi._types stores the wire name of a getter under this attribute (``_PULUMI_NAME``).
_PULUMI_NAME_ATTRIBUTE = "_pulumi_name"
_MAX_DEPTH = 6


@dataclass(frozen=True)
class Shape:
    """One value's type: ``kind`` is str, bool, number, list, map, object or any."""

    kind: str
    item: Shape | None = None
    """Element type of a list or map."""
    fields: tuple[Field, ...] = ()
    """An object's fields, in the SDK's order."""
    type_name: str = ""
    """The SDK class of an object (``GetImagesImageResult``)."""


@dataclass(frozen=True)
class Field:
    python_name: str
    wire_name: str
    shape: Shape = field(compare=False)


def token_parts(token: str) -> tuple[str, str, str] | None:
    """``aws:ec2/getVpc:getVpc`` -> ``("aws", "ec2", "getVpc")``."""
    parts = token.split(":")
    if len(parts) != 3 or "/" not in parts[1]:
        return None
    package, module_fn, function = parts
    module = module_fn.split("/", 1)[0]
    return package, module, function


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def sdk_module_name(token: str) -> str | None:
    """The Python module that defines a function token's result class."""
    parts = token_parts(token)
    if parts is None:
        return None
    package, module, function = parts
    module = module.lower()
    if keyword.iskeyword(module):
        module += "_"
    path = [f"pulumi_{package}"] + ([] if module == "index" else [module]) + [_snake(function)]
    return ".".join(path)


def result_class(token: str) -> type | None:
    """``Get<Fn>Result`` of a function token, or ``None`` if no installed SDK defines the token."""
    parts = token_parts(token)
    module_name = sdk_module_name(token)
    if parts is None or module_name is None:
        return None
    function = parts[2]
    name = function[:1].upper() + function[1:] + "Result"
    try:
        # The package first, read through an attribute: the SDKs load their modules lazily, and importing the
        # function's own module before its package has run would leave the package's ``get_x`` bound to that
        # module instead of the function (a program calling ``aws.ec2.get_ami`` afterwards would fail).
        package = importlib.import_module(module_name.rsplit(".", 1)[0])
        cls = getattr(package, name, None)
        if not isinstance(cls, type):
            cls = getattr(importlib.import_module(module_name), name, None)
    except ImportError:
        return None
    return cls if isinstance(cls, type) else None


def sdk_getter_wire_name(getter: Any) -> str | None:
    """The wire name ``pulumi.getter`` recorded on a getter, or ``None`` for a plain property."""
    name = getattr(getter, _PULUMI_NAME_ATTRIBUTE, None)
    return name if isinstance(name, str) else None


def _getters(cls: type) -> list[tuple[str, str, Any]]:
    out = []
    for python_name, member in vars(cls).items():
        if isinstance(member, property) and member.fget is not None:
            wire = sdk_getter_wire_name(member.fget)
            if wire is not None:
                out.append((python_name, wire, member.fget))
    return out


def _shape_of(hint: Any, depth: int) -> Shape:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Union:
        rest = [a for a in args if a is not type(None)]
        return _shape_of(rest[0], depth) if len(rest) == 1 else Shape("any")
    if hint is str:
        return Shape("str")
    if hint is bool:
        return Shape("bool")
    if hint in (int, float):
        return Shape("number")
    if origin in (list, Sequence, typing.Sequence) or origin is getattr(typing, "List", None):
        return Shape("list", item=_shape_of(args[0], depth) if args else Shape("any"))
    if origin in (dict, Mapping, typing.Mapping):
        return Shape("map", item=_shape_of(args[1], depth) if len(args) == 2 else Shape("any"))
    if isinstance(hint, type) and depth < _MAX_DEPTH and _getters(hint):
        return object_shape(hint, depth + 1)
    return Shape("any")


@functools.cache
def object_shape(cls: type, depth: int = 0) -> Shape:
    """The fields of an SDK output type (a ``Get...Result`` or a nested output class)."""
    module = importlib.import_module(cls.__module__)
    fields = []
    for python_name, wire, getter in _getters(cls):
        try:
            hint = typing.get_type_hints(getter, globalns=vars(module)).get("return", Any)
        except Exception:  # noqa: BLE001 - an unresolvable annotation is an untyped value
            hint = Any
        fields.append(Field(python_name, wire, _shape_of(hint, depth)))
    return Shape("object", fields=tuple(fields), type_name=cls.__name__)


def result_shape(token: str) -> Shape | None:
    cls = result_class(token)
    return object_shape(cls) if cls is not None else None


@functools.cache
def argument_fields(token: str) -> frozenset[str]:
    """Wire names of the result fields that are the function's own arguments (echoed, never made up)."""
    cls = result_class(token)
    parts = token_parts(token)
    if cls is None or parts is None:
        return frozenset()
    module = importlib.import_module(cls.__module__)
    function = getattr(module, _snake(parts[2]), None)
    try:
        params = set(inspect.signature(function).parameters) - {"opts"} if function else set()
    except (TypeError, ValueError):
        params = set()
    return frozenset(f.wire_name for f in object_shape(cls).fields if f.python_name in params)
