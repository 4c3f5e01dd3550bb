"""The real engine runs on the user's own virtualenv and leaves it exactly as it was (issue 16).

A project with ``toolchain: uv`` makes the CLI's Python toolchain run ``uv sync --inexact`` before every
Python process. ``residency preview --engine pulumi`` and the oracle run the CLI on a mirror of the project
whose ``.venv`` links to the user's; a sync there reinstalled the project, editable, from the mirror's
temporary path (``.venv/bin/*`` shebangs and ``direct_url.json`` pointing into a deleted directory). This
builds such a project (a package with a console script, installed editable by ``uv sync``, offline), runs
``residency preview --engine pulumi`` on it, and requires every file of its ``.venv`` to be byte-identical
afterwards, and no temporary directory left behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from residency_kit.pulumi_cli.offline import find_pulumi

REPO = Path(__file__).resolve().parents[2]
UV = Path(sys.executable).parent / "uv"

pytestmark = [
    pytest.mark.oracle,
    pytest.mark.skipif(find_pulumi() is None, reason="no Pulumi CLI: run `make oracle`"),
    pytest.mark.skipif(not UV.exists(), reason="no uv next to the interpreter: run `make setup`"),
]

PYPROJECT = """\
[project]
name = "probe-project"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = []

[project.scripts]
probe = "probe_project:main"

[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[tool.setuptools]
py-modules = ["probe_project"]

# Built with the environment's own setuptools (the kit's, through kit.pth): nothing is downloaded.
[tool.uv]
no-build-isolation = true
"""

PROGRAM = """\
import pulumi_oci as oci
oci.objectstorage.Bucket("b", compartment_id="ocid1.compartment.oc1..aaaaaaaaprobe", namespace="ns", name="probe")
"""


def tree_digest(root: Path) -> dict[str, str]:
    """Every entry under ``root``: a file's sha256, a link's target."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if path.is_symlink():
            out[rel] = "-> " + os.readlink(path)
        elif path.is_file():
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.fixture
def uv_project(tmp_path, monkeypatch):
    monkeypatch.setenv("UV_OFFLINE", "1")
    monkeypatch.setenv("UV_PYTHON_DOWNLOADS", "never")
    project = tmp_path / "project"
    project.mkdir()
    (project / "Pulumi.yaml").write_text(
        "name: probe\nruntime:\n  name: python\n  options:\n    toolchain: uv\n    virtualenv: .venv\n")
    (project / "Pulumi.dev.yaml").write_text("config:\n  oci:region: us-phoenix-1\n")
    (project / "__main__.py").write_text(PROGRAM)
    (project / "pyproject.toml").write_text(PYPROJECT)
    (project / "probe_project.py").write_text("def main():\n    print('probe')\n")

    def uv(*args):
        subprocess.run([str(UV), *args], cwd=project, check=True, capture_output=True, text=True, timeout=300)

    uv("venv", "--quiet", "--python", sys.executable, ".venv")
    # The program's SDKs come from the kit's environment; the project's own lock holds only itself.
    site = project / ".venv" / Path(sysconfig.get_path("purelib")).relative_to(sysconfig.get_path("data"))
    (site / "kit.pth").write_text(sysconfig.get_path("purelib") + "\n")
    uv("lock", "--quiet")
    uv("sync", "--quiet", "--inexact")
    return project


def test_engine_pulumi_leaves_a_uv_projects_virtualenv_byte_identical(uv_project, tmp_path):
    venv = uv_project / ".venv"
    script = (venv / "bin" / "probe").read_text()
    assert script.startswith(f"#!{venv}/bin/python")
    (direct_url,) = venv.glob("lib/python*/site-packages/probe_project-*.dist-info/direct_url.json")
    assert json.loads(direct_url.read_text())["url"] == f"file://{uv_project}"
    before = tree_digest(venv)

    temp = tmp_path / "tmp"
    temp.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "residency_kit.cli", "preview", "--engine", "pulumi", "--json", "--cwd", str(uv_project),
         "--stack", "dev", "--policy-pack", str(REPO / "tests" / "packs" / "tiny")],
        capture_output=True, text=True, timeout=600, cwd=REPO, env={**os.environ, "TMPDIR": str(temp)})
    assert done.returncode in (0, 1), done.stderr[-3000:]
    resources = {r["urn"].rsplit("::", 1)[-1] for r in json.loads(done.stdout)["resources"]}
    assert "b" in resources  # the program ran, on the project's environment

    assert tree_digest(venv) == before
    assert (venv / "bin" / "probe").read_text() == script
    assert json.loads(direct_url.read_text())["url"] == f"file://{uv_project}"
    assert list(temp.iterdir()) == []  # the CLI's work directory (mirror, backend, plugins) is gone
