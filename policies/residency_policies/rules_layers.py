"""Where the residency rules come from, and how a stack's own settings are laid over the pack's rules.

The rules in force are built in layers (``rules_file.build_rules`` validates the result):

1. the pack's rules file, ``residency.yaml`` in the pack directory being run. The kit's own pack ships only
   the kit's floor there (US regions, a year of retention, the jurisdiction tag) and no identifiers;
2. the policy config the engine sends (``--policy-pack-config``): the ``residency-rules`` entry for every
   policy, then each policy's own entry. A key given here replaces the file's value;
3. the stack's ``residency:`` config (``Pulumi.<stack>.yaml``, and ``Pulumi.yaml``'s project config), which the
   engine sends to every analyzer with ``ConfigureStack`` and which the program's settings read too.

Layers 1-2 belong to whoever runs the pack (a security team may own them); layer 3 to the team configuring
the stack. A key the pack's layers leave unset is the stack's to set. A key they set may only be *tightened*
by the stack: more parent-company identifiers, fewer allowed regions or trusted parties, longer retention,
more required tags, fewer sanctioned interfaces or narrower ports on one. A stack value that would loosen the
rules is a ``ConfigError`` naming both values and where each came from, and the tighter value stays in force.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from residency_policies.oci_identifiers import TENANCY_OCID_PATTERN

STACK_NAMESPACE = "residency"
TENANCY_OCID = re.compile(TENANCY_OCID_PATTERN)
PACK_WIDE_POLICY = "residency-rules"
"""The policy whose config (``--policy-pack-config``) applies to every policy of the pack."""


class SourceKind(Enum):
    PACK_FILE = "pack rules file"
    PACK_CONFIG = "policy config for every policy"
    POLICY_CONFIG = "policy config"
    STACK_CONFIG = "stack config"
    DEFAULT = "built-in default"


@dataclass(frozen=True)
class RulesSource:
    """One place rules came from: its kind and where it is (a path, a policy name, a stack)."""

    kind: SourceKind
    location: str = ""
    files: tuple[tuple[str, str], ...] = ()
    """For the stack config, when the runner knows: which file gave each key (``Pulumi.prod.yaml``, ``Pulumi.yaml``)."""

    def file_of(self, key: str) -> str | None:
        return dict(self.files).get(key.split(".", 1)[0])

    def describe(self) -> str:
        if self.kind is SourceKind.PACK_FILE:
            return f"the pack's rules file {self.location}"
        if self.kind is SourceKind.PACK_CONFIG:
            return f"the policy config of '{PACK_WIDE_POLICY}' (--policy-pack-config), for every policy"
        if self.kind is SourceKind.POLICY_CONFIG:
            return f"the policy config of '{self.location}' (--policy-pack-config)"
        if self.kind is SourceKind.STACK_CONFIG:
            named = f"the stack config of {self.location}" if self.location else "the stack config"
            files = sorted({file for _, file in self.files})
            return named + (f" ({', '.join(files)})" if files else "")
        return "the pack's built-in default"

    def where(self, key: str) -> str:
        """Where a user edits ``key`` (a rules key such as ``estate.destinations``) in this source."""
        top, _, rest = key.partition(".")
        if self.kind is SourceKind.STACK_CONFIG:
            files = self.file_of(key) or (f"Pulumi.{self.location}.yaml or Pulumi.yaml" if self.location
                                          else "Pulumi.<stack>.yaml or Pulumi.yaml")
            named = f"`{rest}` of `{STACK_NAMESPACE}:{top}`" if rest else f"`{STACK_NAMESPACE}:{top}`"
            return f"{named} in the stack config ({files})"
        if self.kind is SourceKind.PACK_FILE:
            return f"`{key}` in {self.location}"
        if self.kind in (SourceKind.PACK_CONFIG, SourceKind.POLICY_CONFIG):
            return f"`{key}` in {self.describe()}"
        return where_unset(key)


def where_unset(key: str, stack: str = "") -> str:
    return RulesSource(SourceKind.STACK_CONFIG, stack).where(key)


def current_stack() -> str:
    return os.environ.get("PULUMI_STACK", "")


def stack_source(stack: str | None = None, files: Mapping[str, str] | None = None) -> RulesSource:
    """The stack config as a source. Inside the pack the files are not known (the engine sends the config, not
    where it was written), so messages name both candidates; the CLI's evidence passes ``files``."""
    pairs = tuple(sorted((str(k), str(v)) for k, v in (files or {}).items()))
    return RulesSource(SourceKind.STACK_CONFIG, current_stack() if stack is None else stack, pairs)


