"""What a rule module builds its policy with: ``resource_policy`` and ``stack_policy``.

A rule module writes a pure ``check`` over frozen plain data (``views.ResourceView``, or a ``views.StackView``
for the stack phase) and the effective ``Rules``, and returns ``findings.Finding``s. The wrapper built here
does everything that must be uniform across the pack:

* reads pulumi_policy's unknown-checking proxies without raising ``UnknownValueError`` (which the SDK would
  turn into an *advisory* "can't run during preview"), and builds each view once per request, shared by every
  policy (``sdk_compat.request_memo``);
* builds the rules (the pack's rules file, the policy config, the stack's ``residency:`` settings); invalid rules
  are refused when the engine sends the config (``rules_file.pack_config_errors`` through ``sdk_compat``), and
  any that remain are reported once per policy, as mandatory, on the root stack;
* reports findings, words unverifiable ones, lowers waived ones (and findings that ask for it) to advisory;
* never raises from a check: an exception inside a check is a mandatory violation naming the policy, even
  when the policy is configured advisory (fail closed). Only ``sdk_compat.SdkCompatibilityError`` escapes:
  when a level cannot be set, the run fails rather than report at the wrong level;
* says where a policy does not apply (the SDK's ``args.not_applicable``, the protocol's ``not_applicable``),
  so the engine's policy summaries and the reports tell "passed" from "nothing to judge". A policy's scope is
  the types it judges (``resource_types``) or a test on the type token (``applies_to``); a policy with
  neither judges everything. ``Analyze``: not applicable to a resource outside the scope; ``AnalyzeStack``:
  not applicable to a stack with no resource in it. A check that is run and finds something is always
  reported: not applicable never hides a finding.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import Any, Literal, get_args

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from residency_policies import sdk_compat
from residency_policies.compliance import Control
from residency_policies.findings import Finding
from residency_policies.reporting import Reporter
from residency_policies.rules_file import CONFIG_SCHEMA, ConfigError, Rules, build_rules
from residency_policies.type_aliases import canonical, canonical_type
from residency_policies.views import (
    ROOT_STACK_TYPE,
    FrozenDict,
    ProviderView,
    ResourceView,
    StackView,
    freeze,
    root_stack_urn,
)
from residency_policies.waivers import today

__all__ = ["Finding", "PolicyKind", "ResourceView", "StackView", "resource_policy", "root_stack_urn", "stack_policy"]

DOCS_BASE_URL = "https://github.com/residency-kit/residency-kit/blob/main/docs/policies"
"""Where the generated rule docs are published; each policy's ``url`` is ``<base>/<name>.md``."""

SeverityName = Literal["low", "medium", "high", "critical"]
SEVERITIES: tuple[str, ...] = get_args(SeverityName)

ResourceCheck = Callable[[ResourceView, Rules], Iterable[Finding] | None]
StackCheck = Callable[[StackView, Rules], Iterable[Finding] | None]
TypeTest = Callable[[str], bool]
"""``applies_to``: whether the policy judges resources of a (canonical) type token."""

NOT_JUDGED_RESOURCE = "not a resource type this policy judges"
NOT_JUDGED_STACK = "no resource in the stack is of a type this policy judges"


class PolicyKind(StrEnum):
    """Which phases judge a policy: each resource (``Analyze``), the whole stack (``AnalyzeStack``), or both."""

    RESOURCE = "resource"
    STACK = "stack"
    RESOURCE_AND_STACK = "resource+stack"


class _Scope:
    """The resources a policy judges: ``types`` and/or ``test`` on the canonical type token (neither: all)."""

    def __init__(self, types: frozenset[str] | None, test: TypeTest | None):
        self.types = types
        self.test = test

    @property
    def everything(self) -> bool:
        return self.types is None and self.test is None

    def includes(self, type_token: str) -> bool:
        return (self.types is None or type_token in self.types) and (self.test is None or self.test(type_token))

    def any_in(self, stack: StackView) -> bool:
        return self.everything or any(self.includes(r.type) for r in stack)


class ResidencyResourcePolicy(ResourceValidationPolicy):
    """A ``ResourceValidationPolicy`` that also remembers its scope (for docs and tests)."""

    resource_types: frozenset[str] | None = None
    applies_to: TypeTest | None = None
    stack_judges: frozenset[str] = frozenset()
    kind = PolicyKind.RESOURCE
    check: ResourceCheck | None = None
    """The pure check the policy judges each resource with (another policy may ask what it reports)."""


