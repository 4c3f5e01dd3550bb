"""no-untrusted-data-destinations: managed services send data only to the estate's own or a trusted party's destinations.

Log subscriptions and exports, event targets, bucket and topic notifications, subscriptions, delivery
streams, replication and sync tasks, OCI service connectors, Events rules and notification subscriptions
push user data out of the resource that holds it. Their destination inputs are generated from the SDKs
(``data/data_destinations.txt``, ``policies/tools/generate_data_destinations.py``: ~440 inputs of ~280
types: destination blocks, references named for what receives data such as ``firehoseArn`` or
``cloudwatchLogGroupArn``, log and output locations such as ``logUri`` and ``outputLocation``, maps of
destination settings), and each destination is read by what it is:

* an **ARN** names its account: a parent-company account is data leaving the estate; an estate
  (``estate.awsAccountIds``) or trusted account is fine; any other account is not the estate's. An S3 ARN
  names no account: judged as a bucket.
* an **OCID** names no tenancy (except a tenancy OCID, judged like an account): the destination is the
  estate's only when it is created in this stack (a property dependency) or listed in
  ``estate.destinations``.
* a **bucket name** is the estate's when a bucket of that name is in the stack, when it is listed in
  ``estate.destinations``, or when the block names its owner account (``expectedBucketOwner``,
  ``bucketOwner``, ``accountId``...) and that account is the estate's.
* an **account ID** (ECR replication ``registryId``, S3 replication ``account``, AMI distribution
  ``targetAccountIds``...) must be an estate or trusted account.
* an **endpoint** (an https URL, an e-mail address, a phone number) is the estate's only when its domain
  is listed in ``estate.destinations``; an AWS service endpoint that names its account (an SQS queue URL,
  an ECR registry host) is judged by that account, an S3 endpoint URL or ``s3://`` URI as a bucket.

Destinations named inside JSON documents given as strings (a redrive policy's ``deadLetterTargetArn``, an
event target's ``input``, a state machine's ``Destination``: a key or its enclosing key says data is sent
there, ``data_references.document_destinations``) are judged the same way, on any resource type. A JSON
document input the SDK types as one (``data/json_document_inputs.txt``, role ``data``) whose text looks like
JSON but does not parse hides where data goes: it fails closed. IAM policy documents are
``no-cross-tenancy-grants``' to judge, once.

A destination produced by a resource of this stack (unknown at preview, with a property dependency) is
the estate's own: the stack's providers are pinned to the estate (``estate-deploy-targets``). One that is
unknown and comes from nowhere in the stack cannot be verified (fail closed).

Besides the generated inputs, any property of any resource that names a data-bearing resource (a store,
a stream, a queue, a topic, a function, a log group: ``analysis/data_references.py``; by ARN, by service
endpoint URL, or inside a JSON document) in a parent company account, or names a parent tenancy, is a link to
the parent and is refused wherever it appears.
Keys are ``us-keys-for-data``'s to judge; regions are ``us-region-replication``'s.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from residency_policies.analysis import data_references as refs
from residency_policies.analysis.data_bearing_types import DATA_BEARING_TYPES
from residency_policies.aws_identifiers import is_account_id, parse_arn, parse_aws_endpoint
from residency_policies.compliance import RESIDENCY
from residency_policies.framework import Finding, ResourceView, resource_policy
from residency_policies.oci_identifiers import is_ocid, parse_oci_endpoint, parse_ocid
from residency_policies.provider_regions import PROVIDER_TYPE_PREFIX
from residency_policies.rules_file import Rules
from residency_policies.values import is_unknown, walk

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "data_destinations.txt"
S3_BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2", "aws:s3/directoryBucket:DirectoryBucket")
OCI_BUCKET = "oci:ObjectStorage/bucket:Bucket"
# Sibling inputs of a bucket destination that name the bucket's owner account.
_OWNER_KEYS = ("expectedBucketOwner", "bucketOwner", "s3BucketOwner", "bucketAccountId", "accountId", "account")
# ARN services whose resources are principals, never a place data is delivered to.
_PRINCIPAL_SERVICES = frozenset({"iam", "sts"})
_EMAIL = re.compile(r"^[^@\s]+@(?P<domain>[^@\s]+)$")
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://(?:[^@/\s]+@)?(?P<host>[^:/\s?#]+)", re.I)
_NOT_DESTINATION_SOURCES = ("aws:iam/", "pulumi:pulumi:StackReference", PROVIDER_TYPE_PREFIX)
_OTHER_STACKS = ("pulumi:pulumi:StackReference", PROVIDER_TYPE_PREFIX)
_PHONE = re.compile(r"^\+?[0-9][0-9 ().-]{5,}$")


@dataclass(frozen=True)
class Destination:
    path: str
    hint: str  # ref | bucket | account | endpoint


def _load(path: Path = DATA_FILE) -> dict[str, tuple[Destination, ...]]:
    out: dict[str, list[Destination]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            token, input_path, hint = line.split("\t")
            out.setdefault(token, []).append(Destination(input_path, hint))
    return {t: tuple(d) for t, d in out.items()}


DESTINATIONS = _load()


def _shape(path: str) -> str:
    return re.sub(r"\[\d*\]", "", path)


_DESTINATION_SHAPES = {t: frozenset(_shape(d.path) for d in ds) for t, ds in DESTINATIONS.items()}


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
                              f"{rules.where('estate.destinations')}, so it cannot be verified as the estate's (an "
                              "OCID names no tenancy); create it in this stack or list it there", needs_stack=True)
    if hint == "account" and is_account_id(text):
        return _account_verdict(text, f"the destination account {text!r}", rules, is_account=True)
    if hint == "bucket" and not text.startswith(("http://", "https://")):
        return _bucket_verdict(text, text, rules)
    if hint == "endpoint":
        return _endpoint_verdict(text, rules)
    return OK


def _bucket_verdict(name: str, shown: str, rules: Rules) -> Verdict:
    if name.lower() in rules.estate_destinations:
        return OK
    return Verdict(False, f"the destination bucket {shown!r} is not in this stack, not listed in "
                          f"{rules.where('estate.destinations')} and names no estate owner account, so it cannot be "
                          "verified as the estate's (bucket names are global); manage it in this stack or list it there",
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


def _block_owner(props: dict, where: str) -> str | None:
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


def _values(resource: ResourceView) -> Iterator[tuple[str, Destination, Any]]:
    """Every destination value: the generated inputs of the type (a map input's values read by their keys),
    then destinations named inside JSON documents given as strings (any input of any type)."""
    for destination in DESTINATIONS.get(resource.type, ()):
        for where, value in walk(resource.props, destination.path):
            if destination.hint == "map":  # a map of destination settings: a ``bucketName`` key names a bucket
                key = where.rpartition(".")[2]
                yield where, Destination(destination.path, "bucket" if _MAP_BUCKET_KEY.search(key) else "ref"), value
            else:
                yield where, destination, value
    for where, key, value in refs.document_destinations(resource.props):
        yield where, Destination(where, "bucket" if _MAP_BUCKET_KEY.search(key) else "ref"), value


def _unreadable_documents(resource: ResourceView) -> Iterator[Finding]:
    """A JSON document input (SDK-typed, role ``data``) whose string looks like JSON but does not parse."""
    for path, role in refs.JSON_DOCUMENT_INPUTS.get(resource.type, {}).items():
        if role != "data":
            continue
        for where, value in walk(resource.props, path):
            if refs.looks_like_json(value) and refs.json_document(value) is None:
                yield Finding(f"{where} is not valid JSON, so the destinations it names cannot be verified; give "
                              "it as a JSON document (json.dumps / pulumi.Output.json_dumps)", path=where)


def _parent_links(resource: ResourceView, rules: Rules, judged: set[str]) -> Iterator[Finding]:
    """Any property naming a data-bearing resource of a parent account, or a parent tenancy (not a placement)."""
    spec = DATA_BEARING_TYPES.get(resource.type)
    skip = _DESTINATION_SHAPES.get(resource.type, frozenset()) | frozenset(_shape(p) for p in (spec.key_paths if spec else ()))
    for ref in refs.references(resource.props):
        if _shape(ref.path) in skip or ref.path in judged or ref.path == "compartmentId":  # compartments: estate-deploy-targets
            continue
        if ref.cloud == "aws" and ref.account in rules.parent_aws_account_ids and ref.kind in (refs.STORE, refs.DESTINATION):
            yield Finding(f"{ref.path} = {ref.value!r} names a {ref.what} of the parent company's account {ref.account}: "
                          "the estate must not be wired to the parent's data stores and streams")
        elif ref.cloud == "oci" and ref.what == "tenancy OCID" and ref.value.lower() in rules.parent_oci_tenancy_ids:
            yield Finding(f"{ref.path} = {ref.value!r} names the parent company's tenancy: the estate must not be wired "
                          "to the parent's tenancy")


def in_scope(type_token: str) -> bool:
    """Every resource but providers (any input may name where data is sent)."""
    return not type_token.startswith(PROVIDER_TYPE_PREFIX)


def check(resource: ResourceView, rules: Rules) -> Iterator[Finding]:
    if not in_scope(resource.type):
        return
    judged: set[str] = set()
    for where, destination, value in _values(resource):
        judged.add(where)
        if not isinstance(value, str) or is_unknown(value):
            continue
        verdict = judge(value, destination.hint, rules)
        if not verdict.ok and not verdict.needs_stack:
            yield Finding(f"{where}: {verdict.message}", path=where)
    yield from _unreadable_documents(resource)
    yield from _parent_links(resource, rules, judged)


def _top(where: str) -> str:
    return re.split(r"[.\[#]", where, maxsplit=1)[0]


def check_stack(resources, rules: Rules) -> Iterator[Finding]:
    """Destinations only the stack can clear: unknown values, OCIDs and bucket names (in the stack or not)."""
    s3_names = {r.props.get("bucket") for r in resources if r.type in S3_BUCKETS}
    oci_names = {r.props.get("name") for r in resources if r.type == OCI_BUCKET}
    bucket_names = {n for n in s3_names | oci_names if isinstance(n, str) and not is_unknown(n)}
    # A destination produced by a resource of this stack is the estate's (its providers are pinned); a value
    # derived only from IAM principals or another stack's outputs is not a destination of this stack.
    candidates = {r.urn for r in resources if not r.type.startswith(_NOT_DESTINATION_SOURCES)}
    in_stack = {r.urn for r in resources if not r.type.startswith(_OTHER_STACKS)}
    for r in resources:
        if r.type.startswith(PROVIDER_TYPE_PREFIX) or not isinstance(r.props, dict):
            continue
        for where, destination, value in _values(r):
            from_stack = any(u in candidates for u in (r.property_dependencies or {}).get(_top(where), ()))
            if is_unknown(value):
                if not from_stack:
                    yield Finding(f"{where} names where the data is sent", urn=r.urn, path=where, unverifiable=True)
                continue
            if not isinstance(value, str):
                continue
            verdict = judge(value, destination.hint, rules)
            if verdict.ok or not verdict.needs_stack or from_stack:
                continue
            name = bucket_name(value.strip()) or value.strip()
            # A bucket whose block names its owner: the owner account is judged on its own (estate: fine).
            if name in bucket_names or (bucket_name(value.strip()) or destination.hint == "bucket") and _block_owner(r.props, where):
                continue
            yield Finding(f"{where}: {verdict.message}", urn=r.urn, path=where)
        yield from _unknown_documents(r, in_stack)


def _unknown_documents(r: ResourceView, in_stack: set[str]) -> Iterator[Finding]:
    """A JSON document input (role ``data``) unknown at preview: built from resources of this stack (any of
    them: a Batch job's properties name its IAM role) it is the estate's own (and ``Analyze`` reads it, known,
    before the resource is created); from elsewhere (another stack's outputs) what it names cannot be
    verified."""
    for path, role in refs.JSON_DOCUMENT_INPUTS.get(r.type, {}).items():
        if role != "data":
            continue
        for where, value in walk(r.props, path):
            if is_unknown(value) and not any(u in in_stack for u in (r.property_dependencies or {}).get(_top(where), ())):
                yield Finding(f"{where} is a document that names where data is sent", urn=r.urn, path=where,
                              unverifiable=True)


POLICY = resource_policy(
    name="no-untrusted-data-destinations",
    description=(
        "Managed services (log exports and subscriptions, event targets, notifications, subscriptions, delivery "
        "streams, replication and sync tasks, connectors) send data only to destinations of the estate or of a "
        "trusted party, never to the parent company's."
    ),
    severity="critical",
    remediation=(
        "Point the destination at a resource of this stack, or of an estate account / tenancy (estate.awsAccountIds, "
        "estate.ociTenancyIds) or a trusted party; list estate-owned destinations managed elsewhere (OCIDs, S3 "
        "bucket names, endpoint domains) in the rules' estate.destinations (stack config `residency:estate`); never send data to a parent "
        "company account, tenancy, bucket or endpoint. Give JSON document inputs (redrive policies, definitions, "
        "container definitions, target inputs) as valid JSON (json.dumps) so their destinations can be read."
    ),
    tags=["data-flow", "isolation", "residency"],
    framework=RESIDENCY.control("ISO-2"),
    check=check,
    applies_to=in_scope,
    stack_check=check_stack,
)
