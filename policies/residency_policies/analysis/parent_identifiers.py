"""Every place a resource's properties name the parent company: its ranges and addresses, tenancies, accounts and
organizations, found in any string (and 12-digit number) of any property, and whether each sits in a deny context.

The search is a text search, not a per-type table: an identifier is found wherever it is written, in a plain
value, inside a URL, a ``host:port`` pair, a connection string, an ARN, an OCI or ZPR policy statement, a
Suricata rule, or a JSON or YAML document given as a string (which is also parsed, so that its paths and its
deny statements are read). What counts as the parent's:

* an IPv4 or IPv6 address, or a range, **inside** one of ``parentCompany.cidrs`` (any form that holds the same
  hosts: IPv4-mapped, NAT64, 6to4). A range that merely *contains* a parent range (``0.0.0.0/0``) names
  everyone, not the parent: the network policies judge it by the paths it opens;
* a parent tenancy OCID, anywhere in a string (case-insensitive);
* a parent AWS account ID as a whole 12-digit number (in an ARN, a queue URL, a registry host, or alone);
* a parent AWS organization ID (``o-...``) as a whole word.

A **deny context** names the parent in order to keep it out, so the kit's own deny lists stay compliant:

* an object whose action says so (``action`` / ``actions`` / ``ruleAction`` / ``effect`` is ``deny``, ``drop``,
  ``reject``, ``block``, ``blackhole``, AWS's ``aws:drop``, a WAF ``{"block": {}}``), or a route with
  ``blackhole: true``: a network ACL deny entry, a firewall drop rule, an IAM ``Deny`` statement;
* a key that names a deny list (``forbiddenAccountIds``, ``deniedCidrs``, ``blocklist``...), and IAM exclusions
  (``NotPrincipal``, ``NotResource``, ``NotIpAddress`` and the ``...Not...`` condition operators), which list
  whom a statement leaves out;
* a line of text that starts with a deny verb (an OCI ``deny ...`` statement, a Suricata ``drop`` / ``reject``
  rule).

An action unknown at preview is neither: the context is ``UNKNOWN`` and the caller fails closed. Prose inputs
(``description``, comments, notes, display names) are not searched: they configure nothing.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Any

import yaml

from residency_policies.ip_ranges import Network, address_forms
from residency_policies.rules_file import Rules
from residency_policies.values import is_unknown

MAX_DEPTH = 64
MAX_DOCUMENT = 1 << 20  # larger strings are searched as text, not parsed


class ParentKind(Enum):
    RANGE = "range"
    TENANCY = "tenancy"
    ACCOUNT = "account"
    ORGANIZATION = "organization"


class Context(Enum):
    """Whether an identifier sits in a deny context."""

    PLAIN = "plain"
    DENY = "deny"
    UNKNOWN = "unknown"  # the action that decides it is unknown at preview


@dataclass(frozen=True)
class Hit:
    """One parent identifier found at ``path`` (``input.key[0]``; ``input#key`` inside a document given as a
    string). ``token`` is the identifier as written; ``parent`` the rules' identifier it matches."""

    path: str
    token: str
    kind: ParentKind
    parent: str
    context: Context = Context.PLAIN
    why_unknown: str = ""  # for UNKNOWN: the action path that decides it

    def names(self) -> str:
        """What the identifier is, in words: ``the parent company's AWS account 999999999999``."""
        if self.kind is ParentKind.RANGE:
            what = "a range" if "/" in self.token and not _is_host(self.token) else "an address"
            if self.token == self.parent:
                return f"the parent company's range {self.parent}"
            return f"{self.token}, {what} inside the parent company's range {self.parent}"
        label = {ParentKind.TENANCY: "tenancy", ParentKind.ACCOUNT: "AWS account",
                 ParentKind.ORGANIZATION: "AWS organization"}[self.kind]
        return f"the parent company's {label} {self.token}"


def _is_host(token: str) -> bool:
    try:
        network = ipaddress.ip_network(token, strict=False)
    except ValueError:
        return True
    return network.num_addresses == 1


# --- What the rules name as the parent's ----------------------------------------------------------------------

@dataclass(frozen=True)
class ParentIdentifiers:
    ranges: tuple[Network, ...]
    tenancies: frozenset[str]
    accounts: frozenset[str]
    organizations: frozenset[str]

    @property
    def empty(self) -> bool:
        return not (self.ranges or self.tenancies or self.accounts or self.organizations)


def of_rules(rules: Rules) -> ParentIdentifiers:
    return ParentIdentifiers(tuple(rules.parent_cidrs), frozenset(t.lower() for t in rules.parent_oci_tenancy_ids),
                             frozenset(rules.parent_aws_account_ids), frozenset(rules.parent_aws_organization_ids))


