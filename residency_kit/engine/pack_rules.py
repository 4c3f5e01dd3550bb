"""The residency rules a pack ran with and the waivers it applied, read through the pack's own package.

The residency pack (a pack directory holding ``residency.yaml``) is driven over gRPC, which carries no
structured waiver or rules data; so the CLI asks the pack's own installed package, ``residency_policies``
(never by putting the pack directory on ``sys.path``), with the same inputs the pack had: the rules file
of that pack directory and the policy config the engine sent. A violation is waived exactly when the
pack's own ``find_waiver`` finds a usable waiver for its policy and resource and the pack reported it as
advisory (a waiver lowers a violation to advisory).

``RulesInForce`` is what the text output and every report name: the rules file, its SHA-256 digest, the
shipped illustrative identifiers it still holds, and the usable waivers.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RULES_FILE = "residency.yaml"


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
    pack: str
    path: Path
    digest: str
    illustrative: tuple[str, ...]
    """Identifiers still equal to the shipped illustrative ones (documentation ranges, example OCIDs)."""
    waivers: tuple[WaiverInfo, ...]
    per_policy_waivers: Mapping[str, tuple[WaiverInfo, ...]]
    """Waivers given in one policy's config, which replace the rules file's waivers for that policy."""

    def waivers_for(self, policy: str) -> tuple[WaiverInfo, ...]:
        return self.per_policy_waivers.get(policy, self.waivers)

    @property
    def all_waivers(self) -> tuple[WaiverInfo, ...]:
        seen = dict.fromkeys(self.waivers)
        for ws in self.per_policy_waivers.values():
            seen.update(dict.fromkeys(ws))
        return tuple(seen)

    def as_json(self) -> dict[str, Any]:
        return {"file": str(self.path), "digest": self.digest, "illustrative": list(self.illustrative),
                "waivers": [w.as_json() for w in self.all_waivers]}


def _pack_modules() -> tuple[Any, Any, Any] | None:
    """The pack package's rules-file, rules-in-force and waiver modules (None when it is not importable)."""
    try:
        return (importlib.import_module("residency_policies.rules_file"),
                importlib.import_module("residency_policies.rules_in_force"),
                importlib.import_module("residency_policies.waivers"))
    except ImportError:
        return None


def _waiver_infos(waivers_module: Any, raw: Any, source: str) -> tuple[WaiverInfo, ...]:
    usable, _problems = waivers_module.parse_waivers(raw)
    return tuple(WaiverInfo(w, source) for w in usable)


def rules_in_force(pack_name: str, pack_dir: Path, policy_config: Mapping[str, Any] | None = None) -> RulesInForce | None:
    """The rules a residency pack ran with, or ``None`` for a pack that has no residency rules file."""
    path = Path(pack_dir) / RULES_FILE
    if not path.is_file():
        return None
    modules = _pack_modules()
    if modules is None:
        return RulesInForce(pack_name, path.resolve(), "", (), (), {})
    _rules_module, in_force_module, waivers_module = modules
    described = in_force_module.describe_rules_file(path)  # the digest and identifiers the pack itself reports
    import yaml

    try:
        doc = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError:
        doc = {}
    waivers = _waiver_infos(waivers_module, doc.get("waivers"), str(path)) if isinstance(doc, Mapping) else ()
    per_policy: dict[str, tuple[WaiverInfo, ...]] = {}
    for policy, config in (policy_config or {}).items():
        props = getattr(config, "properties", None) or {}
        if isinstance(props, Mapping) and "waivers" in props:
            per_policy[policy] = _waiver_infos(waivers_module, props["waivers"], f"policy config of {policy}")
    return RulesInForce(pack_name, described.path, described.digest, described.illustrative, waivers, per_policy)


def rules_for_result(result: Any) -> list[RulesInForce | None]:
    """One entry per pack of a ``PreviewResult`` (computed once per result)."""
    cached = getattr(result, "_rules_in_force", None)
    if cached is not None:
        return cached
    rules: list[RulesInForce | None] = []
    for index, info in enumerate(result.packs):
        pack_dir = result.pack_dirs[index] if index < len(result.pack_dirs) else None
        rules.append(rules_in_force(info.name, pack_dir, info.config) if pack_dir else None)
    result._rules_in_force = rules
    return rules


def waiver_of(result: Any, violation: Any) -> WaiverInfo | None:
    """The waiver the pack applied to ``violation`` (the pack's own ``find_waiver``), or ``None``."""
    if violation.enforcement_level != "advisory" or not violation.urn:
        return None
    modules = _pack_modules()
    if modules is None:
        return None
    find_waiver = modules[2].find_waiver
    for info, rules in zip(result.packs, rules_for_result(result)):
        if info.name != violation.policy_pack or rules is None:
            continue
        candidates = rules.waivers_for(violation.policy)
        found = find_waiver([w.waiver for w in candidates], violation.policy, violation.urn)
        if found is not None:
            return next(w for w in candidates if w.waiver is found)
    return None


def parent_company_cidrs(pack_dir: Path | None) -> list[str]:
    """The parent company's ranges in a residency pack's rules file, as the pack reads them."""
    if pack_dir is None or not (Path(pack_dir) / RULES_FILE).is_file():
        return []
    modules = _pack_modules()
    if modules is None:
        return []
    import yaml

    try:
        data = yaml.safe_load((Path(pack_dir) / RULES_FILE).read_text()) or {}
    except yaml.YAMLError:
        return []
    rules, _errors = modules[0].build_rules({}, file_data=data)
    return [str(c) for c in rules.parent_cidrs] if rules is not None else []
