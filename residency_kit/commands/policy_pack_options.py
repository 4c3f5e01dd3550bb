"""The policy-pack options that `preview` and `audit` share, spelled as `pulumi preview` spells them."""

from __future__ import annotations

import argparse


def add_policy_pack_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--policy-pack", action="append", default=[], metavar="DIR",
        help="policy pack directory (repeatable; default: the residency pack installed with the kit, "
        "`residency pack-dir`, which reads your rules from the stack's residency: config)",
    )
    parser.add_argument(
        "--policy-pack-config", action="append", default=[], metavar="FILE",
        help="JSON policy config for the --policy-pack at the same position (engine format; for the residency "
        "pack, a `residency-rules` entry sets rules for every policy)",
    )
