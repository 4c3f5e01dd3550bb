"""The base class every settings model shares: camelCase keys as in stack YAML, unknown keys refused, immutable,
and no list holding the same value twice.

A repeated value is never what the user meant, and the components name children after values (a rule per
operator range, an attachment per name): two equal entries would register two resources with one name and
fail only at deploy. So every tuple setting refuses duplicates here, naming the key and the value.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator
from pydantic.alias_generators import to_camel


class SettingsModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        frozen=True,
    )

    @field_validator("*", mode="after")
    @classmethod
    def _no_repeated_values(cls, value: Any) -> Any:
        if isinstance(value, tuple):
            seen: dict[Any, int] = {}
            for i, item in enumerate(value):
                key = _identity(item)
                if key in seen:
                    raise ValueError(f"holds {_shown(item)} twice (items {seen[key]} and {i}); allowed: each value once")
                seen[key] = i
        return value


def _identity(item: Any) -> Any:
    """What makes two entries the same: the value, or for named entries (peerings, attachments) the name."""
    name = getattr(item, "name", None)
    if isinstance(item, BaseModel) and isinstance(name, str):
        return ("name", name)
    if isinstance(item, BaseModel):
        return item.model_dump_json()
    return item


def _shown(item: Any) -> str:
    name = getattr(item, "name", None)
    if isinstance(item, BaseModel) and isinstance(name, str):
        return f"the name {name!r}"
    if isinstance(item, BaseModel):
        return "the same entry"
    return repr(str(item))
