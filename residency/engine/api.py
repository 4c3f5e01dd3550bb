"""The offline preview as a Python API: run a program on the mock runtime, then every pack over gRPC.

``preview_function`` runs a Python callable in this process (fast; what policy tests use);
``preview_directory`` runs a Pulumi project directory in a child process like the language host does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from residency.engine.capture import Registration, capture
from residency.engine.packs import PackInfo, PolicyPackProcess, Violation
from residency.engine.preview_mocks import PreviewMocks
from residency.engine.stack import EngineResource, EngineStack, build_engine_stack


@dataclass
class PreviewResult:
    resources: list[EngineResource]
    violations: list[Violation]
    stack: EngineStack
    packs: list[PackInfo] = field(default_factory=list)
    unanswered_invokes: list[str] = field(default_factory=list)
    registrations: list[Registration] = field(default_factory=list)
    not_applicable: list[dict[str, str]] = field(default_factory=list)
    """Each pack's "not applicable" replies (``policyPack``, ``policy``, ``urn``, ``reason``), for reports."""

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.enforcement_level == "mandatory"]

    @property
    def advisory(self) -> list[Violation]:
        return [v for v in self.violations if v.enforcement_level == "advisory"]

    def violations_of(self, policy: str) -> list[Violation]:
        return [v for v in self.violations if v.policy == policy]

    def flagged_urns(self, policy: str) -> set[str]:
        return {v.urn for v in self.violations_of(policy)}

    def flagged_names(self, policy: str) -> set[str]:
        return {v.resource_name for v in self.violations_of(policy)}


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
    unanswered_invokes: Sequence[str] = (),
) -> PreviewResult:
    engine_stack = build_engine_stack(registrations, project=project, stack=stack, config=config, secret_keys=secret_keys)
    violations: list[Violation] = []
    not_applicable: list[dict[str, str]] = []
    for pack in packs:
        analysis = pack.analyze_detailed(engine_stack)
        violations.extend(analysis.violations)
        not_applicable.extend(n.as_json() for n in analysis.not_applicable)
    return PreviewResult(
        resources=engine_stack.resources,
        violations=violations,
        stack=engine_stack,
        packs=[p.info for p in packs],
        unanswered_invokes=list(dict.fromkeys(unanswered_invokes)),
        registrations=list(registrations),
        not_applicable=not_applicable,
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
        unanswered_invokes=mocks.unanswered_invokes,
    )


def preview_directory(
    directory: str | Path,
    *,
    stack: str | None = None,
    policy_packs: Sequence[str | Path] | None = None,
    policy_pack_configs: Sequence[str | Path | None] = (),
    config_overrides: Mapping[str, str] | None = None,
) -> PreviewResult:
    """Preview a Pulumi project directory (see ``residency.engine.project_preview``)."""
    from residency.engine.project_preview import run_project_preview

    return run_project_preview(
        directory,
        stack=stack,
        policy_packs=policy_packs,
        policy_pack_configs=policy_pack_configs,
        config_overrides=config_overrides,
    ).result
