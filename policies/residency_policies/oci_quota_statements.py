"""Reading OCI compartment-quota statements: which regions a ``zero`` / ``set`` / ``unset`` statement applies in.

Quota statements are OCI's declarative quota language (docs: "Quota Policy Syntax", "Sample Quotas"):

    zero <family> quotas in tenancy where <condition>

``zero`` removes every quota of the service family, ``in tenancy`` covers every compartment, and the
condition is ``request.region`` compared with ``=`` / ``!=``, optionally combined with ``all {..}`` /
``any {..}`` as in IAM policy conditions. The parser lets tests, the policy pack and the audit check what
a statement really does (which regions it zeroes) instead of matching strings; the components write the
statements (``residency_kit/components/oci/quota_statements.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_STATEMENT = re.compile(
    r"^(?P<action>zero|set|unset)\s+(?P<family>[a-z][a-z0-9-]*)\s+"
    r"(?P<quota>quotas|quota\s+(?P<name>/[^/\s]+/|[a-z0-9-]+))"
    r"(?:\s+to\s+(?P<value>[0-9]+))?"
    r"\s+in\s+(?P<scope>tenancy|compartment\s+(?P<compartment>[A-Za-z0-9_.:-]+))"
    r"(?:\s+where\s+(?P<condition>.+))?$",
    re.IGNORECASE,
)
_COMPARISON = re.compile(r"^(?P<variable>request\.region|request\.ad)\s*(?P<op>!=|=)\s*'?(?P<value>[A-Za-z0-9:_-]+)'?$")
_COMBINATOR = re.compile(r"^(?P<kind>all|any)\s*\{(?P<body>.*)\}$", re.IGNORECASE)


@dataclass(frozen=True)
class Comparison:
    variable: str
    op: str
    value: str

    def holds(self, region: str) -> bool:
        if self.variable != "request.region":
            raise ValueError(f"only request.region conditions can be evaluated, not {self.variable}")
        return (region == self.value) if self.op == "=" else (region != self.value)


@dataclass(frozen=True)
class Combination:
    kind: str  # "all" | "any"
    parts: tuple[Comparison, ...]

    def holds(self, region: str) -> bool:
        results = (part.holds(region) for part in self.parts)
        return all(results) if self.kind == "all" else any(results)


@dataclass(frozen=True)
class QuotaStatement:
    action: str
    family: str
    quota_name: str | None
    value: int | None
    scope: str  # "tenancy" or a compartment name/path
    condition: Comparison | Combination | None

    def applies_in(self, region: str) -> bool:
        """Whether the statement takes effect for requests in ``region``."""
        return self.condition is None or self.condition.holds(region)


def _parse_condition(text: str) -> Comparison | Combination:
    text = text.strip()
    combined = _COMBINATOR.match(text)
    if combined:
        parts = tuple(_parse_comparison(p) for p in combined["body"].split(","))
        if not parts:
            raise ValueError(f"empty {combined['kind']} {{}} condition")
        return Combination(combined["kind"].lower(), parts)
    return _parse_comparison(text)


def _parse_comparison(text: str) -> Comparison:
    match = _COMPARISON.match(text.strip())
    if not match:
        raise ValueError(f"not a quota condition: {text.strip()!r}; allowed: request.region|request.ad (=|!=) <value>")
    return Comparison(match["variable"], match["op"], match["value"])


def parse_quota_statement(statement: str) -> QuotaStatement:
    """Parse one quota statement; raises ``ValueError`` if it is not in OCI's quota grammar."""
    match = _STATEMENT.match(statement.strip())
    if not match:
        raise ValueError(f"not a quota statement: {statement!r}")
    action = match["action"].lower()
    if (action == "set") != (match["value"] is not None):
        raise ValueError(f"only set statements carry 'to <value>': {statement!r}")
    if action == "set" and match["quota"].lower() == "quotas":
        raise ValueError(f"set needs one quota name, not 'quotas': {statement!r}")
    condition = _parse_condition(match["condition"]) if match["condition"] else None
    return QuotaStatement(
        action=action,
        family=match["family"],
        quota_name=match["name"],
        value=int(match["value"]) if match["value"] is not None else None,
        scope="tenancy" if match["scope"].lower() == "tenancy" else match["compartment"],
        condition=condition,
    )
