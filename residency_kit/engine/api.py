"""The offline preview as a Python API: run a program on the mock runtime, then every pack over gRPC.

``preview_function`` runs a Python callable in this process (fast; what policy tests use);
``preview_directory`` runs a Pulumi project directory in a child process like the language host does.
Both return a ``PreviewResult`` (``residency_kit.engine.results``): the structured result every output (text,
``--json``, the reports, the diagram) is built from. ``preview_directory`` raises ``PreviewFailed`` (holding
the typed ``FailedPreview``) when the run fails; ``run_project_preview`` returns either outcome instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from residency_kit.engine.capture import Read, Registration, capture
from residency_kit.engine.invokes.ledger import InvokeRecord
from residency_kit.engine.packs import PolicyPackProcess
from residency_kit.engine.preview_mocks import PreviewMocks
from residency_kit.engine.project_preview import run_project_preview
from residency_kit.engine.results import FailedPreview, PreviewResult
from residency_kit.engine.stack import EngineStackBuilder, apply_event


class PreviewFailed(RuntimeError):
    """``preview_directory``'s run failed; ``failed`` says why and what it had learned."""

    def __init__(self, failed: FailedPreview):
        super().__init__(failed.failure.text)
        self.failed = failed


def _as_list(pack: PolicyPackProcess | Sequence[PolicyPackProcess] | None) -> list[PolicyPackProcess]:
    if pack is None:
        return []
    if isinstance(pack, PolicyPackProcess):
        return [pack]
    return list(pack)


def analyze_registrations(
    registrations: Sequence[Registration],
    *,
    packs: Sequence[PolicyPackProcess],
    project: str,
    stack: str,
    config: Mapping[str, str],
    secret_keys: Iterable[str] = (),
    invokes: Sequence[InvokeRecord] = (),
    reads: Sequence[Read] = (),
    events: Sequence[tuple[str, Any]] | None = None,
) -> PreviewResult:
    """Analyze a captured run: ``events`` (``RecordingMonitor.events``, in order) when given, else just
    ``registrations``."""
    builder = EngineStackBuilder(project=project, stack=stack, config=config, secret_keys=secret_keys)
    for kind, value in events if events is not None else [("registration", r) for r in registrations]:
        apply_event(builder, kind, value)
    engine_stack = builder.stack()
    invokes = [replace(r, used_by=[builder.engine_urn(u) for u in r.used_by]) for r in invokes]
    analyses = [pack.analyze_detailed(engine_stack) for pack in packs]
    return PreviewResult.from_analyses(
        engine_stack, packs=[p.info for p in packs], analyses=analyses, registrations=list(registrations),
        invokes=list(invokes), reads=list(reads), pack_dirs=[p.pack_dir for p in packs], pack_origin="--policy-pack",
        rules=[p.rules_in_force() for p in packs],
    )


def preview_function(
    program_fn: Callable[[], Any],
    *,
    pack: PolicyPackProcess | Sequence[PolicyPackProcess] | None,
    project: str = "test",
    stack: str = "test",
    config: Mapping[str, str] | None = None,
    secret_keys: Iterable[str] = (),
) -> PreviewResult:
    """Run ``program_fn`` as a preview on the mock runtime and analyze it with ``pack`` (one or several)."""
    config = dict(config or {})
    secret_keys = list(secret_keys)
    mocks = PreviewMocks(config)
    monitor = capture(
        program_fn, project=project, stack=stack, preview=True, config=config, mocks=mocks, secret_keys=secret_keys
    )
    return analyze_registrations(
        monitor.registrations,
        packs=_as_list(pack),
        project=project,
        stack=stack,
        config=config,
        secret_keys=secret_keys,
        invokes=mocks.ledger.records,
        reads=monitor.reads,
        events=monitor.events,
    )


def preview_directory(
    directory: str | Path,
    *,
    stack: str | None = None,
    policy_packs: Sequence[str | Path] | None = None,
    policy_pack_configs: Sequence[str | Path | None] = (),
    config_overrides: Mapping[str, str] | None = None,
) -> PreviewResult:
    """Preview a Pulumi project directory (see ``residency_kit.engine.project_preview``); raises ``PreviewFailed``
    when the run fails."""
    outcome = run_project_preview(
        directory,
        stack=stack,
        policy_packs=policy_packs,
        policy_pack_configs=policy_pack_configs,
        config_overrides=config_overrides,
    )
    if isinstance(outcome, FailedPreview):
        raise PreviewFailed(outcome)
    return outcome.result
