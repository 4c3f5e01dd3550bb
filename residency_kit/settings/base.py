"""The base class every settings model shares: camelCase keys as in stack YAML, unknown keys refused, immutable,
and no list holding the same value twice.

A repeated value is never what the user meant, and the components name children after values (a rule per
operator range, an attachment per name): two equal entries would register two resources with one name and
fail only at deploy. So every tuple setting refuses duplicates here, naming the key and the value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator
from pydantic.alias_generators import to_camel


class SettingsDerivationError(ValueError):
    """A derived settings object (``derive``) that fails validation: one line per bad key, its value and why."""

    def __init__(self, model: str, problems: list[str]):
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"invalid derived {model} ({len(problems)} problem(s)):\n{lines}")


class SettingsModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        frozen=True,
    )

    def derive(self, **changes: Any) -> Self:
        """A copy with ``changes`` (field names, snake_case or camelCase), validated like the original.

        pydantic's ``model_copy(update=...)`` skips validation, so a derived object could hold a string where a
        network belongs and fail later, far from the cause; this one refuses bad values here, naming each key.
        Nested settings may be given as models or as mappings.
        """
        by_alias = {f.alias: name for name, f in type(self).model_fields.items() if f.alias}
        data = {**self.model_dump(), **{by_alias.get(key, key): value for key, value in changes.items()}}
        try:
            return type(self).model_validate(data)
        except ValidationError as exc:
            problems = []
            for error in exc.errors():
                loc = ".".join(str(p) for p in error["loc"] if not str(p).startswith("function-"))
                message = error["msg"].removeprefix("Value error, ")
                # A rule of the whole model (subnets inside the VCN) names its keys in its own message.
                problems.append(f"{loc}: {error.get('input')!r} {message}" if loc else message)
            raise SettingsDerivationError(type(self).__name__, problems) from None

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """As pydantic's, except that ``update`` goes through validation (``derive``)."""
        if update:
            return self.derive(**update)
        return super().model_copy(deep=deep)

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
    if isinstance(item, (dict, list)):
        # Rules the pack reads arrive as plain objects (waivers, sanctioned interfaces): compare their content.
        import json

        return ("json", json.dumps(item, sort_keys=True, default=str))
    return item


def _shown(item: Any) -> str:
    name = getattr(item, "name", None)
    if isinstance(item, BaseModel) and isinstance(name, str):
        return f"the name {name!r}"
    if isinstance(item, BaseModel):
        return "the same entry"
    return repr(str(item))
