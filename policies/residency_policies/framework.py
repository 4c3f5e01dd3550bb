"""Building blocks every residency policy uses: ``resource_policy``, ``stack_policy``, views and findings.

A rule module writes a pure ``check`` over plain data (``ResourceView``) and the effective ``Rules``, and
returns ``Finding``s. The wrapper built here does everything that must be uniform across the pack:

* unwraps pulumi_policy's unknown-checking proxies so that reading an unknown never raises
  ``UnknownValueError`` (which the SDK would turn into an *advisory* "can't run during preview");
* builds the rules (``residency.yaml`` + this policy's config) and reports invalid config as a mandatory
  violation naming the policy, key, value and what is allowed;
* reports findings, words unverifiable ones ("cannot be verified at preview ..."), and lowers waived ones
  to advisory, quoting the waiver;
* never raises: an exception inside a check becomes a mandatory violation naming the policy (fail closed).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pulumi.runtime import proto
from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyComplianceFramework,
    PolicyConfigSchema,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from residency_policies.rules_file import CONFIG_SCHEMA, ConfigError, Rules, build_rules
from residency_policies.values import unwrap
from residency_policies.waivers import find_waiver, today

DOCS_BASE_URL = "https://github.com/residency-kit/residency-kit/blob/main/docs/policies"
"""Where the generated rule docs are published; each policy's ``url`` is ``<base>/<name>.md``."""

SEVERITIES = ("low", "medium", "high", "critical")
ROOT_STACK_TYPE = "pulumi:pulumi:Stack"


@dataclass(frozen=True)
class ProviderView:
    type: str
    urn: str
    name: str
    props: dict[str, Any]


@dataclass(frozen=True)
class ResourceView:
    """One resource as plain data. ``props`` keeps unknowns as sentinel strings (see ``values.is_unknown``)."""

    type: str
    urn: str
    name: str
    props: dict[str, Any]
    protect: bool = False
    provider: ProviderView | None = None
    parent: str | None = None
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    """A violation. ``urn`` is required for stack policies (None = the stack itself)."""

    message: str
    urn: str | None = None
    unverifiable: bool = False
    path: str | None = None

    def text(self) -> str:
        if self.unverifiable:
            where = self.path or "a residency-deciding value"
            return (
                f"cannot be verified at preview: {where} is unknown; make it a literal or config value. "
                f"{self.message}"
            )
        return self.message


ResourceCheck = Callable[[ResourceView, Rules], Iterable[Finding] | None]
StackCheck = Callable[[list[ResourceView], Rules], Iterable[Finding] | None]


class ResidencyResourcePolicy(ResourceValidationPolicy):
    """A ``ResourceValidationPolicy`` that also remembers the type tokens it looks at (for docs)."""

    resource_types: frozenset[str] | None = None
    kind = "resource"


class ResidencyStackPolicy(StackValidationPolicy):
    resource_types: frozenset[str] | None = None
    kind = "stack"


class ResidencyDualPolicy(ResidencyResourcePolicy, StackValidationPolicy):
    """One policy name judged in both phases: per resource (``Analyze``) and over the stack (``AnalyzeStack``).

    Some rules need another resource to decide (an S3 replication destination's region, a bucket's
    separate encryption resource). pulumi_policy dispatches on ``isinstance``: ``Analyze`` runs every
    ``ResourceValidationPolicy``, ``AnalyzeStack`` every ``StackValidationPolicy``; this class is both, so
    the public policy name stays one while the join runs where the whole stack is visible. The resource
    phase judges what one resource shows by itself; the stack phase only the joins (no double reports).
    """

    kind = "resource+stack"

    def __init__(self, *, validate, stack_validate, **metadata) -> None:
        # Both bases' __init__ chain through super() with different positional signatures, so set up
        # the shared Policy metadata once and each base's private callback directly.
        Policy.__init__(self, **metadata)
        self._ResourceValidationPolicy__validate = validate
        self._ResourceValidationPolicy__remediate = None
        self._StackValidationPolicy__validate = stack_validate

    def validate(self, args, report_violation):  # type: ignore[override]
        if isinstance(args, StackValidationArgs):
            return StackValidationPolicy.validate(self, args, report_violation)
        return ResourceValidationPolicy.validate(self, args, report_violation)


