"""The per-data-store table of the evidence: each store with its region, key (and the key's region), subnets or
endpoint and their tier, copies (with their regions), backup retention and classification.

Built from the preview's (or audit's) resources with the pack's own analysis, through its installed package
(as ``engine.pack_rules`` reads the rules): ``store_durability``'s store profiles (which types hold data, their
retention inputs, copy mechanisms and subnet inputs), ``data_bearing_types``' key inputs and
``backup_copies.regional_copies``'s joins. A value unknown at preview is shown as such, never guessed; a secret
is shown as ``(secret)``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from residency_kit.engine.pack_rules import RESIDENCY_PACK_PACKAGE

UNKNOWN = "unknown at preview"
NO_KEY = "no customer-managed key set"
S3_SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
S3_SSE_KEY = "rules[].applyServerSideEncryptionByDefault.kmsMasterKeyId"
"""An S3 bucket's key is set by a separate resource (the bucket's own encryption input is deprecated)."""
SECRET_SIG = "4dabf18193072939515e22adb298388d"


@dataclass(frozen=True)
class StoreRecord:
    urn: str
    type: str
    name: str
    kind: str
    region: str
    key: str
    key_region: str
    placement: str
    """The subnets (or subnet group) the store is placed in, or its endpoint's exposure, with their tiers."""
    copies: tuple[str, ...]
    """Each replica or copy and its region."""
    retention: str
    classification: str

    def as_json(self) -> dict[str, Any]:
        return {"urn": self.urn, "type": self.type, "name": self.name, "kind": self.kind, "region": self.region,
                "key": self.key, "keyRegion": self.key_region, "placement": self.placement,
                "copies": list(self.copies), "retention": self.retention, "classification": self.classification}


def _modules() -> dict[str, Any] | None:
    names = ("analysis.store_durability", "analysis.data_bearing_types", "analysis.backup_copies", "views",
             "type_aliases", "values", "region_tables")
    try:
        return {n.rsplit(".", 1)[-1]: importlib.import_module(f"{RESIDENCY_PACK_PACKAGE}.{n}") for n in names}
    except ImportError:
        return None


def _plain(value: Any, m: Mapping[str, Any]) -> str:
    if isinstance(value, Mapping) and SECRET_SIG in value:
        return "(secret)"
    if m["values"].is_unknown(value):
        return UNKNOWN
    return str(value)


def _key_region(value: str, m: Mapping[str, Any]) -> str:
    """The region an OCI key OCID or an AWS KMS ARN names (``ocid1.key.oc1.iad.…``, ``arn:aws:kms:us-east-2:…``)."""
    if value.startswith("ocid1."):
        parts = value.split(".")
        if len(parts) > 3 and parts[3]:
            return m["region_tables"].oci_region_name(parts[3]) or parts[3]
    if value.startswith("arn:"):
        parts = value.split(":")
        if len(parts) > 3 and parts[3]:
            return parts[3]
    return ""


def _tier(resource: Any) -> str:
    for key in ("freeformTags", "tags"):
        tags = resource.props.get(key)
        if isinstance(tags, Mapping) and isinstance(tags.get("residency-tier"), str):
            return str(tags["residency-tier"])
    defined = resource.props.get("definedTags")
    if isinstance(defined, Mapping):
        for key, value in defined.items():
            if str(key).split(".")[-1] == "residency-tier" and isinstance(value, str):
                return value
    return "data (untagged)"


def _referenced(view: Any, path: str, by_urn: Mapping[str, Any]) -> list[Any]:
    top = path.split(".")[0].split("[")[0]
    return [by_urn[u] for u in view.property_dependencies.get(top, ()) if u in by_urn]


def _views(resources: Iterable[Any], m: Mapping[str, Any]) -> list[Any]:
    views_module, aliases = m["views"], m["type_aliases"]
    raw = list(resources)
    by_urn = {r.urn: r for r in raw}
    out = []
    for r in raw:
        type_token, props = aliases.canonical(r.type, r.inputs)
        provider = by_urn.get(r.provider.rsplit("::", 1)[0]) if r.provider else None
        provider_view = (views_module.ProviderView(provider.type, provider.urn, provider.name,
                                                   views_module.freeze(provider.inputs)) if provider else None)
        frozen = views_module.freeze(props)
        out.append(views_module.ResourceView(
            type=type_token, urn=r.urn, name=r.name,
            props=frozen if isinstance(frozen, views_module.FrozenDict) else views_module.FrozenDict(),
            protect=bool(r.protect), provider=provider_view, parent=r.parent or None,
            dependencies=tuple(r.dependencies),
            property_dependencies=views_module.FrozenDict({k: tuple(v) for k, v in r.property_dependencies.items()}),
        ))
    return out


def store_table(result: Any, regions: Mapping[str, str] | None = None,
                classification_key: str = "residency-data") -> list[StoreRecord]:
    """One record per data store among ``result.resources`` (``regions``: each resource's region, by URN)."""
    m = _modules()
    if m is None:
        return []
    regions = regions or {}
    profiles = m["store_durability"].STORE_PROFILES
    bearing = m["data_bearing_types"].DATA_BEARING_TYPES
    views = _views(result.resources, m)
    by_urn = {v.urn: v for v in views}
    replicated = _replications(views, regions, m)
    records = []
    for view in views:
        profile = profiles.get(view.type)
        spec = bearing.get(view.type)
        # A type with a durability profile is a store when it holds data at rest (``judged``); keys, logs and
        # compute are not. A type without one is a store when the key analysis curates it as one.
        if not (profile.judged if profile is not None else (spec is not None and spec.store)):
            continue
        key, key_region = _key(view, spec, by_urn, regions, m)
        if spec is not None and spec.separate_sse and key == NO_KEY:
            key, key_region = _separate_key(view, views, by_urn, regions, m)
        records.append(StoreRecord(
            urn=view.urn, type=view.type, name=view.name,
            kind=profile.noun if profile is not None else "data store",
            region=regions.get(view.urn, "") or "—",
            key=key, key_region=key_region,
            placement=_placement(view, profile, by_urn, m),
            copies=replicated.get(view.urn, ()) + _copies(view, profile, views, m),
            retention=_retention(view, profile, m),
            classification=_classification(view, classification_key, m),
        ))
    return records