class ResidencyStackPolicy(StackValidationPolicy):
    resource_types: frozenset[str] | None = None
    applies_to: TypeTest | None = None
    kind = PolicyKind.STACK
    # Its validate reads the stack from sdk_compat.shared_stack() when there is one (``stack_view``).
    reads_shared_stack = True


class ResidencyDualPolicy(ResidencyResourcePolicy, StackValidationPolicy):
    """One policy name judged in both phases: per resource (``Analyze``) and over the stack (``AnalyzeStack``).

    Some rules need another resource to decide (an S3 replication destination's region, a bucket's separate
    encryption resource). pulumi_policy dispatches on ``isinstance``: ``Analyze`` runs every
    ``ResourceValidationPolicy``, ``AnalyzeStack`` every ``StackValidationPolicy``; this class is both, so the
    public policy name stays one while the join runs where the whole stack is visible. The resource phase
    judges what one resource shows by itself; the stack phase only the joins (no double reports).

    Built only through the SDK's public surface: ``Policy.__init__`` for the metadata, and the overridable
    ``validate`` / ``has_validation`` / ``remediate`` / ``has_remediation`` methods (the two bases' own
    constructors chain through ``super()`` with different positional signatures and cannot both run).
    """

    kind = PolicyKind.RESOURCE_AND_STACK
    reads_shared_stack = True

    def __init__(self, *, validate, stack_validate, **metadata) -> None:
        Policy.__init__(self, **metadata)
        self._validate_resource = validate
        self._validate_stack = stack_validate

    def validate(self, args, report_violation):
        if isinstance(args, StackValidationArgs):
            return self._validate_stack(args, report_violation)
        return self._validate_resource(args, report_violation)

    def has_validation(self) -> bool:
        return True

    def remediate(self, args):
        return None

    def has_remediation(self) -> bool:
        return False


def doc_url(name: str) -> str:
    return f"{DOCS_BASE_URL}/{name}.md"


def _metadata(
    name: str, description: str, severity: SeverityName, enforcement: EnforcementLevel, remediation: str,
    tags: Iterable[str], framework: Control,
) -> dict[str, Any]:
    if severity not in SEVERITIES:
        raise ValueError(f"policy {name}: severity {severity!r} is not one of {SEVERITIES}")
    if not isinstance(enforcement, EnforcementLevel):
        raise TypeError(f"policy {name}: enforcement {enforcement!r} must be a pulumi_policy.EnforcementLevel")
    if not isinstance(framework, Control):
        raise TypeError(f"policy {name}: framework {framework!r} must be a compliance Control, "
                        "e.g. residency_policies.compliance.RESIDENCY.control('NET-2')")
    return dict(
        name=name,
        description=description,
        enforcement_level=enforcement,
        config_schema=PolicyConfigSchema(properties=CONFIG_SCHEMA),
        severity=Severity(severity),
        framework=framework.sdk(),
        tags=list(tags),
        remediation_steps=remediation,
        url=doc_url(name),
    )