def doc_url(name: str) -> str:
    return f"{DOCS_BASE_URL}/{name}.md"


def _metadata(name, description, severity, enforcement, remediation, tags, framework) -> dict[str, Any]:
    if severity not in SEVERITIES:
        raise ValueError(f"policy {name}: severity {severity!r} is not one of {SEVERITIES}")
    fw_name, fw_version, fw_reference = framework
    return dict(
        name=name,
        description=description,
        enforcement_level=EnforcementLevel(enforcement),
        config_schema=PolicyConfigSchema(properties=CONFIG_SCHEMA),
        severity=Severity(severity),
        framework=PolicyComplianceFramework(name=fw_name, version=fw_version, reference=fw_reference),
        tags=list(tags),
        remediation_steps=remediation,
        url=doc_url(name),
    )


def resource_policy(
    *,
    name: str,
    description: str,
    severity: str,
    remediation: str,
    tags: Iterable[str],
    framework: tuple[str, str, str],
    check: ResourceCheck,
    enforcement: str = "mandatory",
    resource_types: Iterable[str] | None = None,
    stack_check: StackCheck | None = None,
) -> ResidencyResourcePolicy:
    """A resource policy; with ``stack_check`` it also judges joins over the whole stack (see ``ResidencyDualPolicy``)."""
    types = frozenset(resource_types) if resource_types is not None else None

    def validate(args, report_violation) -> None:
        if types is not None and args.resource_type not in types:
            return
        reporter = _Reporter(name, report_violation)
        try:
            rules, errors = _rules_for(args.get_config())
            if errors:
                reporter.config_errors(errors, args.urn)
                return
            view = _resource_view(args)
            findings = list(check(view, rules) or ())
        except Exception as exc:  # noqa: BLE001 - fail closed: a crash must not abort or pass the deployment
            reporter.crash(exc, args.urn)
            return
        for finding in findings:
            # Resource policies judge only the analyzed resource; the engine attributes to it.
            reporter.finding(finding, args.urn, rules)

    metadata = _metadata(name, description, severity, enforcement, remediation, tags, framework)
    if stack_check is None:
        policy = ResidencyResourcePolicy(validate=validate, **metadata)
    else:
        policy = ResidencyDualPolicy(validate=validate, stack_validate=_stack_validate(name, stack_check), **metadata)
    policy.resource_types = types
    return policy


def stack_policy(
    *,
    name: str,
    description: str,
    severity: str,
    remediation: str,
    tags: Iterable[str],
    framework: tuple[str, str, str],
    check: StackCheck,
    enforcement: str = "mandatory",
    resource_types: Iterable[str] | None = None,
) -> ResidencyStackPolicy:
    types = frozenset(resource_types) if resource_types is not None else None
    policy = ResidencyStackPolicy(
        validate=_stack_validate(name, check),
        **_metadata(name, description, severity, enforcement, remediation, tags, framework),
    )
    policy.resource_types = types
    return policy


def _stack_validate(name: str, check: StackCheck):
    def validate(args, report_violation) -> None:
        reporter = _Reporter(name, report_violation)
        try:
            rules, errors = _rules_for(args.get_config())
            if errors:
                reporter.config_errors(errors, None)
                return
            views = [_stack_view(r) for r in args.resources]
            findings = list(check(views, rules) or ())
        except Exception as exc:  # noqa: BLE001 - fail closed
            reporter.crash(exc, None)
            return
        for finding in findings:
            reporter.finding(finding, finding.urn, rules)

    return validate


_rules_cache: dict[tuple[str, str], tuple[Rules | None, list[ConfigError]]] = {}


