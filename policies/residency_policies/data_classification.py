"""Which resources hold US user data: the documented classification (``dataClassification`` in the rules).

The durability rules (``immutable-backups``, ``backup-coverage``, ``database-backup-retention``,
``retention-lock-times``) and ``data-store-placement`` follow it: their findings are mandatory for US user data
and advisory for data classified as something else. No other rule reads it: where data lives, who holds its
keys and who can reach it are residency questions, judged the same for every resource.

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

Then, over the stack, the backup copies a US-user-data bucket replicates to (``analysis.backup_copies``) are held
to US-user-data durability whatever their own classification.

Reasons are clauses about the resource (``is tagged residency-data=internal``, ``has no residency-data tag and is
in compartment 'app', which ...``): every message names its subject before the clause, so a reason nested in
another (a compartment's, inside its resource's) still says which resource it is about.

Phases: the resource phase (``Analyze``) reports only what a resource's own inputs decide as US user data
(``Classification.decided_alone``: AWS resources, and OCI resources with an explicit tag); placement and
copies need the stack and are judged in ``AnalyzeStack``. Each finding is reported in exactly one phase.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from pulumi_policy import EnforcementLevel

from residency_policies.analysis.backup_copies import oci_replications, s3_replications
from residency_policies.findings import Finding
from residency_policies.resource_tags import read_tag
from residency_policies.rules_file import CLASSIFICATION_TAG_KEY, US_USER_DATA, DataClassificationRules, Rules
from residency_policies.values import is_unknown
from residency_policies.views import ResourceView, StackView

__all__ = ["CLASSIFICATION_TAG_KEY", "US_USER_DATA", "Classification", "StackClassification", "classify_own", "finding"]

OCI_COMPARTMENT = "oci:Identity/compartment:Compartment"
_MAX_COMPARTMENT_DEPTH = 8  # OCI nests compartments at most six deep


@dataclass(frozen=True)
class Classification:
    user_data: bool
    reason: str
    """Why, as a clause about the resource: "is tagged residency-data=internal" (messages put "it" before it)."""
    unknown_path: str | None = None
    """Set when the deciding value is unknown at preview (then it is judged as US user data)."""
    decided_alone: bool = False
    """US user data by the resource's own inputs: the resource phase reports it, the stack phase does not."""
    advice: str = ""
    """How to classify it, for a resource judged as US user data by default."""

    @property
    def level(self) -> EnforcementLevel | None:
        """The finding's level: the policy's own for US user data, advisory otherwise."""
        return None if self.user_data else EnforcementLevel.ADVISORY

    def sentence(self) -> str:
        if not self.user_data:
            return f"Advisory: it is classified as holding no US user data (it {self.reason})."
        return f"Judged as US user data: it {self.reason}." + (f" {self.advice}" if self.advice else "")


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
        return Classification(True, f"is tagged {dc.tag_key}={user[0][1]}", decided_alone=True)
    if invalid:
        where, value = invalid[0]
        return Classification(
            True, f"has {where} = {value!r}, which is not a documented classification (allowed: "
            f"{', '.join(dc.allowed_values)}); use one of them", decided_alone=True)
    if unknown:
        return Classification(True, f"has a {dc.tag_key} tag that is unknown at preview", unknown_path=unknown[0],
                              decided_alone=True)
    if read.unknown_map is not None:
        # Computed by the program: the tag may be in it. OCI: judged in the stack phase, with the dependencies.
        return Classification(True, f"has tags that cannot be read ({read.unknown_map} is unknown at preview)",
                              unknown_path=read.unknown_map, decided_alone=not is_oci)
    if other:
        return Classification(False, f"is tagged {dc.tag_key}={other[0][1]}")
    if is_oci:
        return None
    return Classification(True, f"has no {dc.tag_key} tag (untagged means US user data)", decided_alone=True,
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
            True, f"{base.reason}, but {why.format(source=source.name)}: a copy of US user data is held to the same "
            "durability whatever its own tag",
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

    def _placement(self, resource: ResourceView, judged: ResourceView, depth: int) -> Classification:
        """An untagged OCI resource (or compartment) by the compartment it sits in."""
        dc = self._rules.data_classification
        advice = _how_to_classify(judged, dc, True) if resource is judged else ""
        untagged = f"has no {dc.tag_key} tag"
        compartment_id = resource.props.get("compartmentId")
        if isinstance(compartment_id, str) and compartment_id.strip().lower() in dc.non_data_compartment_ids:
            return Classification(False, f"{untagged} and is in compartment {compartment_id}, which "
                                  "dataClassification.nonDataCompartmentIds lists")
        parents = [self._by_urn[u] for u in resource.property_dependencies.get("compartmentId", ())
                   if u in self._by_urn and self._by_urn[u].type == OCI_COMPARTMENT]
        if not parents and isinstance(compartment_id, str) and compartment_id.lower() in self._compartments_by_id:
            parents = [self._compartments_by_id[compartment_id.lower()]]
        if not parents:
            if is_unknown(compartment_id):
                return Classification(True, f"{untagged} and its compartmentId is unknown at preview, with no "
                                      "compartment of this stack behind it", unknown_path="compartmentId", advice=advice)
            if compartment_id is None or compartment_id == "":
                # Only a compartment may leave it unset: it is then created in the tenancy's root compartment.
                where = ("sits in the tenancy's root compartment (compartmentId unset)" if resource.type == OCI_COMPARTMENT
                         else "names no compartmentId")
                return Classification(True, f"{untagged} and {where}", advice=advice)
            return Classification(True, f"{untagged} and is in compartment {compartment_id}, which this stack does not "
                                  "create and dataClassification.nonDataCompartmentIds does not list", advice=advice)
        verdicts = [(p, self._compartment(p, depth + 1)) for p in parents]
        parent, verdict = next(((p, v) for p, v in verdicts if v.user_data), verdicts[0])
        reason = f"{untagged} and is in compartment '{parent.name}', which {verdict.reason}"
        if verdict.user_data:
            unknown = f"compartment '{parent.name}' {verdict.unknown_path}" if verdict.unknown_path else None
            return Classification(True, reason, unknown_path=unknown, advice=advice)
        return Classification(False, reason)

    def _compartment(self, compartment: ResourceView, depth: int) -> Classification:
        if depth > _MAX_COMPARTMENT_DEPTH:
            return Classification(True, "sits in a compartment tree deeper than OCI allows")
        own = classify_own(compartment, self._rules, dependencies=compartment.property_dependencies)
        if own is not None:
            return replace(own, advice="")
        return self._placement(compartment, compartment, depth)

    def _held_as_user_data(self) -> dict[str, tuple[str, ResourceView]]:
        """Resources held to US-user-data durability by a US-user-data resource: the backup copies it replicates to
        (and theirs, in turn)."""
        edges: dict[str, list[tuple[str, ResourceView]]] = {}
        for replication in [*oci_replications(self._resources), *s3_replications(self._resources)]:
            for source in replication.sources:
                for dest in replication.destinations:
                    if dest is not None:
                        edges.setdefault(source.urn, []).append(
                            ("it is a backup copy of '{source}', which is judged as US user data", dest))
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
