"""Issue 19: the built wheel resolves beside the lowest and beside the highest SDK versions it declares.

A resolver dry run (`uv pip compile`, which reads the package index) of the wheel with its `aws` extra, once with
every direct dependency pinned at its declared lower bound and once at the highest releases the ranges allow. The
lower bounds are the oldest releases the kit has been run with (the kit's own stacks preview clean with them:
docs/adopting.md, section 1); the lock file keeps pinning the kit's own environments.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from cli_environments import clean_env, uv


def _declared(wheel: Path) -> list[Requirement]:
    with zipfile.ZipFile(wheel) as zf:
        metadata = zf.read(next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))).decode()
    return [Requirement(line.split(":", 1)[1].strip()) for line in metadata.splitlines()
            if line.startswith("Requires-Dist:")]


def _lower_bound(spec: SpecifierSet) -> str:
    (low,) = [s.version for s in spec if s.operator == ">="]
    return low


def _resolve(tmp_path: Path, lines: list[str], *extra: str) -> dict[str, str]:
    source = tmp_path / "requirements.in"
    source.write_text("\n".join(lines) + "\n")
    done = uv("pip", "compile", str(source), "--python-version", "3.11", "--no-header", "--quiet", *extra,
              cwd=tmp_path, env=clean_env(), check=False)
    if done.returncode != 0 and re.search(r"(?i)(network|connect|dns|offline)", done.stderr):
        pytest.fail(f"the package index is needed for this resolver dry run: {done.stderr[-1500:]}")
    assert done.returncode == 0, done.stderr[-3000:]
    return {m.group(1).lower(): m.group(2) for m in re.finditer(r"^([A-Za-z0-9_.\-]+)==(\S+)", done.stdout, re.M)}


def test_the_wheel_declares_ranges_and_aws_only_as_an_extra(wheel):
    declared = _declared(wheel)
    for requirement in declared:
        operators = {s.operator for s in requirement.specifier}
        assert operators == {">=", "<"}, str(requirement)
    extras = {r.name for r in declared if r.marker is not None and "aws" in str(r.marker)}
    assert extras == {"pulumi-aws"}
    assert {r.name for r in declared if r.marker is None} >= {"pulumi", "pulumi-oci", "pulumi-policy", "pydantic"}


def test_the_wheel_resolves_with_the_lowest_supported_versions(wheel, tmp_path):
    declared = _declared(wheel)
    lowest = [f"{r.name}=={_lower_bound(r.specifier)}" for r in declared]
    resolved = _resolve(tmp_path, [f"residency-kit[aws] @ {wheel.as_uri()}", *lowest])
    for requirement in declared:
        assert resolved[requirement.name.lower()] == _lower_bound(requirement.specifier) or \
            resolved[requirement.name.lower()].startswith(_lower_bound(requirement.specifier) + "."), requirement


def test_the_wheel_resolves_with_the_highest_allowed_versions(wheel, tmp_path):
    declared = _declared(wheel)
    resolved = _resolve(tmp_path, [f"residency-kit[aws] @ {wheel.as_uri()}"], "--resolution", "highest")
    for requirement in declared:
        assert resolved[requirement.name.lower()] in requirement.specifier, (requirement, resolved[requirement.name.lower()])
