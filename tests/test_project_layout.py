"""The project files agree with each other: one source of truth (pyproject.toml + uv.lock) for every install.

What the Pulumi CLI installs (`pulumi install`: `uv sync` for the project, `pip install -r requirements.txt`
into policies/venv for the pack), what `make setup` installs and what CI installs all come from uv.lock,
with hashes. The environments themselves are built and run in tests/environments/.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
UV = Path(sys.executable).parent / "uv"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
LOCK = tomllib.loads((ROOT / "uv.lock").read_text())
# name==version lines of a requirements file, with the hashes that follow them
_REQUIREMENT = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s;\\]+)(?:\s*;[^\\]*)?\s*\\?$")


def _requirements(path: Path) -> dict[str, tuple[str, int]]:
    """{name: (version, number of --hash options)} for a hashed requirements file."""
    found: dict[str, tuple[str, int]] = {}
    current = None
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("--hash="):
            assert current is not None, f"{path}: a hash before any requirement"
            version, hashes = found[current]
            found[current] = (version, hashes + 1)
            continue
        match = _REQUIREMENT.match(stripped)
        assert match, f"{path}: not an exact pin: {stripped!r}"
        current = match.group(1).lower()
        found[current] = (match.group(2), 0)
    return found


def _uv(*args: str) -> str:
    if not UV.exists():
        pytest.fail(f"{UV} is missing: run `make setup`")
    done = subprocess.run([str(UV), *args], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _without_header(text: str) -> str:
    lines = text.splitlines()
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    return "\n".join(lines)


def test_the_kit_declares_ranges_and_its_own_tools_exact_pins():
    """Issue 19: a library that installs beside other projects' pins: every runtime dependency (and the AWS extra)
    is a range with a lower and an upper bound; the kit's own tools stay exact pins; uv.lock pins everything."""
    runtime = list(PYPROJECT["project"]["dependencies"]) + PYPROJECT["project"]["optional-dependencies"]["aws"]
    for requirement in runtime:
        assert "==" not in requirement and ">=" in requirement and "<" in requirement.split(">=", 1)[1], requirement
    assert [r.split(">=")[0] for r in PYPROJECT["project"]["optional-dependencies"]["aws"]] == ["pulumi-aws"]
    assert not any(r.startswith("pulumi-aws") for r in PYPROJECT["project"]["dependencies"])
    tools = [p for name, group in PYPROJECT["dependency-groups"].items() if name != "pack" for p in group]
    assert [p for p in tools if "==" not in p and p != "residency-kit[aws]"] == []
    assert PYPROJECT["build-system"]["requires"] == ["setuptools==80.9.0"]
    assert "setuptools==80.9.0" in PYPROJECT["dependency-groups"]["build"]


def test_the_lock_matches_pyproject():
    _uv("lock", "--check", "--offline")


def test_every_locked_package_has_hashes():
    for package in LOCK["package"]:
        if "editable" in package["source"] or "virtual" in package["source"]:
            assert package["name"] == "residency-kit"
            continue
        assert package["source"] == {"registry": "https://pypi.org/simple"}, package["name"]
        files = package.get("wheels", []) + ([package["sdist"]] if "sdist" in package else [])
        assert files and all(f["hash"].startswith("sha256:") for f in files), package["name"]


@pytest.mark.parametrize("exported, group", [("policies/requirements.txt", "pack"), ("requirements-uv.txt", "uv")])
def test_exported_requirements_are_the_lock_with_hashes(exported, group):
    """`make lock` writes these from uv.lock; pip installs them hash-checked (`--require-hashes`)."""
    expected = _uv("export", "--frozen", "--quiet", "--only-group", group, "--no-emit-project", "--format", "requirements-txt")
    assert _without_header((ROOT / exported).read_text()) == _without_header(expected), f"{exported} is stale: run `make lock`"
    pins = _requirements(ROOT / exported)
    assert pins and all(hashes > 0 for _, hashes in pins.values())
    locked = {p["name"]: p["version"] for p in LOCK["package"]}
    assert {name: version for name, (version, _) in pins.items()} == {name: locked[name] for name in pins}


def test_the_pack_requirements_cover_what_the_pack_imports():
    pins = _requirements(ROOT / "policies" / "requirements.txt")
    assert {"pulumi", "pulumi-policy", "pyyaml", "grpcio", "protobuf"} <= set(pins)
    # The pack's pins satisfy the kit's ranges: the kit's own environment satisfies the pack (the shipped pack
    # runs on the kit's interpreter), and the pack's group names the same ranges as the kit.
    from packaging.requirements import Requirement

    kit = {Requirement(p).name: Requirement(p).specifier for p in PYPROJECT["project"]["dependencies"]}
    pack = {Requirement(p).name: Requirement(p).specifier for p in PYPROJECT["dependency-groups"]["pack"]}
    for name in ("pulumi", "pulumi-policy", "pyyaml"):
        assert pack[name] == kit[name] and pins[name][0] in kit[name], name


def test_pulumi_yaml_runs_the_program_in_the_uv_environment():
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    assert project["name"] == "us-data-residency"
    assert project["runtime"]["name"] == "python"
    assert project["runtime"]["options"] == {"toolchain": "uv", "virtualenv": ".venv"}
    assert project["main"] == "__main__.py"
    assert project["stackConfigDir"] == "stacks"
    for stack in ("dev", "us-prod"):
        assert (ROOT / "stacks" / f"Pulumi.{stack}.yaml").is_file()
    # With toolchain uv the CLI ignores requirements.txt: one here would be a second, unused source of truth.
    assert not (ROOT / "requirements.txt").exists()


def test_the_pack_runs_on_the_python_the_kit_is_installed_in():
    """Installed with the kit (site-packages/residency_policy_pack), the pack has no virtualenv of its own to
    name: the engine runs it on PULUMI_PYTHON_CMD, the project's Python, where the kit is installed."""
    pack = yaml.safe_load((ROOT / "policies" / "PulumiPolicy.yaml").read_text())
    assert pack["runtime"] == {"name": "python", "options": {"toolchain": "pip"}}
    # No pyproject.toml in the pack: `pulumi install` there would `pip install` the directory itself.
    assert not (ROOT / "policies" / "pyproject.toml").exists()


def test_every_package_on_disk_is_in_the_wheel_configuration():
    """pyproject lists packages explicitly (package-dir mappings); a new package must be added there."""
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for root in ("residency_kit",)
               for p in (ROOT / root).rglob("__init__.py")}
    on_disk |= {".".join(p.parent.relative_to(ROOT / "policies").parts)
                for p in (ROOT / "policies" / "residency_policies").rglob("__init__.py")}
    on_disk.add("residency_policy_pack")
    assert set(PYPROJECT["tool"]["setuptools"]["packages"]) == on_disk
    assert PYPROJECT["tool"]["setuptools"]["package-dir"] == {
        "residency_policies": "policies/residency_policies", "residency_policy_pack": "policies"}