def _rules_for(config: Any) -> tuple[Rules | None, list[ConfigError]]:
    plain = unwrap(config) if config else None
    key = (json.dumps(plain, sort_keys=True, default=str), today().isoformat())
    if key not in _rules_cache:
        _rules_cache[key] = build_rules(plain)
    return _rules_cache[key]


def _provider_view(provider) -> ProviderView | None:
    if provider is None:
        return None
    return ProviderView(provider.resource_type, provider.urn, provider.name, unwrap(provider.props) or {})


def _resource_view(args) -> ResourceView:
    return ResourceView(
        type=args.resource_type,
        urn=args.urn,
        name=args.name,
        props=unwrap(args.props) or {},
        protect=bool(args.opts.protect),
        provider=_provider_view(args.provider),
        parent=args.opts.parent or None,
    )


def _stack_view(resource) -> ResourceView:
    parent = resource.parent.urn if resource.parent is not None else (resource.opts.parent or None)
    return ResourceView(
        type=resource.resource_type,
        urn=resource.urn,
        name=resource.name,
        props=unwrap(resource.props) or {},
        protect=bool(resource.opts.protect),
        provider=_provider_view(resource.provider),
        parent=parent,
        dependencies=tuple(d.urn for d in resource.dependencies),
        property_dependencies={k: tuple(d.urn for d in v) for k, v in resource.property_dependencies.items()},
    )


def root_stack_urn(resources: Iterable[ResourceView]) -> str | None:
    for r in resources:
        if r.type == ROOT_STACK_TYPE:
            return r.urn
    return None


def _analyze_response(report_violation) -> Any | None:
    """The ``AnalyzeResponse`` that pulumi_policy's ``report_violation`` closure appends to, if reachable.

    pulumi_policy always reports at the policy's level; lowering a waived violation to advisory (or
    raising a config error to mandatory) is only possible by editing the diagnostic it just appended.
    """
    for cell in getattr(report_violation, "__closure__", None) or ():
        try:
            contents = cell.cell_contents
        except ValueError:
            continue
        if isinstance(contents, proto.AnalyzeResponse):
            return contents
    return None


_LEVELS = {"advisory": proto.ADVISORY, "mandatory": proto.MANDATORY}


class _Reporter:
    def __init__(self, policy_name: str, report_violation) -> None:
        self.policy = policy_name
        self.report_violation = report_violation
        self.response = _analyze_response(report_violation)

    def _report(self, message: str, urn: str | None, level: str | None = None) -> bool:
        """Report; then force ``level`` on the new diagnostic when given. False if the level could not be set."""
        before = len(self.response.diagnostics) if self.response is not None else None
        self.report_violation(message, urn)
        if level is None:
            return True
        if self.response is None or len(self.response.diagnostics) != before + 1:
            return False
        self.response.diagnostics[-1].enforcementLevel = _LEVELS[level]
        return True

    def finding(self, finding: Finding, urn: str | None, rules: Rules) -> None:
        text = finding.text()
        waiver = find_waiver(rules.waivers, self.policy, urn)
        if waiver is None:
            self._report(text, urn)
            return
        if self.response is None:
            self._report(
                f"{waiver.quote()} (the waiver could not lower this to advisory: this pulumi_policy version "
                f"does not expose the response; reported at the policy's level)\n{text}",
                urn,
            )
            return
        self._report(f"{waiver.quote()}\n{text}", urn, level="advisory")

    def config_errors(self, errors: list[ConfigError], urn: str | None) -> None:
        for error in errors:
            self._report(error.message(self.policy), urn, level="mandatory")

    def crash(self, exc: BaseException, urn: str | None) -> None:
        self._report(
            f"policy '{self.policy}' failed while checking ({type(exc).__name__}: {exc}); failing closed. "
            "Report this as a bug in the residency policy pack.",
            urn,
            level="mandatory",
        )
