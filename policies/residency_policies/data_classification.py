"""Which resources hold US user data: the documented classification (``dataClassification`` in the rules).

The durability rules (``immutable-backups``, ``backup-coverage``) follow it: their findings are mandatory for
US user data and advisory for data classified as something else. No other rule reads it: where data lives,
who holds its keys and who can reach it are residency questions, judged the same for every resource.

A resource is classified, in this order:

1. By its own tag ``tagKey`` (default ``residency-data``; ``resource_tags`` reads AWS ``tags`` with the
   provider's ``defaultTags``, OCI ``freeformTags`` and defined tags ``<namespace>.<tagKey>``): a
   ``userDataValues`` value (``us-user-data``) is US user data; an ``otherValues`` value (``internal``,
   ``public``, ``ephemeral``) is not; any other value is US user data and the message names the allowed
   values; a value unknown at preview is US user data that cannot be verified. Where two tags disagree, US
   user data wins.
2. Untagged OCI resources by placement (``compartmentId``): a compartment listed in
   ``nonDataCompartmentIds``, or a compartment created in the same stack that is classified as holding no US
   user data (by its own tag or, untagged, by the compartment it sits in).
3. Otherwise as US user data: untagged means US user data (fail closed).

Then, over the stack, what a US-user-data resource cannot survive without is held to US-user-data durability
whatever its own classification: the backup copies it replicates to (``analysis.backup_copies``) and the keys
that encrypt it (its key inputs, from the generated ``data_bearing_types``; an OCI key's vault).

Phases: the resource phase (``Analyze``) reports only what a resource's own inputs decide as US user data
(``Classification.decided_alone``: AWS resources, and OCI resources with an explicit tag); placement and
copies need the stack and are judged in ``AnalyzeStack``. Each finding is reported in exactly one phase.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from residency_policies.analysis.backup_copies import OCI_BUCKET, oci_replications, s3_replications
from residency_policies.analysis.data_bearing_types import DATA_BEARING_TYPES, PROTECTED_TYPES
from residency_policies.findings import Finding
from residency_policies.resource_tags import TAGGABLE_TYPES, read_tag
from residency_policies.rules.us_region_replication import S3_BUCKET_TYPES
from residency_policies.rules_file import CLASSIFICATION_TAG_KEY, US_USER_DATA, DataClassificationRules, Rules
from residency_policies.values import is_unknown, walk
from residency_policies.views import ResourceView, StackView

__all__ = ["CLASSIFICATION_TAG_KEY", "US_USER_DATA", "Classification", "StackClassification", "classify_own", "finding"]

OCI_COMPARTMENT = "oci:Identity/compartment:Compartment"
# Keys and what holds them: losing either loses the data they encrypt.
KEY_TYPES = frozenset({"oci:Kms/key:Key", "oci:Kms/vault:Vault", "aws:kms/key:Key", "aws:kms/replicaKey:ReplicaKey",
                       "aws:kms/externalKey:ExternalKey"})
KEY_HOLDER_INPUTS = {"oci:Kms/key:Key": ("managementEndpoint", "cryptoEndpoint")}
"""Inputs through which a key names the vault that holds it."""
BUCKET_TYPES = {OCI_BUCKET: "name", **dict.fromkeys(S3_BUCKET_TYPES, "bucket")}
"""Bucket types and the input that holds the bucket's name."""
_MAX_COMPARTMENT_DEPTH = 8  # OCI nests compartments at most six deep


@dataclass(frozen=True)
class Classification:
    user_data: bool
    reason: str
    """Why, for the message: "it is tagged residency-data=internal"."""
    unknown_path: str | None = None
    """Set when the deciding value is unknown at preview (then it is judged as US user data)."""
    decided_alone: bool = False
    """US user data by the resource's own inputs: the resource phase reports it, the stack phase does not."""
    advice: str = ""
    """How to classify it, for a resource judged as US user data by default."""

    @property
    def level(self) -> str | None:
        """The finding's level: the policy's own for US user data, advisory otherwise."""
        return None if self.user_data else "advisory"

    def sentence(self) -> str:
        if not self.user_data:
            return f"Advisory: it is classified as holding no US user data ({self.reason})."
        return f"Judged as US user data: {self.reason}." + (f" {self.advice}" if self.advice else "")


