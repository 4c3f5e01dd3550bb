"""Who an AWS policy document (or a single principal string) lets in.

Policy documents reach a policy as a JSON string or, for the inputs typed ``str | PolicyDocument``, as an
object; both are read. A statement grants only when its Effect is not ``Deny`` ("Deny never grants"); a
statement without Principal/NotPrincipal is an identity policy and grants nobody new. Each granted
principal is classified into a ``Party``; ``judge_party`` then decides against the rules' trusted and
parent-company identifiers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from collections.abc import Iterator

from residency_policies.aws_identifiers import ACCOUNT_ID_RE as ACCOUNT_RE
from residency_policies.aws_identifiers import ARN_RE
from residency_policies.aws_identifiers import ORGANIZATION_ID_RE as ORG_RE
from residency_policies.aws_identifiers import ORGANIZATION_IN_ARN_RE as ORG_IN_ARN_RE
from residency_policies.values import is_unknown

if TYPE_CHECKING:
    from residency_policies.rules_file import Rules


# Party kinds
ANYONE = "anyone"
ACCOUNT = "account"
ORGANIZATION = "organization"
SERVICE = "service"
EXTERNAL_IDP = "external-identity-provider"
UNVERIFIABLE = "unverifiable"  # set, but names nobody we can map to an account or org
UNKNOWN = "unknown"  # not known at preview

# Web identity providers an AWS Federated principal may name that are not AWS itself.
_AWS_FEDERATION_SERVICES = frozenset({"cognito-identity.amazonaws.com"})

# Condition keys whose values say which account/org the caller (or the calling resource) belongs to.
# ``aws:ResourceAccount`` / ``aws:ResourceOrgID`` are deliberately absent: they describe the resource being
# accessed (always the owner's own account on a resource policy), not the caller, so ``Principal: "*"``
# limited by them is still open to every account.
_ACCOUNT_KEYS = frozenset({"aws:principalaccount", "aws:sourceaccount"})
_ORG_KEYS = frozenset({"aws:principalorgid", "aws:sourceorgid"})
_ORG_PATH_KEYS = frozenset({"aws:principalorgpaths", "aws:sourceorgpaths"})
_ARN_KEYS = frozenset({"aws:principalarn", "aws:sourcearn", "aws:sourceowner"})
# Operators that only let matching requests through (so they *limit* who is granted). "IfExists"
# variants and negations do not limit: a request without the key passes them.
_LIMITING_OPERATORS = frozenset({
    "stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike",
    "foranyvalue:stringequals", "foranyvalue:stringlike", "foranyvalue:stringequalsignorecase",
})


@dataclass(frozen=True)
class Party:
    """One party a grant reaches."""

    kind: str
    value: Any
    account: str | None = None
    organization: str | None = None
    path: str = ""

    def describe(self) -> str:
        if self.kind == ANYONE:
            return "anyone ('*')"
        if self.kind == ACCOUNT:
            return f"AWS account {self.account} ({self.value})" if self.value != self.account else f"AWS account {self.account}"
        if self.kind == ORGANIZATION:
            return f"AWS organization {self.organization}"
        if self.kind == SERVICE:
            return f"AWS service {self.value}"
        if self.kind == EXTERNAL_IDP:
            return f"external identity provider {self.value}"
        if self.kind == UNKNOWN:
            return "a principal not known at preview"
        return f"principal {self.value!r}, whose account cannot be determined"


@dataclass(frozen=True)
class Limit:
    """What a statement's conditions restrict the caller to."""

    accounts: frozenset[str] = frozenset()
    organizations: frozenset[str] = frozenset()
    unknown: bool = False  # a limiting condition value is not known at preview
    wildcard: bool = False  # a limiting condition uses a pattern we cannot pin to one party
    paths: tuple[str, ...] = ()

    @property
    def limits(self) -> bool:
        return bool(self.accounts or self.organizations)


@dataclass(frozen=True)
class Grant:
    """A party reached by one Allow statement, with the statement's limiting conditions."""

    party: Party
    limit: Limit = field(default_factory=Limit)
    statement: int = 0


@dataclass(frozen=True)
class DocumentProblem:
    """A document (or statement) that cannot be read: unknown at preview (``unverifiable``) or malformed.

    Either way what it grants cannot be known, so it is a failing grant (fail closed): a malformed document
    is reported as "cannot be verified" with its defect, never skipped.
    """

    path: str
    message: str
    unverifiable: bool

    @property
    def malformed(self) -> bool:
        return not self.unverifiable


