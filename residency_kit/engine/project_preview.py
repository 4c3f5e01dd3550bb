"""Preview a Pulumi project directory: the program runs in a child process while the packs analyze what it registers.

As in ``pulumi preview``: the policy packs are loaded (and their config validated) before anything is
analyzed, and each resource is analyzed as it is registered (``Remediate`` then ``Analyze``), while the
program keeps running; ``AnalyzeStack`` follows once the program has finished. The program child streams
its registrations (``program_host``); ``run_program`` is the one place that runs a program and turns its
registrations into the engine's stack (the preview and the diagram both use it). Every child process is
stopped on every exit path.

With no ``--policy-pack`` the residency pack that ships with the kit runs (``shipped_pack``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from residency_kit.engine.capture import DefaultProviderUse, Read, Registration
from residency_kit.engine.invokes.ledger import InvokeRecord
from residency_kit.engine.invokes.pinned import PINNED_FILE, PinnedAnswersError, load_pinned_answers
from residency_kit.engine.packs import AnalysisSession, PolicyPackConfigError, PolicyPackError, PolicyPackProcess
from residency_kit.engine.project import (
    Project,
    ProjectError,
    choose_stack,
    load_project,
    load_stack_config,
    provider_config_positions,
    stack_files,
)
from residency_kit.engine.pack_selection import PackSelectionError, select_policy_packs
from residency_kit.engine.results import (
    FailedPreview,
    FailureKind,
    PreviewOutcome,
    PreviewResult,
    ProjectPreview,
    RunFailure,
)
from residency_kit.engine.secrets import Scrubber, secret_texts
from residency_kit.engine.stack import EngineResource, EngineStack, EngineStackBuilder, EngineStackError, apply_event

PROGRAM_TIMEOUT = float(os.environ.get("RESIDENCY_PROGRAM_TIMEOUT", "900"))
_CONFIG_ERROR_CLASSES = ("ConfigMissingError", "ConfigTypeError")
_CONFIG_ERROR_SUFFIXES = ("ConfigError", "ConfigurationError", "SettingsError")


class PreviewError(RuntimeError):
    """A usage, configuration, program or pack error (exit code 2); the message names what is at fault."""


class ProgramError(PreviewError):
    """The program failed. ``output`` is what it printed, ``traceback`` the program's own part of the trace."""

    def __init__(self, message: str, *, output: str = "", traceback: str = "", configuration: bool = False):
        super().__init__(message)
        self.output = output
        self.traceback = traceback
        self.configuration = configuration


@dataclass
class ProgramOutcome:
    """What one run of the program produced (or, from ``ProgramRecorder.outcome``, had produced so far)."""

    stack: EngineStack
    registrations: list[Registration]
    invokes: list[InvokeRecord]
    reads: list[Read]
    output: str
    scrubber: Scrubber = field(default_factory=Scrubber)


class ProgramRecorder:
    """What one run of a program has reported so far: its registrations as the engine's stack, its reads, its
    invokes and its output. The caller owns it, so what a run had learned before it failed is at hand however
    it failed."""

    def __init__(self, project: Project, stack: str, config: Mapping[str, str], secret_keys: Sequence[str]):
        self.builder = EngineStackBuilder(
            project=project.name, stack=stack, config=config, secret_keys=secret_keys,
            config_positions=provider_config_positions(project, stack),
        )
        self.registrations: list[Registration] = []
        self.reads: list[Read] = []
        self.invokes: list[InvokeRecord] = []
        self.output = ""

    def apply(self, kind: str, value: Any) -> list[EngineResource]:
        """Record one event of the program; returns the engine resources it added."""
        if kind == "registration":
            self.registrations.append(value)
        elif kind == "read":
            self.reads.append(value)
        return apply_event(self.builder, kind, value)

    def outcome(self) -> ProgramOutcome:
        engine_stack = self.builder.stack()
        return ProgramOutcome(
            engine_stack, list(self.registrations), list(self.invokes), list(self.reads), self.output,
            Scrubber(secret_texts(r.inputs for r in engine_stack.resources)),
        )


