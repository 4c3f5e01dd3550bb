"""OCI compartment-quota statements that lock a tenancy to its allowed regions, and a parser for them.

Quota statements are OCI's declarative quota language (docs: "Quota Policy Syntax", "Sample Quotas"):

    zero <family> quotas in tenancy where <condition>

``zero`` removes every quota of the service family, ``in tenancy`` covers every compartment, and the
condition is ``request.region`` compared with ``=`` / ``!=``, optionally combined with ``all {..}`` /
``any {..}`` as in IAM policy conditions. The OCI Landing Zones sovereign-controls add-on uses the
same ``zero ... in tenancy where request.region != '<region>'`` form for a one-region lock.

The parser exists so that tests, the policy pack and the audit can check what a statement really
does (which regions it zeroes) instead of matching strings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Service families that create or hold data or open network paths. Sources: OCI "Available Quotas by
# Service" family names as used in Oracle's landing-zone and sample quotas. Families an operator
# needs can be added through IsolatedTenancyArgs.quota_families.
DATA_BEARING_QUOTA_FAMILIES: tuple[str, ...] = (
    "compute",
    "compute-core",
    "compute-memory",
    "block-storage",
    "object-storage",
    "filesystem",
    "database",
    "nosql",
    "postgresql",
    "vcn",
    "load-balancer",
    "container-engine",
    "streaming",
    "analytics",
)

_FAMILY = re.compile(r"^[a-z][a-z0-9-]*$")
_REGION = re.compile(r"^[a-z]+(?:-[a-z]+)+-[0-9]+$")


def region_condition(allowed_regions: Sequence[str]) -> str:
    """The condition that holds in every region except the allowed ones."""
    if not allowed_regions:
        raise ValueError("allowed_regions: () is empty; allowed: at least one region identifier")
    for region in allowed_regions:
        if not _REGION.match(region):
            raise ValueError(f"allowed_regions: {region!r} is not an OCI region identifier; allowed: e.g. 'us-ashburn-1'")
    unique = list(dict.fromkeys(allowed_regions))
    clauses = [f"request.region != '{region}'" for region in unique]
    if len(clauses) == 1:
        return clauses[0]
    # A request is zeroed only when its region differs from *every* allowed region.
    return "all {" + ", ".join(clauses) + "}"


def zero_family_statement(family: str, condition: str | None = None) -> str:
    if not _FAMILY.match(family):
        raise ValueError(f"quota_families: {family!r} is not a quota service family name; allowed: e.g. 'compute-core'")
    statement = f"zero {family} quotas in tenancy"
    return f"{statement} where {condition}" if condition else statement


def region_lock_statements(
    allowed_regions: Sequence[str], families: Iterable[str] = DATA_BEARING_QUOTA_FAMILIES
) -> list[str]:
    """One ``zero`` statement per family, applying in every region that is not allowed."""
    condition = region_condition(allowed_regions)
    return [zero_family_statement(family, condition) for family in dict.fromkeys(families)]


# --- Parsing ------------------------------------------------------------------------------------

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