def resource_policy(
    *,
    name: str,
    description: str,
    severity: SeverityName,
    remediation: str,
    tags: Iterable[str],
    framework: Control,
    check: ResourceCheck,
    enforcement: EnforcementLevel = EnforcementLevel.MANDATORY,
    resource_types: Iterable[str] | None = None,
    applies_to: TypeTest | None = None,
    stack_check: StackCheck | None = None,
    stack_judges: Iterable[str] = (),
) -> ResidencyResourcePolicy:
    """A resource policy; with ``stack_check`` it also judges joins over the whole stack (``ResidencyDualPolicy``).

    ``resource_types``: the only types ``check`` sees (others are not applicable without running it);
    ``applies_to``: the types the policy judges, for a check that sees every resource (it runs, and a resource
    outside the scope is not applicable when it finds nothing). Both scope the stack phase too.
    ``stack_judges``: types outside that scope on which the stack phase's joins report (a replication policy that
    copies into an unguarded bucket): the resource phase gives them no verdict, never not applicable, so a
    finding there never contradicts it.
    """
    types = frozenset(resource_types) if resource_types is not None else None
    scope = _Scope(types, applies_to)
    joined = frozenset(stack_judges)

    def validate(args, report_violation) -> None:
        reporter = Reporter(name, report_violation)
        try:
            rules, errors = rules_for(args.get_config(), name)
        except Exception as exc:  # noqa: BLE001 - fail closed
            reporter.crash(exc, args.urn)
            return
        if errors:
            # Refused at Configure when the engine sent the config; what remains is reported once per policy,
            # on the root stack (the first resource analyzed): in an update that already stops the deployment.
            if args.resource_type == ROOT_STACK_TYPE:
                reporter.config_errors(errors, args.urn)
            return
        type_token = canonical_type(args.resource_type)
        if types is not None and type_token not in types:
            if type_token in joined:
                return  # judged by the stack phase only
            args.not_applicable(NOT_JUDGED_RESOURCE)  # raises the SDK's own signal; it answers not_applicable
        try:
            if rules is None:  # build_rules gives rules or errors; never neither, but a gap must fail closed
                raise ValueError("the residency rules could not be built and no configuration error says why")
            view = resource_view(args)
            findings = list(check(view, rules) or ())
        except Exception as exc:  # noqa: BLE001 - fail closed: a crash must not abort or pass the deployment
            reporter.crash(exc, args.urn)
            return
        for finding in findings:
            # Resource policies judge only the analyzed resource; the engine attributes to it.
            reporter.finding(finding, args.urn, rules)
        if not findings and not scope.includes(type_token) and type_token not in joined:
            args.not_applicable(NOT_JUDGED_RESOURCE)

    metadata = _metadata(name, description, severity, enforcement, remediation, tags, framework)
    if stack_check is None:
        policy = ResidencyResourcePolicy(validate=validate, **metadata)
    else:
        stack_validate = _stack_validate(name, stack_check, scope, report_config_errors=False)
        policy = ResidencyDualPolicy(validate=validate, stack_validate=stack_validate, **metadata)
    policy.resource_types = types
    policy.applies_to = applies_to
    policy.stack_judges = joined
    policy.check = check
    return policy


def stack_policy(
    *,
    name: str,
    description: str,
    severity: SeverityName,
    remediation: str,
    tags: Iterable[str],
    framework: Control,
    check: StackCheck,
    enforcement: EnforcementLevel = EnforcementLevel.MANDATORY,
    resource_types: Iterable[str] | None = None,
    applies_to: TypeTest | None = None,
) -> ResidencyStackPolicy:
    """A stack policy. ``resource_types`` / ``applies_to``: the resources it judges (none of them in the stack,
    and nothing found: not applicable); neither: it judges the stack itself (the rules, the waivers)."""
    types = frozenset(resource_types) if resource_types is not None else None
    policy = ResidencyStackPolicy(
        validate=_stack_validate(name, check, _Scope(types, applies_to), report_config_errors=True),
        **_metadata(name, description, severity, enforcement, remediation, tags, framework),
    )
    policy.resource_types = types
    policy.applies_to = applies_to
    return policy


def _stack_validate(name: str, check: StackCheck, scope: _Scope, *, report_config_errors: bool):
    def validate(args, report_violation) -> None:
        reporter = Reporter(name, report_violation)
        try:
            rules, errors = rules_for(args.get_config(), name)
            if errors:
                # A dual policy already reported them in its resource phase, on the root stack.
                if report_config_errors:
                    reporter.config_errors(errors, None)
                return
            if rules is None:  # as in the resource phase: fail closed
                raise ValueError("the residency rules could not be built and no configuration error says why")
            stack = stack_view(args)
            findings = list(check(stack, rules) or ())
        except Exception as exc:  # noqa: BLE001 - fail closed
            reporter.crash(exc, None)
            return
        for finding in findings:
            reporter.finding(finding, finding.urn, rules)
        if not findings and not scope.any_in(stack):
            args.not_applicable(NOT_JUDGED_STACK)

    return validate


_rules_cache: dict[tuple[Any, ...], tuple[Rules | None, list[ConfigError]]] = {}