# --- the stack layer ----------------------------------------------------------------------------------


def _decode(raw: Any) -> Any:
    """A config value as the engine carries it (text; objects and lists as JSON text) back to its value."""
    if not isinstance(raw, str):
        return raw
    text = raw.strip()
    if text[:1] in ("{", "[") or text in ("true", "false", "null"):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return raw
    if text.lstrip("-").isdigit():
        return int(text)
    return raw


def stack_rules(config: Mapping[str, Any], rules_keys: Iterable[str]) -> dict[str, Any]:
    """The rules keys among a stack's ``residency:`` config (``ns:key`` -> engine text), decoded.

    ``residency:tenancy.tenancyOcid`` (the estate's tenancy, a setting of the program) is an estate tenancy for
    the rules too, so the stack's own tenancy never has to be named twice.
    """
    wanted = set(rules_keys)
    found: dict[str, Any] = {}
    for full_key, raw in config.items():
        namespace, _, key = str(full_key).partition(":")
        if namespace == STACK_NAMESPACE and key in wanted:
            found[key] = _decode(raw)
    tenancy = _decode(config.get(f"{STACK_NAMESPACE}:tenancy"))
    tenancy_ocid = tenancy.get("tenancyOcid") if isinstance(tenancy, Mapping) else None
    if isinstance(tenancy_ocid, str) and TENANCY_OCID.match(tenancy_ocid.strip().lower()):
        estate = found.get("estate")
        if estate is None:
            estate = {}
        if isinstance(estate, Mapping):
            estate = dict(estate)
            listed = estate.get("ociTenancyIds")
            if listed is None:
                listed = []
            if isinstance(listed, list) and tenancy_ocid.lower() not in {str(t).lower() for t in listed}:
                estate["ociTenancyIds"] = [tenancy_ocid, *listed]
            found["estate"] = estate
    return found


def stack_config_from_environment() -> dict[str, Any]:
    """The stack config the engine gave this pack process (``PULUMI_CONFIG``, set from ``ConfigureStack``)."""
    raw = os.environ.get("PULUMI_CONFIG") or ""
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


# --- tightening -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Loosening:
    """A stack value that would widen what the pack's rules allow."""

    key: str
    stack_value: Any
    rules_value: Any
    rules_source: RulesSource
    allowed: str