_IPV4 = r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?:/\d{1,2})?(?!\d)"
_IPV6 = r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{1,4})?(?:/\d{1,3})?(?![\w:])"
_CANDIDATES = re.compile(
    rf"(?P<v4>{_IPV4})|(?P<v6>{_IPV6})|(?P<account>(?<!\d)\d{{12}}(?!\d))|(?P<org>(?<![\w-])o-[a-z0-9]{{10,32}}(?![\w-]))"
    r"|(?P<ocid>(?i:ocid1\.tenancy\.[a-z0-9]+\.[a-z0-9-]*\.[a-z0-9_-]+))"
)


@lru_cache(maxsize=65536)
def _inside(token: str, ranges: tuple[Network, ...]) -> str | None:
    """The parent range that holds every address of ``token`` (any of its forms), or None (cached: the same
    addresses recur across a stack's rules)."""
    try:
        network = ipaddress.ip_network(token, strict=False)
    except ValueError:
        return None
    for form in address_forms(network):
        if form.prefixlen == 0:
            continue
        for parent in ranges:
            for parent_form in address_forms(parent):
                if form.version == parent_form.version and form.subnet_of(parent_form):  # type: ignore[arg-type]
                    return str(parent)
    return None


def text_hits(text: str, parents: ParentIdentifiers) -> Iterator[tuple[str, ParentKind, str]]:
    """``(token, kind, parent)`` for every parent identifier written in ``text``."""
    for m in _CANDIDATES.finditer(text):
        kind = m.lastgroup
        token = m.group()
        if kind in ("v4", "v6"):
            parent = _inside(token, parents.ranges) if parents.ranges else None
            if parent is not None:
                yield token, ParentKind.RANGE, parent
        elif kind == "account" and token in parents.accounts:
            yield token, ParentKind.ACCOUNT, token
        elif kind == "org" and token in parents.organizations:
            yield token, ParentKind.ORGANIZATION, token
        elif kind == "ocid" and token.lower() in parents.tenancies:
            yield token, ParentKind.TENANCY, token.lower()


# --- Deny contexts ---------------------------------------------------------------------------------------------

_ACTION_KEYS = frozenset({"action", "actions", "ruleaction", "effect"})
_DENY_ACTIONS = frozenset({
    "deny", "drop", "reject", "block", "blackhole", "drop_strict", "drop_established", "rejectsrc", "rejectdst",
    "rejectboth",
})
_DENY_KEY = re.compile(r"(?i)(deny|denied|forbid|blocked|blocklist|blacklist|banned|reject)")
# IAM exclusions: the values they list are left out of the statement.
_EXCLUSION_KEY = re.compile(r"(?i)^(?:for(?:all|any)values:)?(?:notprincipal|notresource|notaction|notipaddress|"
                            r"(?:string|arn|numeric|date)not\w*)$")
_PROSE_KEY = re.compile(r"(?i)^(description|comment|comments|notes|displayname|display_name)$")
_DENY_LINE = re.compile(r"(?i)^\s*(deny|drop|reject|rejectsrc|rejectdst|rejectboth|block)\b")


def _action_context(value: Any) -> Context:
    if is_unknown(value):
        return Context.UNKNOWN
    if isinstance(value, str):
        word = value.strip().lower()
        word = word[4:] if word.startswith("aws:") else word
        return Context.DENY if word in _DENY_ACTIONS else Context.PLAIN
    if isinstance(value, list):
        found = [_action_context(v) for v in value]
        if Context.DENY in found:
            return Context.DENY
        return Context.UNKNOWN if Context.UNKNOWN in found else Context.PLAIN
    if isinstance(value, dict):
        if any(str(k).lower() in _DENY_ACTIONS for k in value):
            return Context.DENY
        kind = value.get("type")
        return _action_context(kind) if kind is not None else Context.PLAIN
    return Context.PLAIN


def object_context(obj: dict, outer: Context) -> tuple[Context, str]:
    """The context of an object's members: its own action (or blackhole flag) decides, inside ``outer``."""
    if outer is Context.DENY:
        return outer, ""
    context, why = outer, ""
    for key, value in obj.items():
        lowered = str(key).lower()
        if lowered in _ACTION_KEYS:
            found = _action_context(value)
        elif lowered == "blackhole":
            found = Context.UNKNOWN if is_unknown(value) else (Context.DENY if value is True else Context.PLAIN)
        else:
            continue
        if found is Context.DENY:
            return Context.DENY, ""
        if found is Context.UNKNOWN:
            context, why = Context.UNKNOWN, str(key)
    return context, why


def key_context(key: str, outer: Context) -> Context:
    if outer is Context.DENY or _DENY_KEY.search(key) or _EXCLUSION_KEY.match(key):
        return Context.DENY
    return outer


def line_context(line: str, outer: Context) -> Context:
    return Context.DENY if outer is Context.DENY or _DENY_LINE.match(line) else outer


