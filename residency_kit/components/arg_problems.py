"""One validation style for every component: collect every problem with the Args, then refuse once.

A component checks its Args before it registers anything (itself included), gathers every problem into an
``ArgProblems`` collector and raises one ``ComponentArgsError`` listing them all, in one format:

    invalid RegionLockedBackupArgs for 'backups' (2 problem(s)):
      - RegionLockedBackupArgs.retention_days: 30 is below the minimum retention of 365 days; allowed: 365 or more
      - RegionLockedBackupArgs.backup_region: 'us-ashburn-1' equals home_region; allowed: another allowed US region

Each line names the Args field, shows the refused value, says what is wrong and what is allowed. Stopping at
the first problem makes a user fix a stack file one run at a time; one error with every problem does not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class ArgProblem:
    """One refused Args value: ``line`` is the whole message, starting with ``field``."""

    field: str
    line: str

    def __str__(self) -> str:
        return self.line


class ArgProblems:
    """Collects the problems of one Args object; ``raise_if_any`` refuses them all at once."""

    def __init__(self, args_type: str):
        self.args_type = args_type
        self.problems: list[ArgProblem] = []

    def field(self, name: str) -> str:
        """The full field name as messages show it, e.g. ``RegionLockedBackupArgs.retention_days``."""
        return f"{self.args_type}.{name}" if name else self.args_type

    def add(self, name: str, value: object, wrong: str, allowed: str) -> None:
        """``<Args>.<name>: <value!r> <wrong>; allowed: <allowed>``."""
        full = self.field(name)
        self.problems.append(ArgProblem(full, f"{full}: {value!r} {wrong}; allowed: {allowed}"))

    def add_line(self, line: str) -> None:
        """A problem already written in this format (by a shared check such as ``parent_overlap_issue``)."""
        self.problems.append(ArgProblem(line.split(":", 1)[0], line))

    def extend_lines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.add_line(line)

    def __bool__(self) -> bool:
        return bool(self.problems)

    def raise_if_any(self, name: str | None = None) -> None:
        if self.problems:
            raise ComponentArgsError(self.args_type, name, tuple(self.problems))


class ComponentArgsError(ValueError):
    """Raised by a component before it registers anything; the message lists every problem with its Args."""

    def __init__(self, args_type: str, name: str | None, problems: tuple[ArgProblem, ...]):
        self.args_type = args_type
        self.name = name
        self.problems = problems
        target = f" for {name!r}" if name else ""
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"invalid {args_type}{target} ({len(problems)} problem(s)):\n{lines}")
