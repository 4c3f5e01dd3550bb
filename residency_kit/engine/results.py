"""What a run produces, as types: every output (text, ``--json``, the reports, the diagram, the audit) reads these.

- ``Violation`` and ``NotApplicable``: a pack's replies, one per diagnostic and per "does not apply";
- ``PackInfo`` / ``PolicyInfo``: what a pack said about itself (``GetAnalyzerInfo``) and the config it runs with;
- ``PreviewResult``: one run over one stack (a preview, or an audit's ``AuditResult``), with its ``verdict``;
- ``ProjectPreview`` or ``FailedPreview``: how a project preview ended. A failed one carries a ``RunFailure``
  (its kind, message, details, the program's traceback and output) and whatever the run had learned before it
  failed (``result``, whose ``failure`` is set, so that it is never read as a verdict).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from residency_kit.engine.capture import Read, Registration
from residency_kit.engine.invokes.ledger import InvokeRecord
from residency_kit.engine.levels import EnforcementLevel, PolicyType, Severity
from residency_kit.engine.pack_config import PolicyConfig, PolicySchema
from residency_kit.engine.pack_rules import RulesInForce
from residency_kit.engine.project import Project
from residency_kit.engine.secrets import Scrubber, secret_texts
from residency_kit.engine.stack import EngineResource, EngineStack


class Verdict(StrEnum):
    """A run's verdict, the same in every output."""

    PASSED = "passed"
    FAILED = "failed"
    """A mandatory violation."""
    NOT_CHECKED = "not checked"
    """The run could not check everything (no policy ran, a remote component): never a pass."""
    ERROR = "error"
    """The run failed: what it holds is only what was learned before the failure."""

    @classmethod
    def of(cls, *, error: bool, mandatory: bool, checked: bool) -> Verdict:
        if error:
            return cls.ERROR
        if mandatory:
            return cls.FAILED
        return cls.PASSED if checked else cls.NOT_CHECKED


class FailureKind(StrEnum):
    """What failed (``error.kind`` in ``--json``)."""

    CONFIGURATION = "configuration"
    """The program refused its stack configuration."""
    PROGRAM = "program"
    POLICY_CONFIG = "policy-config"
    """The policy pack config failed the engine's validation."""
    POLICY_PACK = "policy-pack"
    PREVIEW = "preview"
    """Usage, the project, the stack config or the engine itself."""


@dataclass(frozen=True)
class RunFailure:
    """Why a run failed (exit 2). Secrets are already scrubbed from every field."""

    kind: FailureKind
    message: str
    details: tuple[str, ...] = ()
    """Lines that come before the message, one problem each (the policy config's validation errors)."""
    traceback: str = ""
    """The program's own part of the traceback."""
    output: str = ""
    """What the program printed."""

    @property
    def text(self) -> str:
        """The whole error as one text (for the reports): the message, then each detail on its own line."""
        return "\n".join((self.message, *self.details))

    @property
    def headline(self) -> str:
        return self.message.strip().splitlines()[0] if self.message.strip() else "error"

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "message": self.message, "details": list(self.details),
                "traceback": self.traceback, "output": self.output}


@dataclass(frozen=True)
class NotApplicable:
    """A policy's reply that it does not apply: to one resource (``Analyze``), or to the stack when ``urn`` is
    empty (``AnalyzeStack``, whose replies name no resource)."""

    policy_pack: str
    policy: str
    urn: str
    reason: str

    def as_json(self) -> dict[str, str]:
        return {"policyPack": self.policy_pack, "policy": self.policy, "urn": self.urn, "reason": self.reason}


@dataclass(frozen=True)
class Violation:
    policy_pack: str
    policy_pack_version: str
    policy: str
    enforcement_level: EnforcementLevel
    """As reported: ``mandatory`` or ``advisory`` (a violation at ``remediate`` is reported mandatory)."""
    severity: Severity
    urn: str
    message: str
    resource_type: str
    resource_name: str
    description: str = ""

    def __post_init__(self) -> None:
        # Built from the protocol's numbers as enums; a level or severity given as its word is read the same way.
        object.__setattr__(self, "enforcement_level", EnforcementLevel(self.enforcement_level))
        object.__setattr__(self, "severity", Severity(self.severity))

    @property
    def mandatory(self) -> bool:
        return self.enforcement_level is EnforcementLevel.MANDATORY


@dataclass
class Analysis:
    """One pack's replies over one stack."""

    violations: list[Violation]
    not_applicable: list[NotApplicable]


@dataclass
class PolicyInfo:
    name: str
    display_name: str
    description: str
    enforcement_level: EnforcementLevel
    severity: Severity
    policy_type: PolicyType
    config_schema: PolicySchema
    remediation_steps: str = ""
    url: str = ""
    tags: list[str] = field(default_factory=list)
    framework: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.enforcement_level = EnforcementLevel(self.enforcement_level)
        self.severity = Severity(self.severity)
        self.policy_type = PolicyType(self.policy_type)


