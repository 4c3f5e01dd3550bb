"""Audit a state export with policy packs: load the file, start the packs, analyze, stop the packs."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

from residency_kit.audit.analyze import AuditResult, audit_export
from residency_kit.audit.export import load_state_export
from residency_kit.engine.packs import PolicyPackProcess
from residency_kit.engine.pack_selection import PackSelectionError, select_policy_packs


class AuditError(RuntimeError):
    """A usage, state-file or pack problem (exit code 2); the message names the file at fault."""


def _stack_config(project_dir: Path | None, stack: str) -> tuple[dict[str, str], dict[str, str]]:
    """The stack's config as the engine would send it to the packs (the team's `residency:` rules are there), and
    which file each `residency:` key came from; empty when there is no project to read it from."""
    from residency_kit.engine.project import ProjectError, load_project, load_stack_config, stack_files

    if project_dir is None:
        return {}, {}
    try:
        project = load_project(project_dir)
        config, _secret_keys = load_stack_config(project, stack)
    except ProjectError as err:
        raise AuditError(f"reading the stack config for the packs: {err}") from err
    return config, stack_files(project, stack)


def run_audit(
    state_file: str | Path,
    *,
    policy_packs: Sequence[str | Path] | None = None,
    policy_pack_configs: Sequence[str | Path | None] = (),
    project_dir: str | Path | None = None,
    stack: str | None = None,
) -> AuditResult:
    """``project_dir`` (holding Pulumi.yaml) gives the packs the stack's config, as ``pulumi policy analyze`` does:
    the residency pack reads the team's rules from it. ``stack`` defaults to the state's own stack name."""
    export = load_state_export(state_file)
    config, files = _stack_config(Path(project_dir) if project_dir is not None else None, stack or export.stack)
    try:
        selection = select_policy_packs(policy_packs, policy_pack_configs)
    except PackSelectionError as err:
        raise AuditError(str(err)) from err
    pack_dirs, origin, parsed = selection.pack_dirs, selection.origin, selection.configs

    with ExitStack() as stack:
        packs = []
        for pack_dir, pack_config in zip(pack_dirs, parsed, strict=True):
            # The state is what is deployed, not a plan: the packs run as in an update (dry run false).
            pack = PolicyPackProcess(
                pack_dir, project=export.project, stack=export.stack, config=config, dry_run=False,
                policy_config=pack_config, stack_files=files,
            )
            stack.enter_context(pack)
            packs.append(pack)
        return audit_export(export, packs, pack_dirs, origin)
