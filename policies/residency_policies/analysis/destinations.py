"""Where a destination value points, and whether it is the estate's: ARNs, OCIDs, bucket names and URIs, account
IDs, endpoints (URLs, e-mail addresses, phone numbers) and the hosts, addresses and Object Storage namespaces a
resource connects to (``connection_endpoints``).

Used by ``no-untrusted-data-destinations``: ``judge`` says what a value alone shows (``needs_stack``: only the
stack can clear it, because it may name a resource of the stack), ``clears_in_stack`` what the stack adds (a bucket
or an Object Storage namespace of a bucket created in the stack, a bucket whose block names its estate owner).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from residency_policies.analysis import connection_endpoints as ce
from residency_policies.analysis import data_references as refs
from residency_policies.aws_identifiers import is_account_id, parse_arn, parse_aws_endpoint
from residency_policies.ip_ranges import shares_address
from residency_policies.oci_identifiers import is_ocid, parse_oci_endpoint, parse_ocid
from residency_policies.provider_regions import PROVIDER_TYPE_PREFIX
from residency_policies.rules_file import Rules
from residency_policies.values import is_unknown, walk
from residency_policies.views import ResourceView

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "data_destinations.txt"
S3_BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2", "aws:s3/directoryBucket:DirectoryBucket")
OCI_BUCKET = "oci:ObjectStorage/bucket:Bucket"
# Sibling inputs of a bucket destination that name the bucket's owner account.
_OWNER_KEYS = ("expectedBucketOwner", "bucketOwner", "s3BucketOwner", "bucketAccountId", "accountId", "account")
# ARN services whose resources are principals, never a place data is delivered to.
_PRINCIPAL_SERVICES = frozenset({"iam", "sts"})
_EMAIL = re.compile(r"^[^@\s]+@(?P<domain>[^@\s]+)$")
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://(?:[^@/\s]+@)?(?P<host>[^:/\s?#]+)", re.I)
NOT_DESTINATION_SOURCES = ("aws:iam/", "pulumi:pulumi:StackReference", PROVIDER_TYPE_PREFIX)
OTHER_STACKS = ("pulumi:pulumi:StackReference", PROVIDER_TYPE_PREFIX)
_PHONE = re.compile(r"^\+?[0-9][0-9 ().-]{5,}$")


@dataclass(frozen=True)
class Destination:
    """An input a destination is named in, with the hint for how a plain value is read; ``connection``: an endpoint
    the resource connects to (``connection_endpoints``), read by what it names."""

    path: str
    hint: str  # ref | bucket | account | endpoint; connections: host | address | url | bucket | namespace
    connection: bool = False


def _load(path: Path = DATA_FILE) -> dict[str, tuple[Destination, ...]]:
    out: dict[str, list[Destination]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            token, input_path, hint = line.split("\t")
            out.setdefault(token, []).append(Destination(input_path, hint))
    return {t: tuple(d) for t, d in out.items()}


DESTINATIONS = _load()


def shape(path: str) -> str:
    return re.sub(r"\[\d*\]", "", path)


DESTINATION_SHAPES = {t: frozenset(shape(d.path) for d in ds) for t, ds in DESTINATIONS.items()}


@dataclass(frozen=True)
class Verdict:
    """``ok``; else a problem ``message`` that is certain (``unverifiable`` False) or needs the stack to decide."""

    ok: bool
    message: str = ""
    needs_stack: bool = False


OK = Verdict(True)


def _domain_declared(domain: str, rules: Rules) -> bool:
    parts = domain.lower().rstrip(".").split(".")
    return any(".".join(parts[i:]) in rules.estate_destinations for i in range(len(parts) - 1))


def _account_verdict(account: str, what: str, rules: Rules, *, is_account: bool = False) -> Verdict:
    """``what`` names the destination ("the destination 'arn:...'"); ``is_account``: it *is* the account."""
    where = "is" if is_account else f"is in account {account}, which is"
    if account in rules.parent_aws_account_ids:
        owner = "is the parent company's account" if is_account else f"is in the parent company's account {account}"
        return Verdict(False, f"{what} {owner}: user data would leave the estate")
    if account in rules.estate_aws_account_ids or account in rules.trusted_aws_account_ids:
        return OK
    if rules.estate_aws_account_ids:
        return Verdict(False, f"{what} {where} neither an estate account "
                              f"({', '.join(sorted(rules.estate_aws_account_ids))}) nor a trusted one")
    return Verdict(False, f"{what} {where} not verifiable as the estate's: name the estate's accounts in "
                          f"{rules.where('estate.awsAccountIds')}", needs_stack=True)


def _tenancy_verdict(tenancy: str, what: str, rules: Rules) -> Verdict:
    tenancy = tenancy.lower()
    if tenancy in rules.parent_oci_tenancy_ids:
        return Verdict(False, f"{what} is the parent company's tenancy: user data would leave the estate")
    if tenancy in rules.estate_oci_tenancy_ids or tenancy in rules.trusted_oci_tenancy_ids:
        return OK
    return Verdict(False, f"{what} is a tenancy that is neither an estate tenancy nor a trusted one")


_S3_URI = re.compile(r"^s3a?://(?P<bucket>[^/]+)", re.I)
_OCI_URI = re.compile(r"^oci://(?P<bucket>[^@/]+)@", re.I)


def bucket_name(value: str) -> str | None:
    """The bucket a destination value names: an S3 ARN, an ``s3://`` / ``oci://bucket@ns`` URI, an S3 endpoint URL
    (``https://bucket.s3.us-east-2.amazonaws.com``, ``https://s3.us-east-2.amazonaws.com/bucket``); else None."""
    arn = parse_arn(value)
    if arn is not None:
        return re.split(r"[/:]", arn.resource, maxsplit=1)[0] if arn.service in ("s3", "s3express") and not arn.account else None
    m = _S3_URI.match(value) or _OCI_URI.match(value)
    if m:
        return m["bucket"]
    endpoint = parse_aws_endpoint(value) if "://" in value else None
    return endpoint.bucket if endpoint is not None and endpoint.service == "s3" else None


def judge(value: str, hint: str, rules: Rules) -> Verdict:
    """What the value alone says about a destination (``needs_stack``: only the stack can clear it)."""
    text = value.strip()
    if not text:
        return OK
    bucket = bucket_name(text)
    if bucket is not None:
        return _bucket_verdict(bucket, text, rules)
    endpoint = parse_aws_endpoint(text)  # an SQS queue URL, an ECR registry host name their account
    if endpoint is not None and endpoint.account:
        return _account_verdict(endpoint.account, f"the destination {text!r}", rules)
    arn = parse_arn(text)
    if arn is not None:
        if arn.service in _PRINCIPAL_SERVICES:
            return OK
        if not arn.account or arn.account == "aws":
            return OK  # an AWS-owned resource (an AWS-managed event bus, a public document)
        return _account_verdict(arn.account, f"the destination {text!r}", rules)
    if is_ocid(text):
        parsed = parse_ocid(text.lower())
        if parsed is not None and parsed.resource_type == "tenancy":
            return _tenancy_verdict(text, f"the destination {text!r}", rules)
        if parsed is None or refs.ocid_kind(parsed.resource_type) not in (refs.STORE, refs.DESTINATION, refs.KEY):
            return OK
        if text.lower() in rules.estate_destinations:
            return OK
        return Verdict(False, f"the destination {text!r} is not created in this stack and not listed in "
                              f"{rules.where('estate.destinations')}, so it cannot be verified as the estate's (an OCID names no "
                              "tenancy); create it in this stack or list it there", needs_stack=True)
    if hint == "account" and is_account_id(text):
        return _account_verdict(text, f"the destination account {text!r}", rules, is_account=True)
    if hint == "bucket" and not text.startswith(("http://", "https://")):
        return _bucket_verdict(text, text, rules)
    if hint == "endpoint":
        return _endpoint_verdict(text, rules)
    return OK


# Host names that resolve only inside a private network (a VCN's, a VPC's, a cluster's): where they lead is the
# network policies' to prove, not a destination outside the estate.
_PRIVATE_SUFFIXES = (".internal", ".local", ".localhost", ".localdomain", ".oraclevcn.com", ".svc", ".home.arpa")


def connection_verdict(text: str, hint: str, rules: Rules) -> Verdict:
    """An endpoint a resource connects to (``connection_endpoints``): every host, address, bucket and namespace it
    names is the estate's, a trusted party's, or listed in ``estate.destinations``; the first that is not decides."""
    pending = OK
    for named in ce.names(text, hint):
        verdict = _named_verdict(named, rules)
        if not verdict.ok and not verdict.needs_stack:
            return verdict
        if not verdict.ok and pending.ok:
            pending = verdict
    return pending


def _named_verdict(named: ce.Named, rules: Rules) -> Verdict:
    if named.kind is ce.Kind.REFERENCE:
        return judge(named.value, "endpoint" if "@" in named.value else "ref", rules)
    if named.kind is ce.Kind.BUCKET and named.namespace is not None:
        listed = named.value.lower() in rules.estate_destinations and named.namespace.lower() in rules.estate_destinations
        return OK if listed else Verdict(
            False, f"the bucket {named.value!r} in Object Storage namespace {named.namespace!r} is not a bucket of this "
                   f"stack and is not listed (bucket and namespace) in {rules.where('estate.destinations')}, so it cannot be "
                   "verified as the estate's; use a bucket of this stack or list both there", needs_stack=True)
    if named.kind is ce.Kind.BUCKET:
        return _bucket_verdict(named.value, named.value, rules)
    if named.kind is ce.Kind.NAMESPACE:
        return OK if named.value.lower() in rules.estate_destinations else Verdict(
            False, f"the Object Storage namespace {named.value!r} is not the namespace of a bucket of this stack and is "
                   f"not listed in {rules.where('estate.destinations')}, so it cannot be verified as the estate's (a "
                   "namespace is a tenancy's); use the estate's namespace or list it there", needs_stack=True)
    if named.kind is ce.Kind.ADDRESS:
        return _address_verdict(named.value, rules)
    return _host_verdict(named.value, rules)


def _address_verdict(text: str, rules: Rules) -> Verdict:
    network = ipaddress.ip_network(text, strict=False)
    parents = [p for p in rules.parent_cidrs if shares_address(network, p)]
    if parents:
        return Verdict(False, f"the endpoint {text!r} is in the parent company's range {parents[0]}: the estate would "
                              "connect to the parent")
    if not network.is_global or text.lower() in rules.estate_destinations:
        return OK  # a private network's address: where it leads is the network policies' to prove
    return Verdict(False, f"the endpoint {text!r} is a public address that is not listed in "
                          f"{rules.where('estate.destinations')}, so it cannot be verified as the estate's or a trusted party's; list it "
                          "there when the estate owns it, or connect to an endpoint of the estate")


def _host_verdict(host: str, rules: Rules) -> Verdict:
    if "." not in host or host.endswith(_PRIVATE_SUFFIXES) or _domain_declared(host, rules):
        return OK
    if parse_aws_endpoint(host) or parse_oci_endpoint(host):
        return _endpoint_verdict(f"https://{host}", rules)
    return Verdict(False, f"the endpoint {host!r} is outside any cloud account and its domain is not listed in "
                          f"{rules.where('estate.destinations')}, so it cannot be verified as the estate's: list the domain "
                          "there when the estate owns it, or connect to an endpoint of the estate")


@dataclass(frozen=True)
class StackDestinations:
    """What the stack itself holds that a destination may name: its buckets (S3 names, OCI names) and the Object
    Storage namespaces of its OCI buckets."""

    bucket_names: frozenset[str]
    namespaces: frozenset[str]


def stack_destinations(resources) -> StackDestinations:
    s3 = {r.props.get("bucket") for r in resources if r.type in S3_BUCKETS}
    oci = [r for r in resources if r.type == OCI_BUCKET]
    names = {n for n in s3 | {r.props.get("name") for r in oci} if isinstance(n, str) and not is_unknown(n)}
    spaces = {r.props.get("namespace") for r in oci}
    return StackDestinations(frozenset(names), frozenset(n for n in spaces if isinstance(n, str) and not is_unknown(n)))


def verdict(value: str, destination: Destination, rules: Rules) -> Verdict:
    """What the value alone says about a destination input or a connection endpoint."""
    if destination.connection:
        return connection_verdict(value.strip(), destination.hint, rules)
    return judge(value, destination.hint, rules)


def clears_in_stack(value: str, destination: Destination, stack: StackDestinations, props: Any, where: str,
                    rules: Rules) -> bool:
    """Whether what the stack holds clears a destination ``verdict`` left to it (``needs_stack``)."""
    text, hint = value.strip(), destination.hint
    if destination.connection:
        for named in ce.names(text, hint):
            if _named_verdict(named, rules).ok:
                continue
            if named.kind is ce.Kind.BUCKET and named.value in stack.bucket_names and (
                    named.namespace is None or named.namespace in stack.namespaces):
                continue
            if named.kind is ce.Kind.NAMESPACE and named.value in stack.namespaces:
                continue
            return False
        return True
    name = bucket_name(text) or text
    # A bucket whose block names its owner: the owner account is judged on its own (estate: fine).
    return name in stack.bucket_names or bool((bucket_name(text) or hint == "bucket") and block_owner(props, where))


def _bucket_verdict(name: str, shown: str, rules: Rules) -> Verdict:
    if name.lower() in rules.estate_destinations:
        return OK
    return Verdict(False, f"the destination bucket {shown!r} is not in this stack, not listed in "
                          f"{rules.where('estate.destinations')} and names no estate owner account, so it cannot be verified as the "
                          "estate's (bucket names are global); manage it in this stack or list it there",
                   needs_stack=True)


def _endpoint_verdict(text: str, rules: Rules) -> Verdict:
    m = _URL.match(text) or _EMAIL.match(text)
    domain = (m.groupdict().get("host") or m.groupdict().get("domain")) if m else None
    if domain and _domain_declared(domain, rules):
        return OK
    if domain and (parse_aws_endpoint(domain) or parse_oci_endpoint(domain)):
        # A cloud service endpoint (an OpenSearch domain, an API): the stack decides whether it is its own.
        return Verdict(False, f"the destination {text!r} is a cloud service endpoint that is not created in this stack "
                              f"and not listed in {rules.where('estate.destinations')}, so it cannot be verified as the "
                              "estate's; use the resource's ARN/OCID input or list the endpoint there", needs_stack=True)
    if domain or _PHONE.match(text):
        return Verdict(False, f"the destination {text!r} is outside any cloud account, so it cannot be verified as "
                              f"the estate's: list its domain in {rules.where('estate.destinations')} when the estate "
                              "owns it, or send the data to a destination in the estate")
    return OK  # not an endpoint at all (a protocol keyword, a destination type name)


def block_owner(props: dict, where: str) -> str | None:
    """The owner account a bucket destination's enclosing block names (``expectedBucketOwner``, ``account``...)."""
    block: Any = props
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", where.rpartition(".")[0]):
        if part.startswith("[") and isinstance(block, list) and int(part[1:-1]) < len(block):
            block = block[int(part[1:-1])]
        elif isinstance(block, dict):
            block = block.get(part)
        else:
            return None
    if not isinstance(block, dict):
        return None
    for key in _OWNER_KEYS:
        owner = block.get(key)
        if isinstance(owner, str) and is_account_id(owner.strip()):
            return owner.strip()
    return None


_MAP_BUCKET_KEY = re.compile(r"(?i)bucket")


def values(resource: ResourceView) -> Iterator[tuple[str, Destination, Any]]:
    """Every destination value: the generated inputs of the type (a map input's values read by their keys),
    destinations named inside JSON documents given as strings (any input of any type), then the endpoints the
    resource connects to (``connection_endpoints``)."""
    for destination in DESTINATIONS.get(resource.type, ()):
        for where, value in walk(resource.props, destination.path):
            if destination.hint == "map":  # a map of destination settings: a ``bucketName`` key names a bucket
                key = where.rpartition(".")[2]
                yield where, Destination(destination.path, "bucket" if _MAP_BUCKET_KEY.search(key) else "ref"), value
            else:
                yield where, destination, value
    for where, key, value in refs.document_destinations(resource.props):
        yield where, Destination(where, "bucket" if _MAP_BUCKET_KEY.search(key) else "ref"), value
    for where, hint, value in ce.values(resource):
        yield where, Destination(where, hint, connection=True), value