def _is_configuration_error(error: Mapping[str, Any]) -> bool:
    name = str(error.get("type", ""))
    return name in _CONFIG_ERROR_CLASSES or name.endswith(_CONFIG_ERROR_SUFFIXES)


class ProgramRun:
    """The user's program running in a child process, streaming its registrations back."""

    def __init__(self, project: Project, stack: str, config: Mapping[str, str], secret_keys: Sequence[str], workdir: Path):
        self.project = project
        request_path = workdir / "request.json"
        entry = "." if project.entry_is_directory else project.entry.name
        request_path.write_text(json.dumps({
            "root": str(project.root), "pwd": str(project.pwd), "entry": entry,
            "project": project.name, "stack": stack,
        }))
        # As the language host: the ambient environment plus the stack's config.
        env = dict(os.environ)
        env["PULUMI_CONFIG"] = json.dumps(dict(config))
        env["PULUMI_CONFIG_SECRET_KEYS"] = json.dumps(list(secret_keys))
        read_fd, write_fd = os.pipe()
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-P", "-m", "residency_kit.engine.program_host", str(request_path), str(write_fd)],
                cwd=project.pwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, start_new_session=True, pass_fds=(write_fd,),
            )
        finally:
            os.close(write_fd)
        self._events = os.fdopen(read_fd, "r", encoding="utf-8")
        self._output: list[bytes] = []
        self._drain = threading.Thread(target=self._drain_output, daemon=True)
        self._drain.start()
        self._timed_out = False
        self._timer = threading.Timer(PROGRAM_TIMEOUT, self._time_out)
        self._timer.daemon = True
        self._timer.start()

    def _drain_output(self) -> None:
        stdout = self.proc.stdout
        assert stdout is not None
        for chunk in iter(lambda: stdout.read(65536), b""):
            self._output.append(chunk)

    def _time_out(self) -> None:
        self._timed_out = True
        self._kill()

    @property
    def timed_out(self) -> bool:
        return self._timed_out

    def _kill(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def stop(self) -> None:
        self._timer.cancel()
        self._kill()
        self.proc.wait()
        self._drain.join(timeout=5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self._events.close()

    @property
    def output(self) -> str:
        return b"".join(self._output).decode(errors="replace")

    def events(self):
        """Each event the program reports, as it reports it."""
        for line in self._events:
            if line.strip():
                yield json.loads(line)


def _decode_event(event: Mapping[str, Any]) -> tuple[str, Any]:
    if "registration" in event:
        return "registration", Registration(**event["registration"])
    if "read" in event:
        return "read", Read(**event["read"])
    if "default-provider" in event:
        return "default-provider", DefaultProviderUse(**event["default-provider"])
    outputs = event["outputs"]
    return "outputs", (outputs["urn"], outputs["outputs"])


def run_program(
    project: Project,
    stack: str,
    config: Mapping[str, str],
    secret_keys: Sequence[str],
    *,
    recorder: ProgramRecorder | None = None,
    on_resources: Callable[[EngineStack, list[EngineResource]], None] | None = None,
    before_stream: Callable[[], None] | None = None,
) -> ProgramOutcome:
    """Run the program; ``on_resources`` sees the engine resources of each registration as it arrives.

    ``recorder`` (one is made when not given) holds what the program reported, also when this raises (a
    ``PreviewError``, a ``ProgramError``, or whatever ``on_resources`` or ``before_stream`` raised).
    ``before_stream`` runs after the program has started and before its first registration is used (the
    preview starts the packs there, so their start-up overlaps the program's imports).
    """
    recorder = recorder if recorder is not None else ProgramRecorder(project, stack, config, secret_keys)
    builder = recorder.builder
    done: dict[str, Any] | None = None
    with tempfile.TemporaryDirectory(prefix="residency-program-") as workdir:
        program = ProgramRun(project, stack, config, secret_keys, Path(workdir))
        try:
            if before_stream is not None:
                before_stream()
            if on_resources is not None:
                on_resources(builder.stack(), [builder.root])
            for event in program.events():
                if "done" in event:
                    done = event["done"]
                    continue
                added = recorder.apply(*_decode_event(event))
                if added and on_resources is not None:
                    on_resources(builder.stack(), added)
            program.proc.wait()
        finally:
            program.stop()
            recorder.output = program.output
        if program.timed_out:
            raise PreviewError(f"program {project.entry} did not finish within {PROGRAM_TIMEOUT:g}s")
    outcome = recorder.outcome()
    if done is None:
        raise PreviewError(
            f"program {project.entry} crashed (exit code {program.proc.returncode}) before reporting:\n"
            + outcome.scrubber.scrub(outcome.output)
        )
    invokes = [InvokeRecord.from_json(r) for r in done["invokes"]]
    for record in invokes:
        record.used_by = [builder.engine_urn(u) for u in record.used_by]
    recorder.invokes = invokes
    error = done.get("error")
    if error:
        raise _program_error(project, error, invokes, outcome.output, outcome.scrubber)
    return recorder.outcome()


def _program_error(
    project: Project, error: Mapping[str, Any], invokes: Sequence[InvokeRecord], output: str, scrubber: Scrubber
) -> ProgramError:
    scrub = scrubber.scrub
    if error.get("run_error"):
        prefix = "configuration error: " if _is_configuration_error(error) else ""
        return ProgramError(prefix + scrub(str(error["message"])), output=scrub(output), configuration=True)
    if error["file"]:
        where = f"{error['file']}:{error['line']} in {error['function']}"
        message = f"program failed at {where}: {error['type']}: {error['message']}"
        if error["code"]:
            message += f"\n    {error['code']}"
    else:
        message = f"program {project.entry} failed: {error['type']}: {error['message']}"
    if error.get("type") in ("ModuleNotFoundError", "ImportError"):
        message += "\n    " + interpreter_hint(project, str(error.get("module") or ""))
    named = {c for c in error.get("invokes", [])}
    blamed = [r for r in invokes if r.call in named]
    if blamed:
        tokens = ", ".join(dict.fromkeys(r.token for r in blamed))
        message += (
            f"\n    the failing value comes from invoke {tokens}, whose answer is not known offline; "
            f"pin it in {PINNED_FILE} (see docs/preview.md)"
        )
    else:
        unanswered = list(dict.fromkeys(r.token for r in invokes if r.kind == "unanswered"))
        if unanswered:
            message += (
                f"\n    invoke(s) answered with unknown results offline: {', '.join(unanswered)}; if the failure "
                f"comes from one, pin its answer in {PINNED_FILE}"
            )
    return ProgramError(scrub(message), output=scrub(output), traceback=scrub(str(error.get("traceback", ""))))


def _project_virtualenv(project: Project) -> Path | None:
    venv = project.runtime_options.get("virtualenv") if isinstance(project.runtime_options, dict) else None
    if not isinstance(venv, str) or not venv:
        return None
    return Path(venv) if Path(venv).is_absolute() else project.root / venv


def _project_environment(project: Project) -> str:
    """The environment ``pulumi preview`` would run the program in, as Pulumi.yaml's runtime options name it."""
    options = project.runtime_options if isinstance(project.runtime_options, dict) else {}
    venv = _project_virtualenv(project)
    toolchain = options.get("toolchain")
    if venv is not None:
        return f"the project's virtualenv {venv} (Pulumi.yaml runtime.options.virtualenv: {options['virtualenv']})"
    if toolchain in ("uv", "poetry"):
        return f"the project's {toolchain} environment (Pulumi.yaml runtime.options.toolchain: {toolchain})"
    return ""


def _installed_in(environment_root: Path, module: str) -> bool:
    top = module.split(".", 1)[0]
    return bool(top) and any(
        (site / top).exists() or (site / f"{top}.py").exists()
        for site in environment_root.glob("lib/python3*/site-packages")
    )


def interpreter_hint(project: Project, module: str) -> str:
    """What to do when the program cannot import a module: it runs on the kit's interpreter, not the project's."""
    environment = _project_environment(project)
    venv = _project_virtualenv(project)
    if venv is not None and venv.resolve() == Path(sys.prefix).resolve():
        unused = f" (which is {environment})"  # the kit is installed in the project's own virtualenv
    else:
        unused = f"; {environment} was not used" if environment else ""
    found = ""
    if module and venv is not None and _installed_in(venv, module) and venv.resolve() != Path(sys.prefix).resolve():
        found = f" ({module.split('.', 1)[0]} is installed there)"
    top = module.split(".", 1)[0] if module else ""
    return (
        f"residency preview runs the program on the kit's own interpreter ({sys.executable}){unused}{found}; "
        f"{_install_advice(project, top)}, or preview with the real CLI: `residency preview --engine pulumi`"
    )


_KIT_MODULES = ("residency_kit", "residency_policies", "residency_policy_pack")


def _install_advice(project: Project, top: str) -> str:
    """How to make ``top`` importable, never by guessing a distribution name: a guessed name can be somebody
    else's project on the package index."""
    if top and any((base / top).is_dir() or (base / f"{top}.py").is_file() for base in (project.root, project.pwd)):
        return (f"`{top}` is part of this project: the language host puts nothing on sys.path when Pulumi.yaml's "
                "`main` names a file (as `pulumi preview` does), so install the project itself into its virtualenv "
                "(`uv sync`, or `pip install -e .`) or let `main` name the directory")
    if top in _KIT_MODULES:
        return f"install the kit into that environment (`{sys.executable} -m pip install residency-kit`)"
    if top.startswith("pulumi_") and top != "pulumi_policy":
        dist = "pulumi-" + top.removeprefix("pulumi_").replace("_", "-")
        return f"install the provider SDK into that environment (`{sys.executable} -m pip install {dist}`)"
    return (f"install the distribution that provides `{top or '<module>'}` into that environment, under the name "
            "your project's dependencies give it (a module's name is not always its distribution's, and a guessed "
            "name may be another project on the package index)")


# What makes a project preview fail (exit 2) rather than crash: everything else is a bug and propagates.
_RUN_FAILURES = (PreviewError, PolicyPackError, EngineStackError, ProjectError, PinnedAnswersError, PackSelectionError)


def run_failure(err: Exception, scrubber: Scrubber | None = None) -> RunFailure:
    """``err`` (one of the errors a run fails with) as a typed failure, every field scrubbed of secrets."""
    scrub = scrubber.scrub if scrubber is not None else (lambda text: text)
    if isinstance(err, ProgramError):
        kind = FailureKind.CONFIGURATION if err.configuration else FailureKind.PROGRAM
        return RunFailure(kind, scrub(str(err)), traceback=scrub(err.traceback), output=scrub(err.output))
    if isinstance(err, PolicyPackConfigError):
        # As the CLI prints it: each validation error, then "validating policy config".
        return RunFailure(FailureKind.POLICY_CONFIG, "validating policy config", tuple(scrub(e) for e in err.errors))
    if isinstance(err, PolicyPackError):
        return RunFailure(FailureKind.POLICY_PACK, scrub(str(err)))
    return RunFailure(FailureKind.PREVIEW, scrub(str(err)))


@dataclass
class _Progress:
    """What a project preview has learned so far: a failure reports it."""

    stack: str
    project: Project | None = None
    notes: list[str] = field(default_factory=list)
    config: dict[str, str] = field(default_factory=dict)
    learned: PreviewResult | None = None
    scrubber: Scrubber | None = None

    def failed(self, err: Exception) -> FailedPreview:
        failure = run_failure(err, self.scrubber)
        result = self.learned
        if result is not None:
            result.failure = failure
        return FailedPreview(failure, self.project, self.stack, list(self.notes), dict(self.config), result)


def run_project_preview(
    directory: str | Path,
    *,
    stack: str | None = None,
    policy_packs: Sequence[str | Path] | None = None,
    policy_pack_configs: Sequence[str | Path | None] = (),
    config_overrides: Mapping[str, str] | None = None,
) -> PreviewOutcome:
    """Preview a project: a ``ProjectPreview``, or a ``FailedPreview`` saying why the run failed and what it had
    learned before it failed."""
    progress = _Progress(stack=stack or "")
    try:
        return _run_project_preview(
            directory, progress, stack=stack, policy_packs=policy_packs, policy_pack_configs=policy_pack_configs,
            config_overrides=config_overrides,
        )
    except _RUN_FAILURES as err:
        return progress.failed(err)


def _run_project_preview(
    directory: str | Path,
    progress: _Progress,
    *,
    stack: str | None,
    policy_packs: Sequence[str | Path] | None,
    policy_pack_configs: Sequence[str | Path | None],
    config_overrides: Mapping[str, str] | None,
) -> ProjectPreview:
    project = progress.project = load_project(directory)
    choice = choose_stack(project, stack)
    stack_name = progress.stack = choice.name
    notes = progress.notes = [choice.note] if choice.note else []
    config, secret_keys = load_stack_config(project, stack_name, config_overrides)
    progress.config = dict(config)
    load_pinned_answers(project.root)  # a malformed fixtures file is an error before anything runs
    selection = select_policy_packs(policy_packs, policy_pack_configs)
    pack_dirs, origin, parsed_configs = selection.pack_dirs, selection.origin, selection.configs

    packs: list[PolicyPackProcess] = []
    sessions: list[AnalysisSession] = []
    recorder = ProgramRecorder(project, stack_name, config, secret_keys)
    with ExitStack() as stack_ctx:

        def start_packs() -> None:
            for pack_dir, pack_config in zip(pack_dirs, parsed_configs, strict=True):
                pack = PolicyPackProcess(
                    pack_dir, project=project.name, stack=stack_name, config=config, dry_run=True,
                    policy_config=pack_config, secret_keys=secret_keys, stack_files=stack_files(project, stack_name),
                )
                stack_ctx.enter_context(pack)
                packs.append(pack)
                session = pack.session()
                stack_ctx.callback(session.cancel)
                sessions.append(session)

        def analyze(engine_stack: EngineStack, added: list[EngineResource]) -> None:
            for session in sessions:
                for resource in added:
                    session.add(engine_stack, resource)

        try:
            outcome = run_program(
                project, stack_name, config, secret_keys, recorder=recorder, on_resources=analyze,
                before_stream=start_packs,
            )
            analyses = [session.finish(outcome.stack) for session in sessions]
        except _RUN_FAILURES:
            # What Analyze found before the failure, collected while the packs still run.
            learned = recorder.outcome()
            progress.scrubber = learned.scrubber
            progress.learned = PreviewResult.from_analyses(
                learned.stack, packs=[p.info for p in packs], analyses=[s.partial() for s in sessions],
                registrations=learned.registrations, invokes=learned.invokes, reads=learned.reads,
                scrubber=learned.scrubber, pack_dirs=[p.pack_dir for p in packs], pack_origin=origin,
                program_output=learned.output, notes=list(notes), rules=[p.rules_in_force() for p in packs],
            )
            raise
    result = PreviewResult.from_analyses(
        outcome.stack, packs=[p.info for p in packs], analyses=analyses, registrations=outcome.registrations,
        invokes=outcome.invokes, reads=outcome.reads, scrubber=outcome.scrubber,
        pack_dirs=pack_dirs, pack_origin=origin, program_output=outcome.output, notes=list(notes),
        rules=[p.rules_in_force() for p in packs],
    )
    return ProjectPreview(result=result, project=project, stack=stack_name, pack_dirs=pack_dirs)
