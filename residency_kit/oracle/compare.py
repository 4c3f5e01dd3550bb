"""Compare what two engines sent the recording pack, and the verdicts of the packs beside it.

A recording is the JSON-lines file ``residency_kit/oracle/recording_pack`` writes: one
``{"method", "request"}`` object per call. ``compare`` lines up the real engine's recording with
``residency preview``'s, request by request (Analyze and Remediate by URN, AnalyzeStack resource by URN,
ConfigureStack, Configure), and the two engines' violations, and returns every difference.

Differences with a known, documented cause (docs/preview.md, "The oracle") are marked with that cause's
id in ``Difference.cause``; the oracle's test requires every difference to have one. When both engines
fail, their errors are compared (normalized by ``error_essence``) and so are the requests sent before.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from residency_kit.engine.invokes.ledger import MARKER_RE

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
_ABSENT = "<absent>"


@dataclass
class Recording:
    configure_stack: list[dict[str, Any]] = field(default_factory=list)
    configure: list[dict[str, Any]] = field(default_factory=list)
    analyze: dict[str, dict[str, Any]] = field(default_factory=dict)
    remediate: dict[str, dict[str, Any]] = field(default_factory=dict)
    analyze_stack: list[list[dict[str, Any]]] = field(default_factory=list)
    requests: int = 0

    @property
    def stack_resources(self) -> dict[str, dict[str, Any]]:
        return {r["urn"]: r for call in self.analyze_stack for r in call}


def read_recording(path: str | Path) -> Recording:
    recording = Recording()
    path = Path(path)
    if not path.exists():
        return recording
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        call = json.loads(line)
        method, request = call["method"], call["request"]
        recording.requests += 1
        if method == "ConfigureStack":
            recording.configure_stack.append(request)
        elif method == "Configure":
            recording.configure.append(request)
        elif method == "Analyze":
            recording.analyze[request["urn"]] = request
        elif method == "Remediate":
            recording.remediate[request["urn"]] = request
        elif method == "AnalyzeStack":
            recording.analyze_stack.append(request.get("resources", []))
    return recording


@dataclass(frozen=True)
class Verdict:
    policy_pack: str
    policy: str
    urn: str
    enforcement_level: str
    message: str


@dataclass
class Outcome:
    """How one engine's run of one program ended, and what it sent."""

    recording: Recording
    verdicts: set[Verdict]
    error: str = ""


@dataclass
class Difference:
    program: str
    area: str
    key: str
    detail: str
    cause: str = ""

    def as_json(self) -> dict[str, str]:
        return {"program": self.program, "area": self.area, "key": self.key, "detail": self.detail,
                "cause": self.cause}


def _show(value: Any) -> str:
    if value is _ABSENT:
        return "absent"
    if value == UNKNOWN:
        return "unknown"
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= 160 else text[:157] + "..."


