"""Secrets never print: every output shows ``[secret]`` where a value is secret, as the Pulumi CLI does.

Values in wire form carry secrets as signature objects; ``redact`` replaces each by ``[secret]``. Text
that may quote a secret's plain value (a policy's message: pulumi_policy unwraps secrets before policies
see them; a program's exception or output) goes through a ``Scrubber`` built from every secret's plain
text that the run saw.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

SECRET_TEXT = "[secret]"
# The wire form of a secret (pulumi's ``sig.Secret``): ``{SECRET_SIG_KEY: SECRET_SIG, "value": ...}``.
SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
# Shorter secrets are replaced only where they stand as a whole word, so that "ab" does not mangle text.
_SUBSTRING_MIN = 4


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SECRET_SIG_KEY) == SECRET_SIG


def secret(value: Any) -> dict[str, Any]:
    """The wire form of a secret value."""
    return {SECRET_SIG_KEY: SECRET_SIG, "value": value}


def plain(value: Any) -> Any:
    """A wire value with every secret unwrapped."""
    if is_secret(value):
        return plain(value.get("value"))
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def redact(value: Any) -> Any:
    if is_secret(value):
        return SECRET_TEXT
    if isinstance(value, dict):
        return {k: redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def _plain_texts(value: Any, out: set[str]) -> None:
    if isinstance(value, dict):
        for v in value.values():
            _plain_texts(v, out)
    elif isinstance(value, list):
        for v in value:
            _plain_texts(v, out)
    elif isinstance(value, bool):
        return  # "true" in a message reveals nothing worth mangling every message for
    elif isinstance(value, (int, float)):
        out.add(str(value))
    elif isinstance(value, str) and value:
        out.add(value)


def secret_texts(values: Iterable[Any]) -> set[str]:
    """The plain text of every secret inside ``values`` (wire-form property values)."""
    found: set[str] = set()

    def walk(v: Any) -> None:
        if is_secret(v):
            _plain_texts(v.get("value"), found)
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    for value in values:
        walk(value)
    found.discard(SECRET_TEXT)
    return found


class Scrubber:
    def __init__(self, texts: Iterable[str] = ()):
        texts = sorted({t for t in texts if t and t != SECRET_TEXT}, key=len, reverse=True)
        long = [re.escape(t) for t in texts if len(t) >= _SUBSTRING_MIN]
        short = [re.escape(t) for t in texts if len(t) < _SUBSTRING_MIN]
        parts = long + [rf"(?<!\w){t}(?!\w)" for t in short]
        self._pattern = re.compile("|".join(parts)) if parts else None

    def __bool__(self) -> bool:
        return self._pattern is not None

    def scrub(self, text: str) -> str:
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(SECRET_TEXT, text)
