"""Reading the stack's ``residency:`` config into ``ResidencySettings``, with every bad value reported at once."""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Annotated, Any

import pulumi
from pydantic import TypeAdapter, ValidationError
from pulumi.runtime import config as runtime_config

from residency_kit.settings.model import ResidencySettings, SettingsIssue, cross_field_issues

NAMESPACE = "residency"


class SettingsError(pulumi.RunError):
    """Raised before any resource is registered; the message lists every bad key, its value and what is allowed.

    A ``pulumi.RunError`` is shown by the engine without a Python traceback.
    """

    def __init__(self, issues: list[SettingsIssue]):
        self.issues = issues
        lines = "\n".join(f"  - {issue}" for issue in issues)
        super().__init__(f"invalid stack configuration ({len(issues)} problem(s)):\n{lines}")


def _decode(raw: Any) -> Any:
    # Structured config values (objects, lists) reach the program as JSON text.
    if isinstance(raw, str) and raw[:1] in ("{", "["):
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw
    return raw


def _key_path(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif not path:
            path = str(part)
        else:
            path += f".{part}"
    return path


def _value_at(data: Any, loc: tuple[Any, ...]) -> Any:
    current = data
    for part in loc:
        try:
            current = current[part]
        except (KeyError, IndexError, TypeError):
            return None
    return current


def _issue_from_error(error: Mapping[str, Any], data: Mapping[str, Any], ns: str) -> SettingsIssue:
    # Annotated validators add a trailing location part naming the function; drop it.
    loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    key = f"{ns}:{_key_path(loc)}"
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "missing":
        return SettingsIssue(key, None, "is required but not set")
    if error["type"] == "extra_forbidden":
        return SettingsIssue(key, error.get("input"), "is not a known setting")
    return SettingsIssue(key, _value_at(data, loc), message)


def _relevant_errors(errors: list[Any]) -> list[Any]:
    """Drop a list's length error when its own items failed: "at least 1 item" is not what the user got wrong."""
    item_error_prefixes = {tuple(e["loc"][:-1]) for e in errors if len(e["loc"]) > 1}
    item_error_prefixes |= {tuple(e["loc"][:-2]) for e in errors if len(e["loc"]) > 2}
    return [e for e in errors if not (e["type"] == "too_short" and tuple(e["loc"]) in item_error_prefixes)]


def _partial_settings(data: Mapping[str, Any]) -> SimpleNamespace:
    """Each top-level setting validated on its own; ``None`` where it is invalid or missing."""
    values: dict[str, Any] = {}
    for name, field in ResidencySettings.model_fields.items():
        if field.alias in data or name in data:
            raw = data.get(field.alias or name, data.get(name))
            try:
                annotation: Any = Annotated[field.annotation, *field.metadata] if field.metadata else field.annotation
                values[name] = TypeAdapter(annotation).validate_python(raw, by_alias=True)
            except ValidationError:
                values[name] = None
        else:
            values[name] = None if field.is_required() else field.get_default(call_default_factory=True)
    return SimpleNamespace(**values)


def parse_settings(config: Mapping[str, Any], ns: str = NAMESPACE) -> ResidencySettings:
    """Validate a mapping of config keys (``"residency:homeRegion"`` or bare ``"homeRegion"``)."""
    data = {key.split(":", 1)[1] if ":" in key else key: _decode(value) for key, value in config.items()}
    try:
        settings = ResidencySettings.model_validate(data)
    except ValidationError as exc:
        field_issues = [_issue_from_error(e, data, ns) for e in _relevant_errors(exc.errors())]
        raise SettingsError(field_issues + cross_field_issues(_partial_settings(data), ns)) from None
    issues = cross_field_issues(settings, ns)
    if issues:
        raise SettingsError(issues)
    return settings


def residency_config() -> dict[str, Any]:
    """Every ``residency:*`` key the program was given, explicit settings taking precedence."""
    merged = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    return {k: v for k, v in merged.items() if k.startswith(f"{NAMESPACE}:")}


def load_settings() -> ResidencySettings:
    """Read and validate the stack's residency settings; raises ``SettingsError`` listing every bad key."""
    return parse_settings(residency_config())