def value_differences(real: Any, mine: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """(path, real value, residency value) for every leaf where the two differ."""
    if isinstance(real, dict) and isinstance(mine, dict):
        out: list[tuple[str, Any, Any]] = []
        for key in sorted(set(real) | set(mine)):
            out += value_differences(real.get(key, _ABSENT), mine.get(key, _ABSENT), f"{path}.{key}" if path else key)
        return out
    if isinstance(real, list) and isinstance(mine, list) and len(real) == len(mine):
        out = []
        for i, (a, b) in enumerate(zip(real, mine, strict=True)):
            out += value_differences(a, b, f"{path}[{i}]")
        return out
    return [] if real == mine else [(path, real, mine)]


def _sorted_dependencies(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource with its dependency lists sorted: both engines pass on the order in which the Python SDK
    collected them, which follows set iteration and so changes from run to run (hash randomization)."""
    out = dict(resource)
    if "dependencies" in out:
        out["dependencies"] = sorted(out["dependencies"])
    if "propertyDependencies" in out:
        out["propertyDependencies"] = {k: {**v, "urns": sorted(v.get("urns", []))}
                                       for k, v in out["propertyDependencies"].items()}
    return out


@dataclass(frozen=True)
class Cause:
    id: str
    status: str  # "by design": residency preview differs on purpose, or the offline real engine cannot do it
    summary: str


# Only differences residency preview keeps on purpose, or that the offline real engine cannot avoid. A behaviour
# residency preview reproduces has no cause here: if it regresses, the oracle reports it unexplained.
CAUSES = {c.id: c for c in (
    Cause("remediate-only-when-remediating", "by design (the verdict is the same; sending it for every resource would double the calls)",
          "The engine sends Remediate for every resource, before Analyze, in preview too; residency preview sends "
          "it only when a policy is at remediate (pulumi_policy answers nothing otherwise)."),
    Cause("stack-reference-offline", "by design",
          "A StackReference needs the referenced stack in the backend: the offline real engine fails, residency "
          "preview makes its outputs unknown."),
    Cause("no-provider-plugin", "by design",
          "The real engine needs a provider plugin for every package; the oracle has stand-ins for oci and aws only."),
    Cause("undecryptable-secure-config", "by design",
          "secure: values the offline passphrase cannot decrypt fail the real engine; residency preview uses "
          "placeholders."),
    Cause("program-toolchain", "by design",
          "A program whose Pulumi.yaml asks for the poetry or uv toolchain needs that tool installed under the "
          "real CLI; residency preview always runs the program on its own interpreter."),
    Cause("asset-hashes", "by design",
          "The engine adds each asset's and archive's content hash (sha256) to the marshalled value; residency "
          "preview sends assets and archives without it."),
    Cause("invoke-unknown-fields", "by design",
          "An invoke field residency preview cannot know is a marker that makes every input built from it unknown "
          "(fail closed); the stand-in provider returns the same marker text, which the real engine passes on "
          "inside the built string, so the policies judge that resource on the text (its verdicts may differ)."),
    Cause("program-clock", "by design",
          "The program computes a timestamp from the clock; the two runs happen seconds apart."),
    Cause("error-wording", "by design",
          "Both engines refuse the program for the same reason and the same resource; residency preview's "
          "message also says how to fix it (a default provider that pulumi:disable-default-providers disables)."),
)}

# A run that failed under the real engine only, for a reason the offline real engine cannot avoid.
_OUTCOME_CAUSES = (
    ("unknown stack", "stack-reference-offline"),
    # A reference to another organization's stack ("org/project/stack"): a file backend has one organization.
    ("organization name must be 'organization'", "stack-reference-offline"),
    ("no resource plugin", "no-provider-plugin"),
    ("validating stack config: bad value", "undecryptable-secure-config"),
    ("failed to decrypt", "undecryptable-secure-config"),
    ("Could not find `poetry` executable", "program-toolchain"),
    ("Could not find `uv` executable", "program-toolchain"),
)
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def _close_timestamps(real: Any, mine: Any) -> bool:
    if not (isinstance(real, str) and isinstance(mine, str) and _TIMESTAMP.fullmatch(real) and _TIMESTAMP.fullmatch(mine)):
        return False
    parse = lambda t: datetime.strptime(t, "%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    return abs((parse(real) - parse(mine)).total_seconds()) < 3600


def _cause(path: str, real: Any, mine: Any) -> str:
    """The documented cause of one value difference, or "" when it has none."""
    if isinstance(real, str) and MARKER_RE.search(real) and mine == UNKNOWN:  # also inside Go-escaped JSON
        return "invoke-unknown-fields"
    if _close_timestamps(real, mine):
        return "program-clock"
    if path.endswith(".hash") and mine is _ABSENT and isinstance(real, str) and re.fullmatch(r"[0-9a-f]{64}", real):
        return "asset-hashes"
    return ""


def _outcome_cause(real_error: str, residency_error: str) -> str:
    for needle, cause in _OUTCOME_CAUSES:
        if needle in real_error and not residency_error:
            return cause
    return ""


_TRACEBACK = "Traceback (most recent call last):"
# residency preview: "program failed at <file>:<line> in <function>: <exception>\n    <source line>" (a project's
# ``RunFailure.message``; a function program's error comes as "<exception type>: <message>")
_PROGRAM_FAILED = re.compile(r"program failed at \S+:\d+ in [^:]+: (.+)")
# The real engine appends the language host's report of the exit (residency_kit.pulumi_cli.language_host,
# program_run.run_response) to a message the program printed.
_HOST_EXIT = re.compile(r";? ?an unhandled error occurred: the Python program exited with code \d+$")
# Removed in this order: a function program's exception type, residency preview's and the real engine's prefixes.
_FRAMING = ("ProgramError: ", "EngineStackError: ", "configuration error: ", "error: ")


_DEFAULT_PROVIDER_DISABLED = (
    re.compile(r"Default provider for '(?P<package>[^']+)' disabled\. '(?P<urn>urn:pulumi:[^']+)' must use an "
               r"explicit provider\."),
    re.compile(r"resource '(?P<name>[^']+)' of type (?P<type>\S+) needs the default (?P<package>\S+) provider, but "
               r"config key pulumi:disable-default-providers disables it; pass an explicit provider"),
)


def _same_failure(real: str, mine: str) -> str:
    """The cause when two differently worded errors are the same refusal of the same resource, else ""."""
    from residency_policies.urns import urn_name, urn_type

    engine, residency = (p.fullmatch(t) for p, t in zip(_DEFAULT_PROVIDER_DISABLED, (real, mine), strict=True))
    if engine and residency and engine["package"] == residency["package"] and \
            (urn_name(engine["urn"]), urn_type(engine["urn"])) == (residency["name"], residency["type"]):
        return "error-wording"
    return ""


def error_essence(message: str) -> str:
    """What a failed run's error says, without each engine's framing: the exception (type and message) for a
    program that raised, else the message without the engines' prefixes and the language host's exit note."""
    text = message.strip()
    if _TRACEBACK in text:
        lines = [line for line in text.split(_TRACEBACK)[-1].splitlines() if line.strip() and not line.startswith(" ")]
        return lines[-1].strip() if lines else text
    failed = _PROGRAM_FAILED.search(text)
    if failed:
        return failed.group(1).strip()
    text = _HOST_EXIT.sub("", text.splitlines()[0] if text else text).strip()
    for prefix in _FRAMING:
        if text.startswith(prefix):
            text = text[len(prefix):]
    return text.strip()


def compare(program: str, real: Outcome, mine: Outcome) -> list[Difference]:
    """Every difference between two runs of one program. Runs that failed under both engines are compared too:
    their errors (``error_essence``) and the requests sent before the failure."""
    diffs: list[Difference] = []

    def add(area: str, key: str, detail: str, cause: str = "") -> None:
        diffs.append(Difference(program, area, key, detail, cause))

    if bool(real.error) != bool(mine.error):
        add("outcome", "", f"real engine: {real.error or 'ran'}; residency preview: {mine.error or 'ran'}",
            _outcome_cause(real.error, mine.error))
        return diffs  # one engine stopped early: its requests are a prefix of the other's, not comparable
    if real.error and error_essence(real.error) != error_essence(mine.error):
        essences = error_essence(real.error), error_essence(mine.error)
        add("outcome", "error", f"both failed, differently: real engine {essences[0]!r}; residency preview "
                                f"{essences[1]!r}", _same_failure(*essences))

    for area, a, b in (("configure-stack", real.recording.configure_stack, mine.recording.configure_stack),
                       ("configure", real.recording.configure, mine.recording.configure)):
        for path, x, y in value_differences(a, b):
            add(area, path, f"real {_show(x)} / residency {_show(y)}")

    def by_urn(area: str, a: Mapping[str, dict[str, Any]], b: Mapping[str, dict[str, Any]], cause_missing: str = "") -> None:
        for urn in sorted(set(a) - set(b)):
            add(area, urn, "sent by the real engine only", cause_missing)
        for urn in sorted(set(b) - set(a)):
            add(area, urn, "sent by residency preview only")
        for urn in sorted(set(a) & set(b)):
            for path, x, y in value_differences(a[urn], b[urn]):
                add(area, f"{urn} {path}", f"real {_show(x)} / residency {_show(y)}", _cause(path, x, y))

    by_urn("analyze", real.recording.analyze, mine.recording.analyze)
    by_urn("remediate", real.recording.remediate, mine.recording.remediate,
           "remediate-only-when-remediating" if not mine.recording.remediate else "")
    if len(real.recording.analyze_stack) != len(mine.recording.analyze_stack):
        add("analyze-stack", "", f"{len(real.recording.analyze_stack)} AnalyzeStack calls (real) vs "
                                 f"{len(mine.recording.analyze_stack)} (residency)")
    by_urn("analyze-stack", {u: _sorted_dependencies(r) for u, r in real.recording.stack_resources.items()},
           {u: _sorted_dependencies(r) for u, r in mine.recording.stack_resources.items()})

    if real.error:
        # Both failed: the real engine still reports what the packs said before the failure, residency preview
        # only the failure. What the packs were sent is compared above; that decides what they said.
        return diffs
    # A resource whose inputs hold an invoke field neither engine can know is judged on the marker text under the
    # real engine and on an unknown under residency preview: its verdicts may differ for that documented reason.
    marker_urns = {d.key.split(" ", 1)[0] for d in diffs if d.cause == "invoke-unknown-fields"}
    for v in sorted(real.verdicts - mine.verdicts, key=str):
        add("verdicts", v.urn, f"real engine only: [{v.enforcement_level}] {v.policy_pack}/{v.policy}: {v.message[:200]}",
            "invoke-unknown-fields" if v.urn in marker_urns else "")
    for v in sorted(mine.verdicts - real.verdicts, key=str):
        add("verdicts", v.urn, f"residency preview only: [{v.enforcement_level}] {v.policy_pack}/{v.policy}: {v.message[:200]}",
            "invoke-unknown-fields" if v.urn in marker_urns else "")
    return diffs


def real_verdicts(policy_events: Iterable[Mapping[str, Any]]) -> set[Verdict]:
    # The engine's policy event carries the pack's message with a newline appended for display.
    return {Verdict(e.get("policyPackName", ""), e.get("policyName", ""), e.get("resourceUrn", ""),
                    e.get("enforcementLevel", ""), e.get("message", "").rstrip("\n")) for e in policy_events}


def residency_verdicts(violations: Iterable[Any]) -> set[Verdict]:
    return {Verdict(v.policy_pack, v.policy, v.urn, v.enforcement_level, v.message.rstrip("\n")) for v in violations}
