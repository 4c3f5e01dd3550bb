"""Run policy packs over exported state the way the engine analyzes a deployment.

The engine gives each policy two views (``docs/evidence.md`` and the engine facts, §2):

- ``Analyze`` per resource sees the resource's **inputs** (checked inputs), with its provider's inputs;
- ``AnalyzeStack`` sees every resource with ``Properties = Outputs`` (``stepGenerator.AnalyzeResources``).

State keeps both, so the audit sends the state's ``inputs`` to ``Analyze`` and its ``outputs`` to
``AnalyzeStack``. ``pulumi refresh`` replaces a resource's inputs with those the provider's ``Read``
returns (``RefreshStep.Apply``), so after a refresh a change made outside Pulumi shows in both views.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from residency_kit.audit.export import StateExport
from residency_kit.engine.capture import ROOT_STACK_TYPE
from residency_kit.engine.packs import PolicyPackProcess
from residency_kit.engine.results import PreviewResult
from residency_kit.engine.stack import EngineResource, EngineStack
from residency_policies.urns import make_urn, urn_name


@dataclass
class AuditResult(PreviewResult):
    """A ``PreviewResult`` (so the preview's display and reports apply) plus what only an audit has."""

    export: StateExport = field(kw_only=True)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict, kw_only=True)


def engine_stack_from_state(export: StateExport) -> tuple[EngineStack, dict[str, dict[str, Any]]]:
    """The state's resources as the engine's stack (root Stack first) and each resource's outputs by URN."""
    resources: list[EngineResource] = []
    outputs: dict[str, dict[str, Any]] = {}
    for r in export.resources:
        is_provider = r.type.startswith("pulumi:providers:")
        resources.append(
            EngineResource(
                urn=r.urn,
                type=r.type,
                name=urn_name(r.urn),
                custom=r.custom,
                parent=r.parent,
                provider=r.provider,
                protect=r.protect,
                retain_on_delete=r.retain_on_delete,
                inputs=dict(r.inputs),
                dependencies=list(r.dependencies),
                property_dependencies={k: list(v) for k, v in r.property_dependencies.items()},
                ignore_changes=list(r.ignore_changes),
                additional_secret_outputs=list(r.additional_secret_outputs),
                aliases=list(r.aliases),
                custom_timeouts=dict(r.custom_timeouts),
                version=str(r.inputs.get("version", "")) if is_provider else "",
                id=r.id,
            )
        )
        outputs[r.urn] = dict(r.outputs)
    roots = [r for r in resources if r.type == ROOT_STACK_TYPE and not r.parent]
    if roots:
        root = roots[0]
        resources.remove(root)
    else:
        # A state without its root Stack (hand-trimmed exports) still gets one, as the engine always has it.
        name = f"{export.project}-{export.stack}"
        root = EngineResource(
            urn=make_urn(export.stack, export.project, ROOT_STACK_TYPE, name), type=ROOT_STACK_TYPE, name=name,
            custom=False, synthesized=True,
        )
        outputs[root.urn] = {}
    return EngineStack(project=export.project, stack=export.stack, resources=[root, *resources]), outputs


def audit_export(
    export: StateExport,
    packs: Sequence[PolicyPackProcess],
    pack_dirs: Sequence[Path] = (),
    pack_origin: str = "--policy-pack",
) -> AuditResult:
    stack, outputs = engine_stack_from_state(export)
    # As the engine does over state: Analyze sees inputs, AnalyzeStack outputs; nothing is remediated.
    analyses = [pack.analyze_detailed(stack, stack_properties=outputs, remediate=False) for pack in packs]
    return AuditResult.from_analyses(
        stack, packs=[p.info for p in packs], analyses=analyses, export=export, outputs=outputs,
        pack_dirs=list(pack_dirs), pack_origin=pack_origin, rules=[p.rules_in_force() for p in packs],
    )
