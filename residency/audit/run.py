"""Audit a state export with policy packs: load the file, start the packs, analyze, stop the packs."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

from residency.audit.analyze import AuditResult, audit_export
from residency.audit.export import load_state_export
from residency.engine.pack_config import PolicyConfigError, load_policy_pack_config_file
from residency.engine.packs import PolicyPackProcess
from residency.engine.project_preview import GIVEN, SHIPPED, default_policy_packs


class AuditError(RuntimeError):
    """A usage, state-file or pack problem (exit code 2); the message names the file at fault."""


def run_audit(
    state_file: str | Path,
    *,
    policy_packs: Sequence[str | Path] | None = None,
    policy_pack_configs: Sequence[str | Path | None] = (),
) -> AuditResult:
    export = load_state_export(state_file)
    if policy_packs:
        pack_dirs, origin = [Path(p).resolve() for p in policy_packs], GIVEN
    else:
        # As for ``residency preview``: the residency pack shipped with the kit.
        pack_dirs, origin = default_policy_packs(), SHIPPED
        if not pack_dirs:
            raise AuditError("no policy pack to run: this installation of the kit has no residency pack; pass --policy-pack DIR")
    configs: list[str | Path | None] = list(policy_pack_configs)
    if len(configs) > len(pack_dirs):
        raise AuditError(
            f"{len(configs)} --policy-pack-config files for {len(pack_dirs)} --policy-pack directories; "
            "they pair by position"
        )
    configs += [None] * (len(pack_dirs) - len(configs))
    parsed = []
    for config_file in configs:
        try:
            parsed.append(load_policy_pack_config_file(config_file) if config_file else None)
        except PolicyConfigError as err:
            raise AuditError(str(err)) from err
    for pack_dir in pack_dirs:
        if not (pack_dir / "PulumiPolicy.yaml").is_file():
            raise AuditError(f"--policy-pack {pack_dir}: not a policy pack (no PulumiPolicy.yaml)")

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
