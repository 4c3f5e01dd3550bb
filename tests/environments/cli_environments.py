"""Helpers that build environments the way the Pulumi CLI and `make setup` do.

`make setup` has already downloaded every locked package into uv's cache. An environment built from the lock
(`uv sync --frozen --offline`) needs no network: uv links the files from its cache, so it takes seconds. An
install that resolves (`uv pip install` of the wheel or of a requirements file, as a team runs it) asks the
package index, because the cache of index pages is not filled by `uv sync` and is not the same on two machines.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
UV = Path(sys.executable).parent / "uv"
SHIM = Path(__file__).resolve().parent / "language_host_exec.py"


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without anything that would make the kit importable by accident, and with Python writing
    its bytecode cache as on a team's machine (a shell here may set PYTHONDONTWRITEBYTECODE: then every preview in
    a fresh venv compiled the SDK's modules again)."""
    dropped = ("PYTHONPATH", "VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(extra)
    return env


def uv(*args: str, cwd: Path, env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess:
    if not UV.exists():
        pytest.fail(f"{UV} is missing: run `make setup` (uv is in the lock's default `uv` group)")
    done = subprocess.run([str(UV), *args], cwd=cwd, env=env or clean_env(), capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=600)
    if check and done.returncode != 0:
        pytest.fail(f"uv {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done


def copy_checkout(dest: Path) -> Path:
    """What a fresh clone holds: the tracked files (plus new, not yet ignored ones), nothing built."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for rel in filter(None, listed):
        src = REPO / rel
        if src.is_file():
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)
    return dest


def stack_config_env(project_dir: Path, stack: str) -> str:
    """PULUMI_CONFIG as the language host sets it: every `ns:key` of the stack file, values as strings."""
    config = yaml.safe_load((project_dir / "stacks" / f"Pulumi.{stack}.yaml").read_text())["config"]
    return json.dumps({k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()})


def run_program_like_the_language_host(python: Path, project_dir: Path, stack: str) -> dict:
    """`pulumi preview`'s program run: the shim, cwd = the project (main is a file), on the mock runtime."""
    project = yaml.safe_load((project_dir / "Pulumi.yaml").read_text())
    done = subprocess.run(
        [str(python), str(SHIM), str(project_dir), project["main"], project["name"], stack],
        cwd=project_dir, env=clean_env(PULUMI_CONFIG=stack_config_env(project_dir, stack)),
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300,
    )
    lines = done.stdout.strip().splitlines()
    assert lines, f"the shim printed nothing (exit {done.returncode}):\n{done.stderr[-3000:]}"
    return json.loads(lines[-1])


def fresh_venv(path: Path) -> Path:
    """An empty virtualenv made with the suite's base interpreter (what `python -m venv` in a fresh clone makes)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True, capture_output=True,
                   env=clean_env())
    return path / "bin" / "python"


# A program nobody here wrote would do this: a bucket behind an explicit Frankfurt provider. The pack's
# `us-region-providers` refuses it using the allowed regions of its rules file, residency.yaml (the kit's floor),
# so a violation proves the pack ran *and* found its rules file; the stack names the parent company.
FRANKFURT_PROGRAM = '''\
import pulumi_oci as oci

eu = oci.Provider("eu", region="eu-frankfurt-1")
oci.objectstorage.Bucket("b", compartment_id="ocid1.compartment.oc1..aaaa", name="b", namespace="ns",
                         opts=__import__("pulumi").ResourceOptions(provider=eu))
'''


def write_frankfurt_program(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Pulumi.yaml").write_text("name: frankfurt\nruntime: python\n")
    (directory / "__main__.py").write_text(FRANKFURT_PROGRAM)
    (directory / "Pulumi.dev.yaml").write_text(
        "config:\n  oci:region: us-ashburn-1\n  residency:parentCompany:\n    cidrs: [203.0.113.0/24]\n")
    return directory


def residency_preview(residency: Path, program: Path, pack: Path, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(residency), "preview", "--cwd", str(program), "--stack", "dev", "--policy-pack", str(pack), "--json"],
        cwd=cwd, env=clean_env(), capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300,
    )


def flagged_policies(preview_json: str) -> set[str]:
    data = json.loads(preview_json)
    return {v["policy"] for v in data["violations"] if v.get("enforcementLevel", v.get("level")) == "mandatory"}


def build_distribution(source: Path, hook: str, out: Path) -> Path:
    """Build a wheel or sdist of ``source`` with setuptools' PEP 517 ``hook``; returns its path."""
    out.mkdir(parents=True, exist_ok=True)
    code = f"from setuptools import build_meta; print(build_meta.{hook}({str(out)!r}))"
    done = subprocess.run([sys.executable, "-c", code], cwd=source, env=clean_env(),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    return out / done.stdout.strip().splitlines()[-1]