def _malformed(path: str, what: str) -> DocumentProblem:
    return DocumentProblem(path, f"cannot be verified: {what}, so what it grants cannot be read and it is treated "
                                 "as a grant to anyone (fail closed); fix the policy document", False)


def classify_principal(value: Any, *, key: str = "AWS", path: str = "") -> Party:
    """Classify one principal value found under Principal.<key> (or a bare principal input)."""
    if is_unknown(value):
        return Party(UNKNOWN, value, path=path)
    if not isinstance(value, str):
        return Party(UNVERIFIABLE, value, path=path)
    text = value.strip()
    if text == "*":
        return Party(ANYONE, text, path=path)
    upper_key = key.upper()
    if upper_key == "SERVICE" or (text.endswith(".amazonaws.com") and upper_key != "FEDERATED") \
            or text.endswith(".amazonaws.com.cn"):
        return Party(SERVICE, text, path=path)
    if ACCOUNT_RE.match(text):
        return Party(ACCOUNT, text, account=text, path=path)
    if ORG_RE.match(text):
        return Party(ORGANIZATION, text, organization=text, path=path)
    match = ARN_RE.match(text)
    if match:
        account = match["account"]
        org = ORG_IN_ARN_RE.search(match["resource"])
        if match["service"] == "organizations" and org:
            return Party(ORGANIZATION, text, organization=org.group(1), path=path)
        if ACCOUNT_RE.match(account):
            return Party(ACCOUNT, text, account=account, path=path)
        return Party(UNVERIFIABLE, text, path=path)
    if upper_key == "FEDERATED":
        if text in _AWS_FEDERATION_SERVICES:
            return Party(SERVICE, text, path=path)
        return Party(EXTERNAL_IDP, text, path=path)
    return Party(UNVERIFIABLE, text, path=path)


def load_document(value: Any) -> tuple[Any, DocumentProblem | None]:
    """The document as an object; a JSON string is decoded. ``(None, None)`` when absent."""
    if value is None:
        return None, None
    if is_unknown(value):
        return None, DocumentProblem("", "the policy document is not known at preview", True)
    if isinstance(value, str):
        if not value.strip():
            # Set, but empty: no document AWS would accept, so what it grants cannot be shown (fail closed).
            return None, _malformed("", "the policy document is an empty string, not a JSON policy document")
        try:
            value = json.loads(value)
        except ValueError as exc:
            return None, _malformed("", f"the policy document is not valid JSON ({exc})")
    if isinstance(value, dict):
        if value and _get_ci(value, "Statement") is None:
            return None, _malformed("", "the policy document has no Statement")
        return value, None
    if isinstance(value, list):
        return value, None
    return None, _malformed("", f"the policy document is a {type(value).__name__} ({value!r:.40}), not a JSON object")


def _get_ci(mapping: dict, name: str) -> Any:
    for k, v in mapping.items():
        if isinstance(k, str) and k.lower() == name.lower():
            return v
    return None


def statements(document: Any) -> Iterator[tuple[int, Any]]:
    """``(index, statement)`` for a document's Statement (a list or a single object)."""
    if isinstance(document, dict):
        body = _get_ci(document, "Statement")
        if isinstance(body, list):
            yield from enumerate(body)
        elif body is not None or document:
            yield 0, body
    elif isinstance(document, list):
        # OpenSearch Serverless access policies are a list of rule sets, each with a Principal list.
        yield from enumerate(document)


def _values(raw: Any) -> list[Any]:
    if raw is None:
        return []
    return raw if isinstance(raw, list) else [raw]


