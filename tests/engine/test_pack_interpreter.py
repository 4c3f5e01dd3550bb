"""The offline engine picks a pack's Python by the Pulumi CLI's rules (residency_kit/engine/pack_interpreter.py)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from residency_kit.engine.pack_interpreter import PackInterpreterError, resolve_pack_interpreter

REPO = Path(__file__).resolve().parents[2]


def _venv(directory: Path) -> Path:
    (directory / "bin").mkdir(parents=True)
    (directory / "bin" / "python").write_text("#!/bin/sh\n")
    return directory


def _executable(directory: Path, name: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


def _project(**options):
    return {"runtime": {"name": "python", "options": options}} if options else {"runtime": "python"}


def test_pip_with_a_virtualenv_runs_in_it_activated(tmp_path):
    venv = _venv(tmp_path / "pack" / "venv")
    found = resolve_pack_interpreter(tmp_path / "pack", _project(toolchain="pip", virtualenv="venv"), {"PATH": "/usr/bin"})
    assert found.python == str(venv / "bin" / "python")
    env = found.environment({"PATH": "/usr/bin", "PYTHONHOME": "/x", "VIRTUAL_ENV": "/other", "KEEP": "1"})
    assert env == {"PATH": f"{venv / 'bin'}{os.pathsep}/usr/bin", "VIRTUAL_ENV": str(venv), "KEEP": "1"}


def test_pip_with_a_missing_virtualenv_says_how_to_create_it(tmp_path):
    (tmp_path / "pack").mkdir()
    with pytest.raises(PackInterpreterError) as err:
        resolve_pack_interpreter(tmp_path / "pack", _project(toolchain="pip", virtualenv="venv"), {})
    assert str(err.value) == (
        f"{tmp_path / 'pack' / 'PulumiPolicy.yaml'}: the pack runs in virtualenv 'venv' (toolchain pip), but "
        f"{tmp_path / 'pack' / 'venv'} is not a virtualenv (no bin/python); run `pulumi install` in {tmp_path / 'pack'} "
        "to create it and install requirements.txt"
    )


def test_without_a_virtualenv_the_pack_runs_on_python3_from_path_like_the_cli(tmp_path):
    (tmp_path / "pack").mkdir()
    python3 = _executable(tmp_path / "bin", "python3")
    _executable(tmp_path / "bin", "python")
    found = resolve_pack_interpreter(tmp_path / "pack", _project(), {"PATH": str(tmp_path / "bin")})
    assert found.python == str(python3) and found.venv is None
    assert "the pack sets no virtualenv" in found.origin
    only_python = _executable(tmp_path / "other", "python")
    assert resolve_pack_interpreter(tmp_path / "pack", _project(), {"PATH": str(tmp_path / "other")}).python == str(only_python)


def test_pulumi_python_cmd_wins_over_path(tmp_path):
    (tmp_path / "pack").mkdir()
    _executable(tmp_path / "bin", "python3")
    chosen = _executable(tmp_path / "elsewhere", "py")
    found = resolve_pack_interpreter(tmp_path / "pack", _project(toolchain="pip"),
                                     {"PATH": str(tmp_path / "bin"), "PULUMI_PYTHON_CMD": str(chosen)})
    assert found.python == str(chosen)


def test_no_python_at_all_is_a_clear_error(tmp_path):
    (tmp_path / "pack").mkdir()
    with pytest.raises(PackInterpreterError, match="set `virtualenv: venv` and run `pulumi install` in the pack"):
        resolve_pack_interpreter(tmp_path / "pack", _project(), {"PATH": str(tmp_path / "empty")})


def test_auto_toolchain_finds_a_uv_lock_upward_and_uses_that_projects_venv(tmp_path):
    (tmp_path / "uv.lock").write_text("")
    venv = _venv(tmp_path / ".venv")
    (tmp_path / "policies").mkdir()
    found = resolve_pack_interpreter(tmp_path / "policies", _project(), {"PATH": ""})
    assert found.python == str(venv / "bin" / "python")
    # An explicit pip toolchain is not fooled by the uv.lock above (this kit's own pack).
    _venv(tmp_path / "policies" / "venv")
    explicit = resolve_pack_interpreter(tmp_path / "policies", _project(toolchain="pip", virtualenv="venv"), {})
    assert explicit.python == str(tmp_path / "policies" / "venv" / "bin" / "python")


def test_uv_project_environment_moves_the_venv(tmp_path):
    (tmp_path / "uv.lock").write_text("")
    venv = _venv(tmp_path / "envs" / "one")
    found = resolve_pack_interpreter(tmp_path, _project(toolchain="uv"), {"UV_PROJECT_ENVIRONMENT": "envs/one"})
    assert found.python == str(venv / "bin" / "python")


@pytest.mark.parametrize("options, message", [
    ({"toolchain": "conda"}, "runtime.options.toolchain 'conda' is not supported; allowed: pip, uv, poetry"),
    ({"virtualenv": 3}, "runtime.options.virtualenv must be a string, got 3"),
])
def test_bad_options_name_the_option(tmp_path, options, message):
    with pytest.raises(PackInterpreterError, match=message.replace("(", r"\(").replace(")", r"\)")):
        resolve_pack_interpreter(tmp_path, _project(**options), {})


def test_the_kits_pack_runs_on_the_kits_interpreter_unless_pulumi_python_cmd_names_one(tmp_path):
    """The pack installed with the kit names no virtualenv: this CLI runs it on the kit's own interpreter; the
    Pulumi CLI (and this CLI when it is set) on PULUMI_PYTHON_CMD."""
    from residency_kit.engine.packs import read_pack_project

    project = read_pack_project(REPO / "policies")
    assert resolve_pack_interpreter(REPO / "policies", project, {"PATH": ""}).python == sys.executable
    other = _executable(tmp_path / "project" / ".venv" / "bin", "python")
    named = resolve_pack_interpreter(REPO / "policies", project, {"PULUMI_PYTHON_CMD": str(other)})
    assert named.python == str(other)
