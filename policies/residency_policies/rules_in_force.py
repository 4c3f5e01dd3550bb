"""Which rules are in force, for the evidence: where each came from, their digests and their values.

``rules_evidence`` is the one account of the rules a run enforced: each source (the pack's rules file, the
policy config, the stack's ``residency:`` config) with the keys it gave and its digest, the values in force
for every policy, the keys a single policy's config replaced, and one digest over all of it. The CLI's text
output, ``--json`` and every report show it.

The kit's examples use identifiers that only illustrate the format (RFC 5737 / RFC 3849 documentation
ranges, OCIDs and organization IDs marked "example", AWS's documentation account IDs): an estate that keeps
them enforces nothing about its real parent company. ``illustrative_identifiers`` lists what must be replaced;
the ``residency-rules`` policy says the same to a user of the real ``pulumi preview``, as an advisory notice.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from residency_policies.ip_ranges import parse_cidr

DOCUMENTATION_RANGES = tuple(
    ipaddress.ip_network(n)
    for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32", "3fff::/20")
)
"""RFC 5737 (IPv4) and RFC 3849 / RFC 9637 (IPv6) ranges reserved for documentation: no real network uses them."""

DOCUMENTATION_ACCOUNT_IDS = frozenset({"123456789012", "000000000000"} | {d * 12 for d in "0123456789"})
"""AWS account IDs used in AWS's documentation and the kit's examples (twelve equal digits)."""

SHIPPED_EXAMPLE_IDS = frozenset({"o-usoversight01"})
"""Identifiers of the shipped rules file that no generic rule above recognises."""

IDENTIFIER_SECTIONS = ("parentCompany", "trusted", "estate")
"""Top-level keys of the rules that name real parties and networks."""


def _leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, Mapping):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def is_illustrative(value: Any) -> bool:
    """True for an identifier that only illustrates the format (see the module doc)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = f"{value:012d}"
    if not isinstance(value, str):
        return False
    text = value.strip()
    if text in SHIPPED_EXAMPLE_IDS or text in DOCUMENTATION_ACCOUNT_IDS:
        return True
    if "example" in text.lower() and (text.lower().startswith(("ocid1.", "o-", "arn:"))):
        return True
    network = parse_cidr(text) if "/" in text or ":" in text or text.count(".") == 3 else None
    if network is not None:
        return any(network.version == d.version and network.subnet_of(d)  # type: ignore[arg-type]  # same version
                   for d in DOCUMENTATION_RANGES)
    return False


def illustrative_identifiers(data: Any) -> tuple[str, ...]:
    """The illustrative identifiers in the identifier sections of rules data, each once, section by section and
    sorted within each (config that arrives through the engine keeps no key order, so messages must not either)."""
    if not isinstance(data, Mapping):
        return ()
    found = (str(v) for key in IDENTIFIER_SECTIONS
             for v in sorted(_leaves(data.get(key)), key=str) if is_illustrative(v))
    return tuple(dict.fromkeys(found))


# --- the evidence of a run's rules ------------------------------------------------------------------------


def _canonical_digest(value: Any) -> str:
    import json

    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SourceRecord:
    """One place the rules came from, the top-level keys it gave, and a digest of what it gave."""

    kind: str
    """``rules_layers.SourceKind`` value: pack rules file, policy config, stack config."""
    location: str
    description: str
    keys: tuple[str, ...]
    digest: str

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "location": self.location, "description": self.description,
                "keys": list(self.keys), "digest": self.digest}


@dataclass(frozen=True)
class RulesEvidence:
    sources: tuple[SourceRecord, ...]
    values: Mapping[str, Any]
    """The rules in force for every policy, as plain JSON-ready data (lists sorted)."""
    overrides: Mapping[str, tuple[str, ...]]
    """Policies whose own config replaced keys, and which keys (their values apply to that policy only)."""
    digest: str
    """One digest over the values in force and every override: equal digests, equal rules."""
    illustrative: tuple[str, ...]
    errors: tuple[str, ...]
    """Problems with the rules (invalid values, a stack loosening the rules): the run fails on these."""

    def as_json(self) -> dict[str, Any]:
        return {"digest": self.digest, "sources": [s.as_json() for s in self.sources], "values": dict(self.values),
                "overrides": {k: list(v) for k, v in self.overrides.items()}, "illustrative": list(self.illustrative),
                "errors": list(self.errors)}


