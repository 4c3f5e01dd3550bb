"""Policy pack configuration the engine's way: parse, reconcile, validate (pulumi/pulumi pkg/resource/analyzer/config.go).

- A config file holds one JSON object; keys are policy names or ``all``; a value is an enforcement level
  string or an object with an optional ``enforcementLevel`` plus properties. Empty entries are dropped.
- Reconciling starts from every policy's level and schema ``default``s, applies the pack's initial config,
  then the file. ``all`` sets only the enforcement level of every policy (and stays as its own key);
  unknown policy names pass through.
- Each policy's properties are validated against ``{type: object, properties, required}`` (the engine adds
  ``enforcementLevel`` to every schema); messages follow gojsonschema's ``<field>: <description>`` with
  the ``(root): `` prefix trimmed.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import jsonschema

from residency_kit.engine.levels import EnforcementLevel

ENFORCEMENT_LEVELS = tuple(level.value for level in EnforcementLevel)


class PolicyConfigError(ValueError):
    """A policy pack config file or value the engine would reject."""


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


def _extract_level(key: str, props: dict[str, Any]) -> EnforcementLevel | None:
    if "enforcementLevel" not in props:
        return None
    level = props.pop("enforcementLevel")
    if not isinstance(level, str):
        raise PolicyConfigError(
            f"parsing enforcement level for {key!r}: {level!r} is not a valid enforcement level; must be a string"
        )
    if level not in ENFORCEMENT_LEVELS:
        raise PolicyConfigError(f"parsing enforcement level for {key!r}: {level!r} is not a valid enforcement level")
    return EnforcementLevel(level)


def parse_policy_pack_config(value: Mapping[str, Any] | None) -> dict[str, PolicyConfig]:
    """``parsePolicyPackConfig`` on an already-decoded JSON object."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise PolicyConfigError("a policy pack config must be a JSON object")
    result: dict[str, PolicyConfig] = {}
    level: EnforcementLevel | None
    for key, raw in value.items():
        if key == "environments":
            raise PolicyConfigError(
                "'environments' needs Pulumi ESC and a backend, which an offline preview does not have"
            )
        if isinstance(raw, str):
            if raw not in ENFORCEMENT_LEVELS:
                raise PolicyConfigError(f"parsing enforcement level for {key!r}: {raw!r} is not a valid enforcement level")
            level, props = EnforcementLevel(raw), None
        elif isinstance(raw, Mapping):
            props = copy.deepcopy(dict(raw))
            level = _extract_level(key, props)
            props = props or None
        else:
            raise PolicyConfigError(f"parsing {key!r}: {json.dumps(raw)} is not a valid value; must be a string or object")
        if level is None and not props:
            continue
        result[key] = PolicyConfig(level, props)
    return result


def load_policy_pack_config_file(path: str | Path) -> dict[str, Any] | None:
    """Read a ``--policy-pack-config`` file: one JSON object, empty content allowed (returns None)."""
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
        raise PolicyConfigError(f"{path}: a policy pack config must be a JSON object")
    try:
        parse_policy_pack_config(value)
    except PolicyConfigError as err:
        raise PolicyConfigError(f"{path}: {err}") from err
    return value


def defaults_from_policies(
    policies: Mapping[str, tuple[EnforcementLevel, PolicySchema | None]],
) -> dict[str, PolicyConfig]:
    """``createConfigWithDefaults``: each policy's level and its schema ``default``s."""
    result: dict[str, PolicyConfig] = {}
    for name, (level, schema) in policies.items():
        props: dict[str, Any] | None = None
        if schema is not None:
            for key, prop_schema in schema.properties.items():
                if isinstance(prop_schema, Mapping) and "default" in prop_schema:
                    props = props or {}
                    props[key] = copy.deepcopy(prop_schema["default"])
        result[name] = PolicyConfig(level, props)
    return result


