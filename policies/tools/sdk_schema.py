"""The input schema of the installed provider SDKs, read with ``ast`` (never imported): for the generators.

The pack must not import ``pulumi_oci`` / ``pulumi_aws`` at run time (loading every submodule takes 10+ s
and ~0.5 GB per SDK), so the type lists it needs are generated at development time from the SDK sources
and checked in under ``residency_policies/data/``. This module is what every generator reads:

* a resource is a class whose ``__init__`` calls ``super(<Cls>, __self__).__init__('<token>', ...)``;
  its inputs are the properties of ``<Cls>Args`` (or ``<Cls>InitArgs`` where that name is taken);
* an input's wire name comes from ``@pulumi.getter(name="...")`` (a bare ``@pulumi.getter`` means the
  Python name is the wire name), its shape (scalar / list / map, element type) from the getter's return
  annotation, its description from the getter's docstring;
* a nested input type (``'VolumeBlockVolumeReplicaArgs'``) is looked up in the ``_inputs.py`` of the
  resource's module, then of the package root.

Paths use the surface doc's notation (``blockVolumeReplicas[].xrrKmsKeyId``; ``[]`` = each list element,
``{}`` = each map value), the same notation ``residency_policies.values.walk`` reads.
"""

from __future__ import annotations

import ast
import re
import importlib.metadata
import importlib.util
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

PACKAGES = {"pulumi_oci": "pulumi-oci", "pulumi_aws": "pulumi-aws"}
MAX_DEPTH = 7


@dataclass(frozen=True)
class Input:
    """One input property: wire name, shape (``scalar``/``list``/``map``), nested type name, description."""

    wire: str
    shape: str
    nested: str | None
    doc: str
    scalar: str | None = None  # "str", "bool", "int", "float" for scalar leaves


@dataclass(frozen=True)
class Resource:
    token: str
    cls: str
    module: str  # path of the module file relative to the package root, e.g. "core/volume.py"
    inputs: tuple[Input, ...]
    deprecated: str | None = None  # the deprecation message the class emits, if any


@dataclass
class Package:
    name: str
    version: str
    root: Path
    resources: dict[str, Resource] = field(default_factory=dict)
    # (module directory relative to root, class name) -> inputs of that input type
    types: dict[tuple[str, str], tuple[Input, ...]] = field(default_factory=dict)

    def nested(self, module: str, name: str) -> tuple[Input, ...] | None:
        folder = str(Path(module).parent)
        for key in ((folder, name), (".", name)):
            if key in self.types:
                return self.types[key]
        return None

    def paths(self, resource: Resource, max_depth: int = MAX_DEPTH) -> Iterator[tuple[str, Input]]:
        """Every input path of ``resource`` (containers and leaves), depth-first, with its ``Input``."""
        yield from self._paths(resource.module, resource.inputs, "", 1, max_depth, ())

    def _paths(self, module, inputs, prefix, depth, max_depth, seen) -> Iterator[tuple[str, Input]]:
        for item in inputs:
            path = f"{prefix}{item.wire}"
            if item.shape == "list":
                path += "[]"
            elif item.shape == "map":
                path += "{}"
            yield path, item
            if item.nested and depth < max_depth and item.nested not in seen:
                children = self.nested(module, item.nested)
                if children:
                    yield from self._paths(module, children, path + ".", depth + 1, max_depth, seen + (item.nested,))


_SCALARS = {"str": "str", "bool": "bool", "int": "int", "float": "float", "Any": "any"}


@cache
def _shape(annotation: str) -> tuple[str, str | None, str | None]:
    """``(shape, nested type name, scalar name)`` of a getter's return annotation such as
    ``pulumi.Input[Optional[Sequence[pulumi.Input['XArgs']]]]``."""
    try:
        return _shape_of(ast.parse(annotation, mode="eval").body, "scalar")
    except SyntaxError:
        return "scalar", None, None


