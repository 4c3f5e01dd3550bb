"""Waivers: narrow, reasoned, approved, expiring exceptions to one policy for named resources.

A waiver is ``{policy, urns, reason, approver, expires}``. A violation of ``policy`` on one of ``urns``
is still reported, but as *advisory*, quoting the waiver. A malformed or expired waiver waives nothing
and is itself a mandatory violation (rules-file waivers: the ``residency-waivers`` stack policy; waivers
given in one policy's config: that policy, as invalid config).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from residency_policies.urns import is_urn

MIN_REASON_CHARS = 20
WAIVER_KEYS = ("policy", "urns", "reason", "approver", "expires")


@dataclass(frozen=True)
class Waiver:
    policy: str
    urns: tuple[str, ...]
    reason: str
    approver: str
    expires: _dt.date

    def covers(self, policy: str, urn: str | None) -> bool:
        return urn is not None and policy == self.policy and urn in self.urns

    def quote(self) -> str:
        return (
            f"WAIVED for {self.policy} by {self.approver} until {self.expires.isoformat()}: "
            f'"{self.reason}"'
        )


@dataclass(frozen=True)
class WaiverProblem:
    index: int
    entry: Any
    problem: str

    def message(self, where: str) -> str:
        return f"waiver #{self.index} in {where} is {self.problem}; entry: {self.entry!r}"


def today() -> _dt.date:
    return _dt.datetime.now(_dt.UTC).date()


def parse_waivers(raw: Any, *, on: _dt.date | None = None) -> tuple[tuple[Waiver, ...], tuple[WaiverProblem, ...]]:
    """Split ``raw`` (the ``waivers`` value) into usable waivers and problems (malformed or expired)."""
    on = on or today()
    if raw is None:
        return (), ()
    if not isinstance(raw, list):
        return (), (WaiverProblem(0, raw, "malformed: `waivers` must be a list of waiver objects"),)
    good: list[Waiver] = []
    problems: list[WaiverProblem] = []
    for i, entry in enumerate(raw):
        waiver, problem = _parse_one(entry)
        if problem or waiver is None:
            problems.append(WaiverProblem(i, entry, f"malformed: {problem}"))
        elif waiver.expires < on:
            problems.append(WaiverProblem(i, entry, f"expired on {waiver.expires.isoformat()}"))
        else:
            good.append(waiver)
    return tuple(good), tuple(problems)


def _parse_one(entry: Any) -> tuple[Waiver | None, str | None]:
    if not isinstance(entry, dict):
        return None, "must be an object with keys " + ", ".join(WAIVER_KEYS)
    missing = [k for k in WAIVER_KEYS if k not in entry]
    if missing:
        return None, "missing " + ", ".join(missing)
    extra = sorted(set(entry) - set(WAIVER_KEYS))
    if extra:
        return None, "unknown keys " + ", ".join(extra)
    policy, urns, reason, approver, expires = (entry[k] for k in WAIVER_KEYS)
    if not isinstance(policy, str) or not policy:
        return None, "`policy` must be a policy name"
    if not isinstance(urns, list) or not urns or not all(is_urn(u) for u in urns):
        return None, "`urns` must be a non-empty list of resource URNs (urn:pulumi:<stack>::<project>::<type>::<name>)"
    if not isinstance(reason, str) or len(reason.strip()) < MIN_REASON_CHARS:
        return None, f"`reason` must be at least {MIN_REASON_CHARS} characters"
    if not isinstance(approver, str) or not approver.strip():
        return None, "`approver` must name who approved it"
    date = _parse_date(expires)
    if date is None:
        return None, "`expires` must be an ISO date (YYYY-MM-DD)"
    return Waiver(policy, tuple(urns), reason.strip(), approver.strip(), date), None


def _parse_date(value: Any) -> _dt.date | None:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def find_waiver(waivers: Iterable[Waiver], policy: str, urn: str | None) -> Waiver | None:
    for waiver in waivers:
        if waiver.covers(policy, urn):
            return waiver
    return None
