"""Reading OCI IAM policy statements: the verb, the tenancies a statement defines or names, its subject.

Cross-tenancy access needs three special verbs (OCI "Cross-Tenancy Access Policies"):
``Define tenancy <alias> as <tenancy ocid>`` names the other tenancy, ``Endorse <subject> to ... in
tenancy <alias> | any-tenancy`` lets our principals act there, and ``Admit <subject> of tenancy <alias> |
any-tenancy to ...`` lets theirs act here. Keywords are case-insensitive. The one home for parsing
statements: the components (which write them), their tests and the pack (which judges them) use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_DEFINE_RE = re.compile(
    r"^\s*define\s+(?P<kind>tenancy|group|dynamic-group)\s+(?P<alias>\S+)\s+as\s+(?P<target>\S+)", re.I)
_VERB_RE = re.compile(r"^\s*(?P<verb>define|endorse|admit|allow)\b", re.I)
# "tenancy <alias>" after in/of. A bare "in tenancy" (own tenancy) is followed by nothing or "where".
_TENANCY_REF_RE = re.compile(r"\b(?:in|of)\s+tenancy\s+(?P<alias>[^\s,()']+|'[^']+')", re.I)
_ANY_TENANCY_RE = re.compile(r"\bany-tenancy\b", re.I)
_SUBJECT_RE = re.compile(r"^\s*(?:endorse|admit|allow)\s+(?P<subject>any-user|any-group)\b", re.I)
_WHERE_RE = re.compile(r"\bwhere\b", re.I)
_NOT_ALIASES = frozenset({"where", "to", "with", "in", "of"})

CROSS_TENANCY_VERBS = frozenset({"define", "endorse", "admit"})


@dataclass(frozen=True)
class Definition:
    """``Define <kind> <alias> as <target>``; ``alias`` as written (OCI matches aliases case-insensitively)."""

    kind: str  # tenancy | group | dynamic-group
    alias: str
    target: str

    @property
    def key(self) -> str:
        return self.alias.lower()


@dataclass(frozen=True)
class Statement:
    index: int
    text: str
    verb: str  # define | endorse | admit | allow | other
    definition: Definition | None = None
    tenancy_aliases: tuple[str, ...] = ()  # aliases (lower-cased) named by "in/of tenancy <alias>"
    any_tenancy: bool = False
    any_subject: str | None = None  # any-user / any-group
    has_where: bool = False

    @property
    def cross_tenancy(self) -> bool:
        return self.verb in CROSS_TENANCY_VERBS


def parse_statement(text: str, index: int = 0) -> Statement:
    """Read one statement. Never raises: a statement of no known verb has ``verb == "other"``."""
    verb_match = _VERB_RE.match(text)
    verb = verb_match["verb"].lower() if verb_match else "other"
    define = _DEFINE_RE.match(text)
    definition = None
    if define:
        definition = Definition(define["kind"].lower(), define["alias"].strip("'\""), define["target"].strip("'\""))
    aliases = tuple(
        a for a in (m["alias"].strip("'").lower() for m in _TENANCY_REF_RE.finditer(text))
        if a not in _NOT_ALIASES
    )
    subject = _SUBJECT_RE.match(text)
    return Statement(
        index=index,
        text=text,
        verb=verb,
        definition=definition,
        tenancy_aliases=aliases if verb in ("endorse", "admit") else (),
        any_tenancy=bool(_ANY_TENANCY_RE.search(text)) and verb in ("endorse", "admit"),
        any_subject=subject["subject"].lower() if subject else None,
        has_where=bool(_WHERE_RE.search(text)),
    )


def is_cross_tenancy(text: str) -> bool:
    """True for ``Define``, ``Endorse`` and ``Admit`` statements."""
    return parse_statement(text).cross_tenancy


def defined_tenancies(statements: Iterable[str]) -> dict[str, str]:
    """Alias (as written) -> tenancy OCID for every ``Define tenancy <alias> as <ocid>`` statement."""
    found: dict[str, str] = {}
    for text in statements:
        definition = parse_statement(text).definition
        if definition is not None and definition.kind == "tenancy":
            found[definition.alias] = definition.target
    return found
