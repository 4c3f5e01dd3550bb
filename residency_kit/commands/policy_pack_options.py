"""The policy-pack options that `preview` and `audit` share, spelled as `pulumi preview` spells them."""

from __future__ import annotations

import argparse


def add_policy_pack_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--policy-pack", action="append", default=[], metavar="DIR",
        help="policy pack directory (repeatable; default inside this repository: policies/)",
    )
    parser.add_argument(
        "--policy-pack-config", action="append", default=[], metavar="FILE",
        help="JSON policy config for the --policy-pack at the same position",
    )
