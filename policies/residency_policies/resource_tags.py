"""A resource's tags: which types take them, and the value a resource carries for one tag key.

Which types take tags is generated at development time from the installed SDKs
(``policies/tools/generate_taggable_types.py`` -> ``data/taggable_types.txt``: OCI types whose inputs take
``freeformTags``, AWS types taking a ``tags`` map), because importing the SDKs inside the pack would take
seconds and hundreds of MB. Where a tag is read:

* OCI: ``freeformTags`` ``{key: value}`` and defined tags ``definedTags`` ``{"<namespace>.<key>": value}``;
* AWS: the ``tags`` map over the provider's ``defaultTags.tags`` (the provider merges them into every
  resource; the resource's own value wins on a conflict).

Unknown tag maps: in the resource phase (``Analyze``, the program's inputs) an unknown map was computed by the
program. In the stack phase (``AnalyzeStack``, outputs) the engine also plans a tag input the program left unset
as unknown (OCI's tag maps are optional and computed), so there an unknown map counts only when the program
built it from another resource (a property dependency on it); otherwise it is read as carrying nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from residency_policies.values import is_unknown, maybe_json

if TYPE_CHECKING:  # pragma: no cover
    from residency_policies.views import ResourceView

DATA_FILE = Path(__file__).resolve().parent / "data" / "taggable_types.txt"
OCI_DEFINED_TAGS = "definedTags"


def load_taggable_types(path: Path = DATA_FILE) -> dict[str, str]:
    """Type token -> the input that holds its tags."""
    types: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            token, prop = line.split("\t")
            types[token] = prop
    return types


TAGGABLE_TYPES = load_taggable_types()


def provider_default_tags(resource: ResourceView) -> dict:
    """The AWS provider's ``defaultTags.tags`` the resource inherits ({} for OCI or when there are none)."""
    if resource.provider is None or not resource.type.startswith("aws:"):
        return {}
    default = maybe_json(resource.provider.props.get("defaultTags"))
    tags = default.get("tags") if isinstance(default, dict) else None
    return maybe_json(tags) if isinstance(maybe_json(tags), dict) else {}


@dataclass(frozen=True)
class TagRead:
    """What a resource carries for one tag key."""

    values: tuple[tuple[str, Any], ...] = ()
    """``(where, value)`` for each place the key is set (``freeformTags.k``, ``definedTags.ns.k``, ``tags.k``);
    a value may be unknown."""
    unknown_map: str | None = None
    """A tag map (or the provider's default tags) that may hold the key but is unknown: its path."""
    taggable: bool = True
    """False when the type takes no tags at all."""


def read_tag(resource: ResourceView, key: str, *, dependencies: Mapping[str, Any] | None = None) -> TagRead:
    """The values ``resource`` carries for tag ``key``.

    ``dependencies``: the stack phase's property dependencies (None in the resource phase); see the module doc
    for what an unknown tag map means in each phase.
    """
    prop = TAGGABLE_TYPES.get(resource.type)
    if resource.type.startswith("oci:"):
        return _read_oci(resource.props, key, prop, dependencies)
    if prop is None:
        return TagRead(taggable=False)
    return _read_aws(resource, key, prop, dependencies)


def _counts_as_unknown(value: Any, prop: str, dependencies: Mapping[str, Any] | None) -> bool:
    return is_unknown(value) and (dependencies is None or bool(dependencies.get(prop)))


def _read_oci(props: Mapping[str, Any], key: str, prop: str | None, dependencies) -> TagRead:
    values: list[tuple[str, Any]] = []
    unknown_map = None
    maps = [p for p in (prop, OCI_DEFINED_TAGS) if p is not None and p in props]
    for name in maps:
        tags = props.get(name)
        if _counts_as_unknown(tags, name, dependencies):
            unknown_map = unknown_map or name
        if not isinstance(tags, dict):
            continue
        for tag, value in tags.items():
            # Defined tags are keyed "<namespace>.<key>" (namespaces and keys take no periods).
            if (name != OCI_DEFINED_TAGS and tag == key) or (name == OCI_DEFINED_TAGS and tag.partition(".")[2] == key):
                values.append((f"{name}.{tag}", value))
    return TagRead(tuple(values), unknown_map, taggable=prop is not None or OCI_DEFINED_TAGS in props)


def _read_aws(resource: ResourceView, key: str, prop: str, dependencies) -> TagRead:
    tags = maybe_json(resource.props.get(prop))
    if _counts_as_unknown(tags, prop, dependencies):
        return TagRead(unknown_map=prop)
    if isinstance(tags, dict) and key in tags:
        return TagRead(((f"{prop}.{key}", tags[key]),))
    provider = resource.provider
    if provider is None:
        return TagRead()
    defaults_input = maybe_json(provider.props.get("defaultTags"))
    nested = defaults_input.get("tags") if isinstance(defaults_input, dict) else None
    if is_unknown(defaults_input) or is_unknown(nested):
        return TagRead(unknown_map=f"provider {provider.name} defaultTags")
    defaults = provider_default_tags(resource)
    if key in defaults:
        return TagRead(((f"provider {provider.name} defaultTags.{key}", defaults[key]),))
    return TagRead()
