"""Which policy packs a run uses and which ``--policy-pack-config`` file goes with each.

``--policy-pack DIR`` (repeatable) replaces the residency pack shipped with the kit; ``--policy-pack-config
FILE`` pairs with the ``--policy-pack`` at the same position, as in ``pulumi preview``. The preview, the audit
and the real-CLI preview all choose their packs here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from residency_kit.engine.pack_config import PolicyConfigError, load_policy_pack_config_file
from residency_kit.engine.shipped_pack import PACK_PROJECT_FILE, shipped_pack_dir

SHIPPED = "shipped with the kit"
GIVEN = "--policy-pack"


class PackSelectionError(ValueError):
    """A usage problem with --policy-pack / --policy-pack-config; the message names the flag and value."""


@dataclass(frozen=True)
class PackSelection:
    pack_dirs: list[Path]
    origin: str
    """``SHIPPED`` or ``GIVEN``: where the packs came from, as the output says."""
    configs: list[dict[str, Any] | None]
    """The parsed policy config for each pack (None: none given)."""


def default_policy_packs() -> list[Path]:
    pack = shipped_pack_dir()
    return [pack] if pack is not None else []


def select_policy_packs(
    policy_packs: Sequence[str | Path] | None, policy_pack_configs: Sequence[str | Path | None] = (),
) -> PackSelection:
    if policy_packs:
        pack_dirs, origin = [Path(p).resolve() for p in policy_packs], GIVEN
    else:
        pack_dirs, origin = default_policy_packs(), SHIPPED
        if not pack_dirs:
            raise PackSelectionError(
                "no policy pack to run: this installation of the kit has no residency pack; pass --policy-pack DIR"
            )
    configs: list[str | Path | None] = list(policy_pack_configs)
    if len(configs) > len(pack_dirs):
        raise PackSelectionError(
            f"{len(configs)} --policy-pack-config files for {len(pack_dirs)} --policy-pack directories; "
            "they pair by position"
        )
    configs += [None] * (len(pack_dirs) - len(configs))
    parsed = []
    for config_file in configs:
        try:
            parsed.append(load_policy_pack_config_file(config_file) if config_file else None)
        except PolicyConfigError as err:
            raise PackSelectionError(str(err)) from err
    for pack_dir in pack_dirs:
        if not (pack_dir / PACK_PROJECT_FILE).is_file():
            raise PackSelectionError(f"--policy-pack {pack_dir}: not a policy pack (no {PACK_PROJECT_FILE})")
    return PackSelection(pack_dirs, origin, parsed)