@dataclass
class PackInfo:
    name: str
    version: str
    display_name: str
    description: str
    plugin_version: str
    policies: list[PolicyInfo]
    initial_config: dict[str, PolicyConfig]
    config: dict[str, PolicyConfig] = field(default_factory=dict)
    """The reconciled config sent with ``Configure``."""

    def policy(self, name: str) -> PolicyInfo:
        for p in self.policies:
            if p.name == name:
                return p
        raise KeyError(name)

    def effective_level(self, policy: PolicyInfo) -> EnforcementLevel:
        """The level the pack runs ``policy`` at: the reconciled config's, else the policy's own."""
        for key in (policy.name, "all"):
            configured = self.config.get(key)
            if configured is not None and configured.enforcement_level is not None:
                return configured.enforcement_level
        return policy.enforcement_level

    @property
    def enabled_policies(self) -> list[PolicyInfo]:
        return [p for p in self.policies if self.effective_level(p) is not EnforcementLevel.DISABLED]


@dataclass
class PreviewResult:
    resources: list[EngineResource]
    violations: list[Violation]
    stack: EngineStack
    packs: list[PackInfo] = field(default_factory=list)
    registrations: list[Registration] = field(default_factory=list)
    not_applicable: list[NotApplicable] = field(default_factory=list)
    """Each pack's "does not apply" replies, for the reports' not-applicable status and ``--json``."""
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
    failure: RunFailure | None = None
    """Set when the run failed (exit 2): the result holds only what was learned before the failure."""
    rules: list[RulesInForce | None] = field(default_factory=list)
    """Per pack, the residency rules it enforced (``pack_rules.RulesInForce``; None for other packs)."""

    @classmethod
    def from_analyses(
        cls, stack: EngineStack, *, packs: Sequence[PackInfo], analyses: Sequence[Analysis],
        scrubber: Scrubber | None = None, **fields: Any,
    ) -> PreviewResult:
        """The result of ``analyses`` (one per pack) over ``stack``; ``fields`` are the rest of the result's."""
        scrubber = scrubber if scrubber is not None else Scrubber(secret_texts(r.inputs for r in stack.resources))
        violations: list[Violation] = []
        not_applicable: list[NotApplicable] = []
        for analysis in analyses:
            violations.extend(replace(v, message=scrubber.scrub(v.message)) for v in analysis.violations)
            not_applicable.extend(analysis.not_applicable)
        return cls(
            resources=stack.resources, violations=violations, stack=stack, packs=list(packs),
            not_applicable=not_applicable, scrubber=scrubber, **fields,
        )

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.enforcement_level is EnforcementLevel.MANDATORY]

    @property
    def advisory(self) -> list[Violation]:
        return [v for v in self.violations if v.enforcement_level is EnforcementLevel.ADVISORY]

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
    def pack_rules(self) -> list[RulesInForce | None]:
        """One entry per pack: the rules it ran with, as recorded when the packs started (None: not a residency
        pack, or not recorded)."""
        return list(self.rules) if self.rules else [None for _ in self.packs]

    @property
    def not_checked(self) -> list[str]:
        """Why this run cannot be a clean verdict (empty when it can)."""
        reasons = []
        if self.failure is not None:
            reasons.append(
                f"the run failed ({self.failure.headline}): only the resources registered before the failure were "
                "analyzed, and the whole-stack checks (AnalyzeStack) never ran"
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
    def verdict(self) -> Verdict:
        return Verdict.of(error=self.failure is not None, mandatory=bool(self.mandatory), checked=self.checked)

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

    def not_applicable_to(self, policy: str) -> list[NotApplicable]:
        return [n for n in self.not_applicable if n.policy == policy]


@dataclass
class ProjectPreview:
    """A project preview that ran to the end (its verdict may still be a failure: see ``result.verdict``)."""

    result: PreviewResult
    project: Project
    stack: str
    pack_dirs: list[Path] = field(default_factory=list)


@dataclass
class FailedPreview:
    """A project preview that failed (exit 2), with what it had learned before it failed.

    ``project``, ``stack``, ``notes`` and ``config`` are known once the project and its stack are read;
    ``result`` once the packs started: the resources registered and analyzed (``Analyze`` only:
    ``AnalyzeStack`` never ran) and the invokes answered before the failure, with ``failure`` set."""

    failure: RunFailure
    project: Project | None = None
    stack: str = ""
    notes: list[str] = field(default_factory=list)
    config: dict[str, str] = field(default_factory=dict)
    result: PreviewResult | None = None


PreviewOutcome = ProjectPreview | FailedPreview
