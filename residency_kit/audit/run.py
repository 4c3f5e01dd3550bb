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


def run_audit(
    state_file: str | Path,
    *,
    policy_packs: Sequence[str | Path] | None = None,
    policy_pack_configs: Sequence[str | Path | None] = (),
) -> AuditResult:
    export = load_state_export(state_file)
    try:
        selection = select_policy_packs(policy_packs, policy_pack_configs)
    except PackSelectionError as err:
        raise AuditError(str(err)) from err
    pack_dirs, origin, parsed = selection.pack_dirs, selection.origin, selection.configs

    with ExitStack() as stack:
        packs = []
        for pack_dir, pack_config in zip(pack_dirs, parsed):
            # The state is what is deployed, not a plan: the packs run as in an update (dry run false).
            pack = PolicyPackProcess(
                pack_dir, project=export.project, stack=export.stack, config={}, dry_run=False,
                policy_config=pack_config,
            )
            stack.enter_context(pack)
            packs.append(pack)
        return audit_export(export, packs, pack_dirs, origin)