def statement_limit(condition: Any, path: str) -> Limit:
    """The accounts/orgs a statement's Condition block restricts callers to (empty when it does not)."""
    if is_unknown(condition):
        return Limit(unknown=True, paths=(path,))
    if not isinstance(condition, dict):
        return Limit()
    accounts: set[str] = set()
    orgs: set[str] = set()
    unknown = wildcard = False
    paths: list[str] = []
    for operator, block in condition.items():
        op = str(operator).lower()
        if op not in _LIMITING_OPERATORS:
            continue
        if is_unknown(block):
            unknown = True
            paths.append(f"{path}.{operator}")
            continue
        if not isinstance(block, dict):
            continue
        for key, raw in block.items():
            lkey = str(key).lower()
            if lkey not in _ACCOUNT_KEYS | _ORG_KEYS | _ORG_PATH_KEYS | _ARN_KEYS:
                continue
            values = _values(raw)
            if not values:
                continue
            here = f"{path}.{operator}.{key}"
            key_accounts: set[str] = set()
            key_orgs: set[str] = set()
            key_ok = True
            for v in values:
                if is_unknown(v):
                    unknown = True
                    paths.append(here)
                    key_ok = False
                    continue
                if not isinstance(v, str):
                    key_ok = False
                    continue
                text = v.strip()
                if lkey in _ORG_PATH_KEYS:
                    org = text.split("/", 1)[0]
                    if ORG_RE.match(org):
                        key_orgs.add(org)
                        continue
                elif "*" in text or "?" in text:
                    if lkey in _ARN_KEYS:
                        arn = ARN_RE.match(text)
                        if arn and ACCOUNT_RE.match(arn["account"]):
                            key_accounts.add(arn["account"])
                            continue
                    wildcard = True
                    key_ok = False
                    continue
                elif lkey in _ACCOUNT_KEYS and ACCOUNT_RE.match(text):
                    key_accounts.add(text)
                    continue
                elif lkey in _ORG_KEYS and ORG_RE.match(text):
                    key_orgs.add(text)
                    continue
                elif lkey in _ARN_KEYS:
                    arn = ARN_RE.match(text)
                    if arn and ACCOUNT_RE.match(arn["account"]):
                        key_accounts.add(arn["account"])
                        continue
                    if ACCOUNT_RE.match(text):
                        key_accounts.add(text)
                        continue
                key_ok = False
            if key_ok:
                # Conditions are ANDed: the narrowest key found wins; keep them all, callers check each.
                accounts |= key_accounts
                orgs |= key_orgs
    return Limit(frozenset(accounts), frozenset(orgs), unknown, wildcard, tuple(paths))


def _effect_denies(statement: dict) -> bool:
    effect = _get_ci(statement, "Effect")
    return isinstance(effect, str) and not is_unknown(effect) and effect.strip().lower() == "deny"


def grants(document: Any, base_path: str = "") -> tuple[list[Grant], list[DocumentProblem]]:
    """Every party an already-loaded document's Allow statements reach."""
    found: list[Grant] = []
    problems: list[DocumentProblem] = []
    for index, statement in statements(document):
        spath = f"{base_path}Statement[{index}]" if isinstance(document, dict) else f"{base_path}[{index}]"
        if is_unknown(statement):
            problems.append(DocumentProblem(spath, "a statement is not known at preview", True))
            continue
        if not isinstance(statement, dict):
            problems.append(_malformed(spath, f"statement {spath or index} is a {type(statement).__name__} "
                                              f"({statement!r:.40}), not an object"))
            continue
        if _effect_denies(statement):
            continue
        principal = _get_ci(statement, "Principal")
        not_principal = _get_ci(statement, "NotPrincipal")
        limit = statement_limit(_get_ci(statement, "Condition"), f"{spath}.Condition")
        if not_principal is not None:
            # Allow + NotPrincipal grants everyone except the listed principals.
            found.append(Grant(Party(ANYONE, "NotPrincipal", path=f"{spath}.NotPrincipal"), limit, index))
        if principal is None:
            continue
        for party in _principal_parties(principal, f"{spath}.Principal"):
            found.append(Grant(party, limit, index))
    return found, problems


def _principal_parties(principal: Any, path: str) -> Iterator[Party]:
    if is_unknown(principal):
        yield Party(UNKNOWN, principal, path=path)
        return
    if isinstance(principal, str):
        yield classify_principal(principal, path=path)
        return
    if isinstance(principal, list):  # OpenSearch Serverless: a plain list of principal ARNs
        for i, item in enumerate(principal):
            yield classify_principal(item, path=f"{path}[{i}]")
        return
    if not isinstance(principal, dict):
        yield Party(UNVERIFIABLE, principal, path=path)
        return
    for key, raw in principal.items():
        if is_unknown(raw):
            yield Party(UNKNOWN, raw, path=f"{path}.{key}")
            continue
        values = _values(raw)
        for i, item in enumerate(values):
            here = f"{path}.{key}[{i}]" if isinstance(raw, list) else f"{path}.{key}"
            if str(key).lower() == "canonicaluser":
                if is_unknown(item):
                    yield Party(UNKNOWN, item, path=here)
                else:
                    yield Party(UNVERIFIABLE, item, path=here)
                continue
            yield classify_principal(item, key=str(key), path=here)


