"""``residency preview --engine pulumi``: the same preview, run by an installed Pulumi CLI, still offline.

The CLI runs the project on a mirror (``residency_kit.pulumi_cli.offline``): its own PULUMI_HOME with the stand-in
``oci``/``aws`` providers, a throwaway ``file://`` backend, no credentials, no cloud. What it reports is read
from the engine's JSON events: the resources it would create, every policy violation, and errors.

Exit codes are those of the embedded engine: 0 no mandatory violation, 1 mandatory violations, 2 any other
failure (no CLI, a program error, a pack error).
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from residency_kit.engine.levels import EnforcementLevel, Severity
from residency_kit.engine.results import Violation
from residency_kit.pulumi_cli.offline import CliPreview, OfflinePulumi, OfflinePulumiError, find_pulumi
from residency_policies.urns import urn_name, urn_type

EXIT_OK, EXIT_MANDATORY, EXIT_ERROR = 0, 1, 2
_MARKS = {EnforcementLevel.MANDATORY: "❌", EnforcementLevel.ADVISORY: "⚠️"}


def _violations(run: CliPreview) -> list[Violation]:
    out = []
    for e in run.policy_events:
        urn = e.get("resourceUrn", "")
        # As the engine fails a deployment: on mandatory, and on remediate (a remediation that left a violation).
        mandatory = e.get("enforcementLevel") in (EnforcementLevel.MANDATORY, EnforcementLevel.REMEDIATE)
        severity = e.get("severity", "")
        out.append(Violation(
            policy_pack=e.get("policyPackName", ""), policy_pack_version=e.get("policyPackVersion", ""),
            policy=e.get("policyName", ""),
            enforcement_level=EnforcementLevel.MANDATORY if mandatory else EnforcementLevel.ADVISORY,
            severity=Severity(severity) if severity in set(Severity) else Severity.UNSPECIFIED,
            urn=urn, message=e.get("message", "").rstrip("\n"), resource_type=urn_type(urn) if urn else "",
            resource_name=urn_name(urn) if urn else "",
        ))
    return out


def _violation_json(v: Violation) -> dict[str, str]:
    return {"policyPack": v.policy_pack, "policy": v.policy, "enforcementLevel": v.enforcement_level.value,
            "severity": v.severity.value, "urn": v.urn, "message": v.message}


def _resources(run: CliPreview) -> list[dict[str, str]]:
    seen: dict[str, dict[str, str]] = {}
    for e in run.events:
        meta = e.get("resourcePreEvent", {}).get("metadata")
        if meta and meta.get("urn") not in seen:
            seen[meta["urn"]] = {"urn": meta["urn"], "type": meta.get("type", ""), "op": meta.get("op", "")}
    return list(seen.values())


def to_json(run: CliPreview, *, pulumi: Path, stack: str) -> dict[str, Any]:
    violations = _violations(run)
    return {
        "engine": "pulumi", "pulumi": str(pulumi), "stack": stack, "resources": _resources(run),
        "violations": [_violation_json(v) for v in violations], "errors": [m.strip() for m in run.errors],
        "summary": {"resources": len(_resources(run)),
                    "mandatory": sum(v.mandatory for v in violations),
                    "advisory": sum(not v.mandatory for v in violations)},
    }


def render(run: CliPreview, *, out: TextIO) -> None:
    for r in _resources(run):
        out.write(f" {'+' if r['op'] == 'create' else ' '}  {r['type']}  {urn_name(r['urn'])}  {r['op']}\n")
    violations = _violations(run)
    if violations:
        out.write("\nPolicies:\n")
        for pack in sorted({v.policy_pack for v in violations}):
            mine = [v for v in violations if v.policy_pack == pack]
            mark = _MARKS[EnforcementLevel.MANDATORY if any(v.mandatory for v in mine) else EnforcementLevel.ADVISORY]
            out.write(f"    {mark} {pack}\n")
            for v in mine:
                out.write(f"        - [{v.enforcement_level}] [severity: {v.severity}]  {v.policy}  "
                          f"({v.resource_type}: {v.resource_name})\n")
                for line in v.message.splitlines():
                    out.write(f"          {line}\n")
    summary = to_json(run, pulumi=Path(), stack="")["summary"]
    out.write(f"\nResources: {summary['resources']}; policy violations: {summary['mandatory']} mandatory, "
              f"{summary['advisory']} advisory (engine: pulumi)\n")


def run_preview(
    *,
    cwd: str | Path,
    stack: str | None,
    policy_packs: Sequence[str | Path],
    policy_pack_configs: Sequence[str | Path],
    config: Mapping[str, str],
    as_json: bool,
    pulumi: str | None = None,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    from residency_kit.engine.invokes.pinned import PinnedAnswersError, load_pinned_answers
    from residency_kit.engine.pack_selection import default_policy_packs
    from residency_kit.engine.project import ProjectError, choose_stack, load_project

    cli = find_pulumi(pulumi)
    if cli is None:
        err.write("error: --engine pulumi needs a Pulumi CLI: none at --pulumi, $RESIDENCY_PULUMI, .oracle/bin "
                  "(make oracle) or on PATH; without one use the embedded engine (the default)\n")
        return EXIT_ERROR
    try:
        project = load_project(cwd)
        choice = choose_stack(project, stack)
        stack_name = choice.name
        load_pinned_answers(project.root)  # a malformed fixtures file is an error before anything runs
    except (ProjectError, PinnedAnswersError) as error:
        err.write(f"error: {error}\n")
        return EXIT_ERROR
    if choice.note:
        err.write(f"note: {choice.note}\n")
    packs = [Path(p) for p in policy_packs] or default_policy_packs()
    offline = OfflinePulumi(cli, Path(tempfile.mkdtemp(prefix="residency-pulumi-")))
    try:
        offline.setup()
        run = offline.preview(project.root, stack=stack_name, policy_packs=packs,
                              policy_pack_configs=list(policy_pack_configs),
                              config=[f"{k}={v}" for k, v in config.items()])
    except OfflinePulumiError as error:
        err.write(f"error: {error}\n")
        return EXIT_ERROR
    finally:
        offline.close()
    if as_json:
        json.dump(to_json(run, pulumi=cli, stack=stack_name), out, indent=2)
        out.write("\n")
    else:
        render(run, out=out)
    errors = [m.strip() for m in run.errors if m.strip() and m.strip() != "preview failed"]
    for message in errors:
        err.write(f"error: {message}\n")
    if errors or (run.returncode != 0 and not run.policy_events):
        if not errors:
            err.write(run.stderr[-2000:])
        return EXIT_ERROR
    return EXIT_MANDATORY if any(v.mandatory for v in _violations(run)) else EXIT_OK