def rules_for(config: Any, policy: str | None = None) -> tuple[Rules | None, list[ConfigError]]:
    """The rules for one policy (``rules_file.build_rules``: the rules file, the policy config for every policy
    and for this one, the stack's settings), cached.

    Inside the pack (``sdk_compat`` installed) a policy's config changes only when the engine sends
    ``Configure``, so the rules are cached per policy and config generation; otherwise by the config's content.
    """
    generation = sdk_compat.config_generation()
    day = today().isoformat()
    if policy is not None and generation is not None:
        fast_key: tuple[Any, ...] = ("policy", policy, generation, day)
        hit = _rules_cache.get(fast_key)
        if hit is not None:
            return hit
    plain = sdk_compat.plain_properties(config) if config else None
    pack_wide = sdk_compat.pack_wide_config()
    key = ("config", policy, json.dumps([plain, pack_wide], sort_keys=True, default=str), day)
    if key not in _rules_cache:
        _rules_cache[key] = build_rules(plain, pack_config=pack_wide, policy=policy)
    if policy is not None and generation is not None:
        _rules_cache[fast_key] = _rules_cache[key]
    return _rules_cache[key]


def _provider_view(provider) -> ProviderView | None:
    if provider is None:
        return None
    plain = sdk_compat.plain_properties(provider.props) if provider.props is not None else None
    return ProviderView(provider.resource_type, provider.urn, provider.name, _frozen(plain))


def _frozen(plain: Any) -> FrozenDict:
    frozen = freeze(plain)
    return frozen if isinstance(frozen, FrozenDict) else FrozenDict()


def _frozen_props(props: Any, declared_type: str) -> tuple[str, FrozenDict]:
    """The resource's current type token and its properties, frozen, in that type's shape (``type_aliases``)."""
    return _frozen_plain(sdk_compat.plain_properties(props) if props is not None else None, declared_type)


def _frozen_plain(plain: Any, declared_type: str) -> tuple[str, FrozenDict]:
    type_token, plain = canonical(declared_type, plain)
    return type_token, _frozen(plain)


def resource_view(args) -> ResourceView:
    """The view of the analyzed resource, built once per request and shared by every policy."""
    return sdk_compat.request_memo("resource", (args.props,), lambda: _build_resource_view(args))


def _build_resource_view(args) -> ResourceView:
    type_token, props = _frozen_props(args.props, args.resource_type)
    return ResourceView(
        type=type_token,
        urn=args.urn,
        name=args.name,
        props=props,
        declared_type=args.resource_type if type_token != args.resource_type else None,
        protect=bool(args.opts.protect),
        provider=_provider_view(args.provider),
        parent=args.opts.parent or None,
    )


def stack_view(args) -> StackView:
    """The view of the whole stack, built and indexed once per request and shared by every stack policy.

    Inside the pack the resources are decoded once for all stack policies (``sdk_compat.shared_stack``) and
    ``args.resources`` is empty; elsewhere (a servicer holding a policy that reads its arguments, or a test
    calling a policy directly) the view is built from ``args.resources``, to the same result.
    """
    shared = sdk_compat.shared_stack()
    if shared is not None:
        return sdk_compat.request_memo("stack", (shared,), lambda: StackView(map(_shared_resource_view, shared)))
    resources = list(args.resources)
    return sdk_compat.request_memo(
        "stack", [r.props for r in resources], lambda: StackView(_stack_resource_view(r) for r in resources)
    )


def _shared_resource_view(resource: sdk_compat.StackResource) -> ResourceView:
    type_token, props = _frozen_plain(resource.props, resource.type)
    provider = resource.provider
    return ResourceView(
        type=type_token,
        urn=resource.urn,
        name=resource.name,
        props=props,
        declared_type=resource.type if type_token != resource.type else None,
        protect=resource.protect,
        provider=None if provider is None else ProviderView(
            provider.type, provider.urn, provider.name, _frozen(provider.props)
        ),
        parent=resource.parent,
        dependencies=resource.dependencies,
        property_dependencies=FrozenDict(resource.property_dependencies),
    )


def _stack_resource_view(resource) -> ResourceView:
    parent = resource.parent.urn if resource.parent is not None else (resource.opts.parent or None)
    type_token, props = _frozen_props(resource.props, resource.resource_type)
    return ResourceView(
        type=type_token,
        urn=resource.urn,
        name=resource.name,
        props=props,
        declared_type=resource.resource_type if type_token != resource.resource_type else None,
        protect=bool(resource.opts.protect),
        provider=_provider_view(resource.provider),
        parent=parent,
        dependencies=tuple(d.urn for d in resource.dependencies),
        property_dependencies=FrozenDict(
            {k: tuple(d.urn for d in v) for k, v in resource.property_dependencies.items()}
        ),
    )