def finding(message: str, classification: Classification, *, urn: str | None = None, path: str | None = None,
            unverifiable: bool = False) -> Finding:
    """A durability finding at the classification's level, its message saying why (and how to classify)."""
    unknown = classification.unknown_path if classification.user_data else None
    return Finding(
        f"{message}. {classification.sentence()}",
        urn=urn,
        unverifiable=unverifiable or unknown is not None,
        path=path if unverifiable else (unknown or path),
        level=classification.level,
    )


# -- the resource's own tag ---------------------------------------------------------------------------

def _how_to_classify(resource: ResourceView, dc: DataClassificationRules, taggable: bool) -> str:
    others = ", ".join(dc.other_values)
    if not dc.other_values:
        return ""
    example = dc.other_values[0]
    if resource.type.startswith("oci:"):
        tag = (f"freeform_tags={{\"{dc.tag_key}\": \"{example}\"}} (values: {others}) or a defined tag "
               f"<namespace>.{dc.tag_key}, or " if taggable else "")
        return (f"If it holds no US user data, classify it: {tag}place it in a compartment tagged so or listed in "
                "dataClassification.nonDataCompartmentIds; the durability finding is then advisory.")
    if not taggable:
        return "This type takes no tags, so it is always judged as US user data."
    return (f"If it holds no US user data, classify it: tags={{\"{dc.tag_key}\": \"{example}\"}} (values: {others}; "
            "provider defaultTags count); the durability finding is then advisory.")


def classify_own(resource: ResourceView, rules: Rules, *, dependencies: Mapping[str, Any] | None = None) -> Classification | None:
    """The classification a resource's own tag gives it; None for an untagged OCI resource (its placement decides).

    ``dependencies``: the stack phase's property dependencies (None in the resource phase).
    """
    dc = rules.data_classification
    read = read_tag(resource, dc.tag_key, dependencies=dependencies)
    is_oci = resource.type.startswith("oci:")
    user = [(w, v) for w, v in read.values if not is_unknown(v) and v in dc.user_data_values]
    invalid = [(w, v) for w, v in read.values if not is_unknown(v) and v not in dc.allowed_values]
    unknown = [w for w, v in read.values if is_unknown(v)]
    other = [(w, v) for w, v in read.values if not is_unknown(v) and v in dc.other_values]
    if user:
        return Classification(True, f"it is tagged {dc.tag_key}={user[0][1]}", decided_alone=True)
    if invalid:
        where, value = invalid[0]
        return Classification(
            True, f"{where} = {value!r} is not a documented classification (allowed: {', '.join(dc.allowed_values)}); "
            "use one of them", decided_alone=True)
    if unknown:
        return Classification(True, f"its {dc.tag_key} tag is unknown at preview", unknown_path=unknown[0],
                              decided_alone=True)
    if read.unknown_map is not None:
        # Computed by the program: the tag may be in it. OCI: judged in the stack phase, with the dependencies.
        return Classification(True, f"its {dc.tag_key} tag cannot be read: {read.unknown_map} is unknown at preview",
                               unknown_path=read.unknown_map, decided_alone=not is_oci)
    if other:
        return Classification(False, f"tagged {dc.tag_key}={other[0][1]}")
    if is_oci:
        return None
    return Classification(True, f"it has no {dc.tag_key} tag (untagged means US user data)", decided_alone=True,
                          advice=_how_to_classify(resource, dc, read.taggable))


# -- placement and copies, over the stack ------------------------------------------------------------

