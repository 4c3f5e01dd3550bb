"""Which properties a resource type computes, read from the installed provider SDK (no import, no schema).

A provider's ``Create`` in preview returns the resource's inputs and leaves the properties it computes
unknown. The Python SDKs list those properties: ``<Resource>._internal_init`` assigns ``None`` to every
output-only property (``__props__.__dict__["arn"] = None``) and the resource's getters give their wire
names (``@pulumi.getter(name="tagsAll")``). This module reads them with ``ast`` from the SDK's source, so a
stand-in provider knows ``oci:ObjectStorage/bucket:Bucket`` computes ``bucketId``, ``etag``, ``timeCreated``
and so on, without importing the SDK (which costs seconds and half a gigabyte per provider).
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import json
import re
from pathlib import Path


def _package_dir(package: str) -> Path | None:
    spec = importlib.util.find_spec(f"pulumi_{package}")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


@functools.cache
def _resource_classes(package: str) -> dict[str, tuple[str, str]]:
    """Type token -> (Python package of the module, class name), from the SDK's ``resource_modules`` table."""
    root = _package_dir(package)
    if root is None:
        return {}
    tree = ast.parse((root / "__init__.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "resource_modules" and isinstance(node.value, ast.Constant) \
                and isinstance(node.value.value, str):
            table: dict[str, tuple[str, str]] = {}
            for module in json.loads(node.value.value):
                for token, cls in module.get("classes", {}).items():
                    table[token] = (module["fqn"], cls)
            return table
    return {}


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _module_file(fqn: str, token: str, cls: str) -> Path | None:
    package_root = _package_dir(fqn.split(".")[0].removeprefix("pulumi_"))
    if package_root is None:
        return None
    directory = package_root.joinpath(*fqn.split(".")[1:])
    candidate = directory / f"{_snake(token.split(':')[1].split('/')[-1])}.py"
    if candidate.is_file():
        return candidate
    marker = f"class {cls}(pulumi.CustomResource)"
    for path in sorted(directory.glob("*.py")):
        if marker in path.read_text(encoding="utf-8"):
            return path
    return None


@functools.cache
def computed_outputs(token: str) -> frozenset[str]:
    """Wire names of the properties ``token`` computes (output-only); empty when the SDK does not know it."""
    package = token.split(":", 1)[0]
    entry = _resource_classes(package).get(token)
    if entry is None:
        return frozenset()
    path = _module_file(entry[0], token, entry[1])
    if path is None:
        return frozenset()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    cls = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == entry[1]), None)
    if cls is None:
        return frozenset()
    wire_names: dict[str, str] = {}
    computed: set[str] = set()
    for item in cls.body:
        if not isinstance(item, ast.FunctionDef):
            continue
        if item.name == "_internal_init":
            for node in ast.walk(item):
                if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and node.value.value is None
                        and len(node.targets) == 1 and isinstance(node.targets[0], ast.Subscript)):
                    key = node.targets[0].slice
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        computed.add(key.value)
        for decorator in item.decorator_list:
            if isinstance(decorator, ast.Call) and getattr(decorator.func, "attr", "") == "getter":
                wire = next((k.value.value for k in decorator.keywords
                             if k.arg == "name" and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str)),
                            item.name)
                wire_names[item.name] = wire
    return frozenset(wire_names.get(name, name) for name in computed)
