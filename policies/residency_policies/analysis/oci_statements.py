"""OCI IAM policy statements: which other tenancies a policy defines, endorses or admits.

Cross-tenancy access needs three special verbs (OCI "Cross-Tenancy Access Policies"):
``Define tenancy <alias> as <tenancy ocid>`` names the other tenancy, ``Endorse <subject> to ... in
tenancy <alias> | any-tenancy`` lets our principals act there, and ``Admit <subject> of tenancy <alias> |
any-tenancy to ...`` lets theirs act here. Define statements must sit in the same policy as the Endorse
or Admit that uses the alias, so a policy is judged as a whole. Keywords are case-insensitive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from residency_policies.values import is_unknown

_DEFINE_RE = re.compile(
    r"^\s*define\s+(?P<kind>tenancy|group|dynamic-group)\s+(?P<alias>\S+)\s+as\s+(?P<target>\S+)", re.I)
_VERB_RE = re.compile(r"^\s*(?P<verb>define|endorse|admit|allow)\b", re.I)
# "tenancy <alias>" after in/of/with. A bare "in tenancy" (own tenancy) is followed by nothing or "where".
_TENANCY_REF_RE = re.compile(r"\b(?:in|of)\s+tenancy\s+(?P<alias>[^\s,()']+|'[^']+')", re.I)
_ANY_TENANCY_RE = re.compile(r"\bany-tenancy\b", re.I)
_SUBJECT_RE = re.compile(r"^\s*(?:endorse|admit|allow)\s+(?P<subject>any-user|any-group)\b", re.I)
_WHERE_RE = re.compile(r"\bwhere\b", re.I)
_NOT_ALIASES = frozenset({"where", "to", "with", "in", "of"})


@dataclass(frozen=True)
class Statement:
    index: int
    text: str
    verb: str  # define | endorse | admit | allow | other
    defines: tuple[str, str, str] | None = None  # (kind, alias lower-cased, target)
    tenancy_aliases: tuple[str, ...] = ()  # aliases (lower-cased) named by "in/of tenancy <alias>"
    any_tenancy: bool = False
    any_subject: str | None = None  # any-user / any-group
    has_where: bool = False


def parse_statement(index: int, text: str) -> Statement:
    verb_match = _VERB_RE.match(text)
    verb = verb_match["verb"].lower() if verb_match else "other"
    define = _DEFINE_RE.match(text)
    defines = None
    if define:
        defines = (define["kind"].lower(), define["alias"].strip("'\"").lower(), define["target"].strip("'\""))
    aliases = tuple(
        a for a in (m["alias"].strip("'").lower() for m in _TENANCY_REF_RE.finditer(text))
        if a not in _NOT_ALIASES
    )
    subject = _SUBJECT_RE.match(text)
    return Statement(
        index=index,
        text=text,
        verb=verb,
        defines=defines,
        tenancy_aliases=aliases if verb in ("endorse", "admit") else (),
        any_tenancy=bool(_ANY_TENANCY_RE.search(text)) and verb in ("endorse", "admit"),
        any_subject=subject["subject"].lower() if subject else None,
        has_where=bool(_WHERE_RE.search(text)),
    )


@dataclass(frozen=True)
class StatementProblem:
    index: int  # position in statements[]; -1 for the whole list
    message: str
    unverifiable: bool = False
    tenancies: tuple[str, ...] = field(default=())


def judge_statements(statements: Any, trusted: frozenset[str], parents: frozenset[str]) -> list[StatementProblem]:
    """Every problem in one policy's statements (issue 5: no untrusted tenancy; parents never trusted).

    ``trusted`` and ``parents`` hold lower-cased tenancy OCIDs.
    """
    if statements is None:
        return []
    if is_unknown(statements):
        return [StatementProblem(-1, "the policy statements are not known at preview", True)]
    if isinstance(statements, str):
        statements = [statements]
    if not isinstance(statements, list):
        return [StatementProblem(-1, f"statements is a {type(statements).__name__}, not a list of statements")]
    parsed: list[Statement] = []
    problems: list[StatementProblem] = []
    for i, text in enumerate(statements):
        if is_unknown(text):
            problems.append(StatementProblem(i, "a statement is not known at preview", True))
            continue
        if not isinstance(text, str):
            continue
        parsed.append(parse_statement(i, text))

    aliases: dict[str, str] = {}
    for st in parsed:
        if st.defines and st.defines[0] == "tenancy":
            _, alias, target = st.defines
            ocid = target.lower()
            aliases[alias] = ocid
            if ocid in parents:
                problems.append(StatementProblem(st.index, f"defines parent-company tenancy {target} as '{alias}'",
                                                 tenancies=(ocid,)))
            elif ocid not in trusted:
                problems.append(StatementProblem(st.index, f"defines tenancy {target} ('{alias}'), which is not "
                                                 "a trusted tenancy", tenancies=(ocid,)))

    for st in parsed:
        if st.verb not in ("endorse", "admit", "allow"):
            continue
        if st.any_tenancy:
            problems.append(StatementProblem(st.index, f"{st.verb}s any-tenancy: every tenancy, including the "
                                             "parent company's, is reached"))
        if st.verb in ("endorse", "admit"):
            if st.any_subject:
                problems.append(StatementProblem(st.index, f"{st.verb}s {st.any_subject} across tenancies"))
            for alias in st.tenancy_aliases:
                ocid = aliases.get(alias)
                if ocid is None:
                    if alias.startswith("ocid1.tenancy."):
                        ocid = alias
                    else:
                        problems.append(StatementProblem(
                            st.index, f"{st.verb}s tenancy '{alias}', which no Define statement in this policy "
                            "names, so the tenancy cannot be verified", unverifiable=True))
                        continue
                if ocid in parents:
                    problems.append(StatementProblem(st.index, f"{st.verb}s parent-company tenancy '{alias}' ({ocid})",
                                                     tenancies=(ocid,)))
                elif ocid not in trusted:
                    problems.append(StatementProblem(st.index, f"{st.verb}s tenancy '{alias}' ({ocid}), which is "
                                                     "not a trusted tenancy", tenancies=(ocid,)))
        elif st.any_subject == "any-user" and not st.has_where:
            problems.append(StatementProblem(st.index, "allows any-user without a where clause: it also covers "
                                             "principals admitted from other tenancies"))
    # Define-only problems come first; keep the statement order for readable reports.
    return sorted(problems, key=lambda p: p.index)