class StackClassification:
    """Every resource's classification over one stack: own tag, then placement, then what it copies or guards."""

    def __init__(self, resources: Iterable[ResourceView], rules: Rules) -> None:
        self._resources = list(resources)
        self._rules = rules
        self._by_urn = resources.by_urn if isinstance(resources, StackView) else {r.urn: r for r in self._resources}
        compartments = (resources.of_type(OCI_COMPARTMENT) if isinstance(resources, StackView)
                        else [r for r in self._resources if r.type == OCI_COMPARTMENT])
        self._compartments_by_id = {
            r.props["id"].lower(): r for r in compartments if isinstance(r.props.get("id"), str) and not is_unknown(r.props.get("id"))
        }
        self._memo: dict[str, Classification] = {}
        self._held: dict[str, tuple[str, ResourceView]] | None = None  # joined on first use: a clean stack pays nothing
        self._buckets_by_name: dict[str, list[ResourceView]] | None = None

    def of(self, resource: ResourceView) -> Classification:
        base = self._base(resource)
        if base.user_data:
            return base
        if self._held is None:
            self._held = self._held_as_user_data()
        if resource.urn not in self._held:
            return base
        why, source = self._held[resource.urn]
        return Classification(
            True, f"it is {base.reason}, but {why.format(source=source.name)}: a copy of US user data, and a key "
            "(or vault) that encrypts it, are held to the same durability whatever their own tag",
            advice=f"Fix it, or, if '{source.name}' holds no US user data either, classify '{source.name}' too.")

    def of_any(self, resources: Iterable[ResourceView], missing: str) -> Classification:
        """The strictest classification of several resources (US user data when there are none: ``missing``)."""
        found = [self.of(r) for r in resources]
        if not found:
            return Classification(True, missing)
        return next((c for c in found if c.user_data), found[0])

    def _base(self, resource: ResourceView) -> Classification:
        if resource.urn not in self._memo:
            own = classify_own(resource, self._rules, dependencies=resource.property_dependencies)
            self._memo[resource.urn] = own if own is not None else self._placement(resource, resource, 0)
        return self._memo[resource.urn]

    def _configured_buckets(self, resource: ResourceView) -> list[ResourceView]:
        """The stack's buckets that a resource taking no tags of its own configures (its ``bucket`` input: an S3
        encryption or inventory configuration): what it encrypts is theirs."""
        if (resource.type in TAGGABLE_TYPES or resource.type in BUCKET_TYPES or resource.type in PROTECTED_TYPES
                or "bucket" not in resource.props):
            return []
        if self._buckets_by_name is None:
            self._buckets_by_name = {}
            for b in self._resources:
                name = b.props.get(BUCKET_TYPES.get(b.type, ""))
                if isinstance(name, str) and not is_unknown(name):
                    self._buckets_by_name.setdefault(name, []).append(b)
        found = {u: self._by_urn[u] for u in resource.property_dependencies.get("bucket", ())
                 if u in self._by_urn and self._by_urn[u].type in BUCKET_TYPES}
        name = resource.props.get("bucket")
        if isinstance(name, str):
            found.update((b.urn, b) for b in self._buckets_by_name.get(name, ()))
        return list(found.values())

    def _placement(self, resource: ResourceView, judged: ResourceView, depth: int) -> Classification:
        """An untagged OCI resource (or compartment) by the compartment it sits in."""
        dc = self._rules.data_classification
        advice = _how_to_classify(judged, dc, True) if resource is judged else ""
        untagged = f"it has no {dc.tag_key} tag"
        compartment_id = resource.props.get("compartmentId")
        if isinstance(compartment_id, str) and compartment_id.strip().lower() in dc.non_data_compartment_ids:
            return Classification(False, f"untagged, in compartment {compartment_id}, listed in "
                                  "dataClassification.nonDataCompartmentIds")
        parents = [self._by_urn[u] for u in resource.property_dependencies.get("compartmentId", ())
                   if u in self._by_urn and self._by_urn[u].type == OCI_COMPARTMENT]
        if not parents and isinstance(compartment_id, str) and compartment_id.lower() in self._compartments_by_id:
            parents = [self._compartments_by_id[compartment_id.lower()]]
        if not parents:
            if is_unknown(compartment_id):
                return Classification(True, f"{untagged} and its compartment is unknown at preview and not created in "
                                      "this stack", unknown_path="compartmentId", advice=advice)
            where = f"compartment {compartment_id}" if isinstance(compartment_id, str) else "no compartment"
            return Classification(True, f"{untagged} and is in {where}, which is neither created in this stack "
                                  "nor listed in dataClassification.nonDataCompartmentIds", advice=advice)
        verdicts = [(p, self._compartment(p, depth + 1)) for p in parents]
        parent, verdict = next(((p, v) for p, v in verdicts if v.user_data), verdicts[0])
        if verdict.user_data:
            unknown = f"compartment '{parent.name}' {verdict.unknown_path}" if verdict.unknown_path else None
            return Classification(True, f"{untagged} and is in compartment '{parent.name}' ({verdict.reason})",
                                  unknown_path=unknown, advice=advice)
        return Classification(False, f"untagged, in compartment '{parent.name}', {verdict.reason}")

    def _compartment(self, compartment: ResourceView, depth: int) -> Classification:
        if depth > _MAX_COMPARTMENT_DEPTH:
            return Classification(True, "the compartment tree is deeper than OCI allows")
        own = classify_own(compartment, self._rules, dependencies=compartment.property_dependencies)
        if own is not None:
            return replace(own, advice="")
        return self._placement(compartment, compartment, depth)

    def _held_as_user_data(self) -> dict[str, tuple[str, ResourceView]]:
        """Resources held to US-user-data durability by a US-user-data resource: its copies and its keys."""
        edges: dict[str, list[tuple[str, ResourceView]]] = {}
        for replication in [*oci_replications(self._resources), *s3_replications(self._resources)]:
            for source in replication.sources:
                for dest in replication.destinations:
                    if dest is not None:
                        edges.setdefault(source.urn, []).append(
                            ("it is a backup copy of '{source}', which is judged as US user data", dest))
        keys_by_id = {}
        for r in self._resources:
            if r.type in KEY_TYPES:
                for attr in ("id", "arn"):
                    value = r.props.get(attr)
                    if isinstance(value, str) and not is_unknown(value):
                        keys_by_id[value] = r
        for r in self._resources:
            spec = DATA_BEARING_TYPES.get(r.type)
            for path in spec.key_paths if spec is not None else ():
                top = path.split(".")[0].split("[")[0]
                keys = [self._by_urn[u] for u in r.property_dependencies.get(top, ())
                        if u in self._by_urn and self._by_urn[u].type in KEY_TYPES]
                keys += [keys_by_id[v] for _, v in walk(r.props, path) if isinstance(v, str) and v in keys_by_id]
                # A configuration taking no tags of its own (an S3 encryption configuration) encrypts its bucket.
                for holder in (self._configured_buckets(r) or [r]) if keys else ():
                    edges.setdefault(holder.urn, []).extend(
                        ("it encrypts '{source}', which is judged as US user data", k) for k in keys)
            for prop in KEY_HOLDER_INPUTS.get(r.type, ()):
                vaults = [self._by_urn[u] for u in r.property_dependencies.get(prop, ())
                          if u in self._by_urn and self._by_urn[u].type in KEY_TYPES]
                if vaults:
                    edges.setdefault(r.urn, []).extend(
                        ("it holds key '{source}', which encrypts US user data", v) for v in vaults)
        held: dict[str, tuple[str, ResourceView]] = {}
        queue = [urn for urn in edges if self._base(self._by_urn[urn]).user_data]
        while queue:
            urn = queue.pop()
            for why, target in edges.get(urn, ()):
                if target.urn in held or target.urn == urn or self._base(target).user_data:
                    continue
                held[target.urn] = (why, self._by_urn[urn])
                queue.append(target.urn)
        return held
