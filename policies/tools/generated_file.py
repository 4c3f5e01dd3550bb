"""The command line every generator shares: write its checked-in file, or with ``--check`` fail if it is stale."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path


def data_lines(text: str) -> int:
    """The generated rows: every line that is not a ``#`` header line."""
    return sum(1 for line in text.splitlines() if line and not line.startswith("#"))


def run(argv: list[str] | None, *, description: str, out: Path, script: str, render: Callable[[], str],
        noun: str, count: Callable[[str], int] = data_lines) -> int:
    """``render()`` and write ``out`` (exit 0), or with ``--check`` compare it with ``out`` (exit 1 if it differs)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--check", action="store_true", help="fail if the committed file is out of date")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = out.read_text(encoding="utf-8") if out.exists() else ""
        if current != text:
            print(f"{out} is out of date; run {Path(script).name}", file=sys.stderr)
            return 1
        return 0
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out} ({count(text)} {noun})")
    return 0
