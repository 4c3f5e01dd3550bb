"""What an AWS identity policy lets the estate's own principals reach: resources in other accounts, roles to assume.

An identity policy (managed, inline, role, user, group; a permissions boundary is a managed policy) names no
principal: it is what the principals it is attached to may do. Each ``Allow`` statement is read for the resources
it reaches (``Resource``; ``NotResource`` reaches everything but what it lists) and the actions it allows
(``Action``; ``NotAction`` allows everything but what it lists):

* an **ARN that names an account**: the account must be the estate's (``estate.awsAccountIds``) or a trusted one;
  a parent-company account is the parent's. ``sts:AssumeRole`` on a role ARN is worded as the identity path it is.
* an **ARN without an account** (S3 buckets and objects): the bucket must be created in the stack or listed in
  ``estate.destinations`` (``Target.bucket``, judged by the caller over the stack).
* **any account** (``"*"``, ``NotResource``, a wildcard account or bucket): assuming any role, or a data-writing
  action (``DATA_WRITING_ACTIONS``), lets the principals reach whatever account accepts them. A
  ``StringEquals`` / ``StringLike`` ``aws:ResourceAccount`` or ``aws:ResourceOrgID`` / ``aws:ResourceOrgPaths``
  condition naming only estate or trusted accounts and trusted organizations closes it (AWS's data-perimeter
  pattern), and then counts as the fix for explicit ARNs too.

``Deny`` statements allow nothing. A document that cannot be read (not JSON, no ``Statement``, a statement that
is not an object) fails closed: what it allows cannot be known.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Any

from residency_policies.analysis.aws_principals import load_document, statements
from residency_policies.aws_identifiers import ACCOUNT_ID_RE, ORGANIZATION_ID_RE, parse_arn
from residency_policies.rules_file import Rules
from residency_policies.values import is_unknown

# Actions that put data into a resource, on services whose resources accept writes from other accounts through
# their own resource policies (so a wildcard resource reaches any account that lets the estate in). Writes no
# resource policy can open to another account (CloudWatch Logs' PutLogEvents, SSM parameters) are not among them.
DATA_WRITING_ACTIONS = (
    "s3:putobject", "s3:replicateobject", "s3:putobjectacl", "s3:restoreobject", "sqs:sendmessage",
    "sns:publish", "kinesis:putrecord", "kinesis:putrecords", "firehose:putrecord", "firehose:putrecordbatch",
    "dynamodb:putitem", "dynamodb:batchwriteitem", "dynamodb:updateitem", "lambda:invokefunction",
    "events:putevents", "states:startexecution", "states:startsyncexecution", "secretsmanager:putsecretvalue",
    "es:eshttppost", "es:eshttpput", "kafka-cluster:writedata", "backup:startcopyjob",
)
ASSUME_ACTIONS = ("sts:assumerole", "sts:assumerolewithwebidentity", "sts:assumerolewithsaml")
_RESOURCE_ACCOUNT_KEYS = frozenset({"aws:resourceaccount"})
_RESOURCE_ORG_KEYS = frozenset({"aws:resourceorgid"})
_RESOURCE_ORG_PATH_KEYS = frozenset({"aws:resourceorgpaths"})
_LIMITING = frozenset({"stringequals", "stringlike", "stringequalsignorecase", "foranyvalue:stringequals",
                       "foranyvalue:stringlike"})


class Reach(Enum):
    PARENT = "parent"  # a resource in a parent-company account
    OUTSIDE = "outside"  # a resource in an account that is neither the estate's nor trusted
    UNNAMED = "unnamed"  # the estate's accounts are not named, so the account cannot be verified
    BUCKET = "bucket"  # an S3 bucket (no account in its ARN): the stack decides
    ANY = "any"  # any account (a wildcard resource)
    UNKNOWN = "unknown"  # unknown at preview
    MALFORMED = "malformed"  # the document cannot be read


@dataclass(frozen=True)
class Target:
    """One thing a statement lets the principals reach that is not plainly the estate's."""

    path: str
    reach: Reach
    value: str = ""
    account: str = ""
    assume: bool = False  # the statement lets the principals assume roles (sts:AssumeRole...)
    writes: bool = False  # the statement allows a data-writing action
    bucket: str = ""
    detail: str = ""


