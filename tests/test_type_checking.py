"""mypy reads only the SDK services the checked code calls (pyproject.toml, [tool.mypy]); this keeps that list true.

A service left off the list is Any to mypy, so a wrong argument to one of its classes would pass `make lint`
unseen. Each test fails with the module to add or drop.
"""

from __future__ import annotations

import ast
import importlib.util
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SDKS = ("pulumi_oci", "pulumi_aws")


def _mypy_config() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["mypy"]


def _followed_modules() -> set[str]:
    followed: set[str] = set()
    for override in _mypy_config()["overrides"]:
        if override.get("follow_imports") == "normal":
            followed.update(override["module"])
    return followed


def _checked_files() -> list[Path]:
    config = _mypy_config()
    roots = [REPO / config["mypy_path"], REPO]
    files = []
    for package in config["packages"]:
        relative = Path(*package.split("."))
        base = next(root / relative for root in roots if (root / relative).is_dir())
        files.extend(sorted(base.rglob("*.py")))
    return files


def sdk_services_used(source: str) -> set[str]:
    """`pulumi_oci.core` for `import pulumi_oci as oci` then `oci.core.Vcn`, `from pulumi_oci import core`, or
    `from pulumi_oci.core import Vcn`. Names that are not modules (`oci.Provider`) are dropped by the caller."""
    tree = ast.parse(source)
    aliases: dict[str, str] = {}
    used: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for name in node.names:
                parts = name.name.split(".")
                if parts[0] in SDKS:
                    if len(parts) > 1:
                        used.add(".".join(parts[:2]))
                    if name.asname or len(parts) == 1:
                        aliases[name.asname or name.name] = name.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in SDKS:
            parts = node.module.split(".")
            if len(parts) > 1:
                used.add(".".join(parts[:2]))
            else:
                used.update(f"{parts[0]}.{name.name}" for name in node.names)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
            module = aliases[node.value.id]
            if "." not in module:
                used.add(f"{module}.{node.attr}")
    return used


def _is_module(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def test_the_scan_finds_services_by_every_import_form():
    source = (
        "import pulumi_oci as oci\nimport pulumi_aws\nfrom pulumi_oci import kms\nfrom pulumi_aws.s3 import Bucket\n"
        "import pulumi_oci.sch\noci.core.Vcn('v')\npulumi_aws.iam.Role('r')\noci.Provider('p')\n"
    )
    assert sdk_services_used(source) == {
        "pulumi_oci.core", "pulumi_oci.kms", "pulumi_oci.sch", "pulumi_oci.Provider",
        "pulumi_aws.iam", "pulumi_aws.s3",
    }


def test_every_sdk_service_the_checked_code_calls_is_read_by_mypy():
    followed = _followed_modules()
    used: dict[str, list[str]] = {}
    for path in _checked_files():
        for service in sdk_services_used(path.read_text()):
            if _is_module(service):
                used.setdefault(service, []).append(str(path.relative_to(REPO)))
    assert used, "the scan found no SDK use at all: the checked packages moved or the scan is broken"
    missing = {
        service: files for service, files in used.items()
        if service not in followed or f"{service}.*" not in followed
    }
    assert not missing, (
        "add these modules (and their `.*`) to the follow_imports = \"normal\" override in pyproject.toml: "
        f"{missing}"
    )


def test_every_followed_sdk_module_exists_and_is_used():
    followed = _followed_modules()
    used = {s for path in _checked_files() for s in sdk_services_used(path.read_text())}
    shared = {"provider", "_utilities", "_inputs", "outputs", "_enums", "config"}
    for name in sorted(followed):
        base = name.removesuffix(".*")
        assert _is_module(base), f"{base} (pyproject.toml [tool.mypy] overrides) is not a module of the installed SDK"
        parts = base.split(".")
        if len(parts) == 2 and parts[1] not in shared:
            assert base in used, f"{base} is read by mypy but no checked code calls it: drop it from pyproject.toml"
