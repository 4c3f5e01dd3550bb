"""Answers a team pins for its own lookups: ``residency-invokes.yaml`` next to ``Pulumi.yaml``.

```yaml
invokes:
  - token: aws:ec2/getVpc:getVpc          # the function's token (case of the module is ignored)
    args: {default: true}                  # optional: the call matches when these arguments are equal
    result:                                # the fields to answer; they win over the offline answer
      id: vpc-0a1b2c3d4e5f60718
      cidrBlock: 10.20.0.0/16
```

Argument and result keys may be written as the SDK's Python names (``cidr_block``) or the wire names
(``cidrBlock``). The first entry whose token and arguments match answers the call; fields it does not
give keep the offline answer (and stay listed as assumed or unknown).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PINNED_FILE = "residency-invokes.yaml"


class PinnedAnswersError(ValueError):
    """The fixtures file is malformed; the message names the file, the entry and the key."""


def camel(name: str) -> str:
    return re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), name)


def _camel_keys(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {camel(str(k)): _camel_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel_keys(v) for v in value]
    return value


@dataclass(frozen=True)
class PinnedAnswer:
    token: str
    args: dict[str, Any]
    result: dict[str, Any]
    where: str

    def matches(self, token: str, args: Mapping[str, Any]) -> bool:
        if token.lower() != self.token.lower():
            return False
        normalized = _camel_keys(dict(args))
        return all(normalized.get(k) == v for k, v in self.args.items())


@dataclass
class PinnedAnswers:
    path: Path | None = None
    answers: list[PinnedAnswer] = field(default_factory=list)

    def find(self, token: str, args: Mapping[str, Any]) -> PinnedAnswer | None:
        return next((a for a in self.answers if a.matches(token, args)), None)


def load_pinned_answers(project_root: Path) -> PinnedAnswers:
    path = project_root / PINNED_FILE
    if not path.is_file():
        return PinnedAnswers()
    try:
        doc = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as err:
        raise PinnedAnswersError(f"{path}: invalid YAML: {err}") from None
    if not isinstance(doc, Mapping) or set(doc) - {"invokes"}:
        raise PinnedAnswersError(f"{path}: expected a mapping with one key, 'invokes' (a list of pinned answers)")
    entries = doc.get("invokes", [])
    entries = [] if entries is None else entries
    if not isinstance(entries, list):
        raise PinnedAnswersError(f"{path}: key 'invokes' must be a list, got {type(entries).__name__}")
    answers = []
    for i, entry in enumerate(entries):
        where = f"{path}: invokes[{i}]"
        if not isinstance(entry, Mapping):
            raise PinnedAnswersError(f"{where}: expected a mapping with token, args (optional) and result")
        unknown = set(entry) - {"token", "args", "result"}
        if unknown:
            raise PinnedAnswersError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}; allowed: token, args, result")
        token = entry.get("token")
        if not isinstance(token, str) or token.count(":") != 2 or "/" not in token:
            raise PinnedAnswersError(f"{where}.token: {token!r} is not a function token like aws:ec2/getVpc:getVpc")
        args = entry.get("args") or {}
        result = entry.get("result")
        if not isinstance(args, Mapping):
            raise PinnedAnswersError(f"{where}.args: expected a mapping of argument names to values")
        if not isinstance(result, Mapping) or not result:
            raise PinnedAnswersError(f"{where}.result: expected a non-empty mapping of result fields to values")
        answers.append(PinnedAnswer(token, _camel_keys(dict(args)), _camel_keys(dict(result)), where))
    return PinnedAnswers(path, answers)
