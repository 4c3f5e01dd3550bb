"""Judging OCI IAM policy statements: which other tenancies a policy defines, endorses or admits.

Cross-tenancy access needs three special verbs (OCI "Cross-Tenancy Access Policies"):
``Define tenancy <alias> as <tenancy ocid>`` names the other tenancy, ``Endorse <subject> to ... in
tenancy <alias> | any-tenancy`` lets our principals act there, and ``Admit <subject> of tenancy <alias> |
any-tenancy to ...`` lets theirs act here. Define statements must sit in the same policy as the Endorse
or Admit that uses the alias, so a policy is judged as a whole. Statements are read by
``residency_policies.oci_iam_statements``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from residency_policies.oci_iam_statements import Statement, parse_statement
from residency_policies.values import is_unknown


@dataclass(frozen=True)
class StatementProblem:
    index: int  # position in statements[]; -1 for the whole list
    message: str
    unverifiable: bool = False
    tenancies: tuple[str, ...] = field(default=())


def judge_statements(statements: Any, trusted: frozenset[str], parents: frozenset[str]) -> list[StatementProblem]:
    """Every problem in one policy's statements (issue 5: no untrusted tenancy; parents never trusted).

    ``trusted`` holds the tenancies that may be defined, endorsed or admitted (the estate's own and the trusted
    parties'), ``parents`` the parent company's; both lower-cased tenancy OCIDs. A parent tenancy is refused
    even when ``trusted`` names it too.
    """
    if statements is None:
        return []
    if is_unknown(statements):
        return [StatementProblem(-1, "the policy statements are not known at preview", True)]
    if isinstance(statements, str):
        statements = [statements]
    if not isinstance(statements, list):
        return [StatementProblem(-1, f"is a {type(statements).__name__}, not a list of policy statements; it cannot "
                                 "be checked (fail closed)")]
    parsed: list[Statement] = []
    problems: list[StatementProblem] = []
    for i, text in enumerate(statements):
        if is_unknown(text):
            problems.append(StatementProblem(i, "a statement is not known at preview", True))
            continue
        if not isinstance(text, str):
            # OCI takes statements as strings; anything else cannot be read, so it cannot be shown harmless.
            problems.append(StatementProblem(i, f"is a {type(text).__name__}, not a policy statement; it cannot be "
                                             "checked (fail closed): give each statement as a string"))
            continue
        parsed.append(parse_statement(text, i))

    aliases: dict[str, str] = {}
    for st in parsed:
        if st.definition is not None and st.definition.kind == "tenancy":
            alias, target = st.definition.key, st.definition.target
            ocid = target.lower()
            aliases[alias] = ocid
            if ocid in parents:
                problems.append(StatementProblem(st.index, f"defines parent-company tenancy {target} as '{alias}'",
                                                 tenancies=(ocid,)))
            elif ocid not in trusted:
                problems.append(StatementProblem(st.index, f"defines tenancy {target} ('{alias}'), which is "
                                                 "neither an estate nor a trusted tenancy", tenancies=(ocid,)))

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
                                                     "neither an estate nor a trusted tenancy", tenancies=(ocid,)))
        elif st.any_subject == "any-user" and not st.has_where:
            problems.append(StatementProblem(st.index, "allows any-user without a where clause: it also covers "
                                             "principals admitted from other tenancies"))
    # Define-only problems come first; keep the statement order for readable reports.
    return sorted(problems, key=lambda p: p.index)
