"""The residency rules a pack ran with and the waivers it applied, read through the pack's own package.

The residency pack is driven over gRPC, which carries no structured rules or waiver data; so the CLI asks the
pack's installed package, ``residency_policies`` (never by putting the pack directory on ``sys.path``), with
the same inputs the pack had: the pack directory's rules file, the policy config the engine sent, and the
stack config the engine gave the pack. ``residency_policies.rules_in_force.rules_evidence`` is the one account
of those rules (the pack builds its own rules with the same ``rules_file.build_rules``).

A violation is waived exactly when the pack's own ``find_waiver`` finds a usable waiver for its policy and
resource and the pack reported it as advisory (a waiver lowers a violation to advisory).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from residency_kit.engine.levels import EnforcementLevel

if TYPE_CHECKING:  # results.py holds these and imports this module's RulesInForce
    from residency_kit.engine.results import PreviewResult, Violation

from residency_policies.rules_in_force import SourceRecord

RESIDENCY_PACK_PACKAGE = "residency_policies"


@dataclass(frozen=True)
class WaiverInfo:
    """A usable waiver as the pack parsed it (``residency_policies.waivers.Waiver``) and where it was given."""

    waiver: Any
    source: str

    @property
    def policy(self) -> str:
        return self.waiver.policy

    @property
    def urns(self) -> tuple[str, ...]:
        return tuple(self.waiver.urns)

    @property
    def reason(self) -> str:
        return self.waiver.reason

    @property
    def approver(self) -> str:
        return self.waiver.approver

    @property
    def expires(self) -> str:
        return self.waiver.expires.isoformat()

    def as_json(self) -> dict[str, Any]:
        return {"policy": self.policy, "urns": list(self.urns), "reason": self.reason, "approver": self.approver,
                "expires": self.expires, "source": self.source}


@dataclass(frozen=True)
class RulesInForce:
    """The rules one residency pack enforced: sources, values, overrides, digest, and the usable waivers."""

    pack: str
    digest: str
    sources: tuple[SourceRecord, ...]
    """Each place the rules came from, with the keys it gave and its digest (the pack's own record type)."""
    values: Mapping[str, Any]
    overrides: Mapping[str, tuple[str, ...]]
    """Policies whose own config replaced rules keys (those keys apply to that policy only)."""
    illustrative: tuple[str, ...]
    """Identifiers equal to the kit's illustrative ones (documentation ranges, example OCIDs)."""
    errors: tuple[str, ...]
    waivers: tuple[WaiverInfo, ...]
    per_policy_waivers: Mapping[str, tuple[WaiverInfo, ...]]
    """Waivers given in one policy's config, which replace the rules' waivers for that policy."""

    def waivers_for(self, policy: str) -> tuple[WaiverInfo, ...]:
        return self.per_policy_waivers.get(policy, self.waivers)

    @property
    def all_waivers(self) -> tuple[WaiverInfo, ...]:
        seen = dict.fromkeys(self.waivers)
        for ws in self.per_policy_waivers.values():
            seen.update(dict.fromkeys(ws))
        return tuple(seen)

    @property
    def parent_cidrs(self) -> list[str]:
        return list(self.values.get("parentCompany", {}).get("cidrs", []))

    def summary(self) -> list[tuple[str, str]]:
        """The rules in force as labelled lines, the same in the text output, Markdown and HTML."""
        v = self.values

        def ids(section: str, *keys: str) -> str:
            found = v.get(section, {})
            parts = [f"{k} {', '.join(found.get(k) or []) or 'none'}" for k in keys]
            return "; ".join(parts)

        lines = [("digest", self.digest), ("sources", self.source_line())]
        if v:
            lines += [
                ("allowed regions", f"oci {', '.join(v['allowedRegions']['oci'])}; aws {', '.join(v['allowedRegions']['aws'])}"),
                ("parent company", ids("parentCompany", "cidrs", "ociTenancyIds", "awsAccountIds", "awsOrganizationIds")),
                ("estate", ids("estate", "ociTenancyIds", "awsAccountIds", "destinations")),
                ("trusted", ids("trusted", "ociTenancyIds", "awsAccountIds", "awsOrganizationIds")),
                ("minimum retention", f"{v['minimumRetentionDays']} days"),
                ("required tags", ", ".join(f"{k}={val}" for k, val in v["requiredTags"].items()) or "none"),
            ]
            lines += [("sanctioned interface", _interface_line(i)) for i in v.get("sanctionedInterfaces") or []]
        if self.overrides:
            lines.append(("overrides", "; ".join(f"{policy}: {', '.join(keys)}" for policy, keys in self.overrides.items())))
        lines += [("error", e) for e in self.errors]
        return lines

    def source_line(self) -> str:
        """The sources in one line: ``stack config of us-prod (parentCompany, estate) sha256:...; ...``."""
        return "; ".join(f"{s.description} ({', '.join(s.keys)}) {s.digest}" for s in self.sources) or "none"

    def as_json(self) -> dict[str, Any]:
        return {"digest": self.digest, "sources": [s.as_json() for s in self.sources], "values": dict(self.values),
                "overrides": {k: list(v) for k, v in self.overrides.items()}, "illustrative": list(self.illustrative),
                "errors": list(self.errors), "waivers": [w.as_json() for w in self.all_waivers]}


def _interface_line(declared: Mapping[str, Any]) -> str:
    """One declared interface of the rules' values (``rules_values``) as one line."""
    gateway = declared.get("gateway") or {}
    where = gateway.get("urn") or f"{gateway.get('name')} ({gateway.get('type')})"
    return (f"{declared.get('name')} ({declared.get('direction')}; {', '.join(declared.get('parentEndpoints') or [])} "
            f"on {', '.join(declared.get('ports') or [])}; gateway {where}; approved by {declared.get('approver')}, "
            f"review by {declared.get('reviewBy')})")


def _pack_modules() -> tuple[Any, Any] | None:
    """The pack package's rules-in-force and waiver modules (None when it is not importable)."""
    try:
        return (importlib.import_module(f"{RESIDENCY_PACK_PACKAGE}.rules_in_force"),
                importlib.import_module(f"{RESIDENCY_PACK_PACKAGE}.waivers"))
    except ImportError:
        return None


def is_residency_pack(pack_dir: Path) -> bool:
    return (Path(pack_dir) / RESIDENCY_PACK_PACKAGE).is_dir()


def _waiver_infos(waivers_module: Any, raw: Any, source: str) -> tuple[WaiverInfo, ...]:
    usable, _problems = waivers_module.parse_waivers(raw)
    return tuple(WaiverInfo(w, source) for w in usable)


def rules_in_force(
    pack_name: str,
    pack_dir: Path,
    policy_config: Mapping[str, Any] | None = None,
    *,
    stack_config: Mapping[str, Any] | None = None,
    stack: str = "",
    policy_names: Sequence[str] = (),
    stack_files: Mapping[str, str] | None = None,
) -> RulesInForce | None:
    """The rules a residency pack ran with, or ``None`` for a pack that is not a residency pack.

    ``policy_config`` maps policy names to their properties (or ``PolicyConfig``s, whose properties are used).
    """
    if not is_residency_pack(pack_dir):
        return None
    modules = _pack_modules()
    if modules is None:
        return RulesInForce(pack_name, "", (), {}, {}, (), ("the residency_policies package is not installed",), (), {})
    in_force, waivers_module = modules
    plain = {name: getattr(config, "properties", config) for name, config in (policy_config or {}).items()}
    evidence = in_force.rules_evidence(Path(pack_dir), plain, dict(stack_config or {}), stack,
                                       policy_names=policy_names, stack_files=stack_files)
    sources = tuple(evidence.sources)
    waiver_source = next((s.description for s in sources if "waivers" in s.keys), "the rules")
    waivers = _waiver_infos(waivers_module, evidence.values.get("waivers"), waiver_source)
    per_policy: dict[str, tuple[WaiverInfo, ...]] = {}
    for policy, props in plain.items():
        if isinstance(props, Mapping) and "waivers" in props:
            per_policy[policy] = _waiver_infos(waivers_module, props["waivers"], f"policy config of {policy}")
    return RulesInForce(pack_name, evidence.digest, sources, evidence.values, dict(evidence.overrides),
                        tuple(evidence.illustrative), tuple(evidence.errors), waivers, per_policy)


def waiver_of(result: PreviewResult, violation: Violation) -> WaiverInfo | None:
    """The waiver the pack applied to ``violation`` (the pack's own ``find_waiver``), or ``None``."""
    if violation.enforcement_level is not EnforcementLevel.ADVISORY or not violation.urn:
        return None
    modules = _pack_modules()
    if modules is None:
        return None
    find_waiver = modules[1].find_waiver
    # Rules given by a caller may cover fewer packs than ran: the rest have none recorded.
    for info, rules in zip(result.packs, result.pack_rules, strict=False):
        if info.name != violation.policy_pack or rules is None:
            continue
        candidates = rules.waivers_for(violation.policy)
        found = find_waiver([w.waiver for w in candidates], violation.policy, violation.urn)
        if found is not None:
            return next(w for w in candidates if w.waiver is found)
    return None