def apply_config(result: dict[str, PolicyConfig], to_apply: Mapping[str, PolicyConfig]) -> dict[str, PolicyConfig]:
    """``applyConfig``: ``all`` first (levels only), then every key including unknown ones and ``all`` itself."""
    all_config = to_apply.get("all")
    if all_config is not None and all_config.enforcement_level is not None:
        for key, existing in list(result.items()):
            result[key] = PolicyConfig(all_config.enforcement_level, existing.properties)
    for key, given in to_apply.items():
        level: EnforcementLevel | None = None
        props: dict[str, Any] | None = None
        if key in result:
            level, props = result[key].enforcement_level, result[key].properties
        if given.enforcement_level is not None:
            level = given.enforcement_level
        if given.properties:
            props = dict(props or {})
            props.update(copy.deepcopy(given.properties))
        result[key] = PolicyConfig(level, props)
    return result


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


# gojsonschema's wording of the keywords whose message only quotes the schema's bound.
_BOUND_MESSAGES = {
    "minimum": "Must be greater than or equal to {}",
    "maximum": "Must be less than or equal to {}",
    "exclusiveMinimum": "Must be greater than {}",
    "exclusiveMaximum": "Must be less than {}",
    "minLength": "String length must be greater than or equal to {}",
    "maxLength": "String length must be less than or equal to {}",
    "pattern": "Does not match pattern '{}'",
    "minItems": "Array must have at least {} items",
    "maxItems": "Array must have at most {} items",
}


def _gojsonschema_message(error: jsonschema.ValidationError) -> str:
    """Phrase a jsonschema error the way gojsonschema's ``ResultError.String()`` does."""
    field_path = ".".join(str(p) for p in error.absolute_path) or "(root)"
    v, arg = error.validator, error.validator_value
    if v == "required":
        missing = error.message.split("'")[1] if "'" in error.message else str(arg)
        prop = f"{field_path}.{missing}" if field_path != "(root)" else missing
        description = f"{prop} is required"
    elif v == "type":
        expected = arg if isinstance(arg, str) else "/".join(cast(list[str], arg))
        description = f"Invalid type. Expected: {expected}, given: {_type_name(error.instance)}"
    elif v == "enum":
        allowed = ", ".join(json.dumps(a) for a in cast(list[Any], arg))
        description = f"{field_path} must be one of the following: {allowed}"
    elif v in _BOUND_MESSAGES:
        description = _BOUND_MESSAGES[v].format(arg)
    elif v == "additionalProperties":
        description = f"Additional property {error.message.split(chr(39))[1] if chr(39) in error.message else ''} is not allowed"
    else:
        description = error.message
    message = f"{field_path}: {description}"
    return message.removeprefix("(root): ")


def validate_policy_config(schema: PolicySchema, properties: Mapping[str, Any] | None) -> list[str]:
    """``validatePolicyConfig``: error messages for one policy's properties, empty when valid."""
    json_schema: dict[str, Any] = {"type": "object"}
    if schema.properties:
        json_schema["properties"] = schema.properties
    if schema.required:
        json_schema["required"] = list(schema.required)
    validator = jsonschema.Draft7Validator(json_schema)
    errors = sorted(validator.iter_errors(dict(properties or {})), key=lambda e: (list(e.absolute_path), e.validator))
    return [_gojsonschema_message(e) for e in errors]


def reconcile_policy_pack_config(
    policies: Mapping[str, tuple[EnforcementLevel, PolicySchema | None]],
    initial_config: Mapping[str, PolicyConfig] | None,
    config: Mapping[str, PolicyConfig] | None,
) -> tuple[dict[str, PolicyConfig], list[str]]:
    """``ReconcilePolicyPackConfig``: the config to send, or the ``<policy>: <msg>`` validation errors."""
    result = defaults_from_policies(policies)
    if initial_config:
        result = apply_config(result, initial_config)
    if config:
        result = apply_config(result, config)
    errors: list[str] = []
    for name in sorted(policies):
        _, schema = policies[name]
        if schema is None:
            continue
        props = result[name].properties if name in result else None
        errors.extend(f"{name}: {msg}" for msg in validate_policy_config(schema, props))
    if errors:
        return {}, errors
    return result, []