def _shape_of(node: ast.expr, shape: str) -> tuple[str, str | None, str | None]:
    while True:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                node = ast.parse(node.value, mode="eval").body
            except SyntaxError:
                return shape, None, None
            continue
        if isinstance(node, ast.Subscript):
            head = node.value
            name = head.attr if isinstance(head, ast.Attribute) else getattr(head, "id", "")
            inner = node.slice
            if name in ("Sequence", "List", "list"):
                shape = "list" if shape == "scalar" else shape
                node = inner
                continue
            if name in ("Mapping", "Dict", "dict"):
                shape = "map" if shape == "scalar" else shape
                node = inner.elts[-1] if isinstance(inner, ast.Tuple) else inner
                continue
            if name == "Union":
                # Union['XArgs', 'XArgsDict'] or Union[str, 'PolicyDocumentArgs']: prefer the input type.
                options = inner.elts if isinstance(inner, ast.Tuple) else [inner]
                found = [_shape_of(o, shape) for o in options]
                return next((f for f in found if f[1]), found[0])
            node = inner  # Input[...], Optional[...], Output[...]
            continue
        name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", None)
        if name in _SCALARS:
            return shape, None, _SCALARS[name]
        if isinstance(name, str) and name.endswith("Args"):
            return shape, name, None
        return shape, None, None


_CLASS_RE = re.compile(r"^class (\w+)\b", re.M)
_GETTER_RE = re.compile(
    r'@pulumi\.getter(?:\(name="(?P<wire>[^"]+)"\))?\s*\n'
    r'(?:\s*@_utilities\.deprecated\("""(?P<dep>.*?)"""\)\s*\n)?'
    r'\s*def (?P<py>\w+)\(self\) -> (?P<ann>[^\n]*):\n'
    r'(?:\s*"""(?P<doc>.*?)""")?',
    re.S,
)
_TOKEN_RE = re.compile(r"super\((\w+), __self__\)\.__init__\(\s*'([^']+)'")
_DEPRECATED_RE = re.compile(r'warnings\.warn\("""([^"]*has been deprecated in favor of[^"]*)"""')


def _class_inputs(block: str) -> tuple[Input, ...]:
    out = []
    for m in _GETTER_RE.finditer(block):
        shape, nested, scalar = _shape(m.group("ann"))
        doc = " ".join((m.group("doc") or "").split())
        out.append(Input(m.group("wire") or m.group("py"), shape, nested, doc, scalar))
    return tuple(out)


def _classes(source: str) -> dict[str, str]:
    """Class name -> its source block (up to the next top-level class)."""
    marks = list(_CLASS_RE.finditer(source))
    return {m.group(1): source[m.start(): marks[i + 1].start() if i + 1 < len(marks) else len(source)]
            for i, m in enumerate(marks)}


@cache
def load(package: str) -> Package:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"{package} is not installed")
    root = Path(list(spec.submodule_search_locations)[0])
    pkg = Package(package, importlib.metadata.version(PACKAGES[package]), root)
    for path in sorted(root.rglob("*.py")):
        rel = str(path.relative_to(root))
        source = path.read_text(encoding="utf-8")
        if path.name == "_inputs.py":
            folder = str(Path(rel).parent)
            for name, block in _classes(source).items():
                if name.endswith("Args"):
                    pkg.types[(folder, name)] = _class_inputs(block)
            continue
        tokens = _TOKEN_RE.findall(source)
        if not tokens:
            continue
        classes = _classes(source)
        for cls, token in tokens:
            args = classes.get(f"{cls}Args") or classes.get(f"{cls}InitArgs") or ""
            deprecated = _DEPRECATED_RE.search(classes.get(cls, ""))
            pkg.resources[token] = Resource(token, cls, rel, _class_inputs(args),
                                            " ".join(deprecated.group(1).split()) if deprecated else None)
    return pkg


def packages() -> list[Package]:
    return [load(p) for p in PACKAGES]


def versions_header(*names: str) -> list[str]:
    """``# pulumi-oci==5.5.0`` lines for the given packages (default: both)."""
    return [f"# {PACKAGES[n]}=={importlib.metadata.version(PACKAGES[n])}" for n in (names or tuple(PACKAGES))]