@dataclass(frozen=True)
class Trust:
    """The identifiers a judgement is made against (from the rules, ``trust_of``).

    An account may be granted when it is the estate's own (``estate.awsAccountIds``: a KMS key policy naming
    ``arn:aws:iam::<estate account>:root``, a bucket policy for the estate account, peering inside it) or a
    trusted party's; a parent-company account never is, even if a list names it twice.
    """

    trusted_accounts: frozenset[str] = frozenset()
    trusted_organizations: frozenset[str] = frozenset()
    parent_accounts: frozenset[str] = frozenset()
    parent_organizations: frozenset[str] = frozenset()
    estate_accounts: frozenset[str] = frozenset()

    def account_ok(self, account: str | None) -> bool:
        return (account in self.trusted_accounts or account in self.estate_accounts) \
            and account not in self.parent_accounts

    def organization_ok(self, org: str | None) -> bool:
        return org in self.trusted_organizations and org not in self.parent_organizations


def trust_of(rules: Rules) -> Trust:
    """The ``Trust`` of a ``rules_file.Rules``: its estate and trusted identifiers against its parent's ones.
    The one place every policy that judges an AWS grant or peer builds it."""
    return Trust(rules.trusted_aws_account_ids, rules.trusted_aws_organization_ids,
                 rules.parent_aws_account_ids, rules.parent_aws_organization_ids,
                 rules.estate_aws_account_ids)


@dataclass(frozen=True)
class Verdict:
    """A judged grant: ``ok`` or a message; ``unverifiable`` when the deciding value is unknown."""

    ok: bool
    message: str = ""
    unverifiable: bool = False
    path: str = ""
    unknown_principal: bool = False
    """The principal itself (or the whole document / statement that names it) is unknown at preview: a
    stack policy can still tell whether it is only the ARN of a principal created in the same stack."""


def _limit_verdict(limit: Limit, trust: Trust) -> Verdict | None:
    """Whether conditions restrict the grant to trusted parties: ok, violation, or None (no limit)."""
    bad = sorted(a for a in limit.accounts if not trust.account_ok(a)) + \
        sorted(o for o in limit.organizations if not trust.organization_ok(o))
    if bad:
        parent = [b for b in bad if b in trust.parent_accounts or b in trust.parent_organizations]
        who = "parent-company" if parent else "untrusted"
        return Verdict(False, f"its condition admits {who} " + ", ".join(bad))
    if limit.limits:
        return Verdict(True)
    if limit.unknown:
        return Verdict(False, "the condition limiting it is not known at preview", True,
                       limit.paths[0] if limit.paths else "")
    return None


def judge_grant(grant: Grant, trust: Trust) -> Verdict:
    """Decide one grant (issue 5: parent or unlisted accounts, and '*' unless limited to the trusted org)."""
    party = grant.party
    conditioned = _limit_verdict(grant.limit, trust)
    if party.kind == SERVICE:
        # A service acting for a parent-company resource is a grant to the parent; own-account
        # confused-deputy conditions (usually unlisted) are fine.
        if conditioned is not None and not conditioned.ok and not conditioned.unverifiable:
            named = grant.limit.accounts & trust.parent_accounts or grant.limit.organizations & trust.parent_organizations
            if named:
                return Verdict(False, f"{party.describe()} acting for parent-company " + ", ".join(sorted(named)),
                               path=party.path)
        return Verdict(True)
    if party.kind == UNKNOWN:
        if conditioned is not None and conditioned.ok:
            return Verdict(True)
        return Verdict(False, "grants a principal that is not known at preview", True, party.path,
                       unknown_principal=True)
    if party.kind == ACCOUNT:
        if party.account in trust.parent_accounts:
            return Verdict(False, f"grants {party.describe()} of the parent company", path=party.path)
        if trust.account_ok(party.account):
            return conditioned if conditioned is not None and not conditioned.ok else Verdict(True)
        if conditioned is not None and conditioned.ok:
            return Verdict(True)
        return Verdict(False, f"grants {party.describe()}, which is neither an estate account nor a trusted "
                              "account", path=party.path)
    if party.kind == ORGANIZATION:
        if party.organization in trust.parent_organizations:
            return Verdict(False, f"grants {party.describe()} of the parent company", path=party.path)
        if trust.organization_ok(party.organization):
            return Verdict(True)
        return Verdict(False, f"grants {party.describe()}, which is not a trusted organization", path=party.path)
    if party.kind == ANYONE:
        if conditioned is None:
            return Verdict(False, "grants anyone ('*') without a condition limiting it to a trusted "
                                  "organization or account (aws:PrincipalOrgID / aws:PrincipalAccount)",
                           path=party.path)
        if conditioned.ok:
            return Verdict(True)
        return Verdict(False, f"grants anyone ('*'): {conditioned.message}", conditioned.unverifiable,
                       conditioned.path or party.path)
    if party.kind == EXTERNAL_IDP:
        return Verdict(False, f"grants users of {party.describe()}", path=party.path)
    if conditioned is not None and conditioned.ok:
        return Verdict(True)
    return Verdict(False, f"grants {party.describe()}; name it by account ARN or a trusted account ID",
                   path=party.path)


