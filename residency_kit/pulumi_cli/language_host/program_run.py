"""``Run``: a Pulumi program, started through the SDK's exec shim, and what its exit code tells the engine.

The shim (``pulumi-language-python-exec``, a file of the pinned sdk/v3 module) reads its settings from its
command line (``--monitor``, ``--engine``, ``--project``, ``--stack``, ``--organization``, ``--root_directory``,
``--pwd``, ``--dry_run``, ``--parallel``, ``--tracing``, then the entry point and the program's arguments) and
the stack's config from ``PULUMI_CONFIG`` (a JSON object) and ``PULUMI_CONFIG_SECRET_KEYS`` (a JSON list). It
changes to ``--pwd`` and runs the entry point with ``runpy.run_path``: a directory's ``__main__.py``, or the file.
"""

from __future__ import annotations

import json
import signal
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from google.protobuf import json_format
from pulumi.runtime.proto import language_pb2

from residency_kit.engine.pack_interpreter import PackInterpreter, resolve_interpreter

# The shim exits with this code after it has shown the user the program's error itself (a traceback or a
# missing __main__.py): the engine is told to stop without reporting anything more.
SHIM_REPORTED_EXIT = 32


@dataclass(frozen=True)
class Launch:
    """A child process to start: its command line, working directory and complete environment."""

    argv: tuple[str, ...]
    cwd: Path
    env: Mapping[str, str]


def runtime_options(info: language_pb2.ProgramInfo) -> dict[str, Any]:
    """``runtime.options`` of the project, as the engine sent them."""
    return json_format.MessageToDict(info.options) if info.HasField("options") else {}


def program_interpreter(info: language_pb2.ProgramInfo, environ: Mapping[str, str]) -> PackInterpreter:
    root = Path(info.root_directory)
    project_file = next((root / name for name in ("Pulumi.yaml", "Pulumi.yml") if (root / name).exists()),
                        root / "Pulumi.yaml")
    return resolve_interpreter(root, runtime_options(info), environ, subject="program", project_file=project_file)


def program_launch(
    request: language_pb2.RunRequest,
    interpreter: PackInterpreter,
    *,
    engine_address: str,
    exec_shim: Path,
    tracing: str | None,
    environ: Mapping[str, str],
) -> Launch:
    info = request.info
    pwd = request.pwd or info.program_directory
    settings = [
        f"--project={request.project}",
        f"--stack={request.stack}",
        f"--monitor={request.monitor_address}",
        f"--engine={engine_address}",
        f"--pwd={pwd}",
        f"--dry_run={'true' if request.dryRun else 'false'}",
        f"--parallel={request.parallel}",  # the shim converts it unconditionally
    ]
    # Left out when empty, so the SDK keeps its own default rather than an empty name.
    if request.organization:
        settings.append(f"--organization={request.organization}")
    if info.root_directory:
        settings.append(f"--root_directory={info.root_directory}")
    if tracing:
        settings.append(f"--tracing={tracing}")
    entry_point = info.entry_point or "."
    env = interpreter.environment(environ)
    # Always set, so that a value in the engine's own environment never reaches the program as its config.
    env["PULUMI_CONFIG"] = json.dumps(dict(request.config), sort_keys=True)
    env["PULUMI_CONFIG_SECRET_KEYS"] = json.dumps(sorted(request.configSecretKeys))
    # "--" ends the options: the entry point and the program's own arguments are taken as they are.
    argv = (interpreter.python, str(exec_shim), *settings, "--", entry_point, *request.args)
    return Launch(argv=argv, cwd=Path(pwd), env=env)


def run_response(returncode: int) -> language_pb2.RunResponse:
    """What the engine is told about a program that exited with ``returncode`` (negative: killed by a signal)."""
    if returncode == 0:
        return language_pb2.RunResponse()
    if returncode == SHIM_REPORTED_EXIT:
        return language_pb2.RunResponse(bail=True)
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = str(-returncode)
        return language_pb2.RunResponse(error=f"the Python program was stopped by signal {name}")
    return language_pb2.RunResponse(error=f"the Python program exited with code {returncode}")
