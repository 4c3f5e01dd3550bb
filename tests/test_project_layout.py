"""The project files agree with each other: what the Pulumi CLI installs is what the kit pins."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _requirements(path: Path) -> list[str]:
    lines = [line.split("#", 1)[0].strip() for line in path.read_text().splitlines()]
    return [line for line in lines if line]


def test_requirements_txt_pins_exactly_the_project_dependencies():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert sorted(_requirements(ROOT / "requirements.txt")) == sorted(project["dependencies"])


def test_every_dependency_is_pinned_to_an_exact_version():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = list(project["dependencies"]) + [p for group in project["optional-dependencies"].values() for p in group]
    pins += _requirements(ROOT / "policies" / "requirements.txt")
    unpinned = [p for p in pins if "==" not in p]
    assert unpinned == []


def test_policy_pack_pins_agree_with_the_project():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    versions = dict(p.split("==") for p in project["dependencies"])
    for pin in _requirements(ROOT / "policies" / "requirements.txt"):
        name, version = pin.split("==")
        if name in versions:
            assert versions[name] == version, f"policies/requirements.txt pins {pin}, pyproject {versions[name]}"


def test_pulumi_yaml_declares_the_project_and_stack_config_dir():
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    assert project["name"] == "us-data-residency"
    assert project["runtime"]["name"] == "python"
    assert project["runtime"]["options"] == {"toolchain": "pip", "virtualenv": ".venv"}
    assert project["stackConfigDir"] == "stacks"
    for stack in ("dev", "us-prod"):
        assert (ROOT / "stacks" / f"Pulumi.{stack}.yaml").is_file()