def judge_document(value: Any, trust: Trust, base_path: str = "") -> list[Verdict]:
    """Every failing verdict for a policy document given as JSON string or object."""
    document, problem = load_document(value)
    if problem is not None:
        return [Verdict(False, problem.message, problem.unverifiable, base_path.rstrip("."),
                        unknown_principal=problem.unverifiable)]
    if document is None:
        return []
    found, problems = grants(document, base_path)
    failing = [Verdict(False, p.message, p.unverifiable, p.path, unknown_principal=p.unverifiable) for p in problems]
    for grant in found:
        verdict = judge_grant(grant, trust)
        if not verdict.ok:
            failing.append(verdict)
    return failing


def judge_principal(value: Any, trust: Trust, *, path: str = "", limit: Limit | None = None,
                    key: str = "AWS") -> Verdict:
    """Judge a bare principal input (lambda permission, KMS grant, RAM association, ...)."""
    return judge_grant(Grant(classify_principal(value, key=key, path=path), limit or Limit()), trust)


def account_of_arn(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    match = ARN_RE.match(value.strip())
    if match and ACCOUNT_RE.match(match["account"]):
        return match["account"]
    return None



# --- S3 access control lists -------------------------------------------------------------------------

# The canonical user of AWS's own log-delivery account (``awslogsdelivery``), which CloudFront standard
# logging needs on the log bucket's ACL (AWS CloudFront developer guide, "standard logging").
AWS_LOG_DELIVERY_CANONICAL_ID = "c4c1ede66af53448b93c283ce9448c4ba468c9432aa01d700d3878632f77d2d0"
LOG_DELIVERY_GROUP = "http://acs.amazonaws.com/groups/s3/LogDelivery"


def judge_acl_grantee(kind: Any, *, canonical_id: Any = None, email: Any = None, uri: Any = None,
                      owner_ids: frozenset[str] = frozenset(), path: str = "") -> Verdict:
    """One S3 ACL grantee (bucket / object ACL, log target grant, Elastic Transcoder permission).

    ``CanonicalUser`` is the owner's own only when it is the ACL's owner ID (or AWS log delivery); a
    canonical ID names an account but cannot be mapped to an account ID, so any other one is a grant
    outside the estate. E-mail grantees name another AWS account by its root e-mail, always outside what
    the rules can verify. Public groups are ``private-data-stores``' finding, not a grant to a party.
    """
    if is_unknown(kind):
        return Verdict(False, "the ACL grantee type is not known at preview", True, path, unknown_principal=True)
    text = str(kind or "").strip().lower()
    if text in ("canonicaluser", "canonical", "id"):
        if is_unknown(canonical_id):
            return Verdict(False, "grants a canonical user not known at preview", True, path, unknown_principal=True)
        value = str(canonical_id or "").strip().lower()
        if value and (value in owner_ids or value == AWS_LOG_DELIVERY_CANONICAL_ID):
            return Verdict(True)
        return Verdict(False, f"grants canonical user {canonical_id!r}, which is not the ACL's owner: a canonical ID "
                              "names another AWS account that cannot be verified as the estate's or a trusted one; "
                              "grant through a bucket policy naming a trusted account ID instead", path=path)
    if text in ("amazoncustomerbyemail", "email"):
        if is_unknown(email):
            return Verdict(False, "grants an e-mail grantee not known at preview", True, path, unknown_principal=True)
        return Verdict(False, f"grants the AWS account of e-mail {email!r}: e-mail grantees name another account, "
                              "which cannot be verified as the estate's or a trusted one; grant through a bucket "
                              "policy naming a trusted account ID instead", path=path)
    return Verdict(True)  # Group grantees: LogDelivery is AWS; public groups are private-data-stores'
