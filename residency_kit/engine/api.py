"""The offline preview as a Python API: run a program on the mock runtime, then every pack over gRPC.

``preview_function`` runs a Python callable in this process (fast; what policy tests use);
``preview_directory`` runs a Pulumi project directory in a child process like the language host does.
Both return a ``PreviewResult``: the structured result every output (text, ``--json``, the reports, the
diagram) is built from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from residency_kit.engine.capture import Read, Registration, capture
from residency_kit.engine.invokes.ledger import InvokeRecord
from residency_kit.engine.pack_rules import RulesInForce
from residency_kit.engine.packs import Analysis, PackInfo, PolicyPackProcess, Violation
from residency_kit.engine.preview_mocks import PreviewMocks
from residency_kit.engine.secrets import Scrubber, secret_texts
from residency_kit.engine.stack import EngineResource, EngineStack, EngineStackBuilder, apply_event

ReadRecord = Read


def verdict_of(*, error: bool, mandatory: bool, checked: bool) -> str:
    """A run's verdict, the same in every output: ``error`` (the run failed), ``failed`` (a mandatory
    violation), ``not checked`` (the run could not check everything) or ``passed``."""
    if error:
        return "error"
    if mandatory:
        return "failed"
    return "passed" if checked else "not checked"


@dataclass
class PreviewResult:
    resources: list[EngineResource]
    violations: list[Violation]
    stack: EngineStack
    packs: list[PackInfo] = field(default_factory=list)
    registrations: list[Registration] = field(default_factory=list)
    not_applicable: list[dict[str, str]] = field(default_factory=list)
    """Each pack's "not applicable" replies (``policyPack``, ``policy``, ``urn``, ``reason``), for reports."""
    invokes: list[InvokeRecord] = field(default_factory=list)
    """Every invoke the program made and what it was answered with (``residency_kit.engine.invokes``)."""
    reads: list[Read] = field(default_factory=list)
    """``Resource.get`` reads: their outputs are not known offline."""
    pack_dirs: list[Path] = field(default_factory=list)
    pack_origin: str = ""
    """``shipped with the kit`` or ``--policy-pack``."""
    scrubber: Scrubber = field(default_factory=Scrubber)
    """Replaces any secret's plain text in what is printed (violation messages, program output)."""
    program_output: str = ""
    notes: list[str] = field(default_factory=list)
    """What the user should know about how the run was set up (a stack previewed with empty config)."""
    error: str = ""
    """Set when the run failed (exit 2): the result holds only what was learned before the failure."""
    rules: list[RulesInForce | None] = field(default_factory=list)
    """Per pack, the residency rules it enforced (``pack_rules.RulesInForce``; None for other packs)."""

    @classmethod
    def from_analyses(
        cls, stack: EngineStack, *, packs: Sequence[PackInfo], analyses: Sequence[Analysis], scrubber: Scrubber | None = None,
        **fields: Any,
    ) -> PreviewResult:
        scrubber = scrubber if scrubber is not None else Scrubber(secret_texts(r.inputs for r in stack.resources))
        violations: list[Violation] = []
        not_applicable: list[dict[str, str]] = []
        for analysis in analyses:
            violations.extend(
                replace(v, message=scrubber.scrub(v.message)) if scrubber else v for v in analysis.violations
            )
            not_applicable.extend(n.as_json() for n in analysis.not_applicable)
        return cls(
            resources=stack.resources, violations=violations, stack=stack, packs=list(packs),
            not_applicable=not_applicable, scrubber=scrubber, **fields,
        )

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.enforcement_level == "mandatory"]

    @property
    def advisory(self) -> list[Violation]:
        return [v for v in self.violations if v.enforcement_level == "advisory"]

    @property
    def policies_run(self) -> int:
        """How many policies ran (at a level other than disabled) across all packs."""
        return sum(len(p.enabled_policies) for p in self.packs)

    @property
    def remote_components(self) -> list[EngineResource]:
        """Multi-language components: their children are created by the provider plugin's ``Construct``,
        which does not run offline, so nothing inside them reaches the packs."""
        return [r for r in self.resources if r.remote]

    @property
    def not_checked(self) -> list[str]:
        """Why this run cannot be a clean verdict (empty when it can)."""
        reasons = []
        if self.error:
            first = self.error.strip().splitlines()[0] if self.error.strip() else "error"
            reasons.append(
                f"the run failed ({first}): only the resources registered before the failure were analyzed, "
                "and the whole-stack checks (AnalyzeStack) never ran"
            )
        elif self.policies_run == 0:
            reasons.append("no policy ran: every policy of every pack is disabled; nothing was checked")
        for r in self.remote_components:
            package = r.type.split(":", 1)[0]
            reasons.append(
                f"remote component {r.type} {r.name!r} was not checked: its resources are created by the "
                f"{package} provider plugin's Construct, which does not run offline, nor under --engine pulumi "
                f"(stand-ins exist for oci and aws only): preview it with the Pulumi CLI and the real {package} "
                "plugin (pulumi preview --policy-pack policies), or build it from the provider's resources"
            )
        return reasons

    @property
    def checked(self) -> bool:
        """False when the run could not check everything (no policy ran, an unchecked remote component):
        such a run can never be a clean verdict."""
        return not self.not_checked

    @property
    def verdict(self) -> str:
        return verdict_of(error=bool(self.error), mandatory=bool(self.mandatory), checked=self.checked)

    @property
    def unanswered_invokes(self) -> list[str]:
        return list(dict.fromkeys(r.token for r in self.invokes if r.kind == "unanswered"))

    @property
    def assumed_invokes(self) -> list[InvokeRecord]:
        """Invokes whose answer was not computed (assumed, unknown in part, or unanswered)."""
        return [r for r in self.invokes if r.kind in ("assumed", "unanswered")]

    @property
    def pinned_invokes(self) -> list[InvokeRecord]:
        return [r for r in self.invokes if r.kind == "pinned"]

    def violations_of(self, policy: str) -> list[Violation]:
        return [v for v in self.violations if v.policy == policy]

    def flagged_urns(self, policy: str) -> set[str]:
        return {v.urn for v in self.violations_of(policy)}


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
    """Preview a Pulumi project directory (see ``residency_kit.engine.project_preview``)."""
    from residency_kit.engine.project_preview import run_project_preview

    return run_project_preview(
        directory,
        stack=stack,
        policy_packs=policy_packs,
        policy_pack_configs=policy_pack_configs,
        config_overrides=config_overrides,
    ).result
