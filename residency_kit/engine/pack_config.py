"""Policy pack configuration (``--policy-pack-config``) read, layered and checked as the engine does.

What the engine does with it (docs/preview.md, "What it does, step by step", 3):

- The file holds one JSON object, and may be empty. A key names a policy, or is ``all``; its value is an
  enforcement level, or an object whose optional ``enforcementLevel`` is one and whose other keys are the
  policy's properties. An entry with neither is ignored. ``environments`` (Pulumi ESC) needs a backend.
- What a pack is sent is built in layers: every policy's own level and its schema's ``default`` values, then
  the pack's initial config, then the file. In each layer ``all`` first sets the level of every policy so far
  (its properties go nowhere, and ``all`` itself stays a key); then each key's level replaces the one below and
  its properties are added over the ones below. A key that names no policy is kept as it is.
- Each policy's resulting properties are checked against ``{type: object, properties, required}`` of its
  schema (the engine adds ``enforcementLevel`` to every schema). Any problem stops the run before the program
  starts, and nothing is sent.

The wording of every problem is this module's: the key, the value's kind and what is allowed.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema

from residency_kit.engine.levels import EnforcementLevel

ENFORCEMENT_LEVELS = tuple(level.value for level in EnforcementLevel)
ALL_POLICIES_KEY = "all"


class PolicyConfigError(ValueError):
    """A policy pack config the engine would refuse; the message names the key and what is allowed."""


@dataclass
class PolicyConfig:
    enforcement_level: EnforcementLevel | None = None
    """None: the entry sets no level (the policy keeps the one it has)."""
    properties: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        # A level given as its word (``"mandatory"``) is read as the enum, and an unknown word is refused here.
        if self.enforcement_level is not None:
            self.enforcement_level = EnforcementLevel(self.enforcement_level)


@dataclass
class PolicySchema:
    properties: dict[str, Any] = field(default_factory=dict)
    required: list[str] = field(default_factory=list)


def _level(key: str, value: Any) -> EnforcementLevel:
    if not isinstance(value, str) or value not in ENFORCEMENT_LEVELS:
        raise PolicyConfigError(
            f"{key!r}: the enforcement level {json.dumps(value)} is not one of {', '.join(ENFORCEMENT_LEVELS)}")
    return EnforcementLevel(value)


def _entry(key: str, value: Any) -> PolicyConfig:
    if isinstance(value, str):
        return PolicyConfig(_level(key, value))
    if isinstance(value, Mapping):
        properties = copy.deepcopy(dict(value))
        level = _level(f"{key}.enforcementLevel", properties.pop("enforcementLevel")) \
            if "enforcementLevel" in properties else None
        return PolicyConfig(level, properties or None)
    raise PolicyConfigError(
        f"{key!r}: {json.dumps(value)} is neither an enforcement level nor an object of the policy's properties")


def parse_policy_pack_config(value: Mapping[str, Any] | None) -> dict[str, PolicyConfig]:
    """The entries of a decoded config object (None: no config), empty ones left out."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise PolicyConfigError(f"a policy pack config is a JSON object of policy names, not {json.dumps(value)[:80]}")
    entries: dict[str, PolicyConfig] = {}
    for key, raw in value.items():
        if key == "environments":
            raise PolicyConfigError(
                "'environments' names Pulumi ESC environments, which need a Pulumi backend; an offline preview has "
                "none: put the values in the file itself")
        entry = _entry(key, raw)
        if entry.enforcement_level is not None or entry.properties:
            entries[key] = entry
    return entries


def load_policy_pack_config_file(path: str | Path) -> dict[str, Any] | None:
    """A ``--policy-pack-config`` file's object, checked; None for an empty file."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as err:
        raise PolicyConfigError(f"{path}: cannot read policy pack config: {err.strerror}") from err
    if not text.strip():
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        raise PolicyConfigError(f"{path}: invalid JSON at line {err.lineno} column {err.colno}: {err.msg}") from err
    if not isinstance(value, dict):
        raise PolicyConfigError(f"{path}: a policy pack config is a JSON object of policy names")
    try:
        parse_policy_pack_config(value)
    except PolicyConfigError as err:
        raise PolicyConfigError(f"{path}: {err}") from err
    return value


def defaults_from_policies(
    policies: Mapping[str, tuple[EnforcementLevel, PolicySchema | None]],
) -> dict[str, PolicyConfig]:
    """The bottom layer: each policy at its own level, with its schema's ``default`` values."""
    layer: dict[str, PolicyConfig] = {}
    for name, (level, schema) in policies.items():
        defaults = {key: copy.deepcopy(prop["default"])
                    for key, prop in (schema.properties.items() if schema else ())
                    if isinstance(prop, Mapping) and "default" in prop}
        layer[name] = PolicyConfig(level, defaults or None)
    return layer


