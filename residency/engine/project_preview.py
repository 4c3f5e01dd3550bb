"""Preview a Pulumi project directory: packs loaded and configured, program run in a child, then analysis.

As in ``pulumi preview``, the policy packs are loaded (and their config validated) before the program's
result is used; the program runs concurrently in a child Python process so its imports overlap with the
packs' start-up. Every child process is stopped on every exit path.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from residency.engine.api import PreviewResult, analyze_registrations
from residency.engine.capture import Registration
from residency.engine.pack_config import PolicyConfigError, load_policy_pack_config_file
from residency.engine.packs import PolicyPackProcess
from residency.engine.project import Project, load_project, load_stack_config, resolve_stack

PROGRAM_TIMEOUT = float(os.environ.get("RESIDENCY_PROGRAM_TIMEOUT", "900"))


class PreviewError(RuntimeError):
    """A usage, configuration, program or pack error (exit code 2); the message names what is at fault."""


class ProgramError(PreviewError):
    def __init__(self, message: str, details: Mapping[str, Any]):
        super().__init__(message)
        self.details = dict(details)


@dataclass
class ProjectPreview:
    result: PreviewResult
    project: Project
    stack: str
    pack_dirs: list[Path] = field(default_factory=list)


def default_policy_packs(project: Project) -> list[Path]:
    """Inside this repository (``policies/PulumiPolicy.yaml`` next to Pulumi.yaml) the pack is ``policies/``."""
    candidate = project.root / "policies"
    return [candidate] if (candidate / "PulumiPolicy.yaml").is_file() else []


class ProgramRun:
    """The user's program running in a child process; ``wait()`` returns its registrations."""

    def __init__(self, project: Project, stack: str, config: Mapping[str, str], secret_keys: Sequence[str], workdir: Path):
        self.project = project
        self.request_path = workdir / "request.json"
        self.result_path = workdir / "result.json"
        self.request_path.write_text(
            json.dumps(
                {
                    "root": str(project.root),
                    "pwd": str(project.pwd),
                    "entry": str(project.entry),
                    "project": project.name,
                    "stack": stack,
                    "config": dict(config),
                    "secret_keys": list(secret_keys),
                }
            )
        )
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "residency.engine.program_host", str(self.request_path), str(self.result_path)],
            cwd=project.pwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()

    def wait(self) -> tuple[list[Registration], list[str], str]:
        try:
            output, _ = self.proc.communicate(timeout=PROGRAM_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.stop()
            raise PreviewError(f"program {self.project.entry} did not finish within {PROGRAM_TIMEOUT:g}s") from None
        text = output.decode(errors="replace")
        if not self.result_path.is_file():
            raise PreviewError(
                f"program {self.project.entry} crashed (exit code {self.proc.returncode}) before reporting:\n{text}"
            )
        result = json.loads(self.result_path.read_text())
        error = result.get("error")
        if error:
            if error["file"]:
                where = f"{error['file']}:{error['line']} in {error['function']}"
                message = f"program failed at {where}: {error['type']}: {error['message']}"
                if error["code"]:
                    message += f"\n    {error['code']}"
            else:
                message = f"program {self.project.entry} failed: {error['type']}: {error['message']}"
            raise ProgramError(message, {**error, "output": text})
        registrations = [Registration(**r) for r in result["registrations"]]
        return registrations, result["unanswered_invokes"], text


def run_project_preview(
    directory: str | Path,
    *,
    stack: str | None = None,
    policy_packs: Sequence[str | Path] | None = None,
    policy_pack_configs: Sequence[str | Path | None] = (),
    config_overrides: Mapping[str, str] | None = None,
) -> ProjectPreview:
    from residency.engine.project import ProjectError

    try:
        project = load_project(directory)
        stack_name = resolve_stack(project, stack)
        config, secret_keys = load_stack_config(project, stack_name, config_overrides)
    except ProjectError as err:
        raise PreviewError(str(err)) from err

    pack_dirs = [Path(p).resolve() for p in policy_packs] if policy_packs else default_policy_packs(project)
    configs = list(policy_pack_configs)
    if len(configs) > len(pack_dirs):
        raise PreviewError(
            f"{len(configs)} --policy-pack-config files for {len(pack_dirs)} --policy-pack directories; "
            "they pair by position"
        )
    configs += [None] * (len(pack_dirs) - len(configs))
    parsed_configs = []
    for config_file in configs:
        try:
            parsed_configs.append(load_policy_pack_config_file(config_file) if config_file else None)
        except PolicyConfigError as err:
            raise PreviewError(str(err)) from err
    for pack_dir in pack_dirs:
        if not (pack_dir / "PulumiPolicy.yaml").is_file():
            raise PreviewError(f"--policy-pack {pack_dir}: not a policy pack (no PulumiPolicy.yaml)")

    with ExitStack() as stack_ctx, tempfile.TemporaryDirectory(prefix="residency-preview-") as workdir:
        program = ProgramRun(project, stack_name, config, secret_keys, Path(workdir))
        stack_ctx.callback(program.stop)
        packs = []
        for pack_dir, pack_config in zip(pack_dirs, parsed_configs):
            pack = PolicyPackProcess(
                pack_dir,
                project=project.name,
                stack=stack_name,
                config=config,
                dry_run=True,
                policy_config=pack_config,
                secret_keys=secret_keys,
            )
            stack_ctx.enter_context(pack)
            packs.append(pack)
        registrations, unanswered, _ = program.wait()
        result = analyze_registrations(
            registrations,
            packs=packs,
            project=project.name,
            stack=stack_name,
            config=config,
            secret_keys=secret_keys,
            unanswered_invokes=unanswered,
        )
    return ProjectPreview(result=result, project=project, stack=stack_name, pack_dirs=pack_dirs)