@dataclass(frozen=True)
class ResourceLimit:
    """What a statement's conditions restrict the resources' accounts to."""

    accounts: frozenset[str] = frozenset()
    organizations: frozenset[str] = frozenset()
    unknown: bool = False

    def closes(self, rules: Rules) -> bool:
        ours = rules.estate_aws_account_ids | rules.trusted_aws_account_ids
        if not (self.accounts or self.organizations):
            return False
        return self.accounts <= ours - rules.parent_aws_account_ids and \
            self.organizations <= rules.trusted_aws_organization_ids - rules.parent_aws_organization_ids


def _ci(mapping: dict, name: str) -> Any:
    return next((v for k, v in mapping.items() if isinstance(k, str) and k.lower() == name), None)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def resource_limit(condition: Any) -> ResourceLimit:
    if is_unknown(condition):
        return ResourceLimit(unknown=True)
    if not isinstance(condition, dict):
        return ResourceLimit()
    accounts: set[str] = set()
    orgs: set[str] = set()
    unknown = False
    for operator, block in condition.items():
        if str(operator).lower() not in _LIMITING or not isinstance(block, dict):
            unknown = unknown or (str(operator).lower() in _LIMITING and is_unknown(block))
            continue
        for key, raw in block.items():
            lowered = str(key).lower()
            for value in _list(raw):
                if is_unknown(value):
                    unknown = True
                elif not isinstance(value, str):
                    continue
                elif lowered in _RESOURCE_ACCOUNT_KEYS and ACCOUNT_ID_RE.match(value.strip()):
                    accounts.add(value.strip())
                elif lowered in _RESOURCE_ORG_KEYS and ORGANIZATION_ID_RE.match(value.strip()):
                    orgs.add(value.strip())
                elif lowered in _RESOURCE_ORG_PATH_KEYS and ORGANIZATION_ID_RE.match(value.strip().split("/")[0]):
                    orgs.add(value.strip().split("/")[0])
    return ResourceLimit(frozenset(accounts), frozenset(orgs), unknown)


def _allows(actions: list[Any], negated: bool, wanted: tuple[str, ...]) -> bool:
    patterns = [a.lower() for a in actions if isinstance(a, str)]
    hit = any(fnmatch.fnmatchcase(w, p) for w in wanted for p in patterns)
    return not hit if negated else hit


def targets(value: Any, rules: Rules, base: str) -> Iterator[Target]:
    """Every target of the document's Allow statements that is not plainly the estate's (``base``: the input)."""
    document, problem = load_document(value)
    if problem is not None:
        detail = problem.message.split(", so what it grants")[0]  # the defect; the consequence is the caller's
        yield Target(base, Reach.UNKNOWN if problem.unverifiable else Reach.MALFORMED, detail=detail)
        return
    if document is None:
        return
    if not isinstance(document, dict):
        yield Target(base, Reach.MALFORMED, detail="cannot be verified: the policy document is not a JSON object with "
                                                   "a Statement")
        return
    for index, statement in statements(document):
        path = f"{base}.Statement[{index}]"
        if is_unknown(statement):
            yield Target(path, Reach.UNKNOWN)
            continue
        if not isinstance(statement, dict):
            yield Target(path, Reach.MALFORMED, detail=f"cannot be verified: statement {index} is "
                                                       f"{type(statement).__name__}, not an object")
            continue
        effect = _ci(statement, "effect")
        if is_unknown(effect):
            yield Target(f"{path}.Effect", Reach.UNKNOWN)
            continue
        if isinstance(effect, str) and effect.strip().lower() == "deny":
            continue
        yield from _statement_targets(statement, path, rules)