def apply_config(below: dict[str, PolicyConfig], layer: Mapping[str, PolicyConfig]) -> dict[str, PolicyConfig]:
    """``layer`` over ``below`` (changed in place and returned): ``all``'s level first, then every key."""
    everything = layer.get(ALL_POLICIES_KEY)
    if everything is not None and everything.enforcement_level is not None:
        for key, existing in below.items():
            below[key] = PolicyConfig(everything.enforcement_level, existing.properties)
    for key, given in layer.items():
        existing = below.get(key, PolicyConfig())
        properties = existing.properties
        if given.properties:
            properties = {**(properties or {}), **copy.deepcopy(given.properties)}
        level = given.enforcement_level if given.enforcement_level is not None else existing.enforcement_level
        below[key] = PolicyConfig(level, properties)
    return below


_JSON_KINDS = (("boolean", bool), ("integer", int), ("number", float), ("string", str), ("array", list),
               ("object", dict))


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, float) and value.is_integer():
        return "integer"  # a whole number decoded as a float (JSON has one number type) counts as an integer
    return next(name for name, python_type in _JSON_KINDS if isinstance(value, python_type))


def _a(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def _problem(error: jsonschema.ValidationError) -> str:
    """One schema violation in this module's words: where in the properties, what is wrong, what is allowed."""
    where = ".".join(str(p) for p in error.absolute_path)
    keyword = error.validator
    bound: Any = error.validator_value  # the keyword's argument in the schema (a list for required, enum, type)
    value: Any = error.instance
    if keyword == "required":
        missing = next((name for name in bound if isinstance(value, Mapping) and name not in value), "")
        return f"{where + '.' if where else ''}{missing} is required and not set"
    subject = where or "the properties"
    if keyword == "type":
        expected = " or ".join(_a(t) for t in ([bound] if isinstance(bound, str) else bound))
        return f"{subject} is {_a(_kind(value))}; expected {expected}"
    if keyword == "enum":
        return f"{subject} is {json.dumps(value)}; allowed: {', '.join(json.dumps(a) for a in bound)}"
    limits = {
        "minimum": f"at least {bound}", "maximum": f"at most {bound}",
        "exclusiveMinimum": f"more than {bound}", "exclusiveMaximum": f"less than {bound}",
    }
    if keyword in limits:
        return f"{subject} is {json.dumps(value)}; allowed: {limits[keyword]}"
    sizes = {"minLength": ("characters", "at least"), "maxLength": ("characters", "at most"),
             "minItems": ("items", "at least"), "maxItems": ("items", "at most")}
    if keyword in sizes:
        unit, relation = sizes[keyword]
        return f"{subject} has {len(value)} {unit}; allowed: {relation} {bound}"
    if keyword == "pattern":
        return f"{subject} is {json.dumps(value)}, which does not match the pattern {bound}"
    return f"{subject}: {error.message}"


def validate_policy_config(schema: PolicySchema, properties: Mapping[str, Any] | None) -> list[str]:
    """What is wrong with one policy's properties under its schema; empty when nothing is."""
    json_schema: dict[str, Any] = {"type": "object"}
    if schema.properties:
        json_schema["properties"] = schema.properties
    if schema.required:
        json_schema["required"] = list(schema.required)
    errors = jsonschema.Draft7Validator(json_schema).iter_errors(dict(properties or {}))
    return [_problem(e) for e in sorted(errors, key=lambda e: (list(map(str, e.absolute_path)), e.validator))]


def reconcile_policy_pack_config(
    policies: Mapping[str, tuple[EnforcementLevel, PolicySchema | None]],
    initial_config: Mapping[str, PolicyConfig] | None,
    config: Mapping[str, PolicyConfig] | None,
) -> tuple[dict[str, PolicyConfig], list[str]]:
    """The config a pack is sent (``policies``: name -> (level, schema)), or, when any policy's properties break
    its schema, nothing and every problem as ``<policy>: <problem>``."""
    result = defaults_from_policies(policies)
    for layer in (initial_config, config):
        if layer:
            result = apply_config(result, layer)
    problems = [f"{name}: {problem}"
                for name in sorted(policies) if (schema := policies[name][1]) is not None
                for problem in validate_policy_config(schema, result[name].properties if name in result else None)]
    return ({}, problems) if problems else (result, [])