# --- The walk ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Leaf:
    """A string (or number) in the properties, with its context and the path of the action deciding it."""

    path: str
    value: Any
    context: Context
    why_unknown: str = ""


def _join(path: str, key: str) -> str:
    return f"{path}{key}" if not path or path.endswith("#") else f"{path}.{key}"


def leaves(value: Any, path: str = "", context: Context = Context.PLAIN, why: str = "",
           depth: int = 0, *, unknowns: bool = False) -> Iterator[Leaf]:
    """Every string and number in ``value`` with its deny context; JSON and YAML documents given as strings are
    parsed and walked (paths ``input#key``), prose keys skipped; values unknown at preview too with ``unknowns``."""
    if depth > MAX_DEPTH or value is None or isinstance(value, bool):
        return
    if isinstance(value, dict):
        inner, inner_why = object_context(value, context)
        inner_why = _join(path, inner_why) if inner_why else why
        for key, item in value.items():
            key = str(key)
            if _PROSE_KEY.match(key):
                continue
            yield from leaves(item, _join(path, key), key_context(key, inner), inner_why, depth + 1, unknowns=unknowns)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from leaves(item, f"{path}[{i}]", context, why, depth + 1, unknowns=unknowns)
    elif isinstance(value, str):
        if is_unknown(value):
            if unknowns:
                yield Leaf(path, value, context, why)
            return
        document = _document(value)
        if document is not None:
            yield from leaves(document, f"{path}#", context, why, depth + 1, unknowns=unknowns)
        else:
            yield Leaf(path, value, context, why)
    elif isinstance(value, int):
        yield Leaf(path, value, context, why)


def _document(text: str) -> Any:
    """The object or list a string holds as JSON or as a YAML document; None for anything else."""
    stripped = text.strip()
    if len(stripped) > MAX_DOCUMENT or len(stripped) < 2:
        return None
    if (stripped[0], stripped[-1]) in (("{", "}"), ("[", "]")):
        try:
            document = json.loads(stripped)
        except (ValueError, RecursionError):
            document = None
        if isinstance(document, (dict, list)):
            return document
    if "\n" in stripped and re.search(r"(?m)^\s*(- )?[\w.\-\"']+\s*:(\s|$)", stripped):
        try:
            document = yaml.load(stripped, Loader=_YAML_LOADER)
        except (yaml.YAMLError, RecursionError, ValueError):
            return None
        if isinstance(document, (dict, list)):
            return document
    return None


_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def hits(props: Any, parents: ParentIdentifiers) -> tuple[Hit, ...]:
    """Every parent identifier in a resource's properties, with its deny context."""
    if parents.empty or not _may_hold_any(props, parents):
        return ()
    found: list[Hit] = []
    for leaf in leaves(props):
        if isinstance(leaf.value, int):
            text = f"{leaf.value:012d}" if 0 <= leaf.value < 10**12 else str(leaf.value)
            if text in parents.accounts:
                found.append(Hit(leaf.path, text, ParentKind.ACCOUNT, text, leaf.context, leaf.why_unknown))
            continue
        if not isinstance(leaf.value, str) or not _may_name_parent(leaf.value):
            continue
        for line in leaf.value.splitlines() or [leaf.value]:
            context = line_context(line, leaf.context)
            for token, kind, parent in text_hits(line, parents):
                found.append(Hit(leaf.path, token, kind, parent, context, leaf.why_unknown))
    return tuple(found)


_may_name_parent = re.compile(r"\d").search


@lru_cache(maxsize=64)
def _hints(parents: ParentIdentifiers) -> tuple[str, ...]:
    """Text every written form of a parent identifier contains (lower case): an IPv4 range's first octet and dot,
    an IPv6 form's first group and colon (``::ffff:`` for a mapped one), the identifiers themselves (an account
    without its leading zeros, as a number is written)."""
    out: set[str] = {"ocid1.tenancy."} if parents.tenancies else set()
    out |= {a.lstrip("0") or "0" for a in parents.accounts} | {o.lower() for o in parents.organizations}
    for parent in parents.ranges:
        for form in address_forms(parent):
            if form.version == 4:
                out.add(f"{str(form.network_address).split('.')[0]}.")
            else:
                text = form.network_address.compressed
                out.add(text.split(":")[0] + ":" if not text.startswith("::") else ":".join(text.split(":")[:3]) + ":")
    return tuple(sorted(out))


def _may_hold_any(props: Any, parents: ParentIdentifiers) -> bool:
    """A cheap first pass over the whole resource: its JSON text holds the text every written form of a parent
    identifier contains. Over-approximates the walk, never misses (the walk decides)."""
    try:
        blob = json.dumps(props, default=str).lower()
    except (TypeError, ValueError, RecursionError):
        return True
    return any(hint in blob for hint in _hints(parents))
"""A cheap first test: every identifier the search looks for has a digit."""
