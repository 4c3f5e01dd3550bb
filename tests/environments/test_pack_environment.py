"""The pack runs with only its own requirements: given a virtualenv of its own, it needs nothing of the kit.

Installed with the kit, the pack runs on the kit's Python (PulumiPolicy.yaml names no virtualenv). A team that
gives the pack a virtualenv of its own (`virtualenv: venv` in its copy of PulumiPolicy.yaml, then `pulumi
install` there: pulumi/pulumi `pkg/cmd/pulumi/install`, `sdk/python/toolchain/pip.go`) needs only
`requirements.txt`: `pulumi preview --policy-pack <dir>` runs `<dir>/venv/bin/python -u -m pulumi.policy <engine>
<dir>`. Here that venv is built from the requirements file alone, in a copy of the pack that sits in no
checkout, and the offline engine runs the pack by the same rule.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from cli_environments import clean_env, flagged_policies, residency_preview, uv, write_frankfurt_program


def _with_own_virtualenv(pack: Path) -> Path:
    project = pack / "PulumiPolicy.yaml"
    project.write_text(project.read_text().replace("    toolchain: pip\n", "    toolchain: pip\n    virtualenv: venv\n"))
    assert "virtualenv: venv" in project.read_text()
    return pack


def test_the_pack_runs_in_a_venv_with_only_its_requirements(fresh_clone, tmp_path):
    pack = _with_own_virtualenv(shutil.copytree(fresh_clone / "policies", tmp_path / "pack"))
    subprocess.run([sys.executable, "-m", "venv", str(pack / "venv")], check=True, capture_output=True, env=clean_env())
    python = pack / "venv" / "bin" / "python"
    uv("pip", "install", "--python", str(python), "--require-hashes", "-r", "requirements.txt", cwd=pack)

    # Nothing of the kit is there: the pack cannot lean on it.
    for module in ("residency_kit", "residency_policies"):
        done = subprocess.run([str(python), "-c", f"import {module}"], cwd=tmp_path, env=clean_env(),
                              capture_output=True, text=True)
        assert done.returncode != 0 and "ModuleNotFoundError" in done.stderr, module

    program = write_frankfurt_program(tmp_path / "program")
    done = residency_preview(Path(sys.executable).parent / "residency", program, pack, cwd=tmp_path)
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-3000:]
    assert "us-region-providers" in flagged_policies(done.stdout)
    messages = [v["message"] for v in json.loads(done.stdout)["violations"] if v["policy"] == "us-region-providers"]
    assert any("allowed: us-ashburn-1" in m for m in messages), messages


def test_a_pack_whose_virtualenv_is_missing_is_refused_with_the_fix(fresh_clone, tmp_path):
    pack = _with_own_virtualenv(shutil.copytree(fresh_clone / "policies", tmp_path / "pack"))
    program = write_frankfurt_program(tmp_path / "program")
    done = residency_preview(Path(sys.executable).parent / "residency", program, pack, cwd=tmp_path)
    assert done.returncode == 2
    assert f"{pack}/PulumiPolicy.yaml" in done.stderr
    assert "virtualenv 'venv'" in done.stderr and f"run `pulumi install` in {pack}" in done.stderr
