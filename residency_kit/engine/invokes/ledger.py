"""What every invoke of one preview was answered with, and which resources used an answer that was not computed.

An answer is one of:

- ``computed``: exact, offline (a pure function of its arguments and the provider's configuration);
- ``pinned``: taken from the project's fixtures file (``residency-invokes.yaml``), field by field;
- ``assumed``: a lookup of cloud state, shaped by the SDK's result type, with made-up values for fields
  that do not decide residency and *unknown* for those that do (a region, CIDR, principal, account,
  tenancy...);
- ``unanswered``: nothing could be answered (the token is no installed provider SDK's function); the
  invoke's whole result is unknown, as the engine makes it when it declines an invoke;
- ``failed``: the invoke failed (what the provider would refuse, or an answer that could not be built);
  the note says why, and the program got the failure naming the token.

Unknown strings cannot be unknown inside a plain invoke result (the SDK's result classes type-check their
fields), so they are *markers*: ``<<unknown aws:ec2/getVpc:getVpc.cidrBlock #40213377>>``. A marker survives
string formatting, so wherever the program puts one into a resource input the whole input string is
turned into the engine's unknown sentinel (``trace``), and the resource is recorded as a user of the
invoke. Made-up strings carry ``assumed<8 digits>`` (``ami-0assumed71234004``) for the same tracing;
region-consistent values that must look real (``us-west-2a``) are traced by exact match.

The numbers are not counters: a marker carries the invoke's *id* and a made-up string a *serial*, both
derived from what was asked (``invoke_id``: the function, its arguments and the provider's region; the
serial adds the field's path and its occurrence in the answer). The same lookup is therefore answered with
the same values in every run and by every engine that uses this package: ``residency preview`` (one
ledger per run) and the stand-in provider under the real Pulumi engine (a ledger per call) alike.
Two different lookups can share an id or a serial (8 digits of a hash); the only effect is that a resource
using one is also listed as a user of the other.

A marker is found however JSON text has escaped it: Go's ``encoding/json`` (how the provider writes
``getPolicyDocument``'s ``json``) writes ``<`` and ``>`` as ``\u003c`` and ``\u003e``, and JSON text
embedded in JSON again doubles the backslash; the token, path and invoke id never need escaping. An
invoke computed from another's marker or made-up value (``derive``) lists the fields holding one and is
traced to the resources that use them, by the marker and by exact match of the derived text.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pulumi.runtime import rpc

from residency_kit.engine.secrets import SECRET_TEXT, is_secret

UNKNOWN = rpc.UNKNOWN
# ``<<`` / ``>>`` as written, or JSON-escaped (``\u003c``, behind any number of backslashes).
MARKER_RE = re.compile(r"(?:<|\\+u003[cC]){2}unknown [^<>\\]*? #(\d+)(?:>|\\+u003[eE]){2}")
ASSUMED_RE = re.compile(r"assumed(\d{8})")
_SERIALS = 10**8


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big") % _SERIALS


def _canonical(value: Any) -> Any:
    """Arguments as both engines see them: a secret as ``[secret]`` (no digest of a secret is ever shown),
    nulls dropped, whole floats as integers (the wire carries every number as a double)."""
    if is_secret(value):
        return SECRET_TEXT
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def invoke_id(token: str, args: Any, region: str) -> int:
    """The invoke's id: 8 decimal digits of a hash of the function, its arguments and the provider's region."""
    text = json.dumps([token.lower(), region or "", _canonical(args or {})], sort_keys=True,
                      separators=(",", ":"), default=str)
    return _digest(text)


@dataclass
class InvokeRecord:
    """One invoke call and what it was answered with."""

    call: int
    """The call's position in this run (1, 2, ...), for reports."""
    token: str
    provider: str
    """``default`` or the explicit provider's name."""
    region: str
    invoke: int = 0
    """``invoke_id``: what markers and made-up values of this answer carry."""
    kind: str = "computed"
    """``computed``, ``pinned``, ``assumed``, ``unanswered`` or ``failed`` (docs/preview.md, "Invokes")."""
    assumed: list[str] = field(default_factory=list)
    """Field paths (``images[].id``) holding made-up values."""
    unknown: list[str] = field(default_factory=list)
    """Field paths left unknown (markers, or null for a number or a bool)."""
    pinned: list[str] = field(default_factory=list)
    note: str = ""
    used_by: list[str] = field(default_factory=list)
    """Mock URNs of the resources whose inputs hold a value of this answer that was not computed."""
    _tags: Counter = field(default_factory=Counter, repr=False, compare=False)

    def add(self, bucket: str, path: str) -> None:
        target = getattr(self, bucket)
        if path not in target:
            target.append(path)

    def finish(self) -> None:
        if self.kind in ("unanswered", "failed"):
            return
        if self.assumed or self.unknown:
            self.kind = "assumed"
        elif self.pinned:
            self.kind = "pinned"

    def as_json(self) -> dict[str, Any]:
        return {
            "call": self.call, "token": self.token, "provider": self.provider, "region": self.region,
            "kind": self.kind, "assumed": list(self.assumed), "unknown": list(self.unknown),
            "pinned": list(self.pinned), "note": self.note, "usedBy": list(self.used_by),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> InvokeRecord:
        return cls(
            call=data["call"], token=data["token"], provider=data["provider"], region=data["region"],
            kind=data["kind"], assumed=list(data["assumed"]), unknown=list(data["unknown"]),
            pinned=list(data["pinned"]), note=data.get("note", ""), used_by=list(data.get("usedBy", [])),
        )


class Ledger:
    """Every invoke record of one run, the markers and made-up values handed out, and who used them."""

    def __init__(self) -> None:
        self.records: list[InvokeRecord] = []
        self._lock = threading.Lock()
        self._invokes: dict[int, set[int]] = {}
        self._serials: dict[int, set[int]] = {}
        self._exact: dict[str, set[int]] = {}

    def open(self, token: str, provider: str, region: str, args: Any = None) -> InvokeRecord:
        """A record for one call of ``token`` with ``args`` on a provider in ``region``."""
        invoke = invoke_id(token, args, region)
        with self._lock:
            record = InvokeRecord(call=len(self.records) + 1, token=token, provider=provider, region=region,
                                  invoke=invoke)
            self.records.append(record)
            self._invokes.setdefault(invoke, set()).add(record.call)
            return record

    def marker(self, record: InvokeRecord, path: str, *, items: tuple[int, ...] = ()) -> str:
        """The marker of field ``path`` (``names[]``); ``items`` are the list indexes on the way to this value,
        written into the marker (``names[1]``) so that the items' markers differ."""
        record.add("unknown", path)
        shown = path
        for index in items:
            shown = shown.replace("[]", f"[{index}]", 1)
        return f"<<unknown {record.token}.{shown} #{record.invoke:08d}>>"

    def assumed_tag(self, record: InvokeRecord, path: str) -> str:
        """``assumed<serial>``: a made-up string's traceable part; the serial is derived from the invoke, the
        field's path and how many values of that path this answer made up before."""
        record.add("assumed", path)
        with self._lock:
            occurrence = record._tags[path]
            record._tags[path] += 1
            serial = _digest(f"{record.invoke:08d}:{path}:{occurrence}")
            self._serials.setdefault(serial, set()).add(record.call)
        return f"assumed{serial:08d}"

    def assumed_exact(self, record: InvokeRecord, path: str, value: str) -> str:
        """A made-up value that must look real (an AZ name): traced by exact match."""
        record.add("assumed", path)
        with self._lock:
            self._exact.setdefault(value, set()).add(record.call)
        return value

    @property
    def traces(self) -> bool:
        return any(r.kind != "computed" for r in self.records)

    def _calls_in(self, text: str) -> tuple[set[int], bool]:
        calls: set[int] = set()
        unknown = False
        if "unknown " in text:
            for m in MARKER_RE.finditer(text):
                calls |= self._invokes.get(int(m.group(1)), set())
                unknown = True
        if "assumed" in text:
            for m in ASSUMED_RE.finditer(text):
                calls |= self._serials.get(int(m.group(1)), set())
        exact = self._exact.get(text)
        if exact:
            calls |= exact
        return calls, unknown

    def trace(self, value: Any, user: str | None, *, unknown: Any = UNKNOWN) -> Any:
        """``value`` with every string holding a marker replaced by ``unknown``; records ``user`` on the invokes used."""
        used: set[int] = set()

        def walk(v: Any) -> Any:
            if isinstance(v, str):
                calls, has_marker = self._calls_in(v)
                used.update(calls)
                return unknown if has_marker else v
            if isinstance(v, dict):
                return {k: walk(x) for k, x in v.items()}
            if isinstance(v, list):
                return [walk(x) for x in v]
            return v

        out = walk(value)
        if user is None:
            return out
        with self._lock:
            for call in used:
                record = self.records[call - 1]
                if user not in record.used_by:
                    record.used_by.append(user)
        return out

    def derive(self, record: InvokeRecord, result: Any) -> None:
        """Record the fields of ``record``'s answer that hold another invoke's marker (unknown) or made-up value
        (assumed), and trace the texts holding them back to ``record`` as well (by exact match)."""
        if not self.traces:
            return
        sources: set[int] = set()

        def walk(value: Any, path: str) -> None:
            if isinstance(value, str):
                calls, has_marker = self._calls_in(value)
                calls -= self._invokes.get(record.invoke, set())  # its own values (and those of the same lookup)
                if not calls:
                    return
                others_unknown = has_marker and any(int(m.group(1)) != record.invoke for m in MARKER_RE.finditer(value))
                record.add("unknown" if others_unknown else "assumed", path)
                sources.update(calls)
                with self._lock:
                    self._exact.setdefault(value, set()).add(record.call)
            elif isinstance(value, dict):
                for key, item in value.items():
                    walk(item, f"{path}.{key}" if path else str(key))
            elif isinstance(value, list):
                for item in value:
                    walk(item, f"{path}[]")

        walk(result, "")
        if sources:
            named = ", ".join(f"#{c} {self.records[c - 1].token}" for c in sorted(sources) if 0 < c <= len(self.records))
            note = f"computed from values of invoke {named} that are not known offline"
            record.note = f"{record.note}; {note}" if record.note else note

    def explain(self, text: str) -> list[InvokeRecord]:
        """The invokes whose markers or made-up values appear in ``text`` (an error message)."""
        calls, _ = self._calls_in(text)
        return [self.records[c - 1] for c in sorted(calls) if 0 < c <= len(self.records)]
