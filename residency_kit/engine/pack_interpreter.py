"""Which Python the Pulumi CLI runs a policy pack (or a program) on, and the environment it gives it.

The rules are the Python language host's for an analyzer and for a program (pulumi/pulumi
``sdk/python/cmd/pulumi-language-python`` ``RunPlugin`` with kind ``analyzer`` and ``Run``; no default virtualenv
for either, and ``sdk/python/toolchain``). ``resolve_pack_interpreter`` serves the embedded engine's packs;
``resolve_interpreter`` the same rules for any project directory (the oracle's language host,
``residency_kit.pulumi_cli.language_host``, uses it for programs and packs alike):

- ``runtime.options.toolchain`` in PulumiPolicy.yaml is ``pip``, ``uv`` or ``poetry``; unset means *auto*: uv if
  a ``uv.lock`` is found in the pack directory or a parent, else poetry if a ``poetry.lock`` is, else pip.
- **pip**: with ``virtualenv`` (relative to the pack or project directory), ``<venv>/bin/python`` with that venv
  activated; without it, ``PULUMI_PYTHON_CMD``, else ``python3``, else ``python`` from ``PATH``: whatever happens
  to be first there, which is why packs should set ``virtualenv``.
- **uv**: the venv is ``virtualenv`` (relative to the pack or project directory), else ``UV_PROJECT_ENVIRONMENT``
  (relative to the project), else ``.venv`` next to the nearest ``uv.lock``, else the nearest
  ``pyproject.toml``, else in the pack or project directory.
- **poetry**: the venv ``poetry env info --path`` names.
- Activation (``ActivateVirtualEnv``): the venv's ``bin`` first on ``PATH``, ``VIRTUAL_ENV`` set to it,
  ``PYTHONHOME`` removed.

Unlike the CLI (``pulumi install``, and ``uv sync --inexact`` before every uv run), this tool installs nothing:
a missing virtualenv is an error that says how to create it.

One addition: the pack this kit ships (``residency_policy_pack``, editable install or not) names no virtualenv;
run by this CLI it runs on this interpreter (the kit's), whose dependencies include everything the pack's
requirements.txt lists (tests/test_project_layout.py), unless PULUMI_PYTHON_CMD names another.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal


class PackInterpreterError(RuntimeError):
    """The pack's Python cannot be found; the message names PulumiPolicy.yaml, the option and the fix."""


@dataclass(frozen=True)
class PackInterpreter:
    python: str
    # How it was chosen, for error messages: "virtualenv 'venv' (toolchain pip)", "python3 from PATH", ...
    origin: str
    venv: Path | None = None

    def environment(self, environ: Mapping[str, str]) -> dict[str, str]:
        """``environ`` as the language host passes it to the pack: the venv activated, if there is one."""
        env = dict(environ)
        if self.venv is None:
            return env
        env.pop("PYTHONHOME", None)
        bin_dir = str(self.venv / "bin")
        env["PATH"] = bin_dir + os.pathsep + env["PATH"] if env.get("PATH") else bin_dir
        env["VIRTUAL_ENV"] = str(self.venv)
        return env


def _search_up(start: Path, name: str) -> Path | None:
    for directory in (start, *start.parents):
        if (directory / name).exists():
            return directory
    return None


def _is_virtualenv(directory: Path) -> bool:
    return (directory / "bin" / "python").is_file()


def runtime_options(project: Mapping[str, Any], project_file: Path) -> Mapping[str, Any]:
    """``runtime.options`` of a Pulumi.yaml or PulumiPolicy.yaml document (empty when ``runtime`` is a bare name)."""
    runtime = project.get("runtime")
    options = runtime.get("options") if isinstance(runtime, dict) else None
    options = options or {}
    if not isinstance(options, Mapping):
        raise PackInterpreterError(f"{project_file}: runtime.options must be a mapping, got {options!r}")
    return options


def _options(options: Mapping[str, Any], project_file: Path) -> tuple[str, str | None]:
    toolchain = options.get("toolchain", "auto")
    if toolchain not in ("auto", "pip", "uv", "poetry"):
        raise PackInterpreterError(
            f"{project_file}: runtime.options.toolchain {toolchain!r} is not supported; allowed: pip, uv, poetry"
        )
    venv = options.get("virtualenv")
    if venv is not None and not isinstance(venv, str):
        raise PackInterpreterError(f"{project_file}: runtime.options.virtualenv must be a string, got {venv!r}")
    return toolchain, venv or None


def _chosen_toolchain(toolchain: str, directory: Path) -> str:
    """``auto`` made concrete: uv if a ``uv.lock`` is in ``directory`` or above, else poetry for a ``poetry.lock``,
    else pip."""
    if toolchain != "auto":
        return toolchain
    if _search_up(directory, "uv.lock") is not None:
        return "uv"
    if _search_up(directory, "poetry.lock") is not None:
        return "poetry"
    return "pip"