def _statement_targets(statement: dict, path: str, rules: Rules) -> Iterator[Target]:
    limit = resource_limit(_ci(statement, "condition"))
    if limit.closes(rules):
        return
    negated_actions = _ci(statement, "action") is None and _ci(statement, "notaction") is not None
    actions = _list(_ci(statement, "notaction") if negated_actions else _ci(statement, "action"))
    if any(is_unknown(a) for a in actions):
        yield Target(f"{path}.Action", Reach.UNKNOWN)
        return
    assume = _allows(actions, negated_actions, ASSUME_ACTIONS)
    writes = _allows(actions, negated_actions, DATA_WRITING_ACTIONS)
    not_resource = _ci(statement, "notresource")
    if _ci(statement, "resource") is None and not_resource is not None:
        if assume or writes:
            yield Target(f"{path}.NotResource", Reach.ANY, "NotResource", assume=assume, writes=writes)
        return
    raw = _ci(statement, "resource")
    key = "Resource"
    if is_unknown(raw):
        yield Target(f"{path}.{key}", Reach.UNKNOWN)
        return
    for i, item in enumerate(_list(raw)):
        where = f"{path}.{key}[{i}]" if isinstance(raw, list) else f"{path}.{key}"
        if is_unknown(item):
            yield Target(where, Reach.UNKNOWN)
        elif isinstance(item, str):
            found = _resource_target(item.strip(), where, rules, assume, writes)
            if found is not None:
                yield found if not limit.unknown else Target(where, Reach.UNKNOWN, item.strip())


def _resource_target(text: str, where: str, rules: Rules, assume: bool, writes: bool) -> Target | None:
    if text == "*":
        return Target(where, Reach.ANY, text, assume=assume, writes=writes) if assume or writes else None
    arn = parse_arn(text)
    if arn is None:
        return None
    if arn.service == "s3" and not arn.account:
        bucket = arn.resource.split("/", 1)[0]
        if not bucket or any(c in bucket for c in "*?"):
            return Target(where, Reach.ANY, text, assume=assume, writes=writes) if writes else None
        return Target(where, Reach.BUCKET, text, bucket=bucket, assume=assume, writes=writes)
    account = arn.account
    if not account or account == "aws":
        return None  # an AWS-owned resource (a managed policy, a public parameter)
    if any(c in account for c in "*?"):
        return Target(where, Reach.ANY, text, assume=assume, writes=writes) if assume or writes else None
    if account in rules.parent_aws_account_ids:
        return Target(where, Reach.PARENT, text, account, assume=assume, writes=writes)
    if account in rules.estate_aws_account_ids or account in rules.trusted_aws_account_ids:
        return None
    reach = Reach.OUTSIDE if rules.estate_aws_account_ids else Reach.UNNAMED
    return Target(where, reach, text, account, assume=assume, writes=writes)


def describe(target: Target, rules: Rules) -> str:
    """The finding's words for a target (the caller prefixes nothing: the path leads)."""
    verb = "assume" if target.assume and ":role/" in target.value else "act on"
    if target.reach is Reach.PARENT:
        return (f"{target.path} lets the estate's principals {verb} {target.value!r}, in the parent company's account "
                f"{target.account}: an identity path to the parent")
    if target.reach is Reach.OUTSIDE:
        estate = ", ".join(sorted(rules.estate_aws_account_ids))
        return (f"{target.path} lets the estate's principals {verb} {target.value!r}, in account {target.account}, "
                f"which is neither an estate account ({estate}) nor a trusted one")
    if target.reach is Reach.UNNAMED:
        return (f"{target.path} lets the estate's principals {verb} {target.value!r}, in account {target.account}, "
                f"which cannot be verified as the estate's: name the estate's accounts in {rules.where('estate.awsAccountIds')}")
    if target.reach is Reach.BUCKET:
        return (f"{target.path} lets the estate's principals act on bucket {target.bucket!r}, which is not in this "
                f"stack and not listed in {rules.where('estate.destinations')}, so it cannot be verified as the estate's "
                "(bucket names are global); manage it in this stack or list it there")
    if target.reach is Reach.ANY:
        what = "assume a role in any account" if target.assume else "write data to resources of any account"
        return (f"{target.path} = {target.value!r} lets the estate's principals {what} that accepts them, the parent "
                "company's included; name the estate's resources, or add a StringEquals aws:ResourceAccount (or "
                "aws:ResourceOrgID) condition naming only estate and trusted accounts")
    return f"{target.path}: {target.detail}"


FIX = ("name only resources of the estate's and trusted accounts (or add a StringEquals aws:ResourceAccount / "
       "aws:ResourceOrgID condition naming them)")
