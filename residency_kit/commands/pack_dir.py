"""``residency pack-dir``: print the directory of the residency policy pack installed with the kit.

That directory is a complete pack (PulumiPolicy.yaml, its rules file holding only the kit's floor, and the
policies), so the real CLI can run it without a copy: ``pulumi preview --policy-pack "$(residency pack-dir)"``.
Its PulumiPolicy.yaml names no virtualenv, so the engine runs it on ``PULUMI_PYTHON_CMD`` (set it to the
project's ``.venv/bin/python``, where the kit is installed) or the ``python3`` first on PATH.

Exit codes: 0 printed, 2 this installation has no pack.
"""

from __future__ import annotations

import argparse
import sys

EXIT_OK, EXIT_ERROR = 0, 2


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    return subparsers.add_parser(
        "pack-dir",
        help="print the directory of the residency policy pack installed with the kit (for --policy-pack)",
        description="Print the installed residency policy pack's directory, to pass to `pulumi preview "
        "--policy-pack`; run the CLI with PULUMI_PYTHON_CMD set to the Python the kit is installed in.",
    )


def run(args: argparse.Namespace) -> int:
    from residency_kit.engine.shipped_pack import shipped_pack_dir

    pack = shipped_pack_dir()
    if pack is None:
        print("error: this installation of the kit has no residency policy pack (residency_policy_pack); "
              "reinstall residency-kit", file=sys.stderr)
        return EXIT_ERROR
    print(pack)
    return EXIT_OK
