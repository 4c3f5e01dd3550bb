"""The ``residency`` command line: one subcommand per module in ``residency_kit.commands``."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Append new subcommands here (module names under residency_kit/commands/).
COMMAND_MODULES = [
    "residency_kit.commands.preview",
    "residency_kit.commands.audit",
    "residency_kit.commands.diagram",
    "residency_kit.commands.init",
    "residency_kit.commands.pack_dir",
    "residency_kit.commands.rules",
]

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 on usage errors, like we do
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="residency", description="Residency Kit: keep US user data on an isolated, US-only estate.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    subparsers.required = True
    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        before = set(subparsers.choices)
        module.add_parser(subparsers)
        # The module's ``run`` handles its subcommand; modules need not wire that themselves.
        for added in set(subparsers.choices) - before:
            subparsers.choices[added].set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
