"""What keeps each kind of store's data recoverable, read from the generated ``data/store_durability.txt``.

Generated from the installed SDKs by ``policies/tools/generate_store_durability.py`` (the pack never imports
the SDKs). Per store type: its kind, whether that kind holds data at rest whose loss loses it (``judged``), the
deletion guards the service offers, the backup retention input with the service's cap, the mechanisms that
keep a copy in another region, and the inputs that place it in subnets; and every input that schedules a
retention lock, with the earliest time the service accepts. ``docs/durability.md`` explains the decisions.

Reading values: in the resource phase (``Analyze``) an unknown value is unknown. In the stack phase
(``AnalyzeStack``, outputs) the engine plans an optional, computed input the program left unset as unknown;
such a value, with no property dependency behind it, counts as unset (``read``).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from residency_policies.values import is_unknown, walk
from residency_policies.views import ResourceView

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "store_durability.txt"

NOUNS = {
    "database": "database", "object-store": "bucket", "block-volume": "volume", "file-system": "file system",
    "backup-vault": "backup vault", "cache": "cache", "search": "search cluster", "stream": "stream",
}


class GuardKind(enum.Enum):
    ALWAYS = "always"  # the service itself refuses to lose the data (a non-empty bucket is not deleted)
    VALUE = "value"  # an input with a given value keeps the data
    SET = "set"  # an input that is set at all keeps it (a final snapshot name, a backup policy)
    JOIN = "join"  # a separate resource keeps it (a backup policy assignment, an AWS Backup selection)


@dataclass(frozen=True)
class Guard:
    kind: GuardKind
    path: str = ""
    value: str = ""
    unset_holds: bool = False  # the service's default is the guarding value
    join: str = ""
    if_backups: bool = False  # it retains the store's automatic backups: it keeps data only while there are some

    @classmethod
    def parse(cls, spec: str) -> Guard:
        if spec == "always":
            return cls(GuardKind.ALWAYS)
        if spec.startswith("join:"):
            return cls(GuardKind.JOIN, join=spec[5:])
        path, _, value = spec.partition("=")
        value, *flags = value.split("+")
        if value == "*":
            return cls(GuardKind.SET, path, if_backups="if-backups" in flags)
        return cls(GuardKind.VALUE, path, value, "unset" in flags, if_backups="if-backups" in flags)

    @property
    def shown_value(self) -> str:
        """The guarding value as a program writes it: ``True``, ``'RETAIN'``."""
        return {"true": "True", "false": "False"}.get(self.value, repr(self.value))

    def fix(self, retention: Retention | None = None) -> str:
        """The setting that would make this guard hold, as a program would write it (with the store's backups turned
        on, for a guard that retains them: ``retention`` is the store's)."""
        setting = f"`{self.path}` set" if self.kind is GuardKind.SET else f"`{self.path}={self.shown_value}`"
        if self.if_backups and retention is not None:
            return f"{setting} with automatic backups kept ({retention.turned_on})"
        return setting


@dataclass(frozen=True)
class Retention:
    days: str
    cap: int
    default: int
    on: str | None
    on_default: bool
    extra: str | None
    source: str

    @property
    def turned_on(self) -> str:
        """The setting that makes the store keep automatic backups, as a program would write it."""
        if self.on is not None:
            return f"`{self.on}=True` and `{self.days}` above 0"
        return f"`{self.days}` above 0"


@dataclass(frozen=True)
class SubnetInput:
    path: str
    group: str | None = None  # a subnet group's type when ``path`` names a group; its ``subnetIds`` are the subnets


@dataclass(frozen=True)
class StoreProfile:
    token: str
    kind: str
    judged: bool
    guards: tuple[Guard, ...]
    retention: Retention | None
    copies: tuple[str, ...]
    placement: tuple[SubnetInput, ...]
    placement_unset: str | None  # "default-vpc": an unset subnet input puts it in AWS's default VPC
    evidence: str

    @property
    def noun(self) -> str:
        if "/mountTarget:" in self.token:
            return "file system mount target"
        return NOUNS.get(self.kind, self.kind)

    @property
    def joins(self) -> tuple[Guard, ...]:
        return tuple(g for g in self.guards if g.kind is GuardKind.JOIN)

    @property
    def region_lists(self) -> tuple[str, ...]:
        """Inline inputs that list the regions a copy is kept in."""
        return tuple(c[8:] for c in self.copies if c.startswith("regions:"))

    @property
    def copy_joins(self) -> tuple[str, ...]:
        return tuple(c for c in self.copies if not c.startswith("regions:"))


@dataclass(frozen=True)
class LockTime:
    token: str
    path: str
    min_days: int
    evidence: str


def _cells(cell: str) -> list[str]:
    return [] if cell == "-" else cell.split(",")


def _retention(cell: str) -> Retention | None:
    if cell == "-":
        return None
    head, _, source = cell.partition(";source=")  # the source is free text, written last
    fields = dict(part.split("=", 1) for part in head.split(";"))
    fields["source"] = source
    return Retention(fields["days"], int(fields["cap"]), int(fields["default"]), fields.get("on"),
                     fields.get("on-default", "true") == "true", fields.get("extra"), fields["source"])


def _placement(cells: list[str]) -> tuple[tuple[SubnetInput, ...], str | None]:
    inputs, unset = [], None
    for cell in cells:
        if cell.startswith("unset="):
            unset = cell[6:]
            continue
        path, _, group = cell.partition("@")
        inputs.append(SubnetInput(path, group or None))
    return tuple(inputs), unset


def load(path: Path = DATA_FILE) -> tuple[dict[str, StoreProfile], dict[str, tuple[LockTime, ...]]]:
    stores: dict[str, StoreProfile] = {}
    locks: dict[str, list[LockTime]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        cells = line.split("\t")
        if cells[0] == "store":
            _, token, kind, judged, guards, retention, copies, placement, evidence = cells
            inputs, unset = _placement(_cells(placement))
            stores[token] = StoreProfile(token, kind, judged == "yes", tuple(Guard.parse(g) for g in _cells(guards)),
                                         _retention(retention), tuple(_cells(copies)), inputs, unset, evidence)
        elif cells[0] == "lock":
            _, token, lock_path, days, evidence = cells
            locks.setdefault(token, []).append(LockTime(token, lock_path, int(days), evidence))
        else:
            raise ValueError(f"{path}: unreadable line {line!r}")
    return stores, {t: tuple(v) for t, v in locks.items()}


STORE_PROFILES, LOCK_TIMES = load()
JUDGED_TYPES = frozenset(t for t, p in STORE_PROFILES.items() if p.judged)
DATABASE_TYPES = frozenset(t for t, p in STORE_PROFILES.items() if p.judged and p.kind == "database")
PLACED_TYPES = frozenset(t for t, p in STORE_PROFILES.items() if p.placement)


# -- reading a store's own inputs ---------------------------------------------------------------------------

def _holds_unknown(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_holds_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_unknown(v) for v in value)
    return is_unknown(value)


def unconfigured(resource: ResourceView) -> bool:
    """True in the stack phase for a resource its provider does not create at preview: the provider's
    configuration is unknown, so the engine plans no outputs for it at all. Nothing about it can be read; the
    provider's unknown configuration is the finding (``us-region-providers``)."""
    provider = resource.provider
    return not resource.props and provider is not None and _holds_unknown(dict(provider.props))


def read(resource: ResourceView, path: str, *, stack_phase: bool) -> list[tuple[str, Any]]:
    """``(concrete path, value)`` for every value at ``path``; in the stack phase an unknown the engine planned
    for an input the program left unset (no property dependency on its top-level input) is dropped."""
    found = list(walk(resource.props, path))
    if stack_phase:
        top = path.split(".")[0].split("[")[0]
        if not resource.property_dependencies.get(top):
            found = [(p, v) for p, v in found if not is_unknown(v)]
    return found


class State(enum.Enum):
    HOLDS = "holds"
    MISSING = "missing"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class GuardReading:
    guard: Guard
    state: State
    seen: str  # what the program set, for the message: "`skipFinalSnapshot` is True", "`deletionProtection` is unset"
    unknown_path: str | None = None


def _same(value: Any, wanted: str) -> bool:
    if isinstance(value, bool):
        return str(value).lower() == wanted
    return isinstance(value, (str, int, float)) and str(value).strip().upper() == wanted.upper()


def _shown(value: Any) -> str:
    return str(value) if isinstance(value, bool) else repr(value)


def read_guard(resource: ResourceView, guard: Guard, *, retention: Retention | None, stack_phase: bool) -> GuardReading:
    """An input guard's state (``ALWAYS`` holds; ``JOIN`` guards are read by the rule, over the stack). A guard that
    retains the store's automatic backups after deletion holds only while the store keeps some (``retention``, the
    store's): with backups off, or kept 0 days, there is nothing for it to retain."""
    reading = _read_input(resource, guard, stack_phase=stack_phase)
    if not guard.if_backups or reading.state is not State.HOLDS or retention is None:
        return reading
    kept = read_retention(resource, retention, stack_phase=stack_phase)
    if kept.days is None:
        return GuardReading(guard, State.UNKNOWN, "", kept.unknown_path)
    if not kept.enabled or kept.days <= 0:
        off = (f"`{retention.on}` is off" if not kept.enabled and retention.on is not None
               else f"`{retention.days}` is {kept.days}")
        return GuardReading(guard, State.MISSING,
                            f"`{guard.path}` is {guard.shown_value} but no automatic backups are kept ({off})")
    return reading


def _read_input(resource: ResourceView, guard: Guard, *, stack_phase: bool) -> GuardReading:
    if guard.kind is GuardKind.ALWAYS:
        return GuardReading(guard, State.HOLDS, "")
    values = read(resource, guard.path, stack_phase=stack_phase)
    unknown = [p for p, v in values if is_unknown(v)]
    known = [(p, v) for p, v in values if not is_unknown(v) and v is not None and v != ""]
    if guard.kind is GuardKind.SET:
        if known:
            return GuardReading(guard, State.HOLDS, "")
        if unknown:
            return GuardReading(guard, State.UNKNOWN, "", unknown[0] or guard.path)
        return GuardReading(guard, State.MISSING, f"`{guard.path}` is unset")
    if any(_same(v, guard.value) for _, v in known):
        return GuardReading(guard, State.HOLDS, "")
    if unknown:
        return GuardReading(guard, State.UNKNOWN, "", unknown[0] or guard.path)
    if not known:
        if guard.unset_holds:
            return GuardReading(guard, State.HOLDS, "")
        return GuardReading(guard, State.MISSING, f"`{guard.path}` is unset, not {guard.shown_value}")
    where, value = known[0]
    return GuardReading(guard, State.MISSING, f"`{where}` is {_shown(value)}")


@dataclass(frozen=True)
class RetentionReading:
    """How many days of backups a database keeps by its own inputs (``None`` with ``unknown_path``: unknown)."""

    days: int | None
    enabled: bool
    explicit: bool  # the retention input is set (not the service's default)
    unknown_path: str | None = None
    switch_set: bool = False  # the switch that turns backups on is set (not the service's default)


def _number(value: Any) -> int | None:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def read_retention(resource: ResourceView, spec: Retention, *, stack_phase: bool) -> RetentionReading:
    enabled, switch_set = spec.on_default, False
    if spec.on is not None:
        switch = read(resource, spec.on, stack_phase=stack_phase)
        if any(is_unknown(v) for _, v in switch):
            return RetentionReading(None, True, False, spec.on)
        known = [v for _, v in switch if v is not None]
        if known:
            enabled, switch_set = any(v is True or str(v).lower() == "true" for v in known), True
    if not enabled:
        return RetentionReading(0, False, False, switch_set=switch_set)
    values = read(resource, spec.days, stack_phase=stack_phase)
    if any(is_unknown(v) for _, v in values):
        return RetentionReading(None, True, True, spec.days)
    numbers = [n for n in (_number(v) for _, v in values) if n is not None]
    days, explicit = (max(numbers), True) if numbers else (spec.default, False)
    if spec.extra is not None:
        extra = _extra_retention(resource, spec.extra, stack_phase=stack_phase)
        if extra is None and days < spec.cap:
            return RetentionReading(None, True, explicit, spec.extra)
        days = max(days, extra or 0)
    return RetentionReading(days, True, explicit)


def _extra_retention(resource: ResourceView, path: str, *, stack_phase: bool) -> int | None:
    """The longest retention of the schedule blocks at ``path`` (``blocks[].leaf``) that are not turned off
    (``isDisabled``); None when one that counts is unknown."""
    blocks, _, leaf = path.rpartition(".")
    best = 0
    for _, block in read(resource, blocks, stack_phase=stack_phase):
        if is_unknown(block):
            return None
        if not isinstance(block, dict) or block.get("isDisabled") is True:
            continue
        value = block.get(leaf)
        if is_unknown(value):
            return None
        best = max(best, _number(value) or 0)
    return best


def required_days(spec: Retention, minimum: int) -> int:
    """The retention a database must keep: the rules' minimum, or the service's cap when the minimum exceeds it
    (a long-term schedule that reaches beyond the cap counts, but is not required)."""
    return min(minimum, spec.cap)


def days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def alternatives(options: Sequence[str]) -> str:
    """Fixes offered as alternatives in a message: ``A``; ``A or B``; ``one of A, B or C``."""
    if len(options) == 1:
        return options[0]
    head = ", ".join(options[:-1])
    return f"{'one of ' if len(options) > 2 else ''}{head} or {options[-1]}"