def _norm_region(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def normalize_identifier(value: Any) -> Any:
    """An account ID, OCID or organization ID as the rules compare them (account numbers as 12-digit text)."""
    return _norm_id(value)


def _norm_id(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        return f"{int(value):012d}"
    return value.strip().lower() if isinstance(value, str) else value


def _norm_cidr(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return str(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            return value
    return value


def _as_list(value: Any) -> list[Any] | None:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else None


def _union(base: Any, extra: Any, norm: Callable[[Any], Any]) -> Any:
    b, e = _as_list(base), _as_list(extra)
    if b is None or e is None:
        return base if b is None else extra  # malformed: leave it for validation to refuse
    seen = {norm(v) for v in b}
    return b + [v for v in e if norm(v) not in seen]


def _subset(key: str, base: Any, narrowed: Any, norm: Callable[[Any], Any], source: RulesSource, what: str,
            out: list[Loosening]) -> Any:
    b, n = _as_list(base), _as_list(narrowed)
    if b is None or n is None:
        return base if b is None else narrowed
    allowed = {norm(v) for v in b}
    extra = [v for v in n if norm(v) not in allowed]
    for value in extra:
        out.append(Loosening(key, value, b, source, f"{what} of the rules in force (a stack may remove, not add)"))
    return [v for v in n if norm(v) in allowed]


_NARROWED_SECTIONS: dict[str, dict[str, tuple[Callable[[Any], Any], str]]] = {
    "allowedRegions": {"oci": (_norm_region, "one of the allowed OCI regions"),
                       "aws": (_norm_region, "one of the allowed AWS regions")},
    "trusted": {"ociTenancyIds": (_norm_id, "one of the trusted tenancies"),
                "awsAccountIds": (_norm_id, "one of the trusted accounts"),
                "awsOrganizationIds": (_norm_id, "one of the trusted organizations")},
    "estate": {"ociTenancyIds": (_norm_id, "one of the estate's tenancies"),
               "awsAccountIds": (_norm_id, "one of the estate's accounts"),
               "destinations": (_norm_id, "one of the estate's destinations")},
}
_UNION_SECTIONS: dict[str, dict[str, Callable[[Any], Any]]] = {
    "parentCompany": {"cidrs": _norm_cidr, "ociTenancyIds": _norm_id, "awsAccountIds": _norm_id,
                      "awsOrganizationIds": _norm_id},
}


def _tighten_key(key: str, base: Any, value: Any, source: RulesSource, out: list[Loosening]) -> Any:
    # A malformed value of the pack's layers stays as it is, for validation to refuse: a stack never replaces it.
    if key in _NARROWED_SECTIONS or key in _UNION_SECTIONS or key == "dataClassification":
        if not isinstance(base, Mapping) or not isinstance(value, Mapping):
            return base
        merged = dict(base)
        for sub, given in value.items():
            if key in _UNION_SECTIONS and sub in _UNION_SECTIONS[key]:
                merged[sub] = _union(base.get(sub), given, _UNION_SECTIONS[key][sub])
            elif key in _NARROWED_SECTIONS and sub in _NARROWED_SECTIONS[key]:
                norm, what = _NARROWED_SECTIONS[key][sub]
                merged[sub] = _subset(f"{key}.{sub}", base.get(sub), given, norm, source, what, out) \
                    if sub in base else given
            elif key == "dataClassification":
                merged[sub] = _tighten_classification(sub, base.get(sub), given, sub in base, source, out)
            else:
                merged[sub] = given  # an unknown sub-key: validation names it
        return merged
    if key == "minimumRetentionDays":
        if not isinstance(base, (int, float)) or isinstance(base, bool):
            return base
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value < base:
            out.append(Loosening(key, value, base, source, f"at least {int(base)} days (a stack may raise it, not lower it)"))
            return base
        return value
    if key == "requiredTags":
        if not isinstance(base, Mapping) or not isinstance(value, Mapping):
            return base
        merged = dict(base)
        for tag, tag_value in value.items():
            if tag in base and base[tag] != tag_value:
                out.append(Loosening(f"requiredTags.{tag}", tag_value, base[tag], source,
                                     f"{base[tag]!r} (a stack may require more tags, not change a required one)"))
                continue
            merged[tag] = tag_value
        return merged
    if key == "sanctionedInterfaces":
        return _tighten_interfaces(base, value, source, out)
    if key == "waivers":
        if value:
            out.append(Loosening(key, value, base, source,
                                 "no waivers in the stack config: the rules' owner sets waivers beside the rules"))
        return base
    return value


def _tighten_classification(sub: str, base: Any, value: Any, base_has: bool, source: RulesSource,
                            out: list[Loosening]) -> Any:
    if not base_has:
        return value
    key = f"dataClassification.{sub}"
    if sub == "tagKey":
        if value != base:
            out.append(Loosening(key, value, base, source, f"{base!r} (the classification tag is the rules' owner's)"))
        return base
    if sub == "userDataValues":
        return _union(base, value, lambda v: v)
    if sub == "otherValues":
        return _subset(key, base, value, lambda v: v, source, "one of the values classified as not US user data", out)
    if sub == "nonDataCompartmentIds":
        return _subset(key, base, value, _norm_id, source, "one of the compartments classified as holding no US user data", out)
    return value


_PORT = re.compile(r"^(tcp|udp)/([0-9]{1,5})(?:-([0-9]{1,5}))?$")


def _port_range(value: Any) -> tuple[str, int, int] | None:
    match = _PORT.match(value.strip().lower()) if isinstance(value, str) else None
    if match is None:
        return None
    return match[1], int(match[2]), int(match[3] or match[2])


def _same(a: Any, b: Any) -> bool:
    """Equal as declared values (dates from YAML and ISO strings from the engine compare equal)."""
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


def _tighten_interfaces(base: Any, value: Any, source: RulesSource, out: list[Loosening]) -> Any:
    """A stack may remove a declared interface or narrow its ports; it may not add one or change anything else.

    Each stack entry is matched to the rules' declaration of the same name. A malformed value on either side is
    left for validation (the pack's layers' value stays in force)."""
    if not isinstance(base, list) or not isinstance(value, list):
        return base
    declared: dict[str, Any] = {e["name"]: e for e in base if isinstance(e, Mapping) and isinstance(e.get("name"), str)}
    names = sorted(declared)
    kept: list[Any] = []
    for i, entry in enumerate(value):
        name = entry.get("name") if isinstance(entry, Mapping) else None
        theirs = declared.get(name) if isinstance(name, str) else None
        if theirs is None:
            out.append(Loosening(f"sanctionedInterfaces[{i}].name" if name is not None else f"sanctionedInterfaces[{i}]",
                                 entry if name is None else name, names, source,
                                 "the name of an interface the rules declare (a stack may remove one or narrow its "
                                 "ports, not add one)"))
            continue
        changed = [k for k in sorted(set(entry) | set(theirs)) if k != "ports" and not _same(entry.get(k), theirs.get(k))]
        for key in changed:
            out.append(Loosening(f"sanctionedInterfaces[{i}].{key}", entry.get(key), theirs.get(key), source,
                                 f"the value the rules declare for interface '{name}' (a stack may only narrow its ports)"))
        ports = entry.get("ports", theirs.get("ports"))
        wider = [] if not isinstance(ports, list) else [
            p for p in ports if not any(_inside(_port_range(p), _port_range(q)) for q in theirs.get("ports") or [])]
        for port in wider:
            out.append(Loosening(f"sanctionedInterfaces[{i}].ports", port, theirs.get("ports"), source,
                                 f"ports inside those the rules declare for interface '{name}' (a stack may narrow "
                                 "them, not widen them)"))
        if changed or wider or not isinstance(ports, list):
            kept.append(theirs)  # refused: the declaration stays as the rules' owner wrote it
        else:
            kept.append({**theirs, "ports": ports})
    return kept


def _inside(port: tuple[str, int, int] | None, declared: tuple[str, int, int] | None) -> bool:
    return port is not None and declared is not None and port[0] == declared[0] and declared[1] <= port[1] \
        and port[2] <= declared[2]


def tighten(base: Mapping[str, tuple[RulesSource, Any]], stack: Mapping[str, Any],
            source: RulesSource) -> tuple[dict[str, tuple[RulesSource, Any]], list[Loosening]]:
    """The pack's layers (key -> (source, value)) with the stack's values laid over them, tightening only."""
    merged = dict(base)
    loosenings: list[Loosening] = []
    for key, value in stack.items():
        if key not in base:
            merged[key] = (source, value)
            continue
        base_source, base_value = base[key]
        found: list[Loosening] = []
        combined = _tighten_key(key, base_value, value, source, found)
        loosenings.extend(Loosening(f.key, f.stack_value, f.rules_value, base_source, f.allowed) for f in found)
        # The key is owned by the pack's layers: a change to it beyond the stack's narrowing is made there.
        merged[key] = (base_source, combined)
    return merged, loosenings