def _key(view: Any, spec: Any, by_urn: Mapping[str, Any], regions: Mapping[str, str],
         m: Mapping[str, Any]) -> tuple[str, str]:
    if spec is None:
        return "—", "—"
    walk = m["values"].walk
    for path in spec.key_paths:
        for _, value in walk(view.props, path):
            if value in (None, ""):
                continue
            shown = _plain(value, m)
            if shown == UNKNOWN:
                keys = _referenced(view, path, by_urn)
                if keys:
                    return (", ".join(f"{k.name} ({k.type.rsplit(':', 1)[-1]})" for k in keys),
                            ", ".join(sorted({regions.get(k.urn, "") or "—" for k in keys})))
                return f"{path}: {UNKNOWN}", UNKNOWN
            return shown, _key_region(shown, m) or "—"
    return NO_KEY, "—"


def _separate_key(bucket: Any, views: list[Any], by_urn: Mapping[str, Any], regions: Mapping[str, str],
                  m: Mapping[str, Any]) -> tuple[str, str]:
    refers = m["backup_copies"].refers_to_bucket
    for config in views:
        if config.type == S3_SSE and refers(config, bucket):
            found = _key(config, _KeyPaths((S3_SSE_KEY,)), by_urn, regions, m)
            if found[0] != NO_KEY:
                return found
    return NO_KEY, "—"


@dataclass(frozen=True)
class _KeyPaths:
    key_paths: tuple[str, ...]


def _placement(view: Any, profile: Any, by_urn: Mapping[str, Any], m: Mapping[str, Any]) -> str:
    if profile is None or not profile.placement:
        public = [k for k in ("publiclyAccessible", "isPubliclyAccessible", "accessType") if k in view.props]
        return "; ".join(f"{k} = {_plain(view.props[k], m)}" for k in public) or "service endpoint (no subnet)"
    walk = m["values"].walk
    parts = []
    for subnet_input in profile.placement:
        for _, value in walk(view.props, subnet_input.path):
            if value in (None, ""):
                continue
            referenced = _referenced(view, subnet_input.path, by_urn)
            for r in referenced:
                if subnet_input.group is not None and r.type == subnet_input.group:
                    # A subnet group: the subnets it lists are where the store is placed.
                    subnets = _referenced(r, "subnetIds", by_urn)
                    inner = ", ".join(f"{n.name} (tier {_tier(n)})" for n in subnets) or "subnets not in the stack"
                    parts.append(f"group {r.name}: {inner}")
                else:
                    parts.append(f"{r.name} (tier {_tier(r)})")
            if referenced:
                continue
            parts.append(_plain(value, m))
    if not parts:
        return "unset: AWS's default VPC" if profile.placement_unset == "default-vpc" else "unset"
    return ", ".join(dict.fromkeys(parts))


def _replications(views: list[Any], regions: Mapping[str, str], m: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """Bucket replication (OCI replication policies, S3 replication configurations): each source's destinations."""
    copies = m["backup_copies"]
    out: dict[str, tuple[str, ...]] = {}
    try:
        found = copies.oci_replications(views) + copies.s3_replications(views)
    except Exception:  # noqa: BLE001 - evidence: say it, never fail the reports over it
        return {}
    for replication in found:
        for source in replication.sources:
            shown = tuple(
                f"replica '{d.name}' in {regions.get(d.urn) or UNKNOWN}" if d is not None
                else f"replica outside the stack (by '{replication.via.name}')"
                for d in replication.destinations
            )
            out[source.urn] = out.get(source.urn, ()) + shown
    return out


def _copies(view: Any, profile: Any, views: list[Any], m: Mapping[str, Any]) -> tuple[str, ...]:
    if profile is None or not profile.copies:
        return ()
    try:
        found = m["backup_copies"].regional_copies(view, profile.region_lists, profile.copy_joins, views)
    except Exception:  # noqa: BLE001 - the table is evidence; a join it cannot follow is said, not raised
        return ("copies could not be read from the pack's analysis",)
    return tuple(f"{c.what} in {c.region or UNKNOWN}" for c in found)


def _retention(view: Any, profile: Any, m: Mapping[str, Any]) -> str:
    if profile is None or profile.retention is None:
        return "—"
    durability = m["store_durability"]
    reading = durability.read_retention(view, profile.retention, stack_phase=False)
    if reading.days is None:
        return f"{reading.unknown_path}: {UNKNOWN}"
    if not reading.enabled:
        return "backups off"
    return durability.days(reading.days) + ("" if reading.explicit else " (service default)")


def _classification(view: Any, key: str, m: Mapping[str, Any]) -> str:
    for tags_key in ("freeformTags", "tags"):
        tags = view.props.get(tags_key)
        if isinstance(tags, Mapping) and key in tags:
            return f"{key}={_plain(tags[key], m)}"
    defined = view.props.get("definedTags")
    if isinstance(defined, Mapping):
        for tag, value in defined.items():
            if str(tag).split(".")[-1] == key:
                return f"{tag}={_plain(value, m)}"
    if view.type.startswith("oci:"):
        return "untagged: its compartment decides"
    return "untagged: judged as US user data"