def rules_values(rules: Any) -> dict[str, Any]:
    """A ``rules_file.Rules`` as plain data, in the rules file's own keys."""
    c = rules.data_classification
    return {
        "allowedRegions": {"oci": sorted(rules.allowed_regions_oci), "aws": sorted(rules.allowed_regions_aws)},
        "parentCompany": {"cidrs": [str(n) for n in rules.parent_cidrs],
                          "ociTenancyIds": sorted(rules.parent_oci_tenancy_ids),
                          "awsAccountIds": sorted(rules.parent_aws_account_ids),
                          "awsOrganizationIds": sorted(rules.parent_aws_organization_ids)},
        "trusted": {"ociTenancyIds": sorted(rules.trusted_oci_tenancy_ids),
                    "awsAccountIds": sorted(rules.trusted_aws_account_ids),
                    "awsOrganizationIds": sorted(rules.trusted_aws_organization_ids)},
        "estate": {"ociTenancyIds": sorted(rules.estate_oci_tenancy_ids),
                   "awsAccountIds": sorted(rules.estate_aws_account_ids),
                   "destinations": sorted(rules.estate_destinations)},
        "minimumRetentionDays": rules.minimum_retention_days,
        "requiredTags": dict(sorted(rules.required_tags.items())),
        "dataClassification": {"tagKey": c.tag_key, "userDataValues": list(c.user_data_values),
                               "otherValues": list(c.other_values),
                               "nonDataCompartmentIds": sorted(c.non_data_compartment_ids)},
        "sanctionedInterfaces": [i.as_json() for i in rules.sanctioned_interfaces],
        "waivers": [{"policy": w.policy, "urns": list(w.urns), "reason": w.reason, "approver": w.approver,
                     "expires": w.expires.isoformat()} for w in rules.waivers],
    }


def rules_evidence(
    pack_dir: Path,
    policy_config: Mapping[str, Any] | None,
    stack_config: Mapping[str, Any],
    stack: str,
    policy_names: Iterable[str] = (),
    stack_files: Mapping[str, str] | None = None,
) -> RulesEvidence:
    """The rules a residency pack in ``pack_dir`` enforces with this policy config and stack config.

    ``stack_files`` names the file each ``residency:<key>`` came from (a stack file, or ``Pulumi.yaml`` for the
    project's config), when the caller knows; the stack's record is then one per file.
    """
    import yaml

    from residency_policies import rules_file, rules_layers

    path = Path(pack_dir) / rules_file.RULES_FILE_NAME
    file_source = rules_layers.RulesSource(rules_layers.SourceKind.PACK_FILE, str(path.resolve()))
    stack_source = rules_layers.stack_source(stack, stack_files or {})
    file_data: dict[str, Any] = {}
    sources: list[SourceRecord] = []
    if path.is_file():
        raw = path.read_bytes()
        try:
            loaded = yaml.safe_load(raw.decode("utf-8"))
        except (UnicodeDecodeError, yaml.YAMLError):
            loaded = None
        file_data = loaded if isinstance(loaded, dict) else {}
        sources.append(SourceRecord(file_source.kind.value, file_source.location, file_source.describe(),
                                    tuple(file_data), "sha256:" + hashlib.sha256(raw).hexdigest()))
    config = {name: (props or None) for name, props in (policy_config or {}).items()}
    pack_wide = config.get(rules_layers.PACK_WIDE_POLICY)
    if isinstance(pack_wide, Mapping):
        given = {k: v for k, v in pack_wide.items() if k in rules_file.TOP_LEVEL_KEYS}
        if given:
            source = rules_layers.RulesSource(rules_layers.SourceKind.PACK_CONFIG)
            sources.append(SourceRecord(source.kind.value, rules_layers.PACK_WIDE_POLICY, source.describe(),
                                        tuple(given), _canonical_digest(given)))
    stack_data = rules_layers.stack_rules(stack_config, rules_file.TOP_LEVEL_KEYS)
    by_file: dict[str, dict[str, Any]] = {}
    files = dict(stack_files or {})
    if "estate" not in files and "tenancy" in files:
        files["estate"] = files["tenancy"]  # the stack's own tenancy (residency:tenancy.tenancyOcid) is an estate one
    for key, value in stack_data.items():
        by_file.setdefault(files.get(key, stack), {})[key] = value
    for location, given in by_file.items():
        description = rules_layers.stack_source(stack).describe() + (f" ({location})" if location != stack else "")
        sources.append(SourceRecord(stack_source.kind.value, location, description, tuple(given),
                                    _canonical_digest(given)))

    def build(name: str | None) -> tuple[Any, list[Any]]:
        own = config.get(name) if name and name != rules_layers.PACK_WIDE_POLICY else None
        return rules_file.build_rules(own, file_data=file_data, pack_config=pack_wide, stack_data=stack_data,
                                      policy=name, file_source=file_source, stack=stack_source)

    rules, errors = build(None)
    lines = [e.message() for e in errors]
    values = rules_values(rules) if rules is not None else {}
    overrides: dict[str, tuple[str, ...]] = {}
    override_values: dict[str, Any] = {}
    for name in policy_names:
        own = config.get(name)
        if name == rules_layers.PACK_WIDE_POLICY or not isinstance(own, Mapping):
            continue
        keys = tuple(k for k in own if k in rules_file.TOP_LEVEL_KEYS)
        if not keys:
            continue
        overrides[name] = keys
        policy_rules, policy_errors = build(name)
        lines.extend(e.message(name) for e in policy_errors)
        if policy_rules is not None:
            override_values[name] = {k: rules_values(policy_rules)[k] for k in keys}
    digest = _canonical_digest({"values": values, "overrides": override_values})
    illustrative = rules.illustrative if rules is not None else ()
    return RulesEvidence(tuple(sources), values, overrides, digest, tuple(illustrative),
                         tuple(dict.fromkeys(lines)))