def _shipped_with_this_interpreter(pack_dir: Path) -> bool:
    """The pack installed with the kit this CLI runs from (editable or not): its dependencies are the kit's."""
    try:
        # Installed from policies/ by the wheel (package-dir); the source tree has no such package for mypy.
        from residency_policy_pack import PACK_DIR  # type: ignore[import-not-found]
    except ImportError:
        return False
    return pack_dir.resolve() == PACK_DIR


def _in_venv(venv: Path, origin: str, project_file: Path, fix: str, subject: str) -> PackInterpreter:
    if not _is_virtualenv(venv):
        raise PackInterpreterError(
            f"{project_file}: the {subject} runs in {origin}, but {venv} is not a virtualenv (no bin/python); {fix}"
        )
    return PackInterpreter(python=str(venv / "bin" / "python"), origin=origin, venv=venv)


def resolve_pack_interpreter(
    pack_dir: Path, project: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> PackInterpreter:
    pack_dir = Path(pack_dir).resolve()
    project_file = pack_dir / "PulumiPolicy.yaml"
    options = runtime_options(project, project_file)
    environ_now = os.environ if environ is None else environ
    if _shipped_with_this_interpreter(pack_dir) and not environ_now.get("PULUMI_PYTHON_CMD"):
        toolchain, venv = _options(options, project_file)
        toolchain = _chosen_toolchain(toolchain, pack_dir)
        declared = pack_dir / venv if venv and toolchain == "pip" else None
        if declared is None or not _is_virtualenv(declared):
            return PackInterpreter(python=sys.executable,
                                   origin=f"the interpreter the kit is installed in ({sys.executable})")
    return resolve_interpreter(pack_dir, options, environ, subject="pack", project_file=project_file)


def resolve_interpreter(
    directory: Path,
    options: Mapping[str, Any],
    environ: Mapping[str, str] | None = None,
    *,
    subject: Literal["pack", "program"],
    project_file: Path,
) -> PackInterpreter:
    """The Python the CLI runs ``subject`` ("pack" or "program") in ``directory`` on, by ``runtime.options``.

    ``directory`` holds ``project_file`` (named in errors); a relative ``virtualenv`` is relative to it.
    """
    environ = os.environ if environ is None else environ
    directory = Path(directory).resolve()
    toolchain, venv = _options(options, project_file)
    toolchain = _chosen_toolchain(toolchain, directory)

    if toolchain == "pip":
        if venv:
            return _in_venv(
                Path(venv) if os.path.isabs(venv) else directory / venv,
                f"virtualenv {venv!r} (toolchain pip)",
                project_file,
                f"run `pulumi install` in {directory} to create it and install requirements.txt",
                subject,
            )
        for name in ([environ["PULUMI_PYTHON_CMD"]] if environ.get("PULUMI_PYTHON_CMD") else ["python3", "python"]):
            found = shutil.which(name, path=environ.get("PATH"))
            if found:
                source = "PULUMI_PYTHON_CMD" if environ.get("PULUMI_PYTHON_CMD") else "PATH"
                return PackInterpreter(python=found,
                                       origin=f"{found} ({name} from {source}: the {subject} sets no virtualenv)")
        wanted = environ.get("PULUMI_PYTHON_CMD") or "python3 or python"
        raise PackInterpreterError(
            f"{project_file}: the {subject} sets no runtime.options.virtualenv, so it runs on {wanted} from PATH, "
            f"and there is none; set `virtualenv: venv` and run `pulumi install` in the {subject}, or set "
            "PULUMI_PYTHON_CMD"
        )

    if toolchain == "uv":
        if venv:
            path = Path(venv) if os.path.isabs(venv) else directory / venv
        else:
            project_dir = _search_up(directory, "uv.lock") or _search_up(directory, "pyproject.toml") or directory
            path = project_dir / (environ.get("UV_PROJECT_ENVIRONMENT") or ".venv")  # an absolute value wins
        return _in_venv(path, "the uv project environment (toolchain uv)", project_file,
                        f"run `uv sync` in {directory} (or `pulumi install`) to create it", subject)

    poetry = shutil.which("poetry", path=environ.get("PATH"))
    if poetry is None:
        raise PackInterpreterError(
            f"{project_file}: the {subject} uses the poetry toolchain, and `poetry` is not on PATH to name its "
            "virtualenv"
        )
    done = subprocess.run([poetry, "env", "info", "--path"], cwd=directory, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=60)
    named = done.stdout.strip()
    if done.returncode != 0 or not named:
        raise PackInterpreterError(
            f"{project_file}: `poetry env info --path` found no virtualenv for the {subject}; run `poetry install` "
            f"in {directory}"
        )
    return _in_venv(Path(named), "the poetry environment (toolchain poetry)", project_file,
                    f"run `poetry install` in {directory}", subject)
